"""Autoescaping, sanitising and link schemes: content can never become active markup."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from generator.errors import BuildError
from generator.render.markup import LinkError, resolve_href
from generator.render.sanitise import sanitise
from tests.conftest import SiteFactory, notice

MakeSite = Callable[[dict[str, str]], SiteFactory]


class _Active(HTMLParser):
    """Collects what a browser would run: script-ish tags, on* handlers, bad URL schemes."""

    DANGEROUS_TAGS: ClassVar[set[str]] = {
        "script",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "form",
        "base",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and value:
                compact = re.sub(r"[\x00-\x20]+", "", value).lower()
                if compact.startswith(("javascript:", "vbscript:", "data:")):
                    self.found.append(f"<{tag} {name}={value}>")


def active_markup(html: str) -> list[str]:
    """Scripts, event handlers and dangerous URLs anywhere in ``html``."""
    parser = _Active()
    parser.feed(html)
    parser.close()
    return parser.found


def test_titles_and_fields_are_escaped(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yml": 'title: "<script>alert(1)</script> Bảng tin"\nbase_url: https://t.example/\n'
            'description: "<img src=x onerror=alert(1)>"\n',
            "locations/cho.yml": 'name: "<b onclick=alert(1)>Chợ</b>"\naddress: "<svg onload=alert(1)>"\n',
            "notices/a.md": notice(
                '"<img src=x onerror=alert(1)>"',
                summary='"\\" onmouseover=\\"alert(1)"',
                tags='["<script>x</script>"]',
            ),
        }
    ).build()
    for path in sorted(site.output.rglob("*.html")):
        html = path.read_text("utf-8")
        found = active_markup(html)
        if "boards" in path.parts:  # print boards are our own inline SVG
            found = [f for f in found if f != "<svg>"]
        assert found == [], path
    home = site.html("")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bảng tin" in home


RAW_HTML = """
<script>alert(1)</script>
<p onclick="alert(2)">Đoạn</p>
<a href="javascript:alert(3)">bấm</a>
<a href="JaVaScRiPt:alert(4)">bấm</a>
<img src="x" onerror="alert(5)">
<iframe src="https://evil.example/"></iframe>
<svg onload="alert(6)"><circle r="1"/></svg>
<style>body{display:none}</style>
<form action="https://evil.example/"><input name="p"></form>
<details open ontoggle="alert(7)">x</details>
<a href="&#106;avascript:alert(8)">x</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==">x</a>

Văn bản **thường** vẫn còn.
"""


def test_raw_html_in_markdown_is_sanitised(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(body=RAW_HTML)}).build()
    page = site.html("n/a/")
    assert active_markup(page) == []
    assert "<form" not in page and "<input" not in page and "<style>body" not in page
    assert "Văn bản <strong>thường</strong> vẫn còn." in page


def test_template_syntax_in_content_stays_text(make_site: MakeSite) -> None:
    site = make_site(
        {
            "notices/a.md": notice(
                '"{{ 7*7 }} {% if true %}x{% endif %}"', body="{{ site.title }} {# c #}"
            )
        }
    ).build()
    page = site.html("n/a/")
    assert "{{ 7*7 }}" in page and "49" not in page
    assert "{{ site.title }}" in page


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "jav&#x61;script:alert(1)",
        "javascript%3Aalert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "//evil.example/",
        "/etc/passwd",
        "C:/Windows/x.md",
        "..\\..\\x.md",
        "../../../../etc/passwd.md",
        "ghi-chu.txt",
    ],
)
def test_bad_links_are_refused(href: str, tmp_path: Path) -> None:
    result = resolve_href(href, tmp_path / "notices" / "a.md", "n/a/", {})
    assert isinstance(result, LinkError), result


@pytest.mark.parametrize(
    "href",
    [
        "https://vneid.gov.vn/",
        "http://example.com/a?b=c",
        "mailto:a@b.example",
        "tel:0912000111",
        "#muc-2",
    ],
)
def test_good_links_are_kept(href: str, tmp_path: Path) -> None:
    assert resolve_href(href, tmp_path / "notices" / "a.md", "n/a/", {}) == href


def test_javascript_link_in_markdown_is_a_build_error(make_site: MakeSite) -> None:
    site = make_site({"notices/a.md": notice(body="Bấm [vào đây](javascript:alert(1)).")})
    with pytest.raises(BuildError) as info:
        site.build()
    [error] = info.value.errors
    assert "`javascript:` is not allowed" in str(error.message)
    assert (error.pos.line, error.pos.col) == (6, 15)


def test_sanitise_keeps_the_markdown_vocabulary() -> None:
    html = '<h2>a</h2><ul><li><a href="https://x.example/" title="t">b</a></li></ul><div class="table"><table><tbody><tr><th>c</th></tr></tbody></table></div>'
    assert sanitise(html) == html


def test_the_detector_sees_active_markup() -> None:
    bad = '<p onclick="x">a</p><script>b</script><a href=" JavaScript:c">d</a><svg></svg>'
    assert len(active_markup(bad)) == 4
    assert active_markup('<p title="&lt;script onload=x&gt;">javascript:</p>') == []
