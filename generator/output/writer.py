"""The only code that writes the site to disk.

A full build writes everything to a staging folder beside ``output/``; when the whole
site is written, the two folders are swapped in one step.  A failed or killed build
leaves the previous ``output/`` exactly as it was.

An update (``previous`` given: what the last build wrote to ``output/``, by key and
file status) stages only the files whose key changed or whose file on disk no longer
matches its record, then moves each into ``output/`` and removes the files the site no
longer has.  Until that last step nothing in ``output/`` changes, so a content or
template error still leaves it exactly as it was; a build killed during the moves
leaves each file whole but the site partly updated, and the caller has already
forgotten the record by then (``before_commit``), so the next build is a full one.

Nothing on disk is taken on trust:

* ``output/`` is replaced only if it is empty or holds the marker (``MARKER``) that
  lists every file bangtin wrote there: a folder with a ``qr-manifest.json`` that
  someone copied in is not enough;
* a file of ``output/`` is kept only if its status (size, modification and change
  times, inode) is the one recorded when bangtin wrote it: an edit, even one of the
  same size with the modification time put back, changes the change time, which no
  program can set;
* files in ``output/`` that bangtin did not write (a hand-added ``CNAME``) are carried
  over when ``keep`` patterns (``site.yml``'s ``keep:``) match them; any other stops
  the build, which names them (``Foreign``);
* when ``output/`` cannot be replaced whole (a mount point: ``rename`` fails with
  EBUSY or EXDEV), it is updated in place, file by file (``in_place``): each file is
  whole, but a reader may see the site half old, half new for a moment.

The server's configuration (the nginx snippets) is not part of the site: a host
publishes every file of ``output/``.  It goes beside it, in ``server_folder(output)``
(``output.nginx/``), written by a second writer with the same rules (its own marker,
staged and swapped whole), staged with the site and put in place just after it.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from generator.errors import UsageError
from generator.i18n import Message, _

MARKER = ".bangtin-output"  # every bangtin output has one: the files bangtin wrote
_MARKER_HEAD = "bangtin output 1"
_PREVIEW_HEAD = "bangtin preview 1"  # made by `bangtin serve`: never published
_SERVER_HEAD = "bangtin server 1"  # the server's configuration, beside output/
_SITE_HEADS = (_MARKER_HEAD, _PREVIEW_HEAD)
SERVER_SUFFIX = ".nginx"
_PREFIX = ".bangtin-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_NOT_HERE = (errno.EBUSY, errno.EXDEV, errno.EPERM, errno.EACCES, errno.ENOTEMPTY)

# A file's status as the writer left it: size, mtime and ctime in ns, inode.
Stat = tuple[int, int, int, int]
# A file of output/ as the writer left it: its key (models.Output) and its status.
Record = tuple[str, int, int, int, int]


def file_stat(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def survey(folder: Path) -> dict[str, Stat | None]:
    """Every entry of ``folder`` that is not a folder, by relative POSIX path, with its
    status (None: a symlink or other non-file, never a file bangtin wrote)."""
    found: dict[str, Stat | None] = {}
    top = str(folder)

    def walk(path: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(path))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path, rel + "/")
            elif entry.is_file(follow_symlinks=False):
                found[rel] = file_stat(entry.stat(follow_symlinks=False))
            else:
                found[rel] = None

    walk(top, "")
    return found


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def read_marker(output: Path, heads: tuple[str, ...] = _SITE_HEADS) -> set[str] | None:
    """The files the marker says bangtin wrote into ``output`` (a site's, or with
    ``heads``, another kind of folder's); None without such a marker."""
    try:
        lines = (output / MARKER).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0] not in heads:
        return None
    return set(lines[1:])


def server_folder(output: Path) -> Path:
    """Where the server configuration of the site in ``output`` is written: beside it,
    never inside (``/srv/site/output`` -> ``/srv/site/output.nginx``)."""
    return output.with_name(output.name + SERVER_SUFFIX)


def published(output: Path) -> bool:
    """Whether ``output`` holds a site ``bangtin build`` made (not a preview)."""
    try:
        with open(output / MARKER, encoding="utf-8") as f:
            return f.readline().rstrip("\n") == _MARKER_HEAD
    except (OSError, UnicodeDecodeError):
        return False


class Writer:
    def __init__(
        self,
        output: Path,
        previous: Mapping[str, Record] | None = None,
        before_commit: Callable[[], None] = lambda: None,
        keep_patterns: Iterable[str] = (),
        preview: bool = False,
        server: Mapping[str, str] | None = None,
        *,
        head: str | None = None,
        server_at: Path | None = None,
    ) -> None:
        """``server``: the files of the server folder (``server_at``, else
        ``server_folder(output)``), written by a writer of their own; ``head``: that
        writer's marker."""
        self.output = Path(os.path.abspath(output))
        parent = self.output.parent
        self.staging = parent / f"{_PREFIX}staging-{self.output.name}-{os.getpid()}"
        self.previous = previous if previous is not None and self.output.is_dir() else None
        self.before_commit = before_commit
        self.keep_patterns = tuple(keep_patterns)
        self.head = head or (_PREVIEW_HEAD if preview else _MARKER_HEAD)
        self.heads = (head,) if head else _SITE_HEADS  # the markers of a folder it replaces
        self.server_files = server
        self.server_at = server_at
        self.server: Writer | None = None
        self.written: set[str] = set()
        self.records: dict[str, Record] = {}  # every file of the site once committed
        self.folders: set[Path] = set()
        self.bytes_written = 0
        self.found: dict[str, Stat | None] = {}  # output/ as it is before this build
        self.ours: set[str] = set()  # the files of output/ that bangtin wrote
        self.carried: dict[str, Stat] = {}  # files of output/ that keep: carries over
        self.committed = False  # output/ was changed by this build
        self.in_place = False  # ... file by file (a mount point)

    def keep(self, relpath: str, key: str) -> bool:
        """True (and nothing to write) when output/ holds this file, made from the same key
        and untouched since."""
        if self.previous is None or not key:
            return False
        record = self.previous.get(relpath)
        if record is None or record[0] != key or relpath not in self.ours:
            return False
        if self.found.get(relpath) != record[1:]:
            return False  # removed or changed since: written again
        self.records[relpath] = record
        return True

    def __enter__(self) -> Writer:
        check_replaceable(self.output, self.heads)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.output)
        self.found = survey(self.output)
        self.ours = (read_marker(self.output, self.heads) or set()) & set(self.found)
        self._check_foreign()
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        if self.server_files is not None:  # staged before output/ changes, like the site
            try:
                self._stage_server(self.server_files)
            except BaseException:
                shutil.rmtree(self.staging, ignore_errors=True)
                raise
        return self

    def _stage_server(self, files: Mapping[str, str]) -> None:
        """Stage the server folder's files (put in place after the site: ``__exit__``)."""
        folder = self.server_at if self.server_at is not None else server_folder(self.output)
        server = Writer(folder, head=_SERVER_HEAD).__enter__()
        try:
            for relpath, text in files.items():
                server.write(relpath, text)
        except BaseException as exc:
            server.__exit__(type(exc), exc, exc.__traceback__)  # removes what it staged
            raise
        self.server = server

    def _check_foreign(self) -> None:
        """Files bangtin did not write: carried over when ``keep:`` names them, else an
        error that names them (never deleted silently)."""
        foreign = sorted(set(self.found) - self.ours - {MARKER})
        unknown = []
        for relpath in foreign:
            stat = self.found[relpath]
            if stat is not None and any(
                fnmatch.fnmatchcase(relpath, p) for p in self.keep_patterns
            ):
                self.carried[relpath] = stat
            else:
                unknown.append(relpath)
        if unknown:
            shown: str | Message = ", ".join(unknown[:10])
            if len(unknown) > 10:
                shown = _("{files} and {n} more", files=shown, n=len(unknown) - 10)
            raise UsageError(
                _(
                    "{output} holds files that bangtin did not write: {files}. "
                    "To publish them with the site, list them under `keep:` in site.yml; "
                    "otherwise move them out of the output folder",
                    output=str(self.output),
                    files=shown,
                )
            )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
            if self.server is not None:  # just after the site: its rules name its pages
                self.server.__exit__(None, None, None)
        else:
            shutil.rmtree(self.staging, ignore_errors=True)
            if self.server is not None:
                self.server.__exit__(exc_type, exc, tb)

    def write(self, relpath: str, data: bytes | str | Iterable[str], key: str = "") -> None:
        """Write one file of the site; refuses paths outside it and second writes."""
        safe = safe_relpath(relpath)
        if safe in self.written or safe in self.records or safe == MARKER:
            raise ValueError(f"{safe} would be written twice")
        if safe in self.carried:
            raise UsageError(
                _("`keep:` in site.yml names {path}, which the site itself has", path=safe)
            )
        # safe_relpath allows no "..", no absolute path, no backslash, and the staging
        # folder is new and holds no symlinks: the target cannot be outside it.
        target = self.staging / safe
        if target.parent not in self.folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(target.parent)
        with open(target, "xb") as f:  # "x": never over a file already there
            if isinstance(data, str | bytes):
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
            else:  # a large file made piece by piece: never whole in memory
                for chunk in data:
                    f.write(chunk.encode("utf-8"))
            f.flush()
            st = os.fstat(f.fileno())
        # a folder rename keeps a file's status; a file moved on its own is stat'ed again
        self.records[safe] = (key, *file_stat(st))
        self.written.add(safe)
        self.bytes_written += st.st_size

    def commit(self) -> None:
        """Put the staged site in place of ``output/``: in one step, or file by file."""
        self.before_commit()
        marker = ("\n".join([self.head, *sorted(self.records)]) + "\n").encode("utf-8")
        if self.previous is None or _read(self.output / MARKER) != marker:
            (self.staging / MARKER).write_bytes(marker)
        if self.previous is not None:
            self._update()
        else:
            self._replace()
        self.committed = True

    def _replace(self) -> None:
        for relpath in self.carried:  # hand-added files the site keeps
            target = self.staging / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.output / relpath, target, follow_symlinks=False)
            self.carried[relpath] = file_stat(os.lstat(target))
        try:
            if not self.output.exists():
                os.rename(self.staging, self.output)
                return
            if _exchange(self.staging, self.output):
                shutil.rmtree(self.staging)  # now holds the previous site
                return
            old = self.output.parent / f"{_PREFIX}old-{self.output.name}-{os.getpid()}"
            os.rename(self.output, old)
        except OSError as e:
            if e.errno not in _NOT_HERE:
                raise
            self._in_place(self.ours)  # a mount point: it stays, its files change
            return
        try:
            os.rename(self.staging, self.output)
        except OSError:
            os.rename(old, self.output)  # put back as it was
            raise
        shutil.rmtree(old)

    def _in_place(self, old_files: set[str]) -> None:
        """Copy each staged file over its file in output/ (atomically, one by one), then
        remove what the site lost; for an output folder that cannot be renamed."""
        self.in_place = True
        for relpath in sorted([*self.written, MARKER]):
            self._move(relpath, copy=True)
        for relpath in sorted(old_files - set(self.records) - {MARKER}, reverse=True):
            self._remove(relpath)
        for relpath in self.carried:  # stayed where they were
            self.carried[relpath] = file_stat(os.lstat(self.output / relpath))
        shutil.rmtree(self.staging)

    def _update(self) -> None:
        """Move each staged file into output/, then remove the files the site lost."""
        for relpath in sorted(self.written):
            self._move(relpath, copy=False)
        if (self.staging / MARKER).exists():  # the list of files changed
            self._move(MARKER, copy=False)
        for relpath in sorted(self.ours - set(self.records) - {MARKER}, reverse=True):
            self._remove(relpath)
        shutil.rmtree(self.staging)

    def _move(self, relpath: str, copy: bool) -> None:
        target = self.output / relpath
        self._check_inside(target.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = self.staging / relpath
        if not copy:
            try:
                os.replace(source, target)
            except OSError as e:
                if e.errno != errno.EXDEV:
                    raise
                copy = True  # another file system (a mount point)
        if copy:
            temporary = target.parent / f"{_PREFIX}{target.name}.{os.getpid()}.tmp"
            shutil.copyfile(source, temporary)
            os.replace(temporary, target)
        if relpath in self.records:  # a moved file's change time is not its staged one
            self.records[relpath] = (self.records[relpath][0], *file_stat(os.stat(target)))

    def _remove(self, relpath: str) -> None:
        path = self.output / safe_relpath(relpath)
        if path.parent.is_dir():
            self._check_inside(path.parent)
            path.unlink(missing_ok=True)
            _remove_empty_folders(path.parent, self.output)

    def _check_inside(self, folder: Path) -> None:
        """A folder of output/ that a symlink sends elsewhere is never written into."""
        existing = folder
        while not existing.exists() and not existing.is_symlink():
            existing = existing.parent
        if not existing.resolve().is_relative_to(self.output.resolve()):
            raise UsageError(
                _(
                    "{folder} leads outside {output} (a symlink); remove it",
                    folder=str(folder),
                    output=str(self.output),
                )
            )

    def stats(self) -> dict[str, Stat | None]:
        """Every file of output/ after the commit, with its status: what a later build
        compares output/ with (generator.cache.state)."""
        found: dict[str, Stat | None] = {p: r[1:] for p, r in self.records.items()}
        found.update(self.carried)
        found[MARKER] = file_stat(os.stat(self.output / MARKER))
        if self.server is not None:  # named as generator.cache.state.tree expects
            name = self.server.output.name
            found.update({f"../{name}/{rel}": stat for rel, stat in self.server.stats().items()})
        return found


def _remove_empty_folders(folder: Path, top: Path) -> None:
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()
        except OSError:
            return  # not empty
        folder = folder.parent


_SAFE_PART = re.compile(r"[A-Za-z0-9._~\-]+")


def safe_relpath(relpath: str) -> str:
    """``relpath`` if it is a plain relative path inside the site, else ValueError."""
    if not relpath or "\\" in relpath or "\x00" in relpath or relpath.startswith("/"):
        raise ValueError(f"unsafe output path {relpath!r}")
    parts = relpath.split("/")
    for part in parts:
        if part in (".", "..") or not _SAFE_PART.fullmatch(part):
            raise ValueError(f"unsafe output path {relpath!r}")
    return "/".join(parts)


def check_replaceable(output: Path, heads: tuple[str, ...] = _SITE_HEADS) -> None:
    """Refuse to replace a folder that bangtin did not make (as a site, or with
    ``heads``, as another kind of folder)."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UsageError(_("{output} exists and is not a folder", output=str(output)))
    if output.is_dir() and any(output.iterdir()) and read_marker(output, heads) is None:
        raise UsageError(
            _(
                "refusing to replace {output}: it is not empty and has no {marker} listing "
                "what bangtin wrote, so it was not made by bangtin (or by a bangtin older "
                "than 0.2); choose another --output, or empty it first",
                output=str(output),
                marker=MARKER,
            )
        )


def clean_leftovers(output: Path) -> None:
    """Remove staging folders that a killed build left behind."""
    for path, pid in leftovers(output):
        if not _alive(pid):
            shutil.rmtree(path, ignore_errors=True)


def leftovers(output: Path) -> list[tuple[Path, int]]:
    """The staging folders beside ``output`` of builds that have not finished (still
    running, or killed), with the process id of each."""
    pattern = re.compile(rf"{re.escape(_PREFIX)}(staging|old)-{re.escape(output.name)}-(\d+)")
    found = []
    for path in sorted(output.parent.iterdir()):
        match = pattern.fullmatch(path.name)
        if match:
            found.append((path, int(match.group(2))))
    return found


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier build in this same process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux ``renameat2``); False where unsupported."""
    import ctypes  # here: only a full build needs it
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    path_t = ctypes.c_char_p
    renameat2.argtypes = [ctypes.c_int, path_t, ctypes.c_int, path_t, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def check_folders(content_dir: Path, output_dir: Path) -> None:
    """Refuse an output folder inside the content folder, or the other way round."""
    content = Path(os.path.abspath(content_dir))
    output = Path(os.path.abspath(output_dir))
    if any(
        folder == content or folder.is_relative_to(content) or content.is_relative_to(folder)
        for folder in (output, server_folder(output))
    ):
        raise UsageError(
            _(
                "the output folder {output} and the content folder {content} overlap; "
                "choose an output folder outside content/",
                output=str(output_dir),
                content=str(content_dir),
            )
        )


HUB_MARKER = ".bangtin-hub"  # a province's output folder: the hub's files, by path
_HUB_HEAD = "bangtin hub 1"


def hub_intact(output: Path, written: Mapping[str, Stat]) -> bool:
    """Whether every file of the hub is in ``output`` as it was ``written`` (its status:
    size, times, inode), and the marker names exactly those files."""
    if not written or hub_marker(output) != set(written):
        return False
    for relpath, stat in written.items():
        try:
            if file_stat(os.stat(output / safe_relpath(relpath))) != stat:
                return False
        except (OSError, ValueError):
            return False
    return True


def write_hub(
    output: Path, files: Mapping[str, bytes], sites: Iterable[str]
) -> tuple[bool, dict[str, Stat]]:
    """The hub of a province (generator.province) in ``output``, whose folders ``sites``
    each hold a site: each file replaced whole (a reader sees the old file or the new
    one), the hub's files of the last build that it no longer has removed, and the
    marker listing its files.  Whether anything changed, and each file's status.

    ``output`` must be new, or a province's output (``check_hub_folder``)."""
    output = Path(os.path.abspath(output))
    check_hub_folder(output, sites)
    output.mkdir(parents=True, exist_ok=True)
    before = hub_marker(output)
    changed = before != set(files)
    for relpath, data in sorted(files.items()):
        target = output / safe_relpath(relpath)
        if _read(target) == data:
            continue
        changed = True
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.parent / f"{_PREFIX}part-{target.name}"
        part.write_bytes(data)
        os.replace(part, target)
    for relpath in sorted(before - set(files)):
        with contextlib.suppress(FileNotFoundError):
            (output / relpath).unlink()
            _remove_empty_folders((output / relpath).parent, output)
    marker = output / f"{_PREFIX}part-hub"
    marker.write_text("\n".join([_HUB_HEAD, *sorted(files)]) + "\n", encoding="utf-8")
    os.replace(marker, output / HUB_MARKER)
    return changed, {p: file_stat(os.stat(output / p)) for p in sorted(files)}


def check_hub_folder(output: Path, sites: Iterable[str]) -> None:
    """``output`` may hold a province: it is missing, empty, or holds nothing but the
    sites' folders, the hub's files and bangtin's own (a UsageError names the rest)."""
    if not output.is_dir():
        return
    if (output / MARKER).exists():
        raise UsageError(
            _(
                "{output} holds the build of a single site, not a province's; "
                "build the province into another folder, or remove it",
                output=str(output),
            )
        )
    hub = hub_marker(output)
    allowed = set(sites) | {p.split("/", 1)[0] for p in hub} | {HUB_MARKER}
    foreign = sorted(
        name for name in os.listdir(output) if name not in allowed and not name.startswith(_PREFIX)
    )
    if foreign:
        raise UsageError(
            _(
                "{output} holds files bangtin did not write: {files}; a province's output "
                "folder holds its sites' folders and the hub only",
                output=str(output),
                files=", ".join(foreign[:10]),
            )
        )


def hub_marker(output: Path) -> set[str]:
    """The files the hub's last build wrote into ``output``, read as untrusted: a line
    that is not a safe path inside it is left out."""
    try:
        lines = (output / HUB_MARKER).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    if not lines or lines[0] != _HUB_HEAD:
        return set()
    found = set()
    for line in lines[1:]:
        with contextlib.suppress(ValueError):  # the marker is a file anyone may edit
            found.add(safe_relpath(line))
    return found
