"""What the commands do, as functions: the one place that chooses how to build.

``bangtin build``, ``check``, ``boards``, ``serve`` and ``stats`` all come through here, so each
runs the same stages in the same way; the command line only parses options, prints
and picks exit codes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from generator.cache import state
from generator.cache.store import Store, cache_folder, cache_root, cap_bytes, prune
from generator.clock import now
from generator.errors import ContentError, UsageError
from generator.i18n import Message, _
from generator.inputs.scan import Inputs, Seen, input_roots, scan_inputs
from generator.output.lock import WAIT, output_lock
from generator.output.writer import check_folders

if TYPE_CHECKING:  # generator.models: not imported by a build with nothing to do
    from generator.build import Caches
    from generator.deploy.publish import Published
    from generator.models import BuildResult, DeployTarget, SiteConfig
    from generator.province.config import Hub
    from generator.render.boards import Report
    from generator.stats.count import Counts
    from generator.stats.logs import Reading
    from generator.stats.targets import Targets

How = Literal["none", "build"]
# What a failed build did to its output folder (``output_state``).
OutputState = Literal["kept", "partly", "written"]
_STATE = "bangtin_output"  # the attribute of the exception that says so
PAUSE = "BANGTIN_TEST_PAUSE"  # a test hook: see _pause


@dataclass(frozen=True, slots=True)
class Options:
    """What a build is asked to do."""

    content: Path
    output: Path | None = None  # None: check only, write nothing
    base_url: str | None = None  # overrides site.yml's (a preview host)
    strict: bool = False  # warnings (boards hard to scan) are errors
    allow_http: bool = False  # accept an http:// base URL (local previews)
    cache_dir: Path | None = None  # the cache root (else BANGTIN_CACHE_DIR, else the user's)
    preview: bool = False  # for `bangtin serve`: never a folder a build publishes
    # a site of a province (generator.province): the shared folder and the theme it gives
    shared: Path | None = None
    theme_dir: Path | None = None
    # where the server's configuration goes (else beside the output folder)
    server_dir: Path | None = None

    def text(self) -> str:
        """The options as they enter the input digest: other options, another build."""
        output = os.path.abspath(self.output) if self.output is not None else None
        province = f"{self.shared}|{self.theme_dir}|{self.server_dir}"
        return f"{self.base_url}|{self.strict}|{self.allow_http}|{output}|{province}"

    def extra_roots(self) -> tuple[Path, ...]:
        """Folders a build reads besides the content and the themes: a province's."""
        return tuple(p for p in (self.shared, self.theme_dir) if p is not None)


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a build went: nothing to do, or a build (full, or updating what changed)."""

    how: How
    result: BuildResult | None  # None when there was nothing to do
    warnings: tuple[ContentError, ...] = ()  # the last build's, when there was nothing to do


def build(
    options: Options,
    progress: Callable[[Message], None] = lambda stage: None,
    caches: Caches | None = None,
    *,
    lock_wait: float = WAIT,
) -> Outcome:
    """Build ``options.content`` into ``options.output``, doing no more than needed.

    Nothing, when no input changed since the last build and no notice is due to appear
    or expire; else the build pipeline (generator.build), which rewrites only the files
    whose inputs changed.  ``caches``: work a process keeps in memory between its builds
    (``bangtin serve``, which builds when a file changed); by default everything is kept
    in the cache store.

    One build at a time writes into a folder (generator.output.lock): this one waits up
    to ``lock_wait`` seconds (a keyword for tests) for another to finish, then raises
    UsageError.  Any other failure says what it did to the output folder: see
    ``output_state``.
    """
    if options.output is None:
        raise ValueError("build() needs an output folder; check() writes nothing")
    output = Path(os.path.abspath(options.output))
    check_folders(options.content, output)  # before the scan reads either
    reached: list[Message] = []  # the stages the build got to

    def stage(name: Message) -> None:
        reached.append(name)
        progress(name)
        _pause(name)

    with output_lock(output, lock_wait):
        try:
            return _build(options, output, stage, caches)
        except Exception as exc:
            if reached:
                _note_output(exc, reached[-1], options, output, caches)
            raise


def _build(
    options: Options, output: Path, progress: Callable[[Message], None], caches: Caches | None
) -> Outcome:
    """The build itself, holding the output folder's lock."""
    inputs, store = None, Store(cache_folder(output, options.cache_dir))
    store.mark_used()
    if caches is None:  # a command's build: it may have nothing to do
        inputs, warnings = _last_build_current(options, output, store)
        if warnings is not None:
            return Outcome("none", None, warnings)
    from generator import build as pipeline  # Jinja, Markdown, YAML: not for the above

    result = pipeline.build(
        options.content,
        output,
        caches or pipeline.Caches.kept_in(store),
        base_url=options.base_url,
        strict=options.strict,
        allow_http=options.allow_http,
        inputs=inputs,
        progress=progress,
        preview=options.preview,
        shared=options.shared,
        theme_dir=options.theme_dir,
        server_dir=options.server_dir,
    )
    if store.folder is not None:  # the cache root stays under its size cap
        prune(cache_root(options.cache_dir), store.folder, cap_bytes())
    return Outcome("build", result)


def unchanged(options: Options, seen: Seen | None = None) -> tuple[ContentError, ...] | None:
    """The last build's warnings when a build of ``options`` would have nothing to do
    (``build``'s first question, asked without its lock: the answer is only a hint to
    skip the build; None means "build", which asks again holding the lock).  ``seen``:
    what other sites' questions looked at (generator.inputs.scan.Seen)."""
    if options.output is None:
        return None
    output = Path(os.path.abspath(options.output))
    store = Store(cache_folder(output, options.cache_dir))
    if not store.enabled or not output.is_dir():
        return None
    return _last_build_current(options, output, store, seen)[1]


def _last_build_current(
    options: Options, output: Path, store: Store, seen: Seen | None = None
) -> tuple[Inputs | None, tuple[ContentError, ...] | None]:
    """The last build's warnings if that build into ``output`` had these inputs and is
    still current (generator.cache.state), else None, with every input's digest (None
    when the build is current: its inputs were found as it found them, not read)."""
    seen = seen or Seen()
    roots, text = options.extra_roots(), options.text()
    sources = (text, input_roots(options.content, roots), seen)
    kept = state.still_current(store, output, None, options.server_dir, sources)
    if kept is not None:
        return None, kept
    known = state.load_known(store)
    inputs = scan_inputs(options.content, text, known, roots, seen.listed)
    return inputs, state.still_current(
        store, output, inputs.digest, options.server_dir, None, inputs
    )


def output_state(exc: BaseException) -> OutputState:
    """What the build that raised ``exc`` did to its output folder: left it as it was
    ("kept"), began to replace it and stopped ("partly": it may be part old, part new),
    or replaced it whole and then could not save its records ("written").  After the
    last two the build's records are gone, so the next build is a full one."""
    found = getattr(exc, _STATE, "kept")
    return "partly" if found == "partly" else "written" if found == "written" else "kept"


def _note_output(
    exc: Exception, last: Message, options: Options, output: Path, caches: Caches | None
) -> None:
    """Mark ``exc`` with what the failed build did to output/ (``last``: its last stage)."""
    from generator import build as pipeline  # a stage was reached: already imported

    if last == pipeline.REPLACING:
        setattr(exc, _STATE, "partly")  # the writer forgot the records before it began
    elif last == pipeline.RECORDING:
        setattr(exc, _STATE, "written")
        # some records may have been saved before the failure: forget them all, so that
        # the next build is a full one, as the user is told
        if caches is not None:
            caches.records.pop(output, None)
        with contextlib.suppress(OSError):
            store = caches.store if caches else Store(cache_folder(output, options.cache_dir))
            pipeline.forget(store)


def _pause(stage: Message) -> None:
    """A test hook, to make overlapping builds happen in a known order.

    With ``BANGTIN_TEST_PAUSE=STAGE=PATH`` (e.g. ``Rendering pages=/tmp/x/pause``), a
    build that reaches a progress stage whose name starts with STAGE creates the file
    ``PATH.reached``, then waits until the file PATH no longer exists (60 s at most).
    """
    prefix, equals, path = os.environ.get(PAUSE, "").partition("=")
    if not (equals and prefix and path and str(stage).startswith(prefix)):
        return
    Path(f"{path}.reached").touch()
    give_up = time.monotonic() + 60
    while os.path.lexists(path) and time.monotonic() < give_up:
        time.sleep(0.05)


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
        shared=options.shared,
        theme_dir=options.theme_dir,
    )


@dataclass(frozen=True, slots=True)
class Boards:
    """What ``bangtin boards`` shows: the sizing table, the boards that may scan badly, and
    the URLs it added to the printed-URL ledger."""

    report: Report  # ``report.text(lang)``: the table in the reader's language
    warnings: tuple[ContentError, ...]
    recorded: tuple[str, ...] = ()


def boards(options: Options, record: bool = False) -> Boards:
    """Plan the site and size every board; with ``record``, add every board's URL to the
    printed-URL ledger (not when ``strict`` and a board may scan badly).

    Recording is refused (UsageError) while ``base_url`` is an address that cannot go on
    printed codes (an example domain, this computer, an IP address): the ledger keeps
    every URL for good, and a build fails once ``base_url`` no longer matches it.
    """
    from generator.cache.qr import QrCache
    from generator.inputs.config import base_url_warnings, load_config, not_for_print
    from generator.inputs.content import load_content
    from generator.inputs.ledger import record as record_urls
    from generator.plan.site import plan_site
    from generator.render import boards as sizing

    site = load_config(
        options.content, options.base_url, options.allow_http, options.shared, options.theme_dir
    )
    url = site.site_base_url or site.base_url
    why = not_for_print(url)
    if record and why is not None:
        raise UsageError(
            _(
                "`bangtin boards --record` refuses to record {url}: {why}. Set `base_url` in "
                "{file} to the address the site is published at, then record again.",
                url=url,
                why=why,
                file=str(site.source),
            )
        )
    moment = now(site.tz)
    plan = plan_site(site, load_content(site), moment)
    sizing.check_codes_fit(site, plan)
    cache = QrCache()
    warnings = base_url_warnings(site) + tuple(sizing.sizing_warnings(site, plan, cache))
    recorded: tuple[str, ...] = ()
    if record and not (options.strict and warnings):
        recorded = tuple(record_urls(site, plan, moment.date()))
    return Boards(sizing.report(site, plan, cache), warnings, recorded)


# -- bangtin deploy ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deploy:
    """What a deploy is asked to do (the target is in site.yml or bangtin.yml)."""

    output: Path  # the built site (a province's: the folder of every site and the hub)
    dry_run: bool = False  # plan only: list, read, change nothing
    directory_keys: bool = False  # also store every page at its folder's key
    sites: tuple[str, ...] = ()  # a province: only these sites (and then no hub)
    lock_wait: float = WAIT


def deploy_site(
    content: Path,
    how: Deploy,
    progress: Callable[[Message], None] = lambda stage: None,
) -> Published:
    """Upload the site built from ``content`` into ``how.output`` to its target."""
    from generator.inputs.config import load_config

    site = load_config(content)
    if site.deploy is None:
        raise UsageError(
            _(
                "{file} names no target to deploy to: add a `deploy:` group with at least "
                "`bucket:` (see the README, Deploy)",
                file=str(site.source),
            )
        )
    return _deploy_folder(site, site.deploy, Path(os.path.abspath(how.output)), how, (), progress)


def _deploy_folder(
    site: SiteConfig,
    target: DeployTarget,
    output: Path,
    how: Deploy,
    others: tuple[DeployTarget, ...],
    progress: Callable[[Message], None],
) -> Published:
    """One site's built folder, holding its lock: no build changes it meanwhile."""
    from generator.deploy.local import site_folder
    from generator.deploy.publish import publish
    from generator.render.headers import cache_control

    with output_lock(output, how.lock_wait):
        folder = site_folder(output, site.keep, lambda path: cache_control(site, path))
        return publish(
            folder,
            target,
            dry_run=how.dry_run,
            directory_keys=how.directory_keys,
            others=others,
            progress=progress,
        )


@dataclass(frozen=True, slots=True)
class Deployed:
    """How one site's (or the hub's: ``id`` "") deploy went."""

    id: str
    report: Published | None = None  # None: it failed, or it has no target
    errors: tuple[ContentError, ...] = ()  # its site.yml's errors
    failure: Message | None = None  # any other failure
    hint: Message | None = None

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.failure is not None


def deploy_province(
    root: Path,
    how: Deploy,
    done: Callable[[Deployed], None] = lambda deployed: None,
) -> list[Deployed]:
    """Upload every site of the province in ``root`` (or those of ``how.sites``) from
    ``how.output/<id>/`` to its target, one after another, then the hub when it has a
    target and the whole province is deployed.  A site that fails does not stop the
    others (an urgent warning must still reach the communes that can be reached)."""
    from generator.errors import BuildError, DeployError
    from generator.inputs.config import load_config
    from generator.province.config import load_province

    province = load_province(root)
    members = [province.site(i) for i in how.sites] if how.sites else list(province.sites)
    configs: dict[str, SiteConfig] = {}
    targets: dict[str, DeployTarget] = {}
    problems: dict[str, tuple[ContentError, ...]] = {}
    for member in province.sites:
        try:
            site = load_config(member.content, None, False, province.shared, province.theme_dir)
        except BuildError as error:
            problems[member.id] = tuple(error.errors)
            continue
        configs[member.id] = site
        target = province.deploy.get(member.id) or site.deploy
        if target is not None:
            targets[member.id] = target
    hub = province.hub.deploy if province.hub is not None and not how.sites else None
    every = [*targets.values(), *([hub] if hub is not None else [])]
    _check_apart(targets, hub)
    if not every or (how.sites and not any(m.id in targets for m in members)):
        raise UsageError(
            _(
                "no site to deploy has a target: add `deploy:` to the sites' site.yml, or "
                "`deploy: {{<site id>: {{bucket: …}}}}` to {file} (see the README, Deploy)",
                file=str(province.source),
            )
        )
    output = Path(os.path.abspath(how.output))
    outcomes = []
    for member in members:
        target = targets.get(member.id)
        if member.id in problems:
            found = Deployed(member.id, errors=problems[member.id])
        elif target is None:
            found = Deployed(member.id)
        else:
            others = tuple(t for t in every if t is not target)
            try:
                report = _deploy_folder(
                    configs[member.id], target, output / member.id, how, others, lambda s: None
                )
                found = Deployed(member.id, report)
            except (UsageError, DeployError) as error:
                hint = error.hint if isinstance(error, DeployError) else None
                found = Deployed(member.id, failure=error.message, hint=hint)
        outcomes.append(found)
        done(found)
    if hub is not None and province.hub is not None:
        found = _deploy_hub(province.root, province.source, province.hub, hub, output, how, every)
        outcomes.append(found)
        done(found)
    return outcomes


def _check_apart(targets: dict[str, DeployTarget], hub: DeployTarget | None) -> None:
    """Two sites (or a site and the hub) never share one folder of one bucket: each
    deploy would delete the other's files."""
    named = [*targets.items(), *([("hub", hub)] if hub is not None else [])]
    for i, (first, a) in enumerate(named):
        for second, b in named[i + 1 :]:
            if a.same_storage(b) and a.prefix == b.prefix:
                raise UsageError(
                    _(
                        "{first} and {second} would be deployed to the same folder "
                        "{target}; give each its own `prefix`",
                        first=first,
                        second=second,
                        target=a.shown(),
                    )
                )


def _deploy_hub(
    root: Path,
    source: Path,
    hub: Hub,
    target: DeployTarget,
    output: Path,
    how: Deploy,
    every: list[DeployTarget],
) -> Deployed:
    from generator.deploy.local import hub_folder
    from generator.deploy.publish import publish
    from generator.errors import DeployError
    from generator.models import SiteConfig
    from generator.render.headers import cache_control

    # the hub has no site.yml: the default rules (its stylesheet under assets/)
    stand_in = SiteConfig(root=root, source=source, title=hub.title, base_url=hub.base_url)
    try:
        folder = hub_folder(output, lambda path: cache_control(stand_in, path))
        others = tuple(t for t in every if t is not target)
        report = publish(
            folder, target, dry_run=how.dry_run, directory_keys=how.directory_keys, others=others
        )
        return Deployed("", report)
    except (UsageError, DeployError) as error:
        hint = error.hint if isinstance(error, DeployError) else None
        return Deployed("", failure=error.message, hint=hint)


@dataclass(frozen=True, slots=True)
class StatsResult:
    """What ``bangtin stats`` found: the counts, the site's boards, and each file's reading."""

    counts: Counts
    targets: Targets
    readings: tuple[Reading, ...]  # in the order read (oldest first)


def stats(
    content: Path,
    logs: Sequence[Path],
    since: dt.date | None = None,
    until: dt.date | None = None,
    shared: Path | None = None,
) -> StatsResult:
    """Count the scans of the boards of the site in ``content`` in access ``logs``.

    The site's boards, notices and timezone (generator.stats.targets) -> the log files,
    oldest first -> each line read, most of them ending at the path test
    (generator.stats.logs) -> each request classified and counted per board and day
    (generator.stats.classify, generator.stats.count).  Nothing is written here.
    """
    from generator.stats.count import Tally
    from generator.stats.logs import Reading, first_time, read_log
    from generator.stats.targets import load_targets

    missing = [str(p) for p in logs if not p.is_file()]
    if missing:
        raise UsageError(_("no such log file: {files}", files=", ".join(missing)))
    targets = load_targets(content, shared)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    ordered = sorted(logs, key=lambda p: (first_time(p) or far, str(p)))
    tally = Tally(targets, since, until)
    readings: list[Reading] = []
    for path in ordered:
        reading = Reading(str(path))
        readings.append(reading)
        for request in read_log(path, targets.wanted, reading, targets.host):
            tally.add(request)
    return StatsResult(tally.counts(), targets, tuple(readings))


def write_report(folder: Path, found: StatsResult) -> Path:
    """``folder/index.html``: the team's HTML report of ``found``, replaced in one step.
    Never inside a site's output folder: it is not for the public (and the next build
    would stop at a file it did not write)."""
    import tempfile

    from generator.output.writer import MARKER
    from generator.stats.report import html_report

    here = Path(os.path.abspath(folder))
    for parent in (here, *here.parents):
        if (parent / MARKER).is_file():
            raise UsageError(
                _(
                    "{folder} is inside the site's output folder {output}: keep the report "
                    "out of what is published",
                    folder=str(folder),
                    output=str(parent),
                )
            )
    text = html_report(found.counts, found.targets, now(found.targets.tz))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".index.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
