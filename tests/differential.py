"""A site as a model the tests edit, and the judge of update builds: a clean build.

``Site`` writes ``content/`` (and a site theme) from plain values, so that an edit is a
change to the model; ``verdict()`` builds the site as ``bangtin build`` does, in place
over the previous output with the cache beside it, and from nothing in a new folder,
and says how they differ (nothing, when the update is right).  The edits come from the
schema tables the loader uses (generator.inputs.schema): a key added there is edited
here without anyone listing it.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator import api
from generator.errors import BuildError, UsageError
from generator.i18n import ENGLISH
from generator.inputs import schema
from tests.conftest import EPOCH, tree_bytes

Value = str | dict[str, str]  # YAML text of a value, or a group's keys and values


@dataclass
class Doc:
    """One content file: its keys (YAML text of each value) and its Markdown body."""

    fields: dict[str, Value]
    body: str = ""


def yaml_lines(fields: dict[str, Value]) -> list[str]:
    lines = []
    for key, value in fields.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {v}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {value}")
    return lines


def q(text: str) -> str:
    """A YAML double-quoted string (JSON's is one)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass
class Site:
    """A small site: settings, places, notices, standing pages, a ledger, a theme."""

    settings: dict[str, Value] = field(default_factory=dict)
    places: dict[str, Doc] = field(default_factory=dict)  # id -> file
    notices: dict[str, Doc] = field(default_factory=dict)  # file name -> file
    pages: dict[str, Doc] = field(default_factory=dict)  # file name -> file
    printed: list[str] = field(default_factory=list)  # URLs in the ledger
    templates: dict[str, str] = field(default_factory=dict)  # site theme overrides
    static: dict[str, str] = field(default_factory=dict)
    media: dict[str, bytes] = field(default_factory=dict)  # content/media/<name> -> bytes
    epoch: int = int(EPOCH)

    def docs(self, kind: str) -> dict[str, Doc]:
        return {"place": self.places, "notice": self.notices, "page": self.pages}[kind]

    def write(self, root: Path) -> None:
        """``root/content`` and ``root/themes`` exactly as the model says (others removed)."""
        for folder in ("content", "themes"):
            shutil.rmtree(root / folder, ignore_errors=True)
        content = root / "content"
        for sub in ("locations", "notices", "pages"):
            (content / sub).mkdir(parents=True)
        (content / "site.yml").write_text("\n".join(yaml_lines(self.settings)) + "\n", "utf-8")
        for place_id, doc in self.places.items():
            text = "\n".join(yaml_lines(doc.fields)) + "\n"
            (content / "locations" / f"{place_id}.yml").write_text(text, "utf-8")
        for folder, docs in (("notices", self.notices), ("pages", self.pages)):
            for name, doc in docs.items():
                head = "\n".join(["---", *yaml_lines(doc.fields), "---"])
                (content / folder / name).write_text(f"{head}\n\n{doc.body}\n", "utf-8")
        for name, data in self.media.items():
            path = content / "media" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if self.printed:
            entries = [f"- url: {url}\n  board: b\n  printed: 2026-11-01" for url in self.printed]
            (content / "printed.yml").write_text("\n".join(entries) + "\n", "utf-8")
        for folder, files in (("templates", self.templates), ("static", self.static)):
            for name, text in files.items():
                path = root / "themes" / "default" / folder / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, "utf-8")

    def copy(self) -> Site:
        return copy.deepcopy(self)

    def zone(self) -> ZoneInfo:
        """The site's timezone (Vietnam's when `timezone` is missing or not one)."""
        value = self.settings.get("timezone", "Asia/Ho_Chi_Minh")
        try:
            name = json.loads(value) if isinstance(value, str) and value[:1] == '"' else value
            return ZoneInfo(str(name))
        except (ValueError, OSError, ZoneInfoNotFoundError):
            return ZoneInfo("Asia/Ho_Chi_Minh")

    def ends(self, name: str) -> dt.datetime | None:
        """The moment notice ``name`` stops being in effect by its `expires` (a time, or
        the midnight after a day), in the site's timezone; None without a valid one."""
        value = self.notices[name].fields.get("expires")
        if not isinstance(value, str):
            return None
        try:
            if "T" in value:
                return dt.datetime.fromisoformat(value).replace(tzinfo=self.zone())
            day = dt.date.fromisoformat(value) + dt.timedelta(days=1)
        except (ValueError, OverflowError):  # not a day or a time; the calendar's last day
            return None
        return dt.datetime(day.year, day.month, day.day, tzinfo=self.zone())

    def urgent(self) -> list[str]:
        """The notices marked `urgent: true`, by file name."""
        return sorted(n for n, doc in self.notices.items() if doc.fields.get("urgent") == "true")


def starting_site() -> Site:
    """Places, notices (current, pinned, urgent, expiring, future, draft, everywhere),
    pages."""
    site = Site(
        settings={
            "title": q("Bảng tin xã Thử"),
            "base_url": "https://thu.example/",
            "description": q("Thông tin cho bà con."),
            "contact": {"name": q("Tổ công nghệ số"), "phone": q("0237 3123 456")},
        }
    )
    for place_id, name in [("tram-y-te", "Trạm y tế"), ("cho", "Chợ xã"), ("truong", "Trường")]:
        site.places[place_id] = Doc(
            {"name": q(name), "address": q(f"Thôn 1, {name}"), "description": q("Mở cửa 7 giờ.")}
        )
    notices = [
        ("2026-11-20-tiem-chung.md", "Lịch tiêm chủng", "2026-11-20", {"locations": '["tram-y-te"]', "tags": '["y tế"]', "expires": "2026-11-30"}),
        ("2026-11-22-cat-dien.md", "Cắt điện thôn 1", "2026-11-22T07:30", {"locations": '["cho", "truong"]', "pinned": "true", "tags": '["điện"]'}),
        ("2026-11-25-lua-dao.md", "Cảnh báo lừa đảo", "2026-11-25", {"locations": "all", "tags": '["cảnh báo", "y tế"]'}),
        ("2026-11-10-cu.md", "Thông báo cũ", "2026-11-10", {"expires": "2026-11-15"}),
        ("2026-11-29-sap-toi.md", "Sắp tới", "2026-11-29", {"locations": '["cho"]'}),
        ("2026-11-26-nhap.md", "Bản nháp", "2026-11-26", {"draft": "true"}),
        # urgent, until a time 30 hours after the tests' "now": a banner on every page
        ("2026-11-27-bao.md", "Bão số 15", "2026-11-27T18:00", {"locations": "all", "urgent": "true", "expires": "2026-11-29T18:00", "tags": '["cảnh báo"]'}),
    ]  # fmt: skip
    for name, title, date, extra in notices:
        body = f"{title}: bà con chú ý.\n\nXem [trạm y tế](../locations/tram-y-te.yml)."
        site.notices[name] = Doc({"title": q(title), "date": date, **extra}, body)
    site.pages["gioi-thieu.md"] = Doc({"title": q("Giới thiệu"), "order": "1"}, "Về chúng tôi.")
    site.media["anh.jpg"] = small_picture("JPEG", 1)
    site.media["tai-lieu.pdf"] = small_document(1)
    site.notices[
        "2026-11-25-lua-dao.md"
    ].body += (
        "\n\n![Ảnh chụp tin nhắn lừa đảo](../media/anh.jpg)\n\n[Hướng dẫn](../media/tai-lieu.pdf)"
    )
    site.pages["lien-he.md"] = Doc(
        {"title": q("Liên hệ"), "order": "2"},
        "Gọi [chợ](../locations/cho.yml) hoặc đọc [tin](../notices/2026-11-25-lua-dao.md).",
    )
    return site


def small_picture(fmt: str, version: int) -> bytes:
    """A small picture (a photo's EXIF orientation and GPS included for JPEG): fast to
    process, so the state machine can add and replace many."""
    from PIL import Image

    image = Image.new("RGB", (48 + version, 32), (40 * version % 256, 120, 200))
    out = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x0112] = 6
        exif[0x8825] = {1: "N", 2: (19.0, 48.0, 36.0), 3: "E", 4: (105.0, 37.0, 12.0)}
        image.save(out, "JPEG", exif=exif.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def small_document(version: int) -> bytes:
    return b"%PDF-1.4\n% bangtin test document " + str(version).encode() + b"\n%%EOF\n"


@dataclass(frozen=True)
class Outcome:
    """What a build gave: the files of the output, or its messages."""

    ok: bool
    files: dict[str, bytes]
    messages: str


def run_build(root: Path, output: Path) -> Outcome:
    options = api.Options(root / "content", output)
    try:
        result = api.build(options)
    except (BuildError, UsageError) as exc:
        text = exc.format(ENGLISH, root) if isinstance(exc, BuildError) else str(exc)
        return Outcome(False, {}, text)
    shown = result.result.warnings if result.result else result.warnings  # nothing to do: kept
    warnings = "\n".join(w.format(ENGLISH, root) for w in shown)
    return Outcome(True, tree_bytes(output), warnings)


def verdict(site: Site, root: Path) -> str:
    """Build ``site`` in place in ``root`` and from nothing: "" when both agree, else how
    they differ.  A failed update must leave the previous output exactly as it was."""
    site.write(root)
    output = root / "output"
    before = tree_bytes(output) if output.exists() else {}
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(site.epoch)
    try:
        update = run_build(root, output)
        with tempfile.TemporaryDirectory() as tmp:
            clean_root = Path(tmp)
            shutil.copytree(root / "content", clean_root / "content")
            if (root / "themes").exists():
                shutil.copytree(root / "themes", clean_root / "themes")
            clean = run_build(clean_root, clean_root / "output")
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    if update.ok != clean.ok:
        return f"update ok={update.ok}, clean ok={clean.ok}: {update.messages or clean.messages}"
    if not update.ok:
        if update.messages != clean.messages:
            return f"different errors:\n{update.messages}\n---\n{clean.messages}"
        if output.exists() and tree_bytes(output) != before:
            return "a failed update changed the output"
        return ""
    if update.messages != clean.messages:
        return f"different warnings:\n{update.messages}\n---\n{clean.messages}"
    if update.files != clean.files:
        differ = sorted(
            path
            for path in update.files.keys() | clean.files.keys()
            if update.files.get(path) != clean.files.get(path)
        )
        return f"{len(differ)} files differ from a clean build: {differ[:10]}"
    return ""


def all_fields() -> list[tuple[str, tuple[str, ...], schema.Field]]:
    """Every key of every kind of file, with the path to it through groups."""
    found = []
    for kind, table in (
        ("site", schema.SITE),
        ("notice", schema.NOTICE),
        ("place", schema.PLACE),
        ("page", schema.PAGE),
    ):
        for f in table:
            if f.kind == "group":
                found += [(kind, (f.name, sub.name), sub) for sub in f.keys]
            else:
                found.append((kind, (f.name,), f))
    return found


def set_value(fields: dict[str, Value], path: tuple[str, ...], value: str | None) -> None:
    """Set (or with None, remove) the key at ``path`` (one or two levels)."""
    if len(path) == 1:
        if value is None:
            fields.pop(path[0], None)
        else:
            fields[path[0]] = value
        return
    group = fields.get(path[0])
    if not isinstance(group, dict):
        group = {}
    if value is None:
        group.pop(path[1], None)
    else:
        group[path[1]] = value
    if group:
        fields[path[0]] = group
    else:
        fields.pop(path[0], None)
