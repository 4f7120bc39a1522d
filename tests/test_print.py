"""A notice prints on A4 with its own code: Chromium prints it, poppler reads it, zxing-cpp scans.

Playwright (tests/browser/node_modules) drives Debian's Chromium to print each notice page
as a user's "Print" does (A4, the page's own @page rules, no background colours); the
checks read the PDF as a person at the board would: per page with ``pdftotext -layout``,
and the last page as a phone camera would, rasterised by ``pdftoppm``.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy
import pytest
import zxingcpp
from PIL import Image

from tests.browser.needs import require, tool
from tests.browser.node import HERE, node
from tests.conftest import SITE_YML, Built, SiteFactory, notice
from tests.served import serving

DPI = 150
A4_PTS = (595.3, 841.9)  # 210 x 297 mm
MIN_MARGIN_PTS = 28.0  # 10 mm: no word runs off the sheet or into a printer's dead zone
ROWS = 60
SECTIONS = 14

# Prints every job with one browser. Passed to ``node -e`` from tests/browser, where
# ``playwright-core`` resolves; page.pdf() lays the page out for print media.
PRINT_JS = """
import { chromium } from 'playwright-core';
const { executable, jobs } = JSON.parse(process.argv[1]);
const browser = await chromium.launch({
  executablePath: executable,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  for (const { url, pdf } of jobs) {
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response || response.status() !== 200) {
      throw new Error(`${url}: HTTP ${response && response.status()}`);
    }
    await page.pdf({ path: pdf, format: 'A4', preferCSSPageSize: true });
  }
} finally {
  await browser.close();
}
"""


def long_body() -> str:
    """A notice of several A4 pages: sections of uneven length under h2/h3, and a table of
    ``ROWS`` rows whose first cell starts with ``Axx`` and whose (long) last cell ends with
    ``Zxx``, so that a row split across pages shows as its two markers on two pages."""
    sentence = "Bà con theo dõi loa truyền thanh của thôn và làm theo hướng dẫn của cán bộ xã."
    parts = ["UBND xã thông báo kế hoạch chi tiết dưới đây để bà con nắm rõ và thực hiện.", ""]
    for i in range(1, SECTIONS + 1):
        parts += [f"## Mục {i}. Việc cần làm số {i}", ""]
        for j in range(1 + (i * 5) % 4):  # 1 to 4 paragraphs: headings land anywhere
            parts += [" ".join([sentence] * (1 + (i + j) % 3)), ""]
        if i % 3 == 0:
            parts += [f"### Tiểu mục {i}.1. Lưu ý riêng", "", sentence, ""]
        if i == 4:
            parts += [
                "| Số | Thôn | Việc cần làm | Người phụ trách và ghi chú |",
                "|---|---|---|---|",
            ]
            for r in range(1, ROWS + 1):
                task = "Kiểm tra đê, cống và nơi sơ tán của thôn" + ", rồi báo cáo xã" * (r % 3)
                # 2 to 8 lines: a row can split only if it has more lines than the
                # browser's orphans + widows (2 + 2 by default)
                note = "Trưởng thôn phối hợp với tổ an ninh cơ sở, ghi sổ theo dõi" + (
                    ", gửi ảnh chụp lên nhóm Zalo của xã và báo cáo Ban chỉ huy" * (r % 7)
                )
                parts.append(f"| A{r:02d} | Thôn {1 + r % 7} | {task} | {note} Z{r:02d} |")
            parts.append("")
    return "\n".join(parts)


# Short notices one paragraph longer each: somewhere in the sweep the end of the first
# sheet falls inside the code's block or the footer after it.
SWEEP = range(6, 24)
PHONE = "0237 3000 999"

LONG = {
    "site.yml": SITE_YML + f'contact:\n  name: Tổ công nghệ số\n  phone: "{PHONE}"\n',
    "notices/2026-11-26-ke-hoach-phong-chong-bao.md": notice(
        "Kế hoạch phòng chống bão lũ cuối năm 2026",
        "2026-11-26",
        long_body(),
        expires="2026-12-31",
        tags="[in thử nghiệm]",
    ),
    # A standing page: the footer then has its navigation, which must not print.
    "pages/lien-he.md": "---\ntitle: Liên hệ\n---\nGọi trưởng thôn.\n",
    # A current urgent notice: its banner is on every other page, and must not print.
    "notices/2026-11-27-canh-bao-lu.md": notice(
        "Cảnh báo lũ trên sông Mã", "2026-11-27T08:00", "Không qua ngầm tràn.", urgent="true"
    ),
    **{
        f"notices/2026-11-20-ngan-{k:02d}.md": notice(
            f"Thông báo ngắn {k}",
            "2026-11-20",
            "\n\n".join(f"Dòng {i}: bà con lưu ý." for i in range(1, k + 1)),
        )
        for k in SWEEP
    },
}


@dataclass(frozen=True)
class Printed:
    """One notice page as printed: its absolute URL, its HTML, its PDF and each page's text."""

    url: str
    html: str
    pdf: Path
    sizes: list[tuple[float, float]]  # per page, in points
    texts: list[str]  # per page, ``pdftotext -layout``

    @property
    def first(self) -> str:
        return flat(self.texts[0])

    @property
    def last(self) -> str:
        return flat(self.texts[-1])

    def everything(self) -> str:
        return flat(" ".join(self.texts))


def flat(text: str) -> str:
    """Text with every run of white space made one space, in NFC (as the HTML is)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def inner_text(fragment: str) -> str:
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", fragment)))


def article(page_html: str) -> str:
    match = re.search(r"<article\b.*?</article>", page_html, re.S)
    assert match, "no <article> in the page"
    return match[0]


def headings(page_html: str) -> list[str]:
    """The texts of the notice's own headings (h1 to h6 of its <article>)."""
    found = re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", article(page_html), re.S)
    return [inner_text(text) for _, text in found]


def poppler(name: str) -> str:
    """pdftotext and pdfinfo: poppler-utils installs them beside pdftoppm."""
    return str(Path(tool("pdftoppm")).with_name(name))


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        [poppler("pdfinfo"), "-f", "1", "-l", "9999", str(pdf)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    count = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert count, info
    sizes = [
        (float(w), float(h))
        for w, h in re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    ]
    assert len(sizes) == int(count[1]), info
    return sizes


def page_text(pdf: Path, number: int, *extra: str) -> str:
    return subprocess.run(
        [poppler("pdftotext"), *extra, "-f", str(number), "-l", str(number), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout


def rasterise(pdf: Path, number: int, dpi: int, workdir: Path) -> Image.Image:
    """Page ``number`` of ``pdf`` in grey, as pdftoppm renders it at ``dpi``."""
    subprocess.run(
        [poppler("pdftoppm"), "-r", str(dpi), "-png", "-f", str(number), "-l", str(number),
         "-singlefile", str(pdf), str(workdir / "page")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with Image.open(workdir / "page.png") as image:
        return image.convert("L")


def print_pages(jobs: list[tuple[str, Path]]) -> None:
    """Chromium prints each (URL, PDF path) through Playwright."""
    spec = {"executable": tool("chromium"), "jobs": [{"url": u, "pdf": str(p)} for u, p in jobs]}
    proc = subprocess.run(
        [node(), "--input-type=module", "-e", PRINT_JS, json.dumps(spec)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=60 + 30 * len(jobs),
    )
    assert proc.returncode == 0, proc.stderr
    for _, pdf in jobs:
        assert pdf.is_file(), pdf


@pytest.fixture(scope="module")
def long_site(tmp_path_factory: pytest.TempPathFactory, fixed_clock: None) -> Built:
    return SiteFactory(tmp_path_factory.mktemp("print-site")).write(LONG).build()


@pytest.fixture(scope="module")
def printed(
    sample: Built, long_site: Built, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Printed]]:
    """The notice pages printed: the sample's vaccination calendar (a table, a picture, an
    urgent banner of another notice) and the long notice."""
    require("node", "node-tools", "chromium", "pdftoppm")
    work = tmp_path_factory.mktemp("print")
    wanted = {
        "sample": (sample, "n/lich-tiem-chung-thang-11/"),
        "long": (long_site, "n/ke-hoach-phong-chong-bao/"),
        **{f"short-{k}": (long_site, f"n/ngan-{k:02d}/") for k in SWEEP},
    }
    with serving(sample.output) as sample_base, serving(long_site.output) as long_base:
        base = {id(sample): sample_base, id(long_site): long_base}
        jobs = [(base[id(b)] + path, work / f"{name}.pdf") for name, (b, path) in wanted.items()]
        print_pages(jobs)
    out = {}
    for (name, (built, path)), (_, pdf) in zip(wanted.items(), jobs, strict=True):
        [entry] = [p for p in built.pages("notice") if p["path"] == path + "index.html"]
        sizes = page_sizes(pdf)
        texts = [page_text(pdf, n, "-layout") for n in range(1, len(sizes) + 1)]
        out[name] = Printed(entry["url"], built.html(path), pdf, sizes, texts)
    print({name: len(p.texts) for name, p in out.items()})  # pages per notice, for the log
    yield out


NOTICES = ["sample", "long"]


@pytest.mark.parametrize("name", NOTICES)
def test_prints_on_a4_portrait(name: str, printed: dict[str, Printed]) -> None:
    p = printed[name]
    for number, (w, h) in enumerate(p.sizes, 1):
        assert abs(w - A4_PTS[0]) < 1 and abs(h - A4_PTS[1]) < 1, (number, w, h)
    assert len(p.sizes) >= (3 if name == "long" else 2), len(p.sizes)


@pytest.mark.parametrize("name", NOTICES)
def test_first_page_has_commune_title_and_dates(name: str, printed: dict[str, Printed]) -> None:
    p = printed[name]
    brand = re.search(r'<a class="brand"[^>]*>(.*?)</a>', p.html, re.S)
    assert brand, "no site title in the page"
    title = headings(p.html)[0]
    meta = re.search(r'<p class="meta">(.*?)</p>', article(p.html), re.S)
    assert meta, "no dates in the page"
    dates = [inner_text(line) for line in re.split(r"<br\s*/?>", meta[1])]
    assert inner_text(brand[1]) in p.first
    assert title in p.first
    assert dates and all(d.startswith(("Ngày đăng", "Cập nhật", "Có", "Hết")) for d in dates)
    for line in dates:
        assert line in p.first, line
    if name == "sample":
        assert "Bảng tin xã Định Hưng" in p.first
        assert "Ngày đăng: 10/11/2026" in p.first
        assert "Có hiệu lực đến hết ngày 30/11/2026" in p.first


@pytest.mark.parametrize("name", NOTICES)
def test_no_navigation_is_printed(name: str, printed: dict[str, Printed]) -> None:
    p = printed[name]
    banner = re.search(r'<aside class="alerts".*?</aside>', p.html, re.S)
    assert banner, "the page shows no urgent banner: the check below would prove nothing"
    [banner_title] = re.findall(r'<a href="[^"]*">([^<]*)</a>', banner[0])
    tags = re.search(r'<ul class="tags".*?</ul>', p.html, re.S)
    assert tags, "the page shows no tag links"
    gone = ["Bỏ qua, đến nội dung chính", "Trang chủ", "Tất cả thông báo", "Thông báo cũ"]
    gone.append("Kiểm tra bảng QR thật")  # the footer's link (the code's caption says where)
    gone.append(html.unescape(banner_title))
    if name == "long":  # the sample's tag names are also words of its text
        gone += [inner_text(t) for t in re.findall(r"<li>(.*?)</li>", tags[0])]
    text = p.everything()
    for words in gone:
        assert inner_text(words) in inner_text(p.html), f"{words!r} is not even on the page"
        assert inner_text(words) not in text, f"{words!r} is printed"
    assert "khẩn" not in text.casefold()  # the banner's flag, "KHẨN" in capitals


@pytest.mark.parametrize("name", NOTICES)
def test_code_url_and_verify_line_end_the_notice(name: str, printed: dict[str, Printed]) -> None:
    p = printed[name]
    assert p.url in p.last
    assert "Kiểm tra bảng thật" in p.last
    for earlier in p.texts[:-1]:
        assert "Kiểm tra bảng thật" not in flat(earlier)


def test_code_and_footer_are_never_parted(printed: dict[str, Printed]) -> None:
    short = [printed[f"short-{k}"] for k in SWEEP]
    assert {len(p.texts) for p in short} == {1, 2}, "the sweep does not cross a page end"
    for p in short:
        assert p.url in p.last and "Kiểm tra bảng thật" in p.last, p.url
        assert PHONE in p.last, f"{p.url}: the footer is not with the code"


@pytest.mark.parametrize("name", NOTICES)
def test_no_page_ends_with_a_heading(name: str, printed: dict[str, Printed]) -> None:
    p = printed[name]
    titles = headings(p.html)
    assert len(titles) >= (SECTIONS + 2 if name == "long" else 3), titles

    def of_a_heading(line: str) -> str | None:
        for h in titles:
            if line == h or h.endswith(" " + line) or h.startswith(line + " "):
                return h
        return None

    for number, text in enumerate(p.texts, 1):
        lines = [flat(line) for line in text.splitlines() if line.strip()]
        assert lines, f"page {number} is empty"
        assert of_a_heading(lines[-1]) is None, f"page {number} ends with {lines[-1]!r}"


def test_no_table_row_is_split_or_cut(printed: dict[str, Printed]) -> None:
    p = printed["long"]
    pages_of: dict[str, list[int]] = {}
    for number, text in enumerate(p.texts, 1):
        for marker in re.findall(r"\b[AZ]\d\d\b", text):
            pages_of.setdefault(marker, []).append(number)
    rows = [f"{r:02d}" for r in range(1, ROWS + 1)]
    # Every Zxx found: the last column is on the paper, not cut off at the right.
    assert sorted(pages_of) == sorted([f"A{r}" for r in rows] + [f"Z{r}" for r in rows])
    split = {r: (pages_of[f"A{r}"], pages_of[f"Z{r}"]) for r in rows}
    split = {r: pages for r, pages in split.items() if pages[0] != pages[1]}
    assert not split, f"rows split across pages (row: pages of its first, last cell): {split}"
    assert all(len(pages) == 1 for pages in pages_of.values())
    spans = {pages[0] for pages in pages_of.values()}
    assert len(spans) >= 2, "the table fits one page: it tests no page break"


def test_table_is_whole_on_the_sheet(printed: dict[str, Printed], tmp_path: Path) -> None:
    """A page of table rows, rasterised: its five vertical rules (4 columns) are all there
    and all as thick as each other: none is cut at the edge of the printed area."""
    p = printed["long"]
    [number] = [n for n, text in enumerate(p.texts, 1) if re.search(r"\bA30\b", text)]
    page = rasterise(p.pdf, number, 300, tmp_path)
    dark = numpy.asarray(page) < 160
    inked = dark.sum(axis=0)
    ruled = inked > 0.5 * inked.max()  # the pixel columns of the table's vertical rules
    edges = numpy.flatnonzero(numpy.diff(ruled.astype(int)))
    assert len(edges) % 2 == 0, "a rule touches the edge of the page"
    rules = [(int(a) + 1, int(b) + 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    widths = [b - a for a, b in rules]
    print("vertical rules at 300 dpi (x, thickness):", [(a, b - a) for a, b in rules])
    assert len(rules) == 5, rules
    assert max(widths) - min(widths) <= 1, f"rules of unequal thickness: {rules}"


@pytest.mark.parametrize("name", NOTICES)
def test_every_word_is_on_the_sheet(name: str, printed: dict[str, Printed]) -> None:
    p = printed[name]
    for number, (width, height) in enumerate(p.sizes, 1):
        boxes = re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
            page_text(p.pdf, number, "-bbox"),
        )
        assert boxes, f"page {number} has no text"
        for x0, y0, x1, y1, word in boxes:
            inside = (
                float(x0) >= MIN_MARGIN_PTS
                and float(x1) <= width - MIN_MARGIN_PTS
                and float(y0) >= MIN_MARGIN_PTS
                and float(y1) <= height - MIN_MARGIN_PTS
            )
            assert inside, f"page {number}: {word!r} at {x0},{y0} to {x1},{y1}"


@pytest.mark.parametrize("name", NOTICES)
def test_printed_code_scans_to_the_page(
    name: str, printed: dict[str, Printed], tmp_path: Path
) -> None:
    p = printed[name]
    image = rasterise(p.pdf, len(p.texts), DPI, tmp_path)
    assert abs(image.size[0] - 210 / 25.4 * DPI) <= 2, image.size
    found = [(r.format, r.text) for r in zxingcpp.read_barcodes(image)]
    print(name, found)
    assert found == [(zxingcpp.BarcodeFormat.QRCode, p.url)]
    assert re.search(rf'<link rel="canonical" href="{re.escape(p.url)}">', p.html)
