"""Permanent, short, ASCII URLs: slugs, page paths and relative links."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.models import SiteConfig

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_ ]+(?=.)")


@lru_cache(maxsize=8192)  # tags repeat across thousands of notices; each call is ~0.1 ms
def slugify(text: str) -> str:
    """ASCII slug: tones dropped, đ -> d, lowercase words joined by '-'."""
    from slugify import slugify as _slugify  # ~6 ms to import: only when a slug is made

    # text-unidecode maps đ/Đ to d/D already; spelled out so the rule is visible.
    text = text.replace("đ", "d").replace("Đ", "D")
    return str(_slugify(text, max_length=80, word_boundary=True))


def slug_from_filename(stem: str) -> str:
    """``2026-11-20-Lịch tiêm`` -> ``lich-tiem``: the date prefix only sorts files."""
    return slugify(_DATE_PREFIX.sub("", stem))


def is_slug(text: str) -> bool:
    return bool(SLUG.fullmatch(text))


def home_path() -> str:
    return ""


def notice_path(site: SiteConfig, slug: str) -> str:
    return f"{site.urls.notice}/{slug}/"


def location_path(site: SiteConfig, location_id: str) -> str:
    return f"{site.urls.location}/{location_id}/"


def page_path(site: SiteConfig, slug: str) -> str:
    return f"{site.urls.page}/{slug}/"


def tag_path(site: SiteConfig, tag_slug: str) -> str:
    return f"{site.urls.tag}/{tag_slug}/"


def archive_path(site: SiteConfig) -> str:
    return f"{site.urls.archive}/"


def absolute(site: SiteConfig, path: str) -> str:
    return site.base_url + path


def relative(from_dir: str, to_path: str) -> str:
    """A link from the page at ``from_dir`` (``n/a/``) to ``to_path`` (``l/b/``, ``x.css``).

    Relative links keep the site working under any sub-path and on any server.
    """
    # Both are clean site paths (no "." or ".."), so this is posixpath.relpath, faster:
    # it runs for every link of every page.
    here = from_dir.rstrip("/").split("/") if from_dir.strip("/") else []
    there = to_path.rstrip("/").split("/") if to_path.strip("/") else []
    common = 0
    for a, b in zip(here, there, strict=False):
        if a != b:
            break
        common += 1
    parts = [".."] * (len(here) - common) + there[common:]
    rel = "/".join(parts)
    if to_path.endswith("/") or to_path == "":
        return rel + "/" if rel else "./"
    return rel
