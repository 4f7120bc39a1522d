"""Screenshots of the sample site on a phone (360x640 CSS px, device scale 2) for the README.

Run from the repository root to refresh the committed ones:

    python -m tests.browser.screenshots  # writes docs/screenshots/home.png, place.png, notice.png

They are committed, so they are kept small: Chromium's PNG is redrawn with at most 256
colours (no dithering: the flat colours of a page and the shades of its text's edges
fit), less than half its size, and the same to the eye at the README's 270 px.
"""

from __future__ import annotations

import os
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


def main() -> None:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH  # the same day as the tests, so the same notices
    for path in take(ROOT / "docs" / "screenshots"):
        sys.stdout.write(f"{path.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
