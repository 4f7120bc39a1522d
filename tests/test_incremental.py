"""Cached and skipped builds write exactly what a cold build writes, and never stale pages."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

import generator.output.writer as writer_module
from generator.cache import state
from generator.cache.outputs import RECORD
from generator.cache.store import VERSION, Store, cache_folder
from generator.errors import BuildError, UsageError
from generator.inputs import scan as scan_module
from generator.inputs.scan import PACKAGE, RACY_NS, Known, Listed, scan_inputs
from tests.conftest import (
    EPOCH,
    SAMPLE,
    SiteFactory,
    mtimes,
    notice,
    replace_in,
    run_cli,
    tree_bytes,
)
from tests.conftest import build as generator_build

NOTICE = "notices/2026-11-10-lich-tiem-chung-thang-11.md"


def site_copy(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "content")
    return tmp_path  # content/ inside it; output/ goes beside


def build(root: Path, **env: str) -> str:
    result = run_cli("build", cwd=root, env=env or None)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cold_warm_noop_and_incremental_outputs_are_identical(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    assert "Built" in build(root)  # cold: no cache
    cold = tree_bytes(root / "output")
    assert (Store(cache_folder(root / "output")).path("qr/index.json")).is_file()

    shutil.rmtree(root / "output")
    assert "Built" in build(root)  # warm: QR codes from the cache
    assert tree_bytes(root / "output") == cold

    assert "Nothing changed" in build(root)  # no-op
    assert tree_bytes(root / "output") == cold

    path = root / "content" / NOTICE
    original = path.read_text("utf-8")
    path.write_text(original.replace("theo lịch sau", "theo lịch MỚI sau"), "utf-8")
    assert "Built" in build(root)
    assert "lịch MỚI sau" in (root / "output/n/lich-tiem-chung-thang-11/index.html").read_text(
        "utf-8"
    )
    path.write_text(original, "utf-8")
    assert "Built" in build(root)  # back to the original: the original bytes
    assert tree_bytes(root / "output") == cold


def test_cold_equals_a_build_with_a_deleted_or_damaged_cache(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    build(root)
    cold = tree_bytes(root / "output")
    index = Store(cache_folder(root / "output")).path("qr/index.json")
    index.write_text("{not json", "utf-8")  # unsigned, and damaged: worked out again
    shutil.rmtree(root / "output")
    build(root)
    assert tree_bytes(root / "output") == cold
    shutil.rmtree(cache_folder(root / "output"))
    shutil.rmtree(root / "output")
    build(root)
    assert tree_bytes(root / "output") == cold


def test_time_passing_rebuilds_when_a_notice_expires(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    build(root)
    page = root / "output" / "l" / "tram-y-te" / "index.html"
    assert "Lịch tiêm chủng mở rộng tháng 11/2026" in page.read_text("utf-8")
    one_day = 24 * 3600
    # 1 December: the November schedule (expires 30/11) has left the lists
    later = str(int(EPOCH) + 3 * one_day)
    assert "Built" in build(root, SOURCE_DATE_EPOCH=later)
    assert "Lịch tiêm chủng mở rộng tháng 11/2026" not in page.read_text("utf-8")
    assert "Nothing changed" in build(root, SOURCE_DATE_EPOCH=later)


def test_removed_or_changed_output_is_rebuilt(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    build(root)
    cold = tree_bytes(root / "output")
    manifest = root / "output" / "qr-manifest.json"
    manifest.write_text("{}", "utf-8")
    assert "Built" in build(root)
    assert tree_bytes(root / "output") == cold
    shutil.rmtree(root / "output")
    assert "Built" in build(root)


def test_theme_or_option_change_rebuilds(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    build(root)
    theme = root / "themes" / "default" / "templates"
    theme.mkdir(parents=True)  # a site theme beside content/ overrides single templates
    (theme / "page.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>RIÊNG</h1>{% endblock %}', "utf-8"
    )
    assert "Built" in build(root)
    assert "<h1>RIÊNG</h1>" in (root / "output/p/gioi-thieu/index.html").read_text("utf-8")
    result = run_cli("build", "--base-url", "https://khac.example/", cwd=root)
    assert "Built" in result.stdout


# -- update builds: only what changed is written, and the result is a full build's ----


def edit_notice_body(content: Path) -> None:
    replace_in(content / NOTICE, "theo lịch sau", "theo lịch MỚI sau")


def edit_notice_title(content: Path) -> None:
    replace_in(content / NOTICE, "title: Lịch tiêm chủng mở rộng", "title: Lịch tiêm chủng MỚI")


def move_notice(content: Path) -> None:
    replace_in(content / NOTICE, "locations: [tram-y-te, ", "locations: [ubnd-xa, ")


def expire_notice(content: Path) -> None:
    replace_in(content / NOTICE, "expires: 2026-11-30", "expires: 2026-11-27")


def add_notice(content: Path) -> None:
    (content / "notices" / "2026-11-27-thong-bao-moi.md").write_text(
        "---\ntitle: Thông báo mới\ndate: 2026-11-27\nlocations: [cho-dinh-hung]\n"
        "tags: [chợ]\n---\nChợ họp sớm hơn một giờ.\n",
        "utf-8",
    )


def delete_notice(content: Path) -> None:
    (content / "notices" / "2026-11-21-hop-phu-huynh-truong-tieu-hoc.md").unlink()


def rename_place(content: Path) -> None:
    replace_in(content / "locations/tram-y-te.yml", "name: Trạm y tế xã", "name: Trạm Y tế xã")


def edit_place_description(content: Path) -> None:
    replace_in(content / "locations/tram-y-te.yml", "Trực cấp cứu 24/24", "Trực cấp cứu suốt 24/24")


def retitle_page(content: Path) -> None:
    replace_in(content / "pages/gioi-thieu.md", "title: Giới thiệu", "title: Về")


def edit_site_title(content: Path) -> None:
    replace_in(content / "site.yml", "title: Bảng tin xã Định Hưng", "title: Bảng tin Định Hưng")


def override_stylesheet(content: Path) -> None:
    static = content.parent / "themes" / "default" / "static"
    static.mkdir(parents=True)
    css = (SAMPLE.parent / "themes/default/static/style.css").read_text("utf-8")
    (static / "style.css").write_text(css + "\n.x{color:#000}\n", "utf-8")


def override_template(content: Path) -> None:
    templates = content.parent / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "page.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>{{ plan.current|length }}</h1>{% endblock %}',
        "utf-8",
    )


EDITS = [
    edit_notice_body, edit_notice_title, move_notice, expire_notice, add_notice,
    delete_notice, rename_place, edit_place_description, retitle_page, edit_site_title,
    override_stylesheet, override_template,
]  # fmt: skip


@pytest.mark.parametrize("edit", EDITS, ids=lambda f: f.__name__)
def test_an_update_build_writes_what_a_full_build_writes_and_touches_nothing_else(
    tmp_path: Path, edit: Callable[[Path], None]
) -> None:
    """Edit, update in place, compare with a full build of the edited site from nothing."""
    root = site_copy(tmp_path / "site")
    output = root / "output"
    generator_build(root / "content", output)
    before, times = tree_bytes(output), mtimes(output)
    edit(root / "content")
    if edit is override_template:  # the same page count, a different page: keep it
        (root / "content" / "notices" / "2026-11-27-x.md").write_text(
            "---\ntitle: X\ndate: 2026-11-27\nlocations: all\n---\nx\n", "utf-8"
        )
    time.sleep(0.01)  # a rewritten file gets a later mtime
    result = generator_build(root / "content", output)

    fresh = site_copy(tmp_path / "fresh")
    shutil.rmtree(fresh / "content")
    shutil.copytree(root / "content", fresh / "content")
    if (root / "themes").exists():
        shutil.copytree(root / "themes", fresh / "themes")
    generator_build(fresh / "content", fresh / "output")
    after = tree_bytes(output)
    assert after == tree_bytes(fresh / "output")  # nothing stale, nothing missing
    assert after != before

    rewritten = {path for path, t in mtimes(output).items() if times.get(path) != t}
    changed = {path for path, data in after.items() if before.get(path) != data}
    assert changed <= rewritten
    if edit in (edit_notice_body, edit_place_description, retitle_page):
        # a small edit rewrites only the files it changes
        assert rewritten == changed
        assert result.changed == len(rewritten)
    if edit in (edit_notice_body, edit_place_description):
        assert result.changed < len(after) / 8
    if edit is override_template:  # the pages made from page.html, and only those
        standing = {path for path in after if path.startswith("p/") and path.endswith(".html")}
        assert standing and standing <= rewritten
        assert "n/lich-tiem-chung-thang-11/index.html" not in rewritten


def test_an_update_repairs_files_changed_or_removed_in_output(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    output = root / "output"
    generator_build(root / "content", output)
    full = tree_bytes(output)
    page = output / "l" / "tram-y-te" / "index.html"
    with page.open("a", encoding="utf-8") as f:
        f.write("<p>sửa tay</p>")  # same key, but not the file bangtin wrote
    (output / "n" / "lich-tiem-chung-thang-11" / "qr.png").unlink()
    (output / "l" / "ubnd-xa" / "index.html").write_bytes(b"")
    result = generator_build(root / "content", output)
    assert tree_bytes(output) == full
    assert result.changed == 3


def test_an_update_killed_while_moving_files_is_repaired_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = site_copy(tmp_path)
    output = root / "output"
    generator_build(root / "content", output)
    edit_notice_title(root / "content")
    real_replace, moved = os.replace, []

    def dies_after_three(src: object, dst: object) -> None:
        if len(moved) == 3:
            raise KeyboardInterrupt  # as good as a kill: nothing after it runs
        moved.append(dst)
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(writer_module.os, "replace", dies_after_three)
    with pytest.raises(KeyboardInterrupt):
        generator_build(root / "content", output)
    monkeypatch.undo()
    assert len(moved) == 3
    store = Store(cache_folder(root / "output"))
    assert not store.has(RECORD) and not store.has(state.STATE)

    result = generator_build(root / "content", output)  # no record: a full build
    assert result.changed == result.files
    fresh = site_copy(tmp_path / "fresh")
    shutil.rmtree(fresh / "content")
    shutil.copytree(root / "content", fresh / "content")
    generator_build(fresh / "content", fresh / "output")
    assert tree_bytes(output) == tree_bytes(fresh / "output")


def test_a_content_error_leaves_an_updatable_output_untouched(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    output = root / "output"
    generator_build(root / "content", output)
    before, times = tree_bytes(output), mtimes(output)
    replace_in(root / "content" / NOTICE, "locations: [tram-y-te,", "locations: [khong-co,")
    with pytest.raises(BuildError):
        generator_build(root / "content", output)
    assert tree_bytes(output) == before and mtimes(output) == times
    assert Store(cache_folder(root / "output")).has(RECORD)  # the record still holds


def test_a_symlink_planted_in_output_is_never_written_through(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    output = root / "output"
    generator_build(root / "content", output)
    outside = tmp_path / "outside"
    outside.mkdir()
    notice_dir = output / "n" / "lich-tiem-chung-thang-11"
    shutil.rmtree(notice_dir)
    notice_dir.symlink_to(outside, target_is_directory=True)
    edit_notice_body(root / "content")
    with pytest.raises(UsageError):
        generator_build(root / "content", output)
    assert list(outside.iterdir()) == []


def test_markdown_is_rendered_again_only_when_its_text_or_its_links_change(
    make_site: Callable[[dict[str, str]], SiteFactory], rendered: list[str]
) -> None:
    site = make_site(
        {
            "notices/a.md": notice("A", body="Xem [thông báo B](b.md)."),
            "notices/b.md": notice("B", body="Nội dung B."),
            "notices/c.md": notice("C", body="Nội dung C."),
        }
    )
    site.build()
    assert sorted(rendered) == ["a.md", "b.md", "c.md"]

    rendered.clear()  # a new notice: nothing else is rendered again
    site.write({"notices/d.md": notice("D", body="Nội dung D.")})
    site.build()
    assert rendered == ["d.md"]

    rendered.clear()  # B moves to a new URL: A, which links to it, is rendered again
    site.write({"notices/b.md": notice("B", body="Nội dung B.", slug="b-moi")})
    built = site.build()
    assert sorted(rendered) == ["a.md", "b.md"]
    page = (built.output / "n" / "a" / "index.html").read_text("utf-8")
    assert 'href="../b-moi/"' in page

    rendered.clear()  # and nothing is rendered twice
    site.build()
    assert rendered == []


def test_an_edit_that_puts_the_old_modification_time_back_is_still_seen(tmp_path: Path) -> None:
    """File hashes are reused by size, inode and times, but the change time cannot lie."""
    root = site_copy(tmp_path)
    build(root)
    path = root / "content" / NOTICE
    before = path.stat()
    time.sleep(2.1)  # out of the "racily clean" window: the recorded hash would be used
    assert "Nothing changed" in build(root)
    text = path.read_text("utf-8")
    same_size = text.replace("theo lịch sau", "theo lịch SAU")
    assert len(same_size.encode()) == len(text.encode())
    path.write_text(same_size, "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "Built" in build(root)
    page = root / "output/n/lich-tiem-chung-thang-11/index.html"
    assert "theo lịch SAU" in page.read_text("utf-8")


def test_the_input_scan_names_what_changed_since_the_saved_hashes(tmp_path: Path) -> None:
    root = site_copy(tmp_path)
    store = Store(cache_folder(root / "output"))
    first = scan_inputs(root / "content", "options")
    state.save_hashes(store, first)
    assert scan_inputs(root / "content", "options", state.load_known(store)).changed == ()
    replace_in(root / "content" / NOTICE, "theo lịch sau", "theo lịch mới")
    (root / "content/notices/2026-11-12-canh-bao-ma-qr-gia.md").unlink()
    here = scan_inputs(root / "content", "options", state.load_known(store))
    assert here.changed == (str(root / "content" / NOTICE),) and len(here.removed) == 1
    assert here.known == first.digest and here.digest != first.digest
    assert scan_inputs(root / "content", "other options").digest != here.digest


def _recorded_tree(root: Path) -> tuple[Path, Path, dict[str, object]]:
    output = root / "output"
    data = Store(cache_folder(output)).read_json(state.STATE)
    assert isinstance(data, dict) and isinstance(data["tree"], dict)
    return output, writer_module.server_folder(output), data["tree"]


def _change(output: Path, how: str) -> None:
    page = output / "n" / "lich-tiem-chung-thang-11" / "index.html"
    if how == "added deep":
        (page.parent / "extra.html").write_text("x", "utf-8")
    elif how == "added folder":
        (output / "n" / "new").mkdir()
        (output / "n" / "new" / "index.html").write_text("x", "utf-8")
    elif how == "removed":
        page.unlink()
    elif how == "replaced":  # same bytes, another file (a new inode)
        data = page.read_bytes()
        page.unlink()
        page.write_bytes(data)
    elif how == "edited, time put back":
        before = page.stat()
        text = page.read_text("utf-8")
        page.write_text(text.replace("<h1", "<H1", 1), "utf-8")
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif how == "server file":
        (output.with_name("output.nginx") / "nginx-security.conf").write_text("#", "utf-8")
    elif how == "symlink":
        (output / "n" / "link").symlink_to("/etc")
    else:
        raise AssertionError(how)


CHANGES = (
    "added deep", "added folder", "removed", "replaced", "edited, time put back",
    "server file", "symlink",
)  # fmt: skip


def _no_listing(mp: pytest.MonkeyPatch) -> None:
    def refused(path: object) -> list[str]:
        raise AssertionError(f"listed {path}")

    mp.setattr(os, "listdir", refused)


@pytest.mark.parametrize("how", CHANGES)
def test_every_change_to_output_is_seen_by_its_status_alone(tmp_path: Path, how: str) -> None:
    """``state.as_left`` stats the recorded files and folders instead of listing every
    folder: any change, deep down or beside output/, must still change one status."""
    root = site_copy(tmp_path)
    build(root)
    output, server, tree = _recorded_tree(root)
    assert tree["margin_ns"] == 0  # the cache is on output/'s file system: its own clock
    clock = Store(cache_folder(output)).clock
    assert state.as_left(output, server, tree, time.time_ns(), clock) is not None
    assert "Nothing changed" in build(root)  # (saves a fresher record if it listed any)
    output, server, tree = _recorded_tree(root)
    with pytest.MonkeyPatch.context() as mp:
        _no_listing(mp)  # every folder is older than the record: nothing is listed
        assert state.as_left(output, server, tree, time.time_ns(), clock) is tree
    _change(output, how)
    assert state.as_left(output, server, tree, time.time_ns(), clock) is None
    if how in ("added deep", "added folder", "symlink"):  # foreign: the build names it
        result = run_cli("build", cwd=root)
        assert result.returncode == 2 and "bangtin did not write" in result.stderr
    else:  # repaired, then current again
        assert "Built" in build(root)
        assert "Nothing changed" in build(root)


def _with_status(tree: dict[str, object], name: str, st: os.stat_result) -> list[str]:
    folders = list(tree["folders"])  # type: ignore[call-overload]
    at = folders.index(name)  # name, status, name, status, ...
    folders[at + 1] = f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"
    return folders


def test_a_folder_changed_in_the_same_clock_tick_as_the_record_is_listed(tmp_path: Path) -> None:
    """A folder's times have the file system's clock's resolution: an entry added in the
    same tick as the record leaves its status as recorded.  A folder not older than a
    record taken with the file system's own clock has its entries compared too; once
    they are, a reading of that clock later than the folder makes the record fresh."""
    root = site_copy(tmp_path)
    build(root)
    output, server, tree = _recorded_tree(root)
    name = "n/lich-tiem-chung-thang-11"
    folder = output / name
    (folder / "extra.html").write_text("x", "utf-8")
    st = folder.stat()
    # what the record would hold had the two been in one tick of the file system:
    same_tick = {**tree, "folders": _with_status(tree, name, st), "written_ns": st.st_mtime_ns}
    assert state.as_left(output, server, same_tick, time.time_ns()) is None  # listed: seen
    (folder / "extra.html").unlink()
    st = folder.stat()
    tick = max(st.st_mtime_ns, st.st_ctime_ns)
    as_recorded = {**same_tick, "folders": _with_status(tree, name, st), "written_ns": tick}
    now = time.time_ns() + 10 * RACY_NS  # the machine's clock does not count here
    assert state.as_left(output, server, as_recorded, now) is as_recorded  # no clock: kept
    same = lambda: (tick, st.st_dev)  # noqa: E731  (read in the folder's tick)
    assert state.as_left(output, server, as_recorded, now, same) is as_recorded
    other = lambda: (tick + 1, st.st_dev + 1)  # noqa: E731  (another file system's clock)
    assert state.as_left(output, server, as_recorded, now, other) is as_recorded
    later = lambda: (tick + 1, st.st_dev)  # noqa: E731
    assert state.as_left(output, server, as_recorded, now, later) == {
        **as_recorded,
        "written_ns": tick + 1,
    }
    with pytest.MonkeyPatch.context() as mp:  # the folder is older than that record
        _no_listing(mp)
        fresh = {**as_recorded, "written_ns": tick + 1}
        assert state.as_left(output, server, fresh, now, later) is fresh


def test_a_record_on_another_file_system_allows_for_its_clock(tmp_path: Path) -> None:
    """With no reading of the file system's clock where output/ is (the cache on another
    file system, or none), the record is taken with this machine's clock, and every
    folder changed within ``RACY_NS`` of it is listed until it is that much older."""
    root = site_copy(tmp_path)
    build(root)
    output, server, kept = _recorded_tree(root)
    files = {
        name: tuple(int(n) for n in value.split())
        for name, value in zip(kept["files"][::2], kept["files"][1::2], strict=True)  # type: ignore[index]
    }
    st = output.stat()
    for clock in (None, lambda: (st.st_mtime_ns, st.st_dev + 1), lambda: None):
        before = time.time_ns()
        tree = state.tree(output, server, files, clock)  # type: ignore[arg-type]
        assert tree["margin_ns"] == RACY_NS  # type: ignore[index]
        assert before <= tree["written_ns"] <= time.time_ns()  # type: ignore[index, operator]
        assert {**tree, "written_ns": 0, "margin_ns": 0} == {  # type: ignore[dict-item]
            **kept,
            "written_ns": 0,
            "margin_ns": 0,
        }
    name = "n/lich-tiem-chung-thang-11"
    folder = output / name
    (folder / "extra.html").write_text("x", "utf-8")
    fs = folder.stat()
    old = {**kept, "folders": _with_status(kept, name, fs), "margin_ns": RACY_NS}
    old["written_ns"] = time.time_ns() - RACY_NS + 10**8  # within the margin
    assert state.as_left(output, server, old, time.time_ns()) is None  # listed: seen
    (folder / "extra.html").unlink()
    fs = folder.stat()
    as_recorded = {**old, "folders": _with_status(kept, name, fs)}
    assert state.as_left(output, server, as_recorded, time.time_ns()) is as_recorded  # racy
    later = time.time_ns() + RACY_NS + 1
    assert state.as_left(output, server, as_recorded, later) == {
        **as_recorded,
        "written_ns": later,
    }


def test_the_store_reads_its_file_systems_clock(tmp_path: Path) -> None:
    """``Store.clock``: the time a file made now is stamped with, and its device; it
    leaves nothing behind; a store that keeps nothing has no clock."""
    store = Store(tmp_path / "cache", key=b"k" * 32)
    before = time.time_ns()
    reading = store.clock()
    assert reading is not None
    made = tmp_path / "made"
    made.write_text("x")
    stamp, device = reading
    assert stamp <= made.stat().st_mtime_ns and device == made.stat().st_dev
    assert before - RACY_NS < stamp <= time.time_ns()  # this machine's clock, near enough
    assert [p.name for p in (tmp_path / "cache").rglob("*")] == [f"v{VERSION}"]
    assert Store(None).clock() is None
    (tmp_path / "cache" / f"v{VERSION}").rmdir()
    (tmp_path / "cache" / f"v{VERSION}").write_text("not a folder")
    assert store.clock() is None


@pytest.mark.parametrize(
    "record",
    [
        None, [], {}, {"folders": [], "files": []},
        {"folders": [], "files": [], "written_ns": 0},  # output/ itself is always there
        {"folders": [""], "files": [], "written_ns": 0},  # a name without its status
        {"folders": [1, "1 2 3 4"], "files": [], "written_ns": 0},
        {"folders": [], "files": [["index.html", 1, 2, 3, 4]], "written_ns": 0},
        {"folders": [], "files": ["index.html", "1 2 3 4"], "written_ns": "0"},
        {"folders": "", "files": [], "written_ns": 0},
        {"folders": [""], "files": [], "written_ns": 0, "margin_ns": 0},
        {"folders": ["", "1 2 3 4"], "files": [], "written_ns": 0},  # no margin
        {"folders": ["", "1 2 3 4"], "files": [], "written_ns": 0, "margin_ns": 1},
        {"folders": ["", "1 2 3 4"], "files": [], "written_ns": 0, "margin_ns": False},
        {"folders": ["", "1 2 3 4"], "files": [], "written_ns": 0, "margin_ns": "0"},
    ],
)  # fmt: skip
def test_a_damaged_status_record_reads_as_changed(tmp_path: Path, record: object) -> None:
    root = site_copy(tmp_path)
    build(root)
    output, server, _ = _recorded_tree(root)
    assert state.as_left(output, server, record, time.time_ns()) is None
    if isinstance(record, dict) and record.get("folders") == ["", "1 2 3 4"]:
        st = output.stat()  # the control: the same, well formed, made after output/
        right = {**record, "margin_ns": 0, "folders": _with_status(record, "", st)}
        right["written_ns"] = max(st.st_mtime_ns, st.st_ctime_ns) + 1
        assert state.as_left(output, server, right, time.time_ns()) is right


def test_sites_asked_together_list_the_shared_folders_once(tmp_path: Path) -> None:
    """``scan_inputs(..., seen=)`` lists bangtin's code and themes once for many sites,
    and gives each the digest a scan of its own gives."""
    a, b = site_copy(tmp_path / "a"), site_copy(tmp_path / "b")
    replace_in(b / "content" / NOTICE, "theo lịch sau", "theo lịch khác")
    seen: dict[str, Listed] = {}
    calls: list[str] = []
    real = os.stat

    def counting(path: str, *args: object, **kwargs: object) -> os.stat_result:
        calls.append(str(path))
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "stat", counting)
        first = scan_inputs(a / "content", "options", None, (), seen)
        stats_first = len(calls)
        second = scan_inputs(b / "content", "options", None, (), seen)
    own = len(calls) - stats_first
    assert first.digest == scan_inputs(a / "content", "options").digest
    assert second.digest == scan_inputs(b / "content", "options").digest != first.digest
    code = [c for c in calls[:stats_first] if "/generator/" in c]
    assert code and not any("/generator/" in c for c in calls[stats_first:])
    assert own < stats_first - len(code) + 1


def test_a_shared_folder_recorded_alike_is_compared_once_and_gives_the_same_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder the sites share (scanned by two sites already), whose files another
    site's record holds exactly as those scans made them, none within 2 s of that
    record, is not scanned file by file again; any other record (a file's hash differs,
    or the record is racy) is.
    Either way each site's inputs are those a scan of its own gives."""
    a, b = site_copy(tmp_path / "a"), site_copy(tmp_path / "b")
    later = time.time_ns() + 10 * RACY_NS  # a record made long after every file
    known_a = Known(scan_inputs(a / "content", "o").hashes, later)
    known_b = Known(scan_inputs(b / "content", "o").hashes, later)
    code = next(name for name in known_b.files if name.startswith(f"{PACKAGE}/"))
    package = [os.stat(name) for name in known_b.files if name.startswith(f"{PACKAGE}/")]
    newest = max(max(st.st_mtime_ns, st.st_ctime_ns) for st in package)
    other_hash = dict(known_b.files) | {code: known_b.files[code][:-64] + "0" * 64}
    records = {
        "alike": known_b,
        "one hash differs": Known(other_hash, later),
        "racy": Known(known_b.files, newest + 1),  # made in the same tick as a change
        "none": Known(),
    }
    scanned: list[str] = []
    real_scan = scan_module._scan

    def spy(root: str, *args: object) -> list[str]:
        scanned.append(root)
        found: list[str] = real_scan(root, *args)  # type: ignore[arg-type]
        return found

    monkeypatch.setattr(scan_module, "_scan", spy)
    digests: dict[str, str] = {}
    for how, known in records.items():
        seen: dict[str, Listed] = {}
        scanned.clear()
        first = scan_inputs(a / "content", "o", known_a, (), seen)
        again = scan_inputs(a / "content", "o", known_a, (), seen)  # kept now
        assert replace(again, scanned_ns=0) == replace(first, scanned_ns=0)
        assert first.changed == () and scanned.count(str(PACKAGE)) == 2
        scanned.clear()
        second = scan_inputs(b / "content", "o", known, (), seen)
        reused = str(PACKAGE) not in scanned
        scanned.clear()
        own = scan_inputs(b / "content", "o", known)
        assert replace(second, scanned_ns=0) == replace(own, scanned_ns=0), how
        assert reused == (how == "alike"), how
        digests[how] = second.digest
    # the record's hash is trusted (the file's status is as recorded): reusing the
    # first site's scan would have given this site another digest than its own
    assert digests["one hash differs"] != digests["alike"] == digests["racy"]


def _input_change(root: Path, how: str) -> None:
    notice = root / "content" / NOTICE
    if how == "edited, time put back":
        before = notice.stat()
        text = notice.read_text("utf-8")
        notice.write_text(text.replace("theo lịch sau", "theo lịch SAU"), "utf-8")
        os.utime(notice, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif how == "added":
        (notice.parent / "2026-11-29-moi.md").write_text(
            notice.read_text("utf-8").replace("Lịch tiêm", "Lịch tiêm mới"), "utf-8"
        )
    elif how == "removed":
        notice.unlink()
    elif how == "replaced":  # same bytes, another file (a new inode)
        data = notice.read_bytes()
        notice.unlink()
        notice.write_bytes(data)
    elif how == "renamed":
        notice.rename(notice.with_name("2026-11-10-lich-tiem.md"))
    elif how == "themes folder made":
        (root / "themes").mkdir()
    elif how == "dotfile added":  # not an input: the folder's status changes all the same
        (notice.parent / ".ghi-chu").write_text("x", "utf-8")
    else:
        raise AssertionError(how)


INPUT_CHANGES = (
    "edited, time put back", "added", "removed", "replaced", "renamed",
    "themes folder made", "dotfile added",
)  # fmt: skip


@pytest.mark.parametrize("how", INPUT_CHANGES)
def test_a_no_op_finds_the_inputs_as_the_last_scan_did_or_scans_them(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build with nothing to do compares the status of every input file and folder
    the last build's scan found (``state.sources_as_left``) instead of scanning them;
    any change to the inputs changes one of them, and the inputs are then scanned."""
    from generator import api

    root = site_copy(tmp_path)
    build(root)
    time.sleep(2.1)  # the scan is no longer "racily clean"
    scans: list[Path] = []
    real_scan = api.scan_inputs

    def counting(content: Path, *args: object) -> object:
        scans.append(content)
        return real_scan(content, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "scan_inputs", counting)
    monkeypatch.chdir(root)
    options = api.Options(Path("content"), output=Path("output"))
    assert api.unchanged(options) is not None  # scanned if the build's scan was "racy"...
    scans.clear()
    assert api.unchanged(options) is not None and scans == []  # ...and not again: found
    _input_change(root, how)
    if how in ("replaced", "themes folder made", "dotfile added"):  # the same inputs
        time.sleep(2.1)  # (a scan within 2 s of a change is not kept)
        assert api.unchanged(options) is not None and len(scans) == 1  # found by a scan
        scans.clear()
        assert api.unchanged(options) is not None and scans == []  # which was kept
        return
    assert api.unchanged(options) is None and len(scans) == 1  # scanned: changed
    monkeypatch.undo()
    assert "Built" in build(root)
    assert "Nothing changed" in build(root)


def test_the_sources_record_declines_other_options_a_racy_scan_and_damage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``sources_as_left`` says no for other options, for a scan made within 2 s of an
    input's change, and for a record of any other shape; yes to the record as kept."""
    from generator.api import Options
    from generator.inputs.scan import Seen, input_roots

    root = site_copy(tmp_path)
    time.sleep(2.1)  # the content older than the build's scan by more than 2 s
    build(root)
    data = Store(cache_folder(root / "output")).read_json(state.STATE)
    assert isinstance(data, dict) and isinstance(data["sources"], dict)
    kept = data["sources"]
    monkeypatch.chdir(root)  # as the build ran
    roots = input_roots(Path("content"))
    text = Options(Path("content"), output=Path("output")).text()
    assert state.sources_as_left(kept, text, roots, Seen())
    assert not state.sources_as_left(kept, text.replace("False", "True", 1), roots, Seen())
    assert not state.sources_as_left(kept, text, roots[:-1], Seen())
    content = [p.stat() for p in Path("content").rglob("*")]
    newest = max(max(st.st_mtime_ns, st.st_ctime_ns) for st in content)
    racy = {**kept, "written_ns": newest + 1}  # as if scanned right after a change
    assert not state.sources_as_left(racy, text, roots, Seen())
    damaged: list[object] = [
        None, [], {**kept, "roots": "x"}, {**kept, "written_ns": "1"},
        {**kept, "libraries": "jinja2 0"},
        {**kept, "roots": [[r, [], []] for r in roots]},
        {**kept, "roots": [[r[0], r[1], r[2][:-1]] for r in kept["roots"]]},
        {**kept, "roots": [[r[0], r[1], [1, 2]] for r in kept["roots"]]},
    ]  # fmt: skip
    for record in damaged:
        assert not state.sources_as_left(record, text, roots, Seen()), record


def test_library_versions_are_read_from_the_dist_info_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The libraries' versions, an input of every build, are those importlib.metadata
    reads; taken from the first ``.dist-info`` folder on ``sys.path`` (a new version is
    a new folder); a library with none there is asked of importlib.metadata ("?": not
    installed)."""
    import sys
    from importlib import metadata

    from generator.inputs import scan

    scan.library_versions.cache_clear()
    monkeypatch.setattr(scan, "library_versions", scan.library_versions.__wrapped__)
    expected = ", ".join(f"{name} {metadata.version(name)}" for name in scan.LIBRARIES)
    assert scan.library_versions() == expected
    (tmp_path / "Jinja2-9.9.9.dist-info").mkdir()  # an older tool's name: not normalised
    (tmp_path / "segno-0.1.dist-info").mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path / "gone"), str(tmp_path), *sys.path])
    monkeypatch.setattr(scan, "LIBRARIES", (*scan.LIBRARIES, "no-such-library"))
    found = dict(part.split(" ") for part in scan.library_versions().split(", "))
    assert found["jinja2"] == "9.9.9" and found["segno"] == "0.1"  # the first on the path
    assert found["markdown"] == metadata.version("markdown")
    assert found["no-such-library"] == "?"
