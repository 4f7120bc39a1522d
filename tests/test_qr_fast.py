"""bangtin's own QR encoder and writers give exactly what segno gives.

``generator.qr.encode`` re-implements ``segno.make_qr(url, error=..., boost_error=True)``
for speed, and ``qr_svg`` re-implements segno's SVG writer.  The reference below is the
code path bangtin used before them: segno's encoder, segno's SVG writer and the PNG
writer as it was (copied here unchanged).  Every URL must give the same matrix, mask,
version and level, and the same SVG and PNG bytes.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections import Counter
from urllib.parse import quote

import segno
from segno import encoder as segno_encoder

from generator import qr
from generator.models import ErrorLevel, QrOptions

CASES = 2000
LEVELS: tuple[ErrorLevel, ...] = ("l", "m", "q", "h")
COLOURS = [
    ("#000000", "#ffffff"),  # segno writes #000 and #fff
    ("#1a1a40", "#fffef0"),
    ("#ff0000", "#ffffff"),  # "red"
    ("#332211", "#d2b48c"),  # "tan"
    ("#112233", "#aabbcc"),  # "#123" and "#abc"
]
SLUGS = ["lich-tiem-chung", "thong-bao", "cat-dien", "nuoc-sach", "hop-to-dan-pho", "2026", "tt"]
VIETNAMESE = ["tiêm-chủng", "điện-lưới", "nước-sạch", "họp-tổ-dân-phố", "trường-học", "lũ-lụt"]
LATIN_1 = ["café", "über", "niño", "façade", "smørrebrød"]
KANJI = "日本語漢字東京都市区町村役場"
ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def make_url(rng: random.Random, kind: int) -> str:
    """A URL (or URL-like text) of one of several kinds, so every data mode is used."""
    # Mostly the lengths of real page URLs (versions 2-8), some up to ~300 (version ~15).
    size = rng.choice(
        [rng.randint(1, 60)] * 9 + [rng.randint(20, 100)] * 9 + [rng.randint(100, 280)] * 2
    )
    if kind == 0:  # numeric mode
        return "".join(rng.choices("0123456789", k=size))
    if kind == 1:  # alphanumeric mode
        return "HTTPS://PHUONG.EXAMPLE/" + "".join(rng.choices(ALPHANUMERIC, k=size))
    if kind == 2:  # Kanji mode: Shift JIS, double-byte characters only
        return "".join(rng.choices(KANJI, k=max(1, size // 3)))
    words = {3: VIETNAMESE, 4: LATIN_1}.get(kind, SLUGS)
    if kind == 3:
        size //= 2  # UTF-8: 2-3 bytes a character
    path = ""
    while len(path) < size:
        path += rng.choice(words) + rng.choice(["-", "/", "/", "-" + str(rng.randint(0, 99))])
    if kind == 5:  # Vietnamese, percent-encoded (byte mode, ASCII)
        path = quote(rng.choice(VIETNAMESE) + "/" + path)
    if kind == 6:
        path += f"?trang={rng.randint(1, 40)}&a=<b>"  # & and < need escaping in the SVG title
    host = rng.choice(["dinhhung.example", "xa-tan-lap.gov.example", "x.example"])
    return f"https://{host}/{path}"[: size + 25]


def cases() -> list[tuple[str, QrOptions]]:
    rng = random.Random(20261128)
    out = []
    for i in range(CASES):
        dark, light = COLOURS[i % len(COLOURS)]
        scale = [1, 2, 3, 1, 2, 10][i % 6] if i % 50 else 10
        options = QrOptions(LEVELS[i % 4], scale, 4 + i % 3, dark, light)
        out.append((make_url(rng, i % 8), options))
    return out


def reference_svg(code: segno.QRCode, options: QrOptions, title: str) -> bytes:
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        border=options.border,
        dark=options.dark,
        light=options.light,
        xmldecl=False,
        omitsize=True,
        title=title,
        svgclass="qr",
        lineclass=None,
    )
    return out.getvalue() + b"\n"


def reference_png(code: segno.QRCode, options: QrOptions) -> bytes:
    """generator.qr.qr_png as it was before the fast encoder, unchanged."""
    border, scale = options.border, options.scale
    width = (len(code.matrix) + 2 * border) * scale
    row_bytes = (width + 7) // 8
    pad = b"0" * (border * scale)
    tail = b"0" * (row_bytes * 8 - width)
    dark_bits, light_bits = b"1" * scale, b"0" * scale
    quiet = (b"\x00" + bytes(row_bytes)) * (border * scale)
    rows = [quiet]
    for row in code.matrix:
        bits = bytes(row).replace(b"\x00", light_bits).replace(b"\x01", dark_bits)
        packed = int(pad + bits + pad + tail, 2).to_bytes(row_bytes, "big")
        rows.append((b"\x00" + packed) * scale)
    rows.append(quiet)
    header = struct.pack(">IIBBBBB", width, width, 1, 3, 0, 0, 0)
    palette = bytes.fromhex(options.light[1:] + options.dark[1:])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", palette)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + chunk(b"IEND", b"")
    )


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_codes_and_images_match_segno() -> None:
    problems: list[str] = []
    seen: Counter[tuple[str, object]] = Counter()
    for url, options in cases():
        code = segno.make_qr(url, error=options.error, boost_error=True)
        seen.update([("version", code.version), ("mask", code.mask), ("mode", code.mode)])
        seen.update([("level", code.error), ("scale", options.scale)])
        symbol = qr.encode(url, options)
        expected = (tuple(bytes(row) for row in code.matrix), code.mask, code.version, code.error)
        if (symbol.matrix, symbol.mask, symbol.version, symbol.error) != expected:
            problems.append(f"{url!r} {options}: mask {symbol.mask}, segno {code.mask}")
            continue
        images = qr.images_of(url, options)
        want = qr.Images(
            reference_svg(code, options, url),
            reference_png(code, options),
            code.version,
            code.error,
        )
        if images != want:
            problems.append(f"{url!r} {options}: images differ (svg {images.svg == want.svg})")
    assert not problems, f"{len(problems)} of {CASES} differ:\n" + "\n".join(problems[:10])
    # The corpus really covers what it is meant to.
    assert {v for k, v in seen if k == "version"} >= set(range(1, 15))
    assert {v for k, v in seen if k == "mask"} == set(range(8))
    assert {v for k, v in seen if k == "mode"} == {"numeric", "alphanumeric", "byte", "kanji"}
    assert {v for k, v in seen if k == "level"} == set("LMQH")
    assert seen[("scale", 10)] >= 40


def random_matrix(rng: random.Random, size: int) -> list[bytearray]:
    """Modules that are not a QR code but full of what the score rules look for.

    Rows and columns get pasted copies of finder-like runs (some overlapping: 10111011101,
    1011101011101), long runs and light margins, so every quirk of segno's rule 3 shows up.
    """
    matrix = [bytearray(rng.choices((0, 1), k=size)) for _ in range(size)]
    pieces = [b"\x01\x00\x01\x01\x01\x00\x01"] * 3 + [
        b"\x01\x00\x01\x01\x01\x00\x01\x01\x01\x00\x01",
        b"\x01\x00\x01\x01\x01\x00\x01\x00\x01\x01\x01\x00\x01",
        b"\x00\x00\x00\x00\x01\x00\x01\x01\x01\x00\x01",
        b"\x01\x00\x01\x01\x01\x00\x01\x00\x00\x00\x00",
        b"\x01" * 9,
        b"\x00" * 8,
    ]
    for _ in range(rng.randint(0, 3 * size)):
        piece = rng.choice(pieces)
        i, j = rng.randrange(size), rng.randrange(size - len(piece) + 1)
        if rng.random() < 0.5:
            matrix[i][j : j + len(piece)] = piece
        else:
            for k, module in enumerate(piece):
                matrix[j + k][i] = module
    return matrix


def test_mask_score_is_segnos() -> None:
    """The bit-parallel score equals segno's ``mask_scores`` on arbitrary modules."""
    rng = random.Random(7)
    for n in range(600):
        version = 1 + n % 12
        grid = qr._grid(version)
        matrix = random_matrix(rng, grid.size)
        dark = grid.to_int((i, j) for i, row in enumerate(matrix) for j, v in enumerate(row) if v)
        expected = sum(segno_encoder.mask_scores(matrix, grid.size, grid.size))
        assert qr._penalty(grid, dark) == expected, (version, [bytes(r) for r in matrix])


def test_svg_of_a_segno_code_is_segnos() -> None:
    """qr_svg still takes a segno code (as qr_png does), and draws what segno draws."""
    options = QrOptions("q", 10, 4, "#1a1a40", "#fffef0")
    url = "https://dinhhung.example/n/lich-tiem-chung-thang-11/"
    code = qr.make(url, options)
    assert qr.qr_svg(code, options, url) == reference_svg(code, options, url)
    assert qr.qr_png(code, options) == reference_png(code, options)
