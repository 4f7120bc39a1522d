"""Old URLs keep working: alias pages over a real HTTP server, server rules, alias checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.clock import now
from generator.errors import BuildError
from generator.inputs.config import load_config
from generator.inputs.content import load_content
from generator.models import SiteConfig
from generator.output.writer import server_folder
from generator.plan.site import Plan, plan_site
from generator.render.redirects import nginx_redirects, render_redirects
from generator.render.templates import Renderer, theme_dirs
from tests.conftest import SiteFactory, build, notice
from tests.served import follow, get, serving

MakeSite = Callable[[dict[str, str]], SiteFactory]


RENAMED = {
    "locations/cho.yml": "name: Chợ Định Hưng\n",
    "locations/tram-y-te.yml": "name: Trạm y tế xã\naliases: [l/tram-y-te-cu/]\n",
}


def stages(site: SiteFactory, base_url: str | None = None) -> tuple[SiteConfig, Plan]:
    """The build's first stages, as build.py chains them."""
    config = load_config(site.content, base_url)
    return config, plan_site(config, load_content(config), now(config.tz))


def redirect_files(site: SiteFactory, base_url: str | None = None) -> dict[str, str]:
    """The files of the site that render_redirects makes, and ``nginx-redirects.conf``
    (server configuration, written beside the site)."""
    config, plan = stages(site, base_url)
    renderer = Renderer(config, theme_dirs(config))
    made = render_redirects(config, plan, renderer)
    files = {out.path: _text(out.make()) for out in made}
    return files | {"nginx-redirects.conf": nginx_redirects(config, plan)}


def _text(made: object) -> str:
    if isinstance(made, bytes):
        return made.decode("utf-8")
    assert isinstance(made, str)
    return made


def build_with_redirects(site: SiteFactory, output: Path | None = None) -> Path:
    """Today's build, plus the files render_redirects returns (until build writes them)."""
    output = output or site.output
    build(site.content, output)
    for rel, text in redirect_files(site).items():
        if rel == "nginx-redirects.conf":  # server configuration: beside the site
            continue
        path = output / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return output


def rules(text: str) -> list[str]:
    """The lines of a server file that are not comments."""
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


# -- the redirect page ----------------------------------------------------------


def test_redirect_page_sends_readers_on(make_site: MakeSite) -> None:
    page = redirect_files(make_site(RENAMED))["l/tram-y-te-cu/index.html"]
    assert page.startswith('<!doctype html>\n<html lang="vi">')
    assert '<meta http-equiv="refresh" content="0; url=../tram-y-te/">' in page
    assert '<link rel="canonical" href="https://test.example/l/tram-y-te/">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert 'Trang này đã chuyển sang địa chỉ mới: <a href="../tram-y-te/">Trạm y tế xã</a>' in page
    assert 'class="skip"' not in page  # standalone, not the full site layout


def test_redirect_page_takes_the_site_language(make_site: MakeSite) -> None:
    site = make_site(
        {**RENAMED, "site.yml": "title: T\nbase_url: https://t.example/\nlanguage: en\n"}
    )
    assert '<html lang="en">' in redirect_files(site)["l/tram-y-te-cu/index.html"]


def test_redirect_page_escapes_the_title(make_site: MakeSite) -> None:
    site = make_site({"locations/a.yml": 'name: "<script>x</script> & co"\naliases: [l/b/]\n'})
    page = redirect_files(site)["l/b/index.html"]
    assert "<script>" not in page
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in page


def test_aliases_of_notices_and_pages_link_relatively(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/2026-11-20-ten-moi.md": notice(
                "Họp thôn", aliases="[n/ten-cu/, tin-cu/2019/hop/]"
            ),
            "pages/lien-he.md": "---\ntitle: Liên hệ\naliases: [lien-he/]\n---\nx\n",
        }
    )
    files = redirect_files(site)
    assert sorted(files) == [
        "_redirects",
        "lien-he/index.html",
        "n/ten-cu/index.html",
        "nginx-redirects.conf",
        "tin-cu/2019/hop/index.html",
    ]
    assert 'url=../ten-moi/"' in files["n/ten-cu/index.html"]
    assert 'url=../../../n/ten-moi/"' in files["tin-cu/2019/hop/index.html"]
    assert 'url=../p/lien-he/"' in files["lien-he/index.html"]


def test_draft_notice_has_no_redirects(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(draft="true", aliases="[n/cu/]")})
    assert sorted(redirect_files(site)) == ["_redirects", "nginx-redirects.conf"]


# -- over a real HTTP server ----------------------------------------------------


def test_alias_serves_a_page_that_leads_to_the_new_url(make_site: MakeSite) -> None:
    output = build_with_redirects(make_site(RENAMED))
    with serving(output) as root:
        old = get(root + "l/tram-y-te-cu/")
        assert old.status == 200
        assert old.meta_refresh() == root + "l/tram-y-te/"
        assert old.canonical() == "https://test.example/l/tram-y-te/"
        [link] = old.links()
        assert link == root + "l/tram-y-te/"
        new = get(link)
        assert new.status == 200
        assert "<h1>Trạm y tế xã</h1>" in new.body
        # what a phone does with a code printed without the final slash
        assert follow(root + "l/tram-y-te-cu").body == old.body


def test_alias_works_under_a_sub_path(make_site: MakeSite) -> None:
    site = make_site({**RENAMED, "site.yml": "title: T\nbase_url: https://t.example/bang-tin/\n"})
    www = site.root / "www"
    build_with_redirects(site, www / "bang-tin")
    with serving(www) as root:
        old = get(root + "bang-tin/l/tram-y-te-cu/")
        assert old.status == 200
        assert old.canonical() == "https://t.example/bang-tin/l/tram-y-te/"
        assert old.meta_refresh() == root + "bang-tin/l/tram-y-te/"
        [link] = old.links()
        new = get(link)
        assert (new.url, new.status) == (root + "bang-tin/l/tram-y-te/", 200)
        assert "Trạm y tế xã" in new.body


def test_build_writes_alias_pages_and_server_rules(make_site: MakeSite) -> None:
    built = make_site(RENAMED).build()
    assert "url=../tram-y-te/" in built.html("l/tram-y-te-cu/")
    assert "/l/tram-y-te-cu/ /l/tram-y-te/ 301" in (built.output / "_redirects").read_text()
    assert not (built.output / "nginx-redirects.conf").exists()  # never published
    nginx = (server_folder(built.output) / "nginx-redirects.conf").read_text()
    assert "location = /l/tram-y-te-cu/ { return 301 /l/tram-y-te/; }" in nginx
    assert "include /srv/bangtin/output.nginx/nginx-redirects.conf;" in nginx


def test_built_alias_serves_over_http(make_site: MakeSite) -> None:
    built = make_site(RENAMED).build()
    with serving(built.output) as root:
        old = get(root + "l/tram-y-te-cu/")
        assert old.status == 200
        [link] = old.links()
        assert get(link).status == 200
        assert link == old.meta_refresh() == root + "l/tram-y-te/"


# -- _redirects and nginx-redirects.conf ----------------------------------------


def test_server_rules_for_a_sub_path_site(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yml": "title: T\nbase_url: https://t.example/bang-tin\n",
            "locations/cho.yml": "name: Chợ\naliases: [l/cho-cu/, cho/]\n",
            "notices/moi.md": notice(aliases="[n/a-old/]"),
        }
    )
    files = redirect_files(site)
    assert rules(files["_redirects"]) == [
        "/bang-tin/cho/ /bang-tin/l/cho/ 301",
        "/bang-tin/cho /bang-tin/l/cho/ 301",
        "/bang-tin/l/cho-cu/ /bang-tin/l/cho/ 301",
        "/bang-tin/l/cho-cu /bang-tin/l/cho/ 301",
        "/bang-tin/n/a-old/ /bang-tin/n/moi/ 301",
        "/bang-tin/n/a-old /bang-tin/n/moi/ 301",
    ]
    assert rules(files["nginx-redirects.conf"]) == [
        "location = /bang-tin/cho/ { return 301 /bang-tin/l/cho/; }",
        "location = /bang-tin/cho { return 301 /bang-tin/l/cho/; }",
        "location = /bang-tin/l/cho-cu/ { return 301 /bang-tin/l/cho/; }",
        "location = /bang-tin/l/cho-cu { return 301 /bang-tin/l/cho/; }",
        "location = /bang-tin/n/a-old/ { return 301 /bang-tin/n/moi/; }",
        "location = /bang-tin/n/a-old { return 301 /bang-tin/n/moi/; }",
    ]
    assert "include " in files["nginx-redirects.conf"]  # the header says how to use it


def test_server_rules_at_the_root(make_site: MakeSite) -> None:
    files = redirect_files(make_site(RENAMED))
    assert rules(files["_redirects"]) == [
        "/l/tram-y-te-cu/ /l/tram-y-te/ 301",
        "/l/tram-y-te-cu /l/tram-y-te/ 301",
    ]


def test_no_aliases_still_writes_both_files_with_a_header(make_site: MakeSite) -> None:
    files = redirect_files(make_site({"locations/cho.yml": "name: Chợ\n"}))
    assert sorted(files) == ["_redirects", "nginx-redirects.conf"]
    for text in files.values():
        assert text.startswith("# ") and text.endswith("\n")
        assert rules(text) == []


def test_redirect_files_are_deterministic(make_site: MakeSite) -> None:
    site = make_site(
        {
            "locations/z.yml": "name: Z\naliases: [b/, a/]\n",
            "locations/a.yml": "name: A\naliases: [c/]\n",
        }
    )
    first = redirect_files(site)
    assert first == redirect_files(site)
    assert list(first) == ["a/index.html", "b/index.html", "c/index.html", "_redirects",
                           "nginx-redirects.conf"]  # fmt: skip
    assert [line.split()[0] for line in rules(first["_redirects"])] == [
        "/a/", "/a", "/b/", "/b", "/c/", "/c",
    ]  # fmt: skip


def test_preview_base_url_is_used_for_this_build(make_site: MakeSite) -> None:
    files = redirect_files(make_site(RENAMED), "https://preview.example/xem/")
    assert rules(files["_redirects"])[0] == "/xem/l/tram-y-te-cu/ /xem/l/tram-y-te/ 301"
    page = files["l/tram-y-te-cu/index.html"]
    assert 'href="https://preview.example/xem/l/tram-y-te/"' in page


def test_percent_escaped_base_path(make_site: MakeSite) -> None:
    site = make_site(
        {**RENAMED, "site.yml": "title: T\nbase_url: https://t.example/b%E1%BA%A3ng-tin/\n"}
    )
    files = redirect_files(site)
    assert rules(files["_redirects"])[0] == (
        "/b%E1%BA%A3ng-tin/l/tram-y-te-cu/ /b%E1%BA%A3ng-tin/l/tram-y-te/ 301"
    )
    # nginx matches the decoded path; the redirect target stays a URL
    assert rules(files["nginx-redirects.conf"])[0] == (
        'location = "/bảng-tin/l/tram-y-te-cu/" { return 301 /b%E1%BA%A3ng-tin/l/tram-y-te/; }'
    )


@pytest.mark.parametrize(
    "base_url",
    [
        "https://t.example/a;b/",
        "https://t.example/{x}/",
        "https://t.example/a%0Ab/",
        "https://t.example/a%20b/",
        "https://t.example/a%FFb/",
        "https://t.example/a%2/",
    ],
)
def test_base_path_that_would_break_the_server_files_is_refused(
    make_site: MakeSite, base_url: str
) -> None:
    site = make_site({**RENAMED, "site.yml": f"title: T\nbase_url: {base_url}\n"})
    with pytest.raises(BuildError) as info:
        redirect_files(site)
    [error] = info.value.errors
    assert error.pos.path.name == "site.yml"
    assert "cannot be written into _redirects and nginx-redirects.conf" in str(error.message)


# -- aliases that are refused, each at its line ---------------------------------

ALIAS_ERRORS = [
    ("l/tram-y-te/", "alias /l/tram-y-te/ is already the URL of location `tram-y-te`"),
    ("l/tram-y-te/cu/", "alias /l/tram-y-te/cu/ is inside the page /l/tram-y-te/"),
    ("../x", "alias `../x` is not a plain path"),
    ("https://test.example/l/x/", "must be a path on this site, not a full URL"),
    ("%2e%2e/x", "alias `%2e%2e/x` is not a plain path"),
    ("l\\x", "alias `l\\x` is not a plain path"),
    ("l//x", "is not a plain path"),
    ("C:/x", "is not a plain path"),
    ("feed.xml", "alias /feed.xml/ would replace bangtin's own /feed.xml"),
    ("assets/cu/", "would replace bangtin's own /assets"),
    ("_redirects", "would replace bangtin's own /_redirects"),
    ("verify/", "alias /verify/ is already the URL of verify `verify`"),
]


@pytest.mark.parametrize(("alias", "message"), ALIAS_ERRORS, ids=[a for a, _ in ALIAS_ERRORS])
def test_bad_alias_is_an_error_at_its_line(make_site: MakeSite, alias: str, message: str) -> None:
    site = make_site(
        {
            "locations/tram-y-te.yml": "name: Trạm y tế\n",
            "locations/cho.yml": f"name: Chợ\naliases:\n  - l/cho-cu/\n  - '{alias}'\n",
        }
    )
    with pytest.raises(BuildError) as info:
        stages(site)
    [error] = info.value.errors
    assert (error.pos.path.name, error.pos.line, error.pos.col) == ("cho.yml", 4, 5)
    assert message in str(error.message)


def test_alias_in_a_notice_and_a_page_is_an_error_at_its_line(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/a.md": notice(aliases="[n/cu/, p/gioi-thieu/]"),
            "pages/gioi-thieu.md": "---\ntitle: Giới thiệu\naliases: [n/a/]\n---\nx\n",
        }
    )
    with pytest.raises(BuildError) as info:
        stages(site)
    found = [(e.pos.path.name, e.pos.line, e.pos.col, str(e.message)) for e in info.value.errors]
    assert found == [
        ("a.md", 4, 18, "alias /p/gioi-thieu/ is already the URL of page `gioi-thieu`"),
        ("gioi-thieu.md", 3, 11, "alias /n/a/ is already the URL of notice `a`"),
    ]


def test_two_pages_cannot_share_an_alias(make_site: MakeSite) -> None:
    site = make_site(
        {
            "locations/a.yml": "name: A\naliases: [l/cu/]\n",
            "locations/b.yml": "name: B\naliases: [l/cu/]\n",
        }
    )
    with pytest.raises(BuildError) as info:
        stages(site)
    [error] = info.value.errors
    assert (error.pos.path.name, error.pos.line, error.pos.col) == ("b.yml", 2, 11)
    assert "alias /l/cu/ is already the URL of an alias of /l/a/" in str(error.message)


def test_alias_is_normalised_to_a_folder(make_site: MakeSite) -> None:
    site = make_site({"locations/cho.yml": "name: Chợ\naliases: [/l/cho-cu, cho]\n"})
    _, plan = stages(site)
    assert [r.alias.path for r in plan.redirects] == ["l/cho-cu/", "cho/"]
