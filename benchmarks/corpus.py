"""A synthetic but realistic ``content/`` folder of any size, for benchmarks and big-site tests.

``generate(root, notices, places, seed)`` writes ``root/content`` (site.yml, locations/,
notices/, pages/) and ``root/corpus.json``: a plain description of what was generated
(dates, places, drafts, links), so tests can compute what the site must contain without
using the generator's own code.  The same seed always gives the same bytes.

The mix, for "now" = 28/11/2026 12:00 (+07:00), the moment the tests and benchmarks build at:

* ~2 % drafts, ~3 % future-dated (mostly 2027; with 3+ of them, two are later today),
* ~10 % expired (``expires`` before "now"), the rest current, ~2 % of all pinned,
* with 40 notices or more, four urgent ones (``urgent: true``), as a commune has them in a
  storm: two current for every place (one until 18:00 today, written
  ``expires: 2026-11-28T18:00``, one until the end of 30/11), one current naming 1-2
  places (until 17:00 tomorrow) and one for every place that expired at 09:00 today,
* ``locations: all`` for ~20 % of a small site but never more than ~40 notices
  (province-wide notices are few), the others name 1-4 places,
* Vietnamese titles and Markdown bodies with ``##`` headings, lists, a table and relative
  links to other published notices and to places (only to files that exist and are
  published, or the build would rightly refuse them).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TZ = dt.timezone(dt.timedelta(hours=7))  # Asia/Ho_Chi_Minh has no daylight saving
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=TZ)
TODAY = NOW.date()
BASE_URL = "https://bench.example/"
DESCRIPTION_FILE = "corpus.json"  # written beside content/, not inside it

# (Vietnamese, ASCII) pairs: the ASCII half makes ids and slugs without any slugifier.
COMMUNES = [
    ("Định Hưng", "dinh-hung"),
    ("Đông Sơn", "dong-son"),
    ("Quảng Phú", "quang-phu"),
    ("Hoằng Đạo", "hoang-dao"),
    ("Thiệu Đô", "thieu-do"),
    ("Nga Thủy", "nga-thuy"),
    ("Yên Lạc", "yen-lac"),
    ("Tân Phúc", "tan-phuc"),
    ("Vĩnh Hòa", "vinh-hoa"),
    ("Cẩm Tú", "cam-tu"),
]
PLACE_KINDS = [
    ("Trạm y tế xã {c}", "tram-y-te-{c}", "Trạm trưởng Trạm y tế"),
    ("Trụ sở UBND xã {c}", "ubnd-xa-{c}", "Văn phòng UBND xã"),
    ("Trường tiểu học {c}", "truong-tieu-hoc-{c}", "Ban giám hiệu"),
    ("Trường mầm non {c}", "truong-mam-non-{c}", "Ban giám hiệu"),
    ("Chợ {c}", "cho-{c}", "Ban quản lý chợ"),
    ("Bưu điện văn hóa xã {c}", "buu-dien-{c}", "Nhân viên bưu điện"),
    ("Nhà văn hóa thôn {n}, xã {c}", "nha-van-hoa-thon-{n}-{c}", "Trưởng thôn {n}"),
]
# (title, slug, tags)
TOPICS = [
    ("Lịch tiêm chủng mở rộng", "lich-tiem-chung-mo-rong", ["y tế", "tiêm chủng", "trẻ em"]),
    ("Lịch cắt điện để bảo dưỡng lưới", "lich-cat-dien-bao-duong-luoi", ["điện"]),
    ("Lịch thu gom rác thải sinh hoạt", "lich-thu-gom-rac-thai", ["môi trường"]),
    ("Họp dân bàn kế hoạch", "hop-dan-ban-ke-hoach", ["họp thôn"]),
    ("Cảnh báo cuộc gọi giả danh công an", "canh-bao-cuoc-goi-gia-danh", ["an ninh mạng"]),
    ("Cảnh báo mã QR giả dán đè", "canh-bao-ma-qr-gia", ["an ninh mạng", "chuyển đổi số"]),
    ("Chi trả lương hưu, trợ cấp bảo hiểm xã hội", "chi-tra-luong-huu", ["bảo hiểm xã hội"]),
    (
        "Hướng dẫn kích hoạt tài khoản VNeID",
        "huong-dan-kich-hoat-vneid",
        ["VNeID", "chuyển đổi số"],
    ),
    ("Phòng chống bão lũ và sạt lở đất", "phong-chong-bao-lu", ["phòng chống thiên tai"]),
    (
        "Khám sức khỏe miễn phí cho người cao tuổi",
        "kham-suc-khoe-nguoi-cao-tuoi",
        ["y tế", "người cao tuổi"],
    ),
    ("Tuyển sinh vào lớp 1", "tuyen-sinh-lop-1", ["giáo dục", "trẻ em"]),
    ("Tạm ngừng cấp nước sạch", "tam-ngung-cap-nuoc-sach", ["nước sạch"]),
    ("Phun hóa chất phòng sốt xuất huyết", "phun-hoa-chat-sot-xuat-huyet", ["y tế", "môi trường"]),
    ("Đăng ký nghĩa vụ quân sự", "dang-ky-nghia-vu-quan-su", ["quốc phòng"]),
    ("Giải bóng đá thanh niên", "giai-bong-da-thanh-nien", ["thể thao", "thanh niên"]),
    ("Tập huấn kỹ thuật trồng lúa chất lượng cao", "tap-huan-trong-lua", ["nông nghiệp"]),
    ("Sửa chữa đường giao thông liên thôn", "sua-chua-duong-lien-thon", ["giao thông"]),
    ("Thu tiền bảo hiểm y tế hộ gia đình", "thu-bao-hiem-y-te-ho-gia-dinh", ["bảo hiểm y tế"]),
    ("Hỗ trợ hộ nghèo, hộ cận nghèo dịp Tết", "ho-tro-ho-ngheo-dip-tet", ["an sinh xã hội"]),
    ("Lễ hội văn hóa truyền thống", "le-hoi-van-hoa", ["văn hóa"]),
    ("Tiêm phòng dại cho chó, mèo", "tiem-phong-dai-cho-meo", ["thú y"]),
    ("Cấp đổi giấy chứng nhận quyền sử dụng đất", "cap-doi-so-do", ["đất đai", "dịch vụ công"]),
]
# The urgent notices of a corpus of 40 or more: (category, nth of that category) ->
# (title, slug, tags, date, expires, for every place?).
URGENT = {
    ("current", 2): (
        "Cảnh báo bão số 15 đổ bộ vào đất liền",
        "canh-bao-bao-so-15",
        ["phòng chống thiên tai", "thông báo khẩn"],
        "2026-11-28T06:30",
        dt.datetime(2026, 11, 28, 18, 0, tzinfo=TZ),  # later today
        True,
    ),
    ("current", 3): (
        "Cấm đánh bắt thủy sản trên sông do nước lũ dâng cao",
        "cam-danh-bat-thuy-san-nuoc-lu",
        ["phòng chống thiên tai", "thông báo khẩn"],
        "2026-11-26",
        dt.date(2026, 11, 30),
        True,
    ),
    ("current", 4): (
        "Cắt điện khẩn cấp để khắc phục sự cố đường dây",
        "cat-dien-khan-cap-khac-phuc-su-co",
        ["điện", "thông báo khẩn"],
        "2026-11-28T07:15",
        dt.datetime(2026, 11, 29, 17, 0, tzinfo=TZ),  # tomorrow
        False,
    ),
    ("expired", 1): (
        "Tạm ngừng cấp nước sạch do vỡ đường ống chính",
        "tam-ngung-cap-nuoc-vo-duong-ong",
        ["nước sạch", "thông báo khẩn"],
        "2026-11-28T05:45",
        dt.datetime(2026, 11, 28, 9, 0, tzinfo=TZ),  # earlier today
        True,
    ),
}
EXTRA_TAGS = ["thông báo khẩn", "dịch vụ công", "chuyển đổi số", "phụ nữ", "thanh niên"]
HEADINGS = [
    ("Bà con cần lưu ý", "Hồ sơ cần mang theo", "Thời gian và địa điểm"),
    ("Nội dung chính", "Cách thực hiện", "Lịch cụ thể"),
    ("Đối tượng áp dụng", "Các bước đăng ký", "Lịch theo thôn"),
]
SENTENCES = [
    "UBND xã trân trọng thông báo để bà con nhân dân được biết và thực hiện.",
    "Đề nghị các trưởng thôn thông báo rộng rãi trên loa truyền thanh của thôn.",
    "Bà con chủ động sắp xếp công việc, đến đúng giờ để tránh phải chờ đợi lâu.",
    "Người cao tuổi, người khuyết tật được ưu tiên, không phải xếp hàng.",
    "Mọi khoản thu đều có biên lai; bà con không nộp tiền cho người lạ.",
    "Trường hợp trời mưa to, lịch có thể thay đổi; xã sẽ thông báo lại trên bảng tin này.",
    "Cán bộ xã không bao giờ gọi điện yêu cầu chuyển tiền hay cung cấp mã OTP.",
    "Thông tin chi tiết được niêm yết tại trụ sở UBND xã và nhà văn hóa các thôn.",
    "Bà con mang theo căn cước hoặc mở ứng dụng VNeID trên điện thoại.",
    "Gia đình có trẻ nhỏ cần theo dõi sức khỏe của trẻ trong 24 giờ sau đó.",
    "Xã đã phối hợp với các đơn vị liên quan để bảo đảm an toàn, trật tự.",
    "Bà con có ý kiến đóng góp xin gửi về tổ công nghệ số cộng đồng của xã.",
]
LIST_ITEMS = [
    "Mang theo **căn cước** hoặc tài khoản VNeID mức 2.",
    "Đeo khẩu trang khi đến nơi đông người.",
    "Kiểm tra lại số điện thoại đã đăng ký với ngân hàng.",
    "Không bấm vào đường link lạ gửi qua tin nhắn, Zalo hoặc Facebook.",
    "Để xe đúng nơi quy định, không lấn chiếm lòng đường.",
    "Chuẩn bị sổ tiêm chủng hoặc sổ sức khỏe điện tử.",
    "Cắt điện các thiết bị không cần thiết trước giờ cắt điện.",
    "Phân loại rác hữu cơ và rác tái chế trước khi mang ra điểm tập kết.",
    "Trẻ đang sốt hoặc ốm, báo cán bộ y tế trước khi tiêm.",
    "Kê cao đồ đạc, chằng chống nhà cửa khi có tin bão.",
    "Nộp hồ sơ tại bộ phận một cửa, giờ hành chính từ thứ Hai đến thứ Sáu.",
    "Hộ gia đình đăng ký trước với trưởng thôn để xã chuẩn bị chu đáo.",
    "Giữ lại biên lai để đối chiếu khi cần.",
    "Không đốt rơm rạ gần đường dây điện.",
]
HOURS = ["7:00–11:00", "7:30–11:00", "8:00–11:30", "13:30–16:30", "14:00–17:00", "Cả ngày"]
NOTES = ["Ưu tiên người cao tuổi", "Mang theo căn cước", "Tiêm bù", "Có hỗ trợ tại chỗ", "—"]

PAGES = [
    ("gioi-thieu", "Giới thiệu bảng tin điện tử", 1),
    ("huong-dan-quet-ma", "Hướng dẫn quét mã QR an toàn", 2),
]


@dataclass
class Place:
    id: str
    name: str
    address: str
    contact_name: str
    phone: str
    lat: float
    lon: float


@dataclass
class NoticeSpec:
    slug: str
    title: str
    category: str  # current | expired | future | draft
    date_text: str  # as written in the front matter
    date: dt.datetime  # aware
    expires: dt.date | dt.datetime | None  # a day, or an aware time
    locations: list[str] | str  # "all" or place ids
    tags: list[str]
    pinned: bool
    draft: bool
    urgent: bool = False
    summary: str | None = None
    links: dict[str, list[str]] = field(default_factory=dict)

    @property
    def expires_text(self) -> str | None:
        """``expires`` as the front matter writes it (a time: in the site's timezone)."""
        if isinstance(self.expires, dt.datetime):
            return self.expires.astimezone(TZ).strftime("%Y-%m-%dT%H:%M")
        return None if self.expires is None else self.expires.isoformat()

    @property
    def file(self) -> str:
        return f"{self.date.astimezone(TZ).date().isoformat()}-{self.slug}.md"


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def make_places(rng: random.Random, count: int) -> list[Place]:
    candidates: list[tuple[str, str, str, str]] = []  # name, id, contact, address
    for c_vi, c_id in COMMUNES:
        for name_t, id_t, contact_t in PLACE_KINDS:
            villages = range(1, 13) if "{n}" in name_t else [0]
            for n in villages:
                candidates.append(
                    (
                        name_t.format(c=c_vi, n=n),
                        id_t.format(c=c_id, n=n),
                        contact_t.format(n=n),
                        f"Thôn {n or rng.randint(1, 12)}, xã {c_vi}, tỉnh Thanh Hóa",
                    )
                )
    rng.shuffle(candidates)
    places: list[Place] = []
    for i in range(count):
        name, pid, contact, address = candidates[i % len(candidates)]
        if i >= len(candidates):  # more places than combinations: number the repeats
            round_ = i // len(candidates) + 1
            name, pid = f"{name} (điểm {round_})", f"{pid}-diem-{round_}"
        places.append(
            Place(
                id=pid,
                name=name,
                address=address,
                contact_name=contact,
                phone=f"0237 3{rng.randint(0, 999):03d} {rng.randint(0, 999):03d}",
                lat=round(19.5 + rng.random() * 0.6, 5),
                lon=round(105.3 + rng.random() * 0.6, 5),
            )
        )
    return places


def _counts(total: int) -> dict[str, int]:
    counts = {
        "draft": round(total * 0.02),
        "future": round(total * 0.03),
        "expired": round(total * 0.10),
    }
    counts["current"] = total - sum(counts.values())
    return counts


def _datetime_text(day: dt.date, rng: random.Random, latest: dt.datetime | None = None) -> str:
    """``YYYY-MM-DD`` or, for about a third, ``YYYY-MM-DDTHH:MM`` (never after ``latest``)."""
    if rng.random() < 0.33:
        hour, minute = rng.randint(6, 17), rng.choice([0, 15, 30, 45])
        when = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)
        if latest is None or when <= latest:
            return when.strftime("%Y-%m-%dT%H:%M")
    return day.isoformat()


def _parse(text: str) -> dt.datetime:
    """The aware moment a front-matter date means (plain dates: midnight, site time)."""
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, tzinfo=TZ)
    when = dt.datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=TZ)


def plan_notices(rng: random.Random, count: int, places: list[Place]) -> list[NoticeSpec]:
    categories = [c for c, n in _counts(count).items() for _ in range(n)]
    rng.shuffle(categories)
    used: set[str] = set()
    specs: list[NoticeSpec] = []
    seen = {"current": 0, "expired": 0, "future": 0}
    for category in categories:
        expires: dt.date | dt.datetime | None = None
        nth = seen.get(category, 0)
        seen[category] = nth + 1
        if category == "current":
            day = TODAY - dt.timedelta(days=rng.randint(0, 330))
            date_text = _datetime_text(day, rng, latest=NOW)
            if rng.random() < 0.6:
                expires = TODAY + dt.timedelta(days=rng.randint(0, 120))
            if nth == 0 and count >= 40:
                date_text = "2026-11-28T12:00"  # exactly "now": published
            if nth == 1 and count >= 40:
                expires = TODAY  # today is its last day: still current
        elif category == "expired":
            expires = TODAY - dt.timedelta(days=rng.randint(1, 300))
            if nth == 0:
                expires = TODAY - dt.timedelta(days=1)  # ended yesterday
            day = expires - dt.timedelta(days=rng.randint(0, 60))
            date_text = _datetime_text(day, rng)
        elif category == "future":
            day = dt.date(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 180))
            date_text = _datetime_text(day, rng)
            if rng.random() < 0.5:
                expires = day + dt.timedelta(days=rng.randint(0, 60))
            if count >= 40 and nth == 0:
                date_text, expires = "2026-11-28T18:00", None  # later today
            if count >= 40 and nth == 1:
                date_text, expires = "2026-11-28T05:30+00:00", None  # 12:30 in Hà Nội
        else:  # draft
            day = TODAY - dt.timedelta(days=rng.randint(0, 200))
            date_text = _datetime_text(day, rng, latest=NOW)
        emergency = URGENT.get((category, nth)) if count >= 40 else None
        if emergency:
            date_text, expires = emergency[3], emergency[4]
        date = _parse(date_text)

        topic_vi, topic_slug, topic_tags = emergency[:3] if emergency else rng.choice(TOPICS)
        commune_vi, commune_id = rng.choice(COMMUNES)
        local = date.astimezone(TZ)
        qualifier = rng.choice(
            [
                (f"tháng {local.month}/{local.year}", f"thang-{local.month}-{local.year}"),
                (f"xã {commune_vi}", f"xa-{commune_id}"),
                (f"thôn {(v := rng.randint(1, 12))}, xã {commune_vi}", f"thon-{v}-{commune_id}"),
                (f"đợt {(k := rng.randint(1, 4))} năm {local.year}", f"dot-{k}-nam-{local.year}"),
            ]
        )
        # an urgent notice's title says it all: "Cảnh báo bão số 15", not "... tháng 11/2026"
        title = topic_vi if emergency else f"{topic_vi} {qualifier[0]}"
        slug = topic_slug if emergency else f"{topic_slug}-{qualifier[1]}"
        base, n = slug, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)

        tags = list(topic_tags)
        if rng.random() < 0.3:
            extra = rng.choice(EXTRA_TAGS)
            if extra not in tags:
                tags.append(extra)
        locations: list[str] | str
        # Province-wide notices are a few dozen at any size, not a fixed share:
        # 20 % of a commune's 300 notices, 40 of a province's 10,000.
        if not places or (emergency[5] if emergency else rng.random() < min(0.2, 40 / count)):
            locations = "all"
        else:
            most = 2 if emergency else 4  # an urgent notice for some places: one or two
            locations = [p.id for p in rng.sample(places, rng.randint(1, min(most, len(places))))]
        specs.append(
            NoticeSpec(
                slug=slug,
                title=title,
                category=category,
                date_text=date_text,
                date=date,
                expires=expires,
                locations=locations,
                tags=tags,
                pinned=False,
                draft=category == "draft",
                urgent=emergency is not None,
                summary=rng.choice(SENTENCES) if rng.random() < 0.2 else None,
            )
        )
    current = [s for s in specs if s.category == "current"]
    for s in rng.sample(current, min(len(current), round(count * 0.02))):
        s.pinned = True
    return specs


def notice_body(
    rng: random.Random, spec: NoticeSpec, linkable: list[NoticeSpec], places: list[Place]
) -> str:
    """Markdown: intro, a table, lists under ## headings, links to notices and places."""
    by_id = {p.id: p for p in places}
    mine = [by_id[i] for i in spec.locations] if spec.locations != "all" else []
    h_when, h_what, h_steps = rng.choice(HEADINGS)
    local = spec.date.astimezone(TZ)
    out = [f"{rng.choice(SENTENCES)} Thông báo về **{spec.title.lower()}** như sau.", ""]
    out += [" ".join(rng.sample(SENTENCES, 2)), ""]
    out += [f"## {h_when}", "", "| Ngày | Giờ | Địa điểm | Ghi chú |", "|---|---|---|---|"]
    for i in range(rng.randint(2, 5)):
        where = mine[i % len(mine)].name if mine else "Tất cả các thôn"
        day = local.date() + dt.timedelta(days=i * rng.randint(1, 3))
        out.append(f"| {vn(day)} | {rng.choice(HOURS)} | {where} | {rng.choice(NOTES)} |")
    out += ["", f"## {h_what}", ""]
    out += [f"- {item}" for item in rng.sample(LIST_ITEMS, rng.randint(3, 6))]
    out += ["", f"### {h_steps}", ""]
    out += [f"{i}. {item}" for i, item in enumerate(rng.sample(LIST_ITEMS, 3), 1)]
    out += ["", rng.choice(SENTENCES), ""]

    link_places = mine[:2] if mine else rng.sample(places, min(2, len(places)))
    others = [s for s in linkable if s.slug != spec.slug]
    link_notices = rng.sample(others, min(len(others), rng.randint(0, 3)))
    spec.links = {
        "notices": [s.slug for s in link_notices],
        "locations": [p.id for p in link_places],
    }
    if link_places or link_notices:
        out += ["## Xem thêm", ""]
        out += [f"- Địa điểm: [{p.name}](../locations/{p.id}.yml)" for p in link_places]
        out += [f"- Thông báo liên quan: [{s.title}]({s.file})" for s in link_notices]
        out.append("")
    out.append(
        f"Mọi thắc mắc xin liên hệ Văn phòng UBND xã, điện thoại 0237 3000 {rng.randint(100, 999)}."
    )
    return "\n".join(out) + "\n"


def notice_file(spec: NoticeSpec, body: str) -> str:
    lines = ["---", f"title: {q(spec.title)}", f"date: {spec.date_text}"]
    if spec.expires_text is not None:
        lines.append(f"expires: {spec.expires_text}")
    if spec.locations == "all":
        lines.append("locations: all")
    else:
        lines.append(f"locations: [{', '.join(spec.locations)}]")
    if spec.tags:
        lines.append(f"tags: [{', '.join(q(t) for t in spec.tags)}]")
    if spec.pinned:
        lines.append("pinned: true")
    if spec.urgent:
        lines.append("urgent: true")
    if spec.draft:
        lines.append("draft: true")
    if spec.summary:
        lines.append(f"summary: {q(spec.summary)}")
    lines += ["---", body]
    return "\n".join(lines)


def place_file(rng: random.Random, place: Place) -> str:
    description = [
        rng.choice(SENTENCES),
        "",
        *(f"- {item}" for item in rng.sample(LIST_ITEMS, 2)),
        "",
        "Xem [giới thiệu bảng tin](../pages/gioi-thieu.md) và "
        "[cách quét mã an toàn](../pages/huong-dan-quet-ma.md).",
    ]
    lines = [
        f"name: {q(place.name)}",
        f"address: {q(place.address)}",
        "description: |",
        *(f"  {line}" if line else "" for line in description),
        f"geo: {{lat: {place.lat:.5f}, lon: {place.lon:.5f}}}",
        "contact:",
        f"  name: {q(place.contact_name)}",
        f"  phone: {q(place.phone)}",
    ]
    return "\n".join(lines) + "\n"


def page_files(places: list[Place]) -> dict[str, str]:
    place_link = (
        f"Bảng tin đầu tiên được đặt tại [{places[0].name}](../locations/{places[0].id}.yml).\n"
        if places
        else ""
    )
    return {
        "gioi-thieu.md": (
            "---\n"
            'title: "Giới thiệu bảng tin điện tử"\n'
            'summary: "Bảng tin điện tử giúp bà con đọc thông báo của xã bằng điện thoại."\n'
            "order: 1\n"
            "---\n"
            "Bảng tin điện tử do UBND xã và tổ công nghệ số cộng đồng vận hành.\n\n"
            "## Bảng tin có gì\n\n"
            "- Thông báo mới nhất của xã, cập nhật hằng ngày.\n"
            "- Thông báo riêng cho từng nhà văn hóa, trường học, trạm y tế.\n"
            "- Thông báo cũ được giữ lại để tra cứu.\n\n"
            f"{place_link}\n"
            "Xem thêm [hướng dẫn quét mã QR an toàn](huong-dan-quet-ma.md).\n"
        ),
        "huong-dan-quet-ma.md": (
            "---\n"
            'title: "Hướng dẫn quét mã QR an toàn"\n'
            "order: 2\n"
            "---\n"
            "Mở camera điện thoại và hướng vào mã QR trên bảng tin.\n\n"
            "## Kiểm tra trước khi mở\n\n"
            f"1. Địa chỉ phải bắt đầu bằng `{BASE_URL}`.\n"
            "2. Không nhập mật khẩu hay mã OTP trên trang mở ra từ mã QR.\n"
            "3. Thấy mã dán đè, báo ngay cho trưởng thôn.\n\n"
            "| Dấu hiệu | Nên làm |\n|---|---|\n"
            "| Địa chỉ lạ | Đóng trang |\n| Mã dán đè | Báo trưởng thôn |\n\n"
            "Quay lại [trang giới thiệu](gioi-thieu.md).\n"
        ),
    }


SITE_YML = f"""\
title: "Bảng tin thử nghiệm hiệu năng"
base_url: {BASE_URL}
description: "Trang thử nghiệm: thông báo được sinh tự động để đo tốc độ dựng trang."
contact:
  name: "Tổ công nghệ số cộng đồng"
  phone: "0237 3000 111"
  email: congnghe@bench.example
qr:
  error: q
  scale: 10
"""


def generate(root: Path, notices: int, places: int, seed: int = 0) -> Path:
    """Write ``root/content`` and ``root/corpus.json``; return the content folder.

    Refuses to overwrite a ``root/content`` that this function did not write.
    """
    if notices < 0 or places < 0:
        raise ValueError("notices and places must not be negative")
    root = Path(root)
    content = root / "content"
    if content.exists():
        if not (root / DESCRIPTION_FILE).is_file():
            raise FileExistsError(f"{content} exists and was not made by benchmarks.corpus")
        shutil.rmtree(content)
    rng = random.Random(seed)
    place_list = make_places(rng, places)
    specs = plan_notices(rng, notices, place_list)
    linkable = [s for s in specs if s.category in ("current", "expired")]

    for folder in ("locations", "notices", "pages"):
        (content / folder).mkdir(parents=True)
    (content / "site.yml").write_text(SITE_YML, "utf-8")
    for place in place_list:
        (content / "locations" / f"{place.id}.yml").write_text(place_file(rng, place), "utf-8")
    for spec in specs:
        body = notice_body(rng, spec, linkable, place_list)
        (content / "notices" / spec.file).write_text(notice_file(spec, body), "utf-8")
    for name, text in page_files(place_list).items():
        (content / "pages" / name).write_text(text, "utf-8")

    description: dict[str, Any] = {
        "seed": seed,
        "now": NOW.isoformat(),
        "base_url": BASE_URL,
        "locations": [{"id": p.id, "name": p.name} for p in place_list],
        "pages": [{"slug": slug, "title": title} for slug, title, _ in PAGES],
        "notices": [
            {
                "file": s.file,
                "slug": s.slug,
                "title": s.title,
                "category": s.category,
                "date": s.date.isoformat(),
                # a day (``2026-11-30``: in effect to its end) or an aware time
                # (``2026-11-28T18:00:00+07:00``: in effect until that moment)
                "expires": s.expires.isoformat() if s.expires else None,
                "locations": s.locations,
                "tags": s.tags,
                "pinned": s.pinned,
                "urgent": s.urgent,
                "draft": s.draft,
                "links": s.links,
            }
            for s in specs
        ],
    }
    (root / DESCRIPTION_FILE).write_text(
        json.dumps(description, ensure_ascii=False, indent=1) + "\n", "utf-8"
    )
    return content


def load_description(content: Path) -> dict[str, Any]:
    """What ``generate`` wrote beside ``content``."""
    data: dict[str, Any] = json.loads((content.parent / DESCRIPTION_FILE).read_text("utf-8"))
    return data


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write a synthetic bangtin content folder.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--notices", type=int, default=300)
    parser.add_argument("--places", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(generate(args.root, args.notices, args.places, args.seed))
