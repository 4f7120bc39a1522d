"""QR codes of a build: made by this process, with only their size kept between builds.

The images themselves are never read from disk: a code read from a cache could encode
another domain, and checking one costs what making it costs (encoding, then drawing the
SVG and PNG: ~1 ms).  What is kept in the store is the index the boards' sizing reads
on every build (URL and options -> QR version and error level), signed like every
store file; an entry that is missing, unsigned or malformed is worked out again.
"""

from __future__ import annotations

import hashlib

from generator.cache.store import Store
from generator.inputs.scan import code_digest
from generator.models import QrOptions
from generator.parallel import on_all_cores
from generator.qr import Images, encode, images_of, make_many

INDEX = "qr/index.json"
LEVELS = frozenset("LMQH")


class QrCache:
    """QR images by (URL, options), in memory for as long as this object lives (a build,
    or ``bangtin serve`` between its builds); with a ``store``, the index of versions."""

    def __init__(self, store: Store | None = None) -> None:
        self._images: dict[tuple[str, QrOptions], Images] = {}
        self.store = store if store is not None and store.enabled else None
        self._index: dict[str, list[object]] | None = None
        self._dirty = False
        self.made = 0  # codes made by this process, for reports

    @staticmethod
    def key(url: str, options: QrOptions) -> str:
        text = f"{code_digest()}\n{url}\n{options!r}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _load_index(self) -> dict[str, list[object]]:
        if self._index is None:
            self._index = {}
            if self.store is not None:
                data = self.store.read_json(INDEX)
                if isinstance(data, dict):  # else no cache yet, or one not trusted
                    self._index = data
        return self._index

    def _meta(self, key: str) -> tuple[int, str] | None:
        meta = self._load_index().get(key) if self.store is not None else None
        if not (isinstance(meta, list) and len(meta) == 2):
            return None
        version, error = meta
        if not (type(version) is int and 1 <= version <= 40 and error in LEVELS):
            return None
        assert isinstance(error, str)
        return version, error

    def _keep(self, url: str, options: QrOptions, images: Images) -> None:
        self._images[(url, options)] = images
        if self.store is not None:
            self._load_index()[self.key(url, options)] = [images.version, images.error]
            self._dirty = True

    def get(self, url: str, options: QrOptions) -> Images:
        found = self._images.get((url, options))
        if found is None:
            found = images_of(url, options)
            self.made += 1
            self._keep(url, options, found)
        return found

    def prepare(self, jobs: list[tuple[str, QrOptions]], images: bool) -> None:
        """Make, on all cores when many, the codes this build will need: every code not
        in memory when ``images`` (a build that writes every page), else only those whose
        size is not known yet."""
        missing = [
            (url, options)
            for url, options in dict.fromkeys(jobs)
            if (url, options) not in self._images
            and (images or self._meta(self.key(url, options)) is None)
        ]
        on_all_cores(make_many, missing, self._keep_all)
        self.made += len(missing)

    def _keep_all(self, jobs: list[tuple[str, QrOptions]], made: list[Images]) -> None:
        for (url, options), images in zip(jobs, made, strict=True):
            self._keep(url, options, images)

    def save(self) -> None:
        """Write the index, if anything was added (atomically)."""
        if self.store is None or not self._dirty:
            return
        self.store.write_json(INDEX, self._load_index(), sort_keys=True)
        self._dirty = False

    def images(self, url: str, options: QrOptions) -> tuple[bytes, bytes]:
        """The SVG and PNG bytes of ``url``'s code."""
        found = self.get(url, options)
        return found.svg, found.png

    def image(self, url: str, options: QrOptions, suffix: str) -> bytes:
        """One image of ``url``'s code: ``.svg`` or ``.png``."""
        svg, png = self.images(url, options)
        return svg if suffix == ".svg" else png

    def version(self, url: str, options: QrOptions) -> tuple[int, str]:
        """The QR version and error level of ``url``'s code (from the index if known)."""
        found = self._images.get((url, options))
        if found is not None:
            return found.version, found.error
        meta = self._meta(self.key(url, options))
        if meta is not None:
            return meta
        code = encode(url, options)  # the size only: no drawing
        if self.store is not None:
            self._load_index()[self.key(url, options)] = [code.version, code.error]
            self._dirty = True
        return code.version, code.error
