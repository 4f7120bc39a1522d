"""The built site on this computer: every file ``bangtin deploy`` may upload, checked.

Only a complete ``bangtin build`` is published: its folder has the marker listing every
file the build wrote (``generator.output.writer.MARKER``; a preview by ``bangtin serve``
has another), every one of those files is there, and no build is unfinished beside it
(a killed update leaves its staging folder, and the site part old, part new).  Files
the build did not write are uploaded only when ``keep:`` in ``site.yml`` names them;
any other stops the deploy, which names them.  Nothing outside the folder is read: a
symbolic link stops the deploy too.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generator.errors import UsageError
from generator.i18n import Message, _
from generator.output.writer import (
    MARKER,
    hub_marker,
    leftovers,
    published,
    read_marker,
    safe_relpath,
    survey,
)
from generator.render.headers import content_type

# When an object goes up: the files pages show (stylesheets, pictures, documents, QR
# codes), then the pages, then the files that list pages (feed, sitemap, manifest,
# redirects): a reader who follows a link never finds it missing.
Phase = Literal["file", "page", "index"]
INDEXES = frozenset({"feed.xml", "sitemap.xml", "qr-manifest.json", "_redirects"})
RESERVED = ".bangtin/"  # the deploy's own folder in the bucket (target.STATE)
_SHOWN = 10  # paths named in a message


@dataclass(frozen=True, slots=True)
class LocalFile:
    """One file to publish, with what its object must carry."""

    path: str  # relative to the site's folder, POSIX
    size: int
    sha256: str
    content_type: str
    cache_control: str
    phase: Phase


@dataclass(frozen=True, slots=True)
class Folder:
    """A built site (or a province's hub), every file of it checked and hashed."""

    root: Path
    files: tuple[LocalFile, ...]  # sorted by path


def phase_of(path: str) -> Phase:
    if path.endswith(".html"):
        return "page"
    return "index" if path in INDEXES else "file"


def site_folder(output: Path, keep: Iterable[str], cache: Callable[[str], str]) -> Folder:
    """``output`` as a site's build left it; UsageError when it is not a complete one.
    ``keep``: the patterns of ``site.yml``'s ``keep:``; ``cache``: a path's
    ``Cache-Control``."""
    _check_built(output)
    listed = _listed(output, read_marker(output) or set())
    patterns = tuple(keep)
    found = survey(output)
    _refuse_links(output, found)
    _complete(output, listed, found)
    foreign = sorted(
        p
        for p in set(found) - listed - {MARKER}
        if not any(fnmatch.fnmatchcase(p, pattern) for pattern in patterns)
    )
    if foreign:
        raise UsageError(
            _(
                "{output} holds files that bangtin did not write: {files}. To publish them "
                "with the site, list them under `keep:` in site.yml; otherwise remove them",
                output=str(output),
                files=_some(foreign),
            )
        )
    return _hashed(output, sorted(set(found) - {MARKER}), cache)


def _complete(output: Path, listed: set[str], found: Mapping[str, object]) -> None:
    """UsageError unless every file the build listed in its marker is there."""
    missing = sorted(listed - set(found))
    if missing:
        raise UsageError(
            _(
                "{output} is not a complete build: files the build wrote are missing ({files}); "
                "run `bangtin build` again, then deploy",
                output=str(output),
                files=_some(missing),
            )
        )


def hub_folder(output: Path, cache: Callable[[str], str]) -> Folder:
    """The hub's files in a province's ``output`` (its marker lists them)."""
    listed = hub_marker(output)
    if not listed:
        raise UsageError(
            _(
                "{output} holds no hub: build the whole province (`bangtin build` without "
                "--site), then deploy",
                output=str(output),
            )
        )
    found = {p: stat for p, stat in survey(output).items() if p in listed}
    _refuse_links(output, found)
    _complete(output, listed, found)
    return _hashed(output, sorted(listed), cache)


def _check_built(output: Path) -> None:
    if output.is_symlink() or not output.is_dir():
        raise UsageError(
            _(
                "there is no built site in {output}: run `bangtin build` first",
                output=str(output),
            )
        )
    if not published(output):
        why: Message = _(
            "{output} was not made by `bangtin build` (it has no {marker} listing the files "
            "of a build; a preview by `bangtin serve` is never published)",
            output=str(output),
            marker=MARKER,
        )
        raise UsageError(why)
    unfinished = leftovers(output)
    if unfinished:
        raise UsageError(
            _(
                "a build into {output} did not finish ({folder} is still there), so the site "
                "may be part old, part new; run `bangtin build` again, then deploy",
                output=str(output),
                folder=unfinished[0][0].name,
            )
        )


def _listed(output: Path, lines: set[str]) -> set[str]:
    """The marker's paths, each a plain path inside the folder (the marker is a file
    anyone may edit: a line that is not stops the deploy)."""
    found = set()
    for line in lines:
        try:
            found.add(safe_relpath(line))
        except ValueError:
            raise UsageError(
                _(
                    "{output}/{marker} names a file outside the site ({path}); "
                    "run `bangtin build` again, then deploy",
                    output=str(output),
                    marker=MARKER,
                    path=repr(line),
                )
            ) from None
    return found


def _refuse_links(output: Path, found: dict[str, tuple[int, int, int, int] | None]) -> None:
    odd = sorted(p for p, stat in found.items() if stat is None)
    if odd:
        raise UsageError(
            _(
                "{output} holds symbolic links or other entries that are not files ({files}); "
                "bangtin uploads files of the site only",
                output=str(output),
                files=_some(odd),
            )
        )
    reserved = sorted(p for p in found if p.startswith(RESERVED))
    if reserved:
        raise UsageError(
            _(
                "{output} holds {files}: the folder {folder} is bangtin's own in the bucket",
                output=str(output),
                files=_some(reserved),
                folder=RESERVED,
            )
        )


def _hashed(output: Path, paths: list[str], cache: Callable[[str], str]) -> Folder:
    files = []
    for path in paths:
        sha256, size = file_sha256(output / path)
        files.append(LocalFile(path, size, sha256, content_type(path), cache(path), phase_of(path)))
    return Folder(output, tuple(files))


def file_sha256(path: Path) -> tuple[str, int]:
    """The SHA-256 of the regular file at ``path`` (never through a symbolic link), and
    its size."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        digest = hashlib.file_digest(f, "sha256")
        return digest.hexdigest(), f.tell()


def _some(paths: list[str]) -> str | Message:
    shown = ", ".join(paths[:_SHOWN])
    if len(paths) > _SHOWN:
        return _("{files} and {n} more", files=shown, n=len(paths) - _SHOWN)
    return shown
