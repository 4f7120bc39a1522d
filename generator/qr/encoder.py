"""The QR code ``segno.make_qr(url, error=..., boost_error=True)`` makes, in ~0.1 ms.

segno takes ~5 ms a code, most of it scoring the eight mask patterns in pure Python.
This encoder makes the very same symbol from the facts in :mod:`.tables` and the
standard library, following segno 1.6's choices where the standard leaves one:

* text to bytes: ISO 8859-1, else Shift JIS, else UTF-8, with no ECI header;
* one segment, in the first of numeric, alphanumeric, Kanji and byte mode that takes
  all of those bytes (so Latin-1 text whose bytes pair up as Shift JIS Kanji is Kanji);
* the smallest version at the configured level, then the highest level that still fits
  in that version (``boost_error=True``);
* after the terminator, 1-8 zero bits: a stream already on a byte boundary gets a whole
  zero byte (cut off again where the data codewords are full);
* the mask with the lowest score as segno reads the rules (see :func:`_penalty`), the
  first of equals.

And does the slow parts another way:

* Reed-Solomon error correction with a 256-entry table per generator polynomial;
* module placement as one precomputed permutation per (version, level), from the
  message bits straight into the bit layout below;
* mask scoring on the symbol as one big ``int``, one bit a module: each row is ``size``
  module bits then 4 gap bits, with 4 gap rows above and below.  A shift by 1 steps
  along a row and a shift by ``stride`` down a column, so ``&`` of shifted copies of
  the dark (or light) modules finds every run, 2x2 block and finder-like pattern at
  once, and ``int.bit_count`` counts them.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from generator.models import QrOptions
from generator.qr import tables


class DataOverflowError(ValueError):
    """The text does not fit in any QR code (version 40) at the level asked for."""


@dataclass(frozen=True, slots=True)
class Symbol:
    """A QR code as :func:`encode` makes it: what ``segno.make_qr`` would make."""

    matrix: tuple[bytes, ...]  # rows of modules, 1 = dark, no quiet zone
    version: int
    error: str  # "L", "M", "Q" or "H": the configured level, or higher when it cost no size
    mask: int


def encode(url: str, options: QrOptions) -> Symbol:
    """The code ``segno.make_qr(url, error=options.error, boost_error=True)`` makes, fast."""
    version, level, data = _data_codewords(url, options.error.upper())
    grid = _grid(version)
    message = data + _error_codewords(data, tables.BLOCKS[version, level])
    bits = format(int.from_bytes(message, "big"), f"0{8 * len(message)}b").encode() + b"01"
    unmasked = int(bytes(_placement(version, level)(bits)), 2)
    scores = [_penalty(grid, unmasked ^ flips) for flips in grid.masks]
    mask = scores.index(min(scores))  # the first of equals, as segno picks
    final = (unmasked ^ grid.masks[mask]) | _format_bits(version, level, mask)
    text = format(final, f"0{grid.total}b").encode().translate(_ASCII_TO_MODULE)
    starts = range(4 * grid.stride, (4 + grid.size) * grid.stride, grid.stride)
    return Symbol(tuple(text[i : i + grid.size] for i in starts), version, level, mask)


_ASCII_TO_MODULE = bytes.maketrans(b"01", b"\x00\x01")


def _data_codewords(url: str, level: str) -> tuple[int, str, bytes]:
    """Version, error level and data codewords, as segno's encoder makes them."""
    mode, count, size, value = _segment(_to_bytes(url))

    def needed(version: int) -> int:  # mode indicator, character count, data
        return 4 + tables.char_count_bits(mode, version) + size

    version = next((v for v in range(1, 41) if _CAPACITY[v, level] >= needed(v)), 0)
    if not version:
        raise DataOverflowError("Data too large. No QR Code can handle the provided data")
    for better in tables.LEVELS[tables.LEVELS.index(level) + 1 :]:  # boost_error=True
        if _CAPACITY[version, better] < needed(version):
            break
        level = better
    full = _CAPACITY[version, level]
    length = needed(version)
    value |= (mode << (length - 4 - size) | count) << size
    fill = min(full - length, 4)  # the terminator (7.4.9), shorter when the symbol is full
    fill += 8 - (length + fill) % 8  # segno's padding: 8 zero bits when already aligned
    length += fill
    pads = max(full // 8 - length // 8, 0)  # 7.4.10: pad codewords 11101100, 00010001
    stream = (value << fill).to_bytes(length // 8, "big") + (b"\xec\x11" * pads)[:pads]
    return version, level, stream[: full // 8]


# Data bits a symbol holds (Table 7), by version and level.
_CAPACITY = {key: 8 * tables.data_codewords(*key) for key in tables.BLOCKS}


def _to_bytes(text: str) -> bytes:
    """The text in ISO 8859-1 (the default of 7.4.5), else Shift JIS, else UTF-8."""
    for encoding in ("iso-8859-1", "shift_jis"):
        try:
            return text.encode(encoding)
        except UnicodeError:
            pass
    return text.encode("utf-8")


def _segment(data: bytes) -> tuple[int, int, int, int]:
    """Mode, character count, bit length and bits of ``data`` in the best mode for all of it.

    7.4.3 to 7.4.6; segno tries the modes in this order, for the whole text at once.
    """
    if data.isdigit():  # ASCII digits only, for bytes
        groups = [data[i : i + 3] for i in range(0, len(data), 3)]  # 10 bits, 7 or 4 the last
        bits = "".join(_bits(int(g), 3 * len(g) + 1) for g in groups)
        return tables.NUMERIC, len(data), len(bits), int(bits, 2)
    if tables.ALPHANUMERIC_TEXT.fullmatch(data):
        values = [tables.ALPHANUMERIC_CHARS.index(chr(b)) for b in data]
        pairs = [values[i : i + 2] for i in range(0, len(values), 2)]  # 11 bits, 6 a last one
        bits = "".join(_bits(45 * p[0] + p[1], 11) if p[1:] else _bits(p[0], 6) for p in pairs)
        return tables.ALPHANUMERIC, len(data), len(bits), int(bits, 2)
    kanji = _kanji_values(data)
    if kanji is not None:
        bits = "".join(_bits(v, 13) for v in kanji)
        return tables.KANJI, len(kanji), len(bits), int(bits, 2)
    return tables.BYTE, len(data), 8 * len(data), int.from_bytes(data, "big")


def _bits(value: int, length: int) -> str:
    return format(value, f"0{length}b")


def _kanji_values(data: bytes) -> list[int] | None:
    """The 13-bit value of each double-byte Shift JIS character, or None if not all are."""
    if not data or len(data) % 2:
        return None
    values = []
    for i in range(0, len(data), 2):
        code = data[i] << 8 | data[i + 1]
        base = next((b for low, high, b in tables.KANJI_RANGES if low <= code <= high), None)
        if base is None:
            return None
        rest = code - base
        values.append((rest >> 8) * 0xC0 + (rest & 0xFF))
    return values


@functools.cache
def _remainders(degree: int) -> tuple[int, ...]:
    """Per leading coefficient: the generator polynomial times it, as a ``degree``-byte int."""
    generator = tables.generator_polynomial(degree)[1:]  # the leading 1 is divided away
    return tuple(
        int.from_bytes(bytes(tables.gf_mul(c, g) for g in generator), "big") for c in range(256)
    )


def _error_codewords(data: bytes, blocks: tables.Blocks) -> bytes:
    """Each block's Reed-Solomon codewords (7.5.2), block after block (not interleaved)."""
    table, top = _remainders(blocks.ec), 8 * (blocks.ec - 1)
    low = (1 << top) - 1
    out = []
    start = 0
    for length in blocks.data:
        rest = 0  # the polynomial division's remainder, as a shift register
        for byte in data[start : start + length]:
            rest = ((rest & low) << 8) ^ table[byte ^ (rest >> top)]
        out.append(rest.to_bytes(blocks.ec, "big"))
        start += length
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
    template: tuple[bytes, ...]  # rows: 0/1 function modules (format areas 0), 2 data
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


def _function_patterns(version: int) -> list[bytearray]:
    """The symbol's function modules as 0/1, its data modules as 2 (6.3)."""
    size = tables.size(version)
    template = [bytearray(b"\x02" * size) for _ in range(size)]
    for i in range(9):  # format information (7.9) by the upper left finder
        template[i][8] = template[8][i] = 0
    for i in range(1, 9):  # and by the other two, with the dark module
        template[size - i][8] = template[8][size - i] = 0
    if version >= 7:  # version information (7.10), next to the upper right and lower left
        for i, j in itertools.product(range(6), range(size - 11, size - 8)):
            template[i][j] = template[j][i] = 0
    for i in range(8, size - 8):  # timing patterns, dark on even rows and columns
        template[i][6] = template[6][i] = (i + 1) % 2
    for top, left in ((0, 0), (0, size - 8), (size - 8, 0)):  # finders and separators
        centre_i, centre_j = top + (3 if top == 0 else 4), left + (3 if left == 0 else 4)
        for i, j in itertools.product(range(top, top + 8), range(left, left + 8)):
            ring = max(abs(i - centre_i), abs(j - centre_j))  # 2 light, 4 the separator
            template[i][j] = int(ring not in (2, 4))
    finders = {(6, 6), (6, size - 7), (size - 7, 6)}  # centres on a finder pattern
    for x, y in itertools.product(tables.ALIGNMENT[version], repeat=2):
        if (x, y) in finders:
            continue
        for i, j in itertools.product(range(x - 2, x + 3), range(y - 2, y + 3)):
            template[i][j] = int(max(abs(i - x), abs(j - y)) != 1)
    return template


@functools.cache
def _grid(version: int) -> _Grid:
    """The layout of ``version``, its function modules and its data modules' fill order."""
    size = tables.size(version)
    template = _function_patterns(version)
    cells = []
    for right in range(size - 1, 0, -2):  # 7.7.3: two columns at a time, right to left
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
    return _Grid(
        size,
        blank.stride,
        blank.total,
        modules,
        modules ^ ((1 << blank.total) - 1),
        tuple(blank.to_int(cell for cell in cells if flips(*cell)) for flips in tables.MASKS),
        tuple(bytes(row) for row in template),
        tuple(cells),
    )


def _interleaved(lengths: Sequence[int], first: int) -> list[int]:
    """Codeword numbers of blocks of ``lengths`` (numbered on from ``first``), read across."""
    starts = list(itertools.accumulate(lengths[:-1], initial=first))
    return [
        s + i for i in range(max(lengths)) for s, n in zip(starts, lengths, strict=True) if i < n
    ]


@functools.cache
def _placement(version: int, level: str) -> Callable[[bytes], tuple[int, ...]]:
    """Picks the layout's bits out of the message's, followed by b"01" for function modules.

    The message is the data blocks, then the error blocks; the symbol holds them
    interleaved (7.6), then up to 7 zero remainder bits.
    """
    grid = _grid(version)
    blocks = tables.BLOCKS[version, level]
    ecc = [blocks.ec] * len(blocks.data)
    order = _interleaved(blocks.data, 0) + _interleaved(ecc, sum(blocks.data))
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
def _format_bits(version: int, level: str, mask: int) -> int:
    """Format and version information and the dark module (7.9, 7.10), as segno places them."""
    size = _grid(version).size
    dark: set[tuple[int, int]] = {(size - 8, 8)}
    info = tables.format_bits(level, mask)
    for k in range(8):  # bits 0-7 down column 8 (and right to left along row 8), then 8-14
        low, high = info >> k & 1, info >> (14 - k) & 1
        skip = int(k >= 6)  # over the timing pattern
        if low:
            dark |= {(k + skip, 8), (8, size - 1 - k)}
        if high:
            dark |= {(8, k + skip), (size - 1 - k, 8)}
    if version >= 7:  # bit 3i + b at row i, column size - 11 + b (and transposed)
        bits = tables.version_bits(version)
        for i, b in itertools.product(range(6), range(3)):
            if bits >> (3 * i + b) & 1:
                dark |= {(i, size - 11 + b), (size - 11 + b, i)}
    return _grid(version).to_int(dark)


def _penalty(grid: _Grid, dark: int) -> int:
    """segno's score of a masked symbol (Table 11), from its dark modules.

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
