"""What the commands do, as functions: the one place that chooses how to build.

``bangtin build``, ``check``, ``boards`` and ``serve`` all come through here, so each
runs the same stages in the same way; the command line only parses options, prints
and picks exit codes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from generator.cache import state
from generator.cache.store import Store, cache_folder
from generator.clock import now
from generator.errors import ContentError
from generator.inputs.scan import scan_inputs
from generator.models import BuildResult
from generator.output.writer import check_folders

if TYPE_CHECKING:
    from generator.build import Caches

How = Literal["none", "quick", "build"]


@dataclass(frozen=True, slots=True)
class Options:
    """What a build is asked to do."""

    content: Path
    output: Path | None = None  # None: check only, write nothing
    base_url: str | None = None  # overrides site.yml's (a preview host)
    strict: bool = False  # warnings (boards hard to scan) are errors
    allow_http: bool = False  # accept an http:// base URL (local previews)

    def text(self) -> str:
        """The options as they enter the input digest: other options, another build."""
        output = os.path.abspath(self.output) if self.output is not None else None
        return f"{self.base_url}|{self.strict}|{self.allow_http}|{output}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a build went: nothing to do, a quick update, or a build (full or updating)."""

    how: How
    result: BuildResult | None  # None when there was nothing to do


def build(
    options: Options,
    progress: Callable[[str], None] = lambda stage: None,
    caches: Caches | None = None,
) -> Outcome:
    """Build ``options.content`` into ``options.output``, doing no more than needed.

    Nothing, when no input changed since the last build and no notice is due to appear
    or expire; a quick update (generator.cache.quick) when only the text of published
    notices changed; else the build pipeline (generator.build), which rewrites only
    the files whose inputs changed.  ``caches``: work a process keeps between its
    builds (``bangtin serve``); by default everything is kept in the cache store.
    """
    if options.output is None:
        raise ValueError("build() needs an output folder; check() writes nothing")
    output = Path(os.path.abspath(options.output))
    check_folders(options.content, output)  # before the scan reads either
    store = Store(cache_folder(output))
    inputs = scan_inputs(options.content, options.text(), state.load_known(store))
    if state.unchanged(store, output, inputs.digest):
        return Outcome("none", None)
    if caches is None:
        from generator.cache import quick

        ready = quick.prepare(options.content, output)
        edited = None if ready is None else quick.update(ready, inputs)
        if edited is not None:
            return Outcome("quick", edited)
    from generator import build as pipeline  # Jinja, Markdown, YAML: not for the above

    if caches is None:
        caches = pipeline.Caches.kept_in(store)
    result = pipeline.build(
        options.content,
        output,
        caches,
        base_url=options.base_url,
        strict=options.strict,
        allow_http=options.allow_http,
        inputs=inputs,
        progress=progress,
    )
    return Outcome("build", result)


def check(options: Options) -> BuildResult:
    """Every check of a build (every page rendered too), writing nothing."""
    from generator import build as pipeline

    return pipeline.build(
        options.content,
        None,
        pipeline.Caches(),
        base_url=options.base_url,
        strict=options.strict,
        allow_http=options.allow_http,
    )


@dataclass(frozen=True, slots=True)
class Boards:
    """What ``bangtin boards`` shows: the sizing table, the boards that may scan badly, and
    the URLs it added to the printed-URL ledger."""

    report: str
    warnings: tuple[ContentError, ...]
    recorded: tuple[str, ...] = ()


def boards(options: Options, record: bool = False) -> Boards:
    """Plan the site and size every board; with ``record``, add every board's URL to the
    printed-URL ledger (not when ``strict`` and a board may scan badly)."""
    from generator.cache.qr import QrCache
    from generator.inputs.config import load_config
    from generator.inputs.content import load_content
    from generator.inputs.ledger import record as record_urls
    from generator.plan.site import plan_site
    from generator.render import boards as sizing

    site = load_config(options.content, options.base_url, options.allow_http)
    moment = now(site.tz)
    plan = plan_site(site, load_content(site), moment)
    cache = QrCache()
    warnings = tuple(sizing.sizing_warnings(site, plan, cache))
    recorded: tuple[str, ...] = ()
    if record and not (options.strict and warnings):
        recorded = tuple(record_urls(site, plan, moment.date()))
    return Boards(sizing.report(site, plan, cache), warnings, recorded)
