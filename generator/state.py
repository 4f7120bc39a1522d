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
import os
import time
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).parent


def source_files(folder: Path) -> list[Path]:
    """Every file a build may read under ``folder``, sorted (no dotfiles, no caches)."""
    if not folder.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        found += [Path(dirpath) / f for f in sorted(filenames) if not f.startswith(".")]
    return found


@dataclass(frozen=True, slots=True)
class Inputs:
    """The digest of every input, and the content hash of each file that went into it."""

    digest: str
    hashes: dict[str, list[int | str]]  # path -> size, mtime, ctime (ns), inode, sha256


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
    known: dict[str, list[int | str]] = {}
    written_ns = 0
    if cache is not None:
        try:
            data = json.loads((cache / HASHES).read_text("utf-8"))
            if isinstance(data, dict) and isinstance(data.get("files"), dict):
                known, written_ns = data["files"], int(data.get("written_ns", 0))
        except (OSError, ValueError, TypeError):
            pass
    digest = hashlib.sha256(options.encode("utf-8"))
    hashes: dict[str, list[int | str]] = {}
    roots = [content, content.parent / "themes", PACKAGE.parent / "themes", PACKAGE]
    for root in roots:
        for path in source_files(root):
            if path.suffix == ".pyc":
                continue
            name = str(path)
            st = path.stat()
            stamp: list[int | str] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
            entry = known.get(name)
            if (
                isinstance(entry, list)
                and len(entry) == 5
                and entry[:4] == stamp
                and max(st.st_mtime_ns, st.st_ctime_ns) < written_ns - _RACY_NS
                and isinstance(entry[4], str)
            ):
                sha = entry[4]
            else:
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
            hashes[name] = [*stamp, sha]
            digest.update(f"\0{path.relative_to(root)}\0{sha}".encode())
    return Inputs(digest.hexdigest(), hashes)


def save_hashes(cache: Path, inputs: Inputs) -> None:
    """Keep the file hashes for the next build (after a successful one only)."""
    cache.mkdir(parents=True, exist_ok=True)
    data = {"written_ns": time.time_ns(), "files": inputs.hashes}
    tmp = cache / (HASHES + ".tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
    os.replace(tmp, cache / HASHES)


def now_epoch() -> float:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return float(epoch) if epoch.isdigit() else time.time()


def _manifest_digest(output: Path) -> str | None:
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
        and state.get("manifest") == _manifest_digest(output)
        and (valid_until is None or now_epoch() < float(valid_until))
    )


OUTPUT_FILES = "output.json"  # what the last build left in output/: path -> key, size, mtime


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
        and data.get("manifest") == _manifest_digest(output)
        and isinstance(data.get("files"), dict)
    ):
        return None
    files: dict[str, tuple[str | None, int, int]] = {}
    for path, entry in data["files"].items():
        if not (isinstance(entry, list) and len(entry) == 3):
            return None
        key, size, mtime = entry
        if not (isinstance(key, str | None) and isinstance(size, int) and isinstance(mtime, int)):
            return None
        files[path] = (key, size, mtime)
    return files


def forget(cache: Path) -> None:
    """Before output/ changes file by file: a build killed now leaves no record behind."""
    for name in ("state.json", OUTPUT_FILES, HASHES):
        (cache / name).unlink(missing_ok=True)


def record_files(
    cache: Path, output: Path, base: str, files: dict[str, tuple[str | None, int, int]]
) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    manifest = _manifest_digest(output)
    data = {"output": str(output), "base": base, "manifest": manifest, "files": files}
    tmp = cache / (OUTPUT_FILES + ".tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True), "utf-8")
    os.replace(tmp, cache / OUTPUT_FILES)


def record(cache: Path, output: Path, digest: str, valid_until: float | None) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    state = {
        "inputs": digest,
        "output": str(output),
        "manifest": _manifest_digest(output),
        "valid_until": valid_until,
    }
    tmp = cache / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), "utf-8")
    os.replace(tmp, cache / "state.json")
