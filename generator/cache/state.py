"""Records of the last build: is the output already what a build would write?

After each build the store keeps a digest of every input (generator.inputs.scan: the
content, the themes, bangtin's own code, the options) and the moment the site would
change by itself (the next notice to be published, the next one to expire), and the
status of every file of ``output/`` as the build left it.  A build whose inputs have
the same digest, inside that time window, with every file of ``output/`` and of the
server configuration beside it still as it was left (none added, removed or changed:
generator.output.writer.survey_site), has nothing to do.  Also kept: each file's hash
(so that the next scan reads only changed files) and what the last build wrote to
``output/`` (so that an update rewrites only what changed: generator.cache.outputs).
Deliberately small: it imports nothing heavy.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator.cache.codec import Json
from generator.cache.store import Store
from generator.clock import epoch
from generator.errors import ContentError, Position
from generator.i18n import Arg, Message
from generator.inputs.scan import Inputs, Known
from generator.output.writer import Stat, digest_of, survey_site

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
    store: Store, output: Path, digest: str, server_at: Path | None = None
) -> tuple[ContentError, ...] | None:
    """The warnings of the last build in ``output`` if it had these inputs and is still
    current, else None (build).  Current: "now" is inside the window that build was
    valid for, from its own "now" (the clock may go back: a build dated later, then one
    dated earlier) to the next notice published or expired, and every file of output/
    is as that build left it (and its server folder: ``server_at``, else beside it)."""
    state = store.read_json(STATE)
    if not isinstance(state, dict):
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
    current = (
        warnings is not None
        and state.get("inputs") == digest
        and state.get("output") == str(output)
        and valid_from <= moment
        and (valid_until is None or moment < valid_until)
        and type(state.get("files")) is str
        and state.get("files") == digest_of(survey_site(output, server_at))  # last: stats all
    )
    return warnings if current else None


def _warnings(data: object) -> tuple[ContentError, ...] | None:
    """The warnings kept in the state, or None if they are not exactly that shape."""
    if type(data) is not list:
        return None
    out = []
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
        pos = Position(Path(path), line, col)
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
) -> None:
    """``files``: every file of output/ with its status as the build left it;
    ``warnings``: shown again by a build that has nothing to do."""
    state = {
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
        "files": digest_of(files),
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    store.write_json(STATE, state, indent=1, sort_keys=True)
