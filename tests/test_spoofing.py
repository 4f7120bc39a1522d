"""Content that would spoof a board or break the build is refused at its line, and themes
cannot run Python or publish files from outside the project."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.i18n import ENGLISH
from tests.conftest import SITE_YML, SiteFactory, notice, run_cli

MakeSite = Callable[[dict[str, str]], SiteFactory]

RLO = "\u202e"


def errors_of(site: object) -> list[str]:
    with pytest.raises(BuildError) as caught:
        site.build()  # type: ignore[attr-defined]
    return [e.format(ENGLISH, site.root) for e in caught.value.errors]  # type: ignore[attr-defined]


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202c", "\u202d", RLO, "\u2066", "\u2069"])
def test_bidirectional_controls_in_a_title_are_refused_at_their_line(
    make_site: MakeSite, char: str
) -> None:
    site = make_site({"notices/a.md": notice(title=f"Cảnh báo {char}elpmaxe.live//:sptth")})
    [error] = errors_of(site)
    assert error.startswith("content/notices/a.md:2:8: error: `title` contains an invisible")
    assert f"U+{ord(char):04X}" in error and "hint:" in error


def test_bidirectional_controls_anywhere_an_editor_names_something(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yml": SITE_YML.replace("title: ", f"title: {RLO}"),
            "notices/a.md": notice(aliases=f"[cu{RLO}/]", tags=f"[y tế, {RLO}abc]"),
            "locations/tram.yml": f"name: Trạm {RLO}y tế\naddress: Thôn 1\n",
        }
    )
    errors = errors_of(site)
    assert len(errors) == 1 and errors[0].startswith("content/site.yml:1:8: error: `title`")
    site.write({"site.yml": SITE_YML})
    errors = errors_of(site)
    found = sorted(e.split(": error: ")[0] for e in errors)
    assert found == [
        "content/locations/tram.yml:1:7",
        "content/notices/a.md:4:11",  # aliases: [cu…
        "content/notices/a.md:5:14",  # tags: [y tế, …abc]
    ], errors


@pytest.mark.parametrize("key", ["location", "tag", "page", "notice"])
@pytest.mark.parametrize("prefix", ["boards", "assets"])
def test_a_url_prefix_that_is_one_of_bangtins_folders_is_refused(
    make_site: MakeSite, key: str, prefix: str
) -> None:
    site = make_site(
        {
            "site.yml": SITE_YML + f"urls:\n  {key}: {prefix}\n",
            "notices/a.md": notice(tags="[y tế]"),
            "locations/boards.yml": "name: Bảng\n",
        }
    )
    [error] = errors_of(site)
    assert error.startswith(f"content/site.yml:4:{len(key) + 5}: error: URL prefix `{prefix}`")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://user:pass@test.example/", "user name or password"),
        ("https://admin@test.example/", "user name or password"),
        ("https://test.example:99999/", "port"),
        ("https://test.example:0/", "port"),
        ("https://test.example:https/", "port"),
        ("https://test.example/?", "query"),
    ],
)
def test_a_base_url_that_would_print_a_bad_code_is_refused(
    make_site: MakeSite, url: str, why: str
) -> None:
    site = make_site({"site.yml": SITE_YML.replace("https://test.example/", url)})
    [error] = errors_of(site)
    assert error.startswith("content/site.yml:2:11: error:") and why in error


def test_init_checks_the_base_url_first(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path / "xa"), "--base-url", "https://x.example/?")
    assert result.returncode == 2 and "query" in result.stderr
    assert not (tmp_path / "xa").exists()


def test_a_base_url_too_long_for_any_qr_code_names_the_longest_that_fits(
    make_site: MakeSite,
) -> None:
    base = "https://test.example/" + "a" * 1700 + "/"
    site = make_site({"site.yml": SITE_YML.replace("https://test.example/", base)})
    site.write({"notices/a.md": notice(slug="mot-thong-bao-co-ten-dai")})
    [error] = errors_of(site)
    assert error.startswith("content/site.yml:2:11: error: base_url ")
    assert "does not fit in any QR code at error level Q" in error
    longest = len("n/mot-thong-bao-co-ten-dai/")
    assert f"at most {1663 - longest} characters" in error  # Table 7: 1663 bytes at 40-Q
    fitting = "https://test.example/" + "a" * (1663 - longest - len("https://test.example/") - 1)
    site.write({"site.yml": SITE_YML.replace("https://test.example/", fitting + "/")})
    built = site.build()  # exactly the longest that fits: builds
    assert built.manifest["base_url"] == fitting + "/"


def test_a_link_to_a_file_saved_with_a_decomposed_name_resolves(make_site: MakeSite) -> None:
    nfd = unicodedata.normalize("NFD", "thông-báo.md")
    assert nfd != "thông-báo.md"
    site = make_site(
        {
            f"notices/{nfd}": notice(title="Đích", slug="dich"),
            "notices/b.md": notice(title="Nguồn", body="Xem [thông báo](thông-báo.md)."),
        }
    )
    built = site.build()
    assert 'href="../dich/"' in built.html("n/b/")


def test_a_tag_without_letters_or_digits_is_a_warning_at_its_line(make_site: MakeSite) -> None:
    real = SITE_YML.replace("test.example", "bangtin.thu-nghiem.vn")  # no example-address warning
    site = make_site({"site.yml": real, "notices/a.md": notice(tags='[y tế, "🎉🎉", "!!!"]')})
    result = run_cli("build", "--content", "content", "--output", "output", cwd=site.root)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        "content/notices/a.md:4:14: warning: tag `🎉🎉` has no letter or digit, so it makes "
        "no topic page and is left out",
        "content/notices/a.md:4:20: warning: tag `!!!` has no letter or digit, so it makes "
        "no topic page and is left out",
    ]
    again = run_cli("build", "--content", "content", "--output", "output", cwd=site.root)
    assert "Nothing changed" in again.stdout and again.stderr.count(": warning: ") == 2
    strict = run_cli("build", "--strict", "--content", "content", "--output", "o2", cwd=site.root)
    assert strict.returncode == 1 and ": error: tag `🎉🎉`" in strict.stderr


def test_a_theme_cannot_run_python(make_site: MakeSite, tmp_path: Path) -> None:
    proof = tmp_path / "ran"
    site = make_site({"site.yml": SITE_YML + "theme: hack\n", "notices/a.md": notice()})
    templates = site.root / "themes" / "hack" / "templates"
    templates.mkdir(parents=True)
    payload = "{{ cycler.__init__.__globals__.os.popen('touch " + str(proof) + "').read() }}"
    for template in (
        payload,  # through a Jinja global
        payload.replace("cycler.", "site.__class__."),  # through bangtin's own objects
        payload.replace("cycler.", "n.title.__class__.mro()[1].__subclasses__.__self__."),
    ):
        (templates / "notice.html").write_text(template, "utf-8")
        result = run_cli("check", "--content", "content", cwd=site.root)
        assert result.returncode != 0, template
        assert not proof.exists()
        assert "Traceback" not in result.stderr


def test_a_symlink_in_a_themes_static_folder_is_refused(
    make_site: MakeSite, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("mật khẩu", "utf-8")
    site = make_site({"site.yml": SITE_YML + "theme: t\n", "notices/a.md": notice()})
    static = site.root / "themes" / "t" / "static"
    static.mkdir(parents=True)
    (static / "leak.txt").symlink_to(secret)
    [error] = errors_of(site)
    assert "themes/t/static/leak.txt" in error and "symbolic link" in error
    shutil.rmtree(static)
    static.symlink_to(tmp_path)
    [error] = errors_of(site)
    assert "symbolic link" in error
