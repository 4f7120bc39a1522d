"""Content errors that read like a compiler's: ``path:line:col: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.i18n import Language, Message, _, n_

MAX_SHOWN = 100  # characters of a source line shown under an error


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a source file; line and column are 1-based."""

    path: Path
    line: int = 1
    col: int = 1

    def __reduce__(self) -> tuple[type[Position], tuple[object, ...]]:
        return Position, (self.path, self.line, self.col)  # see Message.__reduce__


@dataclass(frozen=True, slots=True)
class ContentError:
    """One problem in the content, with where it is and how to fix it."""

    pos: Position
    message: Message
    hint: Message | None = None
    source_line: str | None = None
    severity: str = "error"  # or "warning"

    def __reduce__(self) -> tuple[type[ContentError], tuple[object, ...]]:
        fields = (self.pos, self.message, self.hint, self.source_line, self.severity)
        return ContentError, fields  # see Message.__reduce__

    def format(self, lang: Language, root: Path | None = None) -> str:
        """``path:line:col: error: message``, the line with a caret under the column, and
        the hint, in ``lang``; paths relative to ``root``."""
        where = f"{_shown(self.pos.path, root)}:{self.pos.line}:{self.pos.col}"
        label = lang.text(SEVERITY[self.severity])
        out = [f"{where}: {label}: {lang.text(self.message)}"]
        line = self.source_line
        if line is None:
            line = read_line(self.pos.path, self.pos.line)
        if line:  # file-level errors (a duplicate slug, a missing file) have no line to show
            shown = line.replace("\t", " ")
            col = max(1, min(self.pos.col, len(shown) + 1))
            if len(shown) > MAX_SHOWN:  # a very long line: show the part around the column
                start = max(0, min(col - MAX_SHOWN // 2, len(shown) - MAX_SHOWN))
                shown = ("…" if start else "") + shown[start : start + MAX_SHOWN] + "…"
                col = col - start + (1 if start else 0)
            out.append(f"    {shown}")
            out.append("    " + " " * (col - 1) + "^")
        if self.hint is not None:
            out.append(f"  {lang.text(HINT)}: {lang.text(self.hint)}")
        return "\n".join(out)


SEVERITY = {"error": _("error"), "warning": _("warning")}
HINT = _("hint")


@lru_cache(maxsize=256)  # a large site can warn hundreds of times about one file
def _shown(path: Path, root: Path | None) -> str:
    if root is not None and path.is_relative_to(root):
        path = path.relative_to(root)
    return path.as_posix()


def read_line(path: Path, line: int) -> str | None:
    """The 1-based ``line`` of ``path`` as text, or None if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return None


class BuildError(Exception):
    """Raised with every error of a run, after all files have been checked."""

    def __init__(self, errors: Iterable[ContentError]) -> None:
        self.errors = sorted(
            errors, key=lambda e: (e.pos.path.as_posix(), e.pos.line, e.pos.col, e.message.msgid)
        )
        super().__init__(f"{len(self.errors)} error(s)")

    def format(self, lang: Language, root: Path | None = None) -> str:
        parts = [e.format(lang, root) for e in self.errors]
        n = len(self.errors)
        parts.append(
            lang.text(n_("{n} error; nothing was written.", "{n} errors; nothing was written.", n))
        )
        return "\n\n".join(parts)


class Problems:
    """Collects errors during a stage; ``check()`` raises them all at once."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []
        self.warnings: list[ContentError] = []  # reported, and errors with --strict

    def add(
        self,
        pos: Position,
        message: Message,
        hint: Message | None = None,
        source_line: str | None = None,
    ) -> None:
        self.errors.append(ContentError(pos, message, hint, source_line))

    def warn(self, pos: Position, message: Message, hint: Message | None = None) -> None:
        self.warnings.append(ContentError(pos, message, hint, severity="warning"))

    def count(self) -> int:
        """Errors and warnings so far: a file that added none is clean."""
        return len(self.errors) + len(self.warnings)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def check(self) -> None:
        if self.errors:
            raise BuildError(self.errors)


class UsageError(Exception):
    """A problem with how bangtin was called (bad option, bad folder): exit code 2."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(str(message))


class DeployError(Exception):
    """Publishing to object storage failed (the storage refused, or could not be
    reached): exit code 1, the message and a hint, never a traceback."""

    def __init__(self, message: Message, hint: Message | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(str(message))
