"""After a failed build the command line says what happened to the output folder: left
as it was, or written (or partly) with the next build a full one. Never a false claim."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import api
from generator import build as pipeline
from generator.cache import state
from generator.cli import main
from tests.conftest import SAMPLE, tree_bytes

KEPT = "The previous output folder was left as it was."
WRITTEN = "The site was written, but the build's records could not be saved"
FULL = "the next build will be a full one"


def bangtin(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the sample site, built once into output/, and one more page to build."""
    content, output = tmp_path / "content", tmp_path / "output"
    shutil.copytree(SAMPLE, content)
    first = bangtin("build", "--content", str(content), "--output", str(output))
    assert first.exit_code == 0, first.output
    (content / "pages" / "moi.md").write_text("---\ntitle: Trang mới\n---\nMới.\n", "utf-8")
    return content, output


def full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(28, "No space left on device", "state.json")


def test_a_failure_after_the_swap_says_the_site_was_written(
    site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    content, output = site
    monkeypatch.setattr(state, "record", full_disk)
    failed = bangtin("build", "--content", str(content), "--output", str(output))

    assert failed.exit_code == 1, failed.output
    assert "Error: cannot write state.json: No space left on device" in failed.stderr
    assert WRITTEN in failed.stderr and FULL in failed.stderr
    assert KEPT not in failed.stderr
    assert "Traceback" not in failed.stderr
    assert "Mới." in (output / "p" / "moi" / "index.html").read_text("utf-8")

    monkeypatch.undo()
    again = bangtin("build", "--content", str(content), "--output", str(output))
    assert again.exit_code == 0, again.output
    counts = re.search(r"\((\d+) files, (\d+) written", again.stdout)
    assert counts is not None, again.stdout
    assert counts[1] == counts[2]  # a full build, as promised: every file written


def test_a_failure_before_the_swap_still_says_the_output_was_kept(
    site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    content, output = site
    before = tree_bytes(output)
    monkeypatch.setattr(state, "forget", full_disk)  # the writer's last step before the swap
    failed = bangtin("build", "--content", str(content), "--output", str(output))

    assert failed.exit_code == 1, failed.output
    assert KEPT in failed.stderr
    assert WRITTEN not in failed.stderr
    assert tree_bytes(output) == before


def test_a_failure_while_replacing_is_not_called_kept(site: tuple[Path, Path]) -> None:
    content, output = site

    def stop_there(stage: str) -> None:
        if stage == pipeline.REPLACING:
            raise OSError(5, "Input/output error", str(output))

    with pytest.raises(OSError) as failed:
        api.build(api.Options(content, output), stop_there)
    assert api.output_state(failed.value) == "partly"


def test_the_state_of_errors_before_any_stage_is_kept(tmp_path: Path) -> None:
    assert api.output_state(OSError(28, "No space left on device")) == "kept"
    failed = bangtin("build", "--content", str(tmp_path / "none"), "--output", str(tmp_path))
    assert failed.exit_code == 2
    assert WRITTEN not in failed.stderr
