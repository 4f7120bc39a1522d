"""bangtin's own QR encoder, its tables and its writers give exactly what segno gives.

``generator.qr.encode`` re-implements ``segno.make_qr(url, error=..., boost_error=True)``
for speed from the standard's tables in ``generator.qr.tables``, and ``qr_svg`` and
``qr_png`` re-implement segno's writers.  The reference is segno's public API: its
``make_qr``, its SVG and PNG writers, and the PNG writer bangtin used before (copied here
unchanged).  Every URL must give the same matrix, mask, version and level, and the same
SVG and PNG bytes; the tables are checked against values the standard lists.
"""

from __future__ import annotations

import io
import itertools
import random
import struct
import zlib
from collections import Counter
from urllib.parse import quote

import pytest
import segno
from PIL import Image

from generator import qr
from generator.models import ErrorLevel, QrOptions
from generator.qr import encoder, tables

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


def segno_png_pixels(code: segno.QRCode, options: QrOptions) -> tuple[tuple[int, int], bytes]:
    """Size and RGB pixels of the PNG segno's own writer draws."""
    out = io.BytesIO()
    code.save(
        out,
        kind="png",
        border=options.border,
        scale=options.scale,
        dark=options.dark,
        light=options.light,
    )
    return pixels(out.getvalue())


def pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image.size, image.tobytes()


def test_codes_and_images_match_segno() -> None:
    problems: list[str] = []
    seen: Counter[tuple[str, object]] = Counter()
    for n, (url, options) in enumerate(cases()):
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
        elif n % 7 == 0:  # segno's PNG writer is slow; every 7th is still every colour and scale
            seen.update([("segno png", options.scale), ("segno png", options.dark)])
            if pixels(images.png) != segno_png_pixels(code, options):
                problems.append(f"{url!r} {options}: PNG pixels differ from segno's PNG")
    assert not problems, f"{len(problems)} of {CASES} differ:\n" + "\n".join(problems[:10])
    # The corpus really covers what it is meant to.
    assert {v for k, v in seen if k == "version"} >= set(range(1, 15))
    assert {v for k, v in seen if k == "mask"} == set(range(8))
    assert {v for k, v in seen if k == "mode"} == {"numeric", "alphanumeric", "byte", "kanji"}
    assert {v for k, v in seen if k == "level"} == set("LMQH")
    assert seen[("scale", 10)] >= 40
    assert {v for k, v in seen if k == "segno png"} >= {1, 2, 3, 10} | {d for d, _ in COLOURS}


def full_text(mode: int, version: int, level: str) -> str:
    """Text in ``mode`` that just fills ``version`` at ``level`` (so no higher level fits)."""
    room = 8 * tables.data_codewords(version, level) - 4 - tables.char_count_bits(mode, version)
    if mode == tables.NUMERIC:
        return "7" * (room // 10 * 3 + (room % 10 >= 7) + (room % 10 >= 4))
    if mode == tables.ALPHANUMERIC:
        return ("HTTPS://X.EXAMPLE/" + "Q-9" * 1500)[: room // 11 * 2 + (room % 11 >= 6)]
    if mode == tables.KANJI:
        return ("漢字東京" * 500)[: room // 13]
    return ("https://x.example/" + "tin-tuc/" * 500)[: room // 8]


def test_every_version_matches_segno() -> None:
    """Each version 1-40, full, in each mode at each level somewhere: segno's symbol."""
    modes = (tables.BYTE, tables.NUMERIC, tables.ALPHANUMERIC, tables.KANJI)
    for version in range(1, 41):
        error, mode = LEVELS[version % 4], modes[version // 4 % 4]
        text = full_text(mode, version, error.upper())
        code = segno.make_qr(text, error=error, boost_error=True)
        symbol = qr.encode(text, QrOptions(error, 1))
        assert (code.version, code.error) == (version, error.upper()), "the text should just fit"
        assert symbol.matrix == tuple(bytes(row) for row in code.matrix), (version, error, mode)
        assert (symbol.version, symbol.error, symbol.mask) == (code.version, code.error, code.mask)
    too_long = full_text(tables.BYTE, 40, "L") + "x"
    with pytest.raises(segno.DataOverflowError) as theirs:
        segno.make_qr(too_long, error="l")
    with pytest.raises(ValueError) as ours:  # segno's error is a ValueError too
        qr.encode(too_long, QrOptions("l"))
    assert str(ours.value) == str(theirs.value)


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


FINDER_LIKE = bytes((1, 0, 1, 1, 1, 0, 1))


def segno_score(matrix: list[bytearray]) -> int:
    """The mask score as segno 1.6 computes it (Table 11 as segno reads it), plainly.

    Written after segno's ``encoder.mask_scores``, which is private and so not called.

    Rule 3 is segno's search: a 1:1:3:1:1 run counts when it starts or ends the line or
    has 4 light modules (fewer at the edge) before or after it; the search resumes 7
    modules on after a run it counted, 4 after one it did not.
    """
    size = len(matrix)
    columns = [bytearray(row[j] for row in matrix) for j in range(size)]
    score = 0
    for line in [*matrix, *columns]:
        runs = [len(list(run)) for _, run in itertools.groupby(line)]
        score += sum(k - 2 for k in runs if k >= 5)  # rule 1: k >= 5 alike, k - 2 points
        at = line.find(FINDER_LIKE)
        while at != -1:  # rule 3
            end = at + 7
            if (
                at in (0, size - 7)
                or not any(line[max(at - 4, 0) : at])
                or not any(line[end : end + 4])
            ):
                score += 40
            else:
                end = at + 4
            at = line.find(FINDER_LIKE, end)
    for i, j in itertools.product(range(1, size), repeat=2):  # rule 2: 2x2 blocks alike
        score += 3 * (matrix[i][j] == matrix[i][j - 1] == matrix[i - 1][j] == matrix[i - 1][j - 1])
    share = sum(map(sum, matrix)) / size**2  # rule 4
    return score + 10 * int(abs(share * 100 - 50) / 5)


def test_mask_score_is_segnos() -> None:
    """The bit-parallel score equals segno's score on arbitrary modules."""
    rng = random.Random(7)
    for n in range(600):
        version = 1 + n % 12
        grid = encoder._grid(version)
        matrix = random_matrix(rng, grid.size)
        dark = grid.to_int((i, j) for i, row in enumerate(matrix) for j, v in enumerate(row) if v)
        expected = segno_score(matrix)
        assert encoder._penalty(grid, dark) == expected, (version, [bytes(r) for r in matrix])


def test_svg_of_a_segno_code_is_segnos() -> None:
    """qr_svg still takes a segno code (as qr_png does), and draws what segno draws."""
    options = QrOptions("q", 10, 4, "#1a1a40", "#fffef0")
    url = "https://dinhhung.example/n/lich-tiem-chung-thang-11/"
    code = qr.make(url, options)
    assert qr.qr_svg(code, options, url) == reference_svg(code, options, url)
    assert qr.qr_png(code, options) == reference_png(code, options)
    assert pixels(qr.qr_png(code, options)) == segno_png_pixels(code, options)


def test_tables_hold_the_standards_values() -> None:
    """generator.qr.tables against values ISO/IEC 18004:2015 lists."""
    # Table 1: codewords and remainder bits; Table 9's blocks of every version and level
    # add up to them, and the encoder's drawn symbol has exactly that many data modules.
    totals = {1: 26, 2: 44, 3: 70, 6: 172, 7: 196, 14: 581, 21: 1156, 27: 1828, 40: 3706}
    assert {v: tables.total_codewords(v) for v in totals} == totals
    remainders = [0] + [7] * 5 + [0] * 7 + [3] * 7 + [4] * 7 + [3] * 7 + [0] * 6
    assert [tables.remainder_bits(v) for v in range(1, 41)] == remainders
    for version in range(1, 41):
        total = tables.total_codewords(version)
        cells = len(encoder._grid(version).cells)
        assert cells == 8 * total + tables.remainder_bits(version), version
        for level in tables.LEVELS:
            blocks = tables.BLOCKS[version, level]
            assert sum(blocks.ec + k for k in blocks.data) == total, (version, level)
            assert max(blocks.data) - min(blocks.data) <= 1  # short blocks first
            assert list(blocks.data) == sorted(blocks.data)
    assert tables.BLOCKS[5, "Q"] == tables.Blocks(18, (15, 15, 16, 16))
    assert tables.BLOCKS[40, "H"] == tables.Blocks(30, (15,) * 20 + (16,) * 61)
    # Table 7: data codewords, and the characters they hold in each mode.
    data = {(1, "L"): 19, (1, "M"): 16, (1, "Q"): 13, (1, "H"): 9, (10, "M"): 216}
    data |= {(40, "L"): 2956, (40, "M"): 2334, (40, "Q"): 1666, (40, "H"): 1276}
    assert {key: tables.data_codewords(*key) for key in data} == data
    capacity = {(1, "H"): (17, 10, 7, 4), (40, "L"): (7089, 4296, 2953, 1817)}
    modes = (tables.NUMERIC, tables.ALPHANUMERIC, tables.BYTE, tables.KANJI)
    for (version, level), counts in capacity.items():
        assert tuple(len(full_text(m, version, level)) for m in modes) == counts
    # Table 3 and the alphanumeric character set (7.4.4).
    assert [tables.char_count_bits(tables.NUMERIC, v) for v in (1, 9, 10, 26, 27, 40)] == [
        10, 10, 12, 12, 14, 14,
    ]  # fmt: skip
    assert [tables.char_count_bits(m, 20) for m in modes] == [12, 11, 16, 10]
    assert len(tables.ALPHANUMERIC_CHARS) == 45
    assert tables.ALPHANUMERIC_CHARS.index(" ") == 36 and tables.ALPHANUMERIC_CHARS[-1] == ":"
    # Table E.1: spot values, and the rule every row follows.
    assert tables.ALIGNMENT[2] == (6, 18) and tables.ALIGNMENT[7] == (6, 22, 38)
    assert tables.ALIGNMENT[32] == (6, 34, 60, 86, 112, 138)
    assert tables.ALIGNMENT[40] == (6, 30, 58, 86, 114, 142, 170)
    for version in range(2, 41):  # from 6 to the far edge, evenly spaced but for the first
        first, *rest = centres = tables.ALIGNMENT[version]
        assert first == 6 and centres[-1] == tables.size(version) - 7
        assert len(centres) == version // 7 + 2
        steps = {b - a for a, b in itertools.pairwise(rest)}
        assert len(steps) <= 1 and all(step % 2 == 0 for step in steps)


def test_field_and_codes_are_the_standards() -> None:
    """GF(256), Reed-Solomon and BCH codes against the standard's values.

    (The mask patterns of Table 10 are checked by the symbols above: all eight occur.)
    """
    # 7.5.2: a is a root of x^8+x^4+x^3+x^2+1, so a^8 = 0x1d; every element but 0 is a power.
    assert tables.EXP[8] == 0x1D and tables.EXP[255] == 1
    assert sorted(tables.EXP[:255]) == list(range(1, 256))
    assert all(tables.gf_mul(a, tables.EXP[255 - tables.LOG[a]]) == 1 for a in range(1, 256))
    # Annex A: generator polynomials, as exponents of a.
    assert [tables.LOG[c] for c in tables.generator_polynomial(7)] == [
        0, 87, 229, 146, 149, 238, 102, 21,
    ]  # fmt: skip
    assert [tables.LOG[c] for c in tables.generator_polynomial(10)] == [
        0, 251, 67, 46, 61, 118, 70, 64, 94, 32, 45,
    ]  # fmt: skip
    # Annex I: "01234567" as 1-M, its data and error correction codewords.
    assert encoder._segment(b"01234567")[2:] == (27, 0b000000110001010110011000011)
    data = bytes.fromhex("10200c566180ec11ec11ec11ec11ec11")
    ecc = encoder._error_codewords(data, tables.BLOCKS[1, "M"])
    assert ecc == bytes.fromhex("a524d4c1ed36c7872c55")
    # Table C.1 and D.1: format and version information.
    formats = {("M", 0): "101010000010010", ("L", 0): "111011111000100"}
    formats |= {("H", 7): "000100000111011", ("Q", 5): "010000110000011"}
    assert {key: f"{tables.format_bits(*key):015b}" for key in formats} == formats
    codes = [tables.format_bits(lv, m) for lv in tables.LEVELS for m in range(8)]
    assert min((a ^ b).bit_count() for a, b in itertools.combinations(codes, 2)) == 7
    versions = {7: "000111110010010100", 8: "001000010110111100", 40: "101000110001101001"}
    assert {v: f"{tables.version_bits(v):018b}" for v in versions} == versions
