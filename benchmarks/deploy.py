"""Time ``bangtin deploy`` of a large site to a local S3-compatible server (moto).

    python -m benchmarks.deploy [--notices 10000] [--places 1000] [--seed 0] [--keep DIR]

The corpus (``benchmarks/corpus.py``) gets a ``deploy:`` target in its ``site.yml`` (a
bucket on a moto server this benchmark starts on 127.0.0.1, ``python -m moto.server``)
and is built once with ``python -m generator build`` (``SOURCE_DATE_EPOCH`` at the
corpus's "now", the cache in ``<work>/.bangtin-cache``).  Then, in this order:

* first deploy: an empty bucket, every file uploaded;
* unchanged, with the record: nothing changed; the deploy's record in the bucket
  (``.bangtin/deploy.json``) says what each listed object holds;
* unchanged, without the record: the same, asking each object's metadata (a HEAD
  request per object), as a deploy must when the record is missing or not trusted;
* edit 1 notice, with the record: a sentence appended to one published notice, the
  site rebuilt (not timed here), then deployed;
* edit 1 notice, without the record: another notice, the same;
* unchanged, as a command: ``python -m generator deploy`` as a new process (start-up,
  imports and the output folder's check and hashing included).

The deploys but the last run in this process through ``generator.deploy.publish`` on the
checked, hashed folder (``generator.deploy.local.site_folder``); "hash s" is that part,
"deploy s" the whole (hashing included).  "compared" is the objects the site has,
"asked" those whose content had to be asked for one by one, "uploaded"/"deleted" what
was sent.  moto keeps objects in memory and answers from one Python process: a real
storage service is slower per request (a network away) and faster in parallel, so the
figures compare the two ways of knowing an object, not providers.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import generator  # noqa: E402
from benchmarks.bench import Bangtin, edit_notice, timed  # noqa: E402
from benchmarks.corpus import NOW, generate, load_description  # noqa: E402
from tests.s3proxy import moto_server  # noqa: E402

EPOCH = str(int(NOW.timestamp()))
BUCKET = "bangtin-bench"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    compared: int
    asked: int
    uploaded: int
    deleted: int
    hash_seconds: float | None
    seconds: float


def deploy_here(site: Bangtin, name: str, use_record: bool) -> Row:
    """One deploy in this process, timed whole (the folder's check and hashing too)."""
    from generator.deploy.local import site_folder
    from generator.deploy.publish import publish
    from generator.inputs.config import load_config
    from generator.render.headers import cache_control

    config = load_config(site.content)
    assert config.deploy is not None
    started = time.perf_counter()
    folder = site_folder(site.output, config.keep, lambda path: cache_control(config, path))
    hashed = time.perf_counter() - started
    report = publish(folder, config.deploy, use_record=use_record)
    seconds = time.perf_counter() - started
    plan = report.plan
    return Row(
        name,
        plan.compared,
        report.asked,
        len(plan.uploads),
        len(plan.deletes),
        hashed,
        seconds,
    )


def deploy_command(site: Bangtin, env: dict[str, str], log: Path) -> Row:
    cmd = [
        sys.executable, "-m", "generator", "deploy", "--lang", "en",
        "--content", str(site.content), "--output", str(site.output),
    ]  # fmt: skip
    sample = timed(cmd, env, log, cwd=ROOT)
    said = re.search(
        r"(\d+) objects compared, (\d+) uploaded \(.*?\), (\d+) deleted", log.read_text("utf-8")
    )
    if said is None:
        raise SystemExit(f"the deploy did not say what it did: see {log}")
    compared, uploaded, deleted = (int(n) for n in said.groups())
    return Row("unchanged, as a command", compared, -1, uploaded, deleted, None, sample.seconds)


def print_table(rows: list[Row]) -> None:
    header = f"{'scenario':38} {'compared':>8} {'asked':>6} {'uploaded':>8} {'deleted':>7} "
    header += f"{'hash s':>7} {'deploy s':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        asked = "?" if r.asked < 0 else str(r.asked)
        hashed = "" if r.hash_seconds is None else f"{r.hash_seconds:.2f}"
        print(
            f"{r.name:38} {r.compared:>8} {asked:>6} {r.uploaded:>8} {r.deleted:>7} "
            f"{hashed:>7} {r.seconds:>8.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--places", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args(argv)
    import boto3

    os.environ.update(CREDENTIALS)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_MAX_ATTEMPTS"):
        os.environ.pop(name, None)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bangtin-deploy-") as tmp:
        work = args.keep.resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        logs = work / "logs"
        logs.mkdir(exist_ok=True)
        with moto_server(logs / "moto.log") as endpoint:
            boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
            generate(work, args.notices, args.places, args.seed)
            site = Bangtin(work)
            with (site.content / "site.yml").open("a", encoding="utf-8") as f:
                f.write(f"deploy:\n  bucket: {BUCKET}\n  endpoint_url: {endpoint}\n")
            corpus = load_description(site.content)
            build = site.build(logs / "build-cold.log")
            files = sum(1 for p in site.output.rglob("*") if p.is_file()) - 1
            size = sum(p.stat().st_size for p in site.output.rglob("*") if p.is_file())
            print(
                f"site: {args.notices} notices, {args.places} places: {files} files, "
                f"{size / 1e6:.0f} MB, built in {build.seconds:.1f} s"
            )
            rows = [
                deploy_here(site, "first deploy (empty bucket)", True),
                deploy_here(site, "unchanged, with the record", True),
                deploy_here(site, "unchanged, without the record", False),
            ]
            for run, (name, record) in enumerate(
                [("edit 1 notice, with the record", True), ("edit 1 notice, without", False)]
            ):
                check = edit_notice(site, corpus, run)
                rebuilt = site.build(logs / f"build-edit-{run}.log")
                check()
                rows.append(deploy_here(site, name, record))
                print(f"({name}: the rebuild took {rebuilt.seconds:.2f} s)")
            env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
            rows.append(deploy_command(site, env, logs / "deploy-command.log"))
    print()
    print_table(rows)
    load = os.getloadavg()
    print(
        f"\nbangtin {generator.__version__}, Python {platform.python_version()}, "
        f"boto3 {boto3.__version__}, {os.cpu_count()} CPUs, load average {load[0]:.2f} "
        f"(others' work on the machine slows every figure); whole benchmark "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
