"""Boards survive print and scan: Chromium prints them, pdftoppm rasterises, zxing-cpp reads."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFilter

from generator.cache.qr import QrCache
from generator.inputs.config import load_config
from generator.inputs.content import load_content
from generator.plan.site import plan_site
from generator.render.boards import PAPER, layout, size_board
from tests.browser.needs import require, tool
from tests.conftest import NOW, SAMPLE, Built, SiteFactory, notice, replace_in, run_cli

MakeSite = Callable[[dict[str, str]], SiteFactory]
DPI = 150
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--no-pdf-header-footer",
]  # fmt: skip


def chromium() -> str:
    """Chromium, once this machine has it and pdftoppm (else a skip: tests.browser.needs)."""
    require("chromium", "pdftoppm")
    return tool("chromium")


@pytest.fixture(scope="module")
def served(sample: Built) -> Iterator[str]:
    """The sample output over a real HTTP server on loopback."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(sample.output))

    class Quiet(handler.func):  # type: ignore[name-defined,misc]
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(sample.output)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def print_to_png(url: str, workdir: Path) -> list[Image.Image]:
    """Chromium's PDF of ``url``, rasterised by pdftoppm at 150 dpi: what a printer gets."""
    pdf = workdir / "board.pdf"
    subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={workdir / 'profile'}",
         f"--print-to-pdf={pdf}", url],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(workdir / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return [Image.open(p).convert("L") for p in sorted(workdir.glob("page*.png"))]


def decode(image: Image.Image) -> list[str]:
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


def code_box(board_id: str) -> tuple[int, int, int, int]:
    """Where the symbol (quiet zone excluded) is on the page, in pixels at 150 dpi."""
    site = load_config(SAMPLE)
    plan = plan_site(site, load_content(site), NOW)
    board = next(b for b in plan.boards if b.id == board_id)
    sizing = size_board(site, board, QrCache())
    box = layout(site, sizing)
    quiet = sizing.border * sizing.module_mm
    px = DPI / 25.4
    x = (float(box["code_x"]) + quiet) * px  # type: ignore[arg-type]
    y = (float(box["code_y"]) + quiet) * px  # type: ignore[arg-type]
    w = sizing.symbol_mm * px
    return round(x), round(y), round(x + w), round(y + w)


def degraded(page: Image.Image, box: tuple[int, int, int, int]) -> dict[str, Image.Image]:
    """The printed board as phones meet it: blurred, tilted, at an angle, partly covered."""
    out = {"clean": page}
    out["blurred"] = page.filter(ImageFilter.GaussianBlur(radius=2.5))
    out["rotated 15°"] = page.rotate(
        15, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255
    )
    w, h = page.size
    # seen from below and to the left: the top edge narrower than the bottom
    inset = 0.12
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    dst = [
        (w * inset, h * inset * 0.6),
        (w * (1 - inset * 0.4), 0),
        (w, h),
        (0, h * (1 - inset * 0.3)),
    ]
    out["perspective"] = page.transform(
        (w, h),
        Image.Transform.PERSPECTIVE,
        _perspective(dst, src),
        Image.Resampling.BICUBIC,
        fillcolor=255,
    )
    covered = page.copy()
    x0, y0, x1, y1 = box
    side = round(((x1 - x0) * (y1 - y0) * 0.10) ** 0.5)  # a square of 10% of the code's area
    cx, cy = x0 + (x1 - x0) * 0.5, y0 + (y1 - y0) * 0.5  # the middle, off the finder patterns
    ImageDraw.Draw(covered).rectangle(
        (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2), fill=90
    )
    out["10% covered"] = covered
    return out


def _perspective(
    source: list[tuple[float, float]], target: list[tuple[float, float]]
) -> list[float]:
    """PIL's 8 coefficients mapping ``target`` corners back to ``source`` corners."""
    import numpy

    rows = []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = numpy.array(rows, dtype=float)
    b = numpy.array(target, dtype=float).reshape(8)
    return [float(c) for c in numpy.linalg.solve(a, b)]


def sample_boards() -> list[tuple[str, str]]:
    """(board id, paper) of every board of the sample site."""
    site = load_config(SAMPLE)
    plan = plan_site(site, load_content(site), NOW)
    return [(b.id, b.size) for b in plan.boards]


@pytest.mark.parametrize(("board_id", "paper"), sample_boards())
def test_printed_board_scans_when_degraded(
    board_id: str, paper: str, served: str, sample: Built, tmp_path: Path
) -> None:
    entry = next(p for p in sample.pages() if p.get("board") == f"boards/{board_id}/index.html")
    [page] = print_to_png(served + f"boards/{board_id}/", tmp_path)
    width_mm = PAPER[paper][0]  # type: ignore[index]
    assert abs(page.size[0] - width_mm / 25.4 * DPI) <= 2  # printed at 100%, one sheet
    results = {name: decode(image) for name, image in degraded(page, code_box(board_id)).items()}
    print(board_id, {name: len(found) for name, found in results.items()})
    for name, found in results.items():
        assert found == [entry["url"]], f"{name}: {found}"


def test_covering_the_code_is_not_a_no_op(sample: Built) -> None:
    """The degradations really change the image where the code is."""
    box = code_box("tram-y-te")
    blank = Image.new("L", (1240, 1754), 255)
    versions = degraded(blank, box)
    x0, y0, x1, y1 = box
    histogram = versions["10% covered"].crop(box).histogram()
    dark = sum(histogram[:128])
    assert 0.09 <= dark / ((x1 - x0) * (y1 - y0)) <= 0.11
    marked = blank.copy()
    ImageDraw.Draw(marked).rectangle(box, fill=0)
    for name, image in degraded(marked, box).items():
        if name != "clean":
            assert image.tobytes() != marked.tobytes(), name


def test_board_svg_alone_scans(sample: Built) -> None:
    import cairosvg

    for entry in sample.pages():
        if "board" not in entry:
            continue
        svg = sample.output / entry["board"].replace("index.html", "board.svg")
        png = cairosvg.svg2png(url=str(svg), dpi=100)
        assert decode(Image.open(io.BytesIO(png)).convert("L")) == [entry["url"]], svg


def test_boards_are_print_artefacts_not_pages(sample: Built) -> None:
    boards = [p for p in sample.pages() if "board" in p]
    assert {p["kind"] for p in boards} == {"location", "notice"}
    assert len([p for p in boards if p["kind"] == "location"]) == 7
    assert all(not p["path"].startswith("boards/") for p in sample.pages())
    sitemap = (sample.output / "sitemap.xml").read_text("utf-8")
    feed = (sample.output / "feed.xml").read_text("utf-8")
    assert "/boards/" not in sitemap and "/boards/" not in feed
    for board in boards:
        html = (sample.output / board["board"]).read_text("utf-8")
        assert '<meta name="robots" content="noindex">' in html
        assert "Quét mã QR bằng camera điện thoại để xem thông" in html
        assert f'Mã bảng: <tspan font-weight="700">{board["board"].split("/")[1]}</tspan>' in html
        assert "dinhhung.example</tspan>" in html  # the domain, in bold


def test_index_has_every_board_and_a_contact_sheet(sample: Built) -> None:
    html = (sample.output / "boards" / "index.html").read_text("utf-8")
    assert html.count('<div class="sheet ') == 8
    assert '<div class="sheet a3">' in html and '<div class="sheet a4">' in html
    css = next((sample.output / "assets").glob("board.*.css")).read_text("utf-8")
    assert "@page a3 { size: A3 portrait" in css and ".sheet.a3 { page: a3;" in css
    assert html.count("<li><img src=") == 8
    for p in sample.pages():
        if "board" in p:
            assert f'src="../{p["path"].removesuffix("index.html")}qr.svg"' in html


def test_verify_page_lists_every_board(sample: Built) -> None:
    html = sample.html("verify/")
    assert "<h1>Kiểm tra bảng QR</h1>" in html
    for p in sample.pages():
        if "board" in p:
            board_id = p["board"].split("/")[1]
            assert f"Mã bảng: {board_id}</strong>" in html
            assert f">{p['url']}</a>" in html
    assert "Trang chính thức: <strong>https://dinhhung.example/</strong>" in sample.html(
        "n/canh-bao-ma-qr-gia/"
    )


def test_sizing_report(tmp_path: Path) -> None:
    result = run_cli("boards", "--report", "--content", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "board",
        "paper",
        "version",
        "EC",
        "code",
        "mm",
        "module",
        "mm",
        "reads",
        "to",
        "status",
    ]
    row = next(line for line in lines if line.startswith("tram-y-te "))
    assert row.split() == ["tram-y-te", "A4", "4", "Q", "151", "3.69", "1.2", "m", "ok"]
    assert "Rule: code width = 72% of the paper width" in result.stdout


def test_small_dense_boards_warn_and_strict_fails(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yml": "title: T\nbase_url: https://rat-dai.example/thong-tin-xa-dinh-hung-huyen-yen-dinh/\n"
            "boards:\n  size: a5\n  distance: 3\n",
            "locations/nha-van-hoa-thon-dong-tam-xa-dinh-hung.yml": "name: Nhà văn hóa\n",
            "notices/a.md": notice(),
        }
    )
    ok = run_cli("build", cwd=site.root)
    assert ok.returncode == 0, ok.stderr
    assert re.search(
        r"warning: board `nha-van-hoa-thon-dong-tam-xa-dinh-hung`: QR version \d+ \(over 4\)",
        ok.stderr,
    )
    assert "less than the 3 m asked for" in ok.stderr
    strict = run_cli("build", "--strict", "--output", "strict-out", cwd=site.root)
    assert strict.returncode == 1
    assert "error: board `nha-van-hoa-thon-dong-tam-xa-dinh-hung`: QR version" in strict.stderr
    assert not (site.root / "strict-out").exists()


def test_low_contrast_or_inverted_colours_are_refused(make_site: MakeSite) -> None:
    for colours, message in (
        ('dark: "#777777"\n  light: "#ffffff"', "contrast of 4.5:1"),
        ('dark: "#ffffff"\n  light: "#000000"', "must be darker"),
    ):
        site = make_site(
            {"site.yml": f"title: T\nbase_url: https://t.example/\nqr:\n  {colours}\n"}
        )
        result = run_cli("check", cwd=site.root)
        assert result.returncode == 1
        assert message in result.stderr, result.stderr


def test_paper_size_per_place(make_site: MakeSite) -> None:
    site = make_site(
        {
            "locations/cho.yml": "name: Chợ\nboard_size: a3\n",
            "locations/tram.yml": "name: Trạm\n",
            "notices/a.md": notice(board="true", board_size="a5"),
        }
    ).build()
    assert 'width="297mm" height="420mm"' in (site.output / "boards/cho/board.svg").read_text(
        "utf-8"
    )
    assert 'width="210mm" height="297mm"' in (site.output / "boards/tram/board.svg").read_text(
        "utf-8"
    )
    assert 'width="148mm" height="210mm"' in (site.output / "boards/n-a/board.svg").read_text(
        "utf-8"
    )
    assert '<div class="sheet a5">' in (site.output / "boards/n-a/index.html").read_text("utf-8")


def test_boards_record_from_the_command_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    (content / "printed.yml").unlink()
    refused = run_cli("boards", "--record", "--content", str(content))  # an example address
    assert refused.returncode == 2 and not (content / "printed.yml").exists()
    replace_in(content / "site.yml", "https://dinhhung.example/", "https://bangtin.dinhhung.vn/")
    first = run_cli("boards", "--record", "--content", str(content))
    assert first.returncode == 0, first.stderr
    assert "8 new URLs in the printed-URL ledger." in first.stdout
    assert (
        "- url: https://bangtin.dinhhung.vn/l/tram-y-te/\n  board: tram-y-te\n  printed: 2026-11-28\n"
        in (content / "printed.yml").read_text("utf-8")
    )
    again = run_cli("boards", "--record", "--content", str(content))
    assert "0 new URLs in the printed-URL ledger." in again.stdout
    # the ledger now guards the printed URLs: removing a printed place breaks the build
    (content / "locations" / "cong-vien.yml").write_text("name: Công viên\n", "utf-8")
    assert (
        "1 new URL in the printed-URL ledger."
        in run_cli("boards", "--record", "--content", str(content)).stdout
    )
    (content / "locations" / "cong-vien.yml").unlink()
    broken = run_cli("check", "--content", str(content))
    assert broken.returncode == 1
    assert "https://bangtin.dinhhung.vn/l/cong-vien/" in broken.stderr
    assert "printed.yml:" in broken.stderr
