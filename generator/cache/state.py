"""Records of the last build: is the output already what a build would write?

After each build the store keeps a digest of every input (generator.inputs.scan: the
content, the themes, bangtin's own code, the options) and the moment the site would
change by itself (the next notice to be published, the next one to expire), and the
status of every file of ``output/`` and of every folder that holds one, as the build
left them.  A build whose inputs have the same digest, inside that time window, with
every file of ``output/`` and of the server configuration beside it still as it was
left (none added, removed or changed: ``as_left``), has nothing to do.  Also kept: each file's hash
(so that the next scan reads only changed files) and what the last build wrote to
``output/`` (so that an update rewrites only what changed: generator.cache.outputs).
Deliberately small: it imports nothing heavy.
"""

from __future__ import annotations

import os
import time
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from generator.cache.codec import Json
from generator.cache.store import Store
from generator.clock import epoch
from generator.errors import ContentError, Position
from generator.i18n import Arg, Message
from generator.inputs.scan import ABSENT, RACY_NS, Inputs, Known, Seen, library_versions, status
from generator.output.writer import Stat, server_folder

Clock = Callable[[], tuple[int, int] | None] | None  # Store.clock: (ns, device) or None
HASHES = "hashes.json"
STATE = "state.json"


def load_known(store: Store) -> Known:
    """The file hashes the last successful build saved (none if damaged)."""
    data = store.read_json(HASHES)
    if isinstance(data, dict) and isinstance(data.get("files"), dict):
        written = data.get("written_ns")
        return Known(
            data["files"],
            written if type(written) is int else 0,
            str(data.get("digest", "")),
        )
    return Known()


def save_hashes(store: Store, inputs: Inputs) -> None:
    """Keep the file hashes for the next build (after a successful one only)."""
    data = {"written_ns": time.time_ns(), "digest": inputs.digest, "files": dict(inputs.hashes)}
    store.write_json(HASHES, data)


def still_current(
    store: Store,
    output: Path,
    digest: str | None,
    server_at: Path | None = None,
    sources: tuple[str, list[str], Seen] | None = None,
    scanned: Inputs | None = None,
) -> tuple[ContentError, ...] | None:
    """The warnings of the last build in ``output`` if it had these inputs and is still
    current, else None (build).  Current: "now" is inside the window that build was
    valid for, from its own "now" (the clock may go back: a build dated later, then one
    dated earlier) to the next notice published or expired, and every file of output/
    is as that build left it (and its server folder: ``server_at``, else beside it).

    ``digest`` None: the inputs are not scanned; they are that build's if its files and
    folders are as it found them (``sources_as_left`` with ``sources``: the options,
    the roots and what the run has seen).  None is then also "could not tell".
    ``scanned``: the scan that gave ``digest``; if the build is current and the scan
    is not that build's, it is kept in its place (a scan within 2 s of an input's
    change cannot be compared: once the inputs are older, one that can is kept)."""
    started = time.time_ns()
    state = store.read_json(STATE)
    if not isinstance(state, dict):
        return None
    if digest is None:
        if sources is None or not sources_as_left(state.get("sources"), *sources):
            return None
        digest = state.get("inputs")
        if type(digest) is not str:
            return None
    valid_from, valid_until = state.get("valid_from"), state.get("valid_until")
    if not isinstance(valid_from, int | float) or isinstance(valid_from, bool):
        return None
    if valid_until is not None and (
        not isinstance(valid_until, int | float) or isinstance(valid_until, bool)
    ):
        return None
    warnings = _warnings(state.get("warnings"))
    moment = epoch()
    if not (
        warnings is not None
        and state.get("inputs") == digest
        and state.get("output") == str(output)
        and valid_from <= moment
        and (valid_until is None or moment < valid_until)
    ):
        return None
    record = state.get("tree")
    kept = as_left(output, server_at or server_folder(output), record, started, store.clock)
    if kept is None:  # (as_left stats every file)
        return None
    sources_now = None if scanned is None else sources_record(scanned)
    renewed = scanned is not None and state.get("sources") != sources_now
    if renewed:
        state["sources"] = sources_now
    if kept is not record:  # listed, and no longer racy from a later moment
        state["tree"] = kept
    if renewed or kept is not record:
        store.write_json(STATE, state, sort_keys=True)
    return warnings


def sources_record(inputs: Inputs) -> Json:
    """What ``sources_as_left`` compares with: the scan ``inputs``' files and folders
    (None if it met a file it could not read)."""
    if inputs.sources is None:
        return None
    roots: list[Json] = [[r, list(folders), list(files)] for r, folders, files in inputs.sources]
    return {
        "written_ns": inputs.scanned_ns,
        "options": inputs.options,
        "libraries": library_versions(),
        "roots": roots,
    }


def sources_as_left(record: object, options: str, roots: list[str], seen: Seen) -> bool:
    """Whether the inputs are those of the build that kept ``record`` (``record``'s
    ``inputs``), without reading them: the same options and libraries, and in each of
    ``roots`` every folder and file with the status that build's scan found (statuses
    taken before each folder was listed: an entry added, removed or renamed changes its
    folder's, an edit its file's; ``os.stat``, following links, as the scan does), none
    of them within ``RACY_NS`` of that scan (as ``scan_inputs`` reads such files again).
    A root found so for one site is not looked at again for another whose record has
    the same lists (``seen.found``).  The record is read as untrusted: anything not
    that shape is "no"."""
    if type(record) is not dict or record.get("options") != options:
        return False
    written, kept = record.get("written_ns"), record.get("roots")
    if type(written) is not int or type(kept) is not list or len(kept) != len(roots):
        return False
    if record.get("libraries") != library_versions():
        return False
    limit = written - RACY_NS
    try:
        for root, (name, folders, files) in zip(roots, kept, strict=True):
            if type(folders) is not list or type(files) is not list or name != root:
                return False
            if not folders or folders[0] != root or len(folders) % 2 or len(files) % 2:
                return False  # a scan walks the root first (``walk``)
            found = seen.found.get(root)
            if found is None or found[0] != folders or found[1] != files:
                folder_stats = [_stat(path) for path in folders[0::2]]
                statuses = [ABSENT if st is None else status(st) for st in folder_stats]
                if statuses != folders[1::2]:
                    return False
                file_stats = list(map(os.stat, files[0::2]))  # OSError: a file is gone
                if list(map(status, file_stats)) != files[1::2]:
                    return False
                stats = [st for st in folder_stats if st is not None] + file_stats
                newest = max((max(st.st_mtime_ns, st.st_ctime_ns) for st in stats), default=0)
                found = seen.found[root] = (folders, files, newest)
            if found[2] >= limit:
                return False
    except (OSError, TypeError, ValueError):  # gone, or not the record's shape
        return False
    return True


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def tree(output: Path, server: Path, files: Mapping[str, Stat | None], clock: Clock = None) -> Json:
    """What ``as_left`` compares with: ``files`` (every file of output/ and of its server
    folder as the build left them, the latter named ``../<server folder>/...``), and the
    status of every folder that holds one of them, of ``output/`` and of the server
    folder (``ABSENT`` if there is none), taken now.  Each as two strings, its name and
    its status (``scan.status``): a flat list of strings reads back several times faster
    than lists of numbers.

    And the moment of the record, taken before the folders' status (see ``as_left``):
    the file system's own time (``clock``: ``Store.clock``) if every folder is on the
    file system it was read on, with no margin; else this machine's clock, with a
    margin of ``RACY_NS`` for the file system's resolution and clock."""
    stamp = clock() if clock is not None else None
    written = time.time_ns()
    names = {"", f"../{server.name}"}
    for name in files:
        while "/" in name:
            name = name.rpartition("/")[0]
            if name in names or name == "..":
                break
            names.add(name)
    folders: list[Json] = []
    devices = set()
    for name in sorted(names):
        try:
            st = os.lstat(_where(output, server, name))
        except OSError:
            folders += [name, ABSENT]  # no server folder (a preview has none)
        else:
            folders += [name, status(st)]
            devices.add(st.st_dev)
    listed: list[Json] = []
    for name, stat in sorted(files.items()):
        if stat:
            size, mtime, ctime, ino = stat
            listed += [name, f"{size} {mtime} {ctime} {ino}"]
    if stamp is not None and devices == {stamp[1]}:
        written, margin = stamp[0], 0
    else:
        margin = RACY_NS
    return {"written_ns": written, "margin_ns": margin, "folders": folders, "files": listed}


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _where(output: Path, server: Path, name: str) -> str:
    if name.startswith("../"):
        rest = name[3:].partition("/")[2]
        return f"{server}/{rest}" if rest else str(server)
    return f"{output}/{name}" if name else str(output)


def as_left(output: Path, server: Path, record: object, now_ns: int, clock: Clock = None) -> Json:
    """The record to keep if every file and folder of ``record`` (``tree``) is as it
    was then (``record`` itself, or a fresher copy: see below), else None.

    A file that is changed, replaced, added or removed changes the status (size,
    modification and change times, inode) of the file or of the folder that holds it,
    and the change time cannot be set back: comparing the status of each recorded file
    and folder sees every change without listing the folders.  Except in one case: the
    file system's clock has ticks (of a few milliseconds, up to 2 s on some), and an
    entry added to a folder in the same tick as the folder's last change leaves the
    folder's times as they were.  So a folder whose times are not older than the
    record, less its margin, has its entries listed and compared (as git does with
    files changed in the second its index was written).  A record taken with the file
    system's own clock (``Store.clock``) has no margin: only the folders changed in the
    record's own tick are listed.  One taken with this machine's clock has a margin of
    ``RACY_NS``, for the resolution and the clock of the file system.

    Once such folders have been listed and found as recorded, a record made before the
    listing (``clock``; else at ``now_ns``, taken before any of this, less the margin)
    that they are older than is as good, and no longer racy: that copy is returned, for
    the caller to save, so that the next check lists nothing.

    The record comes from the signed cache store (generator.cache.store), written by
    ``tree``; anything in it that is not that shape reads as "changed" (None).
    """
    if type(record) is not dict:
        return None
    folders, files, written = record.get("folders"), record.get("files"), record.get("written_ns")
    margin = record.get("margin_ns")
    if type(folders) is not list or type(files) is not list or type(written) is not int:
        return None
    if len(folders) % 2 or len(files) % 2 or not folders or folders[0] != "":
        return None  # ``tree`` lists output/ itself first
    if type(margin) is not int or margin not in (0, RACY_NS):
        return None
    limit = written - margin
    top, aside, other = f"{output}/", f"{server}/", f"../{server.name}/"
    skip, lstat = len(other), os.lstat
    try:
        # each name's path: one list, then one comparison of statuses, for speed
        names = folders[0::2]
        paths = [aside + n[skip:] if n.startswith(other) else top + n for n in names]
        paths[0] = str(output)  # ``tree`` lists output/ itself first
        paths = [str(server) if n == other[:-1] else p for n, p in zip(names, paths, strict=True)]
        try:
            found: list[os.stat_result | None] = list(map(lstat, paths))
        except OSError:  # one is gone, or never was (a preview has no server folder)
            found = [_lstat(path) for path in paths]
        statuses = [
            ABSENT if st is None else f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"
            for st in found
        ]
        if statuses != folders[1::2]:
            return None  # (ABSENT: there was no server folder, and there is none)
        # the server folder's files: together, since ``tree`` sorts the names
        kept = files[0::2]
        first, end = bisect_left(kept, other), bisect_left(kept, other[:-1] + "0")
        paths = [*map(top.__add__, kept[:first]), *[aside + n[skip:] for n in kept[first:end]]]
        paths += map(top.__add__, kept[end:])
        statuses = [  # ``scan.status``, written out: this runs for every file of output/
            f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"
            for st in map(lstat, paths)  # OSError: a file is gone
        ]
        if statuses != files[1::2]:
            return None
    except (OSError, TypeError, ValueError, AttributeError):  # gone, or not ``tree``'s shape
        return None
    near = [
        (name, max(st.st_mtime_ns, st.st_ctime_ns), st.st_dev)
        for name, st in zip(names, found, strict=True)
        if st is not None and (st.st_mtime_ns >= limit or st.st_ctime_ns >= limit)
    ]
    if not near:
        return record
    stamp = clock() if clock is not None and not margin else None  # before the listing
    if not _same_entries(
        output, server, [name for name, _, _ in near], [*folders[::2], *files[::2]]
    ):
        return None
    if margin:  # this machine's clock: the folders must be ``margin`` older than now
        if any(t >= now_ns - margin for _, t, _ in near):
            return record
        return {**record, "written_ns": now_ns}
    if stamp is None or any(t >= stamp[0] or dev != stamp[1] for _, t, dev in near):
        return record  # still in the tick of the clock's reading (or no reading)
    return {**record, "written_ns": stamp[0]}


def _same_entries(output: Path, server: Path, racy: list[str], names: list[Json]) -> bool:
    """Whether each folder of ``racy`` holds exactly the entries ``names`` names."""
    inside: dict[str, set[str]] = {name: set() for name in racy}
    for entry in names:
        assert isinstance(entry, str)  # as_left checked
        parent, _, name = entry.rpartition("/")
        if name and parent in inside:  # "" is output/ itself; "../<server folder>" is
            inside[parent].add(name)  # not in it (its parent reads as "..")
    for name, expected in inside.items():
        try:
            if set(os.listdir(_where(output, server, name))) != expected:
                return False
        except OSError:
            return False
    return True


def _warnings(data: object) -> tuple[ContentError, ...] | None:
    """The warnings kept in the state, or None if they are not exactly that shape."""
    if type(data) is not list:
        return None
    out: list[ContentError] = []
    paths: dict[str, Path] = {}  # one Path per file: most warnings are about site.yml
    for entry in data:
        if not (type(entry) is list and len(entry) == 7):
            return None
        path, line, col, message, hint, source_line, severity = entry
        text, hint_text = _message(message), None if hint is None else _message(hint)
        if type(path) is not str or text is None or (hint is not None and hint_text is None):
            return None
        if severity not in ("warning", "error"):
            return None
        if type(line) is not int or type(col) is not int or line < 1 or col < 1:
            return None
        if source_line is not None and type(source_line) is not str:
            return None
        pos = Position(paths.get(path) or paths.setdefault(path, Path(path)), line, col)
        out.append(ContentError(pos, text, hint_text, source_line, severity))
    return tuple(out)


def _encoded(message: Message) -> Json:
    """A message as JSON: msgid, arguments (messages in them too), plural form."""
    args: list[Json] = [
        [name, _encoded(v) if isinstance(v, Message) else v] for name, v in message.args
    ]
    return {"id": message.msgid, "args": args, "plural": message.plural, "n": message.n}


def _message(data: object, depth: int = 0) -> Message | None:
    """The message ``_encoded`` wrote, or None if ``data`` is not exactly one."""
    if type(data) is not dict or set(data) != {"id", "args", "plural", "n"} or depth > 8:
        return None
    msgid, raw_args, plural, n = data["id"], data["args"], data["plural"], data["n"]
    if type(msgid) is not str or type(n) is not int or type(raw_args) is not list:
        return None
    if plural is not None and type(plural) is not str:
        return None
    args: list[tuple[str, Arg]] = []
    for pair in raw_args:
        if not (type(pair) is list and len(pair) == 2 and type(pair[0]) is str):
            return None
        name, value = pair
        if type(value) is dict:
            value = _message(value, depth + 1)
            if value is None:
                return None
        elif type(value) not in (str, int, float):
            return None
        args.append((name, value))
    return Message(msgid, tuple(args), plural, n)


def forget(store: Store) -> None:
    """Before output/ changes: a build killed now leaves no "nothing changed" record."""
    store.delete(STATE, HASHES)


def record(
    store: Store,
    output: Path,
    digest: str,
    valid_from: float,
    valid_until: float | None,
    files: Mapping[str, Stat | None],
    warnings: Sequence[ContentError] = (),
    server: Path | None = None,
    inputs: Inputs | None = None,
) -> None:
    """``files``: every file of output/ and of its server folder (``server``, else
    beside it) with its status as the build left it; ``warnings``: shown again by a
    build that has nothing to do; ``inputs``: the scan whose ``digest`` this is, whose
    files and folders ``sources_as_left`` compares."""
    server = server or server_folder(output)
    state = {
        "sources": None if inputs is None else sources_record(inputs),
        "warnings": [
            [
                str(w.pos.path),
                w.pos.line,
                w.pos.col,
                _encoded(w.message),
                None if w.hint is None else _encoded(w.hint),
                w.source_line,
                w.severity,
            ]
            for w in warnings
        ],
        "inputs": digest,
        "output": str(output),
        "tree": tree(output, server, files, store.clock),
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    store.write_json(STATE, state, sort_keys=True)
