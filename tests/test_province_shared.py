"""A province's shared notices and media (issue 21): on every site, at each site's own
URLs, with their issuer, their documents and pictures, their urgent banners; the errors
they can cause (`locations:`, a slug a site already has, a file URL a site already has);
and an edit of one rebuilding every site as a clean build would.  Through the real
command line, on a small province written for each test."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.inputs.config import load_config
from generator.inputs.content import read_content
from generator.media.library import load_media
from tests.conftest import notice, replace_in, resident_pages, run_cli, tree_bytes
from tests.media_files import decision_pdf, emblem_png
from tests.test_budget import FIRST_FLIGHT, gz
from tests.test_province import PROVINCE

SITES = {"dinh-hung": ("Định Hưng", "cho"), "dinh-tan": ("Định Tân", "tram-y-te")}
ISSUER = "Công an tỉnh Thanh Hóa"
FRAUD = "Cảnh báo giả danh công an gọi điện cài VNeID"
STORM = "Bão số 15 đổ bộ: tàu thuyền không ra khơi"
SHARED_NOTICE = f"""\
---
title: {FRAUD}
date: 2026-11-22
issuer: {ISSUER}
image: ../media/canh-bao.png
tags: [cảnh báo]
---

Kẻ gian gọi điện xưng là công an, gửi đường link cài ứng dụng VNeID giả.

Xem [công văn số 45](../media/cong-van.pdf).
"""
SHARED_URGENT = f"""\
---
title: "{STORM}"
date: 2026-11-27T09:00
expires: 2026-12-05
urgent: true
issuer: Ban Chỉ huy Phòng thủ dân sự tỉnh
---

Tàu thuyền về nơi neo đậu an toàn.
"""
PDF = decision_pdf(1)
PNG = emblem_png()


def write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def make_province(root: Path) -> Path:
    files: dict[str, str | bytes] = {
        "bangtin.yml": PROVINCE,
        "shared/notices/lua-dao.md": SHARED_NOTICE,
        "shared/notices/bao.md": SHARED_URGENT,
        "shared/media/cong-van.pdf": PDF,
        "shared/media/canh-bao.png": PNG,
    }
    for site_id, (name, place) in SITES.items():
        content = f"sites/{site_id}/content/"
        files[content + "site.yml"] = (
            f"title: Bảng tin xã {name}\nbase_url: https://bangtin.thanhhoa.example/{site_id}/\n"
        )
        files[content + f"locations/{place}.yml"] = f"name: Điểm {place} xã {name}\n"
        files[content + "notices/hop.md"] = notice(
            f"Họp dân xã {name}", "2026-11-20", locations=f"[{place}]"
        )
    write(root, files)
    return root


def build(root: Path) -> tuple[int, str]:
    result = run_cli("build", cwd=root)
    return result.returncode, result.stdout + result.stderr


def commune_wide(html: str) -> str:
    """The part of a place page listing the notices for every place."""
    start = html.index('<h3 id="chung">')
    return html[start : html.index("</section>", start)]


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A province built once; tests must only read it."""
    root = make_province(tmp_path_factory.mktemp("tinh"))
    code, said = build(root)
    assert code == 0, said
    return root


@pytest.mark.parametrize("site_id", list(SITES))
def test_a_shared_notice_on_every_site(province: Path, site_id: str) -> None:
    out = province / "output" / site_id
    page = (out / "n" / "lua-dao" / "index.html").read_text("utf-8")
    assert f"<h1>{FRAUD}</h1>" in page
    assert f"Cơ quan ban hành: {ISSUER}<br>" in page
    assert f"https://bangtin.thanhhoa.example/{site_id}/n/lua-dao/" in page  # its own URL
    home = (out / "index.html").read_text("utf-8")
    listed = re.search(r'<a href="n/lua-dao/">.*?</li>', home, re.S)
    assert listed is not None, home
    assert f"</time> · {ISSUER}\n" in listed.group(0)
    # on the place page, under the heading of the notices for every place only
    _name, place = SITES[site_id]
    place_page = (out / "l" / place / "index.html").read_text("utf-8")
    assert 'href="../../n/lua-dao/"' in commune_wide(place_page)
    assert place_page.count('href="../../n/lua-dao/"') == 1
    assert 'href="../../n/hop/"' not in commune_wide(place_page)  # the site's own: above
    # an own notice without an issuer shows no issuer line
    own = (out / "n" / "hop" / "index.html").read_text("utf-8")
    assert "Cơ quan ban hành" not in own


@pytest.mark.parametrize("site_id", list(SITES))
def test_shared_media_published_with_every_site(province: Path, site_id: str) -> None:
    out = province / "output" / site_id
    assert (out / "m" / "cong-van.pdf").read_bytes() == PDF
    page = (out / "n" / "lua-dao" / "index.html").read_text("utf-8")
    assert '<a href="../../m/cong-van.pdf">công văn số 45</a> <small>(PDF, ' in page
    # the cover picture, in renditions made from the shared PNG
    covers = re.findall(r'srcset="(\.\./\.\./m/canh-bao\.[0-9a-f]+\.\d+\.webp) \d+w', page)
    assert covers, page
    assert all((out / "n" / "lua-dao" / c).resolve().is_file() for c in covers)
    assert f"https://bangtin.thanhhoa.example/{site_id}/m/canh-bao." in page  # og:image


@pytest.mark.parametrize("site_id", list(SITES))
def test_an_urgent_shared_notice_warns_on_every_page(province: Path, site_id: str) -> None:
    out = province / "output" / site_id
    pages = resident_pages(out)
    assert {"index.html", "n/hop/index.html", "l/" + SITES[site_id][1] + "/index.html"} <= pages
    for rel in pages:
        html = (out / rel).read_text("utf-8")
        if rel == "n/bao/index.html":  # the urgent notice itself: its page is the warning
            assert '<p class="flag">Khẩn</p>' in html
            continue
        banners = re.search(r'<aside class="alerts".*?</aside>', html, re.S)
        assert banners is not None, rel
        assert STORM in banners.group(0), rel


def test_pages_with_issuers_fit_the_budget(province: Path) -> None:
    for site_id in SITES:
        out = province / "output" / site_id
        for rel in resident_pages(out):
            html = (out / rel).read_text("utf-8")
            styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
            assert styles, rel
            css = [((out / rel).parent / s).resolve().read_bytes() for s in styles]
            size = gz(html.encode()) + sum(map(gz, css))
            assert size <= FIRST_FLIGHT, (site_id, rel, size)


def test_locations_in_a_shared_notice_is_an_error(tmp_path: Path) -> None:
    root = make_province(tmp_path)
    replace_in(root / "shared/notices/lua-dao.md", "tags:", "locations: [cho]\ntags:")
    code, said = build(root)
    assert code == 1
    where = "shared/notices/lua-dao.md:6:12: error: "
    message = "a shared notice is for every place of every site: `locations` must be `all`"
    assert said.count(where + message) == 2, said  # once for each site
    assert "hint: place ids differ from site to site" in said
    assert "unknown place" not in said  # `cho` is a place of one site only: not asked
    assert not (root / "output" / "dinh-hung").exists()
    # `all` is what a shared notice is anyway
    replace_in(root / "shared/notices/lua-dao.md", "locations: [cho]", "locations: all")
    code, said = build(root)
    assert code == 0, said


def test_a_site_notice_with_a_shared_slug_fails_that_site_only(tmp_path: Path) -> None:
    root = make_province(tmp_path)
    code, said = build(root)
    assert code == 0, said
    before = tree_bytes(root / "output" / "dinh-tan")
    write(root, {"sites/dinh-tan/content/notices/lua-dao.md": notice("Lừa đảo ở xã")})
    replace_in(root / "sites/dinh-hung/content/notices/hop.md", "Họp dân", "Họp toàn dân")
    code, said = build(root)
    assert code == 1
    assert (
        "sites/dinh-tan/content/notices/lua-dao.md:1:1: error: notice slug `lua-dao` is "
        "taken by the province's shared notice shared/notices/lua-dao.md, which every site "
        "publishes"
    ) in said, said
    assert "hint: give this notice its own `slug:` in the front matter" in said
    assert said.count("error:") == 1  # never reported at the shared file
    assert tree_bytes(root / "output" / "dinh-tan") == before
    edited = root / "output" / "dinh-hung" / "n" / "hop" / "index.html"
    assert "Họp toàn dân xã Định Hưng" in edited.read_text("utf-8")
    # the slug of its own: the site builds
    replace_in(
        root / "sites/dinh-tan/content/notices/lua-dao.md", "date:", "slug: lua-dao-xa\ndate:"
    )
    code, said = build(root)
    assert code == 0, said
    assert (root / "output" / "dinh-tan" / "n" / "lua-dao-xa" / "index.html").is_file()


def test_a_shared_file_and_a_site_file_with_one_url(tmp_path: Path) -> None:
    root = make_province(tmp_path)
    write(root, {"sites/dinh-hung/content/media/Công văn.pdf": decision_pdf(2)})
    code, said = build(root)
    assert code == 1
    assert (
        "shared/notices/lua-dao.md:11:22: error: `shared/media/cong-van.pdf` and "
        "`media/Công văn.pdf` would have the same URL: /m/cong-van.pdf"
    ) in said, said
    assert said.count("error:") == 1  # in dinh-hung only: dinh-tan has no such file
    assert not (root / "output" / "dinh-hung").exists()
    assert (root / "output" / "dinh-tan" / "m" / "cong-van.pdf").read_bytes() == PDF


def test_an_edited_shared_notice_rebuilds_every_site_as_a_clean_build(tmp_path: Path) -> None:
    root = make_province(tmp_path / "a")
    code, said = build(root)
    assert code == 0, said
    replace_in(root / "shared/notices/lua-dao.md", "cài VNeID", "cài ứng dụng VNeID giả")
    replace_in(root / "shared/notices/lua-dao.md", ISSUER, "Công an tỉnh")
    code, said = build(root)
    assert code == 0, said
    for site_id in SITES:
        found = re.search(rf"{site_id}: Built \d+ pages .*?\((\d+) files, (\d+) written", said)
        assert found is not None, said
        assert 0 < int(found.group(2)) < int(found.group(1))  # an update, not everything
        home = (root / "output" / site_id / "index.html").read_text("utf-8")
        assert "Cảnh báo giả danh công an gọi điện cài ứng dụng VNeID giả" in home
        assert "</time> · Công an tỉnh\n" in home
    clean = tmp_path / "b"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("output", "output.nginx"))
    code, said = build(clean)
    assert code == 0, said
    for site_id in SITES:
        assert tree_bytes(root / "output" / site_id) == tree_bytes(clean / "output" / site_id)


# Unit level: the content and media of one site of a province, read directly.


def test_read_content_of_a_province_site(tmp_path: Path) -> None:
    root = make_province(tmp_path)
    write(
        root,
        {
            "sites/dinh-hung/content/notices/own.md": notice(issuer="UBND xã Định Hưng"),
            "shared/notices/all.md": notice("Cho mọi nơi", slug="moi-noi", locations="all"),
            "shared/notices/again.md": notice("Lần nữa", slug="moi-noi"),
        },
    )
    site = load_config(root / "sites/dinh-hung/content", shared=root / "shared")
    content, errors = read_content(site)
    issuers = {n.slug: n.issuer for n in content.notices}
    assert issuers["own"] == "UBND xã Định Hưng"
    assert issuers["lua-dao"] == ISSUER
    assert issuers["hop"] is None
    assert all(n.locations == "all" for n in content.notices if n.slug != "hop")
    # two shared notices with one slug: named as the province's editors know them
    assert [(e.pos.path.name, str(e.message)) for e in errors] == [
        ("all.md", "duplicate notice slug `moi-noi`: shared/notices/again.md has it too")
    ]


def test_the_library_of_a_province_site(tmp_path: Path) -> None:
    root = make_province(tmp_path)
    site = load_config(root / "sites/dinh-tan/content", shared=root / "shared")
    library = load_media(site)
    assert library.roots == (
        root / "sites/dinh-tan/content/media",
        root / "shared/media",
    )
    files = sorted((f.url_path, f.kind, f.problem) for f in library.files.values())
    assert files == [("m/canh-bao", "picture", None), ("m/cong-van.pdf", "document", None)]
    alone = load_media(load_config(root / "sites/dinh-tan/content"))
    assert alone.files == {} and alone.roots == (root / "sites/dinh-tan/content/media",)
