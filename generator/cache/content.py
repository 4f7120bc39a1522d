"""Parsed content files kept between builds: an unchanged file is read, not parsed again."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from generator.cache.codec import CodecError, Json, decoder, encode, known_path
from generator.cache.store import Store
from generator.errors import Position, Problems
from generator.inputs.scan import code_digest
from generator.models import Location, Notice, SiteConfig, StandingPage

FILE = "content.json"

Refs = tuple[tuple[str, Position], ...]  # the place ids a notice names, where it names them
Item = TypeVar("Item", Notice, Location, StandingPage)
Entry = tuple[Notice | Location | StandingPage, Refs]
Places = tuple[tuple[str, int, int], ...]  # Refs on disk: [id, line, col] in the file itself


class ContentCache:
    """Notices, places and pages parsed without any problem, in memory and, with a
    ``store``, in its ``content.json`` between builds.

    An entry's key hashes everything its parse depends on: bangtin's code, the site
    settings, the kind of file, its path and its text exactly as ``read_text`` gave it
    to the parser, so an entry can never stand for other input.  Files with an error
    or a warning are never kept: they are parsed, and reported, on every run.  On disk
    an entry is the model as plain JSON (generator.jsoncodec); the Markdown body is
    left out when it is the file's text from ``body_first_line`` on, as it always is,
    and taken from the file again.  A damaged file or entry is ignored; deleting the
    file is always safe.
    """

    def __init__(self, store: Store | None = None) -> None:
        self.store = store if store is not None and store.enabled else None
        self._stored: dict[str, Json] = {}  # key -> entry as written on disk
        self._items: dict[str, Entry] = {}  # key -> the entry's models
        self._used: set[str] = set()
        self._loaded = False
        self._changed = False
        self.hits = 0  # files this process did not parse, for reports and tests
        self.parsed = 0

    def for_site(self, site: SiteConfig) -> SiteCache:
        """The entries of ``site``'s files as this code reads them."""
        return SiteCache(self, site)

    def _load(self) -> None:
        self._loaded = True
        if self.store is None:
            return
        data = self.store.read_json(FILE)  # None if there is none yet, or it is damaged
        if isinstance(data, dict):
            entries = data.get("entries")
            if isinstance(entries, dict):
                self._stored = entries

    def get(self, key: str, kind: type[Item], text: str) -> tuple[Item, Refs] | None:
        if not self._loaded:
            self._load()
        entry = self._items.get(key)
        if entry is None:
            stored = self._stored.get(key)
            if stored is None:
                return None
            try:
                entry = _decode(kind, stored, text)
            except CodecError:
                del self._stored[key]  # damaged: parse the file again
                self._changed = True
                return None
            self._items[key] = entry
        item, refs = entry
        if not isinstance(item, kind):
            return None
        self._used.add(key)
        self.hits += 1
        return item, refs

    def put(self, key: str, item: Item, refs: Refs, text: str) -> None:
        if not self._loaded:
            self._load()
        if self.store is not None:
            try:
                self._stored[key] = _encode(item, refs, text)
            except CodecError:
                return  # a value the codec cannot write exactly is not kept
        self._items[key] = (item, refs)
        self._used.add(key)
        self._changed = True

    def save(self) -> None:
        """Keep only the entries used since the last save (files gone or edited drop
        out) and write them, if anything changed (atomically)."""
        if not self._loaded:
            return
        if self._stored.keys() - self._used or self._items.keys() - self._used:
            self._changed = True
        self._stored = {k: v for k, v in self._stored.items() if k in self._used}
        self._items = {k: v for k, v in self._items.items() if k in self._used}
        self._used = set()
        if self.store is not None and self._changed:
            self.store.write_json(FILE, {"entries": dict(sorted(self._stored.items()))})
        self._changed = False
        if self.store is not None:
            # On disk now: the rest of the build needs none of it (a later build in this
            # process reads the file again), and it is a large share of a build's memory.
            self._stored, self._items, self._loaded = {}, {}, False


class SiteCache:
    """A ContentCache seen by the files of one site (the settings are part of every key)."""

    def __init__(self, cache: ContentCache, site: SiteConfig) -> None:
        self.cache = cache
        self._prefix = hashlib.sha256(
            f"bangtin content\0{code_digest()}\0{site!r}\0".encode("utf-8", "surrogatepass")
        )

    def key(self, kind: type[Item], path: Path, text: str) -> str:
        h = self._prefix.copy()
        h.update(f"{kind.__name__}\0".encode())
        h.update(os.fsencode(path) + b"\0")
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def load(
        self,
        kind: type[Item],
        path: Path,
        text: str,
        problems: Problems,
        parse: Callable[[], tuple[Item | None, Refs]],
    ) -> tuple[Item | None, Refs]:
        """The kept result of ``parse()`` for this file, or ``parse()``, kept if clean."""
        key = self.key(kind, path, text)
        known_path(path)
        found = self.cache.get(key, kind, text)
        if found is not None:
            item, refs = found
            return (item if item.source.stamp == key else stamped(item, key)), refs
        before = problems.count()
        parsed, refs = parse()
        self.cache.parsed += 1
        if parsed is None:
            return None, refs
        item = stamped(parsed, key)
        if problems.count() == before:  # a file with a warning is parsed (and warned) again
            self.cache.put(key, item, refs, text)
        return item, refs


def stamped(item: Item, key: str) -> Item:
    """``item`` with the stamp of what it was made from (``Source.stamp``)."""
    return replace(item, source=replace(item.source, stamp=key))


def from_line(text: str, line: int) -> str | None:
    """``text`` from its 1-based ``line`` on, or None if it has fewer lines."""
    start = 0
    for _ in range(line - 1):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    return text[start:]


def _encode(item: Notice | Location | StandingPage, refs: Refs, text: str) -> Json:
    data = encode(type(item), item)
    source = data.get("source") if isinstance(data, dict) else None
    if not isinstance(source, dict):
        raise CodecError(f"no source in {type(item).__name__}")
    if from_line(text, item.source.body_first_line) == item.source.body:
        source["body"] = None  # read from the file again
    if any(pos.path != item.source.path for _, pos in refs):
        raise CodecError("a place id named outside its own file")
    places = tuple((value, pos.line, pos.col) for value, pos in refs)
    return {"item": data, "refs": encode(Places, places)}


def _decode(kind: type[Item], stored: Json, text: str) -> tuple[Item, Refs]:
    if not (isinstance(stored, dict) and stored.keys() == {"item", "refs"}):
        raise CodecError("not an entry")
    data = stored["item"]
    source = data.get("source") if isinstance(data, dict) else None
    if isinstance(data, dict) and isinstance(source, dict) and source.get("body", "") is None:
        line = source.get("body_first_line")
        body = from_line(text, line) if type(line) is int and line >= 1 else None
        if body is None:
            raise CodecError("body_first_line is past the end of the file")
        data = {**data, "source": {**source, "body": body}}
    item: Item = decoder(kind)(data)
    places: Places = decoder(Places)(stored["refs"])
    path = item.source.path
    return item, tuple([(value, Position(path, line, col)) for value, line, col in places])
