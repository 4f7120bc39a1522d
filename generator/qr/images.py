"""A QR code as SVG and PNG bytes, byte for byte what segno's writers draw (but faster)."""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

import segno

from generator.models import QrOptions
from generator.qr.encoder import Symbol


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
def web_colour(colour: str) -> str:
    """A ``#rrggbb`` colour as segno's SVG writer spells it: ``#000``, ``red``, ``#1a1a40``.

    segno names the two colours whose names are shorter than their hex codes and uses
    the three-digit form wherever it exists.
    """
    hexa = colour.lower()
    named = {"#d2b48c": "tan", "#ff0000": "red"}
    if hexa in named:
        return named[hexa]
    if hexa[1] == hexa[2] and hexa[3] == hexa[4] and hexa[5] == hexa[6]:
        return "#" + hexa[1::2]
    return hexa


def qr_svg(code: Symbol | segno.QRCode, options: QrOptions, title: str) -> bytes:
    """A scalable SVG: one unit per module, sized by whoever shows it.

    Byte for byte what segno's writer makes with ``border``, ``dark``, ``light``,
    ``xmldecl=False, omitsize=True, svgclass="qr", lineclass=None``: a light square, then
    each row's dark runs as ``h`` strokes centred half a module down, in relative moves.
    """
    dark, light = web_colour(options.dark), web_colour(options.light)
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
