"""Render pages, feed and sitemap to text with the site's Jinja2 theme."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2

from generator.bundled import builtin
from generator.errors import BuildError, ContentError, Position, Problems
from generator.keys import Keys, files_digest
from generator.markup import Markup, summarise
from generator.models import (
    Board,
    Location,
    Notice,
    Output,
    Page,
    SiteConfig,
    Source,
    StandingPage,
    Tag,
)
from generator.plan import Plan
from generator.urls import (
    absolute,
    archive_path,
    home_path,
    location_path,
    notice_path,
    page_path,
    relative,
    tag_path,
)

STYLESHEET = "style.css"
# What pages show only in brief (generator.keys): lists of notices, places named in a notice
BRIEF = ("notices", "places", "locations")


def theme_dirs(site: SiteConfig) -> list[Path]:
    """The site's theme first (overriding single files), then the default theme."""
    default = builtin("themes") / "default"
    own = site.root.parent / "themes" / site.theme
    if own.is_dir() and own.resolve() != default.resolve():
        return [own, default]
    if site.theme != "default":
        problems = Problems()
        problems.add(
            Position(site.source),
            f"theme `{site.theme}` not found: no folder {own.as_posix()}",
            hint="create the folder, or remove `theme:` to use the default theme",
            source_line="",
        )
        raise BuildError(problems.errors)
    return [default]


def vn_date(value: dt.date | dt.datetime) -> str:
    """dd/mm/yyyy, the way dates are written in Vietnam."""
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: dt.datetime) -> str:
    """dd/mm/yyyy, with the time of day when the notice gives one."""
    if (value.hour, value.minute) == (0, 0):
        return vn_date(value)
    return f"{value.hour:02d}:{value.minute:02d} {vn_date(value)}"


@dataclass(frozen=True, slots=True)
class Links:
    """Links from one page to every other, relative so the site works under any path."""

    site: SiteConfig
    here: str  # URL path of the current page
    assets: Mapping[str, str]  # logical asset name -> fingerprinted path
    root_relative: bool = False  # for 404.html, which is served at any path

    def to(self, path: str) -> str:
        if self.root_relative:
            return self.site.base_path + path
        return relative(self.here, path)

    def key_text(self) -> str:
        """For page keys: the site and assets are in the keys' base."""
        return f"Links({self.here!r}, {self.root_relative})"

    def home(self) -> str:
        return self.to(home_path())

    def notice(self, n: Notice) -> str:
        return self.to(notice_path(self.site, n.slug))

    def location(self, loc: Location) -> str:
        return self.to(location_path(self.site, loc.id))

    def page(self, p: StandingPage) -> str:
        return self.to(page_path(self.site, p.slug))

    def tag(self, t: Tag) -> str:
        return self.to(tag_path(self.site, t.slug))

    def archive(self) -> str:
        return self.to(archive_path(self.site))

    def asset(self, name: str) -> str:
        return self.to(self.assets[name])

    def absolute(self, path: str) -> str:
        return absolute(self.site, path)


class Renderer:
    def __init__(self, site: SiteConfig, dirs: list[Path], cache: Path | None = None) -> None:
        """``cache``: a folder to keep compiled templates in (Jinja's bytecode cache)."""
        self.site = site
        self.dirs = dirs
        bytecode = None
        if cache is not None:
            (cache / "jinja").mkdir(parents=True, exist_ok=True)
            bytecode = jinja2.FileSystemBytecodeCache(str(cache / "jinja"))
        self.env = jinja2.Environment(
            bytecode_cache=bytecode,
            loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["vndate"] = vn_date
        self.env.filters["vndatetime"] = vn_datetime
        self.env.filters["summarise"] = summarise

    def output(
        self,
        path: str,
        template: str,
        context: dict[str, Any],
        common: Mapping[str, Any],
        keys: Keys,
        brief: tuple[str, ...] = (),
        menu: bool = False,
    ) -> Output:
        """``path``, rendered from ``template`` when the writer needs it.

        The key covers ``context`` only: ``common`` (site, plan, bodies, now) is either
        in the keys' base or, for a theme that overrides templates, keys are off.
        """
        key = keys.of(template, context, brief, menu)
        return Output(path, key, lambda: self.render(template, {**common, **ready(context)}))

    def render(self, template: str, context: dict[str, Any]) -> str:
        return "".join(self.stream(template, context))

    def stream(self, template: str, context: dict[str, Any]) -> Iterator[str]:
        """``template`` rendered piece by piece (Jinja's ``generate``)."""
        try:
            yield from self.env.get_template(template).generate(context)
        except jinja2.TemplateSyntaxError as exc:
            path = Path(exc.filename or template)
            raise BuildError(
                [ContentError(Position(path, exc.lineno or 1), f"template error: {exc.message}")]
            ) from exc
        except jinja2.TemplateError as exc:
            raise BuildError([_template_error(exc, template)]) from exc

    def overrides_templates(self) -> bool:
        """Whether the site's own theme replaces any template (see generator.keys)."""
        own = self.dirs[0] / "templates"
        return len(self.dirs) > 1 and own.is_dir() and any(own.iterdir())

    def static_files(self) -> list[tuple[str, bytes]]:
        """The theme's static files (a site theme's file wins over the default's)."""
        found: dict[str, Path] = {}
        for d in reversed(self.dirs):
            folder = d / "static"
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if path.is_file() and not path.name.startswith("."):
                        found[path.name] = path
        if STYLESHEET not in found:
            raise BuildError(
                [
                    ContentError(
                        Position(self.dirs[0] / "static" / STYLESHEET), "theme has no style.css"
                    )
                ]
            )
        return [(name, found[name].read_bytes()) for name in sorted(found)]


def _template_error(exc: jinja2.TemplateError, template: str) -> ContentError:
    """Point at the template line that failed, found in the (Jinja-rewritten) traceback."""
    tb = exc.__traceback__
    where = Position(Path(template))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            where = Position(Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    hint = "check the spelling of the variable in the template"
    return ContentError(where, f"template error: {exc.message or exc}", hint=hint)


@dataclass(frozen=True, slots=True)
class Later:
    """A context value worked out only when the page is rendered, not for its key."""

    make: Callable[[], object]
    key: str  # stands for the value in the page's key

    def key_text(self) -> str:
        return self.key


def ready(context: Mapping[str, Any]) -> dict[str, Any]:
    """``context`` with every ``Later`` value worked out."""
    return {k: v.make() if isinstance(v, Later) else v for k, v in context.items()}


@dataclass(frozen=True, slots=True)
class Bodies:
    """Rendered Markdown of every published content file, read when a page needs it."""

    keys: Mapping[Path, str]  # content file -> its document in the Markdown cache
    markup: Markup

    def body(self, path: Path) -> str:
        return self.markup.html(self.keys[path])

    def first_paragraph(self, path: Path) -> str:
        return self.markup.first_paragraph(self.keys[path])

    def summary(self, n: Notice) -> str:
        return n.summary or summarise(self.first_paragraph(n.source.path))

    def identity(self, path: Path) -> str:
        """Changes whenever the file's HTML would (see generator.keys)."""
        return self.markup.identity(self.keys[path])

    def later(self, path: Path) -> Later:
        """The file's HTML, read only if the page is rendered."""
        return Later(partial(self.body, path), self.identity(path))


def render_bodies(site: SiteConfig, plan: Plan, markup: Markup) -> Bodies:
    """Markdown of each published notice, page and place, with links checked."""
    problems = Problems()
    out: dict[Path, str] = {}
    items: list[tuple[Source, str, str]] = []
    for n in plan.published:
        items.append((n.source, n.source.body, notice_path(site, n.slug)))
    for p in plan.standing:
        items.append((p.source, p.source.body, page_path(site, p.slug)))
    for loc in plan.locations:
        items.append((loc.source, loc.description, location_path(site, loc.id)))
    names = {str(path): url for path, url in plan.links.items()}
    for source, text, page_dir in items:
        out[source.path] = markup.render_cached(
            text,
            source=source.path,
            located=(source.body, source.body_first_line),
            page_dir=page_dir,
            links=plan.links,
            problems=problems,
            names=names,
        )
    problems.check()
    markup.save()  # only after a build with no content error
    return Bodies(out, markup)


@dataclass(frozen=True, slots=True)
class Lookup:
    """Content items by page id, built once per build."""

    notices: Mapping[str, Notice]
    locations: Mapping[str, Location]
    standing: Mapping[str, StandingPage]
    tags: Mapping[str, Tag]
    order: Mapping[str, int]  # place id -> its position in plan.locations

    @classmethod
    def of(cls, plan: Plan) -> Lookup:
        return cls(
            {n.slug: n for n in plan.published},
            {loc.id: loc for loc in plan.locations},
            {p.slug: p for p in plan.standing},
            {t.slug: t for t in plan.tags},
            {loc.id: i for i, loc in enumerate(plan.locations)},
        )

    def places_of(self, ids: tuple[str, ...]) -> tuple[Location, ...]:
        """The places of ``ids``, in the site's order of places."""
        return tuple(self.locations[i] for i in sorted(set(ids), key=self.order.__getitem__))


def page_context(plan: Plan, bodies: Bodies, page: Page, lookup: Lookup) -> dict[str, Any]:
    """What the template of ``page`` gets, besides what every page gets."""
    if page.kind == "home":
        shown = plan.home_notices()
        return {
            "notices": shown,
            "locations": plan.locations,
            "tags": plan.tags,
            "more": len(plan.current) - len(shown),
        }
    if page.kind == "notice":
        n = lookup.notices[page.id]
        places = plan.locations if n.locations == "all" else lookup.places_of(n.locations)
        return {
            "notice": n,
            "body": bodies.later(n.source.path),
            "expired": plan.is_expired(n),
            "places": places,
            "all_places": n.locations == "all",
            "tags": plan.notice_tags[n.slug],
        }
    if page.kind == "location":
        loc = lookup.locations[page.id]
        return {
            "location": loc,
            "details": bodies.later(loc.source.path),
            "notices": plan.listed(page),
            "pager": pager(page),
        }
    if page.kind == "page":
        p = lookup.standing[page.id]
        return {"standing": p, "body": bodies.later(p.source.path)}
    if page.kind == "tag":
        return {"tag": lookup.tags[page.id], "notices": plan.listed(page), "pager": pager(page)}
    if page.kind in ("archive", "list"):
        return {"notices": plan.listed(page), "pager": pager(page)}
    if page.kind == "verify":
        return {"boards": plan.boards}
    raise AssertionError(page.kind)


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


def description_of(page: Page, context: dict[str, Any], bodies: Bodies, site: SiteConfig) -> str:
    if page.kind == "notice":
        return bodies.summary(context["notice"])
    if page.kind == "page":
        p: StandingPage = context["standing"]
        return p.summary or summarise(bodies.first_paragraph(p.source.path))
    if page.kind == "location":
        loc: Location = context["location"]
        text = summarise(bodies.first_paragraph(loc.source.path))
        return text or f"Thông báo tại {loc.name}"
    return page.description or site.description


def common_context(site: SiteConfig, plan: Plan, bodies: Bodies) -> dict[str, Any]:
    """What every template gets (not in page keys: see Renderer.output)."""
    return {"site": site, "plan": plan, "bodies": bodies, "now": plan.now, "today": plan.today}


def page_output(
    site: SiteConfig,
    plan: Plan,
    bodies: Bodies,
    renderer: Renderer,
    assets: Mapping[str, str],
    keys: Keys,
    lookup: Lookup,
    common: Mapping[str, Any],
    page: Page,
) -> Output:
    """One HTML page of ``plan``, rendered when the writer needs it."""
    links = Links(site, page.url_path, assets)
    context = page_context(plan, bodies, page, lookup)
    context.update(
        page=page,
        link=links,
        url=absolute(site, page.url_path),
        description=description_of(page, context, bodies, site),
        qr_svg=links.to(page.url_path + "qr.svg"),
    )
    return renderer.output(page.file, page.template, context, common, keys, BRIEF, menu=True)


FEED_SIZE = 50  # notices in feed.xml


def feed_notices(plan: Plan) -> tuple[Notice, ...]:
    return plan.current[:FEED_SIZE]


def feed_updated(plan: Plan) -> dt.datetime:
    return plan.published[0].date if plan.published else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def feed_output(
    site: SiteConfig,
    renderer: Renderer,
    assets: Mapping[str, str],
    keys: Keys,
    common: Mapping[str, Any],
    notices: tuple[Notice, ...],
    updated: dt.datetime,
) -> Output:
    """The Atom feed: the newest current notices, whole."""
    context = {"link": Links(site, "", assets), "notices": notices, "updated": updated}
    return renderer.output("feed.xml", "feed.xml", context, common, keys)


def render_pages(
    site: SiteConfig,
    plan: Plan,
    bodies: Bodies,
    renderer: Renderer,
    assets: Mapping[str, str],
    keys: Keys,
) -> Iterator[Output]:
    """Every HTML page, feed, sitemap, robots.txt and 404 page, each rendered when asked."""
    common = common_context(site, plan, bodies)
    lookup = Lookup.of(plan)
    for page in plan.pages:
        yield page_output(site, plan, bodies, renderer, assets, keys, lookup, common, page)
    not_found = Links(site, "", assets, root_relative=True)
    context = {"page": None, "link": not_found, "url": site.base_url, "description": ""}
    yield renderer.output("404.html", "404.html", context, common, keys, menu=True)
    yield feed_output(site, renderer, assets, keys, common, feed_notices(plan), feed_updated(plan))
    sitemap_context = {"link": Links(site, "", assets), "pages": plan.pages}
    sitemap = partial(renderer.render, "sitemap.xml", {**common, **sitemap_context})
    urls = {"urls": tuple(p.url_path for p in plan.pages)}  # all the sitemap shows of a page
    yield Output("sitemap.xml", keys.of("sitemap.xml", urls), sitemap)
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {site.base_url}sitemap.xml\n"
    yield Output("robots.txt", None, lambda: robots)


def page_base(site: SiteConfig, renderer: Renderer, assets: Mapping[str, str]) -> list[str]:
    """What every file shares: the settings, the theme's files, the assets."""
    return [repr(site), files_digest(renderer.dirs), repr(sorted(assets.items()))]


def fingerprint(name: str, data: bytes) -> str:
    """``style.css`` -> ``assets/style.1a2b3c4d.css``: cacheable for a year."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"assets/{stem}.{digest}{dot}{suffix}"


def render_manifest(site: SiteConfig, plan: Plan) -> Iterator[str]:
    """Every HTML page for residents with its QR code; places (and notices) with their board.

    Made entry by entry (the same text as dumping the whole, never all in memory).
    """
    boards: dict[tuple[str, str], Board] = {(b.kind, b.target): b for b in plan.boards}
    yield f'{{\n  "base_url": {json.dumps(site.base_url, ensure_ascii=False)},\n  "pages": '
    if not plan.pages:
        yield "[]"
    for i, page in enumerate(plan.pages):
        entry: dict[str, object] = {
            "kind": page.kind,
            "id": page.id,
            "title": page.title,
            "url": absolute(site, page.url_path),
            "path": page.file,
            "qr_svg": page.url_path + "qr.svg",
            "qr_png": page.url_path + "qr.png",
        }
        board = boards.get((page.kind, page.url_path))
        if board is not None:
            entry["board"] = board.path + "index.html"
        if page.number > 1:
            entry["page"] = page.number
        text = json.dumps(entry, ensure_ascii=False, indent=2).replace("\n", "\n    ")
        yield ("[\n    " if i == 0 else ",\n    ") + text
    if plan.pages:
        yield "\n  ]"
    yield "\n}\n"
