"""Every kind of page, one registry entry each: which pages it has and what its template gets.

Adding a page kind means adding an entry to ``KINDS`` (and its name to
``models.PageKind``), its template in the theme, and its tests: the plan makes its
pages from ``pages``, the renderer gives its template ``context`` and
``description``; nothing else lists the kinds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from generator.i18n import Message, _
from generator.models import (
    Board,
    Location,
    Notice,
    Page,
    PageKind,
    SiteConfig,
    StandingPage,
    Tag,
)
from generator.plan.urls import (
    archive_path,
    home_path,
    location_path,
    notice_path,
    page_path,
    tag_path,
)

PAGE_SIZE = 20  # notices per page of a list: small pages open fast on a weak signal


@dataclass(frozen=True, slots=True)
class Lists:
    """What the site holds on a given day, in display order: what pages are made from."""

    now: dt.datetime
    today: dt.date
    published: tuple[Notice, ...]  # every notice with a page, newest first
    current: tuple[Notice, ...]  # in effect now: urgent first, then pinned, then newest
    expired: tuple[Notice, ...]  # past their `expires`, newest first
    urgent: tuple[Notice, ...]  # the urgent notices in effect now, newest first: banners
    locations: tuple[Location, ...]
    standing: tuple[StandingPage, ...]  # by `order`, then title
    tags: tuple[Tag, ...]
    notice_tags: Mapping[str, tuple[Tag, ...]]  # notice slug -> its tags
    # place id -> its current notices: urgent, its own, then the commune's (plan.site)
    at_location: Mapping[str, tuple[Notice, ...]]
    with_tag: Mapping[str, tuple[Notice, ...]]  # tag slug -> its current notices
    boards: tuple[Board, ...]  # every place, and notices with `board: true`

    def home_notices(self) -> tuple[Notice, ...]:
        """Every urgent and pinned notice, then the newest others: one screenful, not
        the whole list."""
        first = tuple(n for n in self.current if n.urgent or n.pinned)
        return first + tuple(n for n in self.current if not (n.urgent or n.pinned))[:PAGE_SIZE]

    def commune_urgent(self) -> tuple[Notice, ...]:
        """The banners of a page that concerns no place: urgent notices for every place."""
        return tuple(n for n in self.urgent if n.locations == "all")


class Texts(Protocol):
    """The rendered Markdown a page may show (generator.render.pages.Bodies)."""

    def later(self, path: Path) -> object:
        """The file's HTML, worked out only if the page is rendered."""
        ...

    def summary_of(self, path: Path) -> str:
        """The start of the file's first paragraph, as lists show it."""
        ...


@dataclass(frozen=True, slots=True)
class Lookup:
    """Content items by page id, built once per build."""

    notices: Mapping[str, Notice]
    locations: Mapping[str, Location]
    standing: Mapping[str, StandingPage]
    tags: Mapping[str, Tag]
    order: Mapping[str, int]  # place id -> its position in the site's places

    @classmethod
    def of(cls, lists: Lists) -> Lookup:
        return cls(
            {n.slug: n for n in lists.published},
            {loc.id: loc for loc in lists.locations},
            {p.slug: p for p in lists.standing},
            {t.slug: t for t in lists.tags},
            {loc.id: i for i, loc in enumerate(lists.locations)},
        )

    def places_of(self, ids: tuple[str, ...]) -> tuple[Location, ...]:
        """The places of ``ids``, in the site's order of places."""
        return tuple(self.locations[i] for i in sorted(set(ids), key=self.order.__getitem__))


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of page: its pages, and what its template gets besides what every page gets."""

    name: PageKind
    pages: Callable[[SiteConfig, Lists], list[Page]]
    context: Callable[[Lists, Page, Lookup, Texts], dict[str, Any]]
    # a page of this kind, as a problem names it (``notice `lich-tiem` ``), from its id
    called: Callable[[str], Message]
    # the page's meta description; "" for the page's own or the site's
    description: Callable[[dict[str, Any], Texts], str] = lambda context, texts: ""
    # the urgent notices whose banner the page shows (every page a resident sees)
    banners: Callable[[Lists, Page, Lookup], tuple[Notice, ...]] = lambda lists, page, lookup: (
        lists.commune_urgent()
    )


def listed(lists: Lists, page: Page) -> tuple[Notice, ...]:
    """The notices that one page of a list shows."""
    full = {
        "location": lambda: lists.at_location.get(page.id, ()),
        "tag": lambda: lists.with_tag.get(page.id, ()),
        "archive": lambda: lists.expired,
        "list": lambda: lists.current,
    }[page.kind]()
    return full[(page.number - 1) * PAGE_SIZE : page.number * PAGE_SIZE]


def pager(page: Page) -> dict[str, object]:
    """Where the previous and next pages of a list are (URL paths), if any."""

    def number(n: int) -> str:
        return page.first if n == 1 else f"{page.first}{n}/"

    return {
        "number": page.number,
        "count": page.count,
        "prev": number(page.number - 1) if page.number > 1 else None,
        "next": number(page.number + 1) if page.number < page.count else None,
    }


def paged(
    kind: PageKind, page_id: str, title: str, path: str, template: str, items: int
) -> list[Page]:
    """Page 1 at ``path``, then ``path/2/``, ``path/3/``... for a list of ``items`` notices."""
    count = max(1, -(-items // PAGE_SIZE))
    return [
        Page(
            kind,
            page_id,
            title if n == 1 else f"{title} (trang {n})",
            path if n == 1 else f"{path}{n}/",
            template,
            number=n,
            count=count,
            first=path,
        )
        for n in range(1, count + 1)
    ]


def notice_page(site: SiteConfig, n: Notice) -> Page:
    return Page("notice", n.slug, n.title, notice_path(site, n.slug), "notice.html")


def _notice_banners(lists: Lists, page: Page, lookup: Lookup) -> tuple[Notice, ...]:
    """The urgent notices that concern this notice, but for itself (its page says it)."""
    here = lookup.notices[page.id]
    return tuple(u for u in lists.urgent if u is not here and u.concerns(here))


def _location_banners(lists: Lists, page: Page, lookup: Lookup) -> tuple[Notice, ...]:
    return tuple(u for u in lists.urgent if u.shows_at(page.id))


def _list_context(lists: Lists, page: Page, lookup: Lookup, texts: Texts) -> dict[str, Any]:
    return {"notices": listed(lists, page), "pager": pager(page)}


def _home(lists: Lists, page: Page, lookup: Lookup, texts: Texts) -> dict[str, Any]:
    shown = lists.home_notices()
    return {
        "notices": shown,
        "locations": lists.locations,
        "tags": lists.tags,
        "more": len(lists.current) - len(shown),
    }


def _notice(lists: Lists, page: Page, lookup: Lookup, texts: Texts) -> dict[str, Any]:
    n = lookup.notices[page.id]
    places = lists.locations if n.locations == "all" else lookup.places_of(n.locations)
    return {
        "notice": n,
        "body": texts.later(n.source.path),
        "expired": n.is_expired(lists.now),
        "places": places,
        "all_places": n.locations == "all",
        "tags": lists.notice_tags[n.slug],
    }


def _location(lists: Lists, page: Page, lookup: Lookup, texts: Texts) -> dict[str, Any]:
    """A place's notices (this page of them): its own, urgent ones first, then, under
    their own heading, the commune's (``Lists.at_location``'s order)."""
    loc = lookup.locations[page.id]
    shown = listed(lists, page)
    own = tuple(n for n in shown if n.urgent or n.locations != "all")
    return {
        "location": loc,
        "details": texts.later(loc.source.path),
        "notices": own,
        "commune": shown[len(own) :],
        "pager": pager(page),
    }


def _location_description(context: dict[str, Any], texts: Texts) -> str:
    loc: Location = context["location"]
    return texts.summary_of(loc.source.path) or f"Thông báo tại {loc.name}"


def _summary(item: Notice | StandingPage, texts: Texts) -> str:
    return item.summary or texts.summary_of(item.source.path)


def _home_pages(site: SiteConfig, lists: Lists) -> list[Page]:
    return [Page("home", "home", site.title, home_path(), "home.html", site.description)]


def _notice_pages(site: SiteConfig, lists: Lists) -> list[Page]:
    return [notice_page(site, n) for n in lists.published]


def _location_pages(site: SiteConfig, lists: Lists) -> list[Page]:
    pages = []
    for loc in lists.locations:
        path, count = location_path(site, loc.id), len(lists.at_location[loc.id])
        pages += paged("location", loc.id, loc.name, path, "location.html", count)
    return pages


def _standing_pages(site: SiteConfig, lists: Lists) -> list[Page]:
    return [
        Page("page", p.slug, p.title, page_path(site, p.slug), "page.html") for p in lists.standing
    ]


def _standing(lists: Lists, page: Page, lookup: Lookup, texts: Texts) -> dict[str, Any]:
    p = lookup.standing[page.id]
    return {"standing": p, "body": texts.later(p.source.path)}


def _tag_pages(site: SiteConfig, lists: Lists) -> list[Page]:
    pages = []
    for tag in lists.tags:
        path, count = tag_path(site, tag.slug), len(lists.with_tag[tag.slug])
        pages += paged("tag", tag.slug, f"Chủ đề: {tag.name}", path, "tag.html", count)
    return pages


def _tag(lists: Lists, page: Page, lookup: Lookup, texts: Texts) -> dict[str, Any]:
    return {"tag": lookup.tags[page.id], **_list_context(lists, page, lookup, texts)}


def _archive_pages(site: SiteConfig, lists: Lists) -> list[Page]:
    title, path = "Thông báo đã hết hiệu lực", archive_path(site)
    return paged("archive", "archive", title, path, "archive.html", len(lists.expired))


def _list_pages(site: SiteConfig, lists: Lists) -> list[Page]:
    path = f"{site.urls.all}/"
    return paged("list", "all", "Tất cả thông báo", path, "list.html", len(lists.current))


def _verify_pages(site: SiteConfig, lists: Lists) -> list[Page]:
    path = f"{site.urls.verify}/"
    return [Page("verify", "verify", "Kiểm tra bảng QR", path, "verify.html")]


def _verify(lists: Lists, page: Page, lookup: Lookup, texts: Texts) -> dict[str, Any]:
    return {"boards": lists.boards}


# In the order of the site's pages (and of qr-manifest.json).
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in [
        Kind(
            "home",
            _home_pages,
            _home,
            lambda i: _("home `{id}`", id=i),
            banners=lambda lists, page, lookup: lists.urgent,
        ),
        Kind(
            "notice",
            _notice_pages,
            _notice,
            lambda i: _("notice `{id}`", id=i),
            lambda c, t: _summary(c["notice"], t),
            _notice_banners,
        ),
        Kind(
            "location",
            _location_pages,
            _location,
            lambda i: _("location `{id}`", id=i),
            _location_description,
            _location_banners,
        ),
        Kind(
            "page",
            _standing_pages,
            _standing,
            lambda i: _("page `{id}`", id=i),
            lambda c, t: _summary(c["standing"], t),
        ),
        Kind("tag", _tag_pages, _tag, lambda i: _("tag `{id}`", id=i)),
        Kind("archive", _archive_pages, _list_context, lambda i: _("archive `{id}`", id=i)),
        Kind("list", _list_pages, _list_context, lambda i: _("list `{id}`", id=i)),
        Kind("verify", _verify_pages, _verify, lambda i: _("verify `{id}`", id=i)),
    ]
}
