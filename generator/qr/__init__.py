"""QR codes of page URLs, as SVG and PNG bytes (the only package that uses segno).

:func:`encode` (in :mod:`.encoder`) makes the code ``segno.make_qr(url, error=...,
boost_error=True)`` makes, ~50 times faster, from the standard's tables in
:mod:`.tables`; :mod:`.images` draws it as segno's writers would.  segno itself is used
only through its public API: :func:`make` is its own path, kept as the reference that
``tests/test_qr_fast.py`` compares every part with.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import segno

from generator.models import QrOptions
from generator.qr.encoder import DataOverflowError, Symbol, encode
from generator.qr.images import qr_png, qr_svg

__all__ = [
    "ENGINE",
    "DataOverflowError",
    "Images",
    "Symbol",
    "encode",
    "images_of",
    "make",
    "make_many",
    "qr_png",
    "qr_svg",
]


def make(url: str, options: QrOptions) -> segno.QRCode:
    """A full QR code (never Micro QR) at least at the configured error level, by segno."""
    code = segno.make_qr(url, error=options.error, boost_error=True)
    assert not code.is_micro
    return code


@dataclass(frozen=True, slots=True)
class Images:
    svg: bytes
    png: bytes
    version: int
    error: str  # the level used: the configured one, or higher when it cost no size


def images_of(url: str, options: QrOptions) -> Images:
    code = encode(url, options)
    return Images(qr_svg(code, options, url), qr_png(code, options), code.version, code.error)


def make_many(jobs: list[tuple[str, QrOptions]]) -> list[Images]:
    return [images_of(url, options) for url, options in jobs]


def _engine() -> str:
    """What the bytes of a code depend on: this package's code, and segno (for ``make``)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest() + "\n" + segno.__version__


# A change to any of it (a new PNG writer, say) must not reuse images made by the old one.
ENGINE = _engine()
