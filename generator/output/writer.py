"""The only code that writes the site to disk.

A full build writes everything to a staging folder beside ``output/``; when the whole
site is written, the two folders are swapped in one step.  A failed or killed build
leaves the previous ``output/`` exactly as it was.

An update (``previous`` given: what the last build wrote to ``output/``, by key, size
and modification time) stages only the files whose key changed or whose file on disk
no longer matches its record, then moves each into ``output/`` and removes the files
the site no longer has.  Until that last step nothing in ``output/`` changes, so a
content or template error still leaves it exactly as it was; a build killed during
the moves leaves each file whole but the site partly updated, and the caller has
already forgotten the record by then (``before_commit``), so the next build is a full
one.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType

from generator.errors import UsageError

MARKER = "qr-manifest.json"  # every bangtin output has one
_PREFIX = ".bangtin-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


# A file of output/ as the writer left it: its key (generator.keys), size, mtime in ns.
Record = tuple[str | None, int, int]


class Writer:
    def __init__(
        self,
        output: Path,
        previous: Mapping[str, Record] | None = None,
        before_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.output = Path(os.path.abspath(output))
        parent = self.output.parent
        self.staging = parent / f"{_PREFIX}staging-{self.output.name}-{os.getpid()}"
        self.previous = previous if previous is not None and self.output.is_dir() else None
        self.before_commit = before_commit
        self.written: set[str] = set()
        self.records: dict[str, Record] = {}  # every file of the site once committed
        self.folders: set[Path] = set()
        self.bytes_written = 0

    def keep(self, relpath: str, key: str | None) -> bool:
        """True (and nothing to write) when output/ holds this file, made from the same key."""
        if self.previous is None or key is None:
            return False
        record = self.previous.get(relpath)
        if record is None or record[0] != key:
            return False
        try:  # only looked at; what is written or removed goes through safe_relpath
            st = os.stat(f"{self.output}/{relpath}")
        except OSError:
            return False  # removed since: written again
        if (st.st_size, st.st_mtime_ns) != (record[1], record[2]):
            return False  # changed by someone else: written again
        self.records[relpath] = record
        return True

    def __enter__(self) -> Writer:
        check_replaceable(self.output)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(self.output)
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            shutil.rmtree(self.staging, ignore_errors=True)

    def write(
        self, relpath: str, data: bytes | str | Iterable[str], key: str | None = None
    ) -> None:
        """Write one file of the site; refuses paths outside it and second writes."""
        safe = safe_relpath(relpath)
        if safe in self.written or safe in self.records:
            raise ValueError(f"{safe} would be written twice")
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
        self.records[safe] = (key, st.st_size, st.st_mtime_ns)  # a rename keeps both
        self.written.add(safe)
        self.bytes_written += st.st_size

    def commit(self) -> None:
        """Put the staged site in place of ``output/``: in one step, or file by file."""
        self.before_commit()
        if self.previous is not None:
            self._update()
            return
        if not self.output.exists():
            os.rename(self.staging, self.output)
            return
        if _exchange(self.staging, self.output):
            shutil.rmtree(self.staging)  # now holds the previous site
            return
        old = self.output.parent / f"{_PREFIX}old-{self.output.name}-{os.getpid()}"
        os.rename(self.output, old)
        os.rename(self.staging, self.output)
        shutil.rmtree(old)

    def _update(self) -> None:
        """Move each staged file into output/, then remove the files the site lost."""
        assert self.previous is not None
        made: set[Path] = set()
        for relpath in sorted(self.written):
            target = self.output / relpath
            if target.parent not in made:
                self._check_inside(target.parent)
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.replace(self.staging / relpath, target)
        for relpath in sorted(set(self.previous) - set(self.records), reverse=True):
            path = self.output / safe_relpath(relpath)
            if path.parent.is_dir():
                self._check_inside(path.parent)
                path.unlink(missing_ok=True)
                _remove_empty_folders(path.parent, self.output)
        shutil.rmtree(self.staging)

    def _check_inside(self, folder: Path) -> None:
        """A folder of output/ that a symlink sends elsewhere is never written into."""
        existing = folder
        while not existing.exists() and not existing.is_symlink():
            existing = existing.parent
        if not existing.resolve().is_relative_to(self.output.resolve()):
            raise UsageError(f"{folder} leads outside {self.output} (a symlink); remove it")


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


def check_replaceable(output: Path) -> None:
    """Refuse to replace a folder that bangtin did not make."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise UsageError(f"{output} exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise UsageError(
            f"refusing to replace {output}: it is not empty and has no {MARKER}, so it "
            "was not made by bangtin; choose another --output or empty it first"
        )


def clean_leftovers(output: Path) -> None:
    """Remove staging folders that a killed build left behind."""
    pattern = re.compile(rf"{re.escape(_PREFIX)}(staging|old)-{re.escape(output.name)}-(\d+)")
    for path in sorted(output.parent.iterdir()):
        match = pattern.fullmatch(path.name)
        if match and not _alive(int(match.group(2))):
            shutil.rmtree(path, ignore_errors=True)


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
    if output == content or output.is_relative_to(content) or content.is_relative_to(output):
        raise UsageError(
            f"the output folder {output_dir} and the content folder {content_dir} overlap; "
            "choose an output folder outside content/"
        )
