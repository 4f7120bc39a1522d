"""Screenshots of the sample site on a phone (360x640 CSS px, device scale 2) for the README.

Run from the repository root to refresh the committed ones:

    python -m tests.browser.screenshots  # writes docs/screenshots/home.png, place.png, notice.png
                                         # and stats-report.png
    python -m tests.browser.screenshots stats   # only stats-report.png

``stats-report.png`` is the whole page of the HTML report ``bangtin stats --report`` writes,
from a made-up fortnight of scans of the sample site's boards (``sample_log``).

They are committed, so they are kept small: Chromium's PNG is redrawn with at most 256
colours (no dithering: the flat colours of a page and the shades of its text's edges
fit), less than half its size, and the same to the eye at the README's 270 px.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
from pathlib import Path

from PIL import Image

from tests.browser.node import check_pages
from tests.conftest import EPOCH, ROOT, SAMPLE, build
from tests.served import serving

# The first screen of each: the home page and a place's page under the storm banner, and
# a notice's page (the vaccination days) with the banner above it.
SHOTS = {"home.png": "", "place.png": "l/tram-y-te/", "notice.png": "n/lich-tiem-chung-thang-11/"}
COLOURS = 256


def compress(path: Path) -> None:
    """``path`` redrawn with at most ``COLOURS`` colours, as small as zlib makes it."""
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(COLOURS, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def take(folder: Path) -> list[Path]:
    """The sample site as of the tests' "now", first screen of each page in ``SHOTS``."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "output"
        build(SAMPLE, output)
        with serving(output) as base:
            pages = [{"url": base + path, "screenshot": str(folder / name)}
                     for name, path in SHOTS.items()]  # fmt: skip
            check_pages(pages)
    for name in SHOTS:
        compress(folder / name)
    return [folder / name for name in SHOTS]


PHONE = "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 Chrome/126.0 Mobile"
ZALO = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148 Zalo iOS/640"


def sample_log(path: Path) -> None:
    """A fortnight (15-28/11/2026) of scans of the sample's boards, some busier than
    others, a warning that drew people to the market, and some notices read."""
    rng = random.Random(23)
    weights = {"cho-dinh-hung": 9, "tram-y-te": 6, "ubnd-xa": 5, "nha-van-hoa-thon-1": 3,
               "truong-tieu-hoc": 2, "nha-van-hoa-thon-3": 1, "buu-dien": 0}  # fmt: skip
    lines = []
    for day in range(15, 29):
        for board, weight in weights.items():
            surge = 3 if board == "cho-dinh-hung" and day in (24, 25) else 1
            for _ in range(rng.randint(0, 4 * weight) * surge):
                # the report is made at noon on the 28th (the tests' now): nothing later
                when = dt.datetime(2026, 11, day, rng.randrange(0, 5 if day == 28 else 15),
                                   rng.randrange(60))  # fmt: skip
                ip = f"10.0.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                agent = rng.choice((PHONE, ZALO))
                lines.append(f'{ip} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "GET /l/{board}/ '
                             f'HTTP/1.1" 200 4096 "-" "{agent}"\n')  # fmt: skip
        for slug in ("lich-tiem-chung-thang-11", "canh-bao-ma-qr-gia"):
            for _ in range(rng.randint(0, 6)):
                lines.append(f'10.0.0.9 - - [{day}/Nov/2026:02:00:00 +0000] "GET /n/{slug}/ '
                             f'HTTP/1.1" 200 4096 "https://dinhhung.example/" "{PHONE}"\n')  # fmt: skip
    path.write_text("".join(lines), "utf-8")


def take_report(folder: Path) -> Path:
    """The HTML report of ``sample_log`` on a phone, the whole page."""
    from generator import api

    shot = folder / "stats-report.png"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "access.log"
        sample_log(log)
        found = api.stats(SAMPLE, [log])
        report = api.write_report(Path(tmp) / "report", found)
        with serving(report.parent) as base:
            check_pages([{"url": base, "screenshot": str(shot), "fullPage": True}])
    compress(shot)
    return shot


def main() -> None:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH  # the same day as the tests, so the same notices
    folder = ROOT / "docs" / "screenshots"
    shots = (
        [take_report(folder)] if sys.argv[1:] == ["stats"] else [*take(folder), take_report(folder)]
    )
    for path in shots:
        sys.stdout.write(f"{path.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
