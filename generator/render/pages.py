"""Every page of the site, the feed and the sitemap: outputs rendered when written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from generator.errors import Problems
from generator.models import (
    Notice,
    Output,
    Page,
    SiteConfig,
    Source,
)
from generator.plan.kinds import KINDS, Lookup
from generator.plan.site import Plan
from generator.plan.urls import (
    absolute,
    location_path,
    notice_path,
    page_path,
)
from generator.render.keys import Keys, files_digest
from generator.render.markup import Markup, summarise
from generator.render.templates import Later, Links, Renderer

# What pages show only in brief (generator.keys): lists of notices, places named in a notice
BRIEF = ("notices", "places", "locations")


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
        return n.summary or self.summary_of(n.source.path)

    def summary_of(self, path: Path) -> str:
        return summarise(self.first_paragraph(path))

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
    kind = KINDS[page.kind]
    links = Links(site, page.url_path, assets)
    context = kind.context(plan.lists, page, lookup, bodies)
    context.update(
        page=page,
        link=links,
        url=absolute(site, page.url_path),
        description=kind.description(context, bodies) or page.description or site.description,
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
    lookup = Lookup.of(plan.lists)
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
