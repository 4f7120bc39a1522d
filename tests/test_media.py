"""Pictures and documents in notices, places and pages (issue 17).

Real files made by Pillow (tests/media_files.py), real builds, real checks of the bytes:
no GPS or any other metadata in what is published, orientation applied (by pixels),
every ``srcset`` file there at its stated width, documents byte for byte, each refusal
at the right line with ``output/`` untouched, and the cache of renditions treated as
untrusted input.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from generator.cache.store import Store, cache_folder
from generator.errors import BuildError
from generator.i18n import ENGLISH, language
from generator.media import pictures
from generator.render.headers import CSP
from tests.conftest import Built, SiteFactory, build, notice, tree_bytes
from tests.media_files import decision_pdf, emblem_png, map_photo, photo_like, with_exif

MakeSite = Callable[[dict[str, str]], SiteFactory]
SRCSET = re.compile(r'srcset="([^"]+)"')


def add_media(site: SiteFactory, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = site.content / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def renditions(output: Path) -> list[Path]:
    return sorted(p for p in (output / "m").rglob("*") if p.suffix in (".jpg", ".webp"))


def metadata_of(path: Path) -> list[str]:
    """Every metadata block a published picture holds (none, when it is right)."""
    data = path.read_bytes()
    found = []
    with Image.open(path) as image:
        if image.getexif():
            found.append("EXIF")
        found += [k for k in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp") if k in image.info]
    if path.suffix == ".jpg":
        if b"\xff\xe1" in data:  # APP1: EXIF or XMP
            found.append("APP1")
        if b"\xff\xe2" in data:  # APP2: ICC profile
            found.append("APP2")
    else:
        chunks = set(re.findall(rb"(EXIF|XMP |ICCP)", data[12:]))
        found += [c.decode() for c in chunks]
    if b"Exif\0" in data or b"Phone maker" in data:
        found.append("the source's EXIF")
    return found


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A notice with a 4000x3000 phone photo (stored sideways, EXIF orientation 6, GPS),
    a PNG with transparency, a PDF, a DOCX; a place with a cover."""
    root = tmp_path_factory.mktemp("media")
    site = SiteFactory(root).write(
        {
            "site.yml": "title: Bảng tin thử\nbase_url: https://test.example/\n"
            "image: media/bieu-trung.png\n",
            "notices/2026-11-20-cat-dien.md": notice(
                "Cắt điện",
                body="Xem sơ đồ:\n\n![Sơ đồ khu vực cắt điện](../media/2026-11/Sơ đồ.jpg)\n\n"
                "Tải [Quyết định số 123](../media/Quyết định 123.pdf) và "
                "[mẫu đơn](../media/mau-don.docx).",
                image="../media/2026-11/Sơ đồ.jpg",
            ),
            "locations/cho.yml": "name: Chợ\nimage: ../media/bieu-trung.png\n",
        }
    )
    add_media(
        site,
        {
            "2026-11/Sơ đồ.jpg": map_photo(),
            "bieu-trung.png": emblem_png(),
            "Quyết định 123.pdf": decision_pdf(3),
            "mau-don.docx": docx(),
        },
    )
    site.build()
    return root


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def test_no_gps_nor_any_metadata_in_any_published_picture(photo_site: Path) -> None:
    found = renditions(photo_site / "output")
    # the photo at 3 widths, the emblem (600 px) and the PDF's first page at 2; x2 formats
    assert len(found) == 6 + 4 + 4
    with Image.open(photo_site / "content/media/2026-11/Sơ đồ.jpg") as source:
        assert source.getexif().get_ifd(0x8825)[2] == (19.0, 48.0, 36.5)  # the GPS latitude
    for path in found:
        assert metadata_of(path) == [], path


def test_the_sample_site_publishes_no_gps(sample: Built) -> None:
    found = renditions(sample.output)
    assert len(found) >= 12
    for path in found:
        assert metadata_of(path) == [], path


def test_orientation_is_applied(photo_site: Path) -> None:
    """Stored sideways (3000x4000) with orientation 6: published upright, 4:3, with the
    red corner of the upright picture at the top left."""
    [large] = (photo_site / "output/m/2026-11").glob("so-do.*.1280.jpg")
    with Image.open(large) as image:
        assert image.size == (1280, 960)
        rgb = image.convert("RGB")
        red = rgb.getpixel((20, 20))
        assert red[0] > 180 and red[1] < 60 and red[2] < 60, red
        other = rgb.getpixel((1260, 20))
        assert not (other[0] > 180 and other[1] < 60), other


def test_srcset_files_exist_at_their_stated_widths(photo_site: Path) -> None:
    page = (photo_site / "output/n/cat-dien/index.html").read_text("utf-8")
    sets = [s for s in SRCSET.findall(page) if "so-do." in s]
    assert len(sets) == 4  # the cover and the body's picture: WebP and JPEG each
    for srcset in sets:
        entries = [entry.split() for entry in srcset.split(", ")]
        assert [w for _, w in entries] == ["360w", "720w", "1280w"]
        for url, width in entries:
            path = (photo_site / "output/n/cat-dien" / url).resolve()
            assert path.is_file(), url
            assert re.fullmatch(r"so-do\.[0-9a-f]{10}\.\d+\.(webp|jpg)", path.name)
            with Image.open(path) as image:
                assert image.width == int(width[:-1])
                assert image.format == ("WEBP" if path.suffix == ".webp" else "JPEG")
    body = page.split('<div class="body">')[1]
    img = re.search(r"<img [^>]+>", body)
    assert img is not None
    tag = img.group(0)
    for attribute in (
        'width="1280"',
        'height="960"',
        'decoding="async"',
        'alt="Sơ đồ khu vực cắt điện"',
    ):
        assert attribute in tag
    assert "loading=" not in tag  # the first picture near the top: on the first screen
    assert '<source type="image/webp"' in body and "sizes=" in body
    # a link to the largest size, for reading a photographed document up close
    assert re.search(r'<a class="picture" href="\.\./\.\./m/2026-11/so-do\.\w+\.1280\.jpg">', body)


def test_pictures_below_the_first_screen_load_lazily(make_site: MakeSite) -> None:
    body = "![Ảnh một](../media/anh.jpg)\n\n" + "Đoạn văn.\n\n" * 3 + "![Ảnh hai](../media/anh.jpg)"
    site = make_site({"notices/2026-11-20-a.md": notice(body=body)})
    add_media(site, {"anh.jpg": SMALL_JPEG})
    page = site.build().html("n/a/")
    tags = re.findall(r"<img [^>]+>", page.split('<div class="body">')[1].split("</div>")[0])
    assert len(tags) == 2
    assert "loading=" not in tags[0] and 'loading="lazy"' in tags[1]
    assert all('decoding="async"' in t and "fetchpriority" not in t for t in tags)


def test_pictures_are_never_upscaled(photo_site: Path) -> None:
    emblem = sorted(p.name for p in (photo_site / "output/m").glob("bieu-trung.*"))
    assert [n.split(".")[2] for n in emblem] == ["360", "360", "600", "600"]
    with Image.open(next((photo_site / "output/m").glob("bieu-trung.*.600.webp"))) as image:
        assert image.size == (600, 600) and image.mode == "RGBA"  # transparency kept


def test_documents_are_published_byte_for_byte(photo_site: Path) -> None:
    content, output = photo_site / "content/media", photo_site / "output/m"
    assert (output / "quyet-dinh-123.pdf").read_bytes() == (
        content / "Quyết định 123.pdf"
    ).read_bytes()
    assert (output / "mau-don.docx").read_bytes() == (content / "mau-don.docx").read_bytes()
    page = (photo_site / "output/n/cat-dien/index.html").read_text("utf-8")
    size = (content / "Quyết định 123.pdf").stat().st_size
    assert (
        f'<a href="../../m/quyet-dinh-123.pdf">Quyết định số 123</a> <small>(PDF, {round(size / 1024)} KB'
        in page
    )
    assert f"(PDF, {round(size / 1024)} KB, 3 trang)</small>" in page
    assert '<a href="../../m/mau-don.docx">mẫu đơn</a> <small>(DOCX, 1 KB)</small>' in page


def test_a_pdf_shows_its_first_page(photo_site: Path) -> None:
    page = (photo_site / "output/n/cat-dien/index.html").read_text("utf-8")
    preview = re.search(
        r'<p><a class="picture preview" href="\.\./\.\./m/quyet-dinh-123\.pdf">(.+?)</a></p>', page
    )
    assert preview is not None
    assert 'alt="Trang đầu của Quyết định số 123"' in preview[1]
    assert 'width="720" height="1018"' in preview[1]  # A4
    found = re.findall(r"([\w./-]+\.(?:webp|jpg)) (\d+)w", preview[1])
    assert len(found) == 4  # 360 and 720 px, WebP and JPEG
    for url, width in found:
        path = (photo_site / "output/n/cat-dien" / url).resolve()
        assert re.fullmatch(r"quyet-dinh-123\.pdf\.[0-9a-f]{10}\.(360|720)\.(webp|jpg)", path.name)
        with Image.open(path) as image:
            assert image.width == int(width)
            top = image.convert("L").crop((0, 0, image.width, image.height // 4))
            assert top.getextrema()[0] < 100  # the decision's heading is drawn: dark pixels
            assert image.convert("L").getpixel((2, 2)) > 240  # on white paper


def test_a_pdf_pdfium_cannot_open_is_published_without_a_preview(make_site: MakeSite) -> None:
    data = b"%PDF-1.4\n% not really a PDF body\n%%EOF\n"
    site = make_site({"notices/2026-11-20-a.md": notice(body="[Tệp](../media/tep.pdf)")})
    add_media(site, {"tep.pdf": data})
    built = site.build()
    assert (built.output / "m/tep.pdf").read_bytes() == data
    assert sorted(p.name for p in (built.output / "m").iterdir()) == ["tep.pdf"]
    assert "<small>(PDF, 1 KB)</small>" in built.html("n/a/")


def test_cover_and_og_image(photo_site: Path) -> None:
    page = (photo_site / "output/n/cat-dien/index.html").read_text("utf-8")
    og = re.search(r'<meta property="og:image" content="([^"]+)">', page)
    assert og and re.fullmatch(r"https://test\.example/m/2026-11/so-do\.\w+\.1280\.jpg", og[1])
    cover = page.split('<div class="cover">')[1].split("</div>")[0]
    assert 'fetchpriority="high"' in cover and 'loading="lazy"' not in cover
    place = (photo_site / "output/l/cho/index.html").read_text("utf-8")
    assert '<div class="cover">' in place and "bieu-trung." in place
    home = (photo_site / "output/index.html").read_text("utf-8")  # site.yml's `image:`
    assert re.search(r'og:image" content="https://test\.example/m/bieu-trung\.\w+\.600\.jpg"', home)


def test_media_get_no_qr_code_and_stay_out_of_the_manifest(photo_site: Path) -> None:
    manifest = (photo_site / "output/qr-manifest.json").read_text("utf-8")
    assert "/m/" not in manifest and "so-do" not in manifest
    assert not list((photo_site / "output/m").rglob("qr.*"))


def test_unlinked_media_are_not_published(make_site: MakeSite) -> None:
    site = make_site({"notices/2026-11-20-a.md": notice()})
    add_media(site, {"rieng.pdf": decision_pdf(1), "x.svg": b"<svg/>"})
    built = site.build()
    assert not (built.output / "m").exists()


def test_headers_cache_renditions_for_a_year_and_documents_not(photo_site: Path) -> None:
    headers = (photo_site / "output/_headers").read_text("utf-8")
    assert "/m/*.webp\n  Cache-Control: public, max-age=31536000, immutable" in headers
    assert "/m/*.jpg\n  Cache-Control: public, max-age=31536000, immutable" in headers
    assert "/m/*.pdf" not in headers
    nginx = (photo_site / "output.nginx/nginx-security.conf").read_text("utf-8")
    pattern = re.search(r'location ~ "([^"]+)"', nginx)
    assert pattern is not None
    rendition = re.compile(pattern[1])
    [large] = (photo_site / "output/m/2026-11").glob("so-do.*.1280.jpg")
    assert rendition.match(f"/m/2026-11/{large.name}")
    assert not rendition.match("/m/quyet-dinh-123.pdf")


# -- refusals: at the right line, output/ untouched ----------------------------------------


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG of a few hundred bytes whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


SMALL_JPEG = with_exif(photo_like(64, 48), orientation=1)

REFUSED = {
    "no-alt": (
        "![](../media/anh.jpg)",
        {"anh.jpg": SMALL_JPEG},
        5,
        "a picture needs a description",
    ),
    "blank-alt": (
        "![   ](../media/anh.jpg)",
        {"anh.jpg": SMALL_JPEG},
        8,
        "a picture needs a description",
    ),
    "svg": (
        "![Sơ đồ](../media/so-do.svg)",
        {"so-do.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'},
        10,
        "is an SVG picture, which can carry scripts",
    ),
    "spoofed-jpg": (
        "![Sơ đồ](../media/so-do.jpg)",
        {"so-do.jpg": b"<html><script>alert(1)</script></html>"},
        10,
        "is not a JPEG file: its content is a web page",
    ),
    "png-named-jpg": (
        "![Sơ đồ](../media/so-do.jpg)",
        {"so-do.jpg": emblem_png()},
        10,
        "its content is a PNG file",
    ),
    "spoofed-pdf": (
        "[Quyết định](../media/qd.pdf)",
        {"qd.pdf": SMALL_JPEG},
        14,
        "is not a PDF file: its content is a JPEG file",
    ),
    "spoofed-docx": (
        "[Mẫu đơn](../media/don.docx)",
        {"don.docx": decision_pdf(1)},
        11,
        "is not a DOCX file",
    ),
    "bomb": (
        "![Bản đồ](../media/ban-do.png)",
        {"ban-do.png": png_bomb()},
        11,
        "the picture has too many pixels",
    ),
    "bomb-under-pillow's-limit": (
        "![Bản đồ](../media/ban-do.png)",
        {"ban-do.png": png_bomb(9000, 8000)},
        11,
        "the picture has too many pixels",
    ),
    "oversized": (
        "[Quyết định](../media/qd.pdf)",
        {"qd.pdf": b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)},
        14,
        "more than the 1 MB `media_max_mb:` allows",
    ),
    "missing": ("![Ảnh](../media/khong-co.jpg)", {}, 8, "link to a file that does not exist"),
    "escaping-content": (
        "![Ảnh](../../../../etc/anh.jpg)",
        {"anh.jpg": SMALL_JPEG},
        8,
        "is not a file of content/media/",
    ),
    "outside-media": ("[Tệp](../notices/x.pdf)", {}, 7, "is not a file of content/media/"),
    "remote-picture": (
        "![Ảnh](https://example.com/a.jpg)",
        {},
        8,
        "a picture must be a file of content/media/",
    ),
    "document-as-picture": (
        "![Văn bản](../media/qd.pdf)",
        {"qd.pdf": decision_pdf(1)},
        12,
        "is a PDF document, not a picture",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_at_the_right_line_with_output_untouched(make_site: MakeSite, case: str) -> None:
    text, media, col, message = REFUSED[case]
    site = make_site(
        {
            "site.yml": "title: Bảng tin thử\nbase_url: https://test.example/\nmedia_max_mb: 1\n",
            "notices/2026-11-20-a.md": notice(body="Đoạn đầu."),
        }
    )
    site.build()
    before = tree_bytes(site.output)
    add_media(site, media)
    path = site.content / "notices/2026-11-20-a.md"
    path.write_text(notice(body=f"Đoạn đầu.\n\nXem thêm:\n\n{text}"), "utf-8")
    with pytest.raises(BuildError) as raised:
        site.build()
    shown = raised.value.format(ENGLISH, site.root)
    assert f"content/notices/2026-11-20-a.md:10:{col}: error: " in shown, shown
    assert message in shown, shown
    assert tree_bytes(site.output) == before


def test_missing_alt_says_why_in_vietnamese(make_site: MakeSite) -> None:
    site = make_site({"notices/2026-11-20-a.md": notice(body="![](../media/anh.jpg)")})
    add_media(site, {"anh.jpg": SMALL_JPEG})
    with pytest.raises(BuildError) as raised:
        site.build()
    assert "a short description of the picture" in raised.value.format(ENGLISH)
    vietnamese = raised.value.format(language("vi"))
    assert "mô tả ngắn nội dung ảnh cho người không xem được ảnh" in vietnamese


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("image: ../media/khong-co.jpg", "`image:` link to a file that does not exist"),
        ("image: ../media/so-do.svg", "is an SVG picture"),
        ("image: ../media/qd.pdf", "is a PDF document, not a picture"),
    ],
)
def test_a_bad_cover_is_an_error_at_its_line(make_site: MakeSite, front: str, message: str) -> None:
    key, value = front.split(": ")
    site = make_site({"notices/2026-11-20-a.md": notice(**{key: value})})
    add_media(site, {"so-do.svg": b"<svg/>", "qd.pdf": decision_pdf(1)})
    with pytest.raises(BuildError) as raised:
        site.build()
    shown = raised.value.format(ENGLISH, site.root)
    assert "content/notices/2026-11-20-a.md:4:8: error: " in shown, shown
    assert message in shown, shown


def test_symlinks_are_refused(make_site: MakeSite, tmp_path: Path) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(decision_pdf(1))
    site = make_site({"notices/2026-11-20-a.md": notice(body="[Tệp](../media/tep.pdf)")})
    (site.content / "media").mkdir()
    (site.content / "media/tep.pdf").symlink_to(secret)
    with pytest.raises(BuildError) as raised:
        site.build()
    assert "`media/tep.pdf` is a symbolic link" in raised.value.format(ENGLISH)
    assert not site.output.exists()


@pytest.mark.parametrize("linked", ["media", "media/ho-so"])
def test_folders_that_are_symlinks_are_refused(
    make_site: MakeSite, tmp_path: Path, linked: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "tep.pdf").write_bytes(decision_pdf(1))
    target = "../media/tep.pdf" if linked == "media" else "../media/ho-so/tep.pdf"
    site = make_site({"notices/2026-11-20-a.md": notice(body=f"[Tệp]({target})")})
    (site.content / linked).parent.mkdir(parents=True, exist_ok=True)
    (site.content / linked).symlink_to(outside, target_is_directory=True)
    with pytest.raises(BuildError) as raised:
        site.build()
    shown = raised.value.format(ENGLISH, site.root)
    assert f"is in `{linked}`, a symbolic link to a folder" in shown, shown
    assert "content/notices/2026-11-20-a.md:6:7: error: " in shown, shown
    assert not site.output.exists()


def test_two_files_with_one_url_are_refused(make_site: MakeSite) -> None:
    site = make_site({"notices/2026-11-20-a.md": notice(body="[A](../media/quyet-dinh.pdf)")})
    add_media(site, {"quyet-dinh.pdf": decision_pdf(1), "Quyết Định.pdf": decision_pdf(2)})
    with pytest.raises(BuildError) as raised:
        site.build()
    shown = raised.value.format(ENGLISH)
    assert (
        "`Quyết Định.pdf` and `quyet-dinh.pdf` would have the same URL: /m/quyet-dinh.pdf" in shown
    )


# -- the sanitiser: editors never write <img>, <picture> or the placeholders ---------------


def test_editors_html_gets_no_picture_markup(make_site: MakeSite) -> None:
    body = (
        '<img src="../media/anh.jpg" alt="x" onerror="alert(1)">\n\n'
        '<picture><source srcset="../media/anh.jpg"><img src="../media/anh.jpg"></picture>\n\n'
        "Chữ \x02bm:5b5d\x03 và \x02bm:zz\x03.\n\n"
        '<a href="../media/anh.jpg">ảnh</a> <a href="../media/qd.pdf">quyết định</a>\n\n'
        "![Ảnh thật](../media/anh.jpg)"
    )
    site = make_site({"notices/2026-11-20-a.md": notice(body=body)})
    add_media(site, {"anh.jpg": SMALL_JPEG, "qd.pdf": decision_pdf(1)})
    page = site.build().html("n/a/")
    main = page.split('<div class="body">')[1].split("</div>")[0]
    assert main.count("<img ") == 1 and main.count("<picture>") == 1  # the Markdown one
    assert "onerror" not in main and "\x02" not in main
    assert "Chữ bm:5b5d và bm:zz." in main  # a forged placeholder is plain text
    # raw links to media files are resolved to their published URLs
    assert re.search(r'<a href="\.\./\.\./m/anh\.\w+\.64\.jpg">ảnh</a>', main)
    assert '<a href="../../m/qd.pdf">quyết định</a>' in main


def test_script_schemes_in_pictures_are_refused(make_site: MakeSite) -> None:
    site = make_site({"notices/2026-11-20-a.md": notice(body="![x](java\tscript:alert(1))")})
    with pytest.raises(BuildError) as raised:
        site.build()
    assert "a picture must be a file of content/media/" in raised.value.format(ENGLISH)


# -- the cache of renditions is untrusted input --------------------------------------------


def test_a_rendition_whose_mac_fails_is_made_again(photo_site: Path, tmp_path: Path) -> None:
    content = photo_site / "content"
    output = tmp_path / "output"
    build(content, output)
    clean = tree_bytes(output)
    store = Store(cache_folder(output))
    assert store.root is not None
    kept = sorted(store.root.glob("pictures/*/*.jpg")) + sorted(
        store.root.glob("pictures/*/*.webp")
    )
    assert len(kept) == 14
    for path in kept:  # another picture's bytes, or garbage, with the MAC of neither
        path.write_bytes(SMALL_JPEG if path.suffix == ".jpg" else b"RIFF....WEBPgarbage")
    for path in renditions(output):
        path.unlink()
    build(content, output)
    assert tree_bytes(output) == clean


def test_a_signed_rendition_that_is_not_one_is_made_again(photo_site: Path, tmp_path: Path) -> None:
    """Even signed by this machine, a rendition read back must look like one (format,
    size, no metadata) before it is published."""
    content = photo_site / "content"
    output = tmp_path / "output"
    build(content, output)
    clean = tree_bytes(output)
    store = Store(cache_folder(output))
    assert store.root is not None
    for path in sorted(store.root.glob("pictures/*/*.*.jpg")):
        name = path.relative_to(store.root).as_posix()
        store.write_bytes(name, map_photo(64, 48))  # signed, but with GPS and the wrong size
    for path in renditions(output):
        path.unlink()
    build(content, output)
    assert tree_bytes(output) == clean


def test_renditions_are_cached_between_builds(photo_site: Path, tmp_path: Path) -> None:
    from generator import build as pipeline

    content, output = photo_site / "content", tmp_path / "output"
    caches = pipeline.Caches.kept_in(Store(cache_folder(output)))
    pipeline.build(content, output, caches)
    assert caches.pictures.made == 3  # the photo, the emblem, the PDF's first page
    again = pipeline.Caches.kept_in(Store(cache_folder(output)))
    (content / "notices/2026-11-20-cat-dien.md").touch()
    pipeline.build(content, output, again)
    assert again.pictures.made == 0


# -- the probe --------------------------------------------------------------------------


def test_the_probe_reads_no_pixels_of_a_bomb() -> None:
    with pytest.raises(pictures.PictureError):
        pictures.probe(png_bomb(), "PNG")
    with pytest.raises(pictures.PictureError):
        pictures.renditions(png_bomb(9000, 8000), "PNG")


def test_widths() -> None:
    assert pictures.widths(4000) == (360, 720, 1280)
    assert pictures.widths(800) == (360, 720, 800)
    assert pictures.widths(200) == (200,)


def test_a_replaced_picture_renders_again_only_what_shows_it(
    make_site: MakeSite, rendered: list[str]
) -> None:
    site = make_site(
        {
            "notices/a.md": notice("A", body="![Ảnh chợ](../media/cho.jpg)"),
            "notices/b.md": notice("B", body="Không có ảnh."),
        }
    )
    add_media(site, {"cho.jpg": SMALL_JPEG})
    old = site.build().html("n/a/")
    rendered.clear()
    add_media(site, {"cho.jpg": with_exif(photo_like(80, 60, seed=9))})
    built = site.build()
    assert rendered == ["a.md"]
    new = built.html("n/a/")
    assert new != old and ".80.webp 80w" in new
    assert [p.name.split(".")[2] for p in renditions(built.output)] == ["80", "80"]


# -- in a real phone-sized Chromium ----------------------------------------------------------


def test_a_phone_loads_one_small_size_with_no_layout_shift(tmp_path: Path) -> None:
    """The notice with a phone photo, served by nginx, in Chromium at 360 CSS px and
    device scale 2: the photo is shown from the 720 px WebP only (328 CSS px wide at 2x
    needs 656 px), inside the column, and nothing moves while it loads."""
    from tests.browser.nginx import free_port, nginx
    from tests.browser.node import check_pages
    from tests.conftest import SAMPLE

    port = free_port()
    output = tmp_path / "output"
    build(SAMPLE, output, base_url=f"http://127.0.0.1:{port}/")
    with nginx(output, tmp_path / "nginx", port) as base:
        [result] = check_pages([{"url": base + "n/lich-cat-dien-thon-1-thon-3/"}])
    photo = [u for u in result["requests"] if "/m/2026-11/so-do-cat-dien." in u]
    assert photo, result["requests"]
    assert all(u.endswith(".720.webp") for u in photo), photo
    shown = [i for i in result["images"] if "so-do-cat-dien" in i["src"]]
    assert shown and all(0 < i["width"] <= 328 and i["height"] > 0 for i in shown), shown
    assert result["layoutShift"] == 0
    assert result["failedRequests"] == [] and result["badResponses"] == []


def test_nginx_caches_renditions_for_a_year_and_revalidates_documents(
    sample: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sample served by a real nginx with the snippet the build writes."""
    import http.client

    from tests.browser import nginx as served

    def snippet_only(output: Path, port: int, prefix: str = "/") -> str:
        return (
            f"server {{ listen 127.0.0.1:{port}; root {output}; "
            f"include {output}.nginx/nginx-security.conf; }}"  # beside output/
        )

    def get(base: str, path: str) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection(base.split("//")[1].rstrip("/"), timeout=5)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response

    monkeypatch.setattr(served, "server_block", snippet_only)
    [webp] = (sample.output / "m/2026-11").glob("so-do-cat-dien.*.720.webp")
    [pdf] = (sample.output / "m").glob("*.pdf")
    with served.nginx(sample.output, tmp_path / "nginx", served.free_port()) as base:
        picture = get(base, f"/m/2026-11/{webp.name}")
        document = get(base, f"/m/{pdf.name}")
    assert picture.status == 200
    assert picture.getheader("Content-Type") == "image/webp"
    assert picture.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert picture.getheader("Content-Security-Policy") == CSP  # repeated in its location
    assert document.status == 200
    assert document.getheader("Content-Type") == "application/pdf"
    assert document.getheader("Cache-Control") == "no-cache"
