"""Picture renditions kept between builds, made on every core when missing.

A picture's renditions are kept in the store as ``pictures/<k[:2]>/<k>.<width>.<ext>``,
``k`` hashing the source's bytes, the rendition options, Pillow's version and bangtin's
code: an entry can never stand for another picture.  The store signs every file (a
file whose MAC fails reads as nothing and is made again), and a rendition read back is
checked once more, from its header, for the format, size and absence of metadata a
rendition has (``pictures.plausible``) before it goes to ``output/``.  Without a
store (``bangtin serve``) renditions are kept in memory between builds.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from generator.cache.store import Store
from generator.errors import BuildError, ContentError, Position
from generator.i18n import Message, _
from generator.inputs.scan import code_digest
from generator.media import pdf, pictures
from generator.models import MediaFile
from generator.parallel import on_all_cores

INDEX = "pictures/index.json"
PARALLEL_FROM = 6  # pictures: below this many, a worker process costs more than it saves

# A job: the file, the sha256 its bytes must have, its format, and (a PDF) the size of
# its first page's preview.
Job = tuple[str, str, str, int, int]
# What a job gives: its renditions (name -> bytes), or why it failed (message, hint).
Made = dict[str, bytes] | tuple[Message, Message | None]


def names(file: MediaFile) -> list[str]:
    """``360.webp``, ``360.jpg``, ...: the renditions of ``file``."""
    return [f"{w}.{ext}" for w in pictures.widths(file.width) for ext in ("webp", "jpg")]


class PictureCache:
    """Renditions by picture, in the store if it keeps files, else in memory."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store if store is not None and store.enabled else None
        self._memory: dict[str, dict[str, bytes]] = {}
        self.made = 0  # pictures this build processed (not found in the cache)

    def key(self, file: MediaFile) -> str:
        maker = pdf.VERSION if file.format == "PDF" else ""
        text = f"{code_digest()}\0{file.sha256}\0{file.format}\0{file.width}x{file.height}"
        text += f"\0{pictures.fingerprint(file.sha256, maker)}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @staticmethod
    def _name(key: str, name: str) -> str:
        return f"pictures/{key[:2]}/{key}.{name}"

    def _has(self, file: MediaFile) -> bool:
        key = self.key(file)
        if self.store is None:
            return key in self._memory
        return all(self.store.has(self._name(key, n)) for n in names(file))

    def prepare(self, files: Iterable[MediaFile]) -> None:
        """Make the renditions of every picture of ``files`` that the cache lacks, on
        every core when there are several; BuildError (at the file) for a picture that
        cannot be decoded."""
        todo = {self.key(f): f for f in files if f.width and not self._has(f)}
        jobs: list[Job] = [_job(f) for f in todo.values()]
        errors: list[ContentError] = []

        def keep(chunk: list[Job], results: list[Made]) -> None:
            for (path, *_job_rest), made in zip(chunk, results, strict=True):
                if isinstance(made, tuple):
                    message, hint = made
                    errors.append(ContentError(Position(Path(path)), message, hint, ""))
                    continue
                self.made += 1
                file = next(f for f in todo.values() if str(f.path) == path)
                self._keep(self.key(file), made)

        on_all_cores(_make_chunk, jobs, keep, parallel_from=PARALLEL_FROM)
        if errors:
            raise BuildError(errors)

    def _keep(self, key: str, made: dict[str, bytes]) -> None:
        if self.store is None:
            self._memory[key] = made
            return
        for name, data in made.items():
            self.store.write_bytes(self._name(key, name), data)

    def rendition(self, file: MediaFile, name: str) -> bytes:
        """One rendition's bytes (``720.webp``): from the cache if it is one of ours and
        looks right, else made now."""
        key = self.key(file)
        width = int(name.split(".")[0])
        height = pictures.height_at(file.width, file.height, width)
        extension = name.split(".")[1]
        if self.store is None:
            data = self._memory.get(key, {}).get(name)
        else:
            data = self.store.read_bytes(self._name(key, name))
        if data is not None and pictures.plausible(data, extension, width, height):
            return data
        made = _make(_job(file))
        if isinstance(made, tuple):
            raise BuildError([ContentError(Position(file.path), made[0], made[1], "")])
        self._keep(key, made)
        return made[name]

    def save(self, files: Iterable[MediaFile]) -> None:
        """Keep only the renditions of ``files`` (what this build published)."""
        keys = sorted({self.key(f) for f in files if f.width})
        if self.store is None:
            self._memory = {k: v for k, v in self._memory.items() if k in keys}
            return
        kept = self.store.read_json(INDEX)
        old = kept if isinstance(kept, dict) else {}
        widths = {self.key(f): names(f) for f in files if f.width}
        for key, made in old.items():
            if key not in widths and isinstance(made, list) and _is_key(key):
                self.store.delete(*(self._name(key, str(n)) for n in made if _is_name(n)))
        if old != widths:
            self.store.write_json(INDEX, widths)


def _is_key(key: object) -> bool:
    return isinstance(key, str) and len(key) == 64 and all(c in "0123456789abcdef" for c in key)


def _is_name(name: object) -> bool:
    if not isinstance(name, str):
        return False
    width, _dot, extension = name.partition(".")
    return width.isdigit() and extension in pictures.EXTENSIONS


def _job(file: MediaFile) -> Job:
    return (str(file.path), file.sha256, file.format, file.width, file.height)


def _make(job: Job) -> Made:
    path, sha256, fmt, width, height = job
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as f:
            data = f.read()
    except OSError as exc:
        return (_("the picture cannot be read: {reason}", reason=str(exc.strerror)), None)
    if hashlib.sha256(data).hexdigest() != sha256:
        return (_("the picture changed while the site was being built"), _("build again"))
    try:
        if fmt == "PDF":  # its first page: drawn, then made small like any picture
            return pictures.renditions(pdf.first_page(data, width, height), "PNG")
        return pictures.renditions(data, fmt)
    except pictures.PictureError as exc:
        return (exc.message, exc.hint)
    except pdf.PdfiumError:  # it opened when checked: drawn once more, it failed
        return (_("the first page of the PDF cannot be drawn"), None)


def _make_chunk(chunk: list[Job]) -> list[Made]:
    return [_make(job) for job in chunk]
