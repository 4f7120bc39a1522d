"""``bangtin new`` and ``bangtin init``: start a notice, a place or a whole site from a template."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator import __version__
from generator.errors import UsageError
from generator.i18n import _, n_
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
    expires: dt.date | None,
    pinned: bool,
) -> str:
    where = "all" if not locations else "[" + ", ".join(locations) + "]"
    expires_line = (
        f"expires: {expires.isoformat()}"
        if expires
        else "# expires: YYYY-MM-DD   # ngày cuối cùng thông báo còn hiệu lực"
    )
    return f"""---
title: {_quote(title)}
date: {day.isoformat()}
{expires_line}
locations: {where}   # mã địa điểm, hoặc all (mọi bảng tin)
tags: []
pinned: {"true" if pinned else "false"}   # true: hiện đầu tiên, đánh dấu khẩn
draft: false
---

Viết nội dung thông báo ở đây: ai, việc gì, khi nào, ở đâu, liên hệ ai.
"""


def new_notice(
    content: Path,
    title: str,
    day: dt.date,
    locations: list[str] | None = None,
    expires: dt.date | None = None,
    pinned: bool = False,
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
    if expires is not None and expires < day:
        raise UsageError(
            _(
                "--expires {expires} is before today ({today})",
                expires=expires.isoformat(),
                today=day.isoformat(),
            )
        )
    path = content / "notices" / f"{day.isoformat()}-{slug}.md"
    return _create(path, notice_text(title, day, locations, expires, pinned))


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
# address: "Thôn 1, xã Định Hưng"
# description: |
#   Giới thiệu ngắn về địa điểm (Markdown).
# geo: {{lat: 19.80, lon: 105.60}}
# contact: {{name: "Người phụ trách", phone: "0912 000 000"}}
"""
    return _create(content / "locations" / f"{location_id}.yml", text)


WORKFLOW = """\
# Check every pull request; build and publish the site on main, and every night, so
# that notices appear on their `date` and leave the lists after `expires` without a commit.
name: bangtin

on:
  pull_request:
  push:
    branches: [main]
  schedule:
    - cron: "5 17 * * *"  # 00:05 every day in Asia/Ho_Chi_Minh (UTC+7)
  workflow_dispatch:

permissions:
  contents: read

env:
  # Where to install bangtin from: a released version, or git+https://... of your copy.
  BANGTIN: "bangtin=={version}"

jobs:
  check:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "$BANGTIN"
      - run: bangtin check

  build:
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "$BANGTIN"
      - run: bangtin build
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output

  publish:
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{{{ steps.deploy.outputs.page_url }}}}
    concurrency:
      group: pages
      cancel-in-progress: false
    steps:
      - id: deploy
        uses: actions/deploy-pages@v4
"""


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
  phone: "0912 000 000"
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
        _create(
            folder / ".github" / "workflows" / "bangtin.yml", WORKFLOW.format(version=__version__)
        ),
        _create(folder / ".gitignore", "/output/\n/.bangtin-staging-*/\n/.bangtin-lock-*\n"),
        _create(folder / ".github" / "CODEOWNERS", CODEOWNERS),
    ]
    return files
