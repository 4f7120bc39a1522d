"""Decide which pages the site has, what each lists, and every content file's URL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Position, Problems
from generator.models import (
    Board,
    Content,
    Location,
    Notice,
    Page,
    PageKind,
    Redirect,
    SiteConfig,
    StandingPage,
    Tag,
)
from generator.urls import (
    archive_path,
    home_path,
    location_path,
    notice_path,
    page_path,
    slugify,
    tag_path,
)


@dataclass(frozen=True, slots=True)
class Plan:
    now: dt.datetime
    today: dt.date
    pages: tuple[Page, ...]
    published: tuple[Notice, ...]  # every notice with a page, newest first
    current: tuple[Notice, ...]  # in effect today: pinned first, then newest
    expired: tuple[Notice, ...]  # past their `expires` day, newest first
    locations: tuple[Location, ...]
    standing: tuple[StandingPage, ...]  # by `order`, then title
    tags: tuple[Tag, ...]
    notice_tags: dict[str, tuple[Tag, ...]]  # notice slug -> its tags
    links: dict[Path, str]  # content file -> URL path, for published items only
    redirects: tuple[Redirect, ...]  # old paths of published pages
    boards: tuple[Board, ...]  # every place, and notices with `board: true`
    at_location: dict[str, tuple[Notice, ...]]  # place id -> its current notices, in order
    next_change: dt.datetime | None  # when a notice is next published or expires by itself
    with_tag: dict[str, tuple[Notice, ...]]  # tag slug -> its current notices, in order

    def current_at(self, location_id: str) -> tuple[Notice, ...]:
        return self.at_location.get(location_id, ())

    def current_tagged(self, tag: Tag) -> tuple[Notice, ...]:
        return self.with_tag.get(tag.slug, ())

    def home_notices(self) -> tuple[Notice, ...]:
        """Every pinned notice, then the newest others: one screenful, not the whole list."""
        pinned = tuple(n for n in self.current if n.pinned)
        return pinned + tuple(n for n in self.current if not n.pinned)[:PAGE_SIZE]

    def listed(self, page: Page) -> tuple[Notice, ...]:
        """The notices that one page of a list shows."""
        full = {
            "location": lambda: self.current_at(page.id),
            "tag": lambda: self.with_tag.get(page.id, ()),
            "archive": lambda: self.expired,
            "list": lambda: self.current,
        }[page.kind]()
        return full[(page.number - 1) * PAGE_SIZE : page.number * PAGE_SIZE]

    def is_expired(self, notice: Notice) -> bool:
        return notice.is_expired(self.today)


def newest_first(notices: list[Notice]) -> list[Notice]:
    return sorted(notices, key=lambda n: (-n.date.timestamp(), n.slug))


def notice_page(site: SiteConfig, n: Notice) -> Page:
    return Page("notice", n.slug, n.title, notice_path(site, n.slug), "notice.html")


def plan_site(site: SiteConfig, content: Content, now: dt.datetime) -> Plan:
    """Every page of the site, in a stable order; raises BuildError on URL clashes."""
    today = now.date()
    published = newest_first([n for n in content.notices if n.is_published(now)])
    current = [n for n in published if not n.is_expired(today)]
    current.sort(key=lambda n: not n.pinned)  # stable: pinned first, each group newest first
    expired = [n for n in published if n.is_expired(today)]
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

    at_location: dict[str, list[Notice]] = {loc.id: [] for loc in content.locations}
    with_tag: dict[str, list[Notice]] = {tag.slug: [] for tag in tags}
    for n in current:  # one pass, in display order
        for place_id in at_location if n.locations == "all" else n.locations:
            at_location[place_id].append(n)
        for tag in notice_tags[n.slug]:
            with_tag[tag.slug].append(n)

    pages: list[Page] = [
        Page("home", "home", site.title, home_path(), "home.html", site.description)
    ]
    links: dict[Path, str] = {}
    for n in published:
        pages.append(notice_page(site, n))
        links[n.source.path] = notice_path(site, n.slug)
    for loc in content.locations:
        pages += paged(
            "location", loc.id, loc.name, location_path(site, loc.id), "location.html",
            len(at_location[loc.id]),
        )  # fmt: skip
        links[loc.source.path] = location_path(site, loc.id)
    for p in standing:
        pages.append(Page("page", p.slug, p.title, page_path(site, p.slug), "page.html"))
        links[p.source.path] = page_path(site, p.slug)
    for tag in tags:
        pages += paged(
            "tag", tag.slug, f"Chủ đề: {tag.name}", tag_path(site, tag.slug), "tag.html",
            len(with_tag[tag.slug]),
        )  # fmt: skip
    pages += paged(
        "archive", "archive", "Thông báo đã hết hiệu lực", archive_path(site), "archive.html",
        len(expired),
    )  # fmt: skip
    pages += paged(
        "list", "all", "Tất cả thông báo", f"{site.urls.all}/", "list.html", len(current)
    )
    pages.append(
        Page("verify", "verify", "Kiểm tra bảng QR", f"{site.urls.verify}/", "verify.html")
    )

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
    check_paths(site, pages, redirects, boards)
    return Plan(
        now=now,
        today=today,
        pages=tuple(pages),
        published=tuple(published),
        current=tuple(current),
        expired=tuple(expired),
        locations=content.locations,
        standing=tuple(standing),
        tags=tags,
        notice_tags=notice_tags,
        links=links,
        redirects=tuple(redirects),
        boards=tuple(boards),
        at_location={k: tuple(v) for k, v in at_location.items()},
        next_change=next_change(site, content, now),
        with_tag={k: tuple(v) for k, v in with_tag.items()},
    )


def next_change(site: SiteConfig, content: Content, now: dt.datetime) -> dt.datetime | None:
    """The next moment the site changes with no edit: a publication or an expiry."""
    moments = [n.date for n in content.notices if not n.draft and n.date > now]
    for n in content.notices:
        if n.expires is not None:
            after = n.expires + dt.timedelta(days=1)
            moments.append(dt.datetime(after.year, after.month, after.day, tzinfo=site.tz))
    future = [m for m in moments if m > now]
    return min(future) if future else None


PAGE_SIZE = 20  # notices per page of a list: small pages open fast on a weak signal


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


# Files and folders at the top of every output: an alias must not take their place.
RESERVED = frozenset(
    {
        "404.html", "_headers", "_redirects", "assets", "boards", "feed.xml", "index.html",
        "nginx-redirects.conf", "nginx-security.conf", "qr-manifest.json", "qr.png",
        "qr.svg", "robots.txt", "sitemap.xml",
    }
)  # fmt: skip


def check_paths(
    site: SiteConfig, pages: list[Page], redirects: list[Redirect], boards: list[Board]
) -> None:
    """No two pages, aliases or boards may share a URL, and no alias may shadow a file."""
    problems = Problems()
    # Case-insensitive: on macOS and Windows `L/Cho/` and `l/cho/` are one folder.
    seen: dict[str, str] = {}
    for page in pages:
        other = seen.get(page.url_path.lower())
        if other is not None:
            problems.add(
                Position(site.source),
                f"two pages would have the URL /{page.url_path}: {other} and "
                f"{page.kind} `{page.id}`",
                hint="change one slug, or the `urls:` prefixes in site.yml",
                source_line="",
            )
        seen[page.url_path.lower()] = f"{page.kind} `{page.id}`"
    page_dirs = [p.url_path.lower() for p in pages if p.url_path]
    for r in redirects:
        path = r.alias.path.lower()
        clash = seen.get(path)
        inside = next((d for d in page_dirs if path.startswith(d) and path != d), None)
        if clash is not None:
            problems.add(
                r.alias.pos,
                f"alias /{r.alias.path} is already the URL of {clash}",
                hint="an alias is an old URL that no page uses any more; remove it",
            )
        elif inside is not None:
            problems.add(r.alias.pos, f"alias /{r.alias.path} is inside the page /{inside}")
        elif path.split("/")[0] in RESERVED:
            problems.add(
                r.alias.pos,
                f"alias /{r.alias.path} would replace bangtin's own /{path.split('/')[0]}",
            )
        else:
            seen[path] = f"an alias of /{r.target}"
    board_ids: dict[str, str] = {}
    for board in boards:
        if board.id in board_ids:
            problems.add(
                Position(site.source),
                f"two boards would have the id `{board.id}`: "
                f"{board_ids[board.id]} and {board.title}",
                hint="rename the place or give the notice a different `slug:`",
                source_line="",
            )
        board_ids[board.id] = board.title
    problems.check()
