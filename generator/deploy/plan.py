"""What a deploy does, decided before it does anything: a pure function.

``plan_deploy`` takes the site's files and what is known of the objects under the
target's folder and gives the uploads, in the order they must be made, and the
deletes, made only once every upload succeeded.  An object is bangtin's when it
carries bangtin's SHA-256 (in its metadata, or in the deploy's record); only those
are ever deleted.  Others (uploaded by hand, by another tool) are left alone, unless
the site has a file at that very key, which then replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from generator.deploy.local import LocalFile

INDEX = "index.html"


@dataclass(frozen=True, slots=True)
class Known:
    """What is known of one object under the target's folder."""

    etag: str
    size: int
    sha256: str | None  # None: not bangtin's (no SHA-256 of it anywhere)
    content_type: str | None
    cache_control: str | None


@dataclass(frozen=True, slots=True)
class Upload:
    key: str  # relative to the target's folder
    file: LocalFile
    replaces: bool  # an object is at that key now


@dataclass(frozen=True, slots=True)
class Plan:
    # Groups of uploads, in order: each is made only once the one before is done.
    steps: tuple[tuple[Upload, ...], ...]
    deletes: tuple[str, ...]  # after every upload succeeded
    unchanged: tuple[str, ...]
    foreign: tuple[str, ...]  # objects bangtin did not upload: left alone
    compared: int  # objects the site has (files, and directory keys)

    @property
    def uploads(self) -> tuple[Upload, ...]:
        return tuple(u for step in self.steps for u in step)

    @property
    def empty(self) -> bool:
        return not self.steps and not self.deletes


def wanted_keys(
    files: Iterable[LocalFile], directory_keys: bool, root_key: bool
) -> dict[str, LocalFile]:
    """Every key the site has: each file's path and, with ``directory_keys``, each page
    ``…/index.html`` also at ``…/`` (the site's own ``index.html`` at the folder's key
    itself, "", only when ``root_key``: a bucket's root is no object)."""
    keys: dict[str, LocalFile] = {}
    for file in files:
        keys[file.path] = file
        if directory_keys and (file.path == INDEX or file.path.endswith("/" + INDEX)):
            folder = file.path[: -len(INDEX)]
            if folder or root_key:
                keys[folder] = file
    return keys


def plan_deploy(wanted: Mapping[str, LocalFile], remote: Mapping[str, Known]) -> Plan:
    """The uploads (files pages show, new pages, changed pages, then the files listing
    pages) and the deletes (bangtin's objects the site no longer has)."""
    uploads, unchanged = [], []
    for key, file in sorted(wanted.items()):
        known = remote.get(key)
        if known is not None and (known.sha256, known.content_type, known.cache_control) == (
            file.sha256,
            file.content_type,
            file.cache_control,
        ):
            unchanged.append(key)
        else:
            uploads.append(Upload(key, file, known is not None))
    steps = (
        [u for u in uploads if u.file.phase == "file"],
        [u for u in uploads if u.file.phase == "page" and not u.replaces],
        [u for u in uploads if u.file.phase == "page" and u.replaces],
        [u for u in uploads if u.file.phase == "index"],
    )
    gone = [k for k in remote if k not in wanted]
    # pages first: a page left for a moment may still link a file, never the other way
    deletes = sorted(
        (k for k in gone if remote[k].sha256 is not None),
        key=lambda k: (not _page(k), k),
    )
    foreign = sorted(k for k in gone if remote[k].sha256 is None)
    return Plan(
        tuple(tuple(step) for step in steps if step),
        tuple(deletes),
        tuple(unchanged),
        tuple(foreign),
        len(wanted),
    )


def _page(key: str) -> bool:
    return key.endswith((".html", "/")) or key == ""
