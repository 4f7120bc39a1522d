"""The whole build, top to bottom: config, content, plan, Markdown, pages, QR codes, write."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import qr, state
from generator.boards import render_boards, sizing_warnings
from generator.config import load_config, now
from generator.content import load_content
from generator.errors import BuildError, ContentError, UsageError
from generator.headers import render_headers
from generator.ledger import check_ledger, load_ledger
from generator.markup import Markup
from generator.models import SiteConfig
from generator.plan import Plan, plan_site
from generator.redirects import render_redirects
from generator.render import (
    Renderer,
    fingerprint,
    render_bodies,
    render_manifest,
    render_pages,
    theme_dirs,
)
from generator.urls import absolute
from generator.writer import Writer


@dataclass(frozen=True, slots=True)
class Caches:
    """Work one process may keep between builds: QR images and rendered Markdown.

    Both are keyed by everything their result depends on, so a stale entry is never
    used; they only make ``bangtin serve`` rebuild faster.
    """

    qr: qr.QrCache = field(default_factory=qr.QrCache)
    markup: Markup = field(default_factory=Markup)


@dataclass(frozen=True, slots=True)
class BuildResult:
    pages: int
    codes: int
    files: int
    bytes: int
    seconds: float
    warnings: tuple[ContentError, ...] = ()


def build(
    content_dir: Path,
    output_dir: Path | None,
    base_url: str | None = None,
    caches: Caches | None = None,
    strict: bool = False,
    inputs: str | None = None,
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
        caches = Caches(qr=qr.QrCache(folder), markup=Markup(folder))
    if output_dir is not None:
        check_folders(content_dir, output_dir)
    progress("Reading content")
    site = load_config(content_dir, base_url, allow_http)
    content = load_content(site)
    plan = plan_site(site, content, now(site.tz))
    check_ledger(site, plan, load_ledger(site))
    progress("Rendering Markdown")
    bodies = render_bodies(site, plan, caches.markup)  # the last content check: links
    progress(f"Making QR codes for {len(plan.pages)} pages")
    caches.qr.prepare([(absolute(site, page.url_path), site.qr) for page in plan.pages])
    caches.qr.save()
    warnings = tuple(sizing_warnings(site, plan, caches.qr))
    if strict and warnings:
        raise BuildError([replace(w, severity="error") for w in warnings])
    progress("Rendering pages")
    renderer = Renderer(site, theme_dirs(site))
    assets = {name: (fingerprint(name, data), data) for name, data in renderer.static_files()}
    texts = render_pages(site, plan, bodies, renderer, {k: v[0] for k, v in assets.items()})
    texts.update(
        render_boards(site, plan, renderer, caches.qr, {k: v[0] for k, v in assets.items()})
    )
    texts.update(render_redirects(site, plan, renderer))
    texts.update(render_headers(site))
    codes = make_codes(site, plan, caches.qr)
    manifest = render_manifest(site, plan)

    files = len(assets) + len(texts) + len(codes) + 1
    written = 0
    if output_dir is not None:
        progress(f"Writing {files} files")
        with Writer(output_dir) as writer:
            for path, data in assets.values():
                writer.write(path, data)
            for path, text in texts.items():
                writer.write(path, text)
            for path, code in codes.items():
                writer.write(path, code)
            writer.write("qr-manifest.json", manifest)
            written = writer.bytes_written
        if inputs is not None:
            until = plan.next_change.timestamp() if plan.next_change else None
            state.record(cache_folder(output_dir), Path(os.path.abspath(output_dir)), inputs, until)
    return BuildResult(
        pages=len(plan.pages),
        codes=len(codes),
        files=files,
        bytes=written,
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )


def make_codes(site: SiteConfig, plan: Plan, cache: qr.QrCache) -> dict[str, bytes]:
    """A QR code of every page's absolute URL, as SVG and PNG beside the page."""
    out: dict[str, bytes] = {}
    for page in plan.pages:
        svg, png = cache.images(absolute(site, page.url_path), site.qr)
        out[page.url_path + "qr.svg"] = svg
        out[page.url_path + "qr.png"] = png
    return out


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
