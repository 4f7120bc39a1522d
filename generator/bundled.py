"""Folders shipped with bangtin: the default theme and the sample site."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DATA = Path(__file__).parent / "_data"
STYLESHEET = "style.css"  # in every theme's static/ folder
REPO_ROOT = Path(__file__).parent.parent


def builtin(name: str) -> Path:
    """A folder shipped with bangtin: inside the wheel, or beside the package in a checkout."""
    installed = PACKAGE_DATA / name
    return installed if installed.is_dir() else REPO_ROOT / name
