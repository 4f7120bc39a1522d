"""Every message an editor reads exists in Vietnamese and English.

The catalogs are checked against the code itself (Babel extracts the msgids as
``tools/messages.py update`` does), so a message added later without its Vietnamese
fails here; and the language is chosen as the README says.
"""

from __future__ import annotations

import ast
import gettext
import os
import subprocess
from pathlib import Path

import pytest

from generator import i18n
from generator.i18n import ENGLISH, Language, _, choose, language, n_, placeholders
from tests.conftest import ROOT, SITE_YML, SiteFactory, run_cli
from tools import messages as catalogs

LANGS = catalogs.languages()


def test_vietnamese_catalog_exists() -> None:
    assert "vi" in LANGS
    assert set(i18n.available()) == {"en", *LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_of_the_code_is_translated(lang: str) -> None:
    missing = catalogs.missing(lang)
    assert missing == [], (
        f"{len(missing)} message(s) without a {lang} translation (run "
        f"`python tools/messages.py update`, translate them in {catalogs.po_path(lang)}, "
        f"then `python tools/messages.py compile`):\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_holds_exactly_the_code_messages(lang: str) -> None:
    """No message the code dropped lingers in a catalog (run `update` after a change)."""
    code = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.extract() if m.id}
    catalog = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogs.read(catalogs.po_path(lang))
        if m.id
    }
    assert catalog == code, f"stale: {sorted(catalog - code)}; new: {sorted(code - catalog)}"


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_every_placeholder(lang: str) -> None:
    wrong = []
    for message in catalogs.read(catalogs.po_path(lang)):
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        for string in strings:
            if string and placeholders(string) != placeholders(ids[-1]):
                wrong.append(f"{ids[0]!r} -> {string!r}")
            # what the reader must type stays as written: every `code` span of the msgid
            for span in _code_spans(ids[0]):
                if "{" not in span and span not in SCHEMATIC and span not in string:
                    wrong.append(f"{ids[0]!r} -> {string!r}: lost `{span}`")
    assert wrong == []


# code spans that show a shape, not text to type: translated so that the shape reads
SCHEMATIC = {"key: value"}


def _code_spans(text: str) -> list[str]:
    parts = text.split("`")
    return [parts[i] for i in range(1, len(parts) - 1, 2)]


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalog_is_current(lang: str) -> None:
    assert catalogs.mo_path(lang).read_bytes() == catalogs.compiled(lang), (
        "the .mo is older than its .po: run `python tools/messages.py compile`"
    )


def test_messages_are_literal_templates() -> None:
    """Babel extracts only literal msgids: an f-string or a variable would never be
    translated, and its placeholders would be filled before the catalog saw them."""
    bad = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            literal_args = {"_": 1, "N_": 1, "n_": 2}.get(node.func.id)
            if literal_args is None:
                continue
            args = node.args[:literal_args]
            if len(args) < literal_args or not all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bad == []


# -- the message objects ------------------------------------------------------------


def test_message_is_put_into_words_in_each_language() -> None:
    message = _("`{key}` is empty", key="title")
    assert ENGLISH.text(message) == "`title` is empty"
    assert str(message) == "`title` is empty"
    assert language("vi").text(message) == "`title` đang để trống"


def test_arguments_that_are_messages_are_in_the_same_language() -> None:
    message = _("`{key}` must be {kind}, not a list", key="title", kind=_("text"))
    assert ENGLISH.text(message) == "`title` must be text, not a list"
    assert language("vi").text(message) == "`title` phải là văn bản, không phải danh sách"


def test_plurals() -> None:
    one, two = (
        n_("{n} error; nothing was written.", "{n} errors; nothing was written.", n) for n in (1, 2)
    )
    assert (ENGLISH.text(one), ENGLISH.text(two)) == (
        "1 error; nothing was written.",
        "2 errors; nothing was written.",
    )
    assert language("vi").text(two) == "2 lỗi; chưa ghi gì cả."


def test_a_translation_with_a_wrong_placeholder_falls_back_to_english() -> None:
    class Broken(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return "{nope} trống"

    broken = Language("xx", Broken())
    assert broken.text(_("`{key}` is empty", key="title")) == "`title` is empty"


def test_language_codes() -> None:
    assert language("vi-VN").code == "vi"
    assert language("vi_VN").code == "vi"
    assert language("EN").code == "en"
    assert language("fr").code == "en"  # no French catalog: English


def test_choice_of_language() -> None:
    env = {"BANGTIN_LANG": "en"}
    assert choose("vi", "en", env).code == "vi"  # --lang first
    assert choose(None, "vi", env).code == "en"  # then $BANGTIN_LANG
    assert choose(None, "en", {}).code == "en"  # then the site's language
    assert choose(None, None, {}).code == "vi"  # then Vietnamese
    assert choose(None, None, {"BANGTIN_LANG": " "}).code == "vi"

    # the site's language is read only when --lang and $BANGTIN_LANG say nothing
    def unread() -> str:
        raise AssertionError("site.yml read although --lang decided")

    assert choose("en", unread, {}).code == "en"
    assert choose(None, lambda: "en", {}).code == "en"
    # $LANG is not asked: servers set it to anything
    assert choose(None, None, {"LANG": "en_US.UTF-8", "LC_ALL": "C"}).code == "vi"


# -- as editors meet them -------------------------------------------------------------


def make_site(tmp_path: Path, site_extra: str = "", notice: str | None = None) -> Path:
    """A tiny site with one notice (``notice``: its text)."""
    text = notice or "---\ntitle: Họp\ndate: 2026-11-20\n---\nNội dung.\n"
    files = {"site.yml": SITE_YML + site_extra, "notices/a.md": text}
    return SiteFactory(tmp_path).write(files).content


def _broken_site(tmp_path: Path, language_line: str = "") -> Path:
    notice = "---\ntitle: Họp\ndate: 2026-11-20\npinned: yes\n---\nNội dung.\n"
    return make_site(tmp_path, language_line, notice)


def _no_lang_env() -> dict[str, str]:
    return {"BANGTIN_LANG": ""}


def test_errors_in_vietnamese_by_default(tmp_path: Path) -> None:
    content = _broken_site(tmp_path)
    result = run_cli("check", "--content", str(content), cwd=tmp_path, env=_no_lang_env())
    assert result.returncode == 1
    assert ": lỗi: `pinned` phải là `true` hoặc `false`, không phải `yes`" in result.stderr
    assert "  gợi ý: viết `true` (có) hoặc `false` (không)" in result.stderr
    assert "1 lỗi; chưa ghi gì cả." in result.stderr
    assert "error" not in result.stderr


def test_site_language_en_gives_english(tmp_path: Path) -> None:
    content = _broken_site(tmp_path, "language: en\n")
    result = run_cli("check", "--content", str(content), cwd=tmp_path, env=_no_lang_env())
    assert ": error: `pinned` must be true or false, not `yes`" in result.stderr
    assert "1 error; nothing was written." in result.stderr


def test_lang_option_beats_environment_and_site(tmp_path: Path) -> None:
    content = _broken_site(tmp_path, "language: en\n")
    env = {"BANGTIN_LANG": "en"}
    result = run_cli("check", "--content", str(content), "--lang", "vi", cwd=tmp_path, env=env)
    assert ": lỗi: " in result.stderr
    result = run_cli("--lang", "vi", "check", "--content", str(content), cwd=tmp_path, env=env)
    assert ": lỗi: " in result.stderr
    result = run_cli("check", "--content", str(content), cwd=tmp_path, env={"BANGTIN_LANG": "vi"})
    assert ": lỗi: " in result.stderr


def test_lang_is_ignored(tmp_path: Path) -> None:
    content = _broken_site(tmp_path)
    env = {"BANGTIN_LANG": "", "LANG": "en_US.UTF-8", "LANGUAGE": "en"}
    result = run_cli("check", "--content", str(content), cwd=tmp_path, env=env)
    assert ": lỗi: " in result.stderr


def test_summary_and_help_in_vietnamese(tmp_path: Path) -> None:
    content = make_site(tmp_path)
    result = run_cli("check", "--content", str(content), cwd=tmp_path, env=_no_lang_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Đã kiểm tra ")
    assert "không có lỗi" in result.stdout

    shown = run_cli("build", "--help", "--lang", "vi", cwd=tmp_path).stdout
    assert shown.startswith("Cách dùng: ")
    assert "Dựng trang tin vào thư mục đầu ra, kèm mã QR cho mỗi trang." in shown
    assert "Tùy chọn" in shown and "Hiện hướng dẫn này rồi thoát." in shown
    top = run_cli("--help", cwd=tmp_path, env=_no_lang_env()).stdout
    assert "Lệnh" in top and "Kiểm tra nội dung như khi dựng, nhưng không ghi gì." in top
    english = run_cli("build", "--help", cwd=tmp_path).stdout  # BANGTIN_LANG=en
    assert english.startswith("Usage: ")
    assert "Build the site into the output folder" in english


def test_usage_errors_in_vietnamese(tmp_path: Path) -> None:
    result = run_cli("build", "--nope", cwd=tmp_path, env=_no_lang_env())
    assert result.returncode == 2
    assert "Cách dùng: " in result.stderr
    assert "Lỗi: " in result.stderr
    result = run_cli("check", "--content", str(tmp_path / "none"), "--lang", "vi", cwd=tmp_path)
    assert result.returncode == 2
    assert f"Lỗi: thư mục nội dung {tmp_path / 'none'} không tồn tại" in result.stderr


def test_a_kept_warning_is_shown_again_in_the_language_asked(tmp_path: Path) -> None:
    """A build with nothing to do repeats the last build's warnings, in today's language."""
    content = make_site(
        tmp_path, notice="---\ntitle: “Họp dân”\ndate: 2026-11-20\n---\nNội dung.\n"
    )
    out = tmp_path / "output"
    first = run_cli("build", "--content", str(content), "--output", str(out), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert ": warning: `title` is in curly quotes “Họp dân”" in first.stderr
    again = run_cli(
        "build", "--content", str(content), "--output", str(out), "--lang", "vi", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("Không có gì thay đổi từ lần dựng trước")
    assert ": cảnh báo: `title` nằm trong dấu ngoặc cong “Họp dân”" in again.stderr


def test_no_translation_drops_code_the_reader_must_type() -> None:
    """Spot checks of the catalog's quality where a slip would mislead an editor."""
    vi = language("vi")
    assert vi.text(_("write `true` or `false`")).count("`true`") == 1
    hint = _("write the list in square brackets: `{key}: [{items}]`", key="locations", items="a, b")
    assert "`locations: [a, b]`" in vi.text(hint)


def test_the_messages_tool_runs(tmp_path: Path) -> None:
    """`tools/messages.py missing` is what a translator runs: it exits 0 when done."""
    result = subprocess.run(
        ["python", str(ROOT / "tools" / "messages.py"), "missing"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_preview_error_page_speaks_the_editors_language() -> None:
    from generator.errors import BuildError, ContentError, Position
    from generator.serve.server import error_page

    problem = ContentError(
        Position(Path("content/notices/a.md"), 4, 9),
        _("`{key}` must be true or false, not `{word}`", key="pinned", word="yes"),
        _("write `true` or `false`"),
        source_line="pinned: yes",
    )
    page = error_page(BuildError([problem]), language("vi")).decode("utf-8")
    assert '<html lang="vi">' in page
    assert "<title>Lỗi khi dựng trang tin</title>" in page
    assert "a.md:4:9: lỗi: `pinned` phải là `true` hoặc `false`, không phải `yes`" in page
    assert "gợi ý: viết `true` (có) hoặc `false` (không)" in page
    english = error_page(BuildError([problem]), ENGLISH).decode("utf-8")
    assert '<html lang="en">' in english and "a.md:4:9: error: `pinned`" in english
