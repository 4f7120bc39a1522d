"""Time ``bangtin build`` over a whole province: many commune sites, shared notices, a hub.

    python -m benchmarks.province [--communes 100] [--notices 150] [--places 15]
                                  [--shared 20] [--runs 3] [--cold-runs 1] [--core-runs 5]
                                  [--no-cores] [--seed 0] [--keep DIR]

``write_province`` writes a province repository: ``bangtin.yml`` (the sites, ``shared:
shared`` and a hub), ``sites/<id>/content`` for every commune (``benchmarks.corpus``, each
with its own seed, title and ``base_url`` under ``https://bangtin.thanhhoa.example/``) and
``shared/notices/`` (province-wide notices: police warnings, VNeID deadlines, weather,
vaccination; all dated before 28/11/2026, with an ``issuer`` and no ``locations``).

Every build is a new ``python -m generator build --lang en`` process in the province's
folder, with ``SOURCE_DATE_EPOCH`` at the corpus's "now" and the cache in a private
``--cache-dir``; bytecode is kept in ``<work>/.pycache``, filled by one untimed build of
the first commune before the scenarios.  Scenarios, in this order (each starts from what
the one before left):

* that commune alone, cold / warm: the first commune's content folder built on its own
  (``--content``, its own output and cache folders; without the province's shared
  notices, which a site on its own does not have): cold is no output and no cache,
  warm is the cache kept and no output (as ``benchmarks/bench.py`` defines them);
* cold build on 1 core and on 2 cores (``taskset -c 0`` / ``taskset -c 0,1``): the whole
  province from nothing, ``--core-runs`` rounds alternating which goes first;
* cold: the whole province, no output and no cache, on every core;
* no-op, first after a cold build: nothing changed, timed right after each cold build
  above (1 core, 2 cores and all), on every core: every site's records were made moments
  before, and the machine is still writing the cold build's files to disk;
* no-op: nothing changed, ``--runs`` more times;
* commune edit: a sentence appended to the body of one published notice of the first
  commune (another notice each run), the province rebuilt; its page must show it.  Right
  after each, "that commune alone, same edit" updates the single-site build of the same
  content: what the same edit costs a commune on its own;
* shared edit: a sentence appended to one shared notice's body (another one each run),
  the province rebuilt; the notice's page must show it on every site.

The target "a commune edit costs no more than building that commune alone" is judged
against the cold single-site build and, as well, the warm one.  Peak memory: the largest
sum of RSS (and of PSS) over the build process and its workers, sampled from ``/proc``
every 20 ms (100 ms for PSS), and the largest single process (``ru_maxrss`` from
``os.wait4``, which covers the process and the workers it reaped).  The "sites built"
column counts the sites each build reported as built (the others: "nothing changed").
Other work on the machine skews the 1 vs 2 cores comparison most, so the report also
says how many cores were free before and after (``free_cores``).  After the no-op runs
it measures what any no-op costs at least on the machine (``floors``): starting Python,
the imports a no-op needs, and one ``os.lstat`` of every file and folder of the output.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import generator  # noqa: E402
from benchmarks import bench  # noqa: E402
from benchmarks.bench import BuildFailed, Sample, rmtree, timed  # noqa: E402
from benchmarks.corpus import NOW, generate, load_description, q  # noqa: E402

EPOCH = str(int(NOW.timestamp()))  # 1795842000: 28/11/2026 12:00 in Hà Nội
MB = 1e6
PROVINCE_URL = "https://bangtin.thanhhoa.example/"
HUB_TITLE = "Bảng tin các xã, phường tỉnh Thanh Hóa"
NOOP_TARGET = 1.0  # seconds, the whole province
SPEEDUP_TARGET = 1.6  # cold, 2 cores over 1 core

# Commune names: two syllables, as most of Thanh Hóa's are; the ASCII id is derived.
FIRST = ["Định", "Đông", "Quảng", "Hoằng", "Thiệu", "Nga", "Yên", "Tân", "Vĩnh", "Cẩm"]
FIRST += ["Thọ", "Xuân", "Triệu", "Hà", "Hậu", "Nông", "Tĩnh", "Ngọc", "Thạch", "Minh"]
SECOND = ["Hưng", "Sơn", "Phú", "Đạo", "Lộc", "Thành", "An", "Tiến", "Long", "Hòa"]
SECOND += ["Phúc", "Lạc", "Trung", "Thịnh", "Bình"]


@dataclass(frozen=True, slots=True)
class SharedNotice:
    """A province-wide notice: every commune's boards show it."""

    slug: str
    title: str
    issuer: str
    date: str  # as the front matter writes it
    tags: tuple[str, ...]
    lead: str
    steps: tuple[str, ...]
    expires: str | None = None
    pinned: bool = False

    @property
    def file(self) -> str:
        return f"{self.date[:10]}-{self.slug}.md"

    def text(self, extra: str = "") -> str:
        lines = ["---", f"title: {q(self.title)}", f"date: {self.date}"]
        if self.expires:
            lines.append(f"expires: {self.expires}")
        lines.append(f"tags: [{', '.join(q(t) for t in self.tags)}]")
        if self.pinned:
            lines.append("pinned: true")
        lines += [f"issuer: {q(self.issuer)}", "---", self.lead, "", "## Bà con cần làm gì", ""]
        lines += [f"- {step}" for step in self.steps]
        lines += [
            "",
            f"Thông báo của {self.issuer}, đăng trên bảng tin của tất cả các xã, phường "
            "trong tỉnh. Bà con cần hỏi thêm xin liên hệ tổ công nghệ số cộng đồng của xã.",
        ]
        return "\n".join(lines) + "\n" + extra


POLICE = "Công an tỉnh Thanh Hóa"
HEALTH = "Sở Y tế tỉnh Thanh Hóa"
SCIENCE = "Sở Khoa học và Công nghệ tỉnh Thanh Hóa"
# Province-wide notices, as a provincial department issues them; all dated before
# 28/11/2026 12:00 (a few expired by then), none naming places (a shared notice is for
# every place of every site), slugs ending in -toan-tinh (no commune's notice has one).
SHARED = [
    SharedNotice(
        "canh-bao-vneid-gia-toan-tinh",
        "Cảnh báo thủ đoạn giả danh công an hướng dẫn cài ứng dụng VNeID giả",
        POLICE,
        "2026-11-26T08:00",
        ("an ninh mạng", "VNeID"),
        "Thời gian gần đây, kẻ gian gọi điện xưng là cán bộ công an, gửi đường link để "
        "bà con cài ứng dụng VNeID giả, rồi chiếm đoạt tiền trong tài khoản ngân hàng.",
        (
            "Chỉ tải VNeID từ CH Play hoặc App Store.",
            "Công an không bao giờ gọi điện yêu cầu cài ứng dụng hay chuyển tiền.",
            "Nghi ngờ lừa đảo, báo ngay công an xã hoặc gọi 113.",
        ),
        pinned=True,
    ),
    SharedNotice(
        "tich-hop-bhyt-vao-vneid-toan-tinh",
        "Hạn cuối tích hợp thẻ bảo hiểm y tế vào tài khoản VNeID",
        POLICE,
        "2026-11-10",
        ("VNeID", "bảo hiểm y tế"),
        "Từ ngày 01/01/2027, bà con đi khám chữa bệnh dùng thẻ bảo hiểm y tế trên ứng "
        "dụng VNeID hoặc căn cước gắn chip thay cho thẻ giấy.",
        (
            "Kích hoạt tài khoản VNeID mức 2 tại công an xã.",
            "Vào mục Ví giấy tờ, chọn tích hợp thẻ bảo hiểm y tế.",
            "Người cao tuổi nhờ con cháu hoặc tổ công nghệ số hỗ trợ.",
        ),
        expires="2026-12-31",
    ),
    SharedNotice(
        "ret-dam-ret-hai-toan-tinh",
        "Chủ động phòng chống rét đậm, rét hại cho người, cây trồng và vật nuôi",
        "Ban Chỉ huy Phòng thủ dân sự tỉnh Thanh Hóa",
        "2026-11-24T16:00",
        ("phòng chống thiên tai", "nông nghiệp"),
        "Không khí lạnh tăng cường, nhiệt độ vùng núi có nơi xuống dưới 10 độ C trong "
        "những ngày tới.",
        (
            "Giữ ấm cho người già và trẻ nhỏ; không sưởi than trong phòng kín.",
            "Che chắn chuồng trại, không thả trâu bò ra đồng khi trời rét đậm.",
            "Chưa gieo mạ khi nhiệt độ dưới 15 độ C.",
        ),
        expires="2026-12-15",
    ),
    SharedNotice(
        "lich-nghi-tet-dinh-mui-toan-tinh",
        "Lịch nghỉ Tết Nguyên đán Đinh Mùi 2027",
        "UBND tỉnh Thanh Hóa",
        "2026-11-20",
        ("lịch nghỉ",),
        "Cán bộ, công chức, viên chức trong tỉnh nghỉ Tết Nguyên đán từ ngày 04/02/2027 "
        "đến hết ngày 12/02/2027.",
        (
            "Bộ phận một cửa các xã bố trí người trực trong những ngày nghỉ.",
            "Hồ sơ nộp trực tuyến vẫn được tiếp nhận và xử lý sau kỳ nghỉ.",
            "Việc khẩn cấp xin gọi số trực của UBND xã.",
        ),
    ),
    SharedNotice(
        "tiem-vac-xin-soi-toan-tinh",
        "Chiến dịch tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi",
        HEALTH,
        "2026-10-05",
        ("y tế", "tiêm chủng", "trẻ em"),
        "Toàn tỉnh tổ chức tiêm bổ sung vắc xin sởi miễn phí tại trạm y tế các xã.",
        (
            "Mang theo sổ tiêm chủng của trẻ.",
            "Trẻ đang sốt báo cán bộ y tế trước khi tiêm.",
            "Theo dõi sức khỏe của trẻ trong 24 giờ sau tiêm.",
        ),
        expires="2026-10-31",
    ),
    SharedNotice(
        "lua-dao-tuyen-cong-tac-vien-toan-tinh",
        "Cảnh báo lừa đảo tuyển cộng tác viên làm việc tại nhà qua mạng",
        POLICE,
        "2026-09-12",
        ("an ninh mạng",),
        "Nhiều người bị lừa nộp tiền để nhận nhiệm vụ thả tim, đánh giá sản phẩm với "
        "lời hứa hoa hồng cao.",
        (
            "Không nộp tiền để được giao việc.",
            "Không cung cấp mã OTP, mật khẩu cho bất kỳ ai.",
            "Báo công an xã khi bị mời chào như vậy.",
        ),
    ),
    SharedNotice(
        "thu-hoach-lua-mua-toan-tinh",
        "Khẩn trương thu hoạch lúa mùa trước mùa mưa lũ",
        "Sở Nông nghiệp và Môi trường tỉnh Thanh Hóa",
        "2026-09-01",
        ("nông nghiệp", "phòng chống thiên tai"),
        "Lúa mùa đã chín trên 85 % thì thu hoạch ngay theo phương châm xanh nhà hơn già đồng.",
        (
            "Ưu tiên thu hoạch vùng trũng, ven sông trước.",
            "Phơi khô, bảo quản thóc nơi cao ráo.",
            "Thuê máy gặt qua hợp tác xã để kịp thời vụ.",
        ),
        expires="2026-09-30",
    ),
    SharedNotice(
        "nop-ho-so-truc-tuyen-toan-tinh",
        "Nộp hồ sơ thủ tục hành chính trực tuyến trên Cổng Dịch vụ công quốc gia",
        "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa",
        "2026-08-15",
        ("dịch vụ công", "chuyển đổi số"),
        "Phần lớn thủ tục của xã đã nộp được trực tuyến, bà con không phải đi lại nhiều lần.",
        (
            "Đăng nhập Cổng Dịch vụ công bằng tài khoản VNeID.",
            "Chụp rõ giấy tờ, tải lên đúng mục.",
            "Theo dõi kết quả bằng tin nhắn hoặc trên ứng dụng.",
        ),
    ),
    SharedNotice(
        "tiem-phong-dai-toan-tinh",
        "Tiêm phòng bệnh dại cho chó, mèo năm 2026",
        "Chi cục Chăn nuôi và Thú y tỉnh Thanh Hóa",
        "2026-07-20",
        ("thú y",),
        "Mọi con chó, mèo trên địa bàn tỉnh phải được tiêm phòng dại mỗi năm một lần.",
        (
            "Đăng ký với trưởng thôn để được tiêm theo lịch của xã.",
            "Nuôi nhốt, đeo rọ mõm khi đưa chó ra đường.",
            "Bị chó, mèo cắn, đến ngay trạm y tế.",
        ),
    ),
    SharedNotice(
        "phong-chong-sot-xuat-huyet-toan-tinh",
        "Phòng chống sốt xuất huyết trong mùa mưa",
        HEALTH,
        "2026-08-05",
        ("y tế", "môi trường"),
        "Số ca sốt xuất huyết tăng ở nhiều địa phương trong tỉnh.",
        (
            "Đậy kín dụng cụ chứa nước, thả cá diệt bọ gậy.",
            "Ngủ màn cả ban ngày.",
            "Sốt cao liên tục, đến ngay cơ sở y tế, không tự truyền dịch.",
        ),
        expires="2026-11-30",
    ),
    SharedNotice(
        "duong-day-nong-cong-an-toan-tinh",
        "Số điện thoại đường dây nóng mới của Công an tỉnh",
        POLICE,
        "2026-06-10",
        ("an ninh",),
        "Công an tỉnh tiếp nhận tin báo tội phạm, tố giác lừa đảo qua đường dây nóng mới.",
        (
            "Lưu số đường dây nóng vào danh bạ.",
            "Gọi 113 khi có việc khẩn cấp.",
            "Cung cấp rõ họ tên, địa chỉ và sự việc.",
        ),
    ),
    SharedNotice(
        "tuyen-quan-2027-toan-tinh",
        "Sơ tuyển công dân thực hiện nghĩa vụ quân sự năm 2027",
        "Bộ Chỉ huy Quân sự tỉnh Thanh Hóa",
        "2026-11-01",
        ("quốc phòng", "thanh niên"),
        "Công dân nam đủ 18 đến 25 tuổi có mặt tại trạm y tế xã để sơ tuyển sức khỏe.",
        (
            "Mang theo căn cước và giấy gọi sơ tuyển.",
            "Nhịn ăn sáng để xét nghiệm.",
            "Vắng mặt có lý do, báo trước với ban chỉ huy quân sự xã.",
        ),
        expires="2027-01-15",
    ),
    SharedNotice(
        "an-toan-dien-mua-bao-toan-tinh",
        "Bảo đảm an toàn điện trong mùa mưa bão",
        "Công ty Điện lực Thanh Hóa",
        "2026-09-20",
        ("điện", "phòng chống thiên tai"),
        "Mưa bão làm đứt dây, đổ cột điện; nhiều vụ tai nạn xảy ra khi người dân tự xử lý.",
        (
            "Tránh xa dây điện đứt, báo ngay cho điện lực.",
            "Ngắt cầu dao khi nước tràn vào nhà.",
            "Không thả diều gần đường dây điện.",
        ),
    ),
    SharedNotice(
        "dang-ky-xe-truc-tuyen-toan-tinh",
        "Đăng ký, cấp biển số xe trực tuyến",
        POLICE,
        "2026-05-18",
        ("dịch vụ công",),
        "Bà con đăng ký xe mới mua qua Cổng Dịch vụ công, nhận biển số tại công an xã.",
        (
            "Khai tờ khai đăng ký xe trên Cổng Dịch vụ công.",
            "Nộp lệ phí trực tuyến.",
            "Mang xe đến công an xã để bấm biển số.",
        ),
    ),
    SharedNotice(
        "chi-tra-tro-cap-qua-ngan-hang-toan-tinh",
        "Chi trả trợ cấp xã hội qua tài khoản ngân hàng",
        HEALTH,
        "2026-10-20",
        ("an sinh xã hội",),
        "Từ tháng 1/2027, trợ cấp xã hội hằng tháng được chuyển thẳng vào tài khoản của "
        "người hưởng.",
        (
            "Mở tài khoản ngân hàng chính chủ.",
            "Nộp số tài khoản cho công chức văn hóa - xã hội của xã.",
            "Người không mở được tài khoản, báo xã để nhận tiền mặt.",
        ),
    ),
    SharedNotice(
        "ma-qr-gia-noi-cong-cong-toan-tinh",
        "Cảnh báo mã QR giả dán đè tại nơi công cộng",
        SCIENCE,
        "2026-11-15T09:30",
        ("an ninh mạng", "chuyển đổi số"),
        "Đã có nơi kẻ gian dán mã QR giả đè lên mã thật để dẫn người quét tới trang lừa đảo.",
        (
            "Kiểm tra địa chỉ trang mở ra trước khi đọc.",
            "Không nhập mật khẩu, mã OTP trên trang mở từ mã QR.",
            "Thấy mã dán đè, báo ngay cho trưởng thôn.",
        ),
    ),
    SharedNotice(
        "phong-chay-rung-toan-tinh",
        "Tăng cường phòng cháy, chữa cháy rừng mùa khô",
        "Chi cục Kiểm lâm tỉnh Thanh Hóa",
        "2026-04-10",
        ("phòng chống thiên tai", "môi trường"),
        "Nắng nóng kéo dài, nguy cơ cháy rừng ở cấp cao tại các huyện miền núi.",
        (
            "Không đốt nương rẫy khi chưa được phép.",
            "Không mang lửa vào rừng.",
            "Phát hiện cháy, báo ngay kiểm lâm địa bàn.",
        ),
        expires="2026-08-31",
    ),
    SharedNotice(
        "khai-bao-luu-tru-vneid-toan-tinh",
        "Khai báo lưu trú trên ứng dụng VNeID",
        POLICE,
        "2026-03-02",
        ("VNeID", "dịch vụ công"),
        "Gia đình có người đến ở lại qua đêm khai báo lưu trú trên VNeID, không phải đến "
        "công an xã.",
        (
            "Mở VNeID, chọn Thủ tục hành chính, Thông báo lưu trú.",
            "Khai đủ thông tin người đến lưu trú.",
            "Cơ sở kinh doanh lưu trú khai báo trước 23 giờ hằng ngày.",
        ),
    ),
    SharedNotice(
        "ung-dung-cong-dan-so-toan-tinh",
        "Cài đặt ứng dụng công dân số của tỉnh",
        SCIENCE,
        "2026-07-01",
        ("chuyển đổi số",),
        "Ứng dụng công dân số giúp bà con gửi phản ánh, tra cứu hồ sơ và nhận thông báo của tỉnh.",
        (
            "Tải ứng dụng từ CH Play hoặc App Store.",
            "Đăng nhập bằng tài khoản VNeID.",
            "Nhờ tổ công nghệ số cộng đồng hướng dẫn nếu cần.",
        ),
    ),
    SharedNotice(
        "an-toan-giao-thong-cuoi-nam-toan-tinh",
        "Bảo đảm trật tự, an toàn giao thông dịp cuối năm",
        "Ban An toàn giao thông tỉnh Thanh Hóa",
        "2026-11-27T09:00",
        ("giao thông",),
        "Dịp cuối năm lượng xe tăng cao; lực lượng chức năng tăng cường tuần tra, kiểm soát.",
        (
            "Đã uống rượu bia thì không lái xe.",
            "Đội mũ bảo hiểm đạt chuẩn khi đi xe máy.",
            "Không chở quá số người quy định.",
        ),
        expires="2027-02-28",
    ),
]


def shared_notices(count: int) -> list[SharedNotice]:
    """``count`` province-wide notices: the list above, then numbered repeats of it."""
    found = []
    for i in range(count):
        base = SHARED[i % len(SHARED)]
        if i >= len(SHARED):  # more than written: the same notice, another round
            n = i // len(SHARED) + 1
            base = SharedNotice(
                f"{base.slug}-dot-{n}",
                f"{base.title} (đợt {n})",
                base.issuer,
                base.date,
                base.tags,
                base.lead,
                base.steps,
                base.expires,
            )
        found.append(base)
    return found


def ascii_id(name: str) -> str:
    """``Hoằng Đạo`` -> ``hoang-dao``."""
    plain = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return "-".join(plain.lower().split())


@dataclass(frozen=True, slots=True)
class Commune:
    id: str
    name: str
    root: Path  # sites/<id>: content/ and corpus.json

    @property
    def content(self) -> Path:
        return self.root / "content"


def commune_names(count: int, seed: int) -> list[tuple[str, str]]:
    names = [f"{a} {b}" for a in FIRST for b in SECOND]
    if count > len(names):
        raise ValueError(f"at most {len(names)} communes")
    random.Random(seed).shuffle(names)
    chosen = [(name, ascii_id(name)) for name in names[:count]]
    assert len({i for _, i in chosen}) == count
    return chosen


def write_province(
    root: Path, communes: int, notices: int, places: int, shared: int, seed: int = 0
) -> list[Commune]:
    """A province repository in ``root`` (which must not exist, or be empty)."""
    root.mkdir(parents=True, exist_ok=True)
    members = []
    for i, (name, site_id) in enumerate(commune_names(communes, seed)):
        commune = Commune(site_id, name, root / "sites" / site_id)
        generate(commune.root, notices, places, seed * 10_000 + i)
        site_yml = commune.content / "site.yml"
        text = site_yml.read_text("utf-8")
        text = re.sub(r"^title: .*$", f"title: {q(f'Bảng tin xã {name}')}", text, flags=re.M)
        text = re.sub(r"^base_url: .*$", f"base_url: {PROVINCE_URL}{site_id}/", text, flags=re.M)
        site_yml.write_text(text, "utf-8")
        members.append(commune)
    notices_dir = root / "shared" / "notices"
    notices_dir.mkdir(parents=True, exist_ok=True)
    for notice in shared_notices(shared):
        (notices_dir / notice.file).write_text(notice.text(), "utf-8")
    lines = ["sites:"]
    lines += [f"  {c.id}: sites/{c.id}/content" for c in members]
    lines += ["shared: shared", "hub:", f"  base_url: {PROVINCE_URL}", f"  title: {q(HUB_TITLE)}"]
    (root / "bangtin.yml").write_text("\n".join(lines) + "\n", "utf-8")
    return members


# -- the builds -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Work:
    folder: Path

    @property
    def province(self) -> Path:
        return self.folder / "province"

    @property
    def output(self) -> Path:
        return self.province / "output"

    @property
    def cache(self) -> Path:
        return self.folder / "cache-province"

    @property
    def alone_output(self) -> Path:
        return self.folder / "alone" / "output"

    @property
    def alone_cache(self) -> Path:
        return self.folder / "alone" / "cache"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        # bytecode kept, as an installed program has it (see benchmarks/bench.py)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.folder / ".pycache")
        for name in ("BANGTIN_CORES", "BANGTIN_CACHE_DIR", "BANGTIN_LANG"):
            env.pop(name, None)
        return env

    def build_province(self, log: Path, cpus: str | None = None) -> Sample:
        cmd = [sys.executable, "-m", "generator", "build", "--lang", "en"]
        cmd += ["--cache-dir", str(self.cache)]
        if cpus is not None:
            cmd = ["taskset", "-c", cpus, *cmd]
        return timed(cmd, self.env(), log, cwd=self.province)

    def build_alone(self, commune: Commune, log: Path) -> Sample:
        cmd = [sys.executable, "-m", "generator", "build", "--lang", "en"]
        cmd += ["--content", str(commune.content), "--output", str(self.alone_output)]
        cmd += ["--cache-dir", str(self.alone_cache)]
        return timed(cmd, self.env(), log, cwd=self.folder)


BUILT = re.compile(r"^(\S+): Built ", re.M)
KEPT = re.compile(r"^(\S+): nothing changed since the last build\.$", re.M)


@dataclass(slots=True)
class Row:
    name: str
    samples: list[Sample] = field(default_factory=list)
    built: list[int] = field(default_factory=list)  # sites each build reported as built
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def fastest(self) -> float:
        return min(s.seconds for s in self.samples)


def built_sites(log: Path, communes: int) -> int:
    """How many sites the build's log says it built; every site must be named once."""
    text = log.read_text("utf-8", errors="replace")
    built, kept = BUILT.findall(text), KEPT.findall(text)
    if len(built) + len(kept) != communes:
        raise BuildFailed(f"{log}: {len(built)} sites built + {len(kept)} kept != {communes}")
    return len(built)


def edit_commune(commune: Commune, run: int) -> Callable[[Path], None]:
    """Append a sentence to one published notice of ``commune``; return a check that its
    page under ``output`` shows it."""
    notices = load_description(commune.content)["notices"]
    published = [n for n in notices if n["category"] in ("current", "expired")]
    notice = published[(run * 7919) % len(published)]
    sentence = f"Bổ sung lần {run + 1}: lịch có thay đổi, bà con theo dõi bảng tin này."
    path = commune.content / "notices" / notice["file"]
    path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\n{sentence}\n", "utf-8")

    def check(output: Path) -> None:
        page = output / "n" / notice["slug"] / "index.html"
        if sentence not in page.read_text("utf-8"):
            raise BuildFailed(f"{page} does not show the sentence just added")

    return check


def edit_shared(work: Work, communes: list[Commune], count: int, run: int) -> Callable[[], None]:
    """Append a sentence to one shared notice; return a check that every site shows it."""
    notice = shared_notices(count)[(run * 7) % count]
    sentence = f"Cập nhật lần {run + 1}: thông báo này áp dụng trên toàn tỉnh."
    path = work.province / "shared" / "notices" / notice.file
    path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\n{sentence}\n", "utf-8")

    def check() -> None:
        for c in communes:
            page = work.output / c.id / "n" / notice.slug / "index.html"
            if sentence not in page.read_text("utf-8"):
                raise BuildFailed(f"{page} does not show the sentence just added")

    return check


def run_all(
    args: argparse.Namespace, work: Work, communes: list[Commune]
) -> tuple[list[Row], Floors | None]:
    logs = work.folder / "logs"
    target = communes[0]
    rows: list[Row] = []

    def log_of(name: str, run: int) -> Path:
        return logs / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}-{run + 1}.log"

    def measure(row: Row, runs: int, step: Callable[[int], None]) -> None:
        if row not in rows:
            rows.append(row)
        if row.error:
            return
        failed = next((r for r in rows if r.error), None)
        if failed is not None:
            row.error = f"not run: {failed.name} failed"
            return
        for run in range(runs):
            try:
                step(run)
            except (BuildFailed, OSError) as exc:
                row.error = str(exc)
                print(f"{row.name}, run {run + 1} failed: {exc}", file=sys.stderr)
                return

    def province(row: Row, run: int, cpus: str | None = None) -> None:
        log = log_of(row.name, run)
        row.samples.append(work.build_province(log, cpus))
        row.built.append(built_sites(log, len(communes)))

    after_cold = Row("no-op, first after a cold build")

    def cold(row: Row, cpus: str | None = None, first: int = 0) -> Callable[[int], None]:
        def step(run: int) -> None:
            rmtree(work.output)
            rmtree(work.cache)
            province(row, first + run, cpus)
            province(after_cold, len(after_cold.samples))  # at once, on every core

        return step

    alone_cold = Row("that commune alone, cold")
    alone_warm = Row("that commune alone, warm")

    def alone(row: Row, remove: tuple[Path, ...]) -> Callable[[int], None]:
        def step(run: int) -> None:
            for folder in remove:
                rmtree(folder)
            row.samples.append(work.build_alone(target, log_of(row.name, run)))

        return step

    # Untimed: fills the bytecode cache (work/.pycache), as installing bangtin would.
    work.build_alone(target, logs / "warm-up.log")
    measure(alone_cold, args.runs, alone(alone_cold, (work.alone_output, work.alone_cache)))
    measure(alone_warm, args.runs, alone(alone_warm, (work.alone_output,)))

    one, two = Row("cold, 1 core (taskset -c 0)"), Row("cold, 2 cores (taskset -c 0,1)")
    if args.core_runs:
        rows += [one, two]
        for run in range(args.core_runs):  # alternating, each first in every other round
            for row, cpus in [(one, "0"), (two, "0,1")][:: 1 if run % 2 == 0 else -1]:
                measure(row, 1, cold(row, cpus, first=run))

    everything = Row(f"cold, all {len(os.sched_getaffinity(0))} cores")
    measure(everything, args.cold_runs, cold(everything))
    if after_cold.samples:
        rows.append(after_cold)
    noop = Row("no-op")
    measure(noop, args.runs, lambda run: province(noop, run))
    found = floors(work, args.runs) if noop.samples and not noop.error else None

    edit, edit_alone = Row("commune edit (1 notice)"), Row("that commune alone, same edit")

    def commune_step(run: int) -> None:
        check = edit_commune(target, run)
        province(edit, run)
        check(work.output / target.id)
        if edit_alone not in rows:
            rows.append(edit_alone)
        edit_alone.samples.append(work.build_alone(target, log_of(edit_alone.name, run)))
        check(work.alone_output)

    measure(edit, args.runs, commune_step)
    shared = Row("shared edit (1 notice)")

    def shared_step(run: int) -> None:
        check = edit_shared(work, communes, args.shared, run)
        province(shared, run)
        check()

    measure(shared, args.runs, shared_step)
    return rows, found


@dataclass
class Floors:
    """What any no-op of the province costs at least on this machine (medians)."""

    start: float  # `python -c pass`, with the build's environment
    imports: float  # `python -c "import ..."`: bangtin's command and the province's check
    entries: int  # the files and folders of the output and of its server folder
    lstat: float  # one os.lstat of each, in one process


def floors(work: Work, runs: int) -> Floors:
    """Measured after the no-op runs, on the output they left: starting Python, the
    imports a no-op needs, and the system calls it cannot avoid (one ``os.lstat`` of
    every file and folder it checks; the build shares them between two processes)."""

    def started(code: str) -> float:
        seconds = []
        for _ in range(runs):
            begun = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=work.env(), check=True)
            seconds.append(time.perf_counter() - begun)
        return statistics.median(seconds)

    paths = []
    for top in (work.output, work.output.parent / f"{work.output.name}.nginx"):
        for folder, _, files in os.walk(top):
            paths += [folder, *(os.path.join(folder, name) for name in files)]
    passes = []
    for _ in range(runs):
        begun = time.perf_counter()
        for path in paths:
            os.lstat(path)
        passes.append(time.perf_counter() - begun)
    imports = "import generator.cli, generator.province.build, generator.province.config"
    return Floors(started("pass"), started(imports), len(paths), statistics.median(passes))


# -- report ---------------------------------------------------------------------------------


def mb(kib: float) -> str:
    return f"{kib * 1024 / MB:.0f}"


def targets(rows: list[Row]) -> dict[str, tuple[str, str]]:
    """Scenario name -> (target, met?), for the scenarios the issue sets targets for."""
    by = {r.name: r for r in rows if r.samples and not r.error}
    found: dict[str, tuple[str, str]] = {}
    yes = {True: "yes", False: "NO"}
    edit = by.get("commune edit (1 notice)")
    alone = [by.get("that commune alone, cold"), by.get("that commune alone, warm")]
    if edit is not None and all(alone):
        cold, warm = (r.median for r in alone if r is not None)
        found[edit.name] = (
            f"<= that commune alone: cold {cold:.2f} s / warm {warm:.2f} s",
            f"{yes[edit.median <= cold]} / {yes[edit.median <= warm]}",
        )
    for name in ("no-op, first after a cold build", "no-op"):
        noop = by.get(name)
        if noop is not None:
            found[noop.name] = (f"<= {NOOP_TARGET:g} s", yes[noop.median <= NOOP_TARGET])
    one = by.get("cold, 1 core (taskset -c 0)")
    two = by.get("cold, 2 cores (taskset -c 0,1)")
    if one is not None and two is not None:
        speedup = one.median / two.median
        found[two.name] = (
            f">= {SPEEDUP_TARGET:g}x faster than 1 core: {speedup:.2f}x",
            yes[speedup >= SPEEDUP_TARGET],
        )
    return found


BURN = (
    "import time; t = time.perf_counter(); sum(range(30_000_000)); print(time.perf_counter() - t)"
)


def free_cores() -> float:
    """How many cores are free now: two CPU-bound processes at once against one alone
    (2.0: both ran as fast as one alone; 1.0: they shared one core)."""

    def burn(count: int) -> float:
        procs = [
            subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.PIPE, text=True)
            for _ in range(count)
        ]
        return statistics.mean(float(p.communicate()[0]) for p in procs)

    alone = min(burn(1) for _ in range(2))
    return 2 * alone / burn(2)


def version() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return generator.__version__
    return f"{generator.__version__} ({head})"


def report(
    args: argparse.Namespace,
    rows: list[Row],
    found: Floors | None,
    corpus_seconds: float,
    load: float,
    free: tuple[float, float],
) -> None:
    affinity = len(os.sched_getaffinity(0))
    print(
        f"bangtin province: {args.communes} communes x {args.notices} notices x "
        f"{args.places} places, {args.shared} shared notices, seed {args.seed} "
        f"(corpus written in {corpus_seconds:.1f} s)"
    )
    print(
        f"Python {platform.python_version()}, bangtin {version()}, {os.cpu_count()} CPUs "
        f"({affinity} usable), {platform.system()} {platform.machine()}; "
        f"SOURCE_DATE_EPOCH={EPOCH} ({NOW.isoformat(timespec='minutes')})"
    )
    print()
    met = targets(rows)
    head = f"{'scenario':<32} {'runs':>4} {'median s':>8} {'min s':>7} {'sites built':>11} "
    head += f"{'peak RSS MB':>11} {'PSS MB':>7} {'1 proc MB':>9}  {'target':<50} met?"
    print(head)
    for r in rows:
        if not r.samples:
            print(f"{r.name:<32} {0:>4} {'failed, see below' if r.error else '-':>30}")
            continue
        built = f"{statistics.median(r.built):g}" if r.built else "-"
        tree = max((s.tree_rss_kib or 0) for s in r.samples)
        pss = max((s.tree_pss_kib or 0) for s in r.samples)
        one = max(s.max_rss_kib for s in r.samples)
        line = f"{r.name:<32} {len(r.samples):>4} {r.median:>8.2f} {r.fastest:>7.2f} "
        line += f"{built:>11} {mb(tree):>11} {mb(pss):>7} {mb(one):>9}"
        goal, verdict = met.get(r.name, ("", ""))
        if r.error:
            goal, verdict = f"failed after {len(r.samples)} runs, see below", ""
        print(f"{line}  {goal:<50} {verdict}".rstrip())
    print()
    print(
        "Each run is a new `python -m generator build --lang en` process (interpreter "
        "start-up included). peak RSS MB: the largest sum of RSS over the build process and "
        "its workers, sampled every 20 ms from /proc (pages shared between processes counted "
        "in each); PSS MB: the same sum with PSS, every 100 ms (shared pages split between "
        "them); 1 proc MB: ru_maxrss from os.wait4, the largest single process of the tree. "
        "MB = 10^6 bytes. 'that commune alone' builds the first commune's content folder on "
        f"its own (--content): its {args.notices} notices without the {args.shared} shared "
        "ones."
    )
    print(
        f"Load average (1 min) before / after: {load:.2f} / {os.getloadavg()[0]:.2f} on "
        f"{os.cpu_count()} CPUs; other work on the machine slows wall times. Free cores "
        f"before / after: {free[0]:.1f} / {free[1]:.1f} (two CPU-bound processes at once "
        "against one alone: 2.0 when both get a core of their own, 1.0 when they share "
        "one; the 1 vs 2 cores comparison means something only near 2.0)."
    )
    if found is not None:
        print(
            "What any no-op costs at least here (medians, measured after the no-op runs): "
            f"starting Python {found.start:.2f} s; with the imports a no-op needs "
            f"{found.imports:.2f} s; one os.lstat of each of the {found.entries:,} files and "
            f"folders of the output, in one process, {found.lstat:.2f} s (the build shares "
            "them, and the content's, between two processes)."
        )
    print("Per run, wall s (sites built):")
    for r in rows:
        runs = ", ".join(
            f"{s.seconds:.2f}" + (f" ({r.built[i]})" if i < len(r.built) else "")
            for i, s in enumerate(r.samples)
        )
        print(f"  {r.name}: {runs or '-'}")
    for r in rows:
        if r.error:
            print(f"\n{r.name}: {r.error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--notices", type=int, default=150, help="per commune")
    parser.add_argument("--places", type=int, default=15, help="per commune")
    parser.add_argument("--shared", type=int, default=20, help="province-wide notices")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario")
    parser.add_argument("--cold-runs", type=int, default=1, help="runs of the cold build")
    parser.add_argument(
        "--core-runs", type=int, default=5, help="rounds of the 1-core vs 2-core cold builds"
    )
    parser.add_argument("--no-cores", action="store_true", help="skip the 1 vs 2 cores builds")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args(argv)
    if args.no_cores:
        args.core_runs = 0
    if min(args.communes, args.notices, args.shared, args.runs, args.cold_runs) < 1:
        parser.error("--communes, --notices, --shared, --runs and --cold-runs must be >= 1")
    if args.core_runs and shutil.which("taskset") is None:
        parser.error("the 1 vs 2 cores builds need taskset (util-linux), or --no-cores")

    started = time.perf_counter()
    load = os.getloadavg()[0]
    free_before = free_cores()
    with tempfile.TemporaryDirectory(prefix="bangtin-province-") as tmp:
        work = Work(args.keep.resolve() if args.keep else Path(tmp))
        if work.province.exists():
            parser.error(f"{work.province} exists: give an empty --keep folder")
        work.folder.mkdir(parents=True, exist_ok=True)
        bench.Trash.folder = work.folder / ".trash"  # see benchmarks/bench.py: Trash
        written = time.perf_counter()
        communes = write_province(
            work.province, args.communes, args.notices, args.places, args.shared, args.seed
        )
        corpus_seconds = time.perf_counter() - written
        rows, found = run_all(args, work, communes)
        shutil.rmtree(bench.Trash.folder, ignore_errors=True)  # not timed
        report(args, rows, found, corpus_seconds, load, (free_before, free_cores()))
        print(f"\nwhole benchmark: {time.perf_counter() - started:.1f} s")
        if args.keep:
            print(f"kept: {work.folder} (logs in {work.folder / 'logs'})")
    return 1 if any(r.error for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
