"""The progress line: shown on a terminal after about 2 s, never when piped or in CI."""

from __future__ import annotations

import io
import time

import pytest

from generator import progress as progress_module
from generator.i18n import ENGLISH, _
from generator.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_long_build_on_a_terminal_shows_the_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress_module, "DELAY", 0.05)
    out = Terminal()
    with Progress(ENGLISH, out) as p:
        p.stage(_("Making QR codes for 10 pages"))
        time.sleep(0.3)
    assert "Making QR codes for 10 pages…" in out.getvalue()
    assert out.getvalue().endswith("\r\x1b[2K")  # the line is cleared at the end


def test_quick_builds_and_pipes_and_ci_show_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    quick = Terminal()
    with Progress(ENGLISH, quick) as p:
        p.stage(_("Rendering pages"))
    assert quick.getvalue() == ""
    monkeypatch.setattr(progress_module, "DELAY", 0.01)
    piped = io.StringIO()
    with Progress(ENGLISH, piped) as p:
        p.stage(_("Rendering pages"))
        time.sleep(0.1)
    assert piped.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    ci = Terminal()
    with Progress(ENGLISH, ci) as p:
        p.stage(_("Rendering pages"))
        time.sleep(0.1)
    assert ci.getvalue() == ""
