"""Fifty-odd XSS payloads in every field a volunteer can fill: none survives, none runs."""

from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.errors import BuildError
from tests.browser.node import load_pages
from tests.conftest import build
from tests.test_security import active_markup

F = "window.__xss=1"
PAYLOADS = [
    f"<script>{F}</script>",
    f"<ScRiPt>{F}</sCrIpT>",
    f"<script src=data:text/javascript,{F}></script>",
    f"<img src=x onerror={F}>",
    f'<img src="x" onerror="{F}">',
    f"<IMG SRC=x OnErRoR={F}>",
    "<img src=x onerror=&#119;indow.__xss=1>",
    f"<svg onload={F}>",
    f"<svg><script>{F}</script></svg>",
    f'<svg><a xlink:href="javascript:{F}"><text y="20">x</text></a></svg>',
    f"<svg><animate onbegin={F} attributeName=x dur=1s>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={F}>",
    f"<body onload={F}>",
    f"<details open ontoggle={F}>x</details>",
    f"<input autofocus onfocus={F}>",
    f"<video><source onerror={F}></video>",
    f"<audio src=x onerror={F}>",
    f"<marquee onstart={F}>x</marquee>",
    f'<iframe src="javascript:parent.{F}"></iframe>',
    f'<iframe srcdoc="<script>parent.{F}</script>"></iframe>',
    f'<object data="javascript:{F}"></object>',
    f'<embed src="javascript:{F}">',
    f'<form action="javascript:{F}"><button>Gửi</button></form>',
    f'<a href="javascript:{F}">bấm</a>',
    f'<a href="JaVaScRiPt:{F}">bấm</a>',
    f'<a href="jav&#x61;script:{F}">bấm</a>',
    f'<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:{F}">bấm</a>',
    f'<a href=" javascript:{F}">bấm</a>',
    f'<a href="java\tscript:{F}">bấm</a>',
    f'<a href="vbscript:{F}">bấm</a>',
    f'<a href="data:text/html,<script>{F}</script>">bấm</a>',
    f'<a href="x" onmouseover="{F}">di chuột</a>',
    f'<base href="javascript:{F}//">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{F}">',
    f"<style>@import 'javascript:{F}';</style>",
    f'<div style="background:url(javascript:{F})">x</div>',
    f'<link rel="stylesheet" href="javascript:{F}">',
    f'"><script>{F}</script>',
    f"'><img src=x onerror={F}>",
    f"</textarea><script>{F}</script>",
    f"</title><script>{F}</script>",
    f"<scr<script>ipt>{F}</scr</script>ipt>",
    f"<!--<script>{F}</script>-->",
    f"<![CDATA[<script>{F}</script>]]>",
    f"&lt;script&gt;{F}&lt;/script&gt;",
    f"\\u003cscript\\u003e{F}\\u003c/script\\u003e",
    "{{ 7*7 }}{{ config }}{{ ''.__class__.__mro__ }}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{# bình luận #}${7*7}#{7*7}",
    f"<noscript><p title='</noscript><img src=x onerror={F}>'>",
    f'<xmp><p title="</xmp><img src=x onerror={F}>">',
    f"<template><script>{F}</script></template>",
    f"<select><option><img src=x onerror={F}></option></select>",
]


def q(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string)."""
    return json.dumps(text, ensure_ascii=False)


def write_site(root: Path, payloads: list[str]) -> Path:
    content = root / "content"
    for folder in ("notices", "locations", "pages"):
        (content / folder).mkdir(parents=True)
    joined = " ".join(payloads)
    (content / "site.yml").write_text(
        f"title: {q('Bảng tin ' + payloads[0])}\nbase_url: https://xss.example/\n"
        f"description: {q(payloads[1])}\n"
        f"contact: {{name: {q(payloads[2])}, phone: {q(payloads[3])}, email: {q(payloads[4])}}}\n",
        "utf-8",
    )
    for i, payload in enumerate(payloads):
        (content / "locations" / f"p{i}.yml").write_text(
            f"name: {q('Nơi ' + payload)}\naddress: {q(payload)}\n"
            f"description: {q(payload)}\ncontact: {{name: {q(payload)}, phone: {q(payload)}}}\n",
            "utf-8",
        )
        (content / "notices" / f"2026-11-01-n{i}.md").write_text(
            f"---\ntitle: {q(payload)}\ndate: 2026-11-01\nsummary: {q(payload)}\n"
            f"tags: [{q(payload)}, {q('thẻ ' + str(i))}]\nlocations: [p{i}]\nboard: true\n---\n\n"
            f"{payload}\n\nĐoạn {i}: {payload}\n",
            "utf-8",
        )
    (content / "pages" / "tat-ca.md").write_text(
        f"---\ntitle: {q(joined[:200])}\n---\n\n{joined}\n", "utf-8"
    )
    return content


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    build(write_site(root, PAYLOADS), root / "output")
    return root / "output"


def test_at_least_fifty_payloads() -> None:
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_no_payload_survives_as_active_markup(hostile: Path) -> None:
    pages = sorted(hostile.rglob("*.html"))
    assert len(pages) > 3 * len(PAYLOADS)
    for page in pages:
        found = active_markup(page.read_text("utf-8"))
        if "boards" in page.parts:
            found = [f for f in found if f != "<svg>"]  # the boards' own SVG
        assert found == [], page
    for page in sorted(hostile.rglob("*.svg")) + sorted(hostile.rglob("*.xml")):
        for element in ET.parse(page).iter():  # a real parse: payloads as text are inert
            assert not element.tag.lower().endswith("script"), page
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (page, name)
                assert "script:" not in value.lower().replace(" ", ""), (page, name, value)


def test_template_syntax_stays_text(hostile: Path) -> None:
    index = PAYLOADS.index("{{ 7*7 }}{{ config }}{{ ''.__class__.__mro__ }}")
    html = (hostile / "n" / f"n{index}" / "index.html").read_text("utf-8")
    assert html.count("{{ 7*7 }}") >= 3  # title, summary, body
    html = (hostile / "n" / f"n{index + 1}" / "index.html").read_text("utf-8")
    assert "{% for x in range(3) %}{{ x }}{% endfor %}" in html
    assert ">49<" not in html and "012" not in html.replace("2026", "")


@pytest.fixture(scope="module")
def served(hostile: Path) -> Iterator[str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(hostile)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_no_payload_runs_in_chromium(hostile: Path, served: str) -> None:
    urls = [served + p.relative_to(hostile).as_posix() for p in sorted(hostile.rglob("*.html"))]
    results = load_pages(urls)
    ran = [r for r in results if r["flag"] is not None or r["dialogs"]]
    assert ran == [], ran
    assert [r for r in results if r["error"]] == []
    assert [r for r in results if r["outside"]] == []
    print(f"{len(PAYLOADS)} payloads, {len(results)} pages loaded in Chromium: none ran")


@pytest.mark.parametrize("scheme", ["javascript:", "JavaScript:", "vbscript:", "data:text/html,"])
def test_script_links_in_markdown_are_refused(tmp_path: Path, scheme: str) -> None:
    content = write_site(tmp_path, PAYLOADS[:5])
    (content / "notices" / "x.md").write_text(
        f"---\ntitle: X\ndate: 2026-11-01\n---\n[bấm]({scheme}{F})\n", "utf-8"
    )
    with pytest.raises(BuildError, match="error"):
        build(content, tmp_path / "output")
    assert not (tmp_path / "output").exists()
