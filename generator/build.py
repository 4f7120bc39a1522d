"""The whole build, top to bottom: config, content, plan, Markdown, QR codes, pages, write."""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain
from pathlib import Path

from generator.cache import state
from generator.cache.content import ContentCache
from generator.cache.outputs import OutputRecord, forget_record, load_record, save_record
from generator.cache.pictures import PictureCache
from generator.cache.qr import QrCache
from generator.cache.store import Store
from generator.clock import now
from generator.errors import BuildError, ContentError
from generator.i18n import Message, _
from generator.inputs.config import base_url_warnings, load_config
from generator.inputs.content import read_content
from generator.inputs.ledger import check_ledger, load_ledger
from generator.inputs.scan import Inputs, code_digest
from generator.media.library import load_media
from generator.models import BuildResult, Content, Output, SiteConfig
from generator.output.writer import Writer, check_folders
from generator.plan.site import Plan, plan_site
from generator.plan.urls import absolute
from generator.render.boards import check_codes_fit, render_boards, sizing_warnings
from generator.render.deps import Read, changed_reads
from generator.render.headers import nginx_security, render_headers
from generator.render.manifest import manifest_output
from generator.render.markup import Markup
from generator.render.media import MediaHtml, check_images, media_outputs, used_files
from generator.render.pages import check_links, render_bodies, render_pages, text_output, track
from generator.render.redirects import nginx_redirects, render_redirects
from generator.render.templates import Renderer, asset_path, theme_dirs

Progress = Callable[[Message], None]
# The stages after which output/ is no longer as it was (generator.api tells the user).
REPLACING = _("Replacing the output folder")
RECORDING = _("Saving the build's records")


@dataclass(frozen=True, slots=True)
class Caches:
    """Work kept between builds: QR images, rendered Markdown, parsed content, pictures.

    All are keyed by everything their result depends on, so a stale entry is never
    used.  With a store they live on disk between runs; without one, in memory only
    (``bangtin serve`` keeps them between its rebuilds).
    """

    store: Store = field(default_factory=lambda: Store(None))
    qr: QrCache = field(default_factory=QrCache)
    markup: Markup = field(default_factory=Markup)
    content: ContentCache = field(default_factory=ContentCache)
    pictures: PictureCache = field(default_factory=PictureCache)
    # the record of each output folder, kept here when the store keeps nothing on disk
    records: dict[Path, OutputRecord] = field(default_factory=dict)

    @classmethod
    def kept_in(cls, store: Store) -> Caches:
        return cls(store, QrCache(store), Markup(store), ContentCache(store), PictureCache(store))


def links_of_what_loaded(site: SiteConfig, content: Content) -> list[ContentError]:
    """The link errors in the content that loaded, when other files have errors."""
    try:
        library = load_media(site)
    except BuildError as error:
        return error.errors
    return check_links(site, content, library)


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
    preview: bool = False,
    shared: Path | None = None,
    theme_dir: Path | None = None,
    server_dir: Path | None = None,
) -> BuildResult:
    """Build the site in ``content_dir`` into ``output`` (None: check only, write nothing).

    Raises BuildError listing every content error; ``output`` is then untouched.
    ``strict`` turns warnings (boards that may be hard to scan) into errors.
    ``preview``: a build for ``bangtin serve`` (its output is marked as not for publishing).
    ``inputs`` is the digest of every input (generator.inputs.scan), recorded after a
    successful build so that the next one can tell that nothing changed.
    ``shared``, ``theme_dir``: what a province gives its sites (generator.province);
    ``server_dir``: where the server's configuration goes (else beside ``output``).
    """
    started = time.perf_counter()
    if output is not None:
        check_folders(content_dir, output)
    progress(_("Reading content"))
    site = load_config(content_dir, base_url, allow_http, shared, theme_dir)
    content, content_errors = read_content(site, caches.content)
    if content_errors:  # and the links of what did load: one run tells every error
        raise BuildError([*content_errors, *links_of_what_loaded(site, content)])
    library = load_media(site)
    plan = plan_site(site, content, now(site.tz))
    images = [(n.image, n.source.path) for n in plan.published]
    images += [(loc.image, loc.source.path) for loc in plan.locations]
    errors: list[ContentError] = []  # together: every printed URL opens, every URL fits
    checks: list[Callable[[], None]] = [
        partial(check_ledger, site, plan, load_ledger(site)),
        partial(check_codes_fit, site, plan),
    ]
    for check in checks:
        try:
            check()
        except BuildError as error:
            errors.extend(error.errors)
    if errors:
        raise BuildError(errors)
    progress(_("Rendering Markdown"))
    media = MediaHtml(site, library)
    try:  # the last content checks: pictures named in front matter, links in the text
        check_images(site, library, images)
    except BuildError as error:
        errors.extend(error.errors)
    try:
        bodies = render_bodies(site, plan, caches.markup, media)
    except BuildError as error:
        raise BuildError([*errors, *error.errors]) from None
    if errors:
        raise BuildError(errors)
    covers = [media.cover_of(n) for n in plan.published]
    covers += [media.cover_of(loc) for loc in plan.locations]
    published = used_files(media, bodies.media_used(), [c for c in covers if c is not None])
    store, base = caches.store, code_digest()
    record = None  # what the last build into output/ wrote, from what
    if output is not None:
        record = load_record(store, output, base) if store.enabled else caches.records.get(output)
    progress(_("Making QR codes for {n} pages", n=len(plan.pages)))
    jobs = [(absolute(site, page.url_path), site.qr) for page in plan.pages]
    # every code on all cores when every page will be written (no record, or output/ gone)
    everything = record is None or output is None or not output.is_dir()
    caches.qr.prepare(jobs, images=everything)  # else made one by one for changed pages
    caches.qr.save()
    progress(_("Making pictures ({n})", n=sum(f.kind == "picture" for f in published)))
    caches.pictures.prepare(published)  # a picture that cannot be decoded: output/ untouched
    caches.content.save()  # only now: a build with a content error leaves no cache behind
    warnings = base_url_warnings(site) + content.warnings
    warnings += tuple(sizing_warnings(site, plan, caches.qr))
    if strict and warnings:
        raise BuildError([replace(w, severity="error") for w in warnings])
    progress(_("Rendering pages"))
    registry = track(site, plan, bodies)
    renderer = Renderer(site, theme_dirs(site), registry)
    assets = {name: (asset_path(name, data), data) for name, data in renderer.static_files()}
    paths = {name: path for name, (path, _data) in assets.items()}
    outputs = chain(
        (text_output(path, data) for path, data in assets.values()),
        render_pages(site, plan, bodies, renderer, paths),
        render_boards(site, plan, renderer, caches.qr, paths),
        render_redirects(site, plan, renderer),
        (text_output(path, text) for path, text in render_headers(site).items()),
        code_outputs(site, plan, caches.qr),
        media_outputs(published, caches.pictures),
        [manifest_output(site, plan)],
    )  # each file made only if the writer needs it
    server = {  # server configuration: beside output/, never published (output.writer)
        "nginx-redirects.conf": nginx_redirects(site, plan),
        "nginx-security.conf": nginx_security(site),
    }

    files = written = changed = 0
    in_place, site_changed = False, True
    if output is None:
        for out in outputs:  # a check renders every page too: template errors show
            made = out.make()
            if not isinstance(made, str | bytes):
                for _made in made:
                    pass
            files += 1
    else:
        progress(_("Writing files"))
        previous = None
        if record is not None:  # what the last build left, and which of its reads changed
            previous = record.kept(changed_reads(registry, record.reads, record.stamps))
        reads: dict[str, tuple[Read, ...] | array[int]] = {}
        same = 0  # files made as the last build made them, whether output/ still has them
        with Writer(
            output,
            previous,
            partial(forget, store, progress),
            site.keep,
            preview,
            None if preview else server,  # a preview is served by bangtin serve only
            server_at=server_dir,
        ) as writer:
            for out in outputs:
                files += 1
                last = previous.get(out.path) if previous is not None else None
                same += last is not None and last[0] == out.key != ""
                if writer.keep(out.path, out.key):
                    assert record is not None
                    reads[out.path] = record.files[out.path].reads
                else:
                    writer.write(out.path, out.make(), out.key)
                    reads[out.path] = tuple(out.reads or ())
        progress(RECORDING)
        caches.pictures.save(published)
        written, changed = writer.bytes_written, len(writer.written)
        site_changed = previous is None or not same == files == len(previous)
        in_place, stats = writer.in_place, writer.stats()
        caches.records[output] = save_record(
            store, output, base, writer.records, reads, registry.memo, registry.stamps, record
        )
        if store.enabled:
            del caches.records[output]  # on disk: read again by the next build
        del writer, previous, outputs, reads, record  # freed: the end of a build is its peak
        if inputs is not None:
            until = plan.next_change.timestamp() if plan.next_change else None
            moment = plan.now.timestamp()
            state.record(
                store, output, inputs.digest, moment, until, stats, warnings, server_dir, inputs
            )
            state.save_hashes(store, inputs)
    return BuildResult(
        pages=len(plan.pages),
        codes=2 * len(plan.pages),
        files=files,
        changed=changed,
        bytes=written,
        seconds=time.perf_counter() - started,
        warnings=warnings,
        in_place=in_place,
        site_changed=site_changed,
    )


def code_outputs(site: SiteConfig, plan: Plan, cache: QrCache) -> Iterator[Output]:
    """A QR code of every page's absolute URL, as SVG and PNG beside the page (keyed by
    the URL and the QR options: the cache's key)."""
    for page in plan.pages:
        url = absolute(site, page.url_path)
        key = cache.key(url, site.qr)
        yield Output(page.url_path + "qr.svg", key, partial(cache.image, url, site.qr, ".svg"))
        yield Output(page.url_path + "qr.png", key, partial(cache.image, url, site.qr, ".png"))


def forget(store: Store, progress: Progress = lambda stage: None) -> None:
    """Before ``output/`` changes: a build killed from then on leaves no record behind,
    so the next one is a full build."""
    state.forget(store)
    forget_record(store)
    progress(REPLACING)
