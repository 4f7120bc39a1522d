"""What a release holds: the sdist builds the wheel and runs its own tests; the wheel has
one version, the license, ``py.typed``, the message catalogs, the theme and the sample.

Built with hatchling itself (the build backend, a test dependency), offline, as
``python -m build`` does it: the sdist from the repository, the wheel from the sdist.
"""

from __future__ import annotations

import email
import email.message
import os
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import generator
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Dists:
    sdist: Path  # the .tar.gz
    unpacked: Path  # its folder, unpacked
    wheel: Path  # built from the unpacked sdist

    def wheel_names(self) -> set[str]:
        with zipfile.ZipFile(self.wheel) as whl:
            return set(whl.namelist())

    def metadata(self) -> email.message.Message:
        name = f"bangtin-{generator.__version__}.dist-info/METADATA"
        with zipfile.ZipFile(self.wheel) as whl:
            return email.message_from_bytes(whl.read(name))


def hatchling(source: Path, target: str, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", target, "-d", str(out)],
        cwd=source,
        check=True,
        capture_output=True,
        timeout=300,
    )
    [built] = out.glob("*.tar.gz" if target == "sdist" else "*.whl")
    return built


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    work = tmp_path_factory.mktemp("dist")
    sdist = hatchling(ROOT, "sdist", work / "sdist")
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(work / "unpacked", filter="data")
        else:  # our own archive, just built
            tar.extractall(work / "unpacked")
    [unpacked] = (work / "unpacked").iterdir()
    wheel = hatchling(unpacked, "wheel", work / "wheel")
    return Dists(sdist, unpacked, wheel)


def test_one_version(dists: Dists) -> None:
    """``generator.__version__`` is the version: pyproject names none of its own."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert "version" not in project and project["dynamic"] == ["version"]
    assert dists.metadata()["Version"] == generator.__version__
    assert dists.sdist.name == f"bangtin-{generator.__version__}.tar.gz"
    pkg_info = email.message_from_bytes((dists.unpacked / "PKG-INFO").read_bytes())
    assert pkg_info["Version"] == generator.__version__


def test_the_license_file_matches_the_metadata(dists: Dists) -> None:
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 bangtin contributors\n")
    meta = dists.metadata()
    assert meta["License-Expression"] == "MIT"
    assert meta.get_all("License-File") == ["LICENSE"]
    with zipfile.ZipFile(dists.wheel) as whl:
        shipped = whl.read(f"bangtin-{generator.__version__}.dist-info/licenses/LICENSE")
    assert shipped.decode("utf-8") == text
    assert (dists.unpacked / "LICENSE").read_text("utf-8") == text


def test_metadata_classifiers_and_entry_point(dists: Dists) -> None:
    meta = dists.metadata()
    classifiers = meta.get_all("Classifier") or []
    for wanted in (
        "Typing :: Typed",
        "Natural Language :: Vietnamese",
        "Programming Language :: Python :: 3 :: Only",
    ):
        assert wanted in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # License-Expression
    assert meta["Requires-Python"] == ">=3.11"
    with zipfile.ZipFile(dists.wheel) as whl:
        entry_points = whl.read(f"bangtin-{generator.__version__}.dist-info/entry_points.txt")
    assert "bangtin = generator.cli:program" in entry_points.decode("utf-8")


def test_the_wheel_holds_types_catalogs_theme_and_sample(dists: Dists) -> None:
    names = dists.wheel_names()
    assert "generator/py.typed" in names
    assert "generator/stats/report.html" in names  # the template of `bangtin stats --report`
    catalogs = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / "generator" / "i18n" / "locale").rglob("*.mo"))
    ]
    assert "generator/i18n/locale/vi/LC_MESSAGES/bangtin.mo" in catalogs
    assert set(catalogs) <= names
    for folder, inside in (("themes/default", "themes/default"), ("content", "content")):
        files = [p for p in sorted((ROOT / folder).rglob("*")) if p.is_file()]
        assert files, folder
        for path in files:
            shipped = f"generator/_data/{inside}/{path.relative_to(ROOT / folder).as_posix()}"
            assert shipped in names, shipped
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/")) or "/tests/" in n]


def test_the_sdist_runs_its_own_tests(dists: Dists) -> None:
    """From the unpacked sdist, with its own ``generator`` first on the path: every test
    module imports (benchmarks.corpus, tools.messages are there), and some tests pass."""
    env = {**os.environ, "PYTHONPATH": str(dists.unpacked)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def pytest_in_sdist(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
            cwd=dists.unpacked,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import generator, benchmarks.corpus; print(generator.__file__)"],
        cwd=dists.unpacked,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(dists.unpacked)
    collected = pytest_in_sdist("--collect-only", "tests")
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr
    ran = pytest_in_sdist(
        "tests/test_scaffold.py",
        "tests/test_contentcache.py::test_generated_site_from_the_cache_is_the_fresh_parse",
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr
    assert " passed" in ran.stdout.splitlines()[-1] and "failed" not in ran.stdout
