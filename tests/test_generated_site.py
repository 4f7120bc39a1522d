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


def ends(n: dict[str, Any]) -> dt.datetime | None:
    """When the notice stops being in effect: an ``expires`` time itself; an ``expires``
    day is the last day in effect (site time), so the midnight after it."""
    if n["expires"] is None:
        return None
    if len(n["expires"]) > len("2026-11-28"):
        return dt.datetime.fromisoformat(n["expires"])
    after = dt.date.fromisoformat(n["expires"]) + dt.timedelta(days=1)
    return dt.datetime(after.year, after.month, after.day, tzinfo=NOW.tzinfo)


def expired(n: dict[str, Any]) -> bool:
    end = ends(n)
    return end is not None and end <= NOW


def current(n: dict[str, Any]) -> bool:
    return published(n) and not expired(n)


def shows_at(n: dict[str, Any], place: str) -> bool:
    return n["locations"] == "all" or place in n["locations"]


def concerns(urgent: dict[str, Any], n: dict[str, Any]) -> bool:
    """An urgent notice's banner is on ``n``'s page: it is for every place, or names one
    of the places ``n`` names."""
    if urgent["locations"] == "all":
        return True
    return n["locations"] != "all" and bool(set(urgent["locations"]) & set(n["locations"]))


def in_order(notices: list[dict[str, Any]]) -> list[str]:
    """Slugs in the order lists show them: urgent, then pinned, then newest, then by slug."""
    return [
        n["slug"]
        for n in sorted(
            notices,
            key=lambda n: (
                not n["urgent"],
                not n["pinned"],
                -dt.datetime.fromisoformat(n["date"]).timestamp(),
                n["slug"],
            ),
        )
    ]


@dataclass(frozen=True)
class Expected:
    """What a page must show, in order: banners and listed notices (slugs)."""

    banners: list[str]
    listed: list[str]
    commune: list[str]  # a place's page: the notices under "for every place"


def expected_urgent(corpus: dict[str, Any]) -> list[str]:
    """The banners of the home page: every current urgent notice."""
    return in_order([n for n in corpus["notices"] if current(n) and n["urgent"]])


def expected_home(corpus: dict[str, Any]) -> Expected:
    live = [n for n in corpus["notices"] if current(n)]
    first = [n for n in live if n["urgent"] or n["pinned"]]
    rest = in_order([n for n in live if not (n["urgent"] or n["pinned"])])
    return Expected(expected_urgent(corpus), in_order(first) + rest[:PAGE_SIZE], [])


def expected_place(corpus: dict[str, Any], place: str) -> Expected:
    """A place's page 1: the urgent notices of the place and of every place, its own, then
    under their heading those of every place."""
    live = [n for n in corpus["notices"] if current(n) and shows_at(n, place)]
    urgent = in_order([n for n in live if n["urgent"]])
    own = in_order([n for n in live if not n["urgent"] and n["locations"] != "all"])
    commune = in_order([n for n in live if not n["urgent"] and n["locations"] == "all"])
    shown = (urgent + own + commune)[:PAGE_SIZE]
    split = min(len(urgent + own), PAGE_SIZE)
    return Expected(urgent, shown[:split], shown[split:])


def expected_notice(corpus: dict[str, Any], slug: str) -> Expected:
    """A notice's page: the banners that concern it, but not its own."""
    [n] = [n for n in corpus["notices"] if n["slug"] == slug]
    banners = [
        u
        for u in corpus["notices"]
        if current(u) and u["urgent"] and u["slug"] != slug and concerns(u, n)
    ]
    return Expected(in_order(banners), [], [])


def expected_elsewhere(corpus: dict[str, Any]) -> Expected:
    """Any other page (a topic, the archive, the list of all, a standing page, /verify/,
    404): the banners of urgent notices for every place."""
    banners = [
        n for n in corpus["notices"] if current(n) and n["urgent"] and n["locations"] == "all"
    ]
    return Expected(in_order(banners), [], [])


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


class Shown(HTMLParser):
    """What a page shows of notices, in order: the banners (links in ``<aside
    class="alerts">``), and the items of its lists (``<ul class="notices">``): slug, the
    item's class and its badge; on a place's page, those after ``<h3 id="chung">`` apart.
    Links may be relative (to ``page``, the page's URL path) or root-relative."""

    NOTICE = re.compile(r"/n/([^/]+)/")

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = "/" + page
        self.banners: list[str] = []
        self.items: list[tuple[str, str, str]] = []  # slug, class, badge text
        self.commune: list[tuple[str, str, str]] = []
        self._in: str | None = None  # "alerts" | "notices"
        self._depth = 0  # open elements of that kind
        self._item: list[str] | None = None  # class, slug, badge
        self._badge = False
        self._after_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "h3" and a.get("id") == "chung":
            self._after_heading = True
        if self._in is None:
            if tag == "aside" and "alerts" in classes:
                self._in, self._depth = "alerts", 1
            elif tag == "ul" and "notices" in classes:
                self._in, self._depth = "notices", 1
            return
        if tag in ("aside", "ul"):
            self._depth += 1
        m = self.NOTICE.fullmatch(urljoin(self.page, a.get("href") or ""))
        if self._in == "alerts" and tag == "a" and m:
            self.banners.append(m.group(1))
        elif self._in == "notices":
            if tag == "li" and "notice" in classes:
                self._item = [" ".join(classes), "", ""]
            elif tag == "a" and m and self._item is not None and not self._item[1]:
                self._item[1] = m.group(1)
            elif tag == "span" and ({"badge", "pin"} & set(classes)):
                self._badge = True

    def handle_data(self, data: str) -> None:
        if self._badge and self._item is not None:
            self._item[2] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._badge = False
        if self._in == "notices" and tag == "li" and self._item is not None:
            kind, slug, badge = self._item
            (self.commune if self._after_heading else self.items).append((slug, kind, badge))
            self._item = None
        if self._in is not None and tag in ("aside", "ul"):
            self._depth -= 1
            if self._depth == 0:
                self._in = None


def shown(html: str, page: str) -> Shown:
    parser = Shown(page)
    parser.feed(html)
    parser.close()
    return parser


def check_page(html: str, want: Expected, corpus: dict[str, Any], page: str) -> None:
    """The page shows ``want``'s banners and lists, each item marked as it must be."""
    got = shown(html, page)
    assert got.banners == want.banners, page
    assert [i[0] for i in got.items] == want.listed, page
    assert [i[0] for i in got.commune] == want.commune, page
    by_slug = {n["slug"]: n for n in corpus["notices"]}
    for slug, kind, badge in got.items + got.commune:
        n = by_slug[slug]
        if n["urgent"]:
            assert (kind, badge) == ("notice urgent", "Khẩn"), (page, slug)
        elif n["pinned"]:
            assert (kind, badge) == ("notice pinned", "Ghim"), (page, slug)
        else:
            assert (kind, badge) == ("notice", ""), (page, slug)


def listed_notices(site: Site, page_path: str) -> set[str]:
    """Slugs of the notices the page lists (not those of its banners), each link resolved."""
    found = set()
    for ref in refs(site.html(page_path)):
        target = internal_file(site, page_path, ref)
        if target and (m := NOTICE_FILE.fullmatch(target)):
            found.add(m.group(1))
    got = shown(site.html(page_path), page_path)
    listed = {slug for slug, _kind, _badge in got.items + got.commune}
    assert listed <= found, page_path  # the parser read the links the page has
    return listed


# -- tests --------------------------------------------------------------------------------


def test_corpus_has_the_intended_mix(site: Site) -> None:
    notices = site.corpus["notices"]
    assert len(notices) == NOTICES and len(site.corpus["locations"]) == PLACES
    by_category = Counter(n["category"] for n in notices)
    assert by_category["draft"] >= 3 and by_category["future"] >= 5
    assert 25 <= by_category["expired"] <= 35
    assert sum(n["pinned"] for n in notices) >= 3
    assert 30 <= sum(n["locations"] == "all" for n in notices) <= 90
    # Urgent notices: two current for every place (one until a time later today, one
    # until the end of a day), one current naming one or two places, one expired this
    # morning at 09:00.
    urgent = [n for n in notices if n["urgent"]]
    live = [n for n in urgent if current(n)]
    assert len(urgent) == 4 and len(live) == 3
    everywhere = sorted(n["expires"] for n in live if n["locations"] == "all")
    assert everywhere[0] == "2026-11-28T18:00:00+07:00" and len(everywhere[1]) == 10
    assert [len(n["locations"]) in (1, 2) for n in live if n["locations"] != "all"] == [True]
    [gone] = [n for n in urgent if not current(n)]
    assert published(gone) and gone["expires"] == "2026-11-28T09:00:00+07:00"
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


def test_home_lists_urgent_pinned_and_newest_and_links_to_all(site: Site) -> None:
    listed = listed_notices(site, "")
    assert not listed & slugs(site, expired)
    first = slugs(site, lambda n: current(n) and (n["urgent"] or n["pinned"]))
    assert first <= listed
    assert len(listed - first) == min(PAGE_SIZE, len(slugs(site, current) - first))
    assert listed_across(site, "tat-ca/") == slugs(site, current)
    check_page(site.html(""), expected_home(site.corpus), site.corpus, "")


def test_lists_put_urgent_first_then_pinned_then_newest(site: Site) -> None:
    live = [n for n in site.corpus["notices"] if current(n)]
    check_page(
        site.html("tat-ca/"),
        Expected(expected_elsewhere(site.corpus).banners, in_order(live)[:PAGE_SIZE], []),
        site.corpus,
        "tat-ca/",
    )
    urgent_tag = "thong-bao-khan"  # every urgent notice of the corpus has this topic
    tagged = [n for n in live if "thông báo khẩn" in n["tags"]]
    check_page(
        site.html(f"t/{urgent_tag}/"),
        Expected(expected_elsewhere(site.corpus).banners, in_order(tagged)[:PAGE_SIZE], []),
        site.corpus,
        f"t/{urgent_tag}/",
    )


def test_place_pages_list_urgent_then_their_own_then_the_communes(site: Site) -> None:
    for place in site.corpus["locations"]:
        page = f"l/{place['id']}/"
        check_page(site.html(page), expected_place(site.corpus, place["id"]), site.corpus, page)


def test_banners_show_where_the_urgent_notice_concerns_the_page(site: Site) -> None:
    corpus = site.corpus
    assert len(expected_urgent(corpus)) == 3
    # the place an urgent notice names shows it; the others only those for every place
    named = {
        p
        for n in corpus["notices"]
        if current(n) and n["urgent"]
        for p in n["locations"]
        if n["locations"] != "all"
    }
    assert named and len(expected_place(corpus, sorted(named)[0]).banners) == 3
    assert len(expected_elsewhere(corpus).banners) == 2
    counts: Counter[int] = Counter()  # notice pages by their number of banners
    for n in corpus["notices"]:
        if published(n):
            page = f"n/{n['slug']}/"
            want = expected_notice(corpus, n["slug"]).banners
            assert shown(site.html(page), page).banners == want, page
            counts[len(want)] += 1
    # some share the named place (3), most do not (2), the two for every place leave
    # their own out (1)
    assert counts[3] >= 1 and counts[2] > 100 and counts[1] == 2, counts
    elsewhere = expected_elsewhere(corpus).banners
    for page in ["luu-tru/", "verify/", "p/gioi-thieu/", "t/dien/"]:
        assert shown(site.html(page), page).banners == elsewhere, page
    not_found = (site.output / "404.html").read_text("utf-8")
    assert shown(not_found, "").banners == elsewhere  # its links are root-relative


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
