"""One build at a time into an output folder: overlapping builds, made to overlap in a
known order with the ``BANGTIN_TEST_PAUSE`` hook (generator.api._pause)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator import api
from generator.errors import BuildError, UsageError
from generator.output.lock import lock_path, output_lock
from tests.conftest import EPOCH, SAMPLE, run_cli


@contextmanager
def paused_build(output: Path, pause: Path) -> Iterator[subprocess.Popen[str]]:
    """``bangtin build`` of the sample site into ``output`` as another process, stopped
    at its "Rendering pages" stage (holding the lock) until ``pause`` is removed."""
    pause.touch()
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, api.PAUSE: f"Rendering pages={pause}"}
    args = ["build", "--content", str(SAMPLE), "--output", str(output)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        reached = Path(f"{pause}.reached")
        give_up = time.monotonic() + 120
        while not reached.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < give_up, "the build never reached its pause"
            time.sleep(0.05)
        yield proc
    except BaseException:
        proc.kill()
        raise
    finally:
        pause.unlink(missing_ok=True)  # a build still paused finishes
        proc.communicate(timeout=300)


def test_a_second_build_waits_then_names_the_first_and_a_third_builds(tmp_path: Path) -> None:
    output = tmp_path / "output"
    pause = tmp_path / "pause"
    with paused_build(output, pause) as first:
        holder = json.loads(lock_path(output).read_text("utf-8"))
        assert holder["pid"] == first.pid
        assert "build" in holder["command"] and holder["started"].endswith("Z")
        assert not (output / lock_path(output).name).exists()  # beside output/, not in it

        started = time.monotonic()
        second = run_cli("build", "--content", str(SAMPLE), "--output", str(output))
        waited = time.monotonic() - started

        assert second.returncode == 2, second.stderr
        assert f"another build is writing into {output} (pid {first.pid}," in second.stderr
        assert "wait for it to finish, or stop it" in second.stderr
        assert "Traceback" not in second.stderr
        assert waited >= 9.5  # it waited its 10 s before giving up
        assert first.poll() is None  # and left the first alone

        pause.unlink()
        out, err = first.communicate(timeout=300)
        assert first.returncode == 0, err
        assert "Built 54 pages" in out

    third = run_cli("build", "--content", str(SAMPLE), "--output", str(output))
    assert third.returncode == 0, third.stderr
    assert "Nothing changed since the last build" in third.stdout
    assert not lock_path(output).exists()  # each build removes the lock file it made


def test_a_waiting_build_goes_on_when_the_other_ends(tmp_path: Path) -> None:
    output = tmp_path / "output"
    pause = tmp_path / "pause"
    options = api.Options(SAMPLE, output)
    with paused_build(output, pause) as first:
        with pytest.raises(UsageError, match=rf"\(pid {first.pid}, `.*build"):
            api.build(options, lock_wait=0.3)
        threading.Timer(0.5, pause.unlink).start()
        outcome = api.build(options, lock_wait=120)  # waits for the first to finish
        assert first.wait(timeout=300) == 0
    assert outcome.how == "none"  # the first had built it all by then


def test_a_failed_build_releases_the_lock(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "site.yml").write_text("title: [unclosed\n", "utf-8")
    output = tmp_path / "output"
    with pytest.raises(BuildError):
        api.build(api.Options(content, output), lock_wait=0)
    assert not lock_path(output).exists()
    with output_lock(output, wait=0):  # free at once: not held by a leaked descriptor
        pass
    assert api.build(api.Options(SAMPLE, output), lock_wait=0).how == "build"


def test_a_killed_build_blocks_no_one(tmp_path: Path) -> None:
    output = tmp_path / "output"
    with paused_build(output, tmp_path / "pause") as first:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
    assert lock_path(output).exists()  # left behind, still naming the killed build
    started = time.monotonic()
    result = run_cli("build", "--content", str(SAMPLE), "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 9  # no wait: the kernel released the lock
    assert not lock_path(output).exists()


def test_the_lock_file_is_never_written_through_a_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", "utf-8")
    output = tmp_path / "output"
    lock_path(output).symlink_to(victim)
    with pytest.raises(OSError):
        api.build(api.Options(SAMPLE, output), lock_wait=0)
    assert victim.read_text("utf-8") == "keep me\n"
    assert not output.exists()
