"""The output folder: deterministic bytes, never half-written, never stale, never escaped."""

from __future__ import annotations

import json
import posixpath
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import api
from generator import build as pipeline
from generator.errors import BuildError, UsageError
from generator.output.writer import MARKER, Writer, safe_relpath, server_folder
from generator.plan.urls import relative
from tests.conftest import (
    SAMPLE,
    Built,
    SiteFactory,
    build,
    notice,
    resident_pages,
    run_cli,
    tree_bytes,
)

MakeSite = Callable[[dict[str, str]], SiteFactory]


def test_every_html_page_is_in_the_manifest(sample: Built) -> None:
    assert resident_pages(sample.output) == {p["path"] for p in sample.pages()}
    for page in sample.pages():
        assert page["url"] == sample.manifest["base_url"] + page["path"].removesuffix("index.html")
        assert (sample.output / page["qr_svg"]).is_file()
        assert (sample.output / page["qr_png"]).is_file()


def test_manifest_shape(sample: Built) -> None:
    data = sample.manifest
    assert data["base_url"] == "https://dinhhung.example/"
    for page in data["pages"]:
        assert set(page) - {"board", "page"} == {
            "kind",
            "id",
            "title",
            "url",
            "path",
            "qr_svg",
            "qr_png",
        }
        assert ("board" in page) == (
            page["kind"] == "location" or page["id"] == "canh-bao-ma-qr-gia"
        )
    home = data["pages"][0]
    assert home == {
        "kind": "home",
        "id": "home",
        "title": "Bảng tin xã Định Hưng",
        "url": "https://dinhhung.example/",
        "path": "index.html",
        "qr_svg": "qr.svg",
        "qr_png": "qr.png",
    }


def test_sitemap_and_robots(sample: Built) -> None:
    sitemap = (sample.output / "sitemap.xml").read_text("utf-8")
    for page in sample.pages():
        assert f"<loc>{page['url']}</loc>" in sitemap
    assert "404" not in sitemap
    robots = (sample.output / "robots.txt").read_text("utf-8")
    assert "Sitemap: https://dinhhung.example/sitemap.xml" in robots


def test_feed_is_valid_atom_of_current_notices(sample: Built) -> None:
    import xml.etree.ElementTree as ET

    feed = ET.parse(sample.output / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.findtext("a:id", namespaces=ns) for e in feed.findall("a:entry", ns)]
    current = {p["url"] for p in sample.pages("notice")} - {
        "https://dinhhung.example/n/lich-cat-dien-thon-1-thon-3/",  # expired
        "https://dinhhung.example/n/mua-lon-ngap-ung/",  # expired at 12:00 on 07/11
    }
    assert set(ids) == current


def test_404_page_links_from_the_site_root(sample: Built) -> None:
    page = (sample.output / "404.html").read_text("utf-8")
    assert 'href="/assets/style.' in page
    assert '<a href="/">' in page or 'href="/"' in page


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    build(SAMPLE, tmp_path / "a")
    build(SAMPLE, tmp_path / "b")
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_output_does_not_depend_on_timezone_or_locale(tmp_path: Path) -> None:
    runs = {
        "utc": {"TZ": "UTC", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "1"},
        "other": {
            "TZ": "America/Los_Angeles",
            "LANG": "vi_VN.UTF-8",
            "LC_ALL": "vi_VN.UTF-8",
            "PYTHONHASHSEED": "12345",
        },
    }
    trees = []
    for name, env in runs.items():
        out = tmp_path / name
        result = run_cli("build", "--content", str(SAMPLE), "--output", str(out), env=env)
        assert result.returncode == 0, result.stderr
        trees.append(tree_bytes(out))
    assert trees[0] == trees[1]


def test_failed_build_leaves_previous_output_untouched(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice("Một")})
    site.build()
    before = tree_bytes(site.output)
    site.write({"notices/b.md": "---\ntitle: Hai\n---\n"})  # no date
    with pytest.raises(BuildError):
        site.build()
    assert tree_bytes(site.output) == before
    leftovers = [p.name for p in site.root.iterdir() if p.name.startswith(".bangtin-staging")]
    assert leftovers == []


def test_removed_pages_do_not_linger(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice("Một"), "notices/b.md": notice("Hai")})
    site.build()
    assert (site.output / "n/b/index.html").exists()
    (site.content / "notices/b.md").unlink()
    site.build()
    assert not (site.output / "n/b").exists()
    assert [p["id"] for p in Built(site.output).pages("notice")] == ["a"]


def test_refuses_to_replace_a_folder_it_did_not_make(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice()})
    site.output.mkdir()
    (site.output / "thesis.docx").write_text("do not lose me")
    with pytest.raises(UsageError, match="refusing to replace"):
        site.build()
    assert (site.output / "thesis.docx").read_text() == "do not lose me"


def test_output_inside_content_is_refused(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice()})
    with pytest.raises(UsageError, match="overlap"):
        build(site.content, site.content / "output")


def test_leftover_staging_folder_is_cleaned(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice()})
    stale = site.root / ".bangtin-staging-output-999999999"
    (stale / "n").mkdir(parents=True)
    site.build()
    assert not stale.exists()


@pytest.mark.parametrize(
    "path",
    [
        "../evil.html",
        "/etc/passwd",
        "a/../../evil",
        "a\\..\\evil",
        "a/\x00/b",
        "C:/windows",
        "",
        "a/./b",
        "n/%2e%2e/x",
    ],
)
def test_writer_refuses_paths_outside_output(path: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsafe output path"):
        safe_relpath(path)


def test_writer_refuses_double_writes_and_leaves_nothing_on_error(tmp_path: Path) -> None:
    out = tmp_path / "output"
    with pytest.raises(ValueError, match="twice"), Writer(out) as writer:
        writer.write("a/index.html", "x")
        writer.write("a/index.html", "y")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_base_url_override(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(SAMPLE, out, base_url="https://preview.example/bang-tin/")
    data = json.loads((out / "qr-manifest.json").read_text("utf-8"))
    assert data["base_url"] == "https://preview.example/bang-tin/"
    assert all(p["url"].startswith("https://preview.example/bang-tin/") for p in data["pages"])
    shutil.rmtree(out)


@given(
    st.lists(st.sampled_from(["n", "l", "a-b", "x", "2"]), max_size=4),
    st.lists(st.sampled_from(["n", "l", "a-b", "x", "2"]), max_size=4),
    st.booleans(),
)
def test_relative_links_match_posixpath(here: list[str], there: list[str], folder: bool) -> None:
    """The fast relative() agrees with posixpath.relpath on clean site paths."""
    from_dir = "/".join(here) + "/" if here else ""
    if not there:
        to_path = ""
    elif folder:
        to_path = "/".join(there) + "/"
    else:
        to_path = "/".join(there) + ".html"
    expected = posixpath.relpath("/" + to_path, "/" + from_dir)
    if to_path.endswith("/") or to_path == "":
        expected = "./" if expected == "." else expected + "/"
    assert relative(from_dir, to_path) == expected


def test_a_file_made_in_pieces_is_written_as_the_whole_would_be(tmp_path: Path) -> None:
    """Large files (the manifest, the boards sheet) reach the writer as an iterator."""
    text = "Bảng tin xã\n" * 1000
    with Writer(tmp_path / "out") as w:
        w.write("whole.txt", text, "k")
        w.write("pieces.txt", iter(text.splitlines(keepends=True)), "k")
    whole, pieces = (tmp_path / "out/whole.txt"), (tmp_path / "out/pieces.txt")
    assert pieces.read_bytes() == whole.read_bytes() == text.encode()
    assert w.records["pieces.txt"][:2] == ("k", len(text.encode()))
    assert w.bytes_written == 2 * len(text.encode())

    def failing() -> Iterator[str]:
        yield "nửa đầu"
        raise ValueError("template error half way")

    (tmp_path / "out2").mkdir()
    (tmp_path / "out2" / "qr-manifest.json").write_text("{}", "utf-8")
    (tmp_path / "out2" / MARKER).write_text("bangtin output 1\nqr-manifest.json\n", "utf-8")
    with pytest.raises(ValueError), Writer(tmp_path / "out2") as w:
        w.write("a.txt", failing())
    assert sorted(p.name for p in (tmp_path / "out2").iterdir()) == [MARKER, "qr-manifest.json"]


# -- the server's configuration: beside output/, never published ---------------------------

NGINX_FILES = ["nginx-redirects.conf", "nginx-security.conf"]


def test_server_configuration_is_written_beside_output_not_in_it(make_site: MakeSite) -> None:
    site = make_site({"locations/cho.yml": "name: Chợ\naliases: [cho-cu/]\n"})
    built = site.build()
    server = server_folder(built.output)
    assert server == site.root / "output.nginx"
    assert sorted(p.name for p in server.iterdir()) == [MARKER, *NGINX_FILES]
    marker = (server / MARKER).read_text("utf-8").splitlines()
    assert marker == ["bangtin server 1", *NGINX_FILES]  # its own kind of marker
    assert "location = /cho-cu/ { return 301 /l/cho/; }" in (server / NGINX_FILES[0]).read_text()
    assert "add_header Content-Security-Policy" in (server / NGINX_FILES[1]).read_text()
    published = sorted(p.name for p in built.output.iterdir() if p.is_file())
    assert not set(NGINX_FILES) & set(published)
    assert {"_headers", "_redirects"} <= set(published)  # hosts read those from the site


def test_a_server_folder_bangtin_did_not_make_is_never_replaced(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice()})
    server = server_folder(site.output)
    server.mkdir()
    (server / "mine.conf").write_text("keep me")
    with pytest.raises(UsageError, match="refusing to replace"):
        site.build()
    assert (server / "mine.conf").read_text() == "keep me"
    assert not site.output.exists()  # refused before anything was written


def test_a_file_added_to_the_server_folder_stops_the_build(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice("Một")})
    site.build()
    before = tree_bytes(site.output)
    (server_folder(site.output) / "mine.conf").write_text("keep me")
    site.write({"notices/a.md": notice("Hai")})
    with pytest.raises(UsageError, match=r"mine\.conf"):
        site.build()
    assert tree_bytes(site.output) == before  # the site was not changed either
    assert (server_folder(site.output) / "mine.conf").read_text() == "keep me"


def test_a_site_is_never_replaced_by_a_server_folder(make_site: MakeSite) -> None:
    """A site built into ``output.nginx`` is not server configuration to replace."""
    site = make_site({"notices/a.md": notice()})
    build(site.content, server_folder(site.output))
    with pytest.raises(UsageError, match="refusing to replace"):
        site.build()
    assert (server_folder(site.output) / "qr-manifest.json").is_file()


def test_a_failed_build_leaves_the_server_folder_as_it_was(make_site: MakeSite) -> None:
    site = make_site({"locations/cho.yml": "name: Chợ\naliases: [cho-cu/]\n"})
    site.build()
    server = server_folder(site.output)
    before = {p.name: p.stat().st_ino for p in server.iterdir()}
    site.write({"locations/cho.yml": "name: Chợ\naliases: [cho-moi/]\n", "notices/b.md": "x"})
    with pytest.raises(BuildError):  # a content error: stops before anything is staged
        site.build()
    assert {p.name: p.stat().st_ino for p in server.iterdir()} == before
    # a template error: stops while the site and the server folder are being staged
    (site.content / "notices/b.md").unlink()
    site.write({"site.yml": "title: T\nbase_url: https://test.example/\ntheme: hong\n"})
    broken = site.root / "themes/hong/templates/location.html"
    broken.parent.mkdir(parents=True)
    broken.write_text("{{ no_such_value }}", "utf-8")
    with pytest.raises(BuildError) as info:
        site.build()
    assert "no_such_value" in str(info.value.errors[0].message)
    assert {p.name: p.stat().st_ino for p in server.iterdir()} == before
    assert "cho-cu" in (server / "nginx-redirects.conf").read_text()
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".bangtin-")] == []


def test_a_removed_server_folder_is_written_again(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice()})
    options = api.Options(site.content, site.output)
    assert api.build(options).how == "build"
    assert api.build(options).how == "none"  # nothing changed
    shutil.rmtree(server_folder(site.output))
    assert api.build(options).how == "build"  # the server folder is part of the build
    assert sorted(p.name for p in server_folder(site.output).iterdir()) == [MARKER, *NGINX_FILES]
    assert api.build(options).how == "none"


def test_a_preview_writes_no_server_folder(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice()})
    pipeline.build(site.content, site.output, pipeline.Caches(), preview=True)
    assert (site.output / "index.html").is_file()
    assert not server_folder(site.output).exists()


def test_content_in_the_server_folder_is_refused(tmp_path: Path) -> None:
    content = tmp_path / "site.nginx"
    shutil.copytree(SAMPLE, content)
    with pytest.raises(UsageError, match="overlap"):
        build(content, tmp_path / "site")
