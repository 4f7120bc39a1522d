"""``bangtin changed-sites``: the sites of a province that a change touches, from git.

A pull request of a province usually edits one commune's folder; checking all 500 sites
for it would take long and say nothing new.  What a change touches is decided by where
each changed file is (``touched``, a pure function):

- in a site's content folder, or in its own themes beside it (``<content>/../themes/``):
  that site;
- ``bangtin.yml``, the shared folder or the province's theme: every site;
- anything else (the README, the workflow): none.

The changed files are asked of git (``changed_paths``): those that differ between a
commit and the working tree (committed since, staged or not), and the untracked files
git does not ignore.  Renames are read as a removal and an addition, so both sites of a
file moved from one commune to another are touched.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import UsageError
from generator.i18n import _
from generator.province.config import Province

TIMEOUT = 120  # seconds for each git command: a very large repository, a slow disk


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the parts of a province are, relative to the folder of its bangtin.yml."""

    sites: tuple[tuple[str, tuple[PurePosixPath, ...]], ...]  # id, the folders it reads
    everyone: tuple[PurePosixPath, ...]  # what every site reads: bangtin.yml, shared, theme


def layout(province: Province) -> Layout:
    """The province's parts as paths relative to its folder."""
    sites = []
    for member in province.sites:
        own = _relative(province.root, member.content)
        own += _relative(province.root, member.content / ".." / "themes")  # its own themes
        sites.append((member.id, tuple(own)))
    everyone = [PurePosixPath(province.source.name)]
    for folder in (province.shared, province.theme_dir):
        if folder is not None:
            everyone += _relative(province.root, folder)
    return Layout(tuple(sites), tuple(everyone))


def _relative(root: Path, folder: Path) -> list[PurePosixPath]:
    """``folder`` relative to ``root``, as written and (when a link leads elsewhere in
    ``root``) as it really is; nothing when it is outside ``root``."""
    found: list[PurePosixPath] = []
    pairs = [(os.path.normpath(root), os.path.normpath(folder))]
    with contextlib.suppress(OSError, RuntimeError):
        pairs.append((str(root.resolve()), str(folder.resolve())))
    for base, path in pairs:
        relative = PurePosixPath(_nfc(os.path.relpath(path, base)).replace(os.sep, "/"))
        if relative.parts[:1] != ("..",) and relative not in found:
            found.append(relative)
    return found


def _nfc(text: str) -> str:
    """One spelling of a Vietnamese name (macOS may give a file's name decomposed)."""
    return unicodedata.normalize("NFC", text)


def touched(layout: Layout, paths: Iterable[str]) -> list[str]:
    """The ids of the sites a change of ``paths`` (relative to the province's folder)
    touches, in the province's order."""
    changed = [PurePosixPath(_nfc(p)) for p in paths]
    if any(p.is_relative_to(part) for p in changed for part in layout.everyone):
        return [site_id for site_id, _folders in layout.sites]
    return [
        site_id
        for site_id, folders in layout.sites
        if any(p.is_relative_to(folder) for p in changed for folder in folders)
    ]


def changed_sites(province: Province, since: str) -> list[str]:
    """The sites that the changes since ``since`` (a git commit, branch or tag) touch."""
    return touched(layout(province), changed_paths(province.root, since))


def changed_paths(root: Path, since: str) -> list[str]:
    """The files under ``root`` that differ between the commit ``since`` and the working
    tree, and the untracked files git does not ignore; relative to ``root``."""
    # where root is in the repository ("" at its top; "tinh/" when it is a folder of it)
    prefix = os.fsdecode(_git(root, "rev-parse", "--show-prefix")).strip("\n")
    if not since or since.startswith("-"):  # never an option of git's (--output=FILE)
        raise UsageError(_("`--since {ref}` is not the name of a git commit", ref=since))
    found = _git(root, "rev-parse", "--verify", "--quiet", since + "^{commit}", ref=since)
    commit = found.decode().strip()
    # Paths from the top of the repository (a user's diff.relative would cut them), each
    # side of a rename (--no-renames: a removal and an addition), NUL-separated (-z: a
    # name with a space, a quote or Vietnamese letters comes as it is).
    diff = _git(
        root,
        "-c",
        "diff.relative=false",
        "diff",
        "--name-only",
        "--no-renames",
        "--no-ext-diff",
        "-z",
        commit,
        "--",
    )
    # untracked, not ignored, under root (ls-files lists the current folder's only)
    others = _git(root, "ls-files", "--others", "--exclude-standard", "--full-name", "-z")
    paths = []
    for raw in (diff + others).split(b"\0"):
        path = os.fsdecode(raw)
        if path and path.startswith(prefix):
            paths.append(path[len(prefix) :])
    return sorted(set(paths))


def _git(root: Path, *args: str, ref: str | None = None) -> bytes:
    """The output of ``git ARGS`` run in ``root``; a usage error when git fails (with
    ``ref``: it failed because ``ref`` names no commit)."""
    # no lock on the index: an editor's own git command may be running at the same time
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, env=env, capture_output=True, timeout=TIMEOUT
        )
    except FileNotFoundError:
        raise UsageError(
            _("git is not installed: changed-sites asks git which files changed")
        ) from None
    except subprocess.TimeoutExpired:
        command = " ".join(["git", *args])
        message = _(
            "git did not answer within {seconds} s: {command}", seconds=TIMEOUT, command=command
        )
        raise UsageError(message) from None
    if done.returncode == 0:
        return done.stdout
    reason = done.stderr.decode(errors="replace").strip()
    if "not a git repository" in reason:
        raise UsageError(
            _(
                "{folder} is not in a git repository: changed-sites compares commits of "
                "the province's repository",
                folder=str(root),
            )
        )
    if ref is not None:
        raise UsageError(
            _(
                "`--since {ref}`: this repository has no such commit, branch or tag (on "
                "GitHub Actions, check out the whole history: `fetch-depth: 0`)",
                ref=ref,
            )
        )
    last = reason.splitlines()[-1] if reason else f"git {args[0]}: {done.returncode}"
    raise UsageError(_("git failed: {reason}", reason=last))
