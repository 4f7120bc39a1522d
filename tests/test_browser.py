"""Pages work for residents on a low-end phone: a real Chromium loads them from nginx.

tests/browser/check.mjs (Playwright driving Debian's Chromium) opens each page at
360x640, device scale 2, touch, and measures; the rules it measures, and the tap-target
exemption for links inside a line of text, are written at the top of that file. These
tests decide what passes. Rules that fail because of the theme are marked
``xfail(strict=True)`` with the exact element: fix the theme, then remove the mark.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.needs import require
from tests.browser.nginx import free_port, nginx
from tests.browser.node import check_pages
from tests.conftest import SAMPLE, Built, build
from tests.served import serving

Result = dict[str, Any]

# name -> path under the site; "tag" is filled in from the manifest (its first tag).
PAGES = {
    "home": "",
    "place": "l/tram-y-te/",
    "notice": "n/lich-tiem-chung-thang-11/",
    "expired": "n/lich-cat-dien-thon-1-thon-3/",
    "tag": None,
    "board": "boards/tram-y-te/",
}
RESIDENT = ["home", "place", "notice", "expired", "tag"]  # the board is a print page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Built, dict[str, str]]]:
    """The sample built for, and served by, nginx on loopback: name -> URL of each page."""
    require("nginx", "node", "node-tools", "chromium")  # before building: a skip is quick
    port = free_port()
    work = tmp_path_factory.mktemp("browser")
    built = Built(work / "output")
    build(SAMPLE, built.output, base_url=f"http://127.0.0.1:{port}/")
    paths = dict(PAGES, tag=built.pages("tag")[0]["path"].removesuffix("index.html"))
    with nginx(built.output, work / "nginx", port) as base:
        yield built, {name: base + path for name, path in paths.items()}


@pytest.fixture(scope="module")
def checked(site: tuple[Built, dict[str, str]]) -> dict[str, Result]:
    _, urls = site
    results = check_pages([{"url": url} for url in urls.values()])
    return dict(zip(urls, results, strict=True))


@pytest.fixture(scope="module")
def checked_without_js(site: tuple[Built, dict[str, str]]) -> dict[str, Result]:
    _, urls = site
    results = check_pages([{"url": url} for url in urls.values()], javascript=False)
    return dict(zip(urls, results, strict=True))


def show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


# -- every page -------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violation(checked: dict[str, Result], name: str) -> None:
    axe = checked[name]["axe"]
    assert axe["version"].startswith("4.")
    assert axe["violations"] == [], show(axe["violations"])


@pytest.mark.parametrize("name", list(PAGES))
def test_no_sideways_scroll_at_320px(checked: dict[str, Result], name: str) -> None:
    """WCAG 1.4.10 Reflow: content fits 320 CSS px without scrolling in two directions."""
    at = checked[name]["overflow"]
    assert at["width360"]["scrollWidth"] <= 360, show(at["width360"])
    assert at["width320"]["scrollWidth"] <= 320, show(at["width320"])


@pytest.mark.parametrize(
    "name",
    list(PAGES),
)
def test_no_sideways_scroll_at_320px_with_text_at_200_percent(
    checked: dict[str, Result], name: str
) -> None:
    """WCAG 1.4.4 Resize text, with the browser's own font-size setting doubled."""
    at = checked[name]["overflow"]["width320text200"]
    assert at["scrollWidth"] <= 320, show(at)


@pytest.mark.parametrize("name", RESIDENT)
def test_text_follows_the_readers_text_size(checked: dict[str, Result], name: str) -> None:
    """Body text is set relative to the reader's setting, so doubling it doubles the text."""
    assert checked[name]["overflow"]["width320text200"]["textScale"] == pytest.approx(2, abs=0.01)


@pytest.mark.parametrize("name", list(PAGES))
def test_no_console_error_or_page_error(checked: dict[str, Result], name: str) -> None:
    r = checked[name]
    assert r["status"] == 200
    assert r["consoleMessages"] == [], show(r["consoleMessages"])
    assert r["pageErrors"] == [], show(r["pageErrors"])


@pytest.mark.parametrize("name", PAGES)
def test_every_request_stays_on_loopback_and_succeeds(
    checked: dict[str, Result], name: str
) -> None:
    r = checked[name]
    assert r["externalRequests"] == [], show(r["externalRequests"])
    assert r["failedRequests"] == [], show(r["failedRequests"])
    assert r["badResponses"] == [], show(r["badResponses"])


@pytest.mark.parametrize("name", PAGES)
def test_exactly_one_h1(checked: dict[str, Result], name: str) -> None:
    assert len(checked[name]["h1"]) == 1, checked[name]["h1"]


@pytest.mark.parametrize("name", PAGES)
def test_renders_without_javascript(
    checked_without_js: dict[str, Result], checked: dict[str, Result], name: str
) -> None:
    r = checked_without_js[name]
    assert r["javaScriptEnabled"] is False
    assert r["status"] == 200
    assert r["h1"] == checked[name]["h1"]
    assert r["externalRequests"] == []
    assert r["fonts"]["bodyFontSize"] == checked[name]["fonts"]["bodyFontSize"]  # CSS applied


# -- resident pages: text and touch -------------------------------------------------


@pytest.mark.parametrize("name", RESIDENT)
def test_body_text_is_large_and_airy(checked: dict[str, Result], name: str) -> None:
    fonts = checked[name]["fonts"]
    assert fonts["bodyFontSize"] >= 16, show(fonts)
    assert fonts["bodyLineHeight"] >= 1.5 * fonts["bodyFontSize"], show(fonts)


@pytest.mark.parametrize("name", RESIDENT)
def test_tap_targets_are_at_least_44px(checked: dict[str, Result], name: str) -> None:
    targets = checked[name]["tapTargets"]
    assert len(targets) >= 5  # header, notices or places, footer: the page was measured
    small = [t for t in targets if not t["exempt"] and (t["height"] < 44 or t["width"] < 44)]
    assert small == [], show(small)


# -- the checker itself ------------------------------------------------------------

BAD_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>x</title>
<style>body { font-size: 12px; line-height: 1.1 } .low { color: #bbb } .wide { width: 500px }</style>
<script>console.error("boom"); setTimeout(() => { throw new Error("kaboom") }, 0)</script>
</head><body>
<h1>One</h1><h1>Two</h1>
<p class="low">Low contrast text.</p>
<div class="wide">Too wide for a phone.</div>
<p><a href="#">tiny</a></p>
<img src="http://localhost:{port}/elsewhere.png">
</body></html>
"""


def test_the_checker_catches_a_bad_page(tmp_path: Path) -> None:
    """A test that cannot fail is a defect: every rule above fails on this page."""
    with serving(tmp_path) as base:
        port = base.rsplit(":", 1)[1].strip("/")
        (tmp_path / "index.html").write_text(BAD_PAGE.replace("{port}", port), "utf-8")
        [r] = check_pages([{"url": base}])
    assert {v["id"] for v in r["axe"]["violations"]} >= {"color-contrast", "html-has-lang"}
    assert r["overflow"]["width320"]["scrollWidth"] > 320
    assert r["overflow"]["width320"]["offenders"][0]["element"] == "div.wide"
    assert r["overflow"]["width320text200"]["textScale"] == 1  # px text ignores the setting
    assert [m["text"] for m in r["consoleMessages"] if m["text"] == "boom"] == ["boom"]
    assert any("kaboom" in e for e in r["pageErrors"])
    assert r["externalRequests"] == [f"http://localhost:{port}/elsewhere.png"]
    assert len(r["h1"]) == 2
    assert r["fonts"]["bodyFontSize"] == 12
    assert r["fonts"]["bodyLineHeight"] < 1.5 * 12
    [tiny] = [t for t in r["tapTargets"] if t["text"] == "tiny"]
    assert tiny["exempt"] is None and tiny["height"] < 44


# -- screenshots -------------------------------------------------------------------


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshots_show_a_phone_screen(tmp_path: Path) -> None:
    """What tests/browser/screenshots.py commits to docs/screenshots/, made here in tmp."""
    from tests.browser.screenshots import take

    written = take(tmp_path)
    assert [p.name for p in written] == ["home.png", "place.png"]
    for p in written:
        assert png_size(p) == (720, 1280)  # 360x640 CSS px at device scale 2
