"""PDF documents: their number of pages and a picture of their first page.

The only module that uses pypdfium2 (PDFium, the renderer of Chromium).  A document
is always published byte for byte; what this module reads of it is only shown beside
the link (``3 trang``, a preview), so a PDF PDFium cannot open is published all the
same, without them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2

VERSION = f"pypdfium2 {pypdfium2.version.PYPDFIUM_INFO}"  # in a preview's fingerprint
PdfiumError = pypdfium2.PdfiumError
PREVIEW_WIDTH = 720  # pixels: a preview is shown small, the document is one tap away


@dataclass(frozen=True, slots=True)
class Facts:
    pages: int
    width: int  # of the first page's preview, in pixels
    height: int


def facts(data: bytes) -> Facts | None:
    """The pages and the preview size of the PDF in ``data`` (its first page is not
    drawn); None when PDFium cannot open it (damaged, or locked with a password)."""
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return None
    try:
        pages = len(document)
        if pages < 1:
            return None
        width, height = document[0].get_size()
        if width <= 0 or height <= 0:
            return None
        shown = round(PREVIEW_WIDTH * min(3.0, height / width))  # a very long page: cut
        return Facts(pages, PREVIEW_WIDTH, max(1, shown))
    except (pypdfium2.PdfiumError, ValueError, IndexError):
        return None
    finally:
        document.close()


def first_page(data: bytes, width: int, height: int) -> bytes:
    """The first page drawn ``width`` pixels wide on white (cut at ``height``), as PNG."""
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        scale = width / page.get_size()[0]
        image = page.render(scale=scale, fill_color=(255, 255, 255, 255)).to_pil()
    finally:
        document.close()
    image = image.crop((0, 0, width, min(height, image.height)))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()
