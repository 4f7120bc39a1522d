"""Quick updates (generator.quick): edited notice text is applied in place, exactly as a
full build would write it; anything else falls back to the normal build."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import api
from generator.cache import quick, state
from generator.cache.store import Store
from generator.errors import BuildError, Position
from generator.inputs.scan import scan_inputs
from generator.models import Alias, Notice, Source
from tests.conftest import EPOCH, SAMPLE, mtimes, notice, replace_in, run_cli, tree_bytes
from tests.conftest import build as full_build
from tests.test_incremental import (
    NOTICE,
    add_notice,
    delete_notice,
    edit_notice_title,
    expire_notice,
    move_notice,
    override_stylesheet,
    rename_place,
    retitle_page,
)

IN_FEED = NOTICE  # notices/2026-11-10-lich-tiem-chung-thang-11.md: n/lich-tiem-chung-thang-11/
ALL_PLACES = "notices/2026-11-12-canh-bao-ma-qr-gia.md"  # locations: all


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def site_copy(root: Path, extra: dict[str, str] | None = None) -> Path:
    shutil.copytree(SAMPLE, root / "content")
    for name, text in (extra or {}).items():
        (root / "content" / name).write_text(text, "utf-8")
    return root


def run(root: Path) -> str:
    """``bangtin build`` in ``root``: how it went ("none", "quick", "build")."""
    return api.build(api.Options(root / "content", root / "output")).how


def fresh_build(root: Path, tmp: Path) -> dict[str, bytes]:
    """A full build, from nothing, of ``root``'s content."""
    other = tmp / f"fresh-{time.monotonic_ns()}"
    shutil.copytree(root / "content", other / "content")
    if (root / "themes").exists():
        shutil.copytree(root / "themes", other / "themes")
    full_build(other / "content", other / "output")
    return tree_bytes(other / "output")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\n{text}\n", "utf-8")


def test_edited_text_is_written_quickly_and_exactly_as_a_full_build(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "site")
    assert run(root) == "build"
    assert Store(root / ".bangtin-cache").path(state.QUICK).is_file()
    output = root / "output"
    before, times = tree_bytes(output), mtimes(output)

    append(root / "content" / IN_FEED, "Bà con mang theo sổ tiêm chủng.")
    time.sleep(0.01)
    assert run(root) == "quick"
    after = tree_bytes(output)
    assert after == fresh_build(root, tmp_path)
    page = "n/lich-tiem-chung-thang-11/index.html"
    assert "mang theo sổ tiêm chủng" in after[page].decode()
    changed = {p for p, data in after.items() if before.get(p) != data}
    rewritten = {p for p, t in mtimes(output).items() if times.get(p) != t}
    assert changed == rewritten == {page, "feed.xml"}  # its page and the feed: nothing else
    assert run(root) == "none"

    # A second notice, with a link to a place: both edits are in output/, as a full build,
    # and the first notice's page, right already, is not written again (the feed is)
    other = root / "content" / ALL_PLACES
    append(other, "Gọi [trạm y tế](../locations/tram-y-te.yml) khi nghi ngờ.")
    times = mtimes(output)
    assert run(root) == "quick"
    after = tree_bytes(output)
    assert after == fresh_build(root, tmp_path)
    rewritten = {p for p, t in mtimes(output).items() if times.get(p) != t}
    assert rewritten == {"n/canh-bao-ma-qr-gia/index.html", "feed.xml"}
    assert 'href="../../l/tram-y-te/"' in after["n/canh-bao-ma-qr-gia/index.html"].decode()
    assert "mang theo sổ tiêm chủng" in after[page].decode()

    # The first edit undone: its page is the original again
    (root / "content" / IN_FEED).write_bytes((SAMPLE / IN_FEED).read_bytes())
    assert run(root) == "quick"
    assert tree_bytes(output)[page] == before[page]
    assert tree_bytes(output) == fresh_build(root, tmp_path)


def test_a_notice_outside_the_feed_rewrites_only_its_page(tmp_path: Path) -> None:
    older = {
        f"notices/2026-09-{day:02d}-cu-{day}.md": notice(
            f"Thông báo cũ {day}", f"2026-09-{day:02d}", locations="[ubnd-xa]", tags="[cũ]"
        )
        for day in range(1, 29)
    }
    older |= {
        f"notices/2026-08-{day:02d}-cu-hon-{day}.md": notice(
            f"Thông báo cũ hơn {day}", f"2026-08-{day:02d}", locations="[cho-dinh-hung]"
        )
        for day in range(1, 29)
    }  # 56 more: the feed holds the newest 50
    root = site_copy(tmp_path / "site", older)
    run(root)
    output = root / "output"
    feed = (output / "feed.xml").read_bytes()
    assert "Thông báo cũ hơn 1<".encode() not in feed
    times = mtimes(output)
    append(root / "content/notices/2026-08-01-cu-hon-1.md", "Đã dời sang tuần sau.")
    assert run(root) == "quick"
    rewritten = {p for p, t in mtimes(output).items() if times.get(p) != t}
    assert rewritten == {"n/cu-hon-1/index.html"}
    assert (output / "feed.xml").read_bytes() == feed
    assert tree_bytes(output) == fresh_build(root, tmp_path)
    # Another one: its page only (the first is done already)
    times = mtimes(output)
    append(root / "content/notices/2026-08-02-cu-hon-2.md", "Đã xong.")
    assert run(root) == "quick"
    rewritten = {p for p, t in mtimes(output).items() if times.get(p) != t}
    assert rewritten == {"n/cu-hon-2/index.html"}
    assert tree_bytes(output) == fresh_build(root, tmp_path)


def test_front_matter_is_read_only_when_it_changed(tmp_path: Path) -> None:
    """A text edit reuses the recorded front matter: a fresh process reads no YAML.  A
    front matter edited without changing what the site shows (a comment) is parsed."""
    root = site_copy(tmp_path / "site")
    run(root)
    append(root / "content" / IN_FEED, "Bà con mang theo sổ tiêm chủng.")
    script = (
        "import sys; from pathlib import Path; from generator import api; "
        f"how = api.build(api.Options(Path({str(root / 'content')!r}), "
        f"Path({str(root / 'output')!r}))).how; "
        "print(how, 'yaml' in sys.modules, 'slugify' in sys.modules)"
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.stdout.split() == ["quick", "False", "False"], done.stderr
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)

    replace_in(root / "content" / IN_FEED, "date: 2026-11-10\n", "date: 2026-11-10  # ngày\n")
    append(root / "content" / IN_FEED, "Thêm.")
    assert run(root) == "quick"
    assert "<p>Thêm.</p>" in (root / "output/n/lich-tiem-chung-thang-11/index.html").read_text()
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)
    replace_in(root / "content" / IN_FEED, "date: 2026-11-10  # ngày\n", "date: 2026-11-11\n")
    assert run(root) == "build"  # the date shows elsewhere too
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)


def test_the_command_ends_at_once_after_a_quick_or_no_op_build_with_everything_written(
    tmp_path: Path,
) -> None:
    """``bangtin build`` skips Python's clean-up after these (cli.exit_at_once): its output
    is still whole, and the next build finds nothing to do."""
    root = site_copy(tmp_path / "site")
    assert run_cli("build", cwd=root).returncode == 0
    append(root / "content" / IN_FEED, "Bà con mang theo sổ tiêm chủng.")
    done = run_cli("build", cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built ") and done.stdout.endswith(" s.\n")
    assert " 2 written" in done.stdout  # the page and the feed
    assert Store(root / ".bangtin-cache").path(state.OUTPUT_PATCH).is_file()  # a quick update's
    page = root / "output/n/lich-tiem-chung-thang-11/index.html"
    assert "mang theo sổ tiêm chủng" in page.read_text("utf-8")
    again = run_cli("build", cwd=root)
    assert again.returncode == 0
    assert again.stdout == "Nothing changed since the last build: output is up to date.\n"
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)


def test_a_quick_update_reports_the_warnings_a_build_reports(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "site")
    with open(root / "content/site.yml", "a", encoding="utf-8") as f:
        f.write("boards:\n  size: a5\n  distance: 3\n")  # codes too small to read from 3 m
    first = api.build(api.Options(root / "content", root / "output"))
    how, built = first.how, first.result
    assert how == "build" and built is not None
    assert len(built.warnings) > 1 and all(w.severity == "warning" for w in built.warnings)
    append(root / "content" / IN_FEED, "Thêm.")
    second = api.build(api.Options(root / "content", root / "output"))
    how, quick_result = second.how, second.result
    assert how == "quick" and quick_result is not None
    assert quick_result.warnings == built.warnings
    shown = [w.format(root) for w in quick_result.warnings]
    assert shown == [w.format(root) for w in built.warnings]
    assert shown[0].startswith("content/site.yml:1:1: warning: board `")


def test_text_after_the_first_paragraph_of_a_notice_without_summary(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "site", NO_SUMMARY)
    run(root)
    replace_in(root / "content/notices/2026-11-26-khong-tom-tat.md", "Đoạn sau.", "Đoạn khác.")
    assert run(root) == "quick"
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)


def test_an_expired_notice_keeps_its_banner(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "site")
    run(root)
    expired = root / "content/notices/2026-10-30-lich-cat-dien-thon-1-thon-3.md"  # 05/11
    append(expired, "Đã kết thúc.")
    assert run(root) == "quick"
    after = tree_bytes(root / "output")
    assert after == fresh_build(root, tmp_path)
    assert "đã hết hiệu lực" in after["n/lich-cat-dien-thon-1-thon-3/index.html"].decode()


NO_SUMMARY = {  # lists show its first paragraph
    "notices/2026-11-26-khong-tom-tat.md": notice(
        "Không tóm tắt", "2026-11-26", body="Đoạn đầu.\n\nĐoạn sau.", locations="[ubnd-xa]"
    )
}


def first_paragraph(content: Path) -> None:
    replace_in(content / "notices/2026-11-26-khong-tom-tat.md", "Đoạn đầu.", "Đoạn đầu mới.")


def tags(content: Path) -> None:
    replace_in(content / IN_FEED, "tags: [", "tags: [mới, ")


def expiry(content: Path) -> None:
    replace_in(content / IN_FEED, "expires: 2026-11-30", "expires: 2026-12-30")


def body_and_page(content: Path) -> None:
    append(content / IN_FEED, "Thêm.")
    retitle_page(content)


def body_and_stylesheet(content: Path) -> None:
    append(content / IN_FEED, "Thêm.")
    override_stylesheet(content)


FALLBACKS = [  # edits other pages show; most shared with tests/test_incremental.py
    edit_notice_title, first_paragraph, tags, move_notice, expiry, expire_notice, add_notice,
    delete_notice, rename_place, body_and_page, body_and_stylesheet,
]  # fmt: skip


@pytest.mark.parametrize("edit", FALLBACKS, ids=lambda f: f.__name__)
def test_anything_but_text_goes_to_the_full_build(
    tmp_path: Path, edit: Callable[[Path], None]
) -> None:
    root = site_copy(tmp_path / "site", NO_SUMMARY)
    run(root)
    append(root / "content" / ALL_PLACES, "Một câu nữa.")
    assert run(root) == "quick"  # an earlier quick update, then this edit
    edit(root / "content")
    assert run(root) == "build"
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)
    assert run(root) == "none"
    append(root / "content" / ALL_PLACES, "Và thêm.")  # quick again after that build
    assert run(root) == "quick"
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)


def test_an_update_after_quick_ones_rewrites_only_what_changed(tmp_path: Path) -> None:
    """The quick updates' records (output-patch.json) serve the next update build."""
    root = site_copy(tmp_path / "site")
    run(root)
    append(root / "content" / IN_FEED, "Thêm một câu.")
    assert run(root) == "quick"
    output = root / "output"
    before, times = tree_bytes(output), mtimes(output)
    replace_in(root / "content/locations/tram-y-te.yml", "Trực cấp cứu 24/24", "Trực 24/24")
    time.sleep(0.01)
    assert run(root) == "build"
    after = tree_bytes(output)
    assert after == fresh_build(root, tmp_path)
    changed = {p for p, data in after.items() if before.get(p) != data}
    rewritten = {p for p, t in mtimes(output).items() if times.get(p) != t}
    unkeyed = {"robots.txt", "_redirects", "nginx-redirects.conf", "_headers"}
    assert rewritten - changed <= unkeyed | {"nginx-security.conf"}
    assert "n/lich-tiem-chung-thang-11/index.html" not in rewritten


def test_content_errors_in_an_edited_notice_are_reported_and_change_nothing(
    tmp_path: Path,
) -> None:
    root = site_copy(tmp_path / "site")
    run(root)
    before = tree_bytes(root / "output")
    append(root / "content" / IN_FEED, "Xem [tệp](../notices/khong-co.md).")
    with pytest.raises(BuildError) as caught:
        run(root)
    assert "khong-co.md" in caught.value.format()
    assert tree_bytes(root / "output") == before
    (root / "content" / IN_FEED).write_text("---\ntitle: [\n---\nx\n", "utf-8")
    with pytest.raises(BuildError):
        run(root)
    assert tree_bytes(root / "output") == before


def test_a_notice_published_or_expiring_since_goes_to_the_full_build(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "site")
    run(root)
    append(root / "content" / ALL_PLACES, "Thêm.")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(EPOCH) + 3 * 24 * 3600)  # 1 December
    assert run(root) == "build"
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)


def test_a_killed_quick_update_is_repaired(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = site_copy(tmp_path / "site")
    run(root)
    feed = (root / "output/feed.xml").read_bytes()
    append(root / "content" / IN_FEED, "Thêm.")
    moves = 0
    real_replace = os.replace

    def replace_once(a: object, b: object) -> None:
        nonlocal moves
        moves += 1
        if moves == 3:  # the record (before_commit), the first file moved, then killed
            raise KeyboardInterrupt
        real_replace(a, b)  # type: ignore[arg-type]

    ready = quick.prepare(root / "content", root / "output")
    assert ready is not None
    options = api.Options(root / "content", root / "output").text()
    inputs = scan_inputs(
        root / "content", options, state.load_known(Store(root / ".bangtin-cache"))
    )
    monkeypatch.setattr(os, "replace", replace_once)
    with pytest.raises(KeyboardInterrupt):
        quick.update(ready, inputs)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (root / "output/feed.xml").read_bytes() != feed  # moved in: the site is half done
    assert not Store(root / ".bangtin-cache").path(state.STATE).exists()  # no "nothing changed" now
    assert run(root) in ("quick", "build")
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)


def test_a_theme_overriding_templates_never_takes_the_quick_path(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "site")
    templates = root / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "notice.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ plan.current|length }}{% endblock %}', "utf-8"
    )
    run(root)
    assert not Store(root / ".bangtin-cache").path(state.QUICK).exists()
    append(root / "content" / IN_FEED, "Thêm.")
    assert run(root) == "build"


def test_a_damaged_record_means_a_full_build(tmp_path: Path) -> None:
    root = site_copy(tmp_path / "site")
    run(root)
    cache = Store(root / ".bangtin-cache").root
    assert cache is not None
    (cache / quick.LINKS).write_text("{", "utf-8")
    append(root / "content" / ALL_PLACES, "Gọi [trạm](../locations/tram-y-te.yml).")
    assert run(root) == "build"  # links unreadable: the build does it
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)
    lines = (cache / quick.NOTICES).read_text("utf-8").split("\n", 1)
    (cache / quick.NOTICES).write_text('"another build"\n' + lines[1], "utf-8")
    append(root / "content" / ALL_PLACES, "Thêm.")
    assert run(root) == "build"
    (cache / state.QUICK).write_text("[", "utf-8")
    append(root / "content" / ALL_PLACES, "Thêm nữa.")
    assert run(root) == "build"
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)
    # The record of what quick updates wrote: without it, an edit undone could stay
    append(root / "content" / IN_FEED, "Thêm.")
    assert run(root) == "quick"
    (cache / state.OUTPUT_PATCH).write_text('{"base": "?"}', "utf-8")
    (root / "content" / IN_FEED).write_bytes((SAMPLE / IN_FEED).read_bytes())
    assert run(root) == "build"
    assert tree_bytes(root / "output") == fresh_build(root, tmp_path)


def test_a_new_markdown_version_means_a_full_build(tmp_path: Path) -> None:
    """Python-Markdown and nh3 are not files of the input scan: their versions are checked."""
    root = site_copy(tmp_path / "site")
    run(root)
    record = Store(root / ".bangtin-cache").path(state.QUICK)
    data = json.loads(record.read_text("utf-8"))
    assert data["markdown"] == quick.MARKDOWN_ENGINE
    record.write_text(json.dumps({**data, "markdown": "Markdown 0.1"}), "utf-8")
    append(root / "content" / ALL_PLACES, "Thêm.")
    assert run(root) == "build"


def test_record_lines_are_found_by_key_whatever_the_text(tmp_path: Path) -> None:
    keys = ["a", "a\tb", "dòng\nmới", '"q"', "a\\", "b"]
    store = Store(tmp_path)
    quick._write_lines(store, "x.txt", "d1", ((k, [k, i]) for i, k in enumerate(keys)))
    lines = quick._Lines(store, "x.txt", "d1")
    for i, k in enumerate(keys):
        assert lines.get(k) == [k, i]
    assert lines.get("c") is None and lines.get("") is None
    assert [v[1] for v in lines.values()] == list(range(len(keys)))
    assert len(store.path("x.txt").read_text("utf-8").splitlines()) == len(keys) + 1
    with pytest.raises(quick._Fallback):
        quick._Lines(store, "x.txt", "d2").get("a")


def test_outward_covers_every_field_but_the_source() -> None:
    when = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    n = Notice("a", "A", when, Source(Path("a.md"), "x", 5), locations=("p",))
    others: dict[str, Any] = {
        "slug": "b", "title": "B", "date": when + dt.timedelta(hours=1),
        "expires": dt.date(2026, 12, 1), "locations": "all", "tags": ("t",),
        "pinned": True, "summary": "s", "draft": True,
        "aliases": (Alias("n/old/", Position(Path("a.md"))),), "board": True,
        "board_size": "a3",
    }  # fmt: skip
    names = [f.name for f in dataclasses.fields(Notice)]
    assert sorted(others) == sorted(set(names) - {"source"})
    for name, value in others.items():
        assert quick.outward(dataclasses.replace(n, **{name: value}), "") != quick.outward(n, "")
    assert quick.outward(n, "tóm tắt") != quick.outward(n, "")
    body = dataclasses.replace(n, source=Source(Path("a.md"), "khác", 7))
    assert quick.outward(body, "") == quick.outward(n, "")


FENCED = """
import json, sys
FIRST
from pathlib import Path
from generator.errors import Problems
from generator.render.markup import Markup
text = "Mã:\\n\\n```python\\nx = 1 < 2  # <b>\\n```\\n\\n~~~\\ndòng 2\\n~~~\\n"
out = Markup().render(text, source=Path("a.md"), located=(text, 1), page_dir="",
                      links={}, problems=Problems())
print(json.dumps(["pygments" in sys.modules, out.html]))
"""


def test_fenced_code_is_the_same_whether_pygments_was_imported_or_not() -> None:
    """Fenced code is never highlighted: the same HTML whether Pygments is loaded or not."""
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", FENCED.replace("FIRST", first)],
                capture_output=True, text=True, check=True,
            ).stdout
        )
        for first in ("", "import pygments")
    ]  # fmt: skip
    assert runs[1][0]  # Pygments was loaded in the second run
    assert runs[0][1] == runs[1][1]
    assert "<pre><code>x = 1 &lt; 2  # &lt;b&gt;\n</code></pre>" in runs[0][1]
    assert "<pre><code>dòng 2\n</code></pre>" in runs[0][1]
