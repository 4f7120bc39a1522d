"""Is the output already what a build would write?  Answered without loading any content.

After each build, ``.bangtin-cache/state.json`` records a digest of every input (the
content, the themes, bangtin's own code, the options) and the moment the site would
change by itself (the next notice to be published, the next one to expire).  A build
whose inputs have the same digest, before that moment, with the output still in
place, has nothing to do.  Deliberately small: it imports nothing heavy, so a no-op
``bangtin build`` costs little more than starting Python.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

PACKAGE = Path(__file__).parent


def source_files(folder: Path) -> list[Path]:
    """Every file a build may read under ``folder``, sorted (no dotfiles, no caches)."""
    return [Path(name) for name in _walk(str(folder))]


def _walk(folder: str) -> list[str]:
    """``source_files`` as plain strings: a folder's files (sorted), then its folders'."""
    try:
        with os.scandir(folder) as it:
            entries = {e.name: e for e in it if not e.name.startswith(".")}
    except (NotADirectoryError, FileNotFoundError):
        return []
    found, below = [], []
    for name in sorted(entries):
        entry = entries[name]
        if entry.is_dir():  # a symlink to a folder is not followed (as os.walk)
            if name != "__pycache__" and not entry.is_symlink():
                below.append(entry.path)
        else:
            found.append(entry.path)
    for sub in below:
        found += _walk(sub)
    return found


@dataclass(frozen=True, slots=True)
class Inputs:
    """The digest of every input, and the content hash of each file that went into it."""

    digest: str
    hashes: Mapping[str, str]  # path -> "size:mtime:ctime:inode:sha256" (times in ns)
    # Against the hashes last saved (save_hashes, by a build that was not a quick update):
    # files new or with other bytes, files gone, and that build's digest ("" if none).
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    known: str = ""
    options: str = ""  # the build's options, in the digest


HASHES = "hashes.json"
_RACY_NS = 2_000_000_000  # a file changed this close to the last record is read again


def inputs_digest(content: Path, options: str, cache: Path | None = None) -> Inputs:
    """A hash of everything a build reads, by content (not by modification time).

    With a ``cache`` folder, a file whose size, inode, modification and change times
    are those it had when last hashed (and not within 2 s of that record, the "racily
    clean" case git also guards against) is not read again: its recorded hash is used.
    The change time cannot be set back, so an edit that restores the modification time
    is still seen.
    """
    known: dict[str, str] = {}
    written_ns = 0
    known_digest = ""
    if cache is not None:
        try:
            data = json.loads((cache / HASHES).read_text("utf-8"))
            if isinstance(data, dict) and isinstance(data.get("files"), dict):
                known, written_ns = data["files"], int(data.get("written_ns", 0))
                known_digest = str(data.get("digest", ""))
        except (OSError, ValueError, TypeError):
            pass
    hashes: dict[str, str] = {}
    changed: list[str] = []
    parts = [options]
    limit = written_ns - _RACY_NS
    roots = [content, content.parent / "themes", PACKAGE.parent / "themes", PACKAGE]
    for root in map(str, roots):
        skip = len(root) + 1
        for name in _walk(root):
            if name.endswith(".pyc"):
                continue
            try:
                st = os.stat(name)
            except OSError:  # e.g. a broken symlink: the build reports it
                hashes[name] = "0:0:0:0:unreadable"
                changed.append(name)
                parts.append(f"{name[skip:]}\0unreadable")
                continue
            stamp = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:"
            entry = known.get(name)
            if (
                type(entry) is str
                and entry.startswith(stamp)
                and len(entry) == len(stamp) + 64
                and st.st_mtime_ns < limit
                and st.st_ctime_ns < limit
            ):
                sha = entry[len(stamp) :]
            else:
                with open(name, "rb") as f:
                    sha = hashlib.sha256(f.read()).hexdigest()
                if not (type(entry) is str and entry.endswith(":" + sha)):
                    changed.append(name)
            hashes[name] = stamp + sha
            parts.append(f"{name[skip:]}\0{sha}")
    digest = hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape"))
    removed = sorted(set(known) - set(hashes))
    return Inputs(digest.hexdigest(), hashes, tuple(changed), tuple(removed), known_digest, options)


class Scan:
    """``inputs_digest`` in a child process, while this one loads what the build needs.

    The scan stats every file (11,000 at province scale, ~0.08 s) and importing Jinja and
    Markdown takes as long again; on two cores they overlap.  ``result()`` waits for the
    child.  The child sends the digest and what changed first, every file's hash (2 MB)
    after: only a build that saves them reads those (``Inputs.hashes``); ``close()``
    ends the child.  Where a child cannot simply be forked (not Linux, or other threads
    running: a fork copies only this one), or when the child fails, the scan runs here
    instead, so its errors are raised here as ever.
    """

    def __init__(self, content: Path, options: str, cache: Path) -> None:
        self.args = (content, options, cache)
        self.pid = 0
        self.pipe: BinaryIO | None = None
        if sys.platform == "linux" and threading.active_count() == 1:
            self._fork()

    def _fork(self) -> None:
        try:
            r, w = os.pipe()
            pid = os.fork()
        except OSError:
            return
        if pid == 0:  # the child: scan, send the result, exit without any clean-up
            code = 1
            try:
                os.close(r)
                inputs = inputs_digest(*self.args)
                changed = {name: inputs.hashes[name] for name in inputs.changed}
                what = (inputs.digest, inputs.changed, inputs.removed, inputs.known)
                head = marshal.dumps((*what, inputs.options, changed))
                rest = marshal.dumps(dict(inputs.hashes))
                with os.fdopen(w, "wb") as f:
                    f.write(len(head).to_bytes(8, "little") + head)
                    f.flush()
                    code = 0  # the rest is read only if needed: the pipe may be closed
                    f.write(rest)
            finally:
                os._exit(code)
        os.close(w)
        self.pid, self.pipe = pid, os.fdopen(r, "rb")

    def result(self) -> Inputs:
        if self.pipe is not None:
            size = int.from_bytes(self.pipe.read(8), "little")
            head = self.pipe.read(size) if size else b""
            if size and len(head) == size:
                digest, changed, removed, known, options, some = marshal.loads(head)
                return Inputs(digest, _Hashes(some, self), changed, removed, known, options)
            self.close()  # the child failed
        return inputs_digest(*self.args)

    def rest(self) -> dict[str, str]:
        """Every file's hash, from the child."""
        if self.pipe is None:
            raise RuntimeError("the input scan's child process is gone")
        hashes: dict[str, str] = marshal.loads(self.pipe.read())
        self.close()
        return hashes

    def close(self) -> None:
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
            os.waitpid(self.pid, 0)

    def __enter__(self) -> Scan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def whole(inputs: Inputs) -> Inputs:
    """``inputs`` with every file's hash at hand (a Scan's child is then done)."""
    return replace(inputs, hashes=dict(inputs.hashes))


class _Hashes(Mapping[str, str]):
    """A Scan's file hashes: those of the changed files at once, every file's when first
    asked for one of the others (or for all)."""

    def __init__(self, changed: dict[str, str], scan: Scan) -> None:
        self.changed, self.scan = changed, scan
        self._all: dict[str, str] | None = None

    def all(self) -> dict[str, str]:
        if self._all is None:
            self._all = self.scan.rest()
        return self._all

    def __getitem__(self, name: str) -> str:
        if self._all is None and name in self.changed:
            return self.changed[name]
        return self.all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self.all())


def write_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` whole or not at all (written beside it, then renamed)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def save_hashes(cache: Path, inputs: Inputs) -> None:
    """Keep the file hashes for the next build (after a successful one only)."""
    cache.mkdir(parents=True, exist_ok=True)
    data = {"written_ns": time.time_ns(), "digest": inputs.digest, "files": dict(inputs.hashes)}
    write_atomically(cache / HASHES, json.dumps(data, separators=(",", ":")))


def now_epoch() -> float:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return float(epoch) if epoch.isdigit() else time.time()


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


def unchanged(cache: Path, output: Path, digest: str) -> bool:
    """True when the last build in ``output`` had these inputs and is still current."""
    try:
        state = json.loads((cache / "state.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(state, dict):
        return False
    valid_until = state.get("valid_until")
    return (
        state.get("inputs") == digest
        and state.get("output") == str(output)
        and state.get("manifest") is not None
        and state.get("manifest") == manifest_digest(output)
        and (valid_until is None or now_epoch() < float(valid_until))
    )


OUTPUT_FILES = "output.json"  # what the last build left in output/: path -> key, size, mtime
OUTPUT_PATCH = "output-patch.json"  # files written by quick updates since
QUICK = "quick.json"  # what generator.quick needs, kept by the last full or updating build


def output_files(
    cache: Path, output: Path, base: str
) -> dict[str, tuple[str | None, int, int]] | None:
    """The files the last build wrote to ``output``, if that record can be trusted.

    It can when it names this output folder and the site's manifest there is the one
    that build wrote; each file is still checked (size, mtime) before it is kept.
    ``base`` digests what every file shares (settings, theme, code): when it changed,
    most files change, and a full build (swapped in at once) is the better way.
    """
    try:
        data = json.loads((cache / OUTPUT_FILES).read_text("utf-8"))
    except (OSError, ValueError):
        return None
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
    later = _patch(cache, base)["files"]  # files quick updates (generator.quick) wrote since
    for path, entry in chain(data["files"].items(), later.items()):
        if not (isinstance(entry, list) and len(entry) == 3):
            return None
        key, size, mtime = entry
        if not (isinstance(key, str | None) and isinstance(size, int) and isinstance(mtime, int)):
            return None
        files[path] = (key, size, mtime)
    return files


def patch_files(
    cache: Path,
    base: str,
    files: dict[str, tuple[str | None, int, int]],
    notices: Mapping[str, str] | None = None,
) -> None:
    """Add to the record of output/ (output_files) what a quick update wrote: files, and the
    notices it wrote pages for, each with the hash of the text it was written from."""
    patch = _patch(cache, base)
    data = {
        "base": base,
        "files": {**patch["files"], **files},
        "notices": {**patch["notices"], **(notices or {})},
    }
    write_atomically(cache / OUTPUT_PATCH, json.dumps(data, separators=(",", ":"), sort_keys=True))


def patched_notices(cache: Path, base: str) -> dict[str, str]:
    """The notices quick updates wrote pages for since the last build: path -> the hash of
    the text their page shows ("" while it is being written).  ValueError if the record
    is damaged: what it held is not known."""
    notices: dict[str, str] = _patch(cache, base, strict=True)["notices"]
    return notices


def _patch(cache: Path, base: str, strict: bool = False) -> dict[str, Any]:
    """The record of quick updates since the last build; if it is damaged or another
    build's, none (ValueError if ``strict``)."""
    try:
        data = json.loads((cache / OUTPUT_PATCH).read_text("utf-8"))
    except FileNotFoundError:
        return {"files": {}, "notices": {}}
    except (OSError, ValueError):
        data = None
    if not (
        isinstance(data, dict)
        and data.get("base") == base
        and isinstance(data.get("files"), dict)
        and isinstance(data.get("notices"), dict)
        and all(isinstance(sha, str) for sha in data["notices"].values())
    ):
        if strict:
            raise ValueError(f"{cache / OUTPUT_PATCH} is damaged or another build's")
        return {"files": {}, "notices": {}}
    return data


def forget(cache: Path) -> None:
    """Before output/ changes file by file: a build killed now leaves no record behind."""
    for name in ("state.json", OUTPUT_FILES, OUTPUT_PATCH, HASHES, QUICK):
        (cache / name).unlink(missing_ok=True)


def record_files(
    cache: Path,
    output: Path,
    base: str,
    files: dict[str, tuple[str | None, int, int]],
    manifest: str | None = None,
) -> None:
    """``manifest``: the digest of output/qr-manifest.json, when known (else read)."""
    cache.mkdir(parents=True, exist_ok=True)
    manifest = manifest or manifest_digest(output)
    data = {"output": str(output), "base": base, "manifest": manifest, "files": files}
    write_atomically(cache / OUTPUT_FILES, json.dumps(data, separators=(",", ":"), sort_keys=True))
    (cache / OUTPUT_PATCH).unlink(missing_ok=True)


def record(
    cache: Path, output: Path, digest: str, valid_until: float | None, manifest: str | None = None
) -> None:
    """``manifest``: the digest of output/qr-manifest.json, when known (else read)."""
    cache.mkdir(parents=True, exist_ok=True)
    state = {
        "inputs": digest,
        "output": str(output),
        "manifest": manifest or manifest_digest(output),
        "valid_until": valid_until,
    }
    write_atomically(cache / "state.json", json.dumps(state, indent=1, sort_keys=True))
