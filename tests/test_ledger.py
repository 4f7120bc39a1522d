"""The printed-URL ledger: every URL ever printed on a board keeps opening a page."""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.i18n import ENGLISH
from generator.inputs.config import load_config
from generator.inputs.ledger import Printed, check_ledger, load_ledger, record
from tests.conftest import SiteFactory, build, notice
from tests.served import follow, get, serving
from tests.test_redirects import build_with_redirects, stages

MakeSite = Callable[[dict[str, str]], SiteFactory]


TODAY = dt.date(2026, 11, 28)
PLACES = {
    "locations/cho.yml": "name: Chợ Định Hưng\n",
    "locations/tram-y-te.yml": "name: Trạm y tế xã\n",
}


def record_now(site: SiteFactory, today: dt.date = TODAY) -> list[str]:
    return record(*stages(site), today)


def check(site: SiteFactory, base_url: str | None = None) -> None:
    config, plan = stages(site, base_url)
    check_ledger(config, plan, load_ledger(config))


def ledger_errors(site: SiteFactory) -> list[tuple[str, int, int, str, str]]:
    """Each error as (file, line, column, message, hint), in English."""
    with pytest.raises(BuildError) as info:
        check(site)
    return [
        (e.pos.path.name, e.pos.line, e.pos.col, str(e.message), str(e.hint))
        for e in info.value.errors
    ]


def rename_place(site: SiteFactory, old: str, new: str, text: str) -> None:
    """What an editor does: the old file goes, a new one comes."""
    (site.content / "locations" / f"{old}.yml").unlink()
    (site.content / "locations" / f"{new}.yml").write_text(text, "utf-8")


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text("utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


# -- record() -------------------------------------------------------------------


def test_record_creates_the_ledger_with_a_header(make_site: MakeSite) -> None:
    site = make_site({**PLACES, "notices/a.md": notice(board="true"), "notices/b.md": notice()})
    added = record_now(site)
    assert added == [
        "https://test.example/l/cho/",
        "https://test.example/l/tram-y-te/",
        "https://test.example/n/a/",
    ]
    text = (site.content / "printed.yml").read_text("utf-8")
    assert "Never remove or change a line" in text
    assert "Không bao giờ xóa hay sửa một dòng" in text
    assert text.endswith(
        "- url: https://test.example/l/cho/\n  board: cho\n  printed: 2026-11-28\n"
        "- url: https://test.example/l/tram-y-te/\n  board: tram-y-te\n  printed: 2026-11-28\n"
        "- url: https://test.example/n/a/\n  board: n-a\n  printed: 2026-11-28\n"
    )
    config, _ = stages(site)
    assert load_ledger(config)[2] == Printed(
        "https://test.example/n/a/",
        "n-a",
        TODAY,
        load_ledger(config)[2].pos,
    )
    assert load_ledger(config)[2].pos.line == line_of(config.root / "printed.yml", "/n/a/")


def test_record_appends_only_new_urls_and_keeps_earlier_bytes(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    ledger = site.content / "printed.yml"
    # an editor's own notes stay exactly where they are
    with ledger.open("a", encoding="utf-8") as f:
        f.write("# Bảng ở chợ in lại ngày 1/12 (ghi chú tay)\n")
    before = ledger.read_bytes()
    (site.content / "locations" / "ubnd-xa.yml").write_text("name: UBND xã\n", "utf-8")

    assert record_now(site, dt.date(2026, 12, 1)) == ["https://test.example/l/ubnd-xa/"]
    after = ledger.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :] == (
        b"- url: https://test.example/l/ubnd-xa/\n  board: ubnd-xa\n  printed: 2026-12-01\n"
    )
    urls = [e.url for e in load_ledger(stages(site)[0])]
    assert urls == [
        "https://test.example/l/cho/",
        "https://test.example/l/tram-y-te/",
        "https://test.example/l/ubnd-xa/",
    ]


def test_record_is_idempotent(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    ledger = site.content / "printed.yml"
    before = ledger.read_bytes()
    mtime = ledger.stat().st_mtime_ns
    assert record_now(site, dt.date(2027, 1, 1)) == []
    assert ledger.read_bytes() == before
    assert ledger.stat().st_mtime_ns == mtime  # not even rewritten


def test_record_keeps_a_url_whose_board_is_gone(make_site: MakeSite) -> None:
    site = make_site({**PLACES, "locations/cho.yml": "name: Chợ\naliases: [l/cho-cu/]\n"})
    ledger = site.content / "printed.yml"
    ledger.write_text(
        "- url: https://test.example/l/cho-cu/\n  board: cho-cu\n  printed: 2025-01-01\n", "utf-8"
    )
    before = ledger.read_bytes()
    assert record_now(site) == ["https://test.example/l/cho/", "https://test.example/l/tram-y-te/"]
    assert ledger.read_bytes().startswith(before)


def test_record_matches_windows_line_ends(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    ledger = site.content / "printed.yml"
    ledger.write_bytes(b"# ghi ch\xc3\xba\r\n- url: https://test.example/l/cho/\r\n")
    before = ledger.read_bytes()
    assert record_now(site) == ["https://test.example/l/tram-y-te/"]
    after = ledger.read_bytes()
    assert after == before + (
        b"- url: https://test.example/l/tram-y-te/\r\n  board: tram-y-te\r\n"
        b"  printed: 2026-11-28\r\n"
    )


def test_record_after_a_last_line_without_newline(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    ledger = site.content / "printed.yml"
    ledger.write_bytes(b"- url: https://test.example/l/cho/")
    record_now(site)
    assert ledger.read_bytes().startswith(
        b"- url: https://test.example/l/cho/\n- url: https://test.example/l/tram-y-te/\n"
    )
    assert len(load_ledger(stages(site)[0])) == 2


def test_record_refuses_a_list_it_cannot_append_to(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    ledger = site.content / "printed.yml"
    ledger.write_text("[{url: 'https://test.example/l/cho/'}]\n", "utf-8")
    before = ledger.read_bytes()
    with pytest.raises(BuildError) as info:
        record_now(site)
    [error] = info.value.errors
    assert error.pos.path == ledger
    assert "cannot add entries" in str(error.message)
    assert "block style" in str(error.hint)
    assert ledger.read_bytes() == before


def test_record_refuses_a_broken_ledger(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    ledger = site.content / "printed.yml"
    ledger.write_text("- url: https://test.example/l/cho/\n  bord: cho\n", "utf-8")
    before = ledger.read_bytes()
    with pytest.raises(BuildError, match="1 error"):
        record_now(site)
    assert ledger.read_bytes() == before


def test_record_writes_the_printed_base_url_during_a_preview(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    config, plan = stages(site, "https://preview.example/xem/")
    assert config.base_url == "https://preview.example/xem/"
    assert record(config, plan, TODAY)[0] == "https://test.example/l/cho/"


def test_record_leaves_no_temporary_file_and_keeps_permissions(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    ledger = site.content / "printed.yml"
    ledger.write_text("# sổ địa chỉ\n", "utf-8")
    ledger.chmod(0o640)
    record_now(site)
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o640
    assert sorted(p.name for p in site.content.iterdir()) == [
        "locations",
        "printed.yml",
        "site.yml",
    ]


def test_record_appends_to_printed_yaml(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    (site.content / "printed.yaml").write_text("# sổ\n", "utf-8")
    record_now(site)
    assert not (site.content / "printed.yml").exists()
    assert "l/tram-y-te/" in (site.content / "printed.yaml").read_text("utf-8")


def test_record_quotes_a_board_id_yaml_would_misread(make_site: MakeSite) -> None:
    site = make_site({"locations/null.yml": "name: Nhà văn hóa\n"})
    record_now(site)
    assert '  board: "null"\n' in (site.content / "printed.yml").read_text("utf-8")
    [entry] = load_ledger(stages(site)[0])
    assert entry.board == "null"


def test_no_ledger_is_an_empty_ledger(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    assert load_ledger(stages(site)[0]) == ()
    check(site)
    (site.content / "printed.yml").write_text("# chưa in bảng nào\n", "utf-8")
    assert load_ledger(stages(site)[0]) == ()


# -- check_ledger() -------------------------------------------------------------


def test_removed_place_fails_at_its_ledger_line(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    rename_place(site, "tram-y-te", "tram-y-te-xa", "name: Trạm y tế xã\n")
    line = line_of(site.content / "printed.yml", "/l/tram-y-te/")
    assert ledger_errors(site) == [
        (
            "printed.yml",
            line,
            8,
            "printed URL https://test.example/l/tram-y-te/ would no longer open a page",
            "add `aliases: [l/tram-y-te/]` to the page that replaced it "
            "(see README: Permanent URLs)",
        )
    ]


def test_removed_place_error_reads_like_a_compiler(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    (site.content / "locations" / "cho.yml").unlink()
    with pytest.raises(BuildError) as info:
        check(site)
    line = line_of(site.content / "printed.yml", "/l/cho/")
    assert info.value.format(ENGLISH, site.content).split("\n")[:4] == [
        f"printed.yml:{line}:8: error: printed URL https://test.example/l/cho/ would no "
        "longer open a page",
        "    - url: https://test.example/l/cho/",
        "           ^",
        "  hint: add `aliases: [l/cho/]` to the page that replaced it (see README: Permanent URLs)",
    ]


def test_alias_on_the_renamed_place_keeps_the_printed_url(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    rename_place(site, "tram-y-te", "tram-y-te-xa", "name: Trạm y tế xã\naliases: [l/tram-y-te/]\n")
    check(site)
    output = build_with_redirects(site)
    with serving(output) as root:
        printed = get(root + "l/tram-y-te/")  # the path the board's code holds
        assert printed.status == 200
        assert printed.meta_refresh() == root + "l/tram-y-te-xa/"
        assert printed.canonical() == "https://test.example/l/tram-y-te-xa/"
        [link] = printed.links()
        new = follow(link)
        assert (new.url, new.status) == (root + "l/tram-y-te-xa/", 200)
        assert "<h1>Trạm y tế xã</h1>" in new.body


def test_renamed_notice_keeps_its_url_with_slug(make_site: MakeSite) -> None:
    site = make_site({"notices/2026-11-20-lich-tiem.md": notice(board="true")})
    record_now(site)
    (site.content / "notices/2026-11-20-lich-tiem.md").rename(
        site.content / "notices/2026-11-20-lich-tiem-chung-thang-12.md"
    )
    assert "n/lich-tiem/" in ledger_errors(site)[0][4]
    path = site.content / "notices/2026-11-20-lich-tiem-chung-thang-12.md"
    path.write_text(notice(board="true", slug="lich-tiem"), "utf-8")
    check(site)


def test_unpublished_notice_breaks_its_printed_url(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(board="true")})
    record_now(site)
    (site.content / "notices/a.md").write_text(notice(board="true", draft="true"), "utf-8")
    assert [e[3] for e in ledger_errors(site)] == [
        "printed URL https://test.example/n/a/ would no longer open a page"
    ]


def test_base_url_change_fails_every_entry(make_site: MakeSite) -> None:
    site = make_site({**PLACES, "notices/a.md": notice(board="true")})
    record_now(site)
    (site.content / "site.yml").write_text("title: T\nbase_url: https://moi.example/\n", "utf-8")
    errors = ledger_errors(site)
    assert [e[3] for e in errors] == [
        f"printed URL https://test.example/{p} is not under base_url https://moi.example/"
        for p in ("l/cho/", "l/tram-y-te/", "n/a/")
    ]
    assert all("breaks every printed code" in e[4] for e in errors)


def test_sub_path_change_fails_every_entry(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    (site.content / "site.yml").write_text(
        "title: T\nbase_url: https://test.example/bt/\n", "utf-8"
    )
    assert len(ledger_errors(site)) == 2


def test_preview_base_url_checks_the_printed_one(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    check(site, "https://preview.example/xem/")


@pytest.mark.parametrize(
    "url",
    [
        "https://test.example/",
        "https://test.example",
        "https://test.example/l/cho",
        "https://test.example/l/cho/?src=bang",
        "https://test.example/l/cho/index.html",
        "https://test.example/l/cho-cu/",
        "https://test.example/l/cho-cu",
        "https://test.example/luu-tru/",
    ],
)
def test_printed_urls_that_still_open_a_page(make_site: MakeSite, url: str) -> None:
    site = make_site({"locations/cho.yml": "name: Chợ\naliases: [l/cho-cu/]\n"})
    (site.content / "printed.yml").write_text(f"- url: {url}\n", "utf-8")
    check(site)


@pytest.mark.parametrize(
    "url",
    ["https://test.example/l/cho-moi/", "https://test.example/l", "https://test.example/l/cho/x/"],
)
def test_printed_urls_that_open_nothing(make_site: MakeSite, url: str) -> None:
    site = make_site({"locations/cho.yml": "name: Chợ\n"})
    (site.content / "printed.yml").write_text(f"# x\n- url: {url}\n", "utf-8")
    assert [e[1:3] for e in ledger_errors(site)] == [(2, 8)]


# -- errors in printed.yml ------------------------------------------------------

LEDGER_ERRORS = [
    (
        "unknown-key",
        "- url: https://test.example/\n  bord: cho\n",
        (2, 3),
        "unknown key `bord`",
        "did you mean `board`?",
    ),
    (
        "missing-url",
        "# sổ\n- board: cho\n  printed: 2026-11-28\n",
        (2, 3),
        "missing required key `url`",
        "add a line like `url: https://",
    ),
    (
        "not-a-list",
        "url: https://test.example/\n",
        (1, 1),
        "expected a list of entries, each starting with `- `",
        "- url: https://",
    ),
    (
        "duplicate-url",
        "- url: https://test.example/\n- url: https://test.example/l/cho/\n"
        "- url: https://test.example/\n",
        (3, 8),
        "URL https://test.example/ is listed twice",
        "already listed on line 1",
    ),
    (
        "entry-not-a-mapping",
        "- https://test.example/\n",
        (1, 3),
        "each entry of the list must be a group of `key: value` lines",
        "- url: https://",
    ),
    (
        "url-not-a-url",
        "- url: l/cho/\n",
        (1, 8),
        "`url` must be the full address printed on the board, not `l/cho/`",
        "e.g. `url: https://",
    ),
    (
        "printed-not-a-date",
        "- url: https://test.example/\n  printed: hôm qua\n",
        (2, 12),
        "`printed` is not a date: `hôm qua`",
        "YYYY-MM-DD",
    ),
    (
        "printed-a-time",
        "- url: https://test.example/\n  printed: 2026-11-28T07:00\n",
        (2, 12),
        "`printed` is a day, not a time",
        "",
    ),
    (
        "invalid-yaml",
        "- url: https://test.example/\n  board: [cho\n",
        (2, 10),  # where the `[` that is never closed opened
        "a list opened with `[` is not closed with `]`",
        "",
    ),
    (
        "duplicate-key",
        "- url: https://test.example/\n  url: https://test.example/l/cho/\n",
        (2, 3),
        "duplicate key `url`",
        "line 1",
    ),
]


@pytest.mark.parametrize(
    ("text", "where", "message", "hint"),
    [case[1:] for case in LEDGER_ERRORS],
    ids=[case[0] for case in LEDGER_ERRORS],
)
def test_ledger_error_is_reported_at_its_line(
    make_site: MakeSite, text: str, where: tuple[int, int], message: str, hint: str
) -> None:
    site = make_site({"printed.yml": text})
    config = load_config(site.content)
    with pytest.raises(BuildError) as info:
        load_ledger(config)
    [error] = info.value.errors
    assert (error.pos.path, (error.pos.line, error.pos.col)) == (config.root / "printed.yml", where)
    assert message in str(error.message)
    assert hint in str(error.hint)
    printed = error.format(ENGLISH, site.content)
    assert printed.startswith(f"printed.yml:{where[0]}:{where[1]}: error: ")


def test_every_ledger_error_is_reported_in_one_run(make_site: MakeSite) -> None:
    site = make_site(
        {
            "printed.yml": "- url: https://test.example/\n  bord: x\n- board: y\n"
            "- url: https://test.example/\n  printed: 2026-13-01\n",
        }
    )
    with pytest.raises(BuildError) as info:
        load_ledger(load_config(site.content))
    assert [(e.pos.line, e.pos.col) for e in info.value.errors] == [(2, 3), (3, 3), (4, 8), (5, 12)]


def test_printed_yml_and_printed_yaml_together_is_an_error(make_site: MakeSite) -> None:
    site = make_site({"printed.yml": "# a\n", "printed.yaml": "# b\n"})
    with pytest.raises(BuildError, match="1 error") as info:
        load_ledger(load_config(site.content))
    assert "both printed.yml and printed.yaml exist" in str(info.value.errors[0].message)


def test_ledger_is_not_read_as_content(make_site: MakeSite) -> None:
    site = make_site({**PLACES, "printed.yml": "- url: https://test.example/l/cho/\n"})
    site.build()  # content/ holds a file that is neither a notice, a place nor a page


# -- the build, once it checks the ledger and writes the redirects --------------


def test_build_fails_when_a_printed_place_is_removed(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    site.build()
    rename_place(site, "tram-y-te", "tram-y-te-xa", "name: Trạm y tế xã\n")
    before = {p.relative_to(site.output) for p in site.output.rglob("*")}
    with pytest.raises(BuildError) as info:
        site.build()
    [error] = info.value.errors
    assert error.pos.path == site.content / "printed.yml"
    assert error.pos.line == line_of(error.pos.path, "/l/tram-y-te/")
    assert "https://test.example/l/tram-y-te/" in str(error.message)
    assert {p.relative_to(site.output) for p in site.output.rglob("*")} == before


def test_build_with_the_alias_serves_the_printed_url(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    rename_place(site, "tram-y-te", "tram-y-te-xa", "name: Trạm y tế xã\naliases: [l/tram-y-te/]\n")
    built = site.build()
    with serving(built.output) as root:
        printed = get(root + "l/tram-y-te/")
        assert printed.status == 200
        [link] = printed.links()
        assert follow(link).status == 200
        assert link == printed.meta_refresh() == root + "l/tram-y-te-xa/"


def test_build_fails_for_every_entry_when_base_url_changes(make_site: MakeSite) -> None:
    site = make_site(PLACES)
    record_now(site)
    (site.content / "site.yml").write_text("title: T\nbase_url: https://moi.example/\n", "utf-8")
    with pytest.raises(BuildError) as info:
        site.build()
    assert len(info.value.errors) == 2
    assert all("is not under base_url" in str(e.message) for e in info.value.errors)


def test_build_reports_ledger_yaml_errors(make_site: MakeSite) -> None:
    site = make_site({**PLACES, "printed.yml": "- url: https://test.example/l/cho/\n  bord: x\n"})
    with pytest.raises(BuildError) as info:
        build(site.content, None)
    [error] = info.value.errors
    assert (error.pos.path.name, error.pos.line, error.pos.col) == ("printed.yml", 2, 3)
