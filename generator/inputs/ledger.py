"""The printed-URL ledger, ``content/printed.yml``: every URL ever printed on a board.

A board hangs for years, so each URL in the ledger must keep opening a page: the
page itself, or an alias that redirects to the page that replaced it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import BuildError, Position, Problems
from generator.i18n import Message, _
from generator.inputs.fields import Fields, load_yaml_list
from generator.inputs.files import read_text
from generator.inputs.schema import Field
from generator.models import SiteConfig
from generator.plan.site import Plan

LEDGER_NAMES = ("printed.yml", "printed.yaml")
EXAMPLE = "- url: https://dinhhung.example/l/tram-y-te/"
# The keys of an entry (not an editor's file: bangtin writes it, editors only read it).
ENTRY = (
    Field("url", "text", required=EXAMPLE.removeprefix("- ")),
    Field("board", "text"),
    Field("printed", "date"),
)


def alias_hint(path: str) -> Message:
    """How to keep a printed URL whose page ``path`` is gone."""
    return _(
        "add `aliases: [{path}]` to the page that replaced it (see README: Permanent URLs)",
        path=path,
    )


HEADER = """\
# Printed URLs: every address ever printed on a QR board of this site.
# `bangtin boards --record` adds the new ones when boards go to print.
# Never remove or change a line: a board may still hang somewhere with that URL.
# `bangtin build` fails when one of these URLs would no longer open a page; keep
# it working with `aliases:` on the page that replaced it (README: Permanent URLs).
#
# Địa chỉ đã in: mọi địa chỉ từng được in trên bảng mã QR của trang này.
# Lệnh `bangtin boards --record` thêm các địa chỉ mới khi in bảng.
# Không bao giờ xóa hay sửa một dòng: có thể một tấm bảng vẫn đang treo với địa chỉ đó.
# `bangtin build` báo lỗi khi một địa chỉ dưới đây không còn mở được trang nào; hãy
# giữ nó bằng `aliases:` ở trang thay thế (README: Permanent URLs).

"""


@dataclass(frozen=True, slots=True)
class Printed:
    """One printed URL, and where the ledger lists it."""

    url: str
    board: str | None
    printed: dt.date | None
    pos: Position  # of the `url:` value


def ledger_path(site: SiteConfig) -> Path:
    """``printed.yml`` beside ``site.yml`` (or ``printed.yaml`` if that is the one there)."""
    for name in LEDGER_NAMES:
        if (site.root / name).is_file():
            return site.root / name
    return site.root / LEDGER_NAMES[0]


def load_ledger(site: SiteConfig) -> tuple[Printed, ...]:
    """Every entry of the ledger, in file order; ``()`` when there is none."""
    problems = Problems()
    both = [site.root / name for name in LEDGER_NAMES]
    if all(p.is_file() for p in both):
        problems.add(
            Position(both[1]),
            _("both {first} and {second} exist", first=both[0].name, second=both[1].name),
            hint=_(
                "move the entries of {second} into {first} and delete it",
                first=both[0].name,
                second=both[1].name,
            ),
            source_line="",
        )
        raise BuildError(problems.errors)
    path = ledger_path(site)
    if not path.exists():
        return ()
    text = read_text(path, problems)
    entries = () if text is None else parse_ledger(path, text, problems)
    problems.check()
    return entries


def parse_ledger(path: Path, text: str, problems: Problems) -> tuple[Printed, ...]:
    """The entries of ledger ``text`` (read from ``path``), reporting every problem."""
    nodes = load_yaml_list(path, text, 1, problems, EXAMPLE)
    out: list[Printed] = []
    seen: dict[str, int] = {}
    for node in nodes or ():
        f = Fields(path, node, 1, problems, ENTRY)
        url = f.text("url")
        board = f.text("board")
        printed = f.when("printed")
        if isinstance(printed, dt.datetime):
            f.error(
                f.node_of("printed"), _("`printed` is a day, not a time"), hint=_("e.g. 2026-11-28")
            )
            printed = None
        if url is None:
            continue
        pos = f.pos(f.node_of("url"))
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            f.error(
                f.node_of("url"),
                _("`url` must be the full address printed on the board, not `{url}`", url=url),
                hint=_("e.g. `url: https://dinhhung.example/l/tram-y-te/`"),
            )
            continue
        if url in seen:
            f.error(
                f.node_of("url"),
                _("URL {url} is listed twice", url=url),
                hint=_(
                    "it is already listed on line {line}; keep only the first entry",
                    line=seen[url],
                ),
            )
            continue
        seen[url] = pos.line
        out.append(Printed(url, board, printed, pos))
    return tuple(out)


def check_ledger(site: SiteConfig, plan: Plan, ledger: tuple[Printed, ...]) -> None:
    """Every printed URL must still open a page: raise BuildError naming each that would not."""
    problems = Problems()
    base = site.site_base_url or site.base_url
    pages = {p.url_path for p in plan.pages}
    aliases = {r.alias.path for r in plan.redirects}
    for entry in ledger:
        url = base if entry.url == base.removesuffix("/") else entry.url  # the home page
        if not url.startswith(base):
            problems.add(
                entry.pos,
                _("printed URL {url} is not under base_url {base}", url=entry.url, base=base),
                hint=_(
                    "changing the domain or path of base_url breaks every printed code: keep "
                    "the old base_url in site.yml. If the old one was an example address that "
                    "was never printed on a board, remove its entries from {ledger}",
                    ledger=ledger_path(site).name,
                ),
            )
            continue
        path = served_path(url[len(base) :])
        if path not in pages and path not in aliases:
            problems.add(
                entry.pos,
                _("printed URL {url} would no longer open a page", url=entry.url),
                hint=alias_hint(path),
            )
    problems.check()


def served_path(rest: str) -> str:
    """The page folder a static server answers ``rest`` with (``l/a?x=1`` -> ``l/a/``)."""
    path = re.split(r"[?#]", rest, maxsplit=1)[0]
    path = path.removesuffix("index.html")
    if path and not path.endswith("/"):
        path += "/"  # servers redirect a folder without its slash to the folder
    return path


def record(site: SiteConfig, plan: Plan, today: dt.date) -> list[str]:
    """Append every board URL not yet in the ledger; return the URLs added.

    Existing lines are kept byte for byte (comments included): the new entries are
    appended to the text, and the file is replaced in one step.
    """
    base = site.site_base_url or site.base_url
    known = {entry.url for entry in load_ledger(site)}
    added: list[str] = []
    lines: list[str] = []
    for board in plan.boards:
        url = base + board.target
        if url in known or url in added:
            continue
        added.append(url)
        lines += [
            f"- url: {_yaml_text(url)}",
            f"  board: {_yaml_text(board.id)}",
            f"  printed: {today.isoformat()}",
        ]
    if not added:
        return []
    path = ledger_path(site)
    old = path.read_bytes() if path.exists() else HEADER.encode("utf-8")
    newline = b"\r\n" if b"\r\n" in old else b"\n"
    if old and not old.endswith(b"\n"):
        old += newline
    new = old + newline.join(line.encode("utf-8") for line in lines) + newline
    _check_appended(path, new, known, added)
    _replace(path, new)
    return added


def _yaml_text(value: str) -> str:
    """``value`` as a YAML scalar read back as the same text: plain when that is safe."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~:/?&=%+@!$*,;-]*", value) and value not in (
        "null",
        "Null",
        "NULL",
    ):
        return value
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _check_appended(path: Path, data: bytes, known: set[str], added: list[str]) -> None:
    """Refuse to write a ledger that would not read back as the old entries plus the new."""
    problems = Problems()
    text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    urls = [e.url for e in parse_ledger(path, unicodedata.normalize("NFC", text), problems)]
    if problems or set(urls[: len(known)]) != known or urls[len(known) :] != added:
        problems = Problems()
        problems.add(
            Position(path),
            _(
                "cannot add entries to this file: lines added at its end would not be read as "
                "more entries of its list"
            ),
            hint=_(
                "write the list in block style, each entry starting with `- url:` on its "
                "own line, with nothing after the last entry"
            ),
            source_line="",
        )
        raise BuildError(problems.errors)


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, keeping the file's permissions."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
