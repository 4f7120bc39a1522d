"""Decide which pages the site has, what each lists, and every content file's URL."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Position, Problems
from generator.i18n import Message, _
from generator.models import (
    Board,
    Content,
    Location,
    Notice,
    Page,
    Redirect,
    SiteConfig,
    StandingPage,
    Tag,
)
from generator.plan.kinds import KINDS, Lists, listed
from generator.plan.urls import (
    location_path,
    notice_path,
    page_path,
    slugify,
)


@dataclass(frozen=True, slots=True)
class Plan:
    """Every page of the site on one day, what each lists, and where each content file is."""

    now: dt.datetime
    today: dt.date
    lists: Lists
    pages: tuple[Page, ...]
    links: dict[Path, str]  # content file (NFC: links are NFC text) -> URL path, if published
    redirects: tuple[Redirect, ...]  # old paths of published pages
    next_change: dt.datetime | None  # when a notice is next published or expires by itself

    # What templates and stages read most, by name (see Lists).
    @property
    def published(self) -> tuple[Notice, ...]:
        return self.lists.published

    @property
    def current(self) -> tuple[Notice, ...]:
        return self.lists.current

    @property
    def expired(self) -> tuple[Notice, ...]:
        return self.lists.expired

    @property
    def locations(self) -> tuple[Location, ...]:
        return self.lists.locations

    @property
    def standing(self) -> tuple[StandingPage, ...]:
        return self.lists.standing

    @property
    def tags(self) -> tuple[Tag, ...]:
        return self.lists.tags

    @property
    def notice_tags(self) -> Mapping[str, tuple[Tag, ...]]:
        return self.lists.notice_tags

    @property
    def boards(self) -> tuple[Board, ...]:
        return self.lists.boards

    def home_notices(self) -> tuple[Notice, ...]:
        return self.lists.home_notices()

    def listed(self, page: Page) -> tuple[Notice, ...]:
        """The notices that one page of a list shows."""
        return listed(self.lists, page)

    def is_expired(self, notice: Notice) -> bool:
        return notice.is_expired(self.now)


def newest_first(notices: list[Notice]) -> list[Notice]:
    return sorted(notices, key=lambda n: (-n.date.timestamp(), n.slug))


def plan_site(site: SiteConfig, content: Content, now: dt.datetime) -> Plan:
    """Every page of the site, in a stable order; raises BuildError on URL clashes."""
    today = now.date()
    published = newest_first([n for n in content.notices if n.is_published(now)])
    current = [n for n in published if not n.is_expired(now)]
    # stable: urgent first, then pinned, each group newest first
    current.sort(key=lambda n: (not n.urgent, not n.pinned))
    expired = [n for n in published if n.is_expired(now)]
    standing = sorted(
        (p for p in content.pages if not p.draft), key=lambda p: (p.order, p.title, p.slug)
    )

    tags_by_slug: dict[str, Tag] = {}
    notice_tags: dict[str, tuple[Tag, ...]] = {}
    for notice in sorted(published, key=lambda n: n.source.path.as_posix()):
        own: list[Tag] = []
        for name in notice.tags:
            slug = slugify(name)
            if not slug:
                continue
            tag = tags_by_slug.setdefault(slug, Tag(slug, name))
            if tag not in own:
                own.append(tag)
        notice_tags[notice.slug] = tuple(own)
    tags = tuple(sorted(tags_by_slug.values(), key=lambda t: t.slug))

    with_tag: dict[str, list[Notice]] = {tag.slug: [] for tag in tags}
    for n in current:  # one pass, in display order
        for tag in notice_tags[n.slug]:
            with_tag[tag.slug].append(n)

    redirects = [
        Redirect(alias, notice_path(site, n.slug)) for n in published for alias in n.aliases
    ]
    redirects += [
        Redirect(alias, location_path(site, loc.id))
        for loc in content.locations
        for alias in loc.aliases
    ]
    redirects += [Redirect(alias, page_path(site, p.slug)) for p in standing for alias in p.aliases]
    boards = [
        Board(
            loc.id,
            "location",
            loc.name,
            location_path(site, loc.id),
            loc.board_size or site.boards.size,
        )
        for loc in content.locations
    ]
    boards += [
        Board(
            f"n-{n.slug}",
            "notice",
            n.title,
            notice_path(site, n.slug),
            n.board_size or site.boards.size,
        )
        for n in published
        if n.board
    ]
    lists = Lists(
        now=now,
        today=today,
        published=tuple(published),
        current=tuple(current),
        expired=tuple(expired),
        urgent=tuple(n for n in current if n.urgent),
        locations=content.locations,
        standing=tuple(standing),
        tags=tags,
        notice_tags=notice_tags,
        at_location=at_locations(content.locations, current),
        with_tag={k: tuple(v) for k, v in with_tag.items()},
        boards=tuple(boards),
    )
    pages = [page for kind in KINDS.values() for page in kind.pages(site, lists)]
    links: dict[Path, str] = {nfc(n.source.path): notice_path(site, n.slug) for n in published}
    links.update((nfc(loc.source.path), location_path(site, loc.id)) for loc in content.locations)
    links.update((nfc(p.source.path), page_path(site, p.slug)) for p in standing)
    check_paths(site, pages, redirects, boards)
    return Plan(
        now=now,
        today=today,
        lists=lists,
        pages=tuple(pages),
        links=links,
        redirects=tuple(redirects),
        next_change=next_change(site, content, now),
    )


def at_locations(
    locations: tuple[Location, ...], current: list[Notice]
) -> dict[str, tuple[Notice, ...]]:
    """Each place's current notices, in the order its page lists them: the urgent ones
    (its own and the commune's), then its own (pinned first, then newest), then the
    commune's (``locations: all``; pinned first, then newest)."""
    urgent = {loc.id: [] for loc in locations}  # type: dict[str, list[Notice]]
    own = {loc.id: [] for loc in locations}  # type: dict[str, list[Notice]]
    everywhere: list[Notice] = []
    for n in current:  # in display order: urgent, pinned, newest
        if n.locations == "all":
            if n.urgent:
                for place in urgent.values():
                    place.append(n)
            else:
                everywhere.append(n)
        else:
            for place_id in n.locations:
                (urgent if n.urgent else own)[place_id].append(n)
    return {loc.id: (*urgent[loc.id], *own[loc.id], *everywhere) for loc in locations}


def next_change(site: SiteConfig, content: Content, now: dt.datetime) -> dt.datetime | None:
    """The next moment the site changes with no edit: a publication or an expiry (the
    ``expires`` time, or the midnight after the ``expires`` day)."""
    moments = [n.date for n in content.notices if not n.draft and n.date > now]
    moments += [end for n in content.notices if not n.draft and (end := n.ends) is not None]
    future = [m for m in moments if m > now]
    return min(future) if future else None


# Files and folders at the top of every output: an alias must not take their place.
RESERVED = frozenset(
    {
        "404.html", "_headers", "_redirects", "assets", "boards", "feed.xml", "index.html",
        "qr-manifest.json", "qr.png", "qr.svg", "robots.txt", "sitemap.xml",
    }
)  # fmt: skip


def check_paths(
    site: SiteConfig, pages: list[Page], redirects: list[Redirect], boards: list[Board]
) -> None:
    """No two pages, aliases or boards may share a URL, and no alias may shadow a file."""
    problems = Problems()
    # Case-insensitive: on macOS and Windows `L/Cho/` and `l/cho/` are one folder.
    seen: dict[str, Message] = {}  # URL path -> what has it
    for page in pages:
        called = KINDS[page.kind].called(page.id)
        other = seen.get(page.url_path.lower())
        if other is not None:
            problems.add(
                Position(site.source),
                _(
                    "two pages would have the URL /{path}: {first} and {second}",
                    path=page.url_path,
                    first=other,
                    second=called,
                ),
                hint=_("change one slug, or the `urls:` prefixes in site.yml"),
                source_line="",
            )
        seen[page.url_path.lower()] = called
    page_dirs = [p.url_path.lower() for p in pages if p.url_path]
    for r in redirects:
        path = r.alias.path.lower()
        clash = seen.get(path)
        inside = next((d for d in page_dirs if path.startswith(d) and path != d), None)
        if clash is not None:
            problems.add(
                r.alias.pos,
                _("alias /{alias} is already the URL of {clash}", alias=r.alias.path, clash=clash),
                hint=_("an alias is an old URL that no page uses any more; remove it"),
            )
        elif inside is not None:
            problems.add(
                r.alias.pos,
                _("alias /{alias} is inside the page /{page}", alias=r.alias.path, page=inside),
            )
        elif path.split("/")[0] in RESERVED:
            problems.add(
                r.alias.pos,
                _(
                    "alias /{alias} would replace bangtin's own /{name}",
                    alias=r.alias.path,
                    name=path.split("/")[0],
                ),
            )
        else:
            seen[path] = _("an alias of /{target}", target=r.target)
    board_ids: dict[str, str] = {}
    for board in boards:
        if board.id in board_ids:
            problems.add(
                Position(site.source),
                _(
                    "two boards would have the id `{id}`: {first} and {second}",
                    id=board.id,
                    first=board_ids[board.id],
                    second=board.title,
                ),
                hint=_("rename the place or give the notice a different `slug:`"),
                source_line="",
            )
        board_ids[board.id] = board.title
    problems.check()


def nfc(path: Path) -> Path:
    """``path`` with its names in NFC, as link text is: a file saved with a decomposed
    name (macOS, some zip tools) is found by the link an editor types."""
    text = str(path)
    return path if text.isascii() else Path(unicodedata.normalize("NFC", text))
