"""The keys editors may write, one typed table per kind of file.

The loaders take the allowed keys (and "did you mean" hints) from these tables, and
the tests take their edits from them: a key added here is checked, suggested and
covered by the differential test of update builds without anyone listing it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a key holds, as the YAML reader (inputs.fields.Fields) reads it:
# text, bool, int, number, date (a day), when (a day or a moment), a list of text,
# a group of keys, or one of the list kinds that name other things: places (place
# ids or `all`), aliases (old URL paths).
Kind = Literal[
    "text", "bool", "int", "number", "date", "when", "list", "group", "places", "aliases"
]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: Kind
    required: str = ""  # an example line when the key is required, else ""
    keys: tuple[Field, ...] = ()  # a group's own keys
    examples: tuple[str, ...] = ()  # valid values, as YAML text


def names(fields: tuple[Field, ...]) -> list[str]:
    return [f.name for f in fields]


def field(fields: tuple[Field, ...], name: str) -> Field:
    return next(f for f in fields if f.name == name)


PAPER = ("a5", "a4", "a3")

CONTACT = (
    Field("name", "text", examples=("Tổ công nghệ số cộng đồng",)),
    Field("phone", "text", examples=('"0237 3123 456"',)),
    Field("email", "text", examples=("to-cns@dinhhung.example",)),
)
QR = (
    Field("error", "text", examples=("l", "m", "q", "h")),
    Field("scale", "int", examples=("8", "10", "12")),
    Field("dark", "text", examples=('"#000000"', '"#1a1a40"')),
    Field("light", "text", examples=('"#ffffff"', '"#fffef0"')),
)
URLS = (
    Field("notice", "text", examples=("n", "tb")),
    Field("location", "text", examples=("l", "dd")),
    Field("page", "text", examples=("p", "trang")),
    Field("tag", "text", examples=("t", "chu-de")),
    Field("archive", "text", examples=("luu-tru", "cu")),
    Field("verify", "text", examples=("verify", "kiem-tra")),
    Field("all", "text", examples=("tat-ca", "moi")),
    Field("media", "text", examples=("m", "tep")),
)
BOARDS = (
    Field("size", "text", examples=PAPER),
    Field("distance", "number", examples=("0.5", "1.0", "1.5")),
)
# Where `bangtin deploy` publishes a site (generator.deploy.target): an S3-compatible
# bucket, a folder in it, the storage's address (none: AWS S3) and region.
DEPLOY = (
    Field(
        "bucket",
        "text",
        required="bucket: bangtin-dinh-hung",
        examples=("bangtin-dinh-hung", "bangtin-thanh-hoa"),
    ),
    Field("prefix", "text", examples=("dinh-hung/", "sites/dinh-hung")),
    Field(
        "endpoint_url",
        "text",
        examples=(
            "https://0123456789abcdef.r2.cloudflarestorage.com",
            "https://s3.example.vn",
        ),
    ),
    Field("region", "text", examples=("ap-southeast-1", "auto")),
    Field("directory_keys", "bool", examples=("true", "false")),
)
SITE = (
    Field("title", "text", required="title: Bảng tin xã Định Hưng", examples=("Bảng tin xã",)),
    Field(
        "base_url",
        "text",
        required="base_url: https://dinhhung.example/",
        examples=("https://dinhhung.example/", "https://thanhhoa.example/dinh-hung/"),
    ),
    Field("language", "text", examples=("vi", "en")),
    Field("timezone", "text", examples=("Asia/Ho_Chi_Minh", "Asia/Bangkok", "UTC")),
    Field("theme", "text", examples=("default",)),
    Field("description", "text", examples=("Thông tin cho bà con trong xã.",)),
    Field("contact", "group", keys=CONTACT),
    Field("qr", "group", keys=QR),
    Field("urls", "group", keys=URLS),
    Field("boards", "group", keys=BOARDS),
    Field("keep", "list", examples=("[CNAME]", "[CNAME, google*.html]")),
    Field("media_max_mb", "int", examples=("20", "1")),
    Field("image", "text", examples=("media/anh.jpg", "media/khong-co.png")),
    Field("deploy", "group", keys=DEPLOY),
)

NOTICE = (
    Field("title", "text", required="title: Lịch tiêm chủng tháng 12", examples=("Họp dân",)),
    Field("date", "when", required="date: 2026-11-28", examples=("2026-11-20",)),
    Field("expires", "when", examples=("2026-12-31", "2026-11-28T18:00")),
    Field("updated", "when", examples=("2026-11-25", "2026-11-26T08:15")),
    Field("locations", "places"),
    Field("tags", "list", examples=("[y tế]", "[điện, nước]")),
    Field("pinned", "bool", examples=("true", "false")),
    Field("urgent", "bool", examples=("true", "false")),
    Field("summary", "text", examples=("Tóm tắt ngắn.",)),
    Field("slug", "text", examples=("thong-bao-moi",)),
    Field("draft", "bool", examples=("true", "false")),
    Field("aliases", "aliases"),
    Field("board", "bool", examples=("true", "false")),
    Field("board_size", "text", examples=PAPER),
    Field("image", "text", examples=("../media/anh.jpg", "../media/so-do.png")),
    Field("issuer", "text", examples=("Công an tỉnh Thanh Hóa", "UBND xã Định Hưng")),
)

GEO = (
    Field("lat", "number", examples=("19.81",)),
    Field("lon", "number", examples=("105.62",)),
)
PLACE_CONTACT = CONTACT[:2]
PLACE = (
    Field("name", "text", required="name: Trạm y tế xã", examples=("Nhà văn hóa thôn 2",)),
    Field("address", "text", examples=("Thôn 9, xã Định Hưng",)),
    Field("description", "text", examples=("Mở cửa từ 7 giờ.",)),
    Field("geo", "group", keys=GEO),
    Field("contact", "group", keys=PLACE_CONTACT),
    Field("aliases", "aliases"),
    Field("board_size", "text", examples=PAPER),
    Field("image", "text", examples=("../media/so-do.png", "../media/anh.jpg")),
)

PAGE = (
    Field("title", "text", required="title: Giới thiệu", examples=("Liên hệ",)),
    Field("summary", "text", examples=("Tóm tắt trang.",)),
    Field("slug", "text", examples=("lien-he",)),
    Field("order", "int", examples=("1", "5")),
    Field("draft", "bool", examples=("true", "false")),
    Field("aliases", "aliases"),
)

HUB = (
    Field(
        "base_url",
        "text",
        required="base_url: https://bangtin.thanhhoa.example/",
        examples=("https://bangtin.thanhhoa.example/",),
    ),
    Field("title", "text", required="title: Bảng tin các xã tỉnh Thanh Hóa"),
    Field("deploy", "group", keys=DEPLOY),
)
# bangtin.yml, the root file of a province (generator.province): `sites` maps each site's
# id to its content folder, `deploy` a site's id to its target (keys of DEPLOY), so
# neither has fixed keys of its own.
PROVINCE = (
    Field("sites", "group", required="sites: {dinh-hung: sites/dinh-hung/content}"),
    Field("shared", "text", examples=("shared",)),
    Field("theme", "text", examples=("themes/thanh-hoa",)),
    Field("hub", "group", keys=HUB),
    Field("deploy", "group"),
)
