"""Where a site is published: a bucket of S3-compatible storage, and a folder in it.

A target (``models.DeployTarget``) is read from the ``deploy:`` group of ``site.yml`` (a
site of its own), or from a province's ``bangtin.yml`` (``deploy: {<site id>: {...}}``
for its sites, which wins over the site's own, and ``hub: {deploy: {...}}`` for its
hub).  Its errors are content errors, ``site.yml:line:col``, found by ``check`` and
``build`` as well.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from generator.i18n import Message, _
from generator.inputs.fields import Fields

if TYPE_CHECKING:  # imported where a target is made: a province without one never does
    from generator.models import DeployTarget

STATE = ".bangtin/deploy.json"  # in the target's folder: what the last deploy uploaded

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PART = re.compile(r"[A-Za-z0-9._~-]+")
_REGION = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_LOOPBACK = ("localhost",)


def state_key(target: DeployTarget) -> str:
    """Where the deploy's record of ``target`` is (generator.deploy.state)."""
    return target.prefix + STATE


def read_target(f: Fields) -> DeployTarget | None:
    """The target a ``deploy:`` group describes; None (and errors in ``f.problems``)
    when it has none or a wrong one."""
    errors = len(f.problems.errors)
    bucket = f.text("bucket")  # required: reported missing by the reader
    if bucket is not None and (not _BUCKET.fullmatch(bucket) or ".." in bucket):
        f.error(
            f.node_of("bucket"),
            _(
                "`bucket` `{bucket}` is not a bucket name: 3 to 63 lowercase letters, digits, "
                "'.' and '-', starting and ending with a letter or digit",
                bucket=bucket,
            ),
            hint=_("e.g. `bucket: bangtin-dinh-hung`"),
        )
        bucket = None
    prefix = f.text("prefix")
    if prefix is not None:
        why = prefix_problem(prefix)
        if why is not None:
            f.error(
                f.node_of("prefix"),
                why,
                hint=_("write the folder inside the bucket, e.g. `prefix: dinh-hung/`"),
            )
            prefix = None
        else:
            prefix = prefix.rstrip("/") + "/"
    endpoint = f.text("endpoint_url")
    if endpoint is not None:
        why = endpoint_problem(endpoint)
        if why is not None:
            f.error(
                f.node_of("endpoint_url"),
                _("`endpoint_url` {why}", why=why),
                hint=_(
                    "write the storage's address as its provider gives it, e.g. "
                    "`endpoint_url: https://s3.example.vn`; leave it out for AWS S3"
                ),
            )
            endpoint = None
        else:
            endpoint = endpoint.rstrip("/")
    region = f.text("region")
    if region is not None and not _REGION.fullmatch(region):
        f.error(
            f.node_of("region"),
            _("`region` `{region}` is not a region name", region=region),
            hint=_("e.g. `region: ap-southeast-1` (AWS) or `region: auto` (Cloudflare R2)"),
        )
        region = None
    directory_keys = f.boolean("directory_keys")
    if bucket is None or len(f.problems.errors) != errors:
        return None
    from generator.models import DeployTarget

    return DeployTarget(bucket, prefix or "", endpoint, region, directory_keys)


def prefix_problem(prefix: str) -> Message | None:
    """Why ``prefix`` is not a folder inside a bucket, or None."""
    parts = prefix.rstrip("/").split("/")
    if prefix.startswith("/") or any(p in (".", "..") or not _PART.fullmatch(p) for p in parts):
        return _(
            "`prefix` `{prefix}` is not a folder inside the bucket: plain names (letters, "
            "digits, '.', '_', '~', '-') separated by single `/`, with no `/` at the start",
            prefix=prefix,
        )
    if parts[0] == ".bangtin":
        return _("`prefix` `{prefix}` is bangtin's own folder in the bucket", prefix=prefix)
    return None


def endpoint_problem(url: str) -> Message | None:
    """Why ``url`` is not the address of a storage service (what follows the key in a
    sentence), or None.  Plain http only to this computer (a local test server)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return _("must be an address starting with https://")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return _(
            "must start with https://: plain http would let anyone on the way change the "
            "site as it is uploaded (http is accepted for this computer only)"
        )
    if "@" in parts.netloc or parts.query or parts.fragment or "?" in url or "#" in url:
        return _("must not hold a user name, password, query (?) or fragment (#)")
    if any(c.isspace() for c in url) or not url.isascii():
        return _("must be plain ASCII without spaces")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number
    except ValueError:
        return _("has a port that is not a number from 1 to 65535")
    return None


def _loopback(host: str) -> bool:
    if host in _LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
