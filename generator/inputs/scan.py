"""Every file a build reads, and one digest of them all (by content, not modification time).

Deliberately small: it imports nothing heavy, so that a ``bangtin build`` with nothing
to do costs little more than starting Python.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).parent.parent  # generator/
RACY_NS = 2_000_000_000  # a file changed this close to the last record is read again
# The libraries whose code decides what bangtin writes: a new version is a new input.
LIBRARIES = (
    "jinja2", "markdown", "nh3", "pillow", "pypdfium2", "pyyaml", "python-slugify", "segno",
)  # fmt: skip


def source_files(folder: Path) -> list[Path]:
    """Every file a build may read under ``folder``, sorted (no dotfiles, no caches)."""
    return [Path(name) for name in walk(str(folder))]


def walk(folder: str, folders: list[str] | None = None) -> list[str]:
    """``source_files`` as plain strings: a folder's files (sorted), then its folders'.
    ``folders``: each folder walked is added to it, its name and its status
    (``status``, ``ABSENT`` if there is none), taken before it is listed."""
    if folders is not None:
        try:
            folders += [folder, status(os.stat(folder))]
        except OSError:
            folders += [folder, ABSENT]
    try:
        with os.scandir(folder) as it:
            entries = {e.name: e for e in it if not e.name.startswith(".")}
    except (NotADirectoryError, FileNotFoundError):
        return []
    found, below = [], []
    for name in sorted(entries):
        entry = entries[name]
        if entry.is_dir():  # a symlink to a folder is not followed (as os.walk)
            if name != "__pycache__" and not entry.is_symlink():
                below.append(entry.path)
        else:
            found.append(entry.path)
    for sub in below:
        found += walk(sub, folders)
    return found


ABSENT = "absent"  # the status of a folder that is not there


def status(st: os.stat_result) -> str:
    """What ``os.stat`` says of a file or folder that any change to it changes: its
    size, inode, modification and change times (the latter cannot be set back)."""
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"


@functools.cache
def library_versions() -> str:
    """``jinja2 3.1.6, markdown 3.10, ...``: the versions installed, without importing
    the libraries.  Each is read from the name of its ``.dist-info`` folder, the first
    on ``sys.path`` (the packaging spec, "Recording installed projects": the folder is
    ``{name}-{version}.dist-info``; a new version is a new folder), which a listing of
    each folder of ``sys.path`` gives at once: ``importlib.metadata`` costs ~35 ms a
    process to import and read, and a province's no-op asks in two.  A library
    installed some other way (an ``.egg-info``) is asked of ``importlib.metadata``."""
    wanted = {_project(name): name for name in LIBRARIES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue  # gone, or not a folder (a zip)
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name[: -len(".dist-info")].partition("-")
                key = _project(project)
                if key in wanted and version:
                    found.setdefault(key, version)
        if len(found) == len(wanted):
            break
    versions = []
    for key, name in wanted.items():
        version = found.get(key) or _metadata_version(name)
        versions.append(f"{name} {version}")
    return ", ".join(versions)


def _project(name: str) -> str:
    """A project's name as the packaging spec normalises it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _metadata_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


@functools.cache
def code_digest() -> str:
    """bangtin's own code and its libraries' versions: what every output is made by."""
    h = hashlib.sha256(library_versions().encode())
    for name in walk(str(PACKAGE)):
        if not name.endswith(".pyc"):
            with open(name, "rb") as f:
                h.update(f"\0{name[len(str(PACKAGE)) :]}\0".encode() + f.read())
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Known:
    """The file hashes a previous scan recorded (generator.cache.state), and when."""

    files: Mapping[str, str] = field(default_factory=dict)
    written_ns: int = 0
    digest: str = ""  # that scan's digest


@dataclass(frozen=True, slots=True)
class Inputs:
    """The digest of every input, and the content hash of each file that went into it."""

    digest: str
    hashes: Mapping[str, str]  # path -> "size:mtime:ctime:inode:sha256" (times in ns)
    # Against the hashes of ``Known``: files new or with other bytes, files gone, and
    # that scan's digest ("" if none).
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    known: str = ""
    options: str = ""  # the build's options, in the digest
    # Per root: every folder walked and every file, each with its status as the scan
    # found it (``Listed``), and when the first root was listed; None if a file could
    # not be read.  Kept with the build (generator.cache.state.sources_as_left).
    sources: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] | None = None
    scanned_ns: int = 0


_OURS = (str(PACKAGE.parent / "themes"), str(PACKAGE))  # the default theme, bangtin's code

# The files under one folder and their status (None: could not be read).
Listing = list[tuple[str, os.stat_result | None]]


class Listed:
    """One folder's files as one scan of a run found them (``scan_inputs``' ``seen``),
    and what the last scan that used them made of them: each file's recorded entry
    (``Inputs.hashes``) and the digest's parts.  Another site whose record holds exactly
    those entries, none of them within ``RACY_NS`` of that record, would make the same
    of them file by file: that scan is skipped (one comparison of the entries)."""

    __slots__ = (
        "entries", "files", "folders", "matched", "names", "newest", "parts", "started", "used",
    )  # fmt: skip

    def __init__(
        self, entries: Listing, folders: list[str] | None = None, started: int = 0
    ) -> None:
        self.entries = entries
        self.folders = folders or []  # each folder walked and its status (``walk``)
        self.started = started  # when the listing began (``time.time_ns``)
        self.used = 0  # by how many scans
        self.files: tuple[str, ...] | None = None  # ``statuses``, once made
        self.names: tuple[str, ...] = ()
        self.newest = 0  # the latest modification or change time of them
        self.matched: tuple[str, ...] | None = None  # None: no scan to reuse
        self.parts: list[str] = []

    def statuses(self) -> tuple[str, ...] | None:
        """Each file's name and status, flat; None if one could not be read."""
        if self.files is None:
            found = [(name, status(st)) for name, st in self.entries if st is not None]
            if len(found) < len(self.entries):
                return None
            self.files = tuple(x for pair in found for x in pair)
        return self.files

    def keep(self, hashes: Mapping[str, str], parts: list[str]) -> None:
        """Remember what a scan made of these files (none of them unreadable)."""
        stats = [st for _, st in self.entries if st is not None]
        if len(stats) == len(self.entries):
            self.names = tuple(name for name, _ in self.entries)
            self.newest = max((max(st.st_mtime_ns, st.st_ctime_ns) for st in stats), default=0)
            self.matched, self.parts = tuple(hashes[name] for name in self.names), parts


def _listing(root: str) -> Listed:
    found: Listing = []
    folders: list[str] = []  # each folder's status, taken before it is listed
    started = time.time_ns()
    for name in walk(root, folders):
        if name.endswith(".pyc"):
            continue
        try:
            found.append((name, os.stat(name)))
        except OSError:  # e.g. a broken symlink: the build reports it
            found.append((name, None))
    return Listed(found, folders, started)


class Seen:
    """What one run has already looked at, for many sites' questions (a province):
    the folders it listed (``scan_inputs``) and the roots whose files and folders it
    found as a site's record has them (generator.cache.state.sources_as_left), with
    the latest time among them."""

    __slots__ = ("found", "listed")

    def __init__(self) -> None:
        self.listed: dict[str, Listed] = {}
        self.found: dict[str, tuple[list[str], list[str], int]] = {}


def input_roots(content: Path, extra: tuple[Path, ...] = ()) -> list[str]:
    """The folders a build reads, in the digest's order: the content, the themes beside
    it, a province's (``extra``: its shared folder and theme), the default theme and
    bangtin's code."""
    folder = str(content)
    themes = os.path.join(os.path.dirname(folder), "themes")  # as str(content.parent / "themes")
    return [folder, themes, *map(str, extra), *_OURS]


def scan_inputs(
    content: Path,
    options: str,
    known: Known | None = None,
    extra: tuple[Path, ...] = (),
    seen: dict[str, Listed] | None = None,
) -> Inputs:
    """A hash of everything a build reads: the content, the themes, bangtin's own code
    and its libraries' versions.

    A file whose size, inode, modification and change times are those ``known`` recorded
    (and not within 2 s of that record, the "racily clean" case git also guards
    against) is not read again: its recorded hash is used.  The change time cannot be
    set back, so an edit that restores the modification time is still seen.

    ``seen``: the folders an earlier scan of the same run listed, by path, used as that
    scan found them and filled with the others.  A province's sites share bangtin's
    code, its theme and the shared notices: asking whether 500 sites have anything to do
    lists those once, not 500 times (each answer is then as of the moment the shared
    folders were listed, as if it had been asked then; a site that is built scans again),
    and a folder whose files every site recorded alike is compared once per site, not
    file by file (``Listed``).
    """
    known = known or Known()
    files = known.files
    hashes: dict[str, str] = {}
    changed: list[str] = []
    parts = [options, library_versions()]
    limit = known.written_ns - RACY_NS
    # ``extra``: a province's shared folder and theme (generator.province)
    sources: list[tuple[str, tuple[str, ...], tuple[str, ...]]] | None = []
    scanned = time.time_ns()
    for root in input_roots(content, extra):
        listed = seen.get(root) if seen is not None else None
        if listed is None:
            listed = _listing(root)
            if seen is not None:
                seen[root] = listed
        statuses = listed.statuses()
        if sources is not None and statuses is not None:
            sources.append((root, tuple(listed.folders), statuses))
            scanned = min(scanned, listed.started)
        else:
            sources = None  # a file could not be read: the build reports it
        if listed.matched is not None and listed.newest < limit:
            got = tuple(map(files.get, listed.names))
            if got == listed.matched:  # as ``_scan`` would find them: see ``Listed``
                hashes.update(zip(listed.names, listed.matched, strict=True))
                parts += listed.parts
                continue
        found = _scan(root, listed.entries, files, limit, hashes, changed)
        parts += found
        if listed.matched is None and seen is not None and seen.get(root) is listed:
            listed.used += 1
            if listed.used > 1:  # shared by sites: worth keeping
                listed.keep(hashes, found)
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape"))
    removed = sorted(set(files) - set(hashes))
    return Inputs(
        digest.hexdigest(),
        hashes,
        tuple(changed),
        tuple(removed),
        known.digest,
        options,
        None if sources is None else tuple(sources),
        scanned,
    )


def _scan(
    root: str,
    entries: Listing,
    files: Mapping[str, str],
    limit: int,
    hashes: dict[str, str],
    changed: list[str],
) -> list[str]:
    """The digest's parts for the files of ``root``, each file's entry put in ``hashes``
    (read again unless ``files`` recorded it, before ``limit``), the new or changed ones
    in ``changed``."""
    skip, parts = len(root) + 1, []
    for name, st in entries:
        if st is None:
            hashes[name] = "0:0:0:0:unreadable"
            changed.append(name)
            parts.append(f"{name[skip:]}\0unreadable")
            continue
        stamp = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:"
        entry = files.get(name)
        if (
            type(entry) is str
            and entry.startswith(stamp)
            and len(entry) == len(stamp) + 64
            and st.st_mtime_ns < limit
            and st.st_ctime_ns < limit
        ):
            sha = entry[len(stamp) :]
        else:
            with open(name, "rb") as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            if not (type(entry) is str and entry.endswith(":" + sha)):
                changed.append(name)
        hashes[name] = stamp + sha
        parts.append(f"{name[skip:]}\0{sha}")
    return parts
