"""The site's media: every file of ``content/media/``, checked, with its permanent URL.

A site of a province has the files of the province's ``shared/media/`` too, published
with it at the same kind of URL (``shared/media/cong-van.pdf`` at ``m/cong-van.pdf``):
a shared file and one of the site's own with one URL are refused as any two are.

A file is checked once per build, where it lies: its name (a URL can be made of it),
that it is a plain file (no symlink), its size (``media_max_mb:``), that its bytes are
what its extension says (magic bytes; a picture's header, never its pixels).  A file
that fails is kept with the reason, and is an error only where content links to it, at
the link's line: a stray file in media/ that nothing links to is not published.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.i18n import Arg, Message, _
from generator.media import pdf, pictures
from generator.models import MediaFile, MediaKind, SiteConfig
from generator.plan.site import nfc
from generator.plan.urls import slugify

FOLDER = "media"
PICTURES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
DOCUMENTS = {".pdf": "PDF", ".docx": "DOCX", ".xlsx": "XLSX", ".odt": "ODT", ".ods": "ODS"}
# What a link names when it means a media file: the kinds published, and kinds an editor
# may try (refused with a reason, not "not a content file").
SUFFIXES = (*PICTURES, *DOCUMENTS, ".svg", ".gif", ".heic", ".heif", ".doc", ".xls")
_ODF = {
    "ODT": b"application/vnd.oasis.opendocument.text",
    "ODS": b"application/vnd.oasis.opendocument.spreadsheet",
}
_OOXML = {"DOCX": "word/document.xml", "XLSX": "xl/workbook.xml"}


@dataclass(frozen=True, slots=True)
class Library:
    """Every file of ``content/media/`` (and of a province's ``shared/media/``) by the
    path content links resolve to."""

    root: Path  # content/media, as links resolve to it (normalised, NFC)
    files: Mapping[Path, MediaFile]
    # folders that are symbolic links: never walked; a file linked in one is refused
    linked_folders: Mapping[Path, str] = field(default_factory=dict)
    shared: Path | None = None  # a province's shared/media, as links resolve to it

    @property
    def roots(self) -> tuple[Path, ...]:
        """The folders links may lead into: content/media (and shared/media)."""
        return (self.root,) if self.shared is None else (self.root, self.shared)

    def get(self, path: Path) -> MediaFile | None:
        found = self.files.get(path)
        if found is not None or not self.linked_folders:
            return found
        for folder, name in self.linked_folders.items():
            if path.is_relative_to(folder):
                root = next(r for r in self.roots if path.is_relative_to(r))
                shown = path.relative_to(root).as_posix()
                return _refused(
                    path,
                    shown,
                    _(
                        "`media/{name}` is in `{folder}`, a symbolic link to a folder",
                        name=shown,
                        folder=name,
                    ),
                    _("copy the files into content/media/ instead of linking to them"),
                )
        return None


def _as_linked(folder: Path) -> Path:
    return nfc(Path(os.path.normpath(folder)))


def empty(site: SiteConfig) -> Library:
    shared = None if site.shared is None else _as_linked(site.shared / FOLDER)
    return Library(_as_linked(site.root / FOLDER), {}, shared=shared)


def load_media(site: SiteConfig) -> Library:
    """Every file of ``content/media/`` and of the province's ``shared/media/`` (sorted;
    sub-folders too), each checked."""
    library = empty(site)
    found: dict[Path, MediaFile] = {}
    linked: dict[Path, str] = {}
    limit = site.media_max_mb * 1024 * 1024
    folders = [site.root / FOLDER]
    if site.shared is not None:
        folders.append(site.shared / FOLDER)
    for folder, root in zip(folders, library.roots, strict=True):
        if folder.is_symlink():  # media/ itself: nothing in it is published
            linked[root] = FOLDER
        else:
            _walk(folder, "", folder, site, limit, found, linked)
    # Two files with one URL (lowercase: one file on macOS and Windows): both refused,
    # so that adding a file never takes over the URL another one already has.
    by_url: dict[str, list[Path]] = {}
    for path, item in found.items():
        if item.url_path and item.problem is None:
            by_url.setdefault(item.url_path.lower(), []).append(path)
    for paths in by_url.values():
        if len(paths) > 1:
            shown = _listed([_named(found[p], library) for p in sorted(paths)])
            for path in paths:
                found[path] = replace(
                    found[path],
                    problem=_(
                        "{files} would have the same URL: /{url}",
                        files=shown,
                        url=found[path].url_path,
                    ),
                    hint=_("rename one of the files"),
                )
    return replace(library, files=found, linked_folders=linked)


def _named(file: MediaFile, library: Library) -> str:
    """`a.pdf`; in a site of a province, `media/a.pdf` or `shared/media/a.pdf`."""
    shared = library.shared
    if shared is None:
        return f"`{file.name}`"
    if nfc(file.path).is_relative_to(shared):
        return f"`{shared.parent.name}/{FOLDER}/{file.name}`"
    return f"`{FOLDER}/{file.name}`"


def _walk(
    folder: Path,
    prefix: str,
    media: Path,
    site: SiteConfig,
    limit: int,
    found: dict[Path, MediaFile],
    linked: dict[Path, str],
) -> None:
    """The files of ``folder``, a folder of ``media`` (content/media or shared/media)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        name = prefix + entry.name
        real = Path(os.path.normpath(media / name))
        path = nfc(real)  # as links name it
        if entry.is_symlink() and entry.is_dir():
            linked[path] = f"media/{name}"
        elif entry.is_symlink():
            found[path] = _refused(
                real,
                name,
                _("`media/{name}` is a symbolic link", name=name),
                _("copy the file into content/media/ instead of linking to it"),
            )
        elif entry.is_dir(follow_symlinks=False):
            _walk(Path(entry.path), name + "/", media, site, limit, found, linked)
        elif entry.is_file(follow_symlinks=False):
            found[path] = check_file(real, name, site, limit)


def _refused(
    path: Path,
    name: str,
    problem: Message,
    hint: Message | None,
    kind: MediaKind = "document",
) -> MediaFile:
    """A file of media/ refused: ``problem`` says why, naming it as `media/<name>`."""
    return MediaFile(path, name, kind, "", problem=problem, hint=hint)


def _listed(items: list[str]) -> Arg:
    """`a` and `b` (and `c`...): the words of a list, in the reader's language."""
    shown: Arg = items[0]
    for item in items[1:]:
        shown = _("{first} and {second}", first=shown, second=item)
    return shown


def kind_of(name: str) -> MediaKind:
    picture = Path(name).suffix.lower() in (*PICTURES, ".svg", ".gif", ".heic", ".heif")
    return "picture" if picture else "document"


def url_path(site: SiteConfig, name: str, kind: MediaKind) -> str:
    """``2026-11/Quyết định 123.pdf`` -> ``m/2026-11/quyet-dinh-123.pdf``; a picture's is
    the stem its renditions are named from (``m/2026-11/so-do``); "" if no URL can be made."""
    *folders, file = name.split("/")
    stem, suffix = os.path.splitext(file)
    parts = [slugify(p) for p in (*folders, stem)]
    if not all(parts):
        return ""
    end = "" if kind == "picture" else suffix.lower()
    return "/".join([site.urls.media, *parts]) + end


def check_file(real: Path, name: str, site: SiteConfig, limit: int) -> MediaFile:
    """One file of media/: what it is, or why it is refused."""
    suffix, path = real.suffix.lower(), real
    kind = kind_of(name)
    if suffix == ".svg":
        return _refused(
            path,
            name,
            _("`media/{name}` is an SVG picture, which can carry scripts", name=name),
            _("export it as PNG (or JPEG for a photo) and link that file"),
            "picture",
        )
    fmt = PICTURES.get(suffix) or DOCUMENTS.get(suffix)
    if fmt is None:
        return _refused(
            path,
            name,
            _("`media/{name}` is not a kind of file bangtin publishes", name=name),
            _("accepted: pictures: .jpg, .png, .webp; documents: .pdf, .docx, .xlsx, .odt, .ods"),
            kind,
        )
    url = url_path(site, name, kind)
    if not url:
        return _refused(
            path,
            name,
            _("`media/{name}` has a name no URL can be made of", name=name),
            _("rename it with Latin letters or digits, e.g. quyet-dinh-123.pdf"),
            kind,
        )
    try:
        size = os.lstat(real).st_size
        if size > limit:
            return _refused(
                path,
                name,
                _(
                    "`media/{name}` is {size:.1f} MB, more than the {limit} MB "
                    "`media_max_mb:` allows",
                    name=name,
                    size=size / 1024 / 1024,
                    limit=site.media_max_mb,
                ),
                _(
                    "make it smaller (a photo resized to 2000 pixels wide is under 1 MB), "
                    "or raise `media_max_mb:` in site.yml"
                ),
                kind,
            )
        with open(real, "rb", opener=_no_follow) as f:
            data = f.read(limit + 1)
    except OSError as exc:
        reason = str(exc.strerror)
        return _refused(
            path,
            name,
            _("`media/{name}` cannot be read: {reason}", name=name, reason=reason),
            None,
            kind,
        )
    if len(data) > limit:  # grew since it was measured
        return _refused(
            path,
            name,
            _("`media/{name}` changed while it was read", name=name),
            _("build again"),
            kind,
        )
    item = MediaFile(path, name, kind, fmt, len(data), hashlib.sha256(data).hexdigest(), url)
    mismatch = _content_mismatch(data, fmt)
    if mismatch is not None:
        return replace(
            item,
            problem=_(
                "`media/{name}` is not a {format} file: its content is {content}",
                name=name,
                format=fmt,
                content=mismatch,
            ),
            hint=_(
                "save it again as a real {extension} file, or give it the extension of what it is",
                extension=suffix,
            ),
        )
    if kind == "picture":
        try:
            found = pictures.probe(data, fmt)
        except pictures.PictureError as exc:
            problem = _("`media/{name}`: {problem}", name=name, problem=exc.message)
            return replace(item, problem=problem, hint=exc.hint)
        return replace(item, width=found.width, height=found.height)
    if fmt == "PDF":  # its pages, and the size of its first page's preview
        facts = pdf.facts(data)
        if facts is not None:
            return replace(item, pages=facts.pages, width=facts.width, height=facts.height)
    return item


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


def sniff(data: bytes) -> str:
    """What ``data`` looks like, from its first bytes: a format name, or ""."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if b"%PDF-" in data[:1024]:
        return "PDF"
    if data.startswith(b"PK\x03\x04"):
        return "ZIP"
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) and b"<svg" in data[:4096].lower():
        return "SVG"
    if head.startswith((b"<!doctype html", b"<html", b"<script")):
        return "HTML"
    return ""


def _content_mismatch(data: bytes, fmt: str) -> Message | None:
    """None when ``data`` is a ``fmt`` file by its magic bytes, else what it looks like."""
    seen = sniff(data)
    if fmt in ("DOCX", "XLSX", "ODT", "ODS"):
        if seen != "ZIP":
            return _described(seen)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if fmt in _ODF:
                    if "mimetype" not in names:
                        return _("a ZIP archive, not an OpenDocument file")
                    with archive.open("mimetype") as f:
                        if f.read(100).strip() != _ODF[fmt]:
                            return _("another kind of OpenDocument or ZIP file")
                elif _OOXML[fmt] not in names:
                    return _("a ZIP archive, not a Word or Excel file of this kind")
        except (zipfile.BadZipFile, OSError, ValueError, KeyError):
            return _("a damaged ZIP archive")
        return None
    return None if seen == fmt else _described(seen)


def _described(seen: str) -> Message:
    """What a file whose first bytes look like ``seen`` (``sniff``) is, in words."""
    if seen == "":
        return _("something else (text or an unknown format)")
    if seen == "ZIP":
        return _("a ZIP archive")
    if seen == "SVG":
        return _("an SVG picture (which can carry scripts)")
    if seen == "HTML":
        return _("a web page")
    return _("a {format} file", format=seen)
