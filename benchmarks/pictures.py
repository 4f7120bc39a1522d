"""Pictures per second: phone photos made into every rendition a page uses.

    python benchmarks/pictures.py --photos 12

Writes photo-like 4000x3000 JPEGs with EXIF orientation and GPS (as a phone saves
them), then times ``generator.media.pictures.renditions`` on each in this process (one
core: what a build does per picture), and prints pictures per second and the bytes of
each rendition.  The build spreads pictures over all cores from 6 on.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_all(chunk: list[bytes]) -> list[int]:
    """The renditions of each photo of ``chunk`` (in a worker): their total bytes."""
    from generator.media.pictures import renditions

    return [sum(map(len, renditions(data, "jpeg").values())) for data in chunk]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=12)
    args = parser.parse_args()
    from generator.media.pictures import renditions
    from generator.parallel import cores, on_all_cores
    from tests.media_files import photo_like, with_exif

    photos = [
        with_exif(photo_like(4000, 3000, seed=i), orientation=1 + i % 8, quality=90)
        for i in range(args.photos)
    ]
    seconds, sizes = [], {}
    for data in photos:
        started = time.perf_counter()
        made = renditions(data, "jpeg")
        seconds.append(time.perf_counter() - started)
        sizes = {name: len(body) for name, body in made.items()}
    total = sum(seconds)
    print(
        f"{len(photos)} photos 4000x3000 (~{statistics.mean(map(len, photos)) / 1e6:.1f} MB each)"
    )
    print(f"  {len(photos) / total:.2f} pictures/s on one core "
          f"(median {statistics.median(seconds):.2f} s a picture)")  # fmt: skip
    print("  renditions of the last:", ", ".join(f"{n} {b:,} B" for n, b in sorted(sizes.items())))
    made: list[int] = []
    started = time.perf_counter()  # as a build makes them: on all cores, workers included
    on_all_cores(make_all, photos, lambda _, results: made.extend(results), parallel_from=2)
    spread = time.perf_counter() - started
    print(f"  on all {cores()} cores (worker start included): {len(made) / spread:.2f} pictures/s "
          f"({spread:.2f} s against {total:.2f} s on one)")  # fmt: skip


if __name__ == "__main__":
    main()
