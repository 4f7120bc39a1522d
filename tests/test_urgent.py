"""Urgent notices (issue 20): a banner on every page they concern while they are in
effect, to the minute; a place's own notices before the commune's."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest

from generator.inputs.content import PLACEHOLDER
from tests.conftest import (
    SiteFactory,
    build,
    notice,
    replace_in,
    resident_pages,
    run_cli,
    tree_bytes,
)

MakeSite = Callable[[dict[str, str]], SiteFactory]

BASE = "https://test.example/"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")  # the sites' default timezone
PLACES = {
    "locations/cho.yml": "name: Chợ Định Hưng\n",
    "locations/tram-y-te.yml": "name: Trạm y tế xã\naddress: Thôn 2\n",
}
STANDING = {"pages/gioi-thieu.md": "---\ntitle: Giới thiệu\n---\nXin chào.\n"}


@dataclass(frozen=True)
class Banner:
    """One ``<p class="alert">`` of a page's ``<aside class="alerts">``."""

    flag: str
    title: str
    target: str  # the link's absolute URL
    when: str  # the time window, whitespace collapsed


class _Alerts(HTMLParser):
    """The banners of a page, as a resident reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.asides = 0
        self.inside = False
        self.found: list[dict[str, str]] = []
        self.field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "aside" and "alerts" in classes:
            self.asides += 1
            self.inside = True
        elif not self.inside:
            return
        elif tag == "p" and "alert" in classes:
            self.found.append({"flag": "", "title": "", "href": "", "when": ""})
        elif self.found and tag == "strong" and "flag" in classes:
            self.field = "flag"
        elif self.found and tag == "a":
            self.field = "title"
            self.found[-1]["href"] = a.get("href") or ""
        elif self.found and tag == "span" and "when" in classes:
            self.field = "when"

    def handle_endtag(self, tag: str) -> None:
        if tag == "aside":
            self.inside = False
        if (tag, self.field) in {("strong", "flag"), ("a", "title"), ("span", "when")}:
            self.field = None

    def handle_data(self, data: str) -> None:
        if self.field is not None:
            self.found[-1][self.field] += data


def url_of(rel: str) -> str:
    """The page's own URL, from its file under output/."""
    return BASE + rel.removesuffix("index.html")


def banners(output: Path, rel: str) -> list[Banner]:
    """The banners of the page in file ``rel`` of ``output``, in order."""
    html = (output / rel).read_text("utf-8")
    parser = _Alerts()
    parser.feed(html)
    parser.close()
    assert parser.asides == (1 if parser.found else 0), rel  # one aside, never an empty one
    if parser.found:  # under the site's header, before the page's own content
        assert html.index('<aside class="alerts"') < html.index('<main id="noi-dung">'), rel
    return [
        Banner(
            " ".join(b["flag"].split()),
            " ".join(b["title"].split()),
            urljoin(url_of(rel), b["href"]),
            " ".join(b["when"].split()),
        )
        for b in parser.found
    ]


def every_page(output: Path) -> list[str]:
    """Every page a resident may open, the 404 page included (files under output/)."""
    return [*sorted(resident_pages(output)), "404.html"]


def titles_on(html: str) -> list[str]:
    """Notice titles listed on a page, in order."""
    return re.findall(r'<span class="title">([^<]*)</span>', html)


def list_items(html: str) -> dict[str, tuple[str, str]]:
    """Each listed notice's title -> (its ``<li>`` classes, the ``<li>``'s HTML)."""
    items = re.findall(r'<li class="(notice[^"]*)">(.*?)</li>', html, re.DOTALL)
    return {
        re.findall(r'<span class="title">([^<]*)</span>', inner)[0]: (c, inner)
        for c, inner in items
    }


def text_of(html: str) -> str:
    """The page's text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" .", ".")


def article(html: str) -> str:
    return html[html.index("<article") : html.index("</article>")]


def epoch(moment: str) -> str:
    """SOURCE_DATE_EPOCH for a wall-clock time in Hà Nội, ``2026-11-30T18:00``."""
    return str(int(dt.datetime.fromisoformat(moment).replace(tzinfo=HANOI).timestamp()))


def build_at(content: Path, output: Path, moment: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean build of ``content`` as of ``moment`` (Hà Nội time)."""
    with monkeypatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", epoch(moment))
        build(content, output)
    return output


def cli_build(content: Path, output: Path, moment: str) -> str:
    """``bangtin build`` as of ``moment``: what it printed."""
    result = run_cli(
        "build", "--content", str(content), "--output", str(output),
        env={"SOURCE_DATE_EPOCH": epoch(moment)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout


def differing(one: Path, other: Path) -> list[str]:
    """The files that are not byte for byte the same in both folders (or in one only)."""
    a, b = tree_bytes(one), tree_bytes(other)
    return sorted(rel for rel in a.keys() | b.keys() if a.get(rel) != b.get(rel))


# 1. An urgent notice for every place -------------------------------------------------

STORM = notice(
    "Bão số 15",
    "2026-11-28T07:30",
    expires="2026-11-29T18:00",
    urgent="true",
    tags="[thời tiết]",
    board="true",
)
STORM_BANNER = Banner(
    "Khẩn",
    "Bão số 15",
    BASE + "n/bao/",
    "Từ 07:30 28/11/2026 · hết hiệu lực lúc 18:00 ngày 29/11/2026",
)


def many(prefix: str, count: int, month: str = "11", **keys: str) -> dict[str, str]:
    """``count`` ordinary notices ``<prefix>-01``..., one a day from the 1st of ``month``."""
    return {
        f"notices/{prefix}-{i:02d}.md": notice(
            f"{prefix.capitalize()} {i:02d}", f"2026-{month}-{i:02d}", **keys
        )
        for i in range(1, count + 1)
    }


def test_an_urgent_notice_for_every_place_is_on_every_page_but_its_own(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            **PLACES,
            **STANDING,
            "notices/bao.md": STORM,
            **many("tin", 22, tags="[tin]"),  # a second page of every list
            "notices/cu.md": notice("Cũ", "2026-11-01", expires="2026-11-10"),
        }
    ).build()
    pages = every_page(site.output)
    kinds = {
        "index.html", "n/bao/index.html", "n/tin-01/index.html", "n/cu/index.html",
        "l/cho/index.html", "l/cho/2/index.html", "l/tram-y-te/index.html",
        "p/gioi-thieu/index.html", "t/thoi-tiet/index.html", "t/tin/index.html",
        "t/tin/2/index.html", "luu-tru/index.html", "tat-ca/index.html",
        "tat-ca/2/index.html", "verify/index.html", "404.html",
    }  # fmt: skip
    assert kinds <= set(pages)
    for rel in pages:
        if rel != "n/bao/index.html":
            assert banners(site.output, rel) == [STORM_BANNER], rel

    own = site.html("n/bao/")
    assert banners(site.output, "n/bao/index.html") == []
    assert '<article class="notice-page urgent">' in own
    assert '<p class="flag">Khẩn</p>' in article(own)
    assert "Hết hiệu lực lúc 18:00 ngày 29/11/2026" in text_of(own)

    boards = [p for p in (site.output / "boards").rglob("*") if p.suffix in (".html", ".svg")]
    assert site.output / "boards" / "n-bao" / "index.html" in boards  # its own board too
    for board in boards:
        text = board.read_text("utf-8")
        assert "alert" not in text and "Khẩn" not in text, board


def test_banners_are_newest_first_and_lists_mark_urgent_apart_from_pinned(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            **PLACES,
            "notices/bao.md": notice(
                "Bão", "2026-11-28T07:30", expires="2026-11-29T18:00", urgent="true"
            ),
            "notices/lu.md": notice("Lũ", "2026-11-28T09:15", expires="2026-11-30", urgent="true"),
            "notices/sat-lo.md": notice(
                "Sạt lở", "2026-11-27T16:00", expires="2026-12-01T06:00", urgent="true"
            ),
            # newer than every urgent one: pinned is calm, below them
            "notices/hop.md": notice("Họp", "2026-11-28T10:00", pinned="true"),
            "notices/thuong.md": notice("Thường", "2026-11-28T11:00"),
        }
    ).build()
    assert [b.title for b in banners(site.output, "index.html")] == ["Lũ", "Bão", "Sạt lở"]
    assert banners(site.output, "l/cho/index.html") == banners(site.output, "index.html")
    assert banners(site.output, "index.html")[2].when == (
        "Từ 16:00 27/11/2026 · hết hiệu lực lúc 06:00 ngày 01/12/2026"
    )
    assert banners(site.output, "index.html")[0].when == (
        "Từ 09:15 28/11/2026 · có hiệu lực đến hết ngày 30/11/2026"
    )
    # each urgent notice's page: the others' banners, still newest first
    assert [b.title for b in banners(site.output, "n/bao/index.html")] == ["Lũ", "Sạt lở"]
    assert [b.title for b in banners(site.output, "n/lu/index.html")] == ["Bão", "Sạt lở"]
    assert [b.title for b in banners(site.output, "n/hop/index.html")] == ["Lũ", "Bão", "Sạt lở"]

    for page in ("", "l/cho/", "tat-ca/"):
        html = site.html(page)
        assert titles_on(html) == ["Lũ", "Bão", "Sạt lở", "Họp", "Thường"], page
        items = list_items(html)
        for title in ("Lũ", "Bão", "Sạt lở"):
            classes, inner = items[title]
            assert classes == "notice urgent", (page, title)
            assert '<span class="badge">Khẩn</span>' in inner, (page, title)
        classes, inner = items["Họp"]
        assert classes == "notice pinned", page
        assert '<span class="pin">Ghim</span>' in inner and "Khẩn" not in inner, page
        classes, inner = items["Thường"]
        assert classes == "notice" and "badge" not in inner and "Ghim" not in inner, page
    pinned = article(site.html("n/hop/"))
    assert '<p class="pin">Ghim</p>' in pinned and "Khẩn" not in pinned


# 2. An urgent notice that names places ------------------------------------------------


def test_an_urgent_notice_for_a_place_is_on_its_pages_and_its_notices_only(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            **PLACES,
            **STANDING,
            "locations/buu-dien.yml": "name: Bưu điện xã\n",
            "notices/mat-nuoc.md": notice(
                "Mất nước ở chợ",
                "2026-11-28T06:00",
                expires="2026-11-28T20:00",
                urgent="true",
                locations="[cho]",
                tags="[nước]",
                board="true",
            ),
            **many("cho", 20, locations="[cho]"),  # the market's list has a second page
            "notices/a.md": notice("Chợ và bưu điện", "2026-11-21", locations="[cho, buu-dien]"),
            "notices/b.md": notice("Trạm y tế", "2026-11-22", locations="[tram-y-te]"),
            "notices/c.md": notice("Mọi nơi", "2026-11-23", tags="[nước]"),
            "notices/cu.md": notice(
                "Chợ, đã hết hiệu lực", "2026-11-01", expires="2026-11-10", locations="[cho]"
            ),
        }
    ).build()
    expected = {
        "index.html", "l/cho/index.html", "l/cho/2/index.html",
        "n/a/index.html", "n/cu/index.html",
        *(f"n/cho-{i:02d}/index.html" for i in range(1, 21)),
    }  # fmt: skip
    banner = Banner(
        "Khẩn",
        "Mất nước ở chợ",
        BASE + "n/mat-nuoc/",
        "Từ 06:00 28/11/2026 · hết hiệu lực lúc 20:00 ngày 28/11/2026",
    )
    pages = every_page(site.output)
    assert expected | {"n/mat-nuoc/index.html", "n/b/index.html", "n/c/index.html"} <= set(pages)
    assert {"l/buu-dien/index.html", "l/tram-y-te/index.html", "t/nuoc/index.html"} <= set(pages)
    shown = {rel: found for rel in pages if (found := banners(site.output, rel))}
    assert set(shown) == expected
    assert all(found == [banner] for found in shown.values())

    assert '<p class="flag">Khẩn</p>' in article(site.html("n/mat-nuoc/"))
    assert titles_on(site.html("l/cho/"))[0] == "Mất nước ở chợ"
    assert list_items(site.html("l/cho/"))["Mất nước ở chợ"][0] == "notice urgent"
    assert "Mất nước ở chợ" not in titles_on(site.html("l/tram-y-te/"))
    for board in (site.output / "boards").rglob("*.html"):
        assert "alert" not in board.read_text("utf-8"), board


# 3. To the minute ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires", "before", "after", "window", "gone"),
    [
        (
            "2026-11-30T18:00",
            "2026-11-30T17:59",
            "2026-11-30T18:00",
            "hết hiệu lực lúc 18:00 ngày 30/11/2026",
            "Thông báo này đã hết hiệu lực lúc 18:00 ngày 30/11/2026.",
        ),
        (  # a day: in effect to its end
            "2026-11-30",
            "2026-11-30T23:59",
            "2026-12-01T00:00",
            "có hiệu lực đến hết ngày 30/11/2026",
            "Thông báo này đã hết hiệu lực sau ngày 30/11/2026.",
        ),
    ],
    ids=["time", "day"],
)
def test_an_urgent_notice_is_everywhere_until_it_expires_then_nowhere(
    make_site: MakeSite,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    expires: str,
    before: str,
    after: str,
    window: str,
    gone: str,
) -> None:
    site = make_site(
        {
            **PLACES,
            **STANDING,
            "notices/bao.md": notice(
                "Bão số 16", "2026-11-30T07:30", expires=expires, urgent="true", tags="[bão]"
            ),
            "notices/hop.md": notice("Họp thôn", "2026-11-29", locations="[cho]"),
            "notices/cu.md": notice("Cũ", "2026-11-01", expires="2026-11-10"),
        }
    )
    still = build_at(site.content, tmp_path / "before", before, monkeypatch)
    ended = build_at(site.content, tmp_path / "after", after, monkeypatch)

    banner = Banner("Khẩn", "Bão số 16", BASE + "n/bao/", f"Từ 07:30 30/11/2026 · {window}")
    for rel in every_page(still):
        assert banners(still, rel) == ([] if rel == "n/bao/index.html" else [banner]), rel
    home = (still / "index.html").read_text("utf-8")
    assert titles_on(home) == ["Bão số 16", "Họp thôn"]
    assert f"· {window}" in text_of(home)
    assert titles_on((still / "luu-tru/index.html").read_text("utf-8")) == ["Cũ"]
    page = (still / "n/bao/index.html").read_text("utf-8")
    assert '<p class="flag">Khẩn</p>' in page and "đã hết hiệu lực" not in page
    assert window[0].upper() + window[1:] in text_of(page)

    pages = every_page(ended)
    assert "t/bao/index.html" in pages and "n/bao/index.html" in pages
    for rel in pages:
        assert banners(ended, rel) == [], rel
        assert "alert" not in (ended / rel).read_text("utf-8"), rel
    assert titles_on((ended / "index.html").read_text("utf-8")) == ["Họp thôn"]
    assert titles_on((ended / "luu-tru/index.html").read_text("utf-8")) == ["Bão số 16", "Cũ"]
    page = (ended / "n/bao/index.html").read_text("utf-8")
    assert gone in text_of(page)
    assert 'class="flag"' not in page and '<article class="notice-page">' in page


def test_an_update_build_with_no_edit_follows_the_clock(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The build that records "nothing to do until 18:00" builds again at 18:00 (the
    `expires` time), then at 20:00 (a notice's `date`), writing what a clean build writes."""
    site = make_site(
        {
            **PLACES,
            **STANDING,
            "notices/bao.md": notice(
                "Bão số 16", "2026-11-30T07:30", expires="2026-11-30T18:00", urgent="true"
            ),
            "notices/lu.md": notice(
                "Lũ sông Chu", "2026-11-30T20:00", expires="2026-12-01T06:00", urgent="true"
            ),
            "notices/hop.md": notice("Họp thôn", "2026-11-29", locations="[cho]"),
        }
    )
    output = tmp_path / "output"

    def titles(folder: Path) -> dict[str, list[str]]:
        return {rel: [b.title for b in banners(folder, rel)] for rel in every_page(folder)}

    assert "Built" in cli_build(site.content, output, "2026-11-30T17:00")
    assert titles(output)["index.html"] == ["Bão số 16"]
    assert "Nothing changed" in cli_build(site.content, output, "2026-11-30T17:59")

    assert "Built" in cli_build(site.content, output, "2026-11-30T18:00")
    assert all(found == [] for found in titles(output).values())
    fresh = tmp_path / "fresh-1800"
    assert "Built" in cli_build(site.content, fresh, "2026-11-30T18:00")
    assert differing(output, fresh) == []
    assert "Nothing changed" in cli_build(site.content, output, "2026-11-30T19:59")

    assert "Built" in cli_build(site.content, output, "2026-11-30T20:00")
    shown = titles(output)
    assert shown["index.html"] == shown["l/cho/index.html"] == shown["404.html"] == ["Lũ sông Chu"]
    assert shown["n/lu/index.html"] == []
    fresh = tmp_path / "fresh-2000"
    assert "Built" in cli_build(site.content, fresh, "2026-11-30T20:00")
    assert differing(output, fresh) == []


# 4. A place's page ----------------------------------------------------------------


def test_a_place_lists_urgent_then_its_own_then_the_communes_across_pages(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            **PLACES,
            "locations/buu-dien.yml": "name: Bưu điện xã\ndescription: Gửi thư, nhận lương hưu.\n",
            **many("rieng", 25, "10", locations="[cho]"),
            **many("chung", 25, "11"),  # newer than the market's own: still after them
            "notices/rieng-01.md": notice("Rieng 01", "2026-10-01", locations="[cho]", pinned="true"),
            "notices/chung-01.md": notice("Chung 01", "2026-11-01", pinned="true"),
            "notices/khan-cho.md": notice(
                "Khẩn chợ", "2026-11-27T08:00", expires="2026-11-30T18:00", urgent="true",
                locations="[cho]",
            ),
            "notices/khan-xa.md": notice(
                "Khẩn xã", "2026-11-26T08:00", expires="2026-11-30T18:00", urgent="true"
            ),
        }
    ).build()  # fmt: skip
    own = ["Rieng 01", *(f"Rieng {i:02d}" for i in range(25, 1, -1))]
    commune = ["Chung 01", *(f"Chung {i:02d}" for i in range(25, 1, -1))]
    order = ["Khẩn chợ", "Khẩn xã", *own, *commune]
    start = 2 + len(own)  # where the commune's part begins
    heading = '<h3 id="chung">Thông báo chung cho mọi địa điểm</h3>'

    def parts(page: str) -> tuple[list[str], list[str]]:
        """The titles before the commune's heading, and those after it."""
        html = site.html(page)
        assert html.count(heading) <= 1, page
        mine, _, theirs = html.partition(heading)
        return titles_on(mine), titles_on(theirs)

    assert not (site.output / "l/cho/4").exists()
    assert parts("l/cho/") == (order[:20], [])
    assert parts("l/cho/2/") == (order[20:start], order[start:40])
    assert parts("l/cho/3/") == ([], order[40:])
    assert len(order[40:]) == 12
    assert "notice urgent" not in site.html("l/cho/2/") + site.html("l/cho/3/")
    items = list_items(site.html("l/cho/"))
    assert items["Khẩn chợ"][0] == items["Khẩn xã"][0] == "notice urgent"
    assert items["Rieng 01"][0] == "notice pinned"
    assert list_items(site.html("l/cho/2/"))["Chung 01"][0] == "notice pinned"

    # a place with no notices of its own: the commune's urgent one, then the rest under
    # the heading; not the market's urgent one (list or banner)
    assert parts("l/tram-y-te/") == (["Khẩn xã"], commune[:19])
    assert parts("l/tram-y-te/2/") == ([], commune[19:])
    assert [b.title for b in banners(site.output, "l/tram-y-te/index.html")] == ["Khẩn xã"]
    assert [b.title for b in banners(site.output, "l/cho/2/index.html")] == ["Khẩn chợ", "Khẩn xã"]

    # "Thông tin địa điểm" only when there is something to say
    assert "Thông tin địa điểm" not in site.html("l/cho/")  # a name only
    assert "Thông tin địa điểm" not in site.html("l/tram-y-te/")  # an address, shown above
    assert "Thông tin địa điểm" in site.html("l/buu-dien/")
    assert "Gửi thư, nhận lương hưu." in site.html("l/buu-dien/")


# 5. From the command line -----------------------------------------------------------


def test_new_urgent_notice_then_a_build_shows_its_banner(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site(PLACES)
    made = run_cli(
        "new", "notice", "Bão số 15: sơ tán", "--urgent", "--expires", "2026-11-30T18:00",
        "--content", str(site.content),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    [path] = (site.content / "notices").glob("*.md")
    assert path.name == "2026-11-28-bao-so-15-so-tan.md"
    lines = path.read_text("utf-8").splitlines()
    assert "expires: 2026-11-30T18:00" in lines
    assert any(line.startswith("urgent: true ") for line in lines)
    assert any(line.startswith("pinned: false ") for line in lines)
    replace_in(path, PLACEHOLDER, "Bà con sơ tán đến nhà văn hoá thôn")

    assert "Built" in cli_build(site.content, tmp_path / "out", "2026-11-28T12:00")
    assert banners(tmp_path / "out", "index.html") == [
        Banner(
            "Khẩn",
            "Bão số 15: sơ tán",
            BASE + "n/bao-so-15-so-tan/",
            "Từ 28/11/2026 · hết hiệu lực lúc 18:00 ngày 30/11/2026",  # a day: no time of day
        )
    ]

    pinned = run_cli("new", "notice", "Họp dân", "--pinned", "--content", str(site.content))
    assert pinned.returncode == 0, pinned.stderr
    lines = (site.content / "notices/2026-11-28-hop-dan.md").read_text("utf-8").splitlines()
    assert any(line.startswith("pinned: true ") for line in lines)
    assert any(line.startswith("urgent: false ") for line in lines)


def test_an_urgent_notice_with_no_expires_is_warned_about(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/a.md": notice("Bão", "2026-11-20T07:30", urgent="true"),
            "notices/b.md": notice("Nháp", "2026-11-20", urgent="true", draft="true"),
            "notices/c.md": notice("Lũ", "2026-11-20", urgent="true", expires="2026-12-01"),
        }
    )
    warned = run_cli("build", "--content", str(site.content), "--output", str(site.output))
    assert warned.returncode == 0, warned.stderr
    assert "notices/a.md:4:9: warning: an urgent notice with no `expires`" in warned.stderr
    assert "e.g. `expires: 2026-11-30T18:00`" in warned.stderr
    assert "b.md" not in warned.stderr and "c.md" not in warned.stderr
    assert [b.title for b in banners(site.output, "index.html")] == ["Bão", "Lũ"]

    strict = run_cli("check", "--strict", "--content", str(site.content))
    assert strict.returncode == 1
    assert "notices/a.md:4:9: error: an urgent notice with no `expires`" in strict.stderr


def test_the_archive_does_not_call_an_expired_notice_urgent(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/bao.md": notice(
                "Bão", "2026-11-27T07:30", expires="2026-11-28T10:00", urgent="true"
            ),
        }
    ).build()
    assert '<p class="flag">' not in site.html("n/bao/")  # its page: no longer urgent
    classes, inner = list_items(site.html("luu-tru/"))["Bão"]
    assert classes == "notice" and "Khẩn" not in inner
    assert "đã hết hiệu lực lúc 10:00 ngày 28/11/2026" in text_of(inner)
