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
    body: str = f"{PLACEHOLDER}: ai, việc gì, khi nào, ở đâu, liên hệ ai.",
    tags: str = "[]",
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
tags: {tags}
pinned: {"true" if pinned else "false"}   # true: luôn ở đầu danh sách, đánh dấu "Ghim"
urgent: {"true" if urgent else "false"}   # true: tin khẩn, hiện trên mọi trang đến khi hết hạn
draft: false
---

{body}
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
    files = _site_content(content, day, title, base_url or "https://bangtin.example/")
    files += [
        _create(folder / workflow.PATH, workflow.text()),
        _create(folder / ".gitignore", GITIGNORE),
        _create(folder / ".github" / "CODEOWNERS", CODEOWNERS),
    ]
    return files


def _site_content(content: Path, day: dt.date, title: str, base_url: str) -> list[Path]:
    """A site's content folder: site.yml, a place, a notice to write and a page."""
    return [
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
    ]


GITIGNORE = "/output/\n/output.nginx/\n/.bangtin-staging-*/\n/.bangtin-lock-*\n"

# The sites ``bangtin init --province`` starts with: id, the site's title.
PROVINCE_SITES = (("xa-mot", "Bảng tin xã Một"), ("xa-hai", "Bảng tin xã Hai"))

# The province's own files are reviewed like code too: bangtin.yml decides what every
# site publishes, and the shared notices reach every commune's boards at once.
PROVINCE_CODEOWNERS = """\
# Giao diện (themes/) là mã chương trình: mọi thay đổi cần người phụ trách kỹ thuật duyệt.
# bangtin.yml và thư mục shared/ (thông báo dùng chung của tỉnh) ảnh hưởng đến mọi xã.
# Themes are code, and bangtin.yml and shared/ reach every site: they need a review.
/themes/ @your-org/technical-owners
/sites/*/themes/ @your-org/technical-owners
/bangtin.yml @your-org/technical-owners
/shared/ @your-org/province-editors
/.github/ @your-org/technical-owners
"""

# A real notice, with the keys every notice has: it reaches every site of the province.
SHARED_NOTICE = (
    "Cảnh báo lừa đảo: giả danh công an gọi điện",
    """Công an tỉnh cảnh báo: kẻ gian gọi điện, xưng là cán bộ công an, yêu cầu người dân
cài ứng dụng từ một đường link lạ hoặc đọc mã OTP để "cập nhật định danh điện tử".
Đây là thủ đoạn lừa đảo để chiếm đoạt tiền trong tài khoản ngân hàng.

- Công an không gọi điện yêu cầu cài ứng dụng, chuyển tiền hay đọc mã OTP.
- Chỉ cài ứng dụng VNeID từ App Store hoặc Google Play.
- Khi nghi ngờ, hãy gọi ngay công an xã hoặc số 113.""",
)


def province_text(title: str, base_url: str) -> str:
    """``bangtin.yml`` of a new province: its sites, shared folder and hub."""
    sites = "".join(f"  {site_id}: sites/{site_id}/content\n" for site_id, _t in PROVINCE_SITES)
    return f"""\
# Kho bảng tin của cả tỉnh: mỗi xã, phường một trang tin, cùng các thông báo dùng chung.
# (Xem mục "A province" trong README của bangtin.)
#
# sites: mỗi dòng là một xã: mã của xã (chữ thường không dấu, số và dấu '-'; cũng là tên
#   thư mục của xã trong output/) và thư mục nội dung của xã (site.yml, notices/,
#   locations/, pages/). Mỗi xã ghi địa chỉ riêng (base_url) trong site.yml của mình.
#   Thêm một xã: chép một thư mục trong sites/, sửa site.yml của nó, rồi thêm một dòng ở đây.
# shared: thông báo dùng chung của tỉnh (shared/notices/) và tệp đính kèm của chúng
#   (shared/media/): hiện trên trang tin của mọi xã.
# theme: (không bắt buộc) thư mục giao diện chung cho mọi xã.
# hub: trang chung của tỉnh, liệt kê mọi xã, có mã QR riêng.
#
# Lệnh, chạy trong thư mục này: `bangtin build` dựng mọi xã vào output/<mã xã>/ và trang
# chung của tỉnh vào output/; `bangtin build --site xa-mot` chỉ dựng một xã; `bangtin check`
# kiểm tra mà không ghi gì; `bangtin changed-sites --since origin/main` cho biết những xã
# nào bị ảnh hưởng bởi các thay đổi.
sites:
{sites}shared: shared
# theme: themes/tinh   # giao diện chung (không bắt buộc)
hub:
  base_url: {base_url}  # địa chỉ trang chung của tỉnh; mỗi xã ở <địa chỉ này><mã xã>/
  title: {_quote(title)}
"""


def init_province(
    folder: Path, day: dt.date, title: str = "Bảng tin các xã", base_url: str = ""
) -> list[Path]:
    """A new province: bangtin.yml naming two sites (each like a new site's content), a
    shared folder with one notice, a CI workflow that checks only the sites a pull
    request changes, and a .gitignore."""
    base_url = (base_url or "https://bangtin.example/").rstrip("/") + "/"  # sites below it
    root_file = folder / "bangtin.yml"
    notice_title, body = SHARED_NOTICE
    shared = folder / "shared"
    shared_notice = shared / "notices" / f"{day.isoformat()}-{slugify(notice_title)}.md"
    ignore, owners = folder / ".gitignore", folder / ".github" / "CODEOWNERS"
    sites = [folder / "sites" / site_id for site_id, _title in PROVINCE_SITES]
    # all or nothing: a folder with a .gitignore of its own is refused before any file
    for path in (root_file, *sites, shared_notice, folder / workflow.PATH, ignore, owners):
        if path.exists():
            message = _(
                "{path} already exists; bangtin init only starts new provinces", path=str(path)
            )
            raise UsageError(message)
    files = [_create(root_file, province_text(title, base_url))]
    for site_folder, (site_id, site_title) in zip(sites, PROVINCE_SITES, strict=True):
        files += _site_content(site_folder / "content", day, site_title, f"{base_url}{site_id}/")
    notice = notice_text(notice_title, day, None, None, False, body=body, tags="[cảnh báo]")
    files.append(_create(shared_notice, notice))
    (shared / "media").mkdir(parents=True, exist_ok=True)  # province-wide pictures, PDFs
    files += [
        shared / "media",
        _create(folder / workflow.PATH, workflow.text(province=True)),
        _create(ignore, GITIGNORE),
        _create(owners, PROVINCE_CODEOWNERS),
    ]
    return files
