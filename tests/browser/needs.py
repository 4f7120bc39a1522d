"""What the browser, print and hosting tests need besides Python packages, and what
happens on a machine without it.

``pip install -e '.[test]' && python -m pytest`` passes on a fresh machine: a test that
needs a program this machine lacks is skipped, every such skip with the same reason, so
that pytest's summary (``-ra``) shows one line naming all that is missing and how to
install it.  With ``BANGTIN_REQUIRE_TOOLS=1`` (``.ci/run`` sets it) such a test fails
instead: CI can never skip them silently.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REQUIRE = "BANGTIN_REQUIRE_TOOLS"
HERE = Path(__file__).resolve().parent
# Debian installs nginx in /usr/sbin, which is not on a user's PATH (only on root's).
SBIN = ("/usr/sbin", "/sbin")
MIME_TYPES = Path("/etc/nginx/mime.types")  # Debian's nginx package has it


def _on_path(command: str, also: tuple[str, ...] = ()) -> Callable[[], str | None]:
    def find() -> str | None:
        folders = [os.environ.get("PATH", os.defpath), *also]
        return shutil.which(command, path=os.pathsep.join(folders))

    return find


def _node_tools() -> str | None:
    """tests/browser/node_modules as ``npm ci`` leaves it: Playwright and Lighthouse."""
    modules = HERE / "node_modules"
    lighthouse = modules / ".bin" / "lighthouse"
    if (modules / "playwright-core").is_dir() and lighthouse.exists():
        return str(modules)
    return None


def _nginx() -> str | None:
    found = _on_path("nginx", SBIN)()
    return found if found is not None and MIME_TYPES.is_file() else None


@dataclass(frozen=True)
class Tool:
    shown: str  # how the summary line names it
    find: Callable[[], str | None]  # where it is, or None
    apt: tuple[str, ...] = ()  # the Debian packages that install it
    other: str = ""  # or how else it is installed


TOOLS = {
    "node": Tool("Node.js 20", _on_path("node"), other="Node.js 20 (with npm)"),
    "node-tools": Tool(
        "the Node tools",
        _node_tools,
        other="`PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/browser`",
    ),
    # fonts-dejavu-core: the Vietnamese glyphs Chromium lays pages out with
    "chromium": Tool("chromium", _on_path("chromium"), apt=("chromium", "fonts-dejavu-core")),
    "pdftoppm": Tool("pdftoppm", _on_path("pdftoppm"), apt=("poppler-utils",)),
    "nginx": Tool("nginx", _nginx, apt=("nginx",)),
}


class Missing(pytest.skip.Exception):  # type: ignore[misc,name-defined]
    """A test skipped for a missing tool: tests/conftest.py reports every one where it is
    raised (not at each test, as pytest does for a skip in a fixture), so that pytest's
    summary folds them all into one line."""


@functools.cache
def found() -> dict[str, str | None]:
    """Where each tool of ``TOOLS`` is on this machine (None: missing), looked for once."""
    return {name: tool.find() for name, tool in TOOLS.items()}


def missing_line() -> str:
    """One line: every tool this machine lacks, and how to install them all."""
    lacking = [TOOLS[name] for name, path in found().items() if path is None]
    apt = [package for tool in lacking for package in tool.apt]
    how = [f"`apt-get install {' '.join(apt)}`"] if apt else []
    how += [tool.other for tool in lacking if tool.other]
    return (
        f"missing {', '.join(tool.shown for tool in lacking)}: install with "
        f"{' and '.join(how)} (`.ci/run` installs everything; {REQUIRE}=1 makes these "
        "tests fail instead of skip)"
    )


def require(*names: str) -> None:
    """Skip the test unless this machine has every tool in ``names`` (keys of ``TOOLS``);
    with ``BANGTIN_REQUIRE_TOOLS=1``, fail it instead."""
    if all(found()[name] is not None for name in names):
        return
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(missing_line(), pytrace=False)
    raise Missing(missing_line())


def tool(name: str) -> str:
    """The path of one tool (see ``require``)."""
    require(name)
    path = found()[name]
    assert path is not None
    return path
