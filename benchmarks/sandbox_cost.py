"""What Jinja's sandbox costs: ``bangtin check`` (every page rendered, nothing written)
on a generated site, with templates in ``SandboxedEnvironment`` (as shipped) and, for
comparison only, in a plain ``jinja2.Environment``, alternating, median of the runs.

    python benchmarks/sandbox_cost.py --notices 2000 --places 200 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1795842000"  # 28/11/2026 noon in Hà Nội, as the other benchmarks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--places", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    sys.path.insert(0, str(ROOT))
    from generator import api
    from generator.render import templates

    with tempfile.TemporaryDirectory(prefix="bangtin-sandbox-") as work:
        content = Path(work) / "content"
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "corpus.py"), work,
             "--notices", str(args.notices), "--places", str(args.places)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        times: dict[str, list[float]] = {"sandboxed": [], "plain": []}
        bases = {"sandboxed": (SandboxedEnvironment,), "plain": (jinja2.Environment,)}
        api.check(api.Options(content))  # warm the file cache and imports
        for _ in range(args.runs):
            for name, base in bases.items():
                templates._Environment.__bases__ = base  # for this comparison only
                started = time.perf_counter()
                result = api.check(api.Options(content))
                times[name].append(time.perf_counter() - started)
        templates._Environment.__bases__ = bases["sandboxed"]
    sandboxed, plain = (statistics.median(times[k]) for k in ("sandboxed", "plain"))
    print(f"{result.pages} pages, {args.runs} runs each, `bangtin check` (every page rendered)")
    print(f"  sandboxed: {sandboxed:.2f} s   plain: {plain:.2f} s   "
          f"cost: {sandboxed - plain:+.2f} s ({(sandboxed / plain - 1) * 100:+.1f} %)")  # fmt: skip


if __name__ == "__main__":
    main()
