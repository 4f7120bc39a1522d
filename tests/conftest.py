"""Fixtures in two tiers: the sample site built once per session, and tiny inline sites."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator import build as pipeline
from generator.cache.store import Store, cache_folder
from generator.models import BuildResult
from tests.browser.needs import Missing

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content"
SITES = Path(__file__).resolve().parent / "sites"

# The sample site is read as of this moment: 28/11/2026, noon in Hà Nội.
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
EPOCH = str(int(NOW.timestamp()))


def build(
    content: Path,
    output: Path | None,
    base_url: str | None = None,
    strict: bool = False,
    allow_http: bool = False,
) -> BuildResult:
    """The build pipeline itself, with its cache where ``bangtin build`` keeps it: without
    the "nothing changed" and quick-update shortcuts of ``generator.api.build``.
    ``output`` None: a check, writing nothing."""
    store = Store(cache_folder(output) if output is not None else None)
    caches = pipeline.Caches.kept_in(store)
    return pipeline.build(
        content, output, caches, base_url=base_url, strict=strict, allow_http=allow_http
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test skipped for a missing tool (tests.browser.needs) is reported where the skip
    is raised, as one raised in the test itself is: pytest's summary then shows one line
    for them all, instead of one per test."""
    report = yield
    excinfo = call.excinfo
    if report.skipped and excinfo is not None and isinstance(excinfo.value, Missing):
        raised = excinfo.traceback[-1]
        report.longrepr = (str(raised.path), raised.lineno + 1, f"Skipped: {excinfo.value.msg}")
    return report


@pytest.fixture(autouse=True, scope="session")
def fixed_clock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every build in the tests sees the same "now", and keeps its cache and cache key in
    folders of the test session (never the user's own)."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        # The tests read bangtin's messages in English (the msgids); the Vietnamese ones
        # are tested where they are asked for (tests/test_messages.py, the invalid sites).
        mp.setenv("BANGTIN_LANG", "en")
        mp.setenv("XDG_CACHE_HOME", str(home / "cache"))
        mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
        for name in ("BANGTIN_CACHE_DIR", "BANGTIN_CACHE_KEY", "BANGTIN_CACHE_SIZE_MB"):
            mp.delenv(name, raising=False)
        yield


@dataclass(frozen=True)
class Built:
    """A built site: its output folder and its parsed manifest."""

    output: Path

    @property
    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.output / "qr-manifest.json").read_text("utf-8"))
        return data

    def pages(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [p for p in self.manifest["pages"] if kind is None or p["kind"] == kind]

    def html(self, url_path: str) -> str:
        return (self.output / url_path / "index.html").read_text("utf-8")


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory, fixed_clock: None) -> Built:
    """The shipped sample site, built once; tests must only read it."""
    out = tmp_path_factory.mktemp("sample") / "output"
    build(SAMPLE, out)
    return Built(out)


SITE_YML = """\
title: Bảng tin thử
base_url: https://test.example/
"""


class SiteFactory:
    """Writes a tiny site from a dict of ``relative path -> text``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.output = root / "output"

    def write(self, files: dict[str, str]) -> SiteFactory:
        for rel, text in files.items():
            path = self.content / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), "utf-8")
        return self

    def build(self) -> Built:
        build(self.content, self.output)
        return Built(self.output)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the Markdown files rendered from now on (not found in the cache),
    in order: clear it between builds."""
    from generator.render.markup import Markup

    names: list[str] = []
    real_render = Markup.render

    def counting(self: Markup, text: str, **kw: Any) -> Any:
        names.append(kw["source"].name)
        return real_render(self, text, **kw)

    monkeypatch.setattr(Markup, "render", counting)
    return names


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[[dict[str, str]], SiteFactory]:
    """``make_site({"notices/a.md": "..."})``; a site.yml is added unless given."""

    def make(files: dict[str, str]) -> SiteFactory:
        files = {"site.yml": SITE_YML, **files}
        return SiteFactory(tmp_path).write(files)

    return make


def notice(
    title: str = "Thông báo", date: str = "2026-11-20", body: str = "Nội dung.", **keys: str
) -> str:
    """Front matter and body of a notice; extra keys are written as given (YAML text)."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{k}: {v}" for k, v in keys.items()]
    lines += ["---", "", body, ""]
    return "\n".join(lines)


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS`` as a user would run it."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "BANGTIN_LANG": "en", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def resident_pages(output: Path) -> set[str]:
    """Every HTML page residents read: not the print boards, not alias redirect stubs."""
    return {
        p.relative_to(output).as_posix()
        for p in output.rglob("index.html")
        if not p.relative_to(output).as_posix().startswith("boards/")
        and 'http-equiv="refresh"' not in p.read_text("utf-8")
    }


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, for exact comparisons."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def mtimes(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with its modification time: which files a build wrote."""
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a content file as an editor would; ``old`` must be there."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), "utf-8")
