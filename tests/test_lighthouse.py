"""Lighthouse 12.2.3 scores of resident pages, as Google rates them for a mid-range phone.

Its defaults: mobile form factor and the mobile throttling preset (simulated slow 4G,
4x CPU slowdown). The site is built for the nginx address it is served from, so canonical
URLs, og:url and the QR images' alt text match the host Lighthouse sees. Every page
scored carries the banner of the sample's storm warning (urgent, issue 20).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.needs import require
from tests.browser.nginx import free_port, nginx
from tests.browser.node import lighthouse
from tests.conftest import SAMPLE, Built, build
from tests.test_browser import PAGES as TEST_PAGES
from tests.test_browser import RESIDENT

PAGES = {name: TEST_PAGES[name] for name in RESIDENT}  # the board is a print page
MINIMUM = {"performance": 0.95, "accessibility": 1.0, "best-practices": 1.0, "seo": 1.0}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    """name -> URL of each page on nginx, and a folder for the reports."""
    require("nginx", "node", "node-tools", "chromium")  # before building: a skip is quick
    port = free_port()
    work = tmp_path_factory.mktemp("lighthouse")
    built = Built(work / "output")
    build(SAMPLE, built.output, base_url=f"http://127.0.0.1:{port}/")
    paths = dict(PAGES, tag=built.pages("tag")[0]["path"].removesuffix("index.html"))
    with nginx(built.output, work / "nginx", port) as base:
        yield {name: base + str(path) for name, path in paths.items()}, work


def test_the_pages_scored_carry_the_urgent_banner(site: tuple[dict[str, str], Path]) -> None:
    _, work = site
    for name, path in PAGES.items():
        if path is not None:  # the tag page's path is the manifest's
            html = (work / "output" / path / "index.html").read_text("utf-8")
            assert '<aside class="alerts" aria-label="Cảnh báo khẩn">' in html, name


def failing_audits(report: dict[str, Any], category: str) -> list[str]:
    """The audits that cost ``category`` points: id, title and what Lighthouse measured."""
    out = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            shown = audit.get("displayValue") or ""
            out.append(f"{audit['id']}: {audit['title']} (score {audit['score']}) {shown}".strip())
    return out


@pytest.mark.parametrize("name", PAGES)
def test_lighthouse_scores(site: tuple[dict[str, str], Path], name: str) -> None:
    urls, work = site
    started = time.monotonic()
    report = lighthouse(urls[name], work / f"{name}.json")
    seconds = time.monotonic() - started
    assert report["configSettings"]["formFactor"] == "mobile"
    assert report["configSettings"]["throttlingMethod"] == "simulate"
    assert report["finalDisplayedUrl"] == urls[name]
    scores = {c: report["categories"][c]["score"] for c in MINIMUM}
    print(f"{name}: {scores} in {seconds:.1f} s")  # shown with -s, and on failure
    failures = {
        category: failing_audits(report, category)
        for category, minimum in MINIMUM.items()
        if scores[category] is None or scores[category] < minimum
    }
    assert failures == {}, f"{urls[name]}: {scores}"
