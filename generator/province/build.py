"""Every site of a province, then its hub: one site per core, each as it builds alone.

A site of a province is built exactly as a site on its own (``generator.api.build``),
into ``output/<id>/``, with its own lock, cache folder and update-build records, and
given the province's shared folder and theme (``api.Options``).  Sites are independent:
one site's content error leaves that site's folder as it was and does not stop the
others (a typhoon warning still reaches the communes whose content is fine); the run
then fails.  The hub (``output/index.html`` and its code) is written last.
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from generator import api
from generator.errors import BuildError, ContentError, UsageError
from generator.i18n import Message, _
from generator.inputs.scan import Seen
from generator.output.writer import Stat
from generator.parallel import CORES, cores
from generator.province.config import Member, Province

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from generator.models import BuildResult


@dataclass(frozen=True, slots=True)
class SiteOutcome:
    """How one site's build (or check) went."""

    id: str
    how: api.How | None = None  # None: it failed
    result: BuildResult | None = None
    warnings: tuple[ContentError, ...] = ()
    errors: tuple[ContentError, ...] = ()  # its content errors
    failure: Message | None = None  # any other failure (a usage error, a disk error)

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.failure is not None


def site_options(province: Province, member: Member, options: api.Options) -> api.Options:
    """``options`` for one site: its content, its folder in the output, the province's
    shared folder and theme, and its server configuration beside the output folder."""
    output = None
    server = None
    if options.output is not None:
        output = options.output / member.id
        server = options.output.parent / f"{options.output.name}.nginx" / member.id
    return replace(
        options,
        content=member.content,
        output=output,
        shared=province.shared,
        theme_dir=province.theme_dir,
        server_dir=server,
    )


def run_site(options: api.Options, site_id: str) -> SiteOutcome:
    """Build (or, with no output folder, check) one site; every failure as a value."""
    try:
        if options.output is None:
            result = api.check(options)
            return SiteOutcome(site_id, "build", result, result.warnings)
        outcome = api.build(options)
        warnings = outcome.result.warnings if outcome.result else outcome.warnings
        return SiteOutcome(site_id, outcome.how, outcome.result, warnings)
    except BuildError as error:
        return SiteOutcome(site_id, errors=tuple(error.errors))
    except UsageError as error:
        return SiteOutcome(site_id, failure=error.message)
    except OSError as error:
        reason = str(error.strerror or error)
        where = str(error.filename) if error.filename else ""
        return SiteOutcome(
            site_id, failure=_("cannot write {name}: {reason}", name=where, reason=reason)
        )


def _one_core() -> None:
    """In a worker: this site's own work stays on this worker's core."""
    os.environ[CORES] = "1"


def _run(job: tuple[api.Options, str]) -> SiteOutcome:
    return run_site(*job)


Answer = tuple[ContentError, ...] | None  # api.unchanged's: the warnings, or None: build
SHARED_FROM = 16  # fewer sites are asked faster than a worker starts


def _ask(sites: list[api.Options], seen: Seen | None = None) -> list[Answer]:
    # ``seen``: bangtin's code, the theme, shared/, looked at once for all the sites
    seen = Seen() if seen is None else seen
    return [api.unchanged(site, seen) for site in sites]


class _Ends:
    """The first site nobody has taken and one past the last, shared with a forked
    worker: two numbers in a memory file (``os.memfd_create``, mapped in both), guarded
    by its POSIX lock (``fcntl.lockf``: held by a process, not inherited, let go when
    the process ends).  The lock and numbers a spawned worker shares come from
    ``multiprocessing`` (``Array``): importing and setting that up costs ~25 ms more,
    which a no-op cannot spare."""

    def __init__(self, count: int) -> None:
        self.fd = os.memfd_create("bangtin-sites")
        os.ftruncate(self.fd, 16)
        self.map = mmap.mmap(self.fd, 16)
        struct.pack_into("qq", self.map, 0, 0, count)

    @contextmanager
    def get_lock(self) -> Iterator[None]:
        import fcntl

        fcntl.lockf(self.fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.lockf(self.fd, fcntl.LOCK_UN)

    def __getitem__(self, end: int) -> int:
        return int(struct.unpack_from("q", self.map, 8 * end)[0])

    def __setitem__(self, end: int, value: int) -> None:
        struct.pack_into("q", self.map, 8 * end, value)

    def close(self) -> None:
        self.map.close()
        os.close(self.fd)


def _next(ends: Any, front: bool) -> int | None:
    """The next site nobody has taken (``ends``: ``_Ends``, or a ``multiprocessing``
    ``Array`` of the two), taken from the front or from the back; None when the two
    ends have met."""
    with ends.get_lock():
        if ends[0] >= ends[1]:
            return None
        if front:
            ends[0] += 1
            return int(ends[0] - 1)
        ends[1] -= 1
        return int(ends[1])


def _ask_from(
    sites: list[api.Options], ends: Any, front: bool, seen: Seen, found: dict[int, Answer]
) -> dict[int, Answer]:
    """Sites taken from one end, one at a time, until the ends meet: into ``found``."""
    while (k := _next(ends, front)) is not None:
        found[k] = _ask([sites[k]], seen)[0]
    return found


def _ask_from_the_back(sites: list[api.Options], ends: Any) -> dict[int, Answer]:
    """In the worker: its answers, as they stand if a site fails (that site is then
    asked again, and fails, in the process that shows errors)."""
    found: dict[int, Answer] = {}
    with suppress(Exception):  # the main process asks again, and reports it
        _ask_from(sites, ends, False, Seen(), found)
    return found


def _spawned_worker(sites: list[api.Options], ends: Any, answers: Connection) -> None:
    answers.send(_ask_from_the_back(sites, ends))
    answers.close()


def unchanged_sites(sites: list[api.Options]) -> list[Answer]:
    """``api.unchanged`` for every site: which have nothing to do (and their warnings).

    Every file of every site's input and output is looked at (``os.lstat``: a province
    of 100 communes has some 110,000 files and folders in its output), which takes
    longer than starting Python: with more than one core, this process takes the sites
    one at a time from the first and a worker process from the last, through a shared
    pair of counters, until the two meet, so neither waits for the other for longer
    than one site.  The worker is forked when that is safe (on Linux, from a process
    with no other thread: `bangtin build` asks before it starts any), so it starts at
    once, with bangtin loaded; otherwise it is started afresh (spawn).  Each process
    lists the folders all sites share once (``_ask``'s ``seen``).  A site the worker
    did not answer (it failed, or was killed) is asked here.
    """
    if len(sites) < SHARED_FROM or cores() < 2:
        return _ask(sites)
    seen = Seen()
    found: dict[int, Answer] | None = None
    if sys.platform == "linux" and threading.active_count() == 1:
        found = _with_fork(sites, seen)  # None: no memory file to share
    if found is None:
        found = _with_spawn(sites, seen)
    return [found[k] if k in found else _ask([site], seen)[0] for k, site in enumerate(sites)]


def _with_fork(sites: list[api.Options], seen: Seen) -> dict[int, Answer] | None:
    import pickle

    try:
        ends = _Ends(len(sites))
    except (OSError, AttributeError):  # no memory files here (an old kernel, a sandbox)
        return None
    theirs, mine = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no room for another process: every site is asked here
        for fd in (theirs, mine):
            os.close(fd)
        ends.close()
        return {}
    if pid == 0:  # the worker: its answers down the pipe, then gone (no atexit, no flush)
        try:
            os.close(theirs)
            data = pickle.dumps(_ask_from_the_back(sites, ends))
            with open(mine, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(mine)
    try:
        with open(theirs, "rb") as answers:  # closed before the wait: a worker still
            found = _ask_from(sites, ends, True, seen, {})  # writing then stops
            data = answers.read()
    finally:
        os.waitpid(pid, 0)
        ends.close()
    with suppress(Exception):  # cut short (the worker was killed): its sites asked here
        found.update(pickle.loads(data))
    return found


def _with_spawn(sites: list[api.Options], seen: Seen) -> dict[int, Answer]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    ends = context.Array("l", [0, len(sites)])
    theirs, mine = context.Pipe(duplex=False)
    worker = context.Process(target=_spawned_worker, args=(sites, ends, mine), daemon=True)
    worker.start()
    mine.close()  # (the worker's end): a worker that dies is then read as EOF
    found = _ask_from(sites, ends, True, seen, {})
    with suppress(EOFError):
        found.update(theirs.recv())
    theirs.close()
    worker.join()
    return found


def run_sites(
    province: Province,
    options: api.Options,
    only: Sequence[str] = (),
    done: Callable[[SiteOutcome], None] = lambda outcome: None,
) -> list[SiteOutcome]:
    """Every site (or those named in ``only``), built in parallel, one per core; each
    outcome handed to ``done`` as it comes, all returned in the province's order."""
    members = [province.site(i) for i in only] if only else list(province.sites)
    outcomes: dict[str, SiteOutcome] = {}
    jobs = []
    sites = [site_options(province, m, options) for m in members]
    # asked first: no site with nothing to do is given to a worker
    answers = unchanged_sites(sites)
    for m, site, kept in zip(members, sites, answers, strict=True):
        if kept is None:
            jobs.append((site, m.id))
        else:
            outcomes[m.id] = found = SiteOutcome(m.id, "none", None, kept)
            done(found)
    workers = min(cores(), len(jobs))
    if workers < 2:
        for job in jobs:
            outcomes[job[1]] = found = run_site(*job)
            done(found)
    else:
        # spawn, not fork: the caller may have threads (the progress line)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_one_core) as pool:
            for future in as_completed([pool.submit(_run, job) for job in jobs]):
                found = future.result()
                outcomes[found.id] = found
                done(found)
    return [outcomes[m.id] for m in members]


@dataclass(frozen=True, slots=True)
class ProvinceOutcome:
    sites: tuple[SiteOutcome, ...]
    hub: bool = False  # the hub was written
    hub_changed: bool = False  # ... and differs from the last build's

    @property
    def failed(self) -> bool:
        return any(s.failed for s in self.sites)


def build_province(
    province: Province,
    options: api.Options,
    only: Sequence[str] = (),
    done: Callable[[SiteOutcome], None] = lambda outcome: None,
) -> ProvinceOutcome:
    """Build (or check, when ``options.output`` is None) every site, or those of ``only``;
    then, for a whole province built into a folder, write its hub."""
    from generator.output.writer import check_hub_folder, hub_intact, write_hub

    ids = [m.id for m in province.sites]
    if options.output is not None:
        check_hub_folder(options.output, ids)  # before any site is written into it
    outcomes = run_sites(province, options, only, done)
    if options.output is None or only or province.hub is None:
        return ProvinceOutcome(tuple(outcomes))
    from generator.cache.store import Store, cache_folder
    from generator.province.hub import hub_key

    store = Store(cache_folder(options.output, options.cache_dir))
    key = hub_key(province, options.allow_http)
    if hub_intact(options.output, _hub_record(store.read_json(HUB_RECORD), key)):
        return ProvinceOutcome(tuple(outcomes), hub=True)
    from generator.inputs.config import load_config
    from generator.province.hub import hub_files

    configs = []
    for member in province.sites:
        try:
            configs.append(load_config(member.content, None, options.allow_http))
        except BuildError:
            continue  # reported by that site's own build
    files = hub_files(province, province.hub, configs)
    store.delete(HUB_RECORD)  # the record is written again only once the hub is
    changed, written = write_hub(options.output, files, ids)
    store.write_json(HUB_RECORD, {"key": key, "files": {p: list(s) for p, s in written.items()}})
    return ProvinceOutcome(tuple(outcomes), hub=True, hub_changed=changed)


HUB_RECORD = "hub.json"  # in the province output's cache folder: the hub's key and files


def _hub_record(data: object, key: str) -> dict[str, Stat]:
    """The hub's files as its last build wrote them, if it was made from ``key``; the
    record is read as untrusted: anything not exactly that shape counts as none."""
    if type(data) is not dict or data.get("key") != key or type(data.get("files")) is not dict:
        return {}
    files: dict[str, Stat] = {}
    for path, stat in data["files"].items():
        if not (type(stat) is list and len(stat) == 4 and all(type(n) is int for n in stat)):
            return {}
        files[path] = (stat[0], stat[1], stat[2], stat[3])
    return files
