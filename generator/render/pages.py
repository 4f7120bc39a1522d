"""Every page of the site, the feed and the sitemap: outputs rendered when written."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from generator.errors import ContentError, Problems
from generator.inputs.content import MARKDOWN_SUFFIXES, YAML_SUFFIXES, content_files
from generator.media.library import Library
from generator.models import (
    Content,
    Notice,
    Output,
    Page,
    SiteConfig,
    Source,
)
from generator.plan.kinds import KINDS, Lookup
from generator.plan.site import Plan, nfc
from generator.plan.urls import (
    absolute,
    location_path,
    notice_path,
    page_path,
)
from generator.render.deps import Registry
from generator.render.markup import Markup, summarise
from generator.render.media import MediaHtml
from generator.render.templates import Later, Links, Renderer


@dataclass(frozen=True, slots=True)
class Bodies:
    """Rendered Markdown of every published content file, read when a page needs it."""

    keys: Mapping[Path, str]  # content file -> its document in the Markdown cache
    markup: Markup
    media: MediaHtml  # makes each picture's HTML, after sanitising

    def body(self, path: Path) -> str:
        return self.media.expand(self.markup.html(self.keys[path]))

    def media_used(self) -> list[str]:
        """The media files (resolved paths) that the documents show or link."""
        return sorted(
            {
                path
                for key in self.keys.values()
                for path, found in self.markup.index[key].links
                if found.startswith("media:")
            }
        )

    def first_paragraph(self, path: Path) -> str:
        return self.markup.first_paragraph(self.keys[path])

    def summary(self, n: Notice) -> str:
        return n.summary or self.summary_of(n.source.path)

    def summary_of(self, path: Path) -> str:
        return summarise(self.first_paragraph(path))

    def identity(self, path: Path) -> str:
        """Changes whenever the file's HTML would."""
        return self.markup.identity(self.keys[path])

    def later(self, path: Path) -> Later:
        """The file's HTML, read only if the page is rendered."""
        return Later(partial(self.body, path), self.identity(path))

    def call_fingerprint(self, name: str, args: list[object]) -> str | None:
        """A template's ``bodies.body(path)`` counts by the document's identity: a later
        build can tell whether it changed without reading the HTML (render.deps)."""
        if name == "body" and len(args) == 1 and isinstance(args[0], Path):
            return "L" + self.identity(args[0])
        return None


def track(site: SiteConfig, plan: Plan, bodies: Bodies) -> Registry:
    """The objects templates read through, each by a name a later build gives it again,
    items with the stamp of what they were made from (render.deps)."""
    registry = Registry()
    registry.add("site", site)
    registry.add("plan", plan)
    registry.add("bodies", bodies)
    for n in plan.published:
        registry.add("n:" + n.slug, n, n.source.stamp)
    for loc in plan.locations:
        registry.add("l:" + loc.id, loc, loc.source.stamp)
    for p in plan.standing:
        registry.add("p:" + p.slug, p, p.source.stamp)
    for t in plan.tags:
        registry.add("t:" + t.slug, t, f"{t.slug}\0{t.name}")
    for page in plan.pages:
        registry.add("page:" + page.url_path, page)
    return registry


def render_bodies(site: SiteConfig, plan: Plan, markup: Markup, media: MediaHtml) -> Bodies:
    """Markdown of each published notice, page and place, with links checked."""
    items: list[tuple[Source, str, str]] = []
    for n in plan.published:
        items.append((n.source, n.source.body, notice_path(site, n.slug)))
    for p in plan.standing:
        items.append((p.source, p.source.body, page_path(site, p.slug)))
    for loc in plan.locations:
        items.append((loc.source, loc.description, location_path(site, loc.id)))
    problems = Problems()
    docs = [
        (text, source.path, (source.body, source.body_first_line), page_dir)
        for source, text, page_dir in items
    ]
    keys = markup.render_all(docs, plan.links, problems, media.library)
    problems.check()
    markup.save()  # only after a build with no content error
    return Bodies(
        {source.path: key for (source, _, _), key in zip(items, keys, strict=True)},
        markup,
        media,
    )


def check_links(site: SiteConfig, content: Content, library: Library) -> list[ContentError]:
    """The link errors in the Markdown of the content that did load, for a run whose
    other files have errors: renaming a place file breaks its `locations:` and its
    links alike, and both are reported in one run.  Every content file that exists
    counts as a link target here (one with an error of its own is reported for that
    error only); the full check runs once the content loads."""
    exists = Problems()  # the files' own problems are reported by the content stage
    folders = [
        (site.root / "notices", MARKDOWN_SUFFIXES),
        (site.root / "pages", MARKDOWN_SUFFIXES),
        (site.root / "locations", YAML_SUFFIXES),
    ]
    if site.shared is not None:  # a province's notices are every site's
        folders.append((site.shared / "notices", MARKDOWN_SUFFIXES))
    targets = {
        nfc(path): "/"
        for folder, suffixes in folders
        for path in content_files(folder, suffixes, exists)
    }
    items = [(n.source, n.source.body) for n in content.notices if not n.draft]
    items += [(p.source, p.source.body) for p in content.pages]
    items += [(loc.source, loc.description) for loc in content.locations]
    docs = [
        (text, source.path, (source.body, source.body_first_line), "")
        for source, text in items
        if text
    ]
    problems = Problems()
    Markup().render_all(docs, targets, problems, library)  # no cache: nothing is kept
    return problems.errors


LinksTo = Callable[..., Links]


def links_to(site: SiteConfig, assets: Mapping[str, str], registry: Registry) -> LinksTo:
    """Makes the ``link`` of each page: its links depend on the settings and the assets,
    fingerprinted once here, and on the page's own path."""
    base = registry.fingerprint((site, tuple(sorted(assets.items()))), whole=True)

    def make(here: str, root_relative: bool = False) -> Links:
        return Links(site, here, assets, root_relative, base)

    return make


def common_context(site: SiteConfig, plan: Plan, bodies: Bodies) -> dict[str, Any]:
    """What every template gets: tracked objects, whose reads each page records."""
    return {"site": site, "plan": plan, "bodies": bodies}


def page_output(
    site: SiteConfig,
    plan: Plan,
    bodies: Bodies,
    renderer: Renderer,
    link: LinksTo,
    lookup: Lookup,
    common: Mapping[str, Any],
    page: Page,
) -> Output:
    """One HTML page of ``plan``, rendered when the writer needs it."""
    kind = KINDS[page.kind]
    links = link(page.url_path)
    context = kind.context(plan.lists, page, lookup, bodies)
    item = context.get("notice") or context.get("location")
    context.update(
        page=page,
        link=links,
        url=absolute(site, page.url_path),
        description=kind.description(context, bodies) or page.description or site.description,
        qr_svg=links.to(page.url_path + "qr.svg"),
        # plain text, counted whole in the page's key: the cover and og:image change
        # the page whenever the picture, or the item's choice of it, does
        cover=bodies.media.cover(item, page.url_path) if page.number == 1 else "",
        og_image=bodies.media.og_image(item),
        banners=kind.banners(plan.lists, page, lookup),
    )
    return renderer.output(page.file, page.template, context, common)


FEED_SIZE = 50  # notices in feed.xml


def feed_notices(plan: Plan) -> tuple[Notice, ...]:
    return plan.current[:FEED_SIZE]


def feed_updated(plan: Plan) -> dt.datetime:
    """When the feed last changed: the latest notice published or updated."""
    if not plan.published:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return max(n.modified for n in plan.published)


def last_modified(site: SiteConfig, plan: Plan) -> dict[str, dt.datetime]:
    """The sitemap's ``<lastmod>`` of each notice page (URL path): updated, else published."""
    return {notice_path(site, n.slug): n.modified for n in plan.published}


def feed_output(
    site: SiteConfig,
    renderer: Renderer,
    link: LinksTo,
    common: Mapping[str, Any],
    notices: tuple[Notice, ...],
    updated: dt.datetime,
) -> Output:
    """The Atom feed: the newest current notices, whole."""
    context = {"link": link(""), "notices": notices, "updated": updated}
    return renderer.output("feed.xml", "feed.xml", context, common)


def render_pages(
    site: SiteConfig,
    plan: Plan,
    bodies: Bodies,
    renderer: Renderer,
    assets: Mapping[str, str],
) -> Iterator[Output]:
    """Every HTML page, feed, sitemap, robots.txt and 404 page, each rendered when asked."""
    common = common_context(site, plan, bodies)
    lookup = Lookup.of(plan.lists)
    link = links_to(site, assets, renderer.registry)
    for page in plan.pages:
        yield page_output(site, plan, bodies, renderer, link, lookup, common, page)
    context = {
        "page": None,
        "link": link("", True),
        "url": site.base_url,
        "description": "",
        "banners": plan.lists.commune_urgent(),
    }
    yield renderer.output("404.html", "404.html", context, common)
    yield feed_output(site, renderer, link, common, feed_notices(plan), feed_updated(plan))
    sitemap = {"link": link(""), "pages": plan.pages, "lastmod": last_modified(site, plan)}
    yield renderer.output("sitemap.xml", "sitemap.xml", sitemap, common)
    robots = f"User-agent: *\nAllow: /\n\nSitemap: {site.base_url}sitemap.xml\n"
    yield text_output("robots.txt", robots)


def text_output(path: str, data: str | bytes) -> Output:
    """A file whose whole text is known now: its key is its text's digest."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return Output(path, hashlib.sha256(raw).hexdigest()[:32], partial(bytes, raw))
