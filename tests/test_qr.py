"""Every QR code of the sample site scans to its own page's URL, in PNG and in SVG.

Codes are decoded with zxing-cpp (an independent decoder), the SVG after rasterising it
with CairoSVG.  Besides the text, each code must be a full QR code (never Micro QR), at
error-correction level Q or better, with a quiet zone of at least 4 modules.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, cast

import cairosvg
import pytest
import segno
import yaml
import zxingcpp
from PIL import Image, ImageOps

from tests.conftest import SAMPLE, Built, build, resident_pages

KINDS = {"home", "notice", "location", "page", "tag", "archive", "verify", "list"}
LEVELS = "LMQH"  # weakest to strongest
MIN_LEVEL = "Q"
MIN_QUIET = 4  # modules, ISO/IEC 18004
SVG_WIDTH = 400
FULL_QR = {zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.QRCodeModel2}


def site_qr() -> dict[str, Any]:
    """The sample's `qr:` settings, read straight from site.yml."""
    data = yaml.safe_load((SAMPLE / "site.yml").read_text("utf-8"))
    qr: dict[str, Any] = {"error": "q", "scale": 10, **(data.get("qr") or {})}
    return qr


def decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image))


def extra(result: zxingcpp.Barcode) -> dict[str, Any]:
    """Version, mask and level as zxing-cpp read them (``{'Version': '5', ...}``)."""
    return cast(dict[str, Any], result.extra)


def modules_of(result: zxingcpp.Barcode) -> int:
    """Symbol width in modules, from the version zxing-cpp read (full QR only)."""
    version = str(extra(result)["Version"])
    assert version.isdigit(), f"not a full QR code version: {version!r}"
    return 17 + 4 * int(version)


def check_symbol(result: zxingcpp.Barcode, url: str, where: str) -> list[str]:
    """Text, format and error level of one decoded code."""
    problems = []
    if result.text != url:
        problems.append(f"{where}: decodes to {result.text!r}, not {url!r}")
    # zxing-cpp 3.x: `format` is QRCode for a full (model 2) code, MicroQRCode / RMQRCode
    # for the small variants (whose *symbology* is still QRCode, so don't test that).
    if result.format not in FULL_QR:
        problems.append(f"{where}: format {result.format}, not a full QR code")
    level = result.ec_level
    if level not in LEVELS or LEVELS.index(level) < LEVELS.index(MIN_LEVEL):
        problems.append(f"{where}: error correction {level!r}, want {MIN_LEVEL} or better")
    if not result.valid:
        problems.append(f"{where}: decoded with error {result.error}")
    return problems


def dark_bbox(image: Image.Image) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the dark pixels, right/bottom exclusive."""
    grey = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    box = grey.getbbox()
    assert box is not None, "no dark pixels"
    return box


def png_problems(data: bytes, url: str, scale: int, where: str) -> list[str]:
    image = Image.open(io.BytesIO(data))
    image.load()
    results = decode(image)
    if len(results) != 1:
        return [f"{where}: {len(results)} codes found, want exactly 1"]
    result = results[0]
    problems = check_symbol(result, url, where)
    if result.format not in FULL_QR:
        return problems
    width, height = image.size
    left, top, right, bottom = dark_bbox(image)
    quiet = [left, top, width - right, height - bottom]
    if any(q % scale for q in quiet) or width != height:
        problems.append(f"{where}: {image.size} px, quiet zone {quiet} px: not whole modules")
    if min(quiet) < MIN_QUIET * scale:
        problems.append(f"{where}: quiet zone {min(quiet) / scale} modules, want >= {MIN_QUIET}")
    n = modules_of(result)
    if right - left != n * scale:
        problems.append(f"{where}: symbol {right - left} px wide, want {n} modules x {scale}")
    return problems


_TOKEN = re.compile(r"([MmHhVvLlZz])([^MmHhVvLlZz]*)")


def svg_dark_box(svg: bytes) -> tuple[float, float, float, float, float, float]:
    """(viewBox width, height, dark left, top, right, bottom) in modules, from the path data.

    segno draws each row's dark runs as one stroked path of ``M``/``m`` moves and ``h``
    runs; stroke width 1 centred on y+0.5.
    """
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    _, _, vb_w, vb_h = (float(v) for v in root.attrib["viewBox"].split())
    dark = [p for p in root.iter(f"{ns}path") if p.get("stroke")]
    assert len(dark) == 1, f"{len(dark)} stroked paths"
    half = float(dark[0].get("stroke-width", "1")) / 2
    x = y = 0.0
    xs: list[float] = []
    ys: list[float] = []
    for cmd, args in _TOKEN.findall(dark[0].attrib["d"]):
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if cmd in "Mm":
            dx, dy = nums[0], nums[1]
            x, y = (dx, dy) if cmd == "M" else (x + dx, y + dy)
        elif cmd in "Hh":
            x2 = nums[0] if cmd == "H" else x + nums[0]
            xs += [x, x2]
            ys += [y - half, y + half]
            x = x2
        else:
            raise AssertionError(f"unexpected path command {cmd!r} in the QR SVG")
    return vb_w, vb_h, min(xs), min(ys), max(xs), max(ys)


def svg_problems(data: bytes, url: str, where: str) -> list[str]:
    png = cairosvg.svg2png(bytestring=data, output_width=SVG_WIDTH)
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    # As a browser shows it on a white page: a missing light background is not an error.
    image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image)
    results = decode(image)
    if len(results) != 1:
        return [f"{where}: {len(results)} codes found after rasterising, want exactly 1"]
    result = results[0]
    problems = check_symbol(result, url, where)
    if result.format not in FULL_QR:
        return problems
    vb_w, vb_h, left, top, right, bottom = svg_dark_box(data)
    quiet = [left, top, vb_w - right, vb_h - bottom]
    if min(quiet) < MIN_QUIET:
        problems.append(f"{where}: quiet zone {quiet} modules, want >= {MIN_QUIET}")
    n = modules_of(result)
    if (right - left, bottom - top) != (n, n):
        problems.append(f"{where}: symbol {right - left}x{bottom - top}, want {n} modules")
    return problems


def test_manifest_lists_every_page_once(sample: Built) -> None:
    manifest = sample.manifest
    base = manifest["base_url"]
    pages = manifest["pages"]
    html = resident_pages(sample.output)
    paths = [p["path"] for p in pages]
    assert len(paths) == len(set(paths)), "a page is listed twice"
    assert set(paths) == html
    assert "404.html" not in paths and (sample.output / "404.html").is_file()
    assert {p["kind"] for p in pages} <= KINDS
    assert {p["kind"] for p in pages} == KINDS
    for page in pages:
        assert page["url"].startswith(base), page
        assert page["url"][len(base) :] + "index.html" == page["path"], page
        assert (sample.output / page["path"]).is_file(), page
        assert (sample.output / page["qr_svg"]).is_file(), page
        assert (sample.output / page["qr_png"]).is_file(), page


def test_every_png_scans_to_its_page(sample: Built) -> None:
    scale = int(site_qr()["scale"])
    assert scale == 10  # as the sample says; the checks below use the configured value
    problems: list[str] = []
    pages = sample.manifest["pages"]
    for page in pages:
        data = (sample.output / page["qr_png"]).read_bytes()
        problems += png_problems(data, page["url"], scale, page["qr_png"])
    assert not problems, "\n".join(problems)
    assert len(pages) > 40


def test_every_svg_scans_to_its_page(sample: Built) -> None:
    problems: list[str] = []
    for page in sample.manifest["pages"]:
        data = (sample.output / page["qr_svg"]).read_bytes()
        problems += svg_problems(data, page["url"], page["qr_svg"])
    assert not problems, "\n".join(problems)


def test_configured_level_is_met() -> None:
    """The sample asks for Q; the decoder checks above demand at least that."""
    assert str(site_qr()["error"]).upper() == MIN_LEVEL


def test_png_modules_match_an_independent_encoding(sample: Built) -> None:
    """Sample the PNG at module centres and compare with segno's matrix for the same symbol.

    Version, level and mask come from what zxing-cpp read, so a wrong module anywhere
    (data, format info, timing, quiet zone) shows up as a mismatch.
    """
    scale = int(site_qr()["scale"])
    page = max(sample.pages("notice"), key=lambda p: len(p["url"]))
    image = Image.open(sample.output / page["qr_png"])
    image.load()
    (result,) = decode(image)
    code = segno.make_qr(
        page["url"],
        version=int(extra(result)["Version"]),
        error=result.ec_level,
        mask=int(extra(result)["DataMask"]),
    )
    assert not code.is_micro
    expected = [[int(bool(v)) for v in row] for row in code.matrix_iter(scale=1, border=MIN_QUIET)]
    grey = image.convert("L")
    size = len(expected)
    assert grey.size == (size * scale, size * scale)
    pixels = grey.tobytes()  # one byte per pixel, row by row
    centre = scale // 2
    width = size * scale
    got = [
        [int(pixels[(y * scale + centre) * width + x * scale + centre] < 128) for x in range(size)]
        for y in range(size)
    ]
    assert got == expected
    # The same grid drawn back from the samples decodes too (so the sampling is right).
    redraw = ImageOps.invert(
        Image.frombytes("L", (size, size), bytes(255 * v for row in got for v in row))
    ).resize((size * 8, size * 8), Image.Resampling.NEAREST)
    assert [r.text for r in decode(redraw)] == [page["url"]]


def test_codes_are_byte_identical_across_builds(tmp_path: Path, fixed_clock: None) -> None:
    for name in ("a", "b"):
        build(SAMPLE, tmp_path / name)

    def codes(folder: Path) -> dict[str, bytes]:
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for pattern in ("qr.svg", "qr.png")
            for p in sorted(folder.rglob(pattern))
        }

    a, b = codes(tmp_path / "a"), codes(tmp_path / "b")
    assert len(a) > 80
    assert a.keys() == b.keys()
    differ = sorted(k for k in a if a[k] != b[k])
    assert not differ, f"differ between builds: {differ}"


@pytest.mark.parametrize(
    ("url", "scale", "dark", "light"),
    [
        ("https://dinhhung.example/", 10, "#000000", "#ffffff"),
        ("https://dinhhung.example/n/lich-tiem-chung-thang-11/", 3, "#1a1a40", "#fffef0"),
        ("https://x.example/" + "a" * 120, 1, "#000000", "#ffffff"),
    ],
)
def test_own_png_writer_draws_what_segno_draws(url: str, scale: int, dark: str, light: str) -> None:
    """bangtin writes PNGs itself (for speed); they must match segno's pixel for pixel."""
    from generator.models import QrOptions
    from generator.qr import make, qr_png

    options = QrOptions(scale=scale, dark=dark, light=light)
    code = make(url, options)
    reference = io.BytesIO()
    code.save(reference, kind="png", border=4, scale=scale, dark=dark, light=light)
    ours = Image.open(io.BytesIO(qr_png(code, options))).convert("RGB")
    theirs = Image.open(reference).convert("RGB")
    assert ours.size == theirs.size
    assert ours.tobytes() == theirs.tobytes()
