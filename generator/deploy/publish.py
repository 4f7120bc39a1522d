"""A deploy, top to bottom in one function: ``publish``.

connect -> list the target's folder -> read the last deploy's record -> know what each
object holds -> plan -> upload, step by step -> delete -> write the record.

Each object is replaced whole by the storage, so a reader always gets a page's old
version or its new one.  Uploads go in the plan's steps (the files pages show, new
pages, changed pages, the files listing pages), each step only once the one before it
is done; a failure stops the deploy before the next step, deletes nothing and leaves
the record as it was (the next deploy asks again about what this one uploaded).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from generator.deploy import state
from generator.deploy.local import Folder, LocalFile
from generator.deploy.plan import Known, Plan, Upload, plan_deploy, wanted_keys
from generator.deploy.remote import WORKERS, Bucket, Listed, md5_header
from generator.deploy.target import STATE, state_key
from generator.errors import DeployError
from generator.i18n import Message, _
from generator.models import DeployTarget

IN_MEMORY = 32 * 1024 * 1024  # bytes: a smaller file is read once, checked and sent
STATE_HEADERS = {"content_type": "application/json", "cache_control": "no-store"}

# Stages, for the progress line.
LISTING = _("Listing the objects of the bucket")
ASKING = _("Reading the metadata of objects the last deploy did not record")
UPLOADING = _("Uploading")
DELETING = _("Deleting what the site no longer has")

Record = Literal["used", "none", "untrusted", "ignored"]


@dataclass(frozen=True, slots=True)
class Published:
    """What a deploy did (or, with ``dry_run``, would do)."""

    target: DeployTarget
    plan: Plan
    record: Record  # the last deploy's record: used, none found, found but not trusted
    asked: int  # objects whose content had to be asked for one by one
    uploaded_bytes: int
    seconds: float
    dry_run: bool


def publish(
    folder: Folder,
    target: DeployTarget,
    *,
    dry_run: bool = False,
    directory_keys: bool = False,
    others: Sequence[DeployTarget] = (),
    use_record: bool = True,
    progress: Callable[[Message], None] = lambda stage: None,
) -> Published:
    """Make the objects under ``target``'s folder the files of ``folder``, uploading only
    what differs.  ``others``: the targets of the province's other sites, whose folders
    inside this one are theirs; ``use_record`` False: ask about every object (for the
    benchmark)."""
    started = time.perf_counter()
    bucket = Bucket(target)
    progress(LISTING)
    listed = folder_objects(bucket, target, others)
    raw = bucket.read(state_key(target), state.LIMIT) if use_record else None
    entries = state.parse(raw)
    record: Record = "ignored" if not use_record else "none" if raw is None else "used"
    if raw is not None and entries is None:
        record = "untrusted"
    progress(ASKING)
    known, asked = what_objects_hold(bucket, target, listed, entries or {})
    wanted = wanted_keys(folder.files, target.directory_keys or directory_keys, bool(target.prefix))
    plan = plan_deploy(wanted, known)
    if dry_run:
        return Published(target, plan, record, asked, 0, time.perf_counter() - started, True)
    progress(UPLOADING)
    etags = upload(bucket, folder.root, target, plan)
    if plan.deletes:
        progress(DELETING)
        bucket.delete([target.prefix + key for key in plan.deletes])
    write_record(bucket, target, record_of(wanted, known, etags), raw)
    sent = sum(u.file.size for u in plan.uploads)
    return Published(target, plan, record, asked, sent, time.perf_counter() - started, False)


def record_of(
    wanted: Mapping[str, LocalFile], known: Mapping[str, Known], etags: Mapping[str, str]
) -> dict[str, state.Entry]:
    """What each object of the site holds now: the ETag of its upload, or of the object
    found to hold it already."""
    return {
        key: state.Entry(
            file.sha256,
            etags[key] if key in etags else known[key].etag,
            file.size,
            file.content_type,
            file.cache_control,
        )
        for key, file in wanted.items()
    }


def write_record(
    bucket: Bucket, target: DeployTarget, entries: Mapping[str, state.Entry], old: bytes | None
) -> None:
    """The deploy's record, last (not at all when it would not change)."""
    data = state.dump(entries)
    if data != old:
        digest = hashlib.md5(data, usedforsecurity=False).digest()
        bucket.put(state_key(target), data, md5=md5_header(digest), sha256=None, **STATE_HEADERS)


def folder_objects(
    bucket: Bucket, target: DeployTarget, others: Sequence[DeployTarget]
) -> dict[str, Listed]:
    """The objects under the target's folder, by key relative to it; without the
    deploy's own folder (``.bangtin/``) and the folders of other targets inside it: those
    a record of another deploy marks, and those of the province's other sites."""
    prefix = target.prefix
    found = {key[len(prefix) :]: item for key, item in bucket.objects()}
    theirs = {k[: -len(STATE)] for k in found if k.endswith("/" + STATE)}
    theirs |= {
        o.prefix[len(prefix) :]
        for o in others
        if o.same_storage(target) and o.prefix != prefix and o.prefix.startswith(prefix)
    }
    skipped = (STATE.split("/")[0] + "/", *sorted(theirs))
    return {k: item for k, item in found.items() if not k.startswith(skipped)}


def what_objects_hold(
    bucket: Bucket, target: DeployTarget, listed: dict[str, Listed], entries: dict[str, state.Entry]
) -> tuple[dict[str, Known], int]:
    """What each listed object holds: from the record when it lists the object with the
    same ETag and size (the object bangtin uploaded), else from its metadata, asked for
    (in parallel).  How many were asked for."""
    known: dict[str, Known] = {}
    unsure = []
    for key, item in listed.items():
        entry = entries.get(key)
        if entry is not None and (entry.etag, entry.size) == (item.etag, item.size):
            known[key] = Known(
                item.etag, item.size, entry.sha256, entry.content_type, entry.cache_control
            )
        else:
            unsure.append(key)
    with ThreadPoolExecutor(WORKERS) as pool:
        described = pool.map(lambda key: bucket.describe(target.prefix + key), unsure)
        for key, found in zip(unsure, described, strict=True):
            if found is None:
                continue  # deleted since it was listed
            sha256 = found.sha256 if state.is_sha256(found.sha256) else None
            known[key] = Known(
                found.etag, found.size, sha256, found.content_type, found.cache_control
            )
    return known, len(unsure)


def upload(bucket: Bucket, root: Path, target: DeployTarget, plan: Plan) -> dict[str, str]:
    """Make the plan's uploads, a step at a time; the ETag of each.  The first failure
    stops them: no later step starts, and DeployError says how far it got."""
    etags: dict[str, str] = {}
    total = len(plan.uploads)
    for step in plan.steps:
        failure: DeployError | None = None
        with ThreadPoolExecutor(WORKERS) as pool:
            futures = {pool.submit(put, bucket, root, target, u): u for u in step}
            for future in as_completed(futures):
                if future.cancelled():
                    continue
                try:
                    etags[futures[future].key] = future.result()
                except DeployError as exc:
                    if failure is None:
                        failure = exc
                        for other in futures:  # those not started yet
                            other.cancel()
        if failure is not None:
            raise DeployError(
                _(
                    "{failure}. {done} of {total} uploads were made before it stopped, and "
                    "nothing was deleted: every page is its old or its new version",
                    failure=failure.message,
                    done=len(etags),
                    total=total,
                ),
                failure.hint or _("deploy again to finish"),
            )
    return etags


def put(bucket: Bucket, root: Path, target: DeployTarget, upload: Upload) -> str:
    """Upload one file (read once and checked, or sent from disk when large)."""
    file = upload.file
    path = root / file.path
    headers = {"content_type": file.content_type, "cache_control": file.cache_control}
    key = target.prefix + upload.key
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            if file.size <= IN_MEMORY:
                data = f.read()
                _same(path, hashlib.sha256(data).hexdigest(), file.sha256)
                digest = hashlib.md5(data, usedforsecurity=False).digest()
                return bucket.put(key, data, md5=md5_header(digest), sha256=file.sha256, **headers)
            md5, sha256 = _digests(f)
            _same(path, sha256, file.sha256)
            f.seek(0)
            return bucket.put(key, f, md5=md5_header(md5), sha256=file.sha256, **headers)
    except OSError as exc:
        raise DeployError(
            _("cannot read {path}: {reason}", path=str(path), reason=str(exc.strerror or exc)),
            _("run `bangtin build` again, then deploy"),
        ) from exc


def _digests(f: IO[bytes]) -> tuple[bytes, str]:
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    while chunk := f.read(1024 * 1024):
        md5.update(chunk)
        sha256.update(chunk)
    return md5.digest(), sha256.hexdigest()


def _same(path: Path, found: str, expected: str) -> None:
    if found != expected:
        raise DeployError(
            _("{path} changed while it was being deployed", path=str(path)),
            _("deploy again once nothing writes to the output folder"),
        )
