"""Every page a resident opens fits the first round trip: <= 12 KB gzipped with its CSS.

Measured over every page of the sample site and of a generated 1,000-notice site, as
files (what a static server sends); gzip at level 6, what nginx and most hosts use.
"""

from __future__ import annotations

import gzip
import random
import re
import unicodedata
from pathlib import Path

import pytest

from benchmarks.corpus import generate
from tests.conftest import Built, build, resident_pages

FIRST_FLIGHT = 12 * 1024  # gzipped HTML + CSS of one page
TOTAL = 100 * 1024  # everything one page loads, QR image included, uncompressed


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def subresources(html: str) -> list[str]:
    """What a browser fetches for the page: stylesheets, icons and images."""
    found = re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', html)
    found += re.findall(r'<img src="([^"]+)"', html)
    return found


def budgets(output: Path) -> dict[str, tuple[int, int]]:
    """Per page: (gzipped HTML + CSS, total bytes loaded)."""
    out = {}
    for rel in [*sorted(resident_pages(output)), "404.html"]:
        page = output / rel
        html = page.read_bytes()
        first = gz(html)
        total = len(html)
        for ref in subresources(html.decode("utf-8")):
            target = (output / ref.lstrip("/")) if ref.startswith("/") else (page.parent / ref)
            data = target.resolve().read_bytes()
            total += len(data)
            if ref.endswith(".css"):
                first += gz(data)
        out[rel] = (first, total)
    return out


def check(output: Path) -> tuple[str, int]:
    sizes = budgets(output)
    over = {p: s for p, s in sizes.items() if s[0] > FIRST_FLIGHT or s[1] > TOTAL}
    assert not over, over
    largest = max(sizes, key=lambda p: sizes[p][0])
    return largest, sizes[largest][0]


def test_sample_pages_fit_the_budget(sample: Built) -> None:
    page, size = check(sample.output)
    print(f"sample: largest page {page}: {size} bytes gzipped with CSS")


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large")
    content = generate(root, 1000, 100)
    build(content, root / "output")
    return root / "output"


@pytest.mark.slow
def test_thousand_notice_pages_fit_the_budget(large_site: Path) -> None:
    page, size = check(large_site)
    print(f"1000 notices: largest page {page}: {size} bytes gzipped with CSS")


def test_budget_check_can_fail(tmp_path: Path) -> None:
    (tmp_path / "big").mkdir()
    noise = random.Random(0).randbytes(20000).hex().encode()  # compresses only to about half
    (tmp_path / "big" / "index.html").write_bytes(b"<html>" + noise)
    (tmp_path / "404.html").write_bytes(b"<html></html>")
    with pytest.raises(AssertionError):
        check(tmp_path)


def test_every_page_is_nfc_and_vietnamese(sample: Built) -> None:
    for rel in resident_pages(sample.output):
        html = (sample.output / rel).read_text("utf-8")
        assert unicodedata.is_normalized("NFC", html), rel
        assert '<html lang="vi">' in html, rel
        assert html.count("<h1") == 1, rel
        assert '<a class="skip" href="#noi-dung">' in html and '<main id="noi-dung">' in html, rel
        for tag in ('name="description"', 'property="og:title"', 'property="og:description"',
                    'rel="canonical"', 'name="theme-color"', 'rel="icon"'):  # fmt: skip
            assert tag in html, (rel, tag)
        assert "<script" not in html, rel
        assert re.search(r'alt="Mã QR dẫn đến trang này: https://dinhhung\.example/[^"]*"', html), (
            rel
        )
