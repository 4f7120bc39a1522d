"""Invalid sites, one folder per error message (Zola-style).

Every folder ``tests/sites/invalid/<case>/`` holds a complete tiny site in ``content/``
that must fail to build, and ``expected.txt`` with the errors it must report, one per
line, as ``relative/path:line:col: message-substring`` (the path is relative to the
case's ``content/`` folder).  An optional ``hints.txt`` lists, one per line, a substring
of each ``hint:`` line the run must print; without it the run must print no hint.

Both ``check`` and ``build`` run as a user would run them, in a subprocess whose working
folder is the case folder, so error locations print as ``content/<path>:<line>:<col>``.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import SITES, run_cli, tree_bytes

if TYPE_CHECKING:
    from _pytest.mark.structures import ParameterSet

CASES_DIR = SITES / "invalid"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "expected.txt").is_file())

# Cases that show a bug in generator/: expected.txt / hints.txt say what *should* happen.
# (Empty: the 16 bugs these cases found were fixed; see the git log.)
XFAIL: dict[str, str] = {}

LOCATION = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


@dataclass(frozen=True)
class ExpectedError:
    location: str  # content/<path>:<line>:<col>, as the CLI prints it
    message: str  # a substring of the printed message


# What the command line prints around each message, in each language.
WORDS = {
    "en": {"error": "error", "hint": "hint", "summary": "{n} error{s}; nothing was written."},
    "vi": {"error": "lỗi", "hint": "gợi ý", "summary": "{n} lỗi; chưa ghi gì cả."},
}
SUFFIX = {"en": "", "vi": ".vi"}  # expected.txt (English), expected.vi.txt (Vietnamese)


def read_expected(case: str, lang: str = "en") -> tuple[list[ExpectedError], list[str]]:
    folder = CASES_DIR / case
    errors = []
    for raw in (folder / f"expected{SUFFIX[lang]}.txt").read_text("utf-8").splitlines():
        if not raw.strip():
            continue
        m = LOCATION.match(raw)
        assert m, f"{case}/expected{SUFFIX[lang]}.txt: bad line {raw!r}"
        errors.append(ExpectedError(f"content/{m['path']}:{m['line']}:{m['col']}", m["message"]))
    assert errors, f"{case}/expected{SUFFIX[lang]}.txt lists no error"
    hints_file = folder / f"hints{SUFFIX[lang]}.txt"
    hints = []
    if hints_file.is_file():
        hints = [h for h in hints_file.read_text("utf-8").splitlines() if h.strip()]
    return errors, hints


def extra_args(case: str) -> list[str]:
    """``args.txt`` (optional): options the case runs with, e.g. ``--strict`` for a
    warning that --strict makes an error."""
    path = CASES_DIR / case / "args.txt"
    return path.read_text("utf-8").split() if path.is_file() else []


def case_params() -> list[ParameterSet]:
    return [
        pytest.param(
            case,
            id=case,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[case])] if case in XFAIL else [],
        )
        for case in CASES
    ]


def assert_reports(case: str, result: subprocess.CompletedProcess[str], lang: str = "en") -> None:
    """Exit code 1, no traceback, exactly the expected errors and hints."""
    expected, hints = read_expected(case, lang)
    words = WORDS[lang]
    err = result.stderr
    assert result.returncode == 1, f"exit code {result.returncode}\n{err}"
    assert "Traceback" not in err, err
    assert result.stdout == "", result.stdout

    lines = err.splitlines()
    marker = f": {words['error']}: "
    headers = [ln for ln in lines if marker in ln and not ln.startswith(" ")]
    assert len(headers) == len(expected), f"expected {len(expected)} errors, got:\n{err}"
    unmatched = list(headers)
    for exp in expected:
        prefix = f"{exp.location}{marker}"
        found = next(
            (h for h in unmatched if h.startswith(prefix) and exp.message in h[len(prefix) :]),
            None,
        )
        assert found is not None, f"missing `{prefix}...{exp.message}...` in:\n{err}"
        unmatched.remove(found)

    n = len(expected)
    assert words["summary"].format(n=n, s="s" if n != 1 else "") in err, err

    hint_lines = [ln for ln in lines if ln.startswith(f"  {words['hint']}: ")]
    assert len(hint_lines) == len(hints), f"expected {len(hints)} hints, got:\n{err}"
    left = list(hint_lines)
    for hint in hints:
        found = next((h for h in left if hint in h), None)
        assert found is not None, f"missing hint containing {hint!r} in:\n{err}"
        left.remove(found)


@pytest.mark.parametrize("case", case_params())
def test_check_reports_errors(case: str) -> None:
    folder = CASES_DIR / case
    before = tree_bytes(folder)
    result = run_cli("check", "--content", str(folder / "content"), *extra_args(case), cwd=folder)
    assert_reports(case, result)
    assert tree_bytes(folder) == before, "check wrote into the case folder"


@pytest.mark.parametrize("case", case_params())
def test_check_reports_errors_in_vietnamese(case: str) -> None:
    """The same errors, as an editor reads them by default: in Vietnamese (no --lang, no
    $BANGTIN_LANG; the cases' site.yml names no language)."""
    folder = CASES_DIR / case
    result = run_cli(
        "check",
        "--content",
        str(folder / "content"),
        *extra_args(case),
        cwd=folder,
        env={"BANGTIN_LANG": ""},
    )
    assert_reports(case, result, "vi")


def test_every_case_has_its_vietnamese_expectations() -> None:
    """Each case lists its errors in both languages, as many in each, at the same places;
    and hints in both or neither."""
    for case in CASES:
        english, english_hints = read_expected(case, "en")
        vietnamese, vietnamese_hints = read_expected(case, "vi")
        assert [e.location for e in english] == [e.location for e in vietnamese], case
        assert len(english_hints) == len(vietnamese_hints), case


@pytest.mark.parametrize("case", case_params())
def test_build_reports_errors_and_writes_nothing(case: str, tmp_path: Path) -> None:
    folder = CASES_DIR / case
    before = tree_bytes(folder)
    output = tmp_path / "output"
    result = run_cli(
        "build",
        "--content",
        str(folder / "content"),
        "--output",
        str(output),
        *extra_args(case),
        cwd=folder,
    )
    assert_reports(case, result)
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [], "build left files beside the output folder"
    assert tree_bytes(folder) == before, "build changed the case folder"


@pytest.mark.parametrize("case", ["site-missing", "many-errors", "link-missing-file"])
def test_failed_build_keeps_previous_output(case: str, tmp_path: Path) -> None:
    """A failing build (at the config, content or link stage) leaves output/ as it was."""
    folder = CASES_DIR / case
    output = tmp_path / "output"
    (output / "n" / "cu").mkdir(parents=True)
    (output / "qr-manifest.json").write_bytes(b'{"pages": [], "marker": "previous build"}\n')
    (output / "MARKER.txt").write_bytes(b"do not touch\r\n\x00\xff")
    (output / "n" / "cu" / "index.html").write_bytes("<p>Bản cũ</p>\n".encode())
    before = tree_bytes(output)

    result = run_cli(
        "build", "--content", str(folder / "content"), "--output", str(output), cwd=folder
    )

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert tree_bytes(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


# Fixtures whose exact bytes are the point of the case: guard them against editors and
# git end-of-line conversion (see .gitattributes and .editorconfig beside them).
SPECIAL_BYTES = {
    "notice-empty/content/notices/a.md": b"",
    "notice-blank/content/notices/a.md": b"\n  \n\n",
    "site-empty/content/site.yml": b"",
    "place-empty/content/locations/tram-y-te.yml": b"",
    "notice-yaml-tab/content/notices/a.md": (
        b"---\ntitle: H\xe1\xbb\x8dp th\xc3\xb4n\n\tdate: 2026-11-20\n---\nN\xe1\xbb\x99i dung.\n"
    ),
    "notice-date-crlf/content/notices/a.md": (
        b"---\r\ntitle: Hop thon\r\n\r\ndate: 28/11/2026\r\n---\r\nNoi dung.\r\n"
    ),
    "notice-not-utf8/content/notices/a.md": (
        b"---\ntitle: Caf\xe9 s\xe1ng\ndate: 2026-11-20\n---\nN\xf4i dung.\n"
    ),
    "notice-not-utf8-mixed/content/notices/a.md": (
        b"---\ntitle: Th\xc3\xb4ng b\xc3\xa1o caf\xe9\ndate: 2026-11-20\n---\nNoi dung.\n"
    ),
    "notice-nul-byte/content/notices/a.md": (
        "---\ntitle: Họp\x00thôn\ndate: 2026-11-20\n---\nNội dung.\n".encode()
    ),
}


@pytest.mark.parametrize("rel", sorted(SPECIAL_BYTES))
def test_special_fixture_bytes_are_intact(rel: str) -> None:
    assert (CASES_DIR / rel).read_bytes() == SPECIAL_BYTES[rel]


def test_every_case_is_a_complete_site() -> None:
    """Cases not about site.yml share one valid site.yml, so only their own error shows."""
    assert len(CASES) >= 30
    assert set(XFAIL) <= set(CASES)
    standard = "title: Bảng tin thử\nbase_url: https://test.example/\n".encode()
    # with --strict, the warning that test.example is an example address would be an error
    strict = standard.replace(b"https://test.example/", b"https://bangtin.thu-nghiem.vn/")
    for case in CASES:
        content = CASES_DIR / case / "content"
        assert content.is_dir(), case
        if not case.startswith("site-"):
            expected = strict if "--strict" in extra_args(case) else standard
            assert (content / "site.yml").read_bytes() == expected, case
