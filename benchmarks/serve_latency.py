"""Save-to-reload latency of ``bangtin serve``: edit a notice, time until the page changes.

    python benchmarks/serve_latency.py                 # the sample site
    python benchmarks/serve_latency.py --notices 1000 --places 100

Starts ``bangtin serve`` on a free loopback port, keeps an event-stream client
connected (as an open browser tab would be), then edits one notice N times and
measures, for each save, the time until the reload event arrives and until the
served page shows the new text.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import generate  # noqa: E402
from generator.plan.urls import slug_from_filename  # noqa: E402

EPOCH = "1795842000"  # 2026-11-28 12:00 in Asia/Ho_Chi_Minh


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    body = conn.getresponse().read().decode("utf-8", "replace")
    conn.close()
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=0, help="generated notices (0: sample)")
    parser.add_argument("--places", type=int, default=100)
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bangtin-latency-"))
    try:
        if args.notices:
            content = generate(work, args.notices, args.places)
        else:
            content = work / "content"
            shutil.copytree(ROOT / "content", content)
        port = free_port()
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve",
             "--content", str(content), "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )  # fmt: skip
        assert proc.stdout is not None
        server_log: list[str] = []
        for line in proc.stdout:
            server_log.append(line)
            if line.startswith("Serving"):
                break
        # keep reading, or a full pipe would block the server
        threading.Thread(target=lambda: server_log.extend(proc.stdout or []), daemon=True).start()
        site = f"{args.notices} notices + {args.places} places" if args.notices else "sample"
        print(f"site: {site}")
        print(f"first build and start: {time.monotonic() - started:.2f} s")
        manifest = fetch(port, "/qr-manifest.json")
        pages = json.loads(manifest)["pages"]
        # edit a published notice from the middle of the folder
        by_id = {p["id"]: p for p in pages if p["kind"] == "notice"}
        files = sorted((content / "notices").glob("*.md"))
        for notice in files[len(files) // 2 :] + files[: len(files) // 2]:
            if slug_from_filename(notice.stem) in by_id:
                page = by_id[slug_from_filename(notice.stem)]
                text = notice.read_text("utf-8")
                break
        path = "/" + page["path"].removesuffix("index.html")

        events = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        events.request("GET", "/__bangtin/events")
        stream = events.getresponse()
        arrivals: list[float] = []  # when each reload event reached this client

        def listen() -> None:
            for line in stream:
                if line.startswith(b"event: reload"):
                    arrivals.append(time.monotonic())

        threading.Thread(target=listen, daemon=True).start()
        reload_times, served_times = [], []
        for i in range(args.saves):
            marker = f"ĐÃ SỬA LẦN {i}"
            saved = time.monotonic()
            notice.write_text(text.replace("\n---\n", f"\n---\n\n{marker}\n", 1), "utf-8")
            while marker not in fetch(port, path):
                if time.monotonic() - saved > 120:
                    raise SystemExit("the edit never showed up:\n" + "".join(server_log[-20:]))
                time.sleep(0.01)
            served_times.append(time.monotonic() - saved)
            while not any(t > saved for t in arrivals):
                time.sleep(0.01)
            # the first reload after the save that came with (or after) the new page
            reload_times.append(max(t for t in arrivals if t > saved) - saved)
            time.sleep(1.0)  # let the watcher settle before the next save
        events.close()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        proc.stdout.close()
        rebuilds = [line.strip() for line in server_log if line.startswith("Rebuilt")]
        print(f"saves: {args.saves}; server log: {rebuilds[-1] if rebuilds else 'no rebuild'}")
        for name, values in (
            ("save -> reload event", reload_times),
            ("save -> new page served", served_times),
        ):
            print(
                f"{name}: median {statistics.median(values):.2f} s, "
                f"min {min(values):.2f} s, max {max(values):.2f} s"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
