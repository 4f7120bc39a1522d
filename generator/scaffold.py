"""``bangtin new`` and ``bangtin init``: a notice, place, page or whole site from a template."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from generator import workflow
from generator.errors import UsageError
from generator.i18n import _, n_
from generator.inputs.content import PLACEHOLDER
from generator.plan.urls import is_slug, slugify


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _create(path: Path, text: str) -> Path:
    """Write a new file; never overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        message = _("{path} already exists; bangtin never overwrites a file", path=str(path))
        raise UsageError(message) from None
    return path


def known_locations(content: Path) -> list[str]:
    folder = content / "locations"
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))


def notice_text(
    title: str,
    day: dt.date,
    locations: list[str] | None,
    expires: dt.date | dt.datetime | None,
    pinned: bool,
    urgent: bool = False,
) -> str:
    where = "all" if not locations else "[" + ", ".join(locations) + "]"
    expires_line = (
        f"expires: {_moment(expires)}"
        if expires
        else "# expires: YYYY-MM-DD   # ngày cuối cùng còn hiệu lực (hoặc YYYY-MM-DDTHH:MM)"
    )
    return f"""---
title: {_quote(title)}
date: {day.isoformat()}
{expires_line}
locations: {where}   # mã địa điểm, hoặc all (mọi bảng tin)
tags: []
pinned: {"true" if pinned else "false"}   # true: luôn ở đầu danh sách, đánh dấu "Ghim"
urgent: {"true" if urgent else "false"}   # true: tin khẩn, hiện trên mọi trang đến khi hết hạn
draft: false
---

{PLACEHOLDER}: ai, việc gì, khi nào, ở đâu, liên hệ ai.
"""


def new_notice(
    content: Path,
    title: str,
    day: dt.date,
    locations: list[str] | None = None,
    expires: dt.date | dt.datetime | None = None,
    pinned: bool = False,
    urgent: bool = False,
) -> Path:
    """Write ``notices/YYYY-MM-DD-<slug>.md`` with complete front matter."""
    slug = slugify(title)
    if not slug:
        raise UsageError(_("cannot make a file name from the title {title}", title=repr(title)))
    known = known_locations(content)
    unknown = [loc for loc in locations or [] if loc not in known]
    if unknown and known:
        raise UsageError(
            n_(
                "unknown place id: {ids}; known: {known}",
                "unknown place ids: {ids}; known: {known}",
                len(unknown),
                ids=", ".join(unknown),
                known=", ".join(known),
            )
        )
    if unknown:
        raise UsageError(
            n_(
                "unknown place id: {ids}; the site has no places yet",
                "unknown place ids: {ids}; the site has no places yet",
                len(unknown),
                ids=", ".join(unknown),
            )
        )
    last_day = expires.date() if isinstance(expires, dt.datetime) else expires
    if last_day is not None and last_day < day:
        raise UsageError(
            _(
                "--expires {expires} is before today ({today})",
                expires=_moment(expires),
                today=day.isoformat(),
            )
        )
    path = content / "notices" / f"{day.isoformat()}-{slug}.md"
    return _create(path, notice_text(title, day, locations, expires, pinned, urgent))


def _moment(value: dt.date | dt.datetime | None) -> str:
    """As front matter writes it: ``2026-11-30`` or ``2026-11-30T18:00``."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    return "" if value is None else value.isoformat()


def new_location(content: Path, location_id: str, name: str) -> Path:
    """Write ``locations/<id>.yml``."""
    if not is_slug(location_id):
        suggestion = slugify(location_id) or "nha-van-hoa-thon-1"
        raise UsageError(
            _(
                "place id {id} must be lowercase ASCII letters, digits and '-' "
                "(for example {suggestion})",
                id=repr(location_id),
                suggestion=suggestion,
            )
        )
    for suffix in (".yml", ".yaml"):
        if (content / "locations" / f"{location_id}{suffix}").exists():
            raise UsageError(_("place {id} already exists", id=repr(location_id)))
    text = f"""name: {_quote(name)}
# address: "Thôn ..., xã ..., tỉnh ..."
# description: |
#   Giới thiệu ngắn về địa điểm (Markdown).
# geo: {{lat: ..., lon: ...}}   # vĩ độ, kinh độ của địa điểm
# contact: {{name: "Người phụ trách", phone: "số điện thoại"}}
"""
    return _create(content / "locations" / f"{location_id}.yml", text)


_ORDER = re.compile(r"^order:[ \t]*(\d+)[ \t]*(#.*)?$", re.MULTILINE)


def next_order(content: Path) -> int:
    """One more than the highest ``order:`` of the site's pages (read leniently: a page
    with an error is the build's to report)."""
    orders = [0]
    folder = content / "pages"
    if folder.is_dir():
        for path in sorted(folder.glob("*.md")):
            try:
                text = path.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            orders += [int(m[1]) for m in _ORDER.finditer(text.split("\n---", 1)[0])]
    return max(orders) + 1


def page_text(title: str, order: int) -> str:
    return f"""---
title: {_quote(title)}
# summary: "Một câu giới thiệu trang."
order: {order}   # thứ tự trong danh sách trang: số nhỏ đứng trước
draft: false
---

{PLACEHOLDER}.
"""


def new_page(content: Path, title: str) -> Path:
    """Write ``pages/<slug>.md`` with complete front matter."""
    slug = slugify(title)
    if not slug:
        raise UsageError(_("cannot make a file name from the title {title}", title=repr(title)))
    return _create(content / "pages" / f"{slug}.md", page_text(title, next_order(content)))


# Themes are code (templates run at build time, in the job that checks pull requests):
# changes to them need a review by someone who can read them.
CODEOWNERS = """\
# Giao diện (themes/) là mã chương trình: mọi thay đổi cần người phụ trách kỹ thuật duyệt.
# Themes are code: every change needs a review by the site's technical owner.
/themes/ @your-org/technical-owners
/.github/ @your-org/technical-owners
"""


def init_site(
    folder: Path, day: dt.date, title: str = "Bảng tin xã", base_url: str = ""
) -> list[Path]:
    """A new site: content/ with one file of each kind, a CI workflow and a .gitignore."""
    content = folder / "content"
    if content.exists():
        raise UsageError(
            _("{content} already exists; bangtin init only starts new sites", content=str(content))
        )
    base_url = base_url or "https://bangtin.example/"
    files = [
        _create(
            content / "site.yml",
            f"""title: {_quote(title)}
base_url: {base_url}  # địa chỉ thật của trang: mã QR chứa địa chỉ này
language: vi
timezone: Asia/Ho_Chi_Minh
description: "Thông báo chính thức cho người dân, đọc nhanh bằng cách quét mã QR."
contact:
  name: "Tổ công nghệ số cộng đồng"
  # phone: "số điện thoại"   # số người dân gọi khi cần hỏi
""",
        ),
        new_location(content, "nha-van-hoa", "Nhà văn hóa thôn"),
        new_notice(content, "Chào mừng đến bảng tin điện tử", day),
        _create(
            content / "pages" / "gioi-thieu.md",
            """---
title: Giới thiệu
order: 1
---

Trang này do Tổ công nghệ số cộng đồng cập nhật. Quét mã QR trên bảng tin để xem
thông báo mới nhất.
""",
        ),
        _create(folder / workflow.PATH, workflow.text()),
        _create(
            folder / ".gitignore",
            "/output/\n/output.nginx/\n/.bangtin-staging-*/\n/.bangtin-lock-*\n",
        ),
        _create(folder / ".github" / "CODEOWNERS", CODEOWNERS),
    ]
    return files
