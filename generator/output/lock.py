"""One build at a time into an output folder: a lock file beside it.

Two builds writing into one ``output/`` would stage, swap and record over each other.
Every build (``generator.api.build``) holds an exclusive ``flock`` on
``<parent>/.bangtin-lock-<output name>`` from its first look at the inputs to its last
record.  The file sits beside ``output/``, never inside it: ``output/`` is swapped
whole.  It names its holder (pid, command line, start time) so that a build that gives
up waiting can say which build is in the way.

The kernel releases a lock when its holder exits, however it exits, so a file left by
a killed build blocks no one.  The holder removes the file before it unlocks; a build
that was waiting then holds a lock on a file no longer there, sees so, and locks the
file at that path anew (so two builds can never each hold a lock on a different file).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from generator.errors import UsageError
from generator.i18n import Message, _

PREFIX = ".bangtin-lock-"
WAIT = 10.0  # seconds a build waits for another one to finish
POLL = 0.1
# O_NOFOLLOW: a symlink put there must not make us write to a file elsewhere.
_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


def lock_path(output: Path) -> Path:
    """The lock file of ``output`` (an absolute path): beside it, never inside."""
    return output.parent / f"{PREFIX}{output.name}"


@contextmanager
def output_lock(output: Path, wait: float = WAIT) -> Iterator[None]:
    """Hold the lock of ``output`` while the block runs; UsageError naming the other
    build when another one still holds it after ``wait`` seconds."""
    path = lock_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path, output, time.monotonic() + wait)
    try:
        os.ftruncate(fd, 0)  # a killed holder's name may still be there
        os.pwrite(fd, _holding().encode("utf-8"), 0)
        yield
    finally:
        with suppress(OSError):  # a lock file left behind blocks no one
            if _current(fd, path):  # not if someone removed it and another build made it
                path.unlink()
        fcntl.flock(fd, fcntl.LOCK_UN)  # explicit: forked workers share the file
        os.close(fd)


def _acquire(path: Path, output: Path, deadline: float) -> int:
    """A descriptor of the lock file at ``path``, locked by this process."""
    while True:
        fd = os.open(path, _FLAGS, 0o644)
        locked = False
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UsageError(
                    _(
                        "{path} is not a file (bangtin keeps its lock there); remove it",
                        path=str(path),
                    )
                )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked = True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise UsageError(_busy(output, fd)) from None
            if locked and _current(fd, path):
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # and with it a lock on a file its holder has removed since
        if not locked:
            time.sleep(POLL)


def _current(fd: int, path: Path) -> bool:
    """True when ``path`` is still the file open as ``fd``."""
    try:
        here = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    st = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (st.st_dev, st.st_ino)


def _holding() -> str:
    """What the lock file says while this process holds it."""
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the real clock
    holder = {"pid": os.getpid(), "command": " ".join(sys.argv), "started": started}
    return json.dumps(holder, ensure_ascii=False) + "\n"


def _busy(output: Path, fd: int) -> Message:
    """Another build holds the lock of ``output``: which one, as its lock file says (pid,
    command line, start time), unless it cannot be read (its holder has not written it
    yet, or someone else wrote it)."""
    try:
        data = json.loads(os.pread(fd, 65536, 0).decode("utf-8"))
    except (OSError, ValueError):
        data = None
    holder = data if isinstance(data, dict) else {}
    pid, command, started = holder.get("pid"), holder.get("command"), holder.get("started")
    known = type(pid) is int  # not a bool, nor a float
    if known and isinstance(command, str) and command and isinstance(started, str) and started:
        return _(
            "another build is writing into {output} (pid {pid}, `{command}`, started "
            "{started}); wait for it to finish, or stop it",
            output=str(output),
            pid=str(pid),
            command=_printable(command[:200]),
            started=_printable(started[:40]),
        )
    return _(
        "another build is writing into {output}; wait for it to finish, or stop it",
        output=str(output),
    )


def _printable(text: str) -> str:
    """Read from a file anyone could have written: no terminal control characters."""
    return "".join(c if c.isprintable() else "?" for c in text)
