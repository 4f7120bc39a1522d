"""Read source files: strict UTF-8, NFC text, and the front matter split from the body.

The YAML itself is read by generator.inputs.fields.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from generator.errors import Position, Problems
from generator.i18n import _

MAX_FILE_BYTES = 2 * 1024 * 1024


def read_text(path: Path, problems: Problems) -> str | None:
    """The file as NFC text with ``\\n`` line ends and no BOM, or None after an error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.add(
            Position(path), _("cannot read file: {reason}", reason=str(exc.strerror or exc))
        )
        return None
    if len(data) > MAX_FILE_BYTES:
        problems.add(
            Position(path),
            _(
                "file is too large ({size} KiB, the limit is {limit} KiB)",
                size=len(data) // 1024,
                limit=MAX_FILE_BYTES // 1024,
            ),
            hint=_("split it into several notices, or link to the full document"),
            source_line="",
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # the column in characters, as an editor shows it, not in bytes
        col = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        problems.add(
            Position(path, line, col),
            _("file is not valid UTF-8"),
            hint=_(
                "save the file with the UTF-8 encoding (in Notepad: Save As > Encoding > UTF-8)"
            ),
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        problems.add(
            Position(path, line, col),
            _("file contains a NUL byte"),
            hint=_("the file may be binary or damaged; copy its text into a new file"),
            source_line=text.split("\n")[line - 1].replace("\x00", "\\0"),
        )
        return None
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    yaml_text: str
    yaml_first_line: int  # file line of the first YAML line
    body: str
    body_first_line: int


_FENCE = re.compile(r"^---[ \t]*$")


def split_front_matter(path: Path, text: str, problems: Problems) -> FrontMatter | None:
    """Split ``---`` YAML ``---`` from the Markdown body."""
    lines = text.split("\n")
    if not text.strip():
        problems.add(
            Position(path),
            _("file is empty"),
            hint=_("a notice starts with a line `---`, then `title:` and `date:`, then `---`"),
            source_line="",
        )
        return None
    if not _FENCE.match(lines[0]):
        problems.add(
            Position(path),
            _("missing front matter: the first line must be `---`"),
            hint=_("start the file with `---`, then the keys (title:, date:, ...), then `---`"),
        )
        return None
    for i in range(1, len(lines)):
        if _FENCE.match(lines[i]):
            return FrontMatter(
                yaml_text="\n".join(lines[1:i]) + "\n",
                yaml_first_line=2,
                body="\n".join(lines[i + 1 :]),
                body_first_line=i + 2,
            )
    problems.add(
        Position(path),
        _("front matter is not closed"),
        hint=_("did you forget the closing `---` line after the keys?"),
    )
    return None
