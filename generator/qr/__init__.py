"""QR codes of page URLs, as SVG and PNG bytes (the only package that uses segno).

:func:`encode` (in :mod:`.encoder`) makes the code ``segno.make_qr(url, error=...,
boost_error=True)`` makes, ~50 times faster, from the standard's tables in
:mod:`.tables`; :mod:`.images` draws it as segno's writers would.  segno itself is used
only through its public API: :func:`make` is its own path, kept as the reference that
``tests/test_qr_fast.py`` compares every part with.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno

from generator.models import QrOptions
from generator.qr.encoder import DataOverflowError, Symbol, encode
from generator.qr.images import qr_png, qr_svg
from generator.qr.tables import data_codewords

__all__ = [
    "DataOverflowError",
    "Images",
    "Symbol",
    "byte_capacity",
    "encode",
    "images_of",
    "make",
    "make_many",
    "qr_png",
    "qr_svg",
]


def byte_capacity(level: str) -> int:
    """The most bytes a QR code holds in byte mode at ``level`` (version 40; ISO/IEC
    18004 Table 7): its data codewords less the mode indicator and the 16-bit count."""
    return (data_codewords(40, level.upper()) * 8 - 4 - 16) // 8


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
