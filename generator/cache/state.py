"""Records of the last build: is the output already what a build would write?

After each build the store keeps a digest of every input (generator.inputs.scan: the
content, the themes, bangtin's own code, the options) and the moment the site would
change by itself (the next notice to be published, the next one to expire).  A build
whose inputs have the same digest, before that moment, with the output still in
place, has nothing to do.  Also kept: each file's hash (so that the next scan reads
only changed files) and what the last build wrote to ``output/`` (so that an update
rewrites only what changed).  Deliberately small: it imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from itertools import chain
from pathlib import Path
from typing import Any

from generator.cache.store import Store
from generator.clock import epoch
from generator.inputs.scan import Inputs, Known

HASHES = "hashes.json"
STATE = "state.json"
OUTPUT_FILES = "output.json"  # what the last build left in output/: path -> key, size, mtime
OUTPUT_PATCH = "output-patch.json"  # files written by quick updates since
QUICK = "quick.json"  # what generator.cache.quick needs, kept by the last full or updating build


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


def manifest_stamp(output: Path) -> list[int]:
    """Size, modification time and inode of output/qr-manifest.json ([] if none)."""
    try:
        st = os.stat(output / "qr-manifest.json")
    except OSError:
        return []
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def manifest_digest(output: Path) -> str | None:
    try:
        return hashlib.sha256((output / "qr-manifest.json").read_bytes()).hexdigest()
    except OSError:
        return None


def unchanged(store: Store, output: Path, digest: str) -> bool:
    """True when the last build in ``output`` had these inputs and is still current."""
    state = store.read_json(STATE)
    if not isinstance(state, dict):
        return False
    valid_until = state.get("valid_until")
    return (
        state.get("inputs") == digest
        and state.get("output") == str(output)
        and state.get("manifest") is not None
        and state.get("manifest") == manifest_digest(output)
        and (valid_until is None or (type(valid_until) in (int, float) and epoch() < valid_until))
    )


def output_files(
    store: Store, output: Path, base: str
) -> dict[str, tuple[str | None, int, int]] | None:
    """The files the last build wrote to ``output``, if that record can be trusted.

    It can when it names this output folder and the site's manifest there is the one
    that build wrote; each file is still checked (size, mtime) before it is kept.
    ``base`` digests what every file shares (settings, theme, code): when it changed,
    most files change, and a full build (swapped in at once) is the better way.
    """
    data = store.read_json(OUTPUT_FILES)
    if not (
        isinstance(data, dict)
        and data.get("output") == str(output)
        and data.get("base") == base
        and data.get("manifest") is not None
        and data.get("manifest") == manifest_digest(output)
        and isinstance(data.get("files"), dict)
    ):
        return None
    files: dict[str, tuple[str | None, int, int]] = {}
    later = _patch(store, base)["files"]  # files quick updates (generator.quick) wrote since
    for path, entry in chain(data["files"].items(), later.items()):
        if not (isinstance(entry, list) and len(entry) == 3):
            return None
        key, size, mtime = entry
        if not (isinstance(key, str | None) and isinstance(size, int) and isinstance(mtime, int)):
            return None
        files[path] = (key, size, mtime)
    return files


def patch_files(
    store: Store,
    base: str,
    files: dict[str, tuple[str | None, int, int]],
    notices: Mapping[str, str] | None = None,
) -> None:
    """Add to the record of output/ (output_files) what a quick update wrote: files, and the
    notices it wrote pages for, each with the hash of the text it was written from."""
    patch = _patch(store, base)
    data = {
        "base": base,
        "files": {**patch["files"], **files},
        "notices": {**patch["notices"], **(notices or {})},
    }
    store.write_json(OUTPUT_PATCH, data, sort_keys=True)


def patched_notices(store: Store, base: str) -> dict[str, str]:
    """The notices quick updates wrote pages for since the last build: path -> the hash of
    the text their page shows ("" while it is being written).  ValueError if the record
    is damaged: what it held is not known."""
    notices: dict[str, str] = _patch(store, base, strict=True)["notices"]
    return notices


def _patch(store: Store, base: str, strict: bool = False) -> dict[str, Any]:
    """The record of quick updates since the last build; if it is damaged or another
    build's, none (ValueError if ``strict``)."""
    if not store.has(OUTPUT_PATCH):
        return {"files": {}, "notices": {}}
    data = store.read_json(OUTPUT_PATCH)
    if not (
        isinstance(data, dict)
        and data.get("base") == base
        and isinstance(data.get("files"), dict)
        and isinstance(data.get("notices"), dict)
        and all(isinstance(sha, str) for sha in data["notices"].values())
    ):
        if strict:
            raise ValueError(f"{OUTPUT_PATCH} is damaged or another build's")
        return {"files": {}, "notices": {}}
    return data


def forget(store: Store) -> None:
    """Before output/ changes file by file: a build killed now leaves no record behind."""
    store.delete(STATE, OUTPUT_FILES, OUTPUT_PATCH, HASHES, QUICK)


def record_files(
    store: Store,
    output: Path,
    base: str,
    files: dict[str, tuple[str | None, int, int]],
    manifest: str | None = None,
) -> None:
    """``manifest``: the digest of output/qr-manifest.json, when known (else read)."""
    manifest = manifest or manifest_digest(output)
    data = {"output": str(output), "base": base, "manifest": manifest, "files": files}
    store.write_json(OUTPUT_FILES, data, sort_keys=True)
    store.delete(OUTPUT_PATCH)


def record(
    store: Store, output: Path, digest: str, valid_until: float | None, manifest: str | None = None
) -> None:
    """``manifest``: the digest of output/qr-manifest.json, when known (else read)."""
    state = {
        "inputs": digest,
        "output": str(output),
        "manifest": manifest or manifest_digest(output),
        "valid_until": valid_until,
    }
    store.write_json(STATE, state, indent=1, sort_keys=True)
