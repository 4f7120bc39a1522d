"""The rules editors rely on: dates, expiry, drafts, places, pinned order, links, slugs."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from generator.errors import BuildError
from generator.plan.urls import slug_from_filename, slugify
from tests.conftest import Built, SiteFactory, notice

PLACES = {
    "locations/cho.yml": "name: Chợ Định Hưng\n",
    "locations/tram-y-te.yml": "name: Trạm y tế xã\naddress: Thôn 2\n",
}

MakeSite = Callable[[dict[str, str]], SiteFactory]


def titles_on(html: str) -> list[str]:
    """Notice titles listed on a page, in order."""
    return re.findall(r'<span class="title">([^<]*)</span>', html)


def test_sample_has_the_promised_pages(sample: Built) -> None:
    kinds = [p["kind"] for p in sample.pages()]
    assert kinds.count("home") == 1
    assert kinds.count("archive") == 1
    assert kinds.count("verify") == 1
    assert kinds.count("location") == 7
    assert kinds.count("page") == 3
    assert kinds.count("notice") == 14  # 15 files, one dated in the future
    assert kinds.count("tag") >= 5
    for extra in ("feed.xml", "sitemap.xml", "robots.txt", "404.html"):
        assert (sample.output / extra).is_file()


def test_future_notice_is_not_published(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/2027-01-05-lich-tiem.md": notice("Lịch tiêm tháng 1", "2027-01-05"),
            "notices/2026-11-01-hop-thon.md": notice("Họp thôn", "2026-11-01"),
        }
    ).build()
    assert [p["id"] for p in site.pages("notice")] == ["hop-thon"]
    assert not (site.output / "n/lich-tiem").exists()
    assert "Lịch tiêm tháng 1" not in (site.output / "feed.xml").read_text("utf-8")


def test_notice_published_at_its_time_of_day(make_site: MakeSite) -> None:
    # "now" is 28/11/2026 12:00 in Hà Nội: 11:59 is out, 12:01 is not yet.
    site = make_site(
        {
            "notices/a.md": notice("Sáng", "2026-11-28T11:59:00+07:00"),
            "notices/b.md": notice("Chiều", "2026-11-28T12:01:00+07:00"),
            "notices/c.md": notice("Giờ địa phương", "2026-11-28T11:00"),
        }
    ).build()
    assert sorted(p["id"] for p in site.pages("notice")) == ["a", "c"]


def test_expired_notice_keeps_its_page_but_leaves_every_list(make_site: MakeSite) -> None:
    site = make_site(
        {
            **PLACES,
            "notices/2026-11-01-cat-dien.md": notice(
                "Cắt điện thôn 1", "2026-11-01", expires="2026-11-27", tags="[điện]"
            ),
            "notices/2026-11-02-con-han.md": notice(
                "Còn hiệu lực hôm nay", "2026-11-02", expires="2026-11-28", tags="[điện]"
            ),
        }
    ).build()
    page = site.html("n/cat-dien/")
    assert "đã hết hiệu lực" in page
    assert "27/11/2026" in page
    for listing in ("", "l/cho/", "l/tram-y-te/", "t/dien/"):
        assert titles_on(site.html(listing)) == ["Còn hiệu lực hôm nay"], listing
    assert "Cắt điện thôn 1" in site.html("luu-tru/")
    assert "Còn hiệu lực hôm nay" not in site.html("luu-tru/")
    feed = (site.output / "feed.xml").read_text("utf-8")
    assert "Còn hiệu lực hôm nay" in feed and "Cắt điện thôn 1" not in feed
    # its URL stays in the manifest and sitemap: a printed code never 404s
    assert "cat-dien" in [p["id"] for p in site.pages("notice")]
    assert "https://test.example/n/cat-dien/" in (site.output / "sitemap.xml").read_text("utf-8")


def test_drafts_are_not_built(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/nhap.md": notice("Bản nháp", draft="true"),
            "pages/nhap.md": "---\ntitle: Trang nháp\ndraft: true\n---\nx\n",
            "notices/that.md": notice("Thật"),
        }
    ).build()
    assert [p["id"] for p in site.pages("notice")] == ["that"]
    assert site.pages("page") == []
    assert "Bản nháp" not in (site.output / "index.html").read_text("utf-8")


def test_locations_all_and_lists(make_site: MakeSite) -> None:
    site = make_site(
        {
            **PLACES,
            "notices/a.md": notice("Cho mọi nơi", "2026-11-10"),
            "notices/b.md": notice("Chỉ ở chợ", "2026-11-11", locations="[cho]"),
            "notices/c.md": notice("Cũng cho mọi nơi", "2026-11-12", locations="all"),
        }
    ).build()
    # a place's own notices first, then the commune's
    assert titles_on(site.html("l/cho/")) == ["Chỉ ở chợ", "Cũng cho mọi nơi", "Cho mọi nơi"]
    assert titles_on(site.html("l/tram-y-te/")) == ["Cũng cho mọi nơi", "Cho mọi nơi"]
    assert "tất cả các địa điểm" in site.html("n/a/")
    assert 'href="../../l/cho/"' in site.html("n/b/")


def test_pinned_first_then_newest(make_site: MakeSite) -> None:
    site = make_site(
        {
            **PLACES,
            "notices/cu.md": notice("Cũ", "2026-11-01"),
            "notices/moi.md": notice("Mới", "2026-11-20"),
            "notices/khan.md": notice("Khẩn cấp", "2026-10-01", pinned="true"),
            "notices/khan-cho.md": notice(
                "Khẩn ở chợ", "2026-10-02", pinned="true", locations="[cho]"
            ),
        }
    ).build()
    assert titles_on(site.html("")) == ["Khẩn ở chợ", "Khẩn cấp", "Mới", "Cũ"]
    assert titles_on(site.html("l/tram-y-te/")) == ["Khẩn cấp", "Mới", "Cũ"]
    assert 'class="notice pinned"' in site.html("")


def test_internal_links_are_rewritten(make_site: MakeSite) -> None:
    site = make_site(
        {
            **PLACES,
            "notices/2026-03-20-lich-tiem.md": notice("Lịch cũ", "2026-03-20"),
            "notices/2026-11-20-moi.md": notice(
                "Lịch mới",
                body="Xem [Trạm y tế](../locations/tram-y-te.yml), [lịch cũ](2026-03-20-lich-tiem.md#gio) "
                "và [giới thiệu](../pages/gioi-thieu.md).",
            ),
            "pages/gioi-thieu.md": "---\ntitle: Giới thiệu\n---\n[Chợ](../locations/cho.yml)\n",
        }
    ).build()
    page = site.html("n/moi/")
    assert '<a href="../../l/tram-y-te/">Trạm y tế</a>' in page
    assert '<a href="../lich-tiem/#gio">lịch cũ</a>' in page
    assert '<a href="../../p/gioi-thieu/">giới thiệu</a>' in page
    assert '<a href="../../l/cho/">Chợ</a>' in site.html("p/gioi-thieu/")


def test_place_description_links_are_rewritten(make_site: MakeSite) -> None:
    site = make_site(
        {
            "locations/cho.yml": "name: Chợ\ndescription: |\n  Gần [trạm y tế](tram-y-te.yml).\n",
            "locations/tram-y-te.yml": "name: Trạm y tế\n",
        }
    ).build()
    assert '<a href="../tram-y-te/">trạm y tế</a>' in site.html("l/cho/")


def test_broken_link_is_an_error_at_its_line(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(body="Dòng một.\n\nXem [đây](khong-co.md) nhé.")})
    with pytest.raises(BuildError) as info:
        site.build()
    [error] = info.value.errors
    assert error.pos.path.name == "a.md"
    assert (error.pos.line, error.pos.col) == (8, 11)  # the target, after "Xem [đây]("
    assert "khong-co.md" in str(error.message)
    assert not site.output.exists()


def test_link_to_future_notice_is_an_error(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/sau.md": notice("Sau", "2027-01-01"),
            "notices/nay.md": notice("Nay", body="[sau](sau.md)"),
        }
    )
    with pytest.raises(BuildError, match="error"):
        site.build()


def test_summary_from_first_paragraph_or_front_matter(make_site: MakeSite) -> None:
    long = "Từ ngữ " * 60
    site = make_site(
        {
            "notices/a.md": notice("A", body="## Tiêu đề\n\nĐoạn **đầu** & tiên.\n\nĐoạn hai."),
            "notices/b.md": notice("B", summary="Tóm tắt riêng"),
            "notices/c.md": notice("C", body=long),
        }
    ).build()
    home = site.html("")
    assert "Đoạn đầu &amp; tiên." in home
    assert "Tóm tắt riêng" in home
    assert 'content="Đoạn đầu &amp; tiên."' in site.html("n/a/")
    summary = re.search(r'<p class="summary">([^<]*)</p>', site.html("n/c/"))
    c_summary = re.findall(r'<p class="summary">([^<]*)</p>', home)[-1]
    assert summary is None  # a notice page has no list
    assert c_summary.endswith("…") and len(c_summary) <= 160


def test_headings_shift_below_the_page_title(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(body="# Lớn\n\n## Vừa")}).build()
    page = site.html("n/a/")
    assert page.count("<h1>") == 1
    assert "<h2>Lớn</h2>" in page and "<h3>Vừa</h3>" in page


def test_dates_are_vietnamese_in_site_timezone(make_site: MakeSite) -> None:
    site = make_site(
        {"notices/a.md": notice(date="2026-11-20T23:30:00+00:00")}  # 06:30 on the 21st in Hà Nội
    ).build()
    assert "06:30 21/11/2026" in site.html("n/a/")


def test_updated_is_shown_and_is_the_feed_and_sitemap_date(make_site: MakeSite) -> None:
    """`updated`: on the page, the feed entry's <updated> (<published> is `date`), the
    feed's own <updated> (the latest change) and the sitemap's <lastmod>."""
    import xml.etree.ElementTree as ET

    site = make_site(
        {
            "notices/a.md": notice("Sửa ngày", "2026-11-20", updated="2026-11-25"),
            "notices/b.md": notice("Sửa giờ", "2026-11-21T07:30", updated="2026-11-22T08:15"),
            "notices/c.md": notice("Chưa sửa", "2026-11-24"),
            # a day alone on the day of a `date` with a time: not before it
            "notices/d.md": notice("Cùng ngày", "2026-11-23T09:00", updated="2026-11-23"),
        }
    ).build()
    assert 'Cập nhật <time datetime="2026-11-25T00:00:00+07:00">ngày 25/11/2026</time>' in (
        site.html("n/a/")
    )
    assert "lúc 08:15 ngày 22/11/2026</time>" in site.html("n/b/")
    assert "Cập nhật" not in site.html("n/c/")
    assert "Cập nhật" not in site.html("")  # lists show the date a notice was published

    atom = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(site.output / "feed.xml").getroot()
    entries = {
        e.findtext("a:title", namespaces=atom): (
            e.findtext("a:published", namespaces=atom),
            e.findtext("a:updated", namespaces=atom),
        )
        for e in feed.findall("a:entry", atom)
    }
    assert entries == {
        "Sửa ngày": ("2026-11-20T00:00:00+07:00", "2026-11-25T00:00:00+07:00"),
        "Sửa giờ": ("2026-11-21T07:30:00+07:00", "2026-11-22T08:15:00+07:00"),
        "Chưa sửa": ("2026-11-24T00:00:00+07:00", "2026-11-24T00:00:00+07:00"),
        "Cùng ngày": ("2026-11-23T09:00:00+07:00", "2026-11-23T09:00:00+07:00"),
    }
    # the newest change is a's update, though c is the newest notice
    assert feed.findtext("a:updated", namespaces=atom) == "2026-11-25T00:00:00+07:00"

    sitemap = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = ET.parse(site.output / "sitemap.xml").getroot().findall("s:url", sitemap)
    lastmod = {
        u.findtext("s:loc", namespaces=sitemap): u.findtext("s:lastmod", namespaces=sitemap)
        for u in urls
    }
    assert lastmod["https://test.example/n/a/"] == "2026-11-25T00:00:00+07:00"
    assert lastmod["https://test.example/n/b/"] == "2026-11-22T08:15:00+07:00"
    assert lastmod["https://test.example/n/c/"] == "2026-11-24T00:00:00+07:00"
    assert lastmod["https://test.example/"] is None  # lists change with the clock


@pytest.mark.parametrize(
    ("date", "updated", "error"),
    [
        ("2026-11-20", "2026-11-19", "`updated` (2026-11-19) is before `date` (2026-11-20)"),
        (
            "2026-11-20T09:00",
            "2026-11-20T08:59",
            "`updated` (2026-11-20T08:59:00) is before `date` (2026-11-20T09:00:00)",
        ),
        ("2026-11-20T09:00", "2026-11-20", None),
        ("2026-11-20", "2026-11-20T00:00", None),
    ],
)
def test_updated_is_not_before_date(
    make_site: MakeSite, date: str, updated: str, error: str | None
) -> None:
    site = make_site({"notices/a.md": notice(date=date, updated=updated)})
    if error is None:
        site.build()
        return
    with pytest.raises(BuildError) as raised:
        site.build()
    [found] = raised.value.errors
    assert (found.pos.line, found.pos.col) == (4, 10)
    assert str(found.message) == error


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Lịch cắt điện đợt 2", "lich-cat-dien-dot-2"),
        ("Đăng ký định danh điện tử VNeID", "dang-ky-dinh-danh-dien-tu-vneid"),
        ("Họp thôn Đông Hưng – tháng 12", "hop-thon-dong-hung-thang-12"),
        ("  Cảnh báo: lừa đảo qua Zalo!  ", "canh-bao-lua-dao-qua-zalo"),
        ("Sổ sức khỏe điện tử", "so-suc-khoe-dien-tu"),
    ],
)
def test_vietnamese_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slug_from_filename_drops_date_prefix() -> None:
    assert slug_from_filename("2026-11-20-lich-tiem") == "lich-tiem"
    assert slug_from_filename("Lịch Tiêm Tháng 12") == "lich-tiem-thang-12"
    assert slug_from_filename("2026-11-20") == "2026-11-20"


def test_file_names_with_spaces_and_vietnamese_are_slugged(make_site: MakeSite) -> None:
    site = make_site({"notices/2026-11-20 Thông báo Họp Thôn.md": notice()}).build()
    assert [p["id"] for p in site.pages("notice")] == ["thong-bao-hop-thon"]


def test_explicit_slug_wins(make_site: MakeSite) -> None:
    site = make_site({"notices/2026-11-20-ten-moi.md": notice(slug="ten-cu")}).build()
    assert [p["path"] for p in site.pages("notice")] == ["n/ten-cu/index.html"]


def test_url_prefixes_are_configurable(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yml": "title: T\nbase_url: https://t.example/x\nurls:\n  notice: tb\n  location: dd\n",
            **PLACES,
            "notices/a.md": notice(),
        }
    ).build()
    urls = {p["url"] for p in site.pages()}
    assert "https://t.example/x/tb/a/" in urls
    assert "https://t.example/x/dd/cho/" in urls


def test_nfd_text_is_normalised_to_nfc(make_site: MakeSite) -> None:
    import unicodedata

    title = unicodedata.normalize("NFD", "Thông báo họp thôn")
    site = make_site({"notices/a.md": notice(title)}).build()
    page = site.html("n/a/")
    assert "Thông báo họp thôn" in page
    assert unicodedata.is_normalized("NFC", page)


def test_crlf_and_bom_are_accepted(make_site: MakeSite) -> None:
    site = make_site({})
    path = site.content / "notices" / "a.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        "\ufeff---\r\ntitle: Tiêu đề\r\ndate: 2026-11-20\r\n---\r\nThân bài.\r\n".encode()
    )
    built = site.build()
    assert "Tiêu đề" in built.html("n/a/")


def test_custom_theme_overrides_single_templates(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yml": "title: T\nbase_url: https://t.example/\ntheme: rieng\n",
            "notices/a.md": notice(),
        }
    )
    theme = site.root / "themes" / "rieng" / "templates"
    theme.mkdir(parents=True)
    (theme / "notice.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>RIÊNG {{ notice.title }}</h1>{% endblock %}',
        "utf-8",
    )
    built = site.build()
    assert "<h1>RIÊNG Thông báo</h1>" in built.html("n/a/")
    assert 'class="skip"' in built.html("n/a/")  # base.html still the default theme's
    assert "<h1>T</h1>" in built.html("")  # home.html too
