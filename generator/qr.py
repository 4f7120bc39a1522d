"""QR codes of page URLs, as SVG and PNG bytes (the only module that uses segno).

Codes are made by :func:`encode`, a re-implementation of
``segno.make_qr(url, error=..., boost_error=True)`` that gives the very same symbol in
~0.1 ms instead of ~5 ms (segno spends most of its time scoring the eight mask patterns
in pure Python).  It keeps segno 1.6.6 for what decides *what* is encoded (text to
bytes, mode, capacity and error-correction tables, function patterns, format and version
bits) and re-does the slow parts:

* the data codewords, with segno's quirk kept: after the terminator it pads with 1-8
  zero bits, so a stream already on a byte boundary gets a whole zero byte;
* Reed-Solomon error correction with a 256-entry table per generator polynomial;
* module placement as one precomputed permutation per (version, level), from the
  message bits straight into the bit layout below;
* mask scoring on the symbol as one big ``int``, one bit a module: each row is ``size``
  module bits then 4 gap bits, with 4 gap rows above and below.  A shift by 1 steps
  along a row and a shift by ``stride`` down a column, so ``&`` of shifted copies of
  the dark (or light) modules finds every run, 2x2 block and finder-like pattern at
  once, and ``int.bit_count`` counts them (see :func:`_penalty`).

The SVG and PNG writers draw byte for byte what segno's writers (or, for the PNG, this
module's earlier writer) drew.  ``tests/test_qr_fast.py`` checks matrix, mask, version,
level and image bytes against segno for thousands of URLs; :func:`make` is segno's own
path, kept as the reference.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import segno
from segno import consts as _segno_consts
from segno import encoder as _segno_encoder
from segno import writers as _segno_writers

from generator.models import QrOptions

# segno's internals carry no types; these are the parts of segno 1.6.6 this module uses.
_consts: Any = _segno_consts
_encoder: Any = _segno_encoder
_writers: Any = _segno_writers


def make(url: str, options: QrOptions) -> segno.QRCode:
    """A full QR code (never Micro QR) at least at the configured error level, by segno."""
    code = segno.make_qr(url, error=options.error, boost_error=True)
    assert not code.is_micro
    return code


@dataclass(frozen=True, slots=True)
class Symbol:
    """A QR code as :func:`encode` makes it: what ``segno.make_qr`` would make."""

    matrix: tuple[bytes, ...]  # rows of modules, 1 = dark, no quiet zone
    version: int
    error: str  # "L", "M", "Q" or "H": the configured level, or higher when it cost no size
    mask: int


def encode(url: str, options: QrOptions) -> Symbol:
    """The code ``segno.make_qr(url, error=options.error, boost_error=True)`` makes, fast."""
    version, error, data = _data_codewords(url, options.error)
    grid = _grid(version)
    message = data + _error_codewords(data, version, error)
    bits = format(int.from_bytes(message, "big"), f"0{8 * len(message)}b").encode() + b"01"
    unmasked = int(bytes(_placement(version, error)(bits)), 2)
    scores = [_penalty(grid, unmasked ^ flips) for flips in grid.masks]
    mask = scores.index(min(scores))  # the first of equals, as segno picks
    final = (unmasked ^ grid.masks[mask]) | _format_bits(version, error, mask)
    text = format(final, f"0{grid.total}b").encode().translate(_ASCII_TO_MODULE)
    starts = range(4 * grid.stride, (4 + grid.size) * grid.stride, grid.stride)
    return Symbol(
        tuple(text[i : i + grid.size] for i in starts),
        version,
        _encoder.get_error_name(error),
        mask,
    )


_ASCII_TO_MODULE = bytes.maketrans(b"01", b"\x00\x01")
_MODULE_TO_ASCII = bytes.maketrans(b"\x00\x01", b"01")
_LEVELS = [
    _consts.ERROR_LEVEL_L,
    _consts.ERROR_LEVEL_M,
    _consts.ERROR_LEVEL_Q,
    _consts.ERROR_LEVEL_H,
]


def _data_codewords(url: str, level: str) -> tuple[int, int, bytes]:
    """Version, error level constant and data codewords, as segno's encoder makes them."""
    data = _encoder.data_to_bytes(url, None)[0]  # ISO 8859-1, else Shift JIS, else UTF-8
    mode = _encoder.find_mode(data)
    if mode == _consts.MODE_BYTE:
        value, size, count = int.from_bytes(data, "big"), 8 * len(data), len(data)
    else:  # digits, upper-case or Kanji only: rare in URLs, so segno's (slower) own segment
        segment = _encoder.make_segment(url, None, None)
        value = int(b"0" + bytes(segment.bits).translate(_MODULE_TO_ASCII), 2)
        size, count = len(segment.bits), segment.char_count

    def needed(version: int) -> int:  # mode indicator, character count, data
        count_bits: int = _consts.CHAR_COUNT_INDICATOR_LENGTH[mode][_encoder.version_range(version)]
        return 4 + count_bits + size

    error = _encoder.normalize_errorlevel(level)
    capacity = _consts.SYMBOL_CAPACITY
    version = next((v for v in range(1, 41) if capacity[v][error] >= needed(v)), 0)
    if not version:
        raise segno.DataOverflowError("Data too large. No QR Code can handle the provided data")
    for better in _LEVELS[_LEVELS.index(error) + 1 :]:  # boost_error=True
        if capacity[version][better] < needed(version):
            break
        error = better
    bits = capacity[version][error]
    length = needed(version)
    count_bits = length - 4 - size
    value |= ((mode << count_bits) | count) << size
    fill = min(bits - length, 4)  # terminator
    fill += 8 - (length + fill) % 8  # segno's padding: 8 zero bits when already aligned
    length += fill
    pads = max(bits // 8 - length // 8, 0)
    stream = (value << fill).to_bytes(length // 8, "big") + (b"\xec\x11" * pads)[:pads]
    return version, error, stream[: bits // 8]


@functools.cache
def _remainders(degree: int) -> tuple[int, ...]:
    """Per leading coefficient: the generator polynomial times it, as a ``degree``-byte int."""
    log, exp, gen = _consts.GALIOS_LOG, _consts.GALIOS_EXP, _consts.GEN_POLY[degree]
    rows = [int.from_bytes(bytes(exp[log[c] + g] for g in gen), "big") for c in range(1, 256)]
    return (0, *rows)


def _error_codewords(data: bytes, version: int, error: int) -> bytes:
    """Each block's Reed-Solomon codewords, block after block (not interleaved)."""
    out = []
    start = 0
    for info in _consts.ECC[version][error]:
        degree = info.num_total - info.num_data
        table, top = _remainders(degree), 8 * (degree - 1)
        low = (1 << top) - 1
        for _ in range(info.num_blocks):
            rest = 0  # the polynomial division's remainder, as a shift register
            for byte in data[start : start + info.num_data]:
                rest = ((rest & low) << 8) ^ table[byte ^ (rest >> top)]
            out.append(rest.to_bytes(degree, "big"))
            start += info.num_data
    return b"".join(out)


@dataclass(frozen=True, slots=True)
class _Grid:
    """One version's symbol in the bit layout of the module docstring."""

    size: int  # modules a side
    stride: int  # bits a row: the modules, then 4 gap bits
    total: int  # bits in the layout
    modules: int  # a 1 bit at every module
    gaps: int  # a 1 bit everywhere else
    masks: tuple[int, ...]  # per mask pattern, the data modules it flips
    template: tuple[bytes, ...]  # rows: 0/1 function modules, 2 data, as segno reserves them
    cells: tuple[tuple[int, int], ...]  # data modules in the order the message fills them

    def bit_of(self, row: int, col: int) -> int:
        """The layout position (from the most significant end) of module (row, col)."""
        return (row + 4) * self.stride + col

    def to_int(self, cells: Iterable[tuple[int, int]]) -> int:
        """The layout with a 1 bit at each of ``cells``."""
        text = bytearray(b"0" * self.total)
        for row, col in cells:
            text[self.bit_of(row, col)] = 0x31
        return int(text, 2)


@functools.cache
def _grid(version: int) -> _Grid:
    """The layout of ``version``, its function modules and its data modules' fill order."""
    size = _encoder.calc_matrix_size(version)
    template = _encoder.make_matrix(size, size)  # timing, reserved format/version areas
    _encoder.add_finder_patterns(template, size, size)
    _encoder.add_alignment_patterns(template, size, size)
    cells = []
    for right in range(size - 1, 0, -2):  # segno's add_codewords: two columns at a time
        col = right - 1 if right <= 6 else right  # skip the vertical timing pattern
        for vertical in range(size):
            for j in (col, col - 1):
                upwards = ((col & 2) == 0) ^ (j < 6)
                i = size - 1 - vertical if upwards else vertical
                if template[i][j] == 2:
                    cells.append((i, j))
    blank = _Grid(size, size + 4, (size + 8) * (size + 4), 0, 0, (), (), ())
    everywhere = [(i, j) for i in range(size) for j in range(size)]
    modules = blank.to_int(everywhere)
    patterns = _encoder.get_data_mask_functions(False)
    return _Grid(
        size,
        blank.stride,
        blank.total,
        modules,
        modules ^ ((1 << blank.total) - 1),
        tuple(blank.to_int(cell for cell in cells if flips(*cell)) for flips in patterns),
        tuple(bytes(row) for row in template),
        tuple(cells),
    )


def _interleaved(lengths: list[int], first: int) -> list[int]:
    """Codeword numbers of blocks of ``lengths`` (numbered on from ``first``), read across."""
    starts = list(itertools.accumulate(lengths[:-1], initial=first))
    return [
        s + i for i in range(max(lengths)) for s, n in zip(starts, lengths, strict=True) if i < n
    ]


@functools.cache
def _placement(version: int, error: int) -> Callable[[bytes], tuple[int, ...]]:
    """Picks the layout's bits out of the message's, followed by b"01" for function modules.

    The message is the data blocks, then the error blocks; the symbol holds them
    interleaved, then up to 7 zero remainder bits.
    """
    grid = _grid(version)
    blocks = [
        (info.num_data, info.num_total - info.num_data)
        for info in _consts.ECC[version][error]
        for _ in range(info.num_blocks)
    ]
    data, ecc = [d for d, _ in blocks], [e for _, e in blocks]
    order = _interleaved(data, 0) + _interleaved(ecc, sum(data))
    zero, one = 8 * len(order), 8 * len(order) + 1
    picks = [zero] * grid.total
    for i, row in enumerate(grid.template):
        for j, module in enumerate(row):
            if module == 1:
                picks[grid.bit_of(i, j)] = one
    for k, (i, j) in enumerate(grid.cells[:zero]):
        picks[grid.bit_of(i, j)] = 8 * order[k // 8] + k % 8
    return operator.itemgetter(*picks)


@functools.cache
def _format_bits(version: int, error: int, mask: int) -> int:
    """Format and version information and the dark module, as segno writes them."""
    grid = _grid(version)
    matrix = tuple(bytearray(grid.size) for _ in range(grid.size))
    _encoder.add_format_info(matrix, version, error, mask)
    _encoder.add_version_info(matrix, version)
    return grid.to_int((i, j) for i, row in enumerate(matrix) for j, v in enumerate(row) if v)


def _penalty(grid: _Grid, dark: int) -> int:
    """segno's score of a masked symbol (``encoder.mask_scores``), from its dark modules.

    Like segno, this scores the symbol before format and version information and the
    dark module are added (those modules are light here).  Rows and columns are the same
    computations a step of 1 or of ``stride`` bits apart.
    """
    light = dark ^ grid.modules
    step = grid.stride
    score = 0
    for shift in (1, step):
        score += _runs(dark & dark << shift | light & light << shift, shift)
        score += _finder_like(grid, dark, light, shift)
    same_dark, same_light = dark & dark << 1, light & light << 1  # a module and the next
    score += 3 * (same_dark & same_dark << step).bit_count()  # 2x2 blocks, by their top left
    score += 3 * (same_light & same_light << step).bit_count()
    share = dark.bit_count() / grid.size**2
    return score + 10 * int(abs(share * 100 - 50) / 5)


def _runs(same: int, step: int) -> int:
    """3 + (k - 5) points a run of k >= 5 modules alike; ``same`` marks pairs alike."""
    fives = same & same << step & same << 2 * step & same << 3 * step  # k - 4 marks a run of k
    return fives.bit_count() + 2 * (fives & ~(fives >> step)).bit_count()


def _finder_like(grid: _Grid, dark: int, light: int, step: int) -> int:
    """40 points a 1:1:3:1:1 run, read as segno reads it.

    segno counts a run with 4 light modules before or after it, or fewer where the line
    ends (so always at either end of a line).  It searches each line from
    the start, resuming 7 modules after a run it counted, 4 after one it did not: runs
    4 or 6 modules after a counted one (the pattern overlaps itself only there) are not
    counted.
    """
    s = step
    threes = dark & dark << s & dark << 2 * s
    found = dark & light << s & threes << 2 * s & light << 5 * s & dark << 6 * s
    if not found:
        return 0
    outside = light | grid.gaps  # past the edge counts as light
    twos = outside & outside >> s
    fours = twos & twos >> 2 * s  # light here and 3 before
    before, after = fours >> s, fours << 10 * s
    counted = found & (before | after)
    if not found & (counted >> 4 * s | counted >> 6 * s):
        return 40 * counted.bit_count()
    kept: set[int] = set()  # positions of runs segno counts, in search order
    marks = format(found, f"0{grid.total}b")
    at = marks.find("1")
    while at != -1:
        skipped = at - 4 * s in kept or at - 6 * s in kept
        if not skipped and counted >> (grid.total - 1 - at) & 1:
            kept.add(at)
        at = marks.find("1", at + 1)
    return 40 * len(kept)


class _Moves(dict[bytes, str]):
    """SVG path steps ("m{dx} {dy}h{length}") by ``_dark_runs`` item, for one symbol size.

    A step moves from the end of the previous dark run to the start of this one and
    draws it.  Runs repeat a lot between codes, so each is spelt once (there are at most
    a few thousand distinct ones a symbol size in practice).
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __missing__(self, run: bytes) -> str:
        length = len(run) - len(run.rstrip(b"\x01"))
        rows = run.count(b"\x02")
        if rows:  # from the last dark module of a row above to the first of this run
            before, after = run.index(b"\x02"), len(run) - run.rindex(b"\x02") - 1 - length
            move = f"m{after - (self.size - before)} {rows}h{length}"
        else:
            move = f"m{len(run) - length} 0h{length}"
        self[run] = move
        return move


@functools.cache
def _moves(size: int) -> _Moves:
    return _Moves(size)


def _dark_runs(rows: Iterable[bytes | bytearray]) -> list[bytes]:
    """Each dark run with the light modules before it (after the previous dark run).

    The rows are joined with b"\x02", so the light part may span rows; splitting after
    every dark module followed by a light one (or a row end) is quicker than a regex.
    """
    text = b"\x02".join(rows) + b"\x02"
    runs = text.replace(b"\x01\x00", b"\x01\x03\x00").replace(b"\x01\x02", b"\x01\x03\x02")
    return runs.split(b"\x03")[:-1]  # the last item is what follows the last dark run


@functools.cache
def _web_colours(dark: str, light: str) -> tuple[str, str]:
    """The colours as segno's SVG writer spells them (``#000``, ``red``, ``#1a1a40``)."""
    spell: Callable[..., str] = _writers._color_to_webcolor
    return spell(dark, allow_css3_colors=False), spell(light, allow_css3_colors=False)


def qr_svg(code: Symbol | segno.QRCode, options: QrOptions, title: str) -> bytes:
    """A scalable SVG: one unit per module, sized by whoever shows it.

    Byte for byte what segno's writer makes with ``border``, ``dark``, ``light``,
    ``xmldecl=False, omitsize=True, svgclass="qr", lineclass=None``: a light square, then
    each row's dark runs as ``h`` strokes centred half a module down, in relative moves.
    """
    dark, light = _web_colours(options.dark, options.light)
    border = options.border
    width = len(code.matrix) + 2 * border
    first, *runs = _dark_runs(code.matrix)
    length = len(first) - len(first.rstrip(b"\x01"))
    x = border + len(first) - length - first.rfind(b"\x02") - 1
    y = border + 0.5 + first.count(b"\x02")
    moves = f"M{x} {y}h{length}" + "".join(map(_moves(len(code.matrix)).__getitem__, runs))
    stroke = f'<path stroke={quoteattr(dark)} d="{moves}"/>'
    fill = f'<path fill={quoteattr(light)} d="M0 0h{width}v{width}h-{width}z"/>'
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}" class="qr">'
        f"<title>{escape(title)}</title>{''.join(sorted((stroke, fill), key=len))}</svg>\n\n"
    )
    return svg.encode("utf-8")


def qr_png(code: Symbol | segno.QRCode, options: QrOptions) -> bytes:
    """A 1-bit palette PNG of the code, pixel for pixel what segno's writer draws.

    Written here because segno's PNG writer is several times slower: each module row is
    built once as a bit string and repeated ``scale`` times.  zlib level 6, not 9: for
    a version 5 code at scale 10, 0.16 ms instead of 1.1 ms, for 10 bytes more (1.6 %).
    """
    border, scale = options.border, options.scale
    width = (len(code.matrix) + 2 * border) * scale
    row_bytes = (width + 7) // 8
    pad = b"0" * (border * scale)
    tail = b"0" * (row_bytes * 8 - width)
    dark_bits, light_bits = b"1" * scale, b"0" * scale
    quiet = (b"\x00" + bytes(row_bytes)) * (border * scale)  # filter byte 0, then light
    rows = [quiet]
    for row in code.matrix:
        bits = bytes(row).replace(b"\x00", light_bits).replace(b"\x01", dark_bits)
        packed = int(pad + bits + pad + tail, 2).to_bytes(row_bytes, "big")
        rows.append((b"\x00" + packed) * scale)
    rows.append(quiet)
    header = struct.pack(">IIBBBBB", width, width, 1, 3, 0, 0, 0)  # 1 bit, palette
    palette = bytes.fromhex(options.light[1:] + options.dark[1:])
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"PLTE", palette)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@dataclass(frozen=True, slots=True)
class Images:
    svg: bytes
    png: bytes
    version: int
    error: str  # the level used: the configured one, or higher when it cost no size


def images_of(url: str, options: QrOptions) -> Images:
    code = encode(url, options)
    return Images(qr_svg(code, options, url), qr_png(code, options), code.version, code.error)


# The bytes written for a code depend on this module's code and on segno: a change to
# either (a new PNG writer, say) must not reuse images made by the old one.
ENGINE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest() + "\n" + segno.__version__


def make_many(jobs: list[tuple[str, QrOptions]]) -> list[Images]:
    return [images_of(url, options) for url, options in jobs]
