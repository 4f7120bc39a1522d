"""QR images kept between builds: a URL's code never changes, so it is made once."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from generator.cache.store import Store
from generator.models import QrOptions
from generator.qr import ENGINE, Images, images_of, make_many

INDEX = "qr/index.json"
PARALLEL_FROM = 64  # below this many new codes, starting worker processes costs more


class QrCache:
    """QR images by (URL, options): in memory, or with a ``folder`` on disk only.

    In the store they are plain files: ``qr/<k[:2]>/<k>.svg`` and ``.png`` plus
    ``qr/index.json`` (key -> version, level), where the key hashes the URL, the
    options, segno's version and the code of generator/qr, so an entry can never stand for other
    input.  Images are read from disk only when a file needs them: an update build
    that keeps a page's code never opens it.  Deleting the folder is always safe.
    """

    def __init__(self, store: Store | None = None) -> None:
        self._images: dict[tuple[str, QrOptions], Images] = {}
        self.store = store if store is not None and store.enabled else None
        self._index: dict[str, list[object]] | None = None
        self._dirty = False
        self.made = 0  # codes made by this process, for reports

    @staticmethod
    def key(url: str, options: QrOptions) -> str:
        text = f"{ENGINE}\n{url}\n{options!r}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _load_index(self) -> dict[str, list[object]]:
        if self._index is None:
            self._index = {}
            if self.store is not None:
                data = self.store.read_json(INDEX)
                if isinstance(data, dict):  # else no cache yet, or a damaged one
                    self._index = data
        return self._index

    def _meta(self, key: str) -> tuple[int, str] | None:
        meta = self._load_index().get(key) if self.store is not None else None
        if not (isinstance(meta, list) and len(meta) == 2):
            return None
        version, error = meta
        if not (isinstance(version, int) and isinstance(error, str)):
            return None
        return version, error

    def _from_disk(self, url: str, options: QrOptions) -> Images | None:
        key = self.key(url, options)
        meta = self._meta(key)
        if meta is None or self.store is None:
            return None
        svg = self.store.read_bytes(_name(key, ".svg"))
        png = self.store.read_bytes(_name(key, ".png"))
        if svg is None or png is None:
            return None
        return Images(svg, png, *meta)

    def _store(self, url: str, options: QrOptions, images: Images) -> None:
        if self.store is None:
            self._images[(url, options)] = images  # the only place they are kept
            return
        key = self.key(url, options)
        self.store.write_bytes(_name(key, ".svg"), images.svg)
        self.store.write_bytes(_name(key, ".png"), images.png)
        self._load_index()[key] = [images.version, images.error]
        self._dirty = True

    def get(self, url: str, options: QrOptions) -> Images:
        found = self._images.get((url, options))
        if found is None:
            found = self._from_disk(url, options)  # not kept in memory: read when needed
            if found is None:
                found = images_of(url, options)
                self.made += 1
                self._store(url, options, found)
        return found

    def prepare(self, jobs: list[tuple[str, QrOptions]]) -> None:
        """Make every code that is neither in memory nor on disk, on all cores when many."""
        missing = [
            (url, options)
            for url, options in dict.fromkeys(jobs)
            if (url, options) not in self._images and self._meta(self.key(url, options)) is None
        ]
        if len(missing) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
            for (url, options), images in zip(missing, make_many(missing), strict=True):
                self._store(url, options, images)
        else:
            self._make_on_all_cores(missing, os.cpu_count() or 2)
        self.made += len(missing)

    def _make_on_all_cores(self, missing: list[tuple[str, QrOptions]], cores: int) -> None:
        """Worker processes for all cores but one, and this process on that one.

        One worker fewer to hold in memory (each imports segno and the encoder's tables).
        Chunks go to workers as they finish; this process makes the next chunk whenever
        no worker result is waiting, so the load evens out.  Images are stored chunk by
        chunk, never all in memory at once.
        """
        size = min(256, -(-len(missing) // (cores * 4)))
        chunks = deque(missing[i : i + size] for i in range(0, len(missing), size))
        # spawn, not fork: the caller may have threads (bangtin serve)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(cores - 1, mp_context=context) as pool:
            running: dict[Future[list[Images]], list[tuple[str, QrOptions]]] = {}
            while chunks or running:
                while chunks and len(running) < 2 * (cores - 1):
                    chunk = chunks.popleft()
                    running[pool.submit(make_many, chunk)] = chunk
                done = [future for future in running if future.done()]
                if not done and chunks:
                    chunk = chunks.popleft()  # nothing back yet: make a chunk here
                    self._store_all(chunk, make_many(chunk))
                    continue
                if not done:
                    done = list(wait(running, return_when=FIRST_COMPLETED).done)
                for future in done:
                    self._store_all(running.pop(future), future.result())

    def _store_all(self, jobs: list[tuple[str, QrOptions]], made: list[Images]) -> None:
        for (url, options), images in zip(jobs, made, strict=True):
            self._store(url, options, images)

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
        """One image of ``url``'s code: ``.svg`` or ``.png`` (reads only that file)."""
        found = self._images.get((url, options))
        if found is None and self.store is not None:
            key = self.key(url, options)
            if self._meta(key) is not None:
                data = self.store.read_bytes(_name(key, suffix))
                if data is not None:
                    return data  # else gone: made again below
        svg, png = self.images(url, options)
        return svg if suffix == ".svg" else png

    def version(self, url: str, options: QrOptions) -> tuple[int, str]:
        """The QR version and error level of ``url``'s code (from the index if on disk)."""
        found = self._images.get((url, options))
        if found is not None:
            return found.version, found.error
        meta = self._meta(self.key(url, options))
        if meta is not None:
            return meta
        found = self.get(url, options)
        return found.version, found.error


def _name(key: str, suffix: str) -> str:
    return f"qr/{key[:2]}/{key}{suffix}"
