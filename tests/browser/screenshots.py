"""Screenshots of the sample site on a phone (360x640 CSS px, device scale 2) for the README.

Run from the repository root to refresh the committed ones:

    python -m tests.browser.screenshots      # writes docs/screenshots/home.png, place.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.browser.node import check_pages
from tests.conftest import EPOCH, ROOT, SAMPLE, build
from tests.served import serving

SHOTS = {"home.png": "", "place.png": "l/tram-y-te/"}


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
    return [folder / name for name in SHOTS]


def main() -> None:
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH  # the same day as the tests, so the same notices
    for path in take(ROOT / "docs" / "screenshots"):
        sys.stdout.write(f"{path.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
