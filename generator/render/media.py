"""Pictures and documents on pages: links to them, their HTML, and their files.

Editors' HTML is sanitised to a small allow-list that has no ``<img>``.  A Markdown
picture (``![Sơ đồ](../media/so-do.jpg)``) is therefore checked while the Markdown is
rendered and left in the HTML as a placeholder, which the sanitiser keeps as text; the
``<picture>`` markup is made by bangtin from the placeholder **after** sanitising
(``MediaHtml.expand``), from the site's own checked media only.  Placeholders cannot
be forged: Python-Markdown removes the two control characters that delimit them from
every source text.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from generator.errors import BuildError, ContentError, Position, Problems
from generator.i18n import Message, _
from generator.media import pdf, pictures
from generator.media.library import Library
from generator.models import Location, MediaFile, MediaRef, Notice, Output, SiteConfig
from generator.plan.site import nfc
from generator.plan.urls import relative

_PLACEHOLDER = re.compile("\x02bm:([0-9a-f]+)\x03")
# The picture's width on the page: main is 42rem wide with 1rem padding on each side.
SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
PREVIEW_SIZES = "(min-width: 22rem) 20rem, calc(100vw - 2rem)"  # a PDF's first page


@dataclass(frozen=True, slots=True)
class LinkError:
    """Why a link or picture is refused, and what to do instead."""

    message: Message
    hint: Message | None = None


class MediaLookup(Protocol):
    """The site's media as link resolution sees them (a Library, or one that records)."""

    @property
    def root(self) -> Path: ...

    @property
    def roots(self) -> tuple[Path, ...]: ...  # root, and a province's shared/media

    def get(self, path: Path) -> MediaFile | None: ...


def resolve_media(
    target: str, source: Path, media: MediaLookup, picture: bool = False
) -> MediaFile | LinkError:
    """The media file ``target`` (a relative path in ``source``) names, or why not."""
    resolved = nfc(Path(os.path.normpath(source.parent / target)))
    if not any(resolved.is_relative_to(root) for root in media.roots):
        return LinkError(
            _("`{target}` is not a file of content/media/", target=target),
            _(
                "put pictures and documents in content/media/ and link them by relative "
                "path, e.g. ../media/so-do.jpg"
            ),
        )
    found = media.get(resolved)
    if found is None:
        return LinkError(
            _("link to a file that does not exist: `{target}`", target=target),
            _("check the file name; paths are relative to this file (e.g. ../media/so-do.jpg)"),
        )
    if found.problem is not None:
        return LinkError(found.problem, found.hint)
    if picture and found.kind != "picture":
        return LinkError(
            _(
                "`{target}` is a {format} document, not a picture",
                target=target,
                format=found.format,
            ),
            _("link it as a document: [Quyết định số 123](../media/qd-123.pdf)"),
        )
    return found


def rendition_path(file: MediaFile, width: int, extension: str) -> str:
    """``m/so-do.1a2b3c4d5e.720.webp``: named by content, cacheable for a year (a PDF's
    preview: ``m/quyet-dinh.pdf.1a2b3c4d5e.360.webp``)."""
    maker = pdf.VERSION if file.format == "PDF" else ""
    return f"{file.url_path}.{pictures.fingerprint(file.sha256, maker)}.{width}.{extension}"


def widths(file: MediaFile) -> tuple[int, ...]:
    return pictures.widths(file.width)


def url_of(file: MediaFile) -> str:
    """Where a link to the file leads: a document itself, a picture's largest JPEG."""
    if file.kind == "document":
        return file.url_path
    return rendition_path(file, widths(file)[-1], "jpg")


def describe(file: MediaFile) -> str:
    """``PDF, 240 KB, 3 trang``: what a resident on mobile data wants to know first."""
    kb = file.size / 1024
    # Vietnamese writes a decimal comma: 1,5 MB
    size = f"{max(1, round(kb))} KB" if kb < 1000 else f"{kb / 1024:.1f} MB".replace(".", ",")
    parts = [file.format, size]
    if file.pages:
        parts.append(f"{file.pages} trang")
    return ", ".join(parts)


def placeholder(file: MediaFile, alt: str, page_dir: str, linked: bool, lazy: bool = True) -> str:
    """What the Markdown of a picture (or a PDF's preview) becomes until ``expand``: text
    the sanitiser keeps."""
    data = json.dumps([str(nfc(file.path)), alt, page_dir, linked, lazy], ensure_ascii=False)
    return f"\x02bm:{data.encode('utf-8').hex()}\x03"


def picture_html(
    file: MediaFile,
    alt: str,
    page_dir: str,
    *,
    linked: bool = True,
    lazy: bool = True,
    first: bool = False,
) -> str:
    """``<picture>`` with WebP and JPEG at each width, its size, and (``linked``) a link
    to the largest size, for reading a photographed document up close (a PDF's preview:
    to the document).  ``lazy``: loaded when scrolled near; ``first``: the page's most
    important picture (its cover), fetched first."""

    def srcset(extension: str) -> str:
        return ", ".join(
            f"{relative(page_dir, rendition_path(file, w, extension))} {w}w" for w in sizes
        )

    sizes = widths(file)
    middle = sizes[min(1, len(sizes) - 1)]
    width, height = sizes[-1], pictures.height_at(file.width, file.height, sizes[-1])
    loading = 'loading="lazy" decoding="async"' if lazy else 'decoding="async"'
    if first:
        loading += ' fetchpriority="high"'
    preview = file.kind == "document"
    shown = PREVIEW_SIZES if preview else SIZES
    img = (
        f'<picture><source type="image/webp" srcset="{srcset("webp")}" sizes="{shown}">'
        f'<img src="{relative(page_dir, rendition_path(file, middle, "jpg"))}" '
        f'srcset="{srcset("jpg")}" sizes="{shown}" width="{width}" height="{height}" '
        f'alt="{html.escape(alt)}" {loading}></picture>'
    )
    if not linked:
        return img
    kind = "picture preview" if preview else "picture"
    return f'<a class="{kind}" href="{relative(page_dir, url_of(file))}">{img}</a>'


@dataclass(frozen=True, slots=True)
class MediaHtml:
    """The site's media as pages show them."""

    site: SiteConfig
    library: Library

    def expand(self, text: str) -> str:
        """Sanitised HTML with each picture placeholder made a ``<picture>``."""

        def one(match: re.Match[str]) -> str:
            try:
                path, alt, page_dir, linked, lazy = json.loads(bytes.fromhex(match.group(1)))
            except (ValueError, TypeError):
                return ""
            file = self.library.get(Path(str(path)))
            if file is None or file.problem is not None or not file.width:
                return ""  # never anything but the site's own checked pictures
            return picture_html(file, str(alt), str(page_dir), linked=bool(linked), lazy=bool(lazy))

        return _PLACEHOLDER.sub(one, text) if "\x02bm:" in text else text

    def cover_of(self, item: Notice | Location | None) -> MediaFile | None:
        """The item's cover picture (checked by ``check_images``), if it names one."""
        if item is None or item.image is None:
            return None
        found = resolve_media(item.image.path, item.source.path, self.library, picture=True)
        return found if isinstance(found, MediaFile) else None

    def cover(self, item: Notice | Location | None, page_dir: str) -> str:
        file = self.cover_of(item)
        if file is None:
            return ""
        shown = item.title if isinstance(item, Notice) else item.name if item else ""
        return picture_html(file, f"Ảnh: {shown}", page_dir, lazy=False, first=True)

    def og_image(self, item: Notice | Location | None) -> str:
        """The absolute URL of the picture a shared link shows (Zalo, Facebook)."""
        file = self.cover_of(item) or self.site_image()
        return self.site.base_url + url_of(file) if file is not None else ""

    def site_image(self) -> MediaFile | None:
        ref = self.site.image
        if ref is None:
            return None
        found = resolve_media(ref.path, self.site.source, self.library, picture=True)
        return found if isinstance(found, MediaFile) else None


def check_images(
    site: SiteConfig, library: Library, items: list[tuple[MediaRef | None, Path]]
) -> None:
    """Every ``image:`` of site.yml, notices and places names a usable picture."""
    problems = Problems()
    for ref, source in [(site.image, site.source), *items]:
        if ref is None:
            continue
        found = resolve_media(ref.path, source, library, picture=True)
        if isinstance(found, LinkError):
            problems.add(ref.pos, _("`image:` {problem}", problem=found.message), hint=found.hint)
    problems.check()


def used_files(media: MediaHtml, paths: list[str], covers: list[MediaFile]) -> list[MediaFile]:
    """The media files the site shows or links (``paths``: what its documents resolved)."""
    found: dict[str, MediaFile] = {}
    for text in paths:
        file = media.library.get(Path(text))
        if file is not None and file.problem is None:
            found[file.url_path] = file
    for file in covers:
        found[file.url_path] = file
    site_image = media.site_image()
    if site_image is not None:
        found[site_image.url_path] = site_image
    return [found[k] for k in sorted(found)]


class Renditions(Protocol):
    """Where rendition bytes come from (generator.cache.pictures.PictureCache)."""

    def key(self, file: MediaFile) -> str: ...

    def rendition(self, file: MediaFile, name: str) -> bytes: ...


def media_outputs(files: list[MediaFile], renditions: Renditions) -> Iterator[Output]:
    """Each document as it is, byte for byte; each picture (and PDF's preview) at each
    width, WebP and JPEG."""
    for file in files:
        if file.kind == "document":
            yield Output(file.url_path, "document:" + file.sha256, partial(published, file))
        if not file.width:  # no picture of it (a document without a preview)
            continue
        key = renditions.key(file)
        for width in widths(file):
            for extension in ("webp", "jpg"):
                name = f"{width}.{extension}"
                make = partial(renditions.rendition, file, name)
                yield Output(rendition_path(file, width, extension), f"{key}:{name}", make)


def published(file: MediaFile) -> bytes:
    """The document's bytes, as checked when the build read it (not a symlink)."""
    fd = os.open(file.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        data = f.read(file.size + 1)
    if hashlib.sha256(data).hexdigest() != file.sha256:
        raise BuildError(
            [
                ContentError(
                    Position(file.path),
                    _("`media/{name}` changed while the site was being built", name=file.name),
                    hint=_("build again"),
                    source_line="",
                )
            ]
        )
    return data
