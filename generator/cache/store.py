"""The cache store: the only code that knows where the cache lives and reads or writes it.

Everything bangtin keeps between builds (parsed content, rendered Markdown, the QR
index, the records of the last build) is a file of one store.  The store

* lives outside the project: in the user's cache folder (``platformdirs``), or the
  folder ``--cache-dir`` or ``BANGTIN_CACHE_DIR`` names, in a sub-folder per output
  folder (``cache_folder``), so a checkout, a pull request or a restored CI cache
  cannot put files where a build reads them by accident;
* trusts none of its files: each ends with a MAC (HMAC-SHA256 over its name and its
  bytes) made with a per-machine secret kept outside the project and the cache
  (``machine_key``: ``BANGTIN_CACHE_KEY``, or a key file made on first use in the
  user's config folder).  A file whose MAC fails, that is larger than ``MAX_BYTES`` or
  that does not parse reads as ``None``: the caller works it out afresh.  Callers
  still check the shape of what they read, and what reaches ``output/`` from the
  cache is checked again (HTML is sanitised again when read: generator.render.markup);
* keeps its files under ``v<VERSION>/``: one format version for every record;
* writes every file atomically, through a temporary file with a unique name in the
  same folder, renamed over the old one: a build killed at any moment leaves each
  file old or new, never half written;
* is kept under a size cap: after a build, the caches of the output folders built
  least recently go first (``prune``).

Names are relative POSIX paths inside the store (``markup/ab/abcd.html``), checked so
that no name leads outside it.  A store without a folder (or without a key) keeps
nothing: it reads nothing and its writes are dropped.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

VERSION = 4  # of every file the store holds: bump it when any record's format changes
MAX_BYTES = 512 * 1024 * 1024  # no record of a site is near this: a larger file is refused
DEFAULT_CAP_MB = 500  # BANGTIN_CACHE_SIZE_MB overrides it
KEY_FILE = "cache.key"
USED = "last-used"
_TAG = b"\nbangtin-mac "
_TRAILER = len(_TAG) + 64 + 1
_NAME = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


def cache_root(explicit: Path | None = None) -> Path:
    """The folder that holds every cache: ``--cache-dir``, else ``BANGTIN_CACHE_DIR``, else
    the user's cache folder (``~/.cache/bangtin`` on Linux)."""
    if explicit is not None:
        return Path(os.path.abspath(explicit))
    named = os.environ.get("BANGTIN_CACHE_DIR")
    if named:
        return Path(os.path.abspath(named))
    import platformdirs

    return Path(platformdirs.user_cache_path("bangtin"))


def cache_folder(output: Path, root: Path | None = None) -> Path:
    """The cache of builds into ``output``: a folder of the cache root named after the
    output folder's absolute path (readable name, then a hash of the whole path)."""
    absolute = os.path.abspath(output)
    digest = hashlib.sha256(os.fsencode(absolute)).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(absolute).name)[:40].strip("-.") or "output"
    return cache_root(root) / "sites" / f"{name}-{digest}"


def machine_key() -> bytes | None:
    """The secret that signs cache files: from ``BANGTIN_CACHE_KEY`` (a CI secret), else a
    random key made on first use in the user's config folder (readable by the user only).
    None when neither can be had: the cache then keeps nothing."""
    given = os.environ.get("BANGTIN_CACHE_KEY")
    if given:
        return hashlib.sha256(b"bangtin cache key\0" + given.encode("utf-8")).digest()
    import platformdirs

    return _key_file(Path(platformdirs.user_config_path("bangtin")) / KEY_FILE)


@functools.cache
def _key_file(path: Path) -> bytes | None:
    for _ in range(40):  # another process may be writing it: wait up to ~2 s
        try:
            text = path.read_text("ascii").strip()
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError):
            return None
        if re.fullmatch(r"[0-9a-f]{64}", text):
            return bytes.fromhex(text)
        if text:
            return None  # not ours: never overwritten
        try:  # made once; a second process making it at the same moment reads this one
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            time.sleep(0.05)
            continue
        except OSError:
            return None
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
    return None


class Store:
    """Files kept between builds, under ``folder/v<VERSION>/``, each signed with ``key``
    (default: ``machine_key()``).  No folder, or no key: nothing kept."""

    def __init__(self, folder: Path | None, key: bytes | None = None) -> None:
        self.folder = folder
        self.key = key if key is not None or folder is None else machine_key()
        usable = folder is not None and self.key is not None
        self.root = folder / f"v{VERSION}" if usable and folder is not None else None

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def path(self, name: str) -> Path:
        """The file of ``name`` (for callers that stat it); ValueError for a bad name."""
        if self.root is None:
            raise ValueError("this store keeps nothing on disk")
        if not _NAME.fullmatch(name) or any(part in (".", "..") for part in name.split("/")):
            raise ValueError(f"bad cache file name {name!r}")
        return self.root / name

    def _mac(self, name: str) -> hmac.HMAC:
        assert self.key is not None
        return hmac.new(self.key, name.encode("ascii") + b"\0", hashlib.sha256)

    def read_bytes(self, name: str) -> bytes | None:
        """The bytes kept as ``name``; None if there are none, or if they are not what
        this machine wrote (MAC), or too large."""
        if self.root is None:
            return None
        try:
            with open(self.path(name), "rb") as f:
                if os.fstat(f.fileno()).st_size > MAX_BYTES + _TRAILER:
                    return None
                data = f.read(MAX_BYTES + _TRAILER + 1)
        except OSError:
            return None
        body, trailer = data[:-_TRAILER], data[-_TRAILER:]
        if len(data) < _TRAILER or not trailer.startswith(_TAG) or trailer[-1:] != b"\n":
            return None
        mac = self._mac(name)
        mac.update(body)
        if not hmac.compare_digest(mac.hexdigest().encode("ascii"), trailer[len(_TAG) : -1]):
            return None
        return body

    def read_json(self, name: str) -> Any:
        """The JSON value kept as ``name``; None if there is none or it is not trusted."""
        data = self.read_bytes(name)
        if data is None:
            return None
        try:
            return json.loads(data)
        except (ValueError, RecursionError, MemoryError):
            return None

    def has(self, name: str) -> bool:
        return self.root is not None and os.path.isfile(self.path(name))

    def write_bytes(self, name: str, data: bytes) -> None:
        if self.root is None:
            return
        with self.open_write(name) as f:
            f.write(data)

    def write_json(self, name: str, value: object, **options: Any) -> None:
        """``value`` as compact JSON (``options`` go to ``json.dumps``)."""
        if self.root is None:
            return
        options.setdefault("separators", (",", ":"))
        self.write_bytes(name, json.dumps(value, **options).encode("utf-8"))

    def write_lines(self, name: str, lines: Iterable[str]) -> None:
        """A text file written line by line, never whole in memory."""
        if self.root is None:
            return
        with self.open_write(name) as f:
            for line in lines:
                f.write(line.encode("utf-8") + b"\n")

    @contextmanager
    def open_write(self, name: str) -> Iterator[_Signing]:
        """A binary file that replaces ``name`` (signed) when the block ends without an
        error."""
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        mac = self._mac(name)
        try:
            with os.fdopen(fd, "wb") as f:
                yield _Signing(f, mac)
                f.write(_TAG + mac.hexdigest().encode("ascii") + b"\n")
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise

    def delete(self, *names: str) -> None:
        if self.root is None:
            return
        for name in names:
            self.path(name).unlink(missing_ok=True)

    def clock(self) -> tuple[int, int] | None:
        """The file system's own "now" where the store lives: the modification time
        (ns) a file made now in it gets, and that file system's device number; None if
        the store keeps nothing or no file can be made.  Every change made later to a
        file or folder on that file system is stamped no earlier (the time as the
        file system keeps it, in its resolution, from the clock that stamps its files:
        no allowance for another clock or an unknown resolution is needed)."""
        if self.root is None:
            return None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".clock.", suffix=".tmp", dir=self.root)
            try:
                st = os.fstat(fd)
            finally:
                os.close(fd)
                os.unlink(tmp)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_dev

    def mark_used(self) -> None:
        """Note that a build used this cache now (what ``prune`` goes by)."""
        if self.folder is not None and self.root is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / USED).touch()


class _Signing:
    """A file being written, and the MAC of what was written to it."""

    def __init__(self, f: IO[bytes], mac: hmac.HMAC) -> None:
        self.f, self.mac = f, mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.f.write(data)


def _size(folder: Path) -> int:
    total = 0
    for top, _, files in os.walk(folder):
        for name in files:
            with suppress(OSError):
                total += os.lstat(os.path.join(top, name)).st_size
    return total


def _used(folder: Path) -> float:
    try:
        return (folder / USED).stat().st_mtime
    except OSError:
        return 0.0


def cap_bytes() -> int:
    """The size cap of the cache root: ``BANGTIN_CACHE_SIZE_MB``, else 500 MB."""
    given = os.environ.get("BANGTIN_CACHE_SIZE_MB", "")
    megabytes = int(given) if given.isascii() and given.isdigit() else DEFAULT_CAP_MB
    return megabytes * 1024 * 1024


def prune(root: Path, keep: Path, cap: int) -> list[Path]:
    """Remove the caches of the output folders built least recently until the root
    holds at most ``cap`` bytes; never ``keep`` (the current build's).  Returns what went."""
    sites = root / "sites"
    try:
        folders = [p for p in sites.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    sizes = {folder: _size(folder) for folder in folders}
    total, removed = sum(sizes.values()), []
    for folder in sorted(folders, key=_used):
        if total <= cap:
            break
        if folder == keep:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        total -= sizes[folder]
        removed.append(folder)
    return removed


def clean(root: Path, output: Path | None = None) -> list[Path]:
    """Remove the cache of one output folder, or (``output`` None) every cache in
    ``root``; the key is kept (it is not in the cache).  Returns what was removed."""
    targets = [cache_folder(output, root)] if output is not None else [root / "sites"]
    removed = [t for t in targets if t.exists()]
    for target in removed:
        shutil.rmtree(target)
    return removed
