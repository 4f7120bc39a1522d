"""The cache store: the only code that knows where the cache lives and reads or writes it.

Everything bangtin keeps between builds (parsed content, rendered Markdown, QR images,
the records of the last build) is a file of one store.  The store

* lives in one folder, ``.bangtin-cache`` beside the output folder (``cache_folder``);
* keeps its files under ``v<VERSION>/``: one format version for every record, so a
  bangtin that changes any record's format bumps ``VERSION`` and ignores older files;
* writes every file atomically, through a temporary file with a unique name in the
  same folder, renamed over the old one: a build killed at any moment leaves each
  file old or new, never half written, and two processes never share a temporary;
* reads defensively: a missing, unreadable or malformed file reads as ``None`` (the
  caller then works it out afresh), never as an exception.

Names are relative POSIX paths inside the store (``qr/ab/abcd.png``), checked so that
no name leads outside it.  A store without a folder keeps nothing: it reads nothing
and its writes are dropped.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

VERSION = 1  # of every file the store holds: bump it when any record's format changes
FOLDER = ".bangtin-cache"
_NAME = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


def cache_folder(output: Path) -> Path:
    """Where the cache of a build into ``output`` lives: beside it, safe to delete."""
    return Path(os.path.abspath(output)).parent / FOLDER


class Store:
    """Files kept between builds, under ``folder/v<VERSION>/`` (no folder: nothing kept)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.root = folder / f"v{VERSION}" if folder is not None else None

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

    def read_bytes(self, name: str) -> bytes | None:
        if self.root is None:
            return None
        try:
            with open(self.path(name), "rb") as f:
                return f.read()
        except OSError:
            return None

    def read_json(self, name: str) -> Any:
        """The JSON value kept as ``name``; None if there is none or it is damaged."""
        data = self.read_bytes(name)
        if data is None:
            return None
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
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
    def open_write(self, name: str) -> Iterator[IO[bytes]]:
        """A binary file that replaces ``name`` when the block ends without an error."""
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                yield f
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise

    def delete(self, *names: str) -> None:
        if self.root is None:
            return
        for name in names:
            self.path(name).unlink(missing_ok=True)
