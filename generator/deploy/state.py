"""The deploy's record in the bucket: what the last deploy to a target uploaded.

A listing gives each object's key, size and ETag, but not its SHA-256 (that is in its
metadata, which only a request per object shows).  So each deploy stores, last, one
object at ``<prefix>.bangtin/deploy.json``: for every object of the site, the SHA-256
of its content, the ETag the storage answered when it was uploaded, its size and its
two headers.  An object listed with that same ETag and size is the one bangtin
uploaded, so its content is known without asking; any other is asked about
(``remote.Bucket.describe``).  The record is read as untrusted input (anyone who may
write to the bucket may write it): anything not exactly of this shape counts as no
record at all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

FORMAT = "bangtin deploy 1"
LIMIT = 256 * 1024 * 1024  # bytes: a record larger than this is not read
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TEXT = 512  # the longest ETag, key or header kept


@dataclass(frozen=True, slots=True)
class Entry:
    """One object as bangtin uploaded it."""

    sha256: str
    etag: str
    size: int
    content_type: str
    cache_control: str


def parse(data: bytes | None) -> dict[str, Entry] | None:
    """The entries of a record, by key relative to the target's folder; None when there
    is no record or it is not one bangtin wrote."""
    if data is None or len(data) > LIMIT:
        return None
    try:
        found = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if type(found) is not dict or found.get("format") != FORMAT:
        return None
    objects = found.get("objects")
    if type(objects) is not dict:
        return None
    entries: dict[str, Entry] = {}
    for key, value in objects.items():
        entry = _entry(value)
        if entry is None or not _key(key):
            return None  # one bad entry: the whole record is suspect
        entries[key] = entry
    return entries


def dump(entries: Mapping[str, Entry]) -> bytes:
    """A record of ``entries``: the same entries, the same bytes."""
    objects = {
        key: [e.sha256, e.etag, e.size, e.content_type, e.cache_control]
        for key, e in sorted(entries.items())
    }
    text = json.dumps({"format": FORMAT, "objects": objects}, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def is_sha256(value: object) -> bool:
    return type(value) is str and _SHA256.fullmatch(value) is not None


def _entry(value: object) -> Entry | None:
    if type(value) is not list or len(value) != 5:
        return None
    sha256, etag, size, content_type, cache_control = value
    if not is_sha256(sha256) or type(size) is not int or size < 0:
        return None
    if not all(_text(v) for v in (etag, content_type, cache_control)):
        return None
    return Entry(sha256, etag, size, content_type, cache_control)


def _text(value: object) -> bool:
    return type(value) is str and 0 < len(value) <= _TEXT and value.isprintable()


def _key(key: object) -> bool:
    """A key relative to the folder (a site's path, or a directory key ``l/x/``; "" is the
    folder itself)."""
    if type(key) is not str or len(key) > _TEXT or key.startswith("/"):
        return False
    return key == "" or all(p not in (".", "..") for p in key.rstrip("/").split("/"))
