"""The command line as users meet it: exit codes, help, messages, an installed copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EPOCH, ROOT, SAMPLE, SiteFactory, notice, run_cli, tree_bytes

MakeSite = Callable[[dict[str, str]], SiteFactory]


def test_build_succeeds_and_reports_counts(tmp_path: Path) -> None:
    result = run_cli("build", "--content", str(SAMPLE), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "Built 54 pages and 108 QR codes" in result.stdout
    assert (tmp_path / "out" / "qr-manifest.json").is_file()


def test_check_writes_nothing(tmp_path: Path) -> None:
    result = run_cli("check", "--content", str(SAMPLE), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no errors" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_content_errors_exit_1_without_traceback(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/a.md": notice(titel="x"),
            "notices/b.md": "---\ntitle: B\ndate: 2026-11-20\npinned: yes\n---\n",
        }
    )
    result = run_cli("build", cwd=site.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/notices/a.md:4:1: error: unknown key `titel`" in result.stderr
    assert "hint: did you mean `title`?" in result.stderr
    assert (
        "content/notices/b.md:4:9: error: `pinned` must be true or false, not `yes`"
        in result.stderr
    )
    assert "    pinned: yes\n            ^" in result.stderr
    assert "2 errors" in result.stderr
    assert not site.output.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["build", "--nope"],
        ["frobnicate"],
        ["build", "--base-url", "http://insecure.example/"],
        ["build", "--content", "/does/not/exist"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert "Error" in result.stderr


@pytest.mark.parametrize("command", [[], ["build"], ["check"]])
def test_help_on_every_command(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout
    if command == ["build"]:
        assert "--base-url" in result.stdout and "--output" in result.stdout


def test_refusing_a_foreign_output_folder_is_a_usage_error(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice()})
    site.output.mkdir()
    (site.output / "keep.txt").write_text("x")
    result = run_cli("build", cwd=site.root)
    assert result.returncode == 2
    assert "refusing to replace" in result.stderr
    assert (site.output / "keep.txt").read_text() == "x"


@pytest.mark.slow
def test_installed_wheel_works_from_any_folder(tmp_path: Path) -> None:
    """``pip install .`` (not editable) carries the theme and the sample site."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=False)
    python = env_dir / "bin" / "python"
    [wheel] = wheels.glob("bangtin-*.whl")
    # --no-deps: the dependencies are already on the system side of the venv.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    work = tmp_path / "somewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    # -I: isolated mode, so the checkout on sys.path cannot stand in for the wheel
    probe = subprocess.run(
        [str(python), "-I", "-c", "import generator; print(generator.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in probe.stdout, probe.stdout
    result = subprocess.run(
        [str(env_dir / "bin" / "bangtin"), "build", "--sample"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    reference = tmp_path / "reference"
    shutil.copytree(SAMPLE, reference / "content")
    ref = run_cli("build", cwd=reference)
    assert ref.returncode == 0, ref.stderr
    assert tree_bytes(work / "output") == tree_bytes(reference / "output")


@pytest.mark.parametrize("value", ["1.8e9", "-5", " 1795842000", "١٢٣", "soon"])
@pytest.mark.parametrize("command", ["build", "check", "boards"])
def test_a_source_date_epoch_that_is_not_digits_is_a_usage_error(
    command: str, value: str, tmp_path: Path
) -> None:
    result = run_cli(
        command, "--content", str(SAMPLE), cwd=tmp_path, env={"SOURCE_DATE_EPOCH": value}
    )
    assert result.returncode == 2, result.stderr
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds" in result.stderr
    assert repr(value) in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()


def test_an_empty_source_date_epoch_means_the_clock(tmp_path: Path) -> None:
    result = run_cli("check", "--content", str(SAMPLE), env={"SOURCE_DATE_EPOCH": ""})
    assert result.returncode == 0, result.stderr
    huge = run_cli("check", "--content", str(SAMPLE), env={"SOURCE_DATE_EPOCH": "9" * 30})
    assert huge.returncode == 2 and "too far in the future" in huge.stderr
