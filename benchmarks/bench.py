"""Time ``bangtin build`` on a generated corpus.

    python benchmarks/bench.py --notices 300 --places 30 [--runs 3] [--seed 0] [--keep DIR]

Each run is a cold build: a new ``python -m generator build`` process writing into a fresh,
empty output folder (so Python start-up and imports are included; the OS file cache is
warm after the first run).  Peak RSS is that build process's own ``ru_maxrss``, read with
``os.wait4()`` when it is reaped.  (``getrusage(RUSAGE_CHILDREN)`` in this process would
be a high-water mark over *all* children so far, so runs 2 and 3 could only repeat the
largest earlier value.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import generate

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
EPOCH = str(int(NOW.timestamp()))
MIB = 1024 * 1024


@dataclass(frozen=True)
class Run:
    seconds: float
    max_rss_kib: int  # Linux: ru_maxrss is in KiB
    pages: int
    files: int
    bytes: int


def count_output(output: Path) -> tuple[int, int, int]:
    """Pages (entries in qr-manifest.json), files and bytes under ``output``."""
    import json

    manifest = json.loads((output / "qr-manifest.json").read_text("utf-8"))
    files = [p for p in output.rglob("*") if p.is_file()]
    return len(manifest["pages"]), len(files), sum(p.stat().st_size for p in files)


def build_once(content: Path, output: Path, log: Path) -> Run:
    """One build in a new process; wall time and that process's peak RSS."""
    if output.exists():
        shutil.rmtree(output)
    cmd = [
        sys.executable, "-m", "generator", "build",
        "--content", str(content), "--output", str(output),
    ]  # fmt: skip
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if proc.returncode != 0:
        sys.stderr.write(log.read_text("utf-8", errors="replace"))
        raise SystemExit(f"build failed with exit code {proc.returncode}: {' '.join(cmd)}")
    pages, files, size = count_output(output)
    return Run(seconds, usage.ru_maxrss, pages, files, size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=300)
    parser.add_argument("--places", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="write corpus and output here and keep them"
    )
    args = parser.parse_args(argv)
    if sys.platform != "linux":
        print("note: ru_maxrss units differ outside Linux (bytes on macOS)", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="bangtin-bench-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        content = generate(work, args.notices, args.places, args.seed)
        generated = time.perf_counter() - started

        runs: list[Run] = []
        for i in range(args.runs):
            runs.append(build_once(content, work / "output", work / f"build-{i + 1}.log"))
        if len({(r.pages, r.files, r.bytes) for r in runs}) != 1:
            print("warning: the runs wrote different outputs", file=sys.stderr)

        last = runs[-1]
        secs = [r.seconds for r in runs]
        rss = [r.max_rss_kib / 1024 for r in runs]
        print(
            f"bangtin build: {args.notices} notices, {args.places} places, seed {args.seed} "
            f"(corpus written in {generated:.2f} s)"
        )
        print(
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"SOURCE_DATE_EPOCH={EPOCH} ({NOW.isoformat(timespec='minutes')})"
        )
        print(
            f"{args.runs} runs, each `{Path(sys.executable).name} -m generator build` in a new "
            "process into an empty output folder (wall time includes interpreter start-up)"
        )
        print("peak RSS: ru_maxrss of each build process alone, from os.wait4(); MiB = 2^20 bytes")
        print()
        header = (
            f"{'pages':>6} {'files':>6} {'output MiB':>10} {'wall s min':>10} "
            f"{'wall s median':>13} {'peak RSS MiB':>12}"
        )
        print(header)
        print(
            f"{last.pages:>6} {last.files:>6} {last.bytes / MIB:>10.2f} {min(secs):>10.2f} "
            f"{statistics.median(secs):>13.2f} {max(rss):>12.1f}"
        )
        print()
        print(
            "per run: "
            + ", ".join(f"{s:.2f} s / {m:.1f} MiB" for s, m in zip(secs, rss, strict=True))
        )
        if args.keep:
            print(f"kept: {content} and {work / 'output'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
