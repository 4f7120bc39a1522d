"""Node tools of tests/browser/ (check.mjs, Lighthouse) driving Debian's Chromium."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.browser.needs import require, tool

HERE = Path(__file__).resolve().parent
CHROMIUM_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


def node() -> str:
    """Node.js, once this machine has it, the Node tools and Chromium (else a skip)."""
    require("node", "node-tools", "chromium")
    return tool("node")


def check_pages(pages: list[dict[str, Any]], *, javascript: bool = True) -> list[dict[str, Any]]:
    """check.mjs over ``pages`` (``{"url", "screenshot"?}``): one result per page, in order."""
    spec = json.dumps({"pages": pages, "javaScriptEnabled": javascript})
    proc = subprocess.run(
        [node(), str(HERE / "check.mjs")],
        input=spec,
        capture_output=True,
        text=True,
        timeout=60 + 30 * len(pages),
        env={**os.environ, "CHROMIUM": tool("chromium")},
    )
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["url"] for r in results] == [p["url"] for p in pages], proc.stderr
    for r in results:
        assert "error" not in r, r["error"]
    return results


def lighthouse(url: str, report: Path) -> dict[str, Any]:
    """Lighthouse's JSON report of ``url``: mobile form factor and throttling (its defaults)."""
    node()
    proc = subprocess.run(
        [
            str(HERE / "node_modules" / ".bin" / "lighthouse"),
            url,
            f"--chrome-flags={CHROMIUM_FLAGS}",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            "--only-categories=performance,accessibility,best-practices,seo",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "CHROME_PATH": tool("chromium")},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data: dict[str, Any] = json.loads(report.read_text("utf-8"))
    assert not data.get("runtimeError"), data["runtimeError"]
    return data


def load_pages(urls: list[str]) -> list[dict[str, Any]]:
    """xss.mjs over ``urls``: per page, whether a script ran, console errors, outside requests.

    Unlike check.mjs it injects nothing, so a page's Content-Security-Policy applies as it
    does for a resident.
    """
    proc = subprocess.run(
        [node(), str(HERE / "xss.mjs")],
        input=json.dumps(urls),
        capture_output=True,
        text=True,
        timeout=60 + 5 * len(urls),
        env={"CHROMIUM": tool("chromium"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["url"] for r in results] == urls, proc.stderr
    return results
