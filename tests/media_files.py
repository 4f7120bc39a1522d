"""Pictures and documents made by the project itself, for the tests and the sample site.

``python -m tests.media_files`` (re)writes the sample site's ``content/media/``: a phone
photo of a map (4000x3000 JPEG stored sideways, with EXIF orientation 6 and the GPS
position a phone records), a vaccination schedule (PNG), the market (JPEG), the
commune's emblem (PNG) and an official decision (a 2-page PDF).  Every picture is drawn
by Pillow from fixed numbers: the same bytes on every run with the same Pillow.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "content" / "media"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
# Where the "phone" was: a GPS position that must never reach output/.
GPS = {1: "N", 2: (19.0, 48.0, 36.5), 3: "E", 4: (105.0, 37.0, 12.25), 5: 0, 6: 12.0}
ORIENTATION = 0x0112
GPS_IFD = 0x8825


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = BOLD if bold else FONT
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def photo_like(width: int, height: int, seed: int = 1) -> Image.Image:
    """Smooth light and colour with fine grain, as a phone photo has (JPEG sizes like one)."""
    rng = random.Random(seed)
    small = Image.new("RGB", (16, 12))
    small.putdata(
        [
            (rng.randrange(60, 230), rng.randrange(60, 210), rng.randrange(40, 190))
            for _ in range(16 * 12)
        ]
    )
    image = small.resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 18).convert("RGB")
    return Image.blend(image, grain, 0.12).filter(ImageFilter.SMOOTH)


def with_exif(image: Image.Image, orientation: int = 1, gps: bool = True, **save: object) -> bytes:
    """JPEG bytes of ``image`` with an EXIF orientation and (``gps``) a GPS position."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Phone maker"
    exif[0x0110] = "Phone 12"
    if gps:
        exif[GPS_IFD] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=save.get("quality", 85))
    return out.getvalue()


def map_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A photo of a power-cut map, stored sideways as phones do (EXIF orientation 6: the
    stored pixels must be turned 90° clockwise to be seen upright).  Upright, the top
    left corner is red and the rest is not: the tests check the turn by that."""
    upright = photo_like(width, height, seed=7)
    draw = ImageDraw.Draw(upright)
    s = width / 4000
    draw.rectangle((0, 0, int(500 * s), int(500 * s)), fill=(220, 0, 0))
    draw.rectangle(
        (int(900 * s), int(700 * s), int(3300 * s), int(2500 * s)),
        outline=(20, 20, 20),
        width=int(18 * s) or 1,
    )
    draw.line(
        (int(900 * s), int(1600 * s), int(3300 * s), int(1600 * s)),
        fill=(250, 200, 0),
        width=int(40 * s) or 1,
    )
    draw.text(
        (int(950 * s), int(720 * s)),
        "Khu vực cắt điện - thôn 1, thôn 3",
        font=font(int(110 * s) or 8, True),
        fill=(10, 10, 10),
    )
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # turned back: what the sensor wrote
    return with_exif(stored, orientation=6)


def schedule_png() -> bytes:
    """A vaccination schedule photographed as a table (PNG)."""
    image = Image.new("RGB", (1200, 900), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.text(
        (40, 30), "Lịch tiêm chủng mở rộng tháng 11/2026", font=font(44, True), fill=(11, 61, 145)
    )
    rows = [
        ("Thôn", "Ngày", "Giờ"),
        ("Thôn 1", "12/11", "7:30"),
        ("Thôn 2", "13/11", "7:30"),
        ("Thôn 3", "14/11", "13:30"),
        ("Thôn 4", "15/11", "7:30"),
    ]
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            box = (40 + c * 370, 140 + r * 140, 40 + (c + 1) * 370, 140 + (r + 1) * 140)
            draw.rectangle(
                box, outline=(60, 60, 60), width=3, fill=(238, 242, 248) if r == 0 else None
            )
            draw.text((box[0] + 24, box[1] + 44), cell, font=font(40, r == 0), fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def emblem_png() -> bytes:
    """The commune's emblem: a red disc with a yellow star (transparent background)."""
    image = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 580, 580), fill=(200, 16, 46, 255))
    draw.regular_polygon((300, 300, 190), 5, rotation=0, fill=(255, 205, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def decision_pdf(pages: int = 2) -> bytes:
    """An official decision as a scanned-looking PDF of A4 pages (150 dpi)."""
    sheets = []
    for number in range(1, pages + 1):
        page = Image.new("RGB", (1240, 1754), (255, 255, 255))
        draw = ImageDraw.Draw(page)
        draw.text((90, 90), "UỶ BAN NHÂN DÂN XÃ ĐỊNH HƯNG", font=font(34, True), fill=(0, 0, 0))
        draw.text((90, 140), "Số: 123/QĐ-UBND", font=font(30), fill=(0, 0, 0))
        draw.text(
            (700, 90), "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=font(26, True), fill=(0, 0, 0)
        )
        draw.text((330, 300), "QUYẾT ĐỊNH", font=font(64, True), fill=(0, 0, 0))
        draw.text(
            (200, 400), "Về việc chi trả lương hưu tháng 12/2026", font=font(36), fill=(0, 0, 0)
        )
        for line in range(18):
            draw.line(
                (120, 520 + line * 60, 1120 - (line % 3) * 120, 520 + line * 60),
                fill=(90, 90, 90),
                width=4,
            )
        draw.text((1050, 1660), f"Trang {number}/{pages}", font=font(26), fill=(0, 0, 0))
        if number == pages:
            draw.ellipse((760, 1380, 1040, 1660), outline=(200, 0, 0), width=10)
        sheets.append(page)
    out = io.BytesIO()
    sheets[0].save(out, "PDF", save_all=True, append_images=sheets[1:], resolution=150.0)
    return out.getvalue()


def market_photo() -> bytes:
    return with_exif(photo_like(2400, 1600, seed=3), orientation=1, quality=82)


SAMPLE = {
    "2026-11/so-do-cat-dien.jpg": map_photo,
    "2026-11/lich-tiem-chung-thang-11.png": schedule_png,
    "cho-dinh-hung.jpg": market_photo,
    "bieu-trung-xa.png": emblem_png,
    "Quyết định 123-QĐ-UBND.pdf": decision_pdf,
}


def write_sample(folder: Path = MEDIA) -> None:
    for name, make in SAMPLE.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make())


if __name__ == "__main__":
    write_sample()
    for path in sorted(MEDIA.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
