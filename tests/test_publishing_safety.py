"""Nothing placeholder reaches residents or a printed board (issue 19): the text
``bangtin new`` leaves to be written, an example ``base_url``, a missing ``content/``
folder, ``bangtin new page``, and what an expired notice says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import api
from generator.errors import BuildError, Position, UsageError
from generator.i18n import ENGLISH
from generator.inputs.config import load_config, not_for_print
from generator.inputs.content import PLACEHOLDER, load_content
from generator.inputs.ledger import Printed, check_ledger
from generator.plan.site import plan_site
from tests.conftest import (
    NOW,
    ROOT,
    SAMPLE,
    SITE_YML,
    Built,
    SiteFactory,
    notice,
    replace_in,
    run_cli,
)

MakeSite = Callable[[dict[str, str]], SiteFactory]
TODAY = "2026-11-28"  # SOURCE_DATE_EPOCH of the tests, in Asia/Ho_Chi_Minh
REAL_SITE_YML = SITE_YML.replace("https://test.example/", "https://bangtin.thu-nghiem.vn/")


# -- 1. the placeholder body --------------------------------------------------------


def test_new_notice_writes_the_placeholder_and_check_refuses_it(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "site.yml").write_text(REAL_SITE_YML, "utf-8")
    assert run_cli("new", "notice", "Họp thôn", cwd=tmp_path).returncode == 0
    path = tmp_path / "content" / "notices" / f"{TODAY}-hop-thon.md"
    lines = path.read_text("utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if PLACEHOLDER in text)
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert (
        f"content/notices/{TODAY}-hop-thon.md:{line}:1: error: the notice still holds the "
        "placeholder text: it is not ready to publish\n"
        f"    {lines[line - 1]}\n"
        "    ^\n"
        "  hint: replace the placeholder with the notice itself: who, what, when, where, "
        "whom to contact (or set `draft: true` until it is ready)"
    ) in result.stderr
    assert not (tmp_path / "output").exists()
    replace_in(path, lines[line - 1], "Mời bà con dự họp lúc 19 giờ.")
    assert run_cli("check", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("body", "line", "col"),
    [
        (PLACEHOLDER + ".", 6, 1),
        ("Mời bà con.\n\n- " + PLACEHOLDER.upper(), 8, 3),  # kept in a list, in capitals
        ("Mời bà con.\n\nViết nội dung thông báo ở đây: ai, việc gì.", 8, 1),  # bangtin 0.1's
    ],
)
def test_a_notice_with_the_placeholder_is_an_error_at_its_place(
    make_site: MakeSite, body: str, line: int, col: int
) -> None:
    site = make_site({"notices/a.md": notice(body=body)})
    with pytest.raises(BuildError) as caught:
        site.build()
    [error] = caught.value.errors
    assert error.pos == Position(site.content / "notices" / "a.md", line, col)
    assert "placeholder" in str(error.message)


def test_a_draft_may_keep_the_placeholder(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/a.md": notice(body=PLACEHOLDER, draft="true"),
            "pages/b.md": f"---\ntitle: B\ndraft: true\n---\n{PLACEHOLDER}.\n",
            "notices/c.md": notice(body="Nội dung thật."),
        }
    )
    built = site.build()
    assert built.pages("notice") and not built.pages("page")


def test_a_page_with_the_placeholder_is_an_error(make_site: MakeSite) -> None:
    site = make_site({"pages/b.md": f"---\ntitle: B\n---\n\n{PLACEHOLDER}.\n"})
    with pytest.raises(BuildError) as caught:
        site.build()
    [error] = caught.value.errors
    assert error.pos == Position(site.content / "pages" / "b.md", 5, 1)
    assert str(error.message) == (
        "the page still holds the placeholder text: it is not ready to publish"
    )


def test_a_notice_linking_to_one_not_ready_gets_no_second_error(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/a.md": notice(body=PLACEHOLDER),
            "notices/b.md": notice(title="B", body="Xem [thông báo A](a.md)."),
        }
    )
    with pytest.raises(BuildError) as caught:
        site.build()
    assert [e.pos.path.name for e in caught.value.errors] == ["a.md"]


def test_init_writes_generic_templates(tmp_path: Path) -> None:
    folder = tmp_path / "xa"
    assert run_cli("init", str(folder)).returncode == 0
    for path in sorted((folder / "content").rglob("*")):
        if path.is_file():
            text = path.read_text("utf-8")
            for word in ("Định Hưng", "dinhhung", "19.80", "0912 000"):
                assert word not in text, (path, word)
    # the only body to write is the first notice's, which holds the placeholder
    holding = [p.name for p in (folder / "content").rglob("*.md") if PLACEHOLDER in p.read_text()]
    assert holding == [f"{TODAY}-chao-mung-den-bang-tin-dien-tu.md"]
    assert run_cli("new", "location", "cho", "Chợ", cwd=folder).returncode == 0
    assert "Định Hưng" not in (folder / "content" / "locations" / "cho.yml").read_text("utf-8")


# -- 2. an example base_url ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://dinhhung.example/",
        "https://bangtin.example./",
        "https://example.com/",
        "https://xa.EXAMPLE.org/bangtin/",
        "https://www.example.net/",
        "https://thu.test/",
        "https://a.invalid/",
        "https://localhost:8443/",
        "https://preview.localhost/",
        "https://127.0.0.1/",
        "https://203.0.113.9/",
        "https://[::1]:8000/",
        "https://2130706433/",
    ],
)
def test_reserved_and_local_addresses_cannot_go_on_printed_codes(url: str) -> None:
    assert not_for_print(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://bangtin.dinhhung.gov.vn/",
        "https://example.com.vn/",
        "https://myexample.org/",
        "https://examples.net/",
        "https://test.vn/bang-tin/",
        "https://xn--nh-hng-6ya1234.vn/",
    ],
)
def test_real_addresses_can(url: str) -> None:
    assert not_for_print(url) is None


def test_an_example_base_url_warns_on_every_build_and_fails_strict(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice()})  # base_url: https://test.example/
    expected = (
        "content/site.yml:2:11: warning: `base_url` https://test.example/ cannot go on printed "
        "QR codes: test.example is a domain reserved for examples and tests, which no real "
        "site can have\n"
        "    base_url: https://test.example/\n"
        "              ^\n"
        "  hint: set `base_url` to the address the site is published at before any board is "
        "printed (`bangtin boards --record` refuses until then)"
    )
    built = run_cli("build", cwd=site.root)
    assert built.returncode == 0, built.stderr
    assert expected in built.stderr
    again = run_cli("build", cwd=site.root)  # nothing to do: the warning is told again
    assert "Nothing changed" in again.stdout and expected in again.stderr
    check = run_cli("check", cwd=site.root)
    assert check.returncode == 0 and expected in check.stderr
    for args in (["check", "--strict"], ["build", "--strict", "--output", "strict"]):
        strict = run_cli(*args, cwd=site.root)
        assert strict.returncode == 1, strict.stderr
        assert "content/site.yml:2:11: error: `base_url` https://test.example/" in strict.stderr
    assert not (site.root / "strict").exists()


def test_a_real_base_url_does_not_warn(make_site: MakeSite) -> None:
    site = make_site({"site.yml": REAL_SITE_YML, "notices/a.md": notice()})
    result = run_cli("build", "--strict", cwd=site.root)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


def test_a_preview_base_url_is_not_what_is_warned_about(make_site: MakeSite) -> None:
    """``--base-url`` previews elsewhere; the codes that get printed hold site.yml's."""
    site = make_site({"site.yml": REAL_SITE_YML, "notices/a.md": notice()})
    preview = run_cli(
        "build", "--strict", "--allow-http", "--base-url", "http://127.0.0.1:8000/", cwd=site.root
    )
    assert preview.returncode == 0, preview.stderr


def test_the_sample_site_shows_the_warning() -> None:
    result = api.check(api.Options(SAMPLE))
    [warning] = [w for w in result.warnings if w.pos.path.name == "site.yml"]
    assert "https://dinhhung.example/" in warning.format(ENGLISH)


def test_boards_record_refuses_an_example_base_url(make_site: MakeSite) -> None:
    site = make_site({"locations/cho.yml": "name: Chợ\n", "notices/a.md": notice()})
    result = run_cli("boards", "--record", cwd=site.root)
    assert result.returncode == 2, result.stderr
    assert (
        "Error: `bangtin boards --record` refuses to record https://test.example/: "
        "test.example is a domain reserved for examples and tests, which no real site can "
        "have. Set `base_url` in content/site.yml to the address the site is published at, "
        "then record again."
    ) in result.stderr
    assert not (site.content / "printed.yml").exists()
    # without --record, boards warns like a build, and --strict makes that an error
    report = run_cli("boards", cwd=site.root)
    assert report.returncode == 0 and "warning: `base_url`" in report.stderr
    assert run_cli("boards", "--strict", cwd=site.root).returncode == 1
    with pytest.raises(UsageError, match="refuses to record"):
        api.boards(api.Options(site.content), record=True)
    replace_in(site.content / "site.yml", "https://test.example/", "https://bangtin.thu.vn/")
    recorded = run_cli("boards", "--record", cwd=site.root)
    assert recorded.returncode == 0, recorded.stderr
    assert "- url: https://bangtin.thu.vn/l/cho/" in (site.content / "printed.yml").read_text()


def test_a_ledger_of_another_base_url_says_how_to_drop_an_example_one(
    make_site: MakeSite,
) -> None:
    site = make_site({"site.yml": REAL_SITE_YML, "locations/cho.yml": "name: Chợ\n"})
    config = load_config(site.content)
    plan = plan_site(config, load_content(config), NOW)
    entry = Printed(
        "https://bangtin.example/l/cho/",
        "cho",
        dt.date(2026, 11, 1),
        Position(site.content / "printed.yml", 2, 8),
    )
    with pytest.raises(BuildError) as caught:
        check_ledger(config, plan, (entry,))
    [error] = caught.value.errors
    assert error.hint is not None
    hint = ENGLISH.text(error.hint)
    assert "keep the old base_url in site.yml" in hint
    assert (
        "If the old one was an example address that was never printed on a board, remove its "
        "entries from printed.yml" in hint
    )


# -- 3. no content/ folder: a usage error, never the sample in its place --------------


@pytest.mark.parametrize(
    "args", [["build"], ["check"], ["serve", "--port", "0"], ["boards"], ["boards", "--record"]]
)
def test_without_content_folder_commands_name_init(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"Error: there is no content/ folder in {tmp_path}." in result.stderr
    assert "`bangtin init FOLDER`" in result.stderr and "--sample" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_sample_is_built_only_when_asked_for(tmp_path: Path) -> None:
    result = run_cli("build", "--sample", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "l" / "tram-y-te" / "index.html").is_file()
    assert "warning: `base_url` https://dinhhung.example/" in result.stderr
    both = run_cli("check", "--sample", "--content", str(SAMPLE), cwd=tmp_path)
    assert both.returncode == 2 and "either --content or --sample" in both.stderr


def test_the_quick_start_builds_in_the_repository() -> None:
    """The README's ``bangtin build`` runs in the repository, where content/ is."""
    result = run_cli("check", cwd=ROOT)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["new", "notice", "Họp thôn"],
        ["new", "location", "cho", "Chợ"],
        ["new", "page", "Liên hệ"],
    ],
)
def test_new_without_a_site_makes_no_stray_content_folder(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"Error: there is no content/ folder in {tmp_path}." in result.stderr
    assert "`bangtin init FOLDER`" in result.stderr and "--sample" not in result.stderr
    assert list(tmp_path.iterdir()) == []
    named = run_cli(*args, "--content", "contnet", cwd=tmp_path)  # a typo
    assert named.returncode == 2 and "content folder contnet does not exist" in named.stderr
    assert list(tmp_path.iterdir()) == []


# -- 4. bangtin new page --------------------------------------------------------------


def test_new_page_writes_a_complete_page_and_never_overwrites(make_site: MakeSite) -> None:
    site = make_site(
        {"site.yml": REAL_SITE_YML, "pages/a.md": "---\ntitle: A\norder: 4\n---\nA.\n"}
    )
    result = run_cli("new", "page", "Liên hệ: Tổ công nghệ số", cwd=site.root)
    assert result.returncode == 0, result.stderr
    path = site.content / "pages" / "lien-he-to-cong-nghe-so.md"
    assert f"Created {Path('content/pages/lien-he-to-cong-nghe-so.md')}" in result.stdout
    text = path.read_text("utf-8")
    assert text.startswith('---\ntitle: "Liên hệ: Tổ công nghệ số"\n')
    assert "\norder: 5 " in text and "\ndraft: false\n" in text and "# summary:" in text
    unready = run_cli("check", cwd=site.root)  # its body is still to be written
    assert unready.returncode == 1
    assert "content/pages/lien-he-to-cong-nghe-so.md:8:1: error: the page still" in unready.stderr
    replace_in(path, PLACEHOLDER + ".", "Gọi 0237 3000 111.")
    again = run_cli("new", "page", "Liên hệ: Tổ công nghệ số", cwd=site.root)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert "Gọi 0237 3000 111." in path.read_text("utf-8")
    assert run_cli("new", "page", "!!!", cwd=site.root).returncode == 2
    built = site.build()
    assert "Gọi 0237 3000 111." in built.html("p/lien-he-to-cong-nghe-so/")
    home = built.html("")
    assert home.index('href="p/a/"') < home.index('href="p/lien-he-to-cong-nghe-so/"')


def test_new_page_in_an_empty_site(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    result = run_cli("new", "page", "Giới thiệu", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "\norder: 1 " in (tmp_path / "content" / "pages" / "gioi-thieu.md").read_text()


# -- 5. an expired notice was in effect through its `expires` day ---------------------


def test_an_expired_notice_says_it_ended_after_its_last_day(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(expires="2026-11-25")})
    page = site.build().html("n/a/")
    assert "Thông báo này đã hết hiệu lực</strong> sau ngày 25/11/2026." in page
    assert "từ ngày" not in page


def test_the_sample_expired_notices_say_the_same(sample: Built) -> None:
    pages = [sample.html(p["path"].removesuffix("index.html")) for p in sample.pages("notice")]
    expired = [page for page in pages if 'class="expired"' in page]
    assert expired
    for page in expired:
        said = "đã hết hiệu lực</strong> sau ngày " in page  # a day's end
        said = said or "đã hết hiệu lực</strong> lúc " in page  # a time (`expires` with hours)
        assert said and "từ ngày" not in page
