"""QR codes of page URLs, as SVG and PNG bytes (the only module that uses segno)."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import struct
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import segno

from generator.models import QrOptions


def make(url: str, options: QrOptions) -> segno.QRCode:
    """A full QR code (never Micro QR) at least at the configured error level."""
    code = segno.make_qr(url, error=options.error, boost_error=True)
    assert not code.is_micro
    return code


def qr_svg(code: segno.QRCode, options: QrOptions, title: str) -> bytes:
    """A scalable SVG: one unit per module, sized by whoever shows it."""
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        border=options.border,
        dark=options.dark,
        light=options.light,
        xmldecl=False,
        omitsize=True,
        title=title,
        svgclass="qr",
        lineclass=None,
    )
    return out.getvalue() + b"\n"


def qr_png(code: segno.QRCode, options: QrOptions) -> bytes:
    """A 1-bit palette PNG of the code, pixel for pixel what segno's writer draws.

    Written here because segno's PNG writer costs ~4 ms a code and this ~0.2 ms:
    each module row is built once as a bit string and repeated ``scale`` times.
    """
    border, scale = options.border, options.scale
    width = (len(code.matrix) + 2 * border) * scale
    row_bytes = (width + 7) // 8
    pad = b"0" * (border * scale)
    tail = b"0" * (row_bytes * 8 - width)
    dark_bits, light_bits = b"1" * scale, b"0" * scale
    quiet = (b"\x00" + bytes(row_bytes)) * (border * scale)  # filter byte 0, then light
    rows = [quiet]
    for row in code.matrix:
        bits = bytes(row).replace(b"\x00", light_bits).replace(b"\x01", dark_bits)
        packed = int(pad + bits + pad + tail, 2).to_bytes(row_bytes, "big")
        rows.append((b"\x00" + packed) * scale)
    rows.append(quiet)
    header = struct.pack(">IIBBBBB", width, width, 1, 3, 0, 0, 0)  # 1 bit, palette
    palette = bytes.fromhex(options.light[1:] + options.dark[1:])
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"PLTE", palette)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@dataclass(frozen=True, slots=True)
class Images:
    svg: bytes
    png: bytes
    version: int
    error: str  # the level used: the configured one, or higher when it cost no size


def images_of(url: str, options: QrOptions) -> Images:
    code = make(url, options)
    return Images(qr_svg(code, options, url), qr_png(code, options), int(code.version), code.error)


def _make_many(jobs: list[tuple[str, QrOptions]]) -> list[Images]:
    return [images_of(url, options) for url, options in jobs]


# The bytes written for a code depend on this module's code too: a change to it
# (a new PNG writer, say) must not reuse images made by the old one.
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
PARALLEL_FROM = 64  # below this many new codes, starting worker processes costs more


class QrCache:
    """QR images by (URL, options): a URL's code never changes, so it is made once.

    With a ``folder`` the images also persist between builds, as plain files:
    ``qr/<k[:2]>/<k>.svg`` and ``.png`` plus ``qr/index.json`` (key -> version, level),
    where the key hashes the URL, the options, segno's version and this module's code, so an
    entry can never stand for different input.  Deleting the folder is always safe.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._images: dict[tuple[str, QrOptions], Images] = {}
        self.folder = folder / "qr" if folder is not None else None
        self._index: dict[str, list[object]] | None = None
        self._dirty = False
        self.made = 0  # codes made by this process, for reports

    @staticmethod
    def key(url: str, options: QrOptions) -> str:
        text = f"{_CODE}\n{segno.__version__}\n{url}\n{options!r}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _load_index(self) -> dict[str, list[object]]:
        if self._index is None:
            self._index = {}
            if self.folder is not None:
                try:
                    data = json.loads((self.folder / "index.json").read_text("utf-8"))
                    if isinstance(data, dict):
                        self._index = data
                except (OSError, ValueError):
                    pass  # no cache yet, or a damaged one: start afresh
        return self._index

    def _from_disk(self, url: str, options: QrOptions) -> Images | None:
        if self.folder is None:
            return None
        key = self.key(url, options)
        meta = self._load_index().get(key)
        if not (isinstance(meta, list) and len(meta) == 2):
            return None
        base = self.folder / key[:2] / key
        try:
            svg = base.with_suffix(".svg").read_bytes()
            png = base.with_suffix(".png").read_bytes()
        except OSError:
            return None
        return Images(svg, png, int(str(meta[0])), str(meta[1]))

    def _store(self, url: str, options: QrOptions, images: Images) -> None:
        self._images[(url, options)] = images
        if self.folder is None:
            return
        key = self.key(url, options)
        base = self.folder / key[:2] / key
        base.parent.mkdir(parents=True, exist_ok=True)
        for suffix, data in ((".svg", images.svg), (".png", images.png)):
            tmp = base.with_suffix(suffix + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, base.with_suffix(suffix))
        self._load_index()[key] = [images.version, images.error]
        self._dirty = True

    def get(self, url: str, options: QrOptions) -> Images:
        found = self._images.get((url, options))
        if found is None:
            found = self._from_disk(url, options)
            if found is None:
                found = images_of(url, options)
                self.made += 1
                self._store(url, options, found)
            else:
                self._images[(url, options)] = found
        return found

    def prepare(self, jobs: list[tuple[str, QrOptions]]) -> None:
        """Make every missing code, on all cores when there are many."""
        missing = []
        for url, options in dict.fromkeys(jobs):
            if (url, options) in self._images:
                continue
            found = self._from_disk(url, options)
            if found is None:
                missing.append((url, options))
            else:
                self._images[(url, options)] = found
        if len(missing) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
            made = _make_many(missing)
        else:
            workers = os.cpu_count() or 2
            size = -(-len(missing) // (workers * 4))  # a few chunks a worker evens the load
            chunks = [missing[i : i + size] for i in range(0, len(missing), size)]
            # spawn, not fork: the caller may have threads (bangtin serve)
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                made = [images for chunk in pool.map(_make_many, chunks) for images in chunk]
        for (url, options), images in zip(missing, made, strict=True):
            self._store(url, options, images)
        self.made += len(missing)

    def save(self) -> None:
        """Write the index, if anything was added (atomically)."""
        if self.folder is None or not self._dirty:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / "index.json.tmp"
        tmp.write_text(json.dumps(self._load_index(), sort_keys=True), "utf-8")
        os.replace(tmp, self.folder / "index.json")
        self._dirty = False

    def images(self, url: str, options: QrOptions) -> tuple[bytes, bytes]:
        """The SVG and PNG bytes of ``url``'s code."""
        found = self.get(url, options)
        return found.svg, found.png


def version_of(url: str, options: QrOptions, cache: QrCache) -> tuple[int, str]:
    """The QR version and error level of ``url``'s code."""
    found = cache.get(url, options)
    return found.version, found.error
