"""The whole build, top to bottom: config, content, plan, Markdown, QR codes, pages, write."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path

from generator.cache import quick, state
from generator.cache.content import ContentCache
from generator.cache.qr import QrCache
from generator.cache.store import Store
from generator.clock import now
from generator.errors import BuildError
from generator.inputs.config import load_config
from generator.inputs.content import load_content
from generator.inputs.ledger import check_ledger, load_ledger
from generator.inputs.scan import Inputs
from generator.models import BuildResult, Output, SiteConfig
from generator.output.writer import Writer, check_folders
from generator.plan.site import Plan, plan_site
from generator.plan.urls import absolute
from generator.render.boards import render_boards, sizing_warnings
from generator.render.headers import render_headers
from generator.render.keys import Keys
from generator.render.manifest import render_manifest
from generator.render.markup import Markup
from generator.render.pages import page_base, render_bodies, render_pages
from generator.render.redirects import render_redirects
from generator.render.templates import Renderer, fingerprint, theme_dirs

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Caches:
    """Work kept between builds: QR images, rendered Markdown, parsed content.

    All are keyed by everything their result depends on, so a stale entry is never
    used.  With a store they live on disk between runs; without one, in memory only
    (``bangtin serve`` keeps them between its rebuilds).
    """

    store: Store = field(default_factory=lambda: Store(None))
    qr: QrCache = field(default_factory=QrCache)
    markup: Markup = field(default_factory=Markup)
    content: ContentCache = field(default_factory=ContentCache)

    @classmethod
    def kept_in(cls, store: Store) -> Caches:
        return cls(store, QrCache(store), Markup(store), ContentCache(store))


def build(
    content_dir: Path,
    output: Path | None,
    caches: Caches,
    *,
    base_url: str | None = None,
    strict: bool = False,
    allow_http: bool = False,
    inputs: Inputs | None = None,
    progress: Progress = lambda stage: None,
) -> BuildResult:
    """Build the site in ``content_dir`` into ``output`` (None: check only, write nothing).

    Raises BuildError listing every content error; ``output`` is then untouched.
    ``strict`` turns warnings (boards that may be hard to scan) into errors.
    ``inputs`` is the digest of every input (generator.inputs.scan), recorded after a
    successful build so that the next one can tell that nothing changed.
    """
    started = time.perf_counter()
    if output is not None:
        check_folders(content_dir, output)
    progress("Reading content")
    site = load_config(content_dir, base_url, allow_http)
    content = load_content(site, caches.content)
    plan = plan_site(site, content, now(site.tz))
    check_ledger(site, plan, load_ledger(site))
    progress("Rendering Markdown")
    bodies = render_bodies(site, plan, caches.markup)  # the last content check: links
    progress(f"Making QR codes for {len(plan.pages)} pages")
    caches.qr.prepare([(absolute(site, page.url_path), site.qr) for page in plan.pages])
    caches.qr.save()
    caches.content.save()  # only now: a build with a content error leaves no cache behind
    warnings = tuple(sizing_warnings(site, plan, caches.qr))
    if strict and warnings:
        raise BuildError([replace(w, severity="error") for w in warnings])
    progress("Rendering pages")
    renderer = Renderer(site, theme_dirs(site))
    assets = {name: (fingerprint(name, data), data) for name, data in renderer.static_files()}
    paths = {name: path for name, (path, _) in assets.items()}
    keys = Keys(
        page_base(site, renderer, paths),
        bodies.identity,
        bodies.summary,
        reuse=not renderer.overrides_templates(),
        menu=repr([(p.slug, p.title) for p in plan.standing]),
    )
    manifest_key = keys.of("qr-manifest.json", {"pages": plan.pages, "boards": plan.boards})
    outputs = chain(
        (Output(path, _digest(data), partial(bytes, data)) for path, data in assets.values()),
        render_pages(site, plan, bodies, renderer, paths, keys),
        render_boards(site, plan, renderer, caches.qr, paths, keys),
        render_redirects(site, plan, renderer, keys),
        (Output(path, None, partial(str, text)) for path, text in render_headers(site).items()),
        code_outputs(site, plan, caches.qr),
        [Output("qr-manifest.json", manifest_key, partial(render_manifest, site, plan))],
    )  # each file made only if the writer needs it

    files = written = changed = 0
    if output is None:
        for out in outputs:  # a check renders every page too: template errors show
            made = out.make()
            if not isinstance(made, str | bytes):
                for _ in made:
                    pass
            files += 1
    else:
        progress("Writing files")
        store = caches.store
        base = keys.base if keys.reuse else ""
        previous = state.output_files(store, output, base) if keys.reuse else None
        with Writer(output, previous, before_commit=partial(state.forget, store)) as writer:
            for out in outputs:
                files += 1
                if not writer.keep(out.path, out.key):
                    writer.write(out.path, out.make(), out.key)
        written, changed = writer.bytes_written, len(writer.written)
        manifest = state.manifest_digest(output)  # read once for the three records
        state.record_files(store, output, base, writer.records, manifest)
        del writer, previous, outputs  # freed before the quick record is made: the peak
        if inputs is not None:
            until = plan.next_change.timestamp() if plan.next_change else None
            state.record(store, output, inputs.digest, until, manifest)
            state.save_hashes(store, inputs)
            if keys.reuse:
                counts = (len(plan.pages), 2 * len(plan.pages), files)
                quick.remember(
                    store, output, site, inputs, keys.base, paths, manifest, plan, bodies,
                    counts, warnings,
                )  # fmt: skip
    return BuildResult(
        pages=len(plan.pages),
        codes=2 * len(plan.pages),
        files=files,
        changed=changed,
        bytes=written,
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )


def code_outputs(site: SiteConfig, plan: Plan, cache: QrCache) -> Iterator[Output]:
    """A QR code of every page's absolute URL, as SVG and PNG beside the page."""
    for page in plan.pages:
        url = absolute(site, page.url_path)
        key = cache.key(url, site.qr)
        yield Output(page.url_path + "qr.svg", key, partial(cache.image, url, site.qr, ".svg"))
        yield Output(page.url_path + "qr.png", key, partial(cache.image, url, site.qr, ".png"))


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]
