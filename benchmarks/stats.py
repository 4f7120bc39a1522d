"""Time ``bangtin stats`` on a generated month of access logs: lines per second, peak memory.

    python -m benchmarks.stats [--lines 5000000] [--files 8] [--seed 0] [--keep DIR]

Writes ``--lines`` lines of nginx "combined" log for the sample site (``content/``) over
30 days, split like a rotated log: ``access.log`` and ``access.log.1`` plain, the older
files gzipped (``access.log.2.gz`` …), then runs ``python -m generator stats`` on them,
named newest first (as a shell glob lists them: the wrong order), as a new process with
``--format csv``.  The mix of lines (see ``MIX``) is a busy site's: pictures and the
stylesheet, boards scanned (with a phone's browser, Zalo's in-app browser), pages
opened from other pages (a referrer), notices, crawlers, link previews, 404s, HEAD
requests, and 0.1 % of lines cut short or garbage.  Prints the log's size, the wall time,
lines per second and the peak RSS of the stats process (``ru_maxrss`` from ``os.wait4``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.stats.targets import load_targets  # noqa: E402

SAMPLE = ROOT / "content"
START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.71 Mobile Safari/537.36"
)
ZALO = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 Zalo iOS/640 ZaloTheme/light ZaloLanguage/vn"
)
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
PREVIEW = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
# What share of the lines each kind of request is (the rest: other pages, opened by link).
MIX = {
    "asset": 0.42,
    "scan": 0.12,
    "zalo scan": 0.06,
    "board by link": 0.06,
    "notice": 0.10,
    "crawler": 0.06,
    "preview": 0.02,
    "404": 0.04,
    "head": 0.02,
    "bad": 0.001,
}
ASSETS = ["/assets/style.3f9a1c2b.css", "/m/2026-11/so-do.9d572a7df1.720.webp", "/favicon.ico"]


def line(rng: random.Random, when: dt.datetime, boards: list[str], notices: list[str]) -> str:
    """One log line of a kind drawn from ``MIX``."""
    r = rng.random()
    kind = "page"
    for name, share in MIX.items():
        if r < share:
            kind = name
            break
        r -= share
    ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    stamp = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    method, status, referer, agent = "GET", 200, "-", PHONE
    if kind == "bad":
        return f'{ip} - - [{stamp}] "GET /l/cut'
    if kind == "asset":
        path, referer = rng.choice(ASSETS), "https://dinhhung.example/"
    elif kind in ("scan", "zalo scan"):
        path = rng.choice(boards)
        agent = ZALO if kind == "zalo scan" else PHONE
        status = 304 if rng.random() < 0.1 else 200
    elif kind == "board by link":
        path, referer = rng.choice(boards), "https://dinhhung.example/"
    elif kind == "notice":
        path, referer = rng.choice(notices), "https://dinhhung.example/"
    elif kind == "crawler":
        path, agent = rng.choice(boards + notices), CRAWLER
    elif kind == "preview":
        path, agent = rng.choice(notices), PREVIEW
    elif kind == "404":
        path, status = f"/wp-login.php?x={rng.randrange(1000)}", 404
    elif kind == "head":
        path, method = rng.choice(boards), "HEAD"
    else:
        path, referer = rng.choice(["/", "/luu-tru/", "/verify/", "/t/y-te/"]), "-"
    return f'{ip} - - [{stamp}] "{method} {path} HTTP/1.1" {status} 5120 "{referer}" "{agent}"'


def write_logs(folder: Path, lines: int, files: int, seed: int) -> list[Path]:
    """``lines`` lines over 30 days in ``files`` rotated files, newest first."""
    targets = load_targets(SAMPLE)
    boards = [b.path for b in targets.boards]
    notices = [n.path for n in targets.notices]
    rng = random.Random(seed)
    per_file = lines // files
    seconds = 30 * 86400 / lines
    paths: list[Path] = []
    for index in range(files):  # the oldest first: access.log.<files-1>(.gz)
        number = files - 1 - index
        name = "access.log" + (f".{number}" if number else "") + (".gz" if number >= 2 else "")
        path = folder / name
        opener = gzip.open if number >= 2 else open
        with opener(path, "wt", encoding="utf-8") as out:  # type: ignore[operator]
            chunk: list[str] = []
            for i in range(per_file):
                when = START + dt.timedelta(seconds=(index * per_file + i) * seconds)
                chunk.append(line(rng, when, boards, notices))
                if len(chunk) == 10000:
                    out.write("\n".join(chunk) + "\n")
                    chunk = []
            if chunk:
                out.write("\n".join(chunk) + "\n")
        paths.append(path)
    return paths[::-1]  # newest first, as `ls -t` or a glob in reverse would give them


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the logs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        logs = write_logs(work, args.lines, args.files, args.seed)
        made = time.perf_counter() - started
        size = sum(p.stat().st_size for p in logs)
        command = [sys.executable, "-m", "generator", "stats", *map(str, logs)]
        command += ["--content", str(SAMPLE), "--format", "csv", "--lang", "en"]
        started = time.perf_counter()
        with open(work / "stats.csv", "wb") as out, open(work / "stats.err", "wb") as err:
            proc = subprocess.Popen(command, stdout=out, stderr=err, cwd=ROOT)
            _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit((work / "stats.err").read_text("utf-8"))
        rows = (work / "stats.csv").read_text("utf-8").splitlines()
        scans = sum(int(r.split(",")[2]) for r in rows[1:])
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
        print(f"log: {args.lines:,} lines in {len(logs)} files ({size / 1e6:.0f} MB on disk, "
              f"{len(logs) - 2} gzipped), written in {made:.1f} s")  # fmt: skip
        print(f"bangtin stats: {wall:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s CPU")
        print(f"lines per second: {args.lines / wall:,.0f}")
        print(f"peak RSS: {usage.ru_maxrss / 1024:.1f} MiB")
        print(f"rows: {len(rows) - 1}, scans counted: {scans:,}")
        print((work / "stats.err").read_text("utf-8").strip())


if __name__ == "__main__":
    main()
