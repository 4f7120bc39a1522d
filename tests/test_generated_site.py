"""A 300-notice, 30-place generated site, built once: the right pages, lists, links and codes.

What each page must show is computed from ``corpus.json`` (written by
``benchmarks.corpus.generate`` from the front matter it wrote), never with generator code.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import zxingcpp
from PIL import Image

from benchmarks.corpus import generate
from generator.plan.kinds import PAGE_SIZE
from tests.conftest import NOW, build, resident_pages

pytestmark = pytest.mark.slow

NOTICES, PLACES, SEED = 300, 30, 0
EXPIRED_TEXT = "đã hết hiệu lực"
NOTICE_FILE = re.compile(r"n/([^/]+)/index\.html")


@dataclass(frozen=True)
class Site:
    output: Path
    corpus: dict[str, Any]  # what generate() says it wrote
    build_seconds: float

    @property
    def base_url(self) -> str:
        return str(self.corpus["base_url"])

    def html(self, url_path: str) -> str:
        return (self.output / url_path / "index.html").read_text("utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, fixed_clock: None) -> Site:
    root = tmp_path_factory.mktemp("generated")
    content = generate(root, NOTICES, PLACES, seed=SEED)
    started = time.perf_counter()
    build(content, root / "output")
    seconds = time.perf_counter() - started
    corpus = json.loads((root / "corpus.json").read_text("utf-8"))
    return Site(root / "output", corpus, seconds)


# -- expectations, from the corpus description only ------------------------------------


def published(n: dict[str, Any]) -> bool:
    return not n["draft"] and dt.datetime.fromisoformat(n["date"]) <= NOW


def expired(n: dict[str, Any]) -> bool:
    """``expires`` is the last day in effect (site time)."""
    return n["expires"] is not None and dt.date.fromisoformat(n["expires"]) < NOW.date()


def current(n: dict[str, Any]) -> bool:
    return published(n) and not expired(n)


def shows_at(n: dict[str, Any], place: str) -> bool:
    return n["locations"] == "all" or place in n["locations"]


def slugs(site: Site, keep: Any) -> set[str]:
    return {n["slug"] for n in site.corpus["notices"] if keep(n)}


# -- reading the output -----------------------------------------------------------------


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.refs.append(value)


def refs(html: str) -> list[str]:
    parser = _Refs()
    parser.feed(html)
    parser.close()
    return parser.refs


def internal_file(site: Site, page_path: str, ref: str) -> str | None:
    """The output file a link on the page at ``page_path`` opens, or None if external."""
    if ref.startswith("#") or urlsplit(ref).scheme in ("mailto", "tel", "sms"):
        return None
    absolute = urljoin(site.base_url + page_path, ref)
    if not absolute.startswith(site.base_url):
        return None
    path = unquote(urlsplit(absolute[len(site.base_url) :]).path)
    return path + "index.html" if path == "" or path.endswith("/") else path


def listed_notices(site: Site, page_path: str) -> set[str]:
    """Slugs of the notices the page links to."""
    found = set()
    for ref in refs(site.html(page_path)):
        target = internal_file(site, page_path, ref)
        if target and (m := NOTICE_FILE.fullmatch(target)):
            found.add(m.group(1))
    return found


# -- tests --------------------------------------------------------------------------------


def test_corpus_has_the_intended_mix(site: Site) -> None:
    notices = site.corpus["notices"]
    assert len(notices) == NOTICES and len(site.corpus["locations"]) == PLACES
    by_category = Counter(n["category"] for n in notices)
    assert by_category["draft"] >= 3 and by_category["future"] >= 5
    assert 25 <= by_category["expired"] <= 35
    assert sum(n["pinned"] for n in notices) >= 3
    assert 30 <= sum(n["locations"] == "all" for n in notices) <= 90
    # The categories generate() meant agree with the rule computed here from the dates.
    for n in notices:
        if n["draft"]:
            want = "draft"
        elif not published(n):
            want = "future"
        else:
            want = "expired" if expired(n) else "current"
        assert n["category"] == want, n
    assert len({n["slug"] for n in notices}) == NOTICES


def test_published_notices_have_pages_and_no_others(site: Site) -> None:
    want = slugs(site, published)
    for n in site.corpus["notices"]:
        page = site.output / "n" / n["slug"]
        if n["slug"] in want:
            assert (page / "index.html").is_file(), n
        else:
            assert not page.exists(), f"{n['category']} notice has a page: {n}"
    assert {p.name for p in (site.output / "n").iterdir()} == want


def test_edge_dates_around_now(site: Site) -> None:
    """Published at exactly 12:00 today; 18:00 today and 05:30 UTC (12:30 here) are not."""
    by_date = {n["date"]: n for n in site.corpus["notices"]}
    assert (site.output / "n" / by_date["2026-11-28T12:00:00+07:00"]["slug"]).is_dir()
    assert not (site.output / "n" / by_date["2026-11-28T18:00:00+07:00"]["slug"]).exists()
    assert not (site.output / "n" / by_date["2026-11-28T05:30:00+00:00"]["slug"]).exists()
    last_day = [n for n in site.corpus["notices"] if n["expires"] == NOW.date().isoformat()]
    assert last_day and all(EXPIRED_TEXT not in site.html(f"n/{n['slug']}/") for n in last_day)


def test_expired_notices_say_so(site: Site) -> None:
    for n in site.corpus["notices"]:
        if not published(n):
            continue
        html = site.html(f"n/{n['slug']}/")
        assert (EXPIRED_TEXT in html) == expired(n), n


def listed_across(site: Site, first: str) -> set[str]:
    """Slugs listed on every page of a paginated list (``first``, ``first/2/``, ...)."""
    found: set[str] = set()
    number = 1
    while (site.output / (first if number == 1 else f"{first}{number}/") / "index.html").is_file():
        page = first if number == 1 else f"{first}{number}/"
        on_page = listed_notices(site, page)
        assert len(on_page - found) <= PAGE_SIZE + sum(
            1 for n in site.corpus["notices"] if n.get("pinned")
        ), page
        found |= on_page
        number += 1
    assert number > 1, f"no page at {first}"
    return found


def test_home_lists_pinned_and_newest_and_links_to_all(site: Site) -> None:
    listed = listed_notices(site, "")
    assert not listed & slugs(site, expired)
    pinned = {n["slug"] for n in site.corpus["notices"] if current(n) and n.get("pinned")}
    assert pinned <= listed
    assert len(listed - pinned) == min(PAGE_SIZE, len(slugs(site, current) - pinned))
    assert listed_across(site, "tat-ca/") == slugs(site, current)


def test_place_pages_list_exactly_their_current_notices(site: Site) -> None:
    expired_slugs = slugs(site, lambda n: published(n) and expired(n))
    for place in site.corpus["locations"]:
        pid = place["id"]
        listed = listed_across(site, f"l/{pid}/")
        assert not listed & expired_slugs, pid
        want = {n["slug"] for n in site.corpus["notices"] if current(n) and shows_at(n, pid)}
        assert listed == want, pid


def test_archive_lists_exactly_the_expired_notices(site: Site) -> None:
    assert listed_across(site, "luu-tru/") == slugs(site, lambda n: published(n) and expired(n))


def test_links_in_notice_pages_resolve(site: Site) -> None:
    broken: list[str] = []
    for n in site.corpus["notices"]:
        if not published(n):
            continue
        page = f"n/{n['slug']}/"
        targets = set()
        for ref in refs(site.html(page)):
            target = internal_file(site, page, ref)
            if target is None:
                continue
            targets.add(target)
            if not (site.output / target).is_file():
                broken.append(f"{page}: {ref} -> {target}")
        # The Markdown links written into the body became links to the right pages.
        for slug in n["links"]["notices"]:
            assert f"n/{slug}/index.html" in targets, (page, slug)
        for pid in n["links"]["locations"]:
            assert f"l/{pid}/index.html" in targets, (page, pid)
    assert not broken, "\n".join(broken[:20])


def test_every_qr_png_decodes_to_its_url(site: Site) -> None:
    manifest = json.loads((site.output / "qr-manifest.json").read_text("utf-8"))
    pages = manifest["pages"]
    pages_with_html = resident_pages(site.output)
    assert len(pages) == len(pages_with_html)
    assert len(pages) > len(slugs(site, published)) + PLACES
    wrong: list[str] = []
    for page in pages:
        with Image.open(site.output / page["qr_png"]) as image:
            texts = [r.text for r in zxingcpp.read_barcodes(image)]
        if texts != [page["url"]]:
            wrong.append(f"{page['qr_png']}: {texts} != [{page['url']!r}]")
    assert not wrong, "\n".join(wrong[:20])
