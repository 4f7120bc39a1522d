"""The README's test command passes on a fresh machine: a test that needs a program the
machine lacks (Chromium, nginx, the Node tools...) is skipped, with one line in the
summary naming what is missing and how to install it; under ``.ci/run`` it fails."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import needs
from tests.conftest import ROOT


def run_pytest(args: list[str], path: Path, require: bool) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` in the repository, with ``PATH`` only ``path``."""
    env = {k: v for k, v in os.environ.items() if k != needs.REQUIRE}
    env["PATH"] = str(path)
    if require:
        env[needs.REQUIRE] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_chromium_and_node_browser_tests_skip_with_one_line(tmp_path: Path) -> None:
    """PATH without chromium, node or pdftoppm: every browser test is skipped, and the
    summary says so in one line (nginx, in /usr/sbin, may still be found)."""
    done = run_pytest(["tests/test_browser.py"], tmp_path, require=False)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    counts = out.strip().splitlines()[-1]
    assert re.fullmatch(r"=+ \d+ skipped(, \d+ deselected)? in [\d.]+s =+", counts), counts
    skipped = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) == 1, out
    [line] = skipped
    assert "tests/browser/needs.py" in line
    for words in (
        "missing Node.js 20, ",
        "chromium",
        "pdftoppm",
        "`apt-get install chromium fonts-dejavu-core poppler-utils",
        "Node.js 20 (with npm)",
        "`.ci/run` installs everything",
        "BANGTIN_REQUIRE_TOOLS=1 makes these tests fail instead of skip",
    ):
        assert words in line, (words, line)


def test_under_ci_a_missing_tool_fails_the_tests(tmp_path: Path) -> None:
    done = run_pytest(["tests/test_browser.py"], tmp_path, require=True)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "skipped" not in out.splitlines()[-1]
    assert re.search(r"\d+ errors? in", out.splitlines()[-1]), out  # in the module's fixture
    assert "missing Node.js 20, " in out and "chromium" in out


def test_ci_sets_the_variable_before_the_readme_command() -> None:
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    command = "pip install -e '.[test]' && python -m pytest"
    assert command in (ROOT / "README.md").read_text("utf-8")
    assert f"\nexport {needs.REQUIRE}=1\n" in script.split(command)[0]


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n", "utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_nginx_is_looked_for_on_path_then_in_sbin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mime = tmp_path / "mime.types"
    monkeypatch.setattr(needs, "MIME_TYPES", mime)
    monkeypatch.setattr(needs, "SBIN", (str(tmp_path / "sbin"),))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert needs.TOOLS["nginx"].find() is None
    in_sbin = executable(tmp_path / "sbin" / "nginx")
    assert needs.TOOLS["nginx"].find() is None  # no mime.types: not Debian's nginx
    mime.write_text("types {}\n", "utf-8")
    assert needs.TOOLS["nginx"].find() == str(in_sbin)
    on_path = executable(tmp_path / "bin" / "nginx")
    assert needs.TOOLS["nginx"].find() == str(on_path)


def test_the_line_names_each_missing_tool_and_its_install(monkeypatch: pytest.MonkeyPatch) -> None:
    lacking = {"nginx", "node-tools", "pdftoppm"}
    found = {name: None if name in lacking else "/x" for name in needs.TOOLS}
    monkeypatch.setattr(needs, "found", lambda: found)
    assert needs.missing_line() == (
        "missing the Node tools, pdftoppm, nginx: install with "
        "`apt-get install poppler-utils nginx` and "
        "`PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/browser` "
        "(`.ci/run` installs everything; BANGTIN_REQUIRE_TOOLS=1 makes these tests fail "
        "instead of skip)"
    )
    monkeypatch.delenv(needs.REQUIRE, raising=False)
    with pytest.raises(pytest.skip.Exception):
        needs.require("chromium", "nginx")
    needs.require("chromium", "node")  # both there: nothing happens
    monkeypatch.setenv(needs.REQUIRE, "1")
    with pytest.raises(pytest.fail.Exception):
        needs.require("nginx")


def test_this_machine_has_every_tool() -> None:
    """Skipped (in the same summary line) where a tool is missing; fails under .ci/run."""
    needs.require(*needs.TOOLS)
