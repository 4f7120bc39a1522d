"""The storage's side of a deploy: boto3, and nothing else here imports it.

One ``Bucket`` per target: list the objects under its folder, read one object's
headers and metadata, read and write one object, delete many.  The client retries
throttling (``SlowDown``), server errors and dropped connections with exponential
back-off (botocore's "standard" mode); what still fails becomes a ``DeployError`` in
the reader's words, with a hint.  Credentials come from the standard chain (the
environment, the shared config files, an instance role): bangtin stores none.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from generator import __version__
from generator.errors import DeployError
from generator.i18n import Message, _
from generator.models import DeployTarget

WORKERS = 8  # requests at once: uploads and reads are network-bound
ATTEMPTS = 5  # tries of each request (back-off between them), unless $AWS_MAX_ATTEMPTS says
ATTEMPTS_ENV = "AWS_MAX_ATTEMPTS"  # as for the AWS tools
DELETE_BATCH = 1000  # the most keys one DeleteObjects request may name
SHA256 = "sha256"  # the object's metadata (x-amz-meta-sha256): its content's SHA-256


@dataclass(frozen=True, slots=True)
class Listed:
    """One object as a listing shows it."""

    etag: str
    size: int


@dataclass(frozen=True, slots=True)
class Described:
    """One object as a HEAD request shows it: its headers and its SHA-256 metadata."""

    etag: str
    size: int
    sha256: str | None  # None: it carries none (not an object bangtin uploaded)
    content_type: str | None
    cache_control: str | None


def attempts() -> int:
    """How many times each request is tried: ``$AWS_MAX_ATTEMPTS`` (a whole number from 1
    to 20) when set, else ``ATTEMPTS``."""
    value = os.environ.get(ATTEMPTS_ENV, "")
    return int(value) if value.isdigit() and 1 <= int(value) <= 20 else ATTEMPTS


def etag_of(value: object) -> str:
    """An ETag as listings and answers to PUT give it, without its quotes."""
    return str(value or "").strip('"')


def md5_header(digest: bytes) -> str:
    """``Content-MD5`` of content whose MD5 is ``digest``: the storage checks the bytes
    it received against it."""
    return base64.b64encode(digest).decode()


class Bucket:
    """The objects of one target, through one boto3 client (shared by threads)."""

    def __init__(self, target: DeployTarget) -> None:
        self.target = target
        config = Config(
            retries={"mode": "standard", "max_attempts": attempts()},
            max_pool_connections=WORKERS,
            connect_timeout=10,
            read_timeout=60,
            user_agent_extra=f"bangtin/{__version__}",
            # only the checksums every S3-compatible service knows (Content-MD5 is sent):
            # the newer default ones are refused by some of them
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            s3={"addressing_style": "path" if target.endpoint_url else "auto"},
        )
        try:
            session = boto3.session.Session()
            self.client: Any = session.client(
                "s3",
                endpoint_url=target.endpoint_url,
                region_name=target.region,
                config=config,
            )
        except BotoCoreError as exc:
            raise self.failure(exc, None) from exc

    def objects(self) -> Iterator[tuple[str, Listed]]:
        """Every object under the target's folder: its whole key, ETag and size."""
        pages = self.client.get_paginator("list_objects_v2")
        try:
            for page in pages.paginate(Bucket=self.target.bucket, Prefix=self.target.prefix):
                for item in page.get("Contents", ()):
                    yield str(item["Key"]), Listed(etag_of(item.get("ETag")), int(item["Size"]))
        except (BotoCoreError, ClientError) as exc:
            raise self.failure(exc, None) from exc

    def _object(self, call: Callable[..., Any], key: str) -> Any:
        """``call`` (``head_object``, ``get_object``) for ``key``; None when there is no
        such object."""
        try:
            return call(Bucket=self.target.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise self.failure(exc, key) from exc
        except BotoCoreError as exc:
            raise self.failure(exc, key) from exc

    def describe(self, key: str) -> Described | None:
        """The headers and metadata of the object at ``key`` (None: there is none)."""
        found = self._object(self.client.head_object, key)
        if found is None:
            return None
        metadata = found.get("Metadata") or {}
        return Described(
            etag_of(found.get("ETag")),
            int(found.get("ContentLength", 0)),
            metadata.get(SHA256),
            found.get("ContentType"),
            found.get("CacheControl"),
        )

    def read(self, key: str, limit: int) -> bytes | None:
        """The bytes of the object at ``key``; None when there is none or it is larger
        than ``limit``."""
        found = self._object(self.client.get_object, key)
        if found is None:
            return None
        body = found["Body"]
        try:
            if int(found.get("ContentLength", 0)) > limit:
                return None
            data: bytes = body.read(limit + 1)
        except BotoCoreError as exc:
            raise self.failure(exc, key) from exc
        finally:
            body.close()
        return data if len(data) <= limit else None

    def put(
        self,
        key: str,
        body: bytes | IO[bytes],
        *,
        md5: str,
        content_type: str,
        cache_control: str,
        sha256: str | None,
    ) -> str:
        """Store ``body`` at ``key`` with its headers (and its SHA-256 as metadata, when
        given); the ETag the storage answers with."""
        extra: dict[str, Any] = {"Metadata": {SHA256: sha256}} if sha256 else {}
        try:
            answer = self.client.put_object(
                Bucket=self.target.bucket,
                Key=key,
                Body=body,
                ContentMD5=md5,
                ContentType=content_type,
                CacheControl=cache_control,
                **extra,
            )
        except (BotoCoreError, ClientError) as exc:
            raise self.failure(exc, key) from exc
        return etag_of(answer.get("ETag"))

    def delete(self, keys: list[str]) -> None:
        """Delete the objects at ``keys``, in batches; DeployError naming the first the
        storage would not delete."""
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            try:
                answer = self.client.delete_objects(
                    Bucket=self.target.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
            except (BotoCoreError, ClientError) as exc:
                raise self.failure(exc, batch[0]) from exc
            for error in answer.get("Errors", ()):
                raise DeployError(
                    _(
                        "the storage did not delete {key}: {code} {reason}",
                        key=str(error.get("Key")),
                        code=str(error.get("Code")),
                        reason=str(error.get("Message", "")),
                    ),
                    _("deploy again; nothing else was deleted after it"),
                )

    # -- failures, in the reader's words ------------------------------------------------

    def failure(self, exc: Exception, key: str | None) -> DeployError:
        """``exc`` as a message and a hint."""
        target = self.target
        where = target.endpoint_url or "AWS S3"
        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return DeployError(
                _("no credentials for the storage at {where}", where=where),
                _(
                    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (in CI: "
                    "from the repository's secrets), or AWS_PROFILE; bangtin keeps no secret"
                ),
            )
        if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
            return DeployError(
                _("cannot reach the storage at {where}: {error}", where=where, error=str(exc)),
                _("check `endpoint_url` in the deploy target and the network, then deploy again"),
            )
        if isinstance(exc, ReadTimeoutError):
            return DeployError(
                _("the storage at {where} did not answer in time", where=where),
                _("deploy again; what was uploaded need not be uploaded again"),
            )
        if isinstance(exc, ClientError):
            code = _code(exc)
            if code == "NoSuchBucket":
                return DeployError(
                    _(
                        "there is no bucket `{bucket}` at {where}",
                        bucket=target.bucket,
                        where=where,
                    ),
                    _("create the bucket, or correct `bucket` in the deploy target"),
                )
            if code in _REFUSED:
                return DeployError(
                    _(
                        "the storage at {where} refused access to bucket `{bucket}`: {code}",
                        where=where,
                        bucket=target.bucket,
                        code=code,
                    ),
                    _(
                        "check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and "
                        "that they may list, read, write and delete objects in the bucket"
                    ),
                )
            if code in _THROTTLED:
                return DeployError(
                    _(
                        "the storage at {where} still asked to slow down ({code}) after "
                        "{attempts} tries",
                        where=where,
                        code=code,
                        attempts=attempts(),
                    ),
                    _("deploy again later; what was uploaded need not be uploaded again"),
                )
            reason = str(exc.response.get("Error", {}).get("Message") or "")
            return DeployError(_failed(key, f"{code} {reason}".strip()), _AGAIN)
        return DeployError(_failed(key, str(exc)), _AGAIN)


_REFUSED = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "AllAccessDisabled",
    "InvalidToken",
    "ExpiredToken",
    "403",
}
_THROTTLED = {"SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "503"}
_AGAIN = _("deploy again; if it keeps failing, check the storage's status with its provider")


def _failed(key: str | None, reason: str) -> Message:
    if key is None:
        return _("the storage failed: {reason}", reason=reason)
    return _("the storage failed on {key}: {reason}", key=key, reason=reason)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code") or "")
