"""Pictures made light for phones: the only module that uses Pillow.

``probe`` reads a picture's header only (format, size, EXIF orientation), never its
pixels, so that a decompression bomb is refused before it is decoded.  ``renditions``
decodes a checked picture once and makes each width as WebP and JPEG, with the EXIF
orientation applied and no metadata at all (a phone photo's EXIF holds the GPS position
of where it was taken: often the editor's home).  ``plausible`` checks a rendition read
back from the cache without decoding it.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import PIL
from PIL import Image, ImageOps, UnidentifiedImageError

from generator.i18n import Message, _

# The widths made of each picture (never wider than the picture itself): a small phone,
# a common phone at 2x, a laptop; the largest is also what "Xem ảnh lớn" opens.
WIDTHS = (360, 720, 1280)
# More pixels than any photo a commune posts (a 108 MP phone is 12000x9000): a larger
# picture is refused before it is decoded (a few bytes of PNG can claim 100,000^2 pixels).
MAX_PIXELS = 64_000_000
FORMATS = ("JPEG", "PNG", "WEBP")
WEBP_QUALITY = 72
JPEG_QUALITY = 76
# Everything that decides the bytes of a rendition besides the source and Pillow: a
# change here changes every rendition's name (its fingerprint), as it must.
OPTIONS = f"v1 widths={WIDTHS} webp=q{WEBP_QUALITY}m4 jpeg=q{JPEG_QUALITY}p lanczos white"
EXTENSIONS = {"webp": "WEBP", "jpg": "JPEG"}
_ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height


class PictureError(ValueError):
    """Why a picture cannot be used; ``hint`` says what to do."""

    def __init__(self, message: Message, hint: Message | None = None) -> None:
        super().__init__(message)  # put into words only if shown
        self.message, self.hint = message, hint


@dataclass(frozen=True, slots=True)
class Probe:
    format: str  # one of FORMATS
    width: int  # as shown: EXIF orientation applied
    height: int


def _open(data: bytes, formats: tuple[str, ...]) -> Image.Image:
    """The picture's header, parsed (pixels are decoded only on ``load``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(io.BytesIO(data), formats=list(formats))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_large() from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise PictureError(
                _("the picture cannot be read (damaged, or not the format its name says)"),
                _("open it in a photo app and save it again as JPEG or PNG"),
            ) from exc


def _too_large() -> PictureError:
    return PictureError(
        _(
            "the picture has too many pixels (more than {millions} million)",
            millions=MAX_PIXELS // 1_000_000,
        ),
        _("resize it to at most 4000 pixels wide in a photo app"),
    )


def probe(data: bytes, expected: str) -> Probe:
    """Format and shown size of the picture in ``data``, read from its header only;
    PictureError when it is not a ``expected`` picture or has too many pixels."""
    image = _open(data, (expected,))
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise _too_large()
    try:
        orientation = image.getexif().get(0x0112, 1)
    except (OSError, SyntaxError, ValueError):  # a damaged EXIF block: shown as stored
        orientation = 1
    if orientation in _ROTATED:
        width, height = height, width
    return Probe(str(image.format), width, height)


def widths(width: int) -> tuple[int, ...]:
    """The widths made of a picture ``width`` pixels wide: never upscaled."""
    return tuple(sorted({min(w, width) for w in WIDTHS}))


def height_at(width: int, height: int, target: int) -> int:
    return max(1, round(height * target / width))


def renditions(data: bytes, expected: str) -> dict[str, bytes]:
    """Every rendition of the picture: ``"<width>.webp"`` and ``"<width>.jpg"`` -> bytes.

    Orientation applied, metadata dropped (no EXIF, GPS, XMP, ICC profile, text chunk),
    resized with Lanczos, transparency kept in WebP and put on white in JPEG.
    """
    shown = probe(data, expected)  # checked again: the pixel limit holds here too
    image = _open(data, (expected,))
    largest = max(widths(shown.width))
    if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale when that is enough
        scale = largest / shown.width
        image.draft("RGB", (int(image.width * scale) + 1, int(image.height * scale) + 1))
    try:
        image.load()
        image = ImageOps.exif_transpose(image) or image
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PictureError(
            _("the picture cannot be decoded (the file is damaged or cut short)"),
            _("open it in a photo app and save it again"),
        ) from exc
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if alpha else "RGB")
    out: dict[str, bytes] = {}
    for width in widths(shown.width):
        size = (width, height_at(shown.width, shown.height, width))
        small = image.resize(size, Image.Resampling.LANCZOS) if size != image.size else image
        small.info = {}  # nothing of the source's metadata goes along
        webp = io.BytesIO()
        small.save(webp, "WEBP", quality=WEBP_QUALITY, method=4, exif=b"", icc_profile=None)
        out[f"{width}.webp"] = webp.getvalue()
        flat = small
        if alpha:
            flat = Image.new("RGB", small.size, (255, 255, 255))
            flat.paste(small, mask=small.getchannel("A"))
        jpeg = io.BytesIO()
        flat.save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        out[f"{width}.jpg"] = jpeg.getvalue()
    return out


def plausible(data: bytes, extension: str, width: int, height: int) -> bool:
    """Whether ``data`` is a rendition as ``renditions`` makes them: the format and size
    asked for, and no metadata (read from the header only: cheap)."""
    fmt = EXTENSIONS.get(extension)
    if fmt is None:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
            kept = set(image.info) & {"exif", "icc_profile", "xmp", "XML:com.adobe.xmp"}
            return image.size == (width, height) and not kept and not image.getexif()
    except Exception:  # anything at all: not a rendition of ours, made again
        return False


def fingerprint(sha256: str, maker: str = "") -> str:
    """What a rendition's name carries: its source's bytes, the options and Pillow's
    version (``maker``: what drew the source, e.g. a PDF's renderer), digested.  Same
    name, same bytes: browsers may keep it for a year."""
    text = f"{sha256}\0{OPTIONS}\0{PIL.__version__}\0{maker}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
