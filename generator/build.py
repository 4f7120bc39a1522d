"""The whole build, top to bottom: config, content, plan, Markdown, pages, QR codes, write."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path

from generator import quick, state
from generator.boards import render_boards, sizing_warnings
from generator.clock import now
from generator.config import load_config
from generator.content import load_content
from generator.contentcache import ContentCache
from generator.errors import BuildError, UsageError
from generator.headers import render_headers
from generator.keys import Keys
from generator.ledger import check_ledger, load_ledger
from generator.markup import Markup
from generator.models import BuildResult, Output, SiteConfig
from generator.plan import Plan, plan_site
from generator.qrcache import QrCache
from generator.redirects import render_redirects
from generator.render import (
    Renderer,
    fingerprint,
    page_base,
    render_bodies,
    render_manifest,
    render_pages,
    theme_dirs,
)
from generator.urls import absolute
from generator.writer import Writer


@dataclass(frozen=True, slots=True)
class Caches:
    """Work one process may keep between builds: QR images, rendered Markdown, parsed content.

    All are keyed by everything their result depends on, so a stale entry is never
    used; they only make ``bangtin serve`` rebuild faster.
    """

    qr: QrCache = field(default_factory=QrCache)
    markup: Markup = field(default_factory=Markup)
    content: ContentCache = field(default_factory=ContentCache)


def build(
    content_dir: Path,
    output_dir: Path | None,
    base_url: str | None = None,
    caches: Caches | None = None,
    strict: bool = False,
    inputs: state.Inputs | None = None,
    progress: Callable[[str], None] = lambda stage: None,
    allow_http: bool = False,
) -> BuildResult:
    """Build the site in ``content_dir`` into ``output_dir`` (None: check only, write nothing).

    Raises BuildError listing every content error; ``output_dir`` is then untouched.
    ``caches`` keeps work between builds of one process (``bangtin serve``).
    ``strict`` turns warnings (boards that may be hard to scan) into errors.
    ``inputs`` is the digest of every input (state.inputs_digest), recorded after a
    successful build so that the next one can tell that nothing changed.
    """
    started = time.perf_counter()
    if caches is None:
        folder = cache_folder(output_dir) if output_dir else None
        caches = Caches(qr=QrCache(folder), markup=Markup(folder), content=ContentCache(folder))
    if output_dir is not None:
        check_folders(content_dir, output_dir)
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
    renderer = Renderer(site, theme_dirs(site), cache_folder(output_dir) if output_dir else None)
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
    if output_dir is None:
        for out in outputs:  # a check renders every page too: template errors show
            made = out.make()
            if not isinstance(made, str | bytes):
                for _ in made:
                    pass
            files += 1
    else:
        progress("Writing files")
        cache = cache_folder(output_dir)
        output = Path(os.path.abspath(output_dir))
        base = keys.base if keys.reuse else ""
        previous = state.output_files(cache, output, base) if keys.reuse else None
        with Writer(output, previous, before_commit=partial(state.forget, cache)) as writer:
            for out in outputs:
                files += 1
                if not writer.keep(out.path, out.key):
                    writer.write(out.path, out.make(), out.key)
        written, changed = writer.bytes_written, len(writer.written)
        manifest = state.manifest_digest(output)  # read once for the three records
        state.record_files(cache, output, base, writer.records, manifest)
        del writer, previous, outputs  # freed before the quick record is made: the peak
        if inputs is not None:
            until = plan.next_change.timestamp() if plan.next_change else None
            state.record(cache, output, inputs.digest, until, manifest)
            state.save_hashes(cache, inputs)
            if keys.reuse:
                counts = (len(plan.pages), 2 * len(plan.pages), files)
                quick.remember(
                    cache, output, site, inputs, keys.base, paths, manifest, plan, bodies,
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


def cache_folder(output_dir: Path) -> Path:
    """``.bangtin-cache`` beside the output folder: plain files, safe to delete."""
    return Path(os.path.abspath(output_dir)).parent / ".bangtin-cache"


def check_folders(content_dir: Path, output_dir: Path) -> None:
    content = Path(os.path.abspath(content_dir))
    output = Path(os.path.abspath(output_dir))
    if output == content or output.is_relative_to(content) or content.is_relative_to(output):
        raise UsageError(
            f"the output folder {output_dir} and the content folder {content_dir} overlap; "
            "choose an output folder outside content/"
        )
