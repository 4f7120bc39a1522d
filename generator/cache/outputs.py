"""The record of ``output/``: every file the last build left there, and what it was made from.

For each file: its key (what it was made from, known before it was made), the reads
it recorded while it was made (render.deps), and its status as bangtin left it (size,
modification and change times, inode: generator.output.writer).  The reads of all
files are kept once each, in one table, with what each gave: a later build asks each
again (``render.deps.changed_reads``), and a file whose key is unchanged, none of whose
reads changed, and that is still as bangtin left it in ``output/``, is kept.  A record
that does not read back as exactly this shape is ignored: the next build is then a
full one.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.cache.store import Store
from generator.output.writer import Record, Stat
from generator.render.deps import Read, read_from_json, read_to_json

RECORD = "outputs.json"


@dataclass(frozen=True, slots=True)
class Written:
    """One file of ``output/`` as a build left it."""

    key: str
    reads: array[int]  # indexes into the record's table of reads
    stat: Stat  # size, mtime and ctime in ns, inode


@dataclass(frozen=True, slots=True)
class OutputRecord:
    files: dict[str, Written]
    reads: list[tuple[Read, str]]  # each read, and what it gave
    stamps: dict[str, str]  # tracked item -> its stamp when the reads were made

    def kept(self, changed: set[int]) -> dict[str, Record]:
        """Each file as the writer may keep it: (key, status), with an empty key (never
        kept) when one of its reads changed."""
        return {
            path: (w.key if changed.isdisjoint(w.reads) else "", *w.stat)
            for path, w in self.files.items()
        }


def load_record(store: Store, output: Path, base: str) -> OutputRecord | None:
    """The record of ``output`` if it is this base's and reads back whole, else None."""
    data = store.read_json(RECORD)
    if not (
        type(data) is dict
        and data.get("output") == str(output)
        and data.get("base") == base
        and type(data.get("files")) is dict
        and type(data.get("reads")) is list
        and type(data.get("stamps")) is dict
    ):
        return None
    reads: list[tuple[Read, str]] = []
    for entry in data["reads"]:
        read = read_from_json(entry[:3]) if type(entry) is list and len(entry) == 4 else None
        if read is None or type(entry[3]) is not str:
            return None
        reads.append((read, entry[3]))
    stamps = data["stamps"]
    if not all(type(k) is str and type(v) is str for k, v in stamps.items()):
        return None
    files: dict[str, Written] = {}
    for path, entry in data["files"].items():
        written = _written(entry, len(reads))
        if written is None:
            return None
        files[path] = written
    return OutputRecord(files, reads, stamps)


def _written(entry: Any, count: int) -> Written | None:
    if not (type(entry) is list and len(entry) == 6):
        return None
    key, indexes, *stat = entry
    if not (type(key) is str and type(indexes) is str and all(type(x) is int for x in stat)):
        return None
    try:
        reads = array("I", map(int, indexes.split(","))) if indexes else array("I")
    except (ValueError, OverflowError):
        return None
    if reads and max(reads) >= count:
        return None
    return Written(key, reads, (stat[0], stat[1], stat[2], stat[3]))


def save_record(
    store: Store,
    output: Path,
    base: str,
    files: Mapping[str, Record],
    reads: Mapping[str, Collection[Read] | array[int]],
    fingerprints: Mapping[Read, str],
    stamps: Mapping[str, str],
    previous: OutputRecord | None = None,
) -> OutputRecord:
    """Record every file of ``output`` (``files``: path -> key, status) with the reads
    it was made from (``reads``: path -> its reads, or for a file kept from ``previous``
    its indexes there; ``fingerprints``: what each read gave in this build), in the store
    if it keeps files; returns the record.

    The table of reads starts as ``previous``'s, so kept files keep their indexes; it is
    made anew when most of it is no longer read by any file.
    """
    table = [read for read, _ in previous.reads] if previous is not None else []
    old_fingerprints = [fp for _, fp in previous.reads] if previous is not None else []
    index: dict[Read, int] = {read: i for i, read in enumerate(table)}
    entries: dict[str, list[Any]] = {}
    for path, (key, *stat) in sorted(files.items()):
        own = reads.get(path, ())
        if not isinstance(own, array):
            for read in own:
                if read not in index:
                    index[read] = len(table)
                    table.append(read)
            own = array("I", sorted({index[read] for read in own}))
        entries[path] = [key, own, *stat]
    used = set().union(*(entry[1] for entry in entries.values()))
    if len(used) < len(table) // 2:  # mostly stale: keep only what is read, renumbered
        renumber = {old: new for new, old in enumerate(sorted(used))}
        table = [table[i] for i in sorted(used)]
        old_fingerprints = []
        for entry in entries.values():
            entry[1] = array("I", [renumber[i] for i in entry[1]])

    def fingerprint(i: int, read: Read) -> str:
        found = fingerprints.get(read)
        return found if found is not None else old_fingerprints[i]

    def pieces() -> Iterator[str]:  # written piece by piece: at 10,000 notices it is ~15 MB
        head = {"output": str(output), "base": base, "stamps": dict(sorted(stamps.items()))}
        yield _dump(head)[:-1] + ',"reads":['
        for start in range(0, len(table), 2000):
            batch = [
                [*read_to_json(read), fingerprint(i, read)]
                for i, read in enumerate(table[start : start + 2000], start)
            ]
            yield ("," if start else "") + _dump(batch)[1:-1]
        yield '],"files":{'
        for i, (path, (key, own, *stat)) in enumerate(entries.items()):
            entry = [key, ",".join(map(str, own)), *stat]
            yield ("," if i else "") + _dump(path) + ":" + _dump(entry)
        yield "}}"

    if store.enabled:
        store.write_lines(RECORD, pieces())
    return OutputRecord(
        {
            path: Written(key, own, (s[0], s[1], s[2], s[3]))
            for path, (key, own, *s) in entries.items()
        },
        [(read, fingerprint(i, read)) for i, read in enumerate(table)],
        dict(stamps),
    )


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def forget_record(store: Store) -> None:
    """Before output/ changes file by file: a build killed then leaves no record."""
    store.delete(RECORD)
