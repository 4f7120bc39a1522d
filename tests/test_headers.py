"""Security headers for static hosts, checked as nginx really serves them."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from generator.output.writer import server_folder
from generator.render.headers import CSP
from tests.browser.needs import tool
from tests.conftest import Built, SiteFactory, notice, run_cli

MakeSite = Callable[[dict[str, str]], SiteFactory]


def test_headers_file_for_netlify_and_cloudflare(sample: Built) -> None:
    text = (sample.output / "_headers").read_text("utf-8")
    assert text.startswith("/*\n")
    assert f"  Content-Security-Policy: {CSP}\n" in text
    for name in (
        "Strict-Transport-Security",
        "X-Content-Type-Options: nosniff",
        "Referrer-Policy",
        "Permissions-Policy",
    ):
        assert name in text
    assert "/assets/*\n  Cache-Control: public, max-age=31536000, immutable" in text
    assert "script-src" not in CSP and "'unsafe-inline'" not in CSP and "http" not in CSP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def nginx(sample: Built, tmp_path: Path) -> Iterator[int]:
    binary = tool("nginx")
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""daemon off;
{"user root;" if os.geteuid() == 0 else ""}
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {sample.output};
        error_page 404 /404.html;
        include {server_folder(sample.output)}/nginx-security.conf;
    }}
}}
""",
        "utf-8",
    )
    process = subprocess.Popen(
        [binary, "-c", str(conf), "-p", str(tmp_path)], stderr=subprocess.PIPE
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(timeout=10)
    assert process.stderr is not None
    process.stderr.close()


def head(port: int, path: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def test_nginx_with_the_snippet_sends_every_header(nginx: int, sample: Built) -> None:
    page = head(nginx, "/n/lich-tiem-chung-thang-11/")
    assert page.status == 200
    assert page.getheader("Content-Security-Policy") == CSP
    assert page.getheader("X-Content-Type-Options") == "nosniff"
    assert page.getheader("Strict-Transport-Security", "").startswith("max-age=31536000")
    assert page.getheader("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert "camera=()" in page.getheader("Permissions-Policy", "")
    assert page.getheader("Cache-Control") == "no-cache"
    css = next(p for p in (sample.output / "assets").iterdir() if p.name.startswith("style."))
    asset = head(nginx, f"/assets/{css.name}")
    assert asset.status == 200
    assert asset.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert asset.getheader("Content-Security-Policy") == CSP  # repeated in the location block
    missing = head(nginx, "/khong-co/")
    assert missing.status == 404
    assert missing.getheader("Content-Security-Policy") == CSP


def test_http_base_url_needs_allow_http(make_site: MakeSite) -> None:
    site = make_site(
        {"site.yml": "title: T\nbase_url: http://192.0.2.1:8000/\n", "notices/a.md": notice()}
    )
    refused = run_cli("build", cwd=site.root)
    assert refused.returncode == 1
    assert "plain http only with --allow-http" in refused.stderr
    allowed = run_cli("build", "--allow-http", cwd=site.root)
    assert allowed.returncode == 0, allowed.stderr
    assert '"base_url": "http://192.0.2.1:8000/"' in (site.output / "qr-manifest.json").read_text(
        "utf-8"
    )
    assert run_cli("build", "--base-url", "http://127.0.0.1:8000/", cwd=site.root).returncode == 2
    assert (
        run_cli(
            "build", "--allow-http", "--base-url", "http://127.0.0.1:8000/", cwd=site.root
        ).returncode
        == 0
    )


def test_pages_render_under_the_csp_in_chromium(nginx: int, sample: Built) -> None:
    """Served with the CSP, every kind of page loads in Chromium with no violation logged."""
    from tests.browser.node import load_pages

    paths = ["", "l/tram-y-te/", "n/lich-tiem-chung-thang-11/", "verify/", "boards/tram-y-te/"]
    urls = [f"http://127.0.0.1:{nginx}/{p}" for p in paths]
    results = load_pages(urls)
    for path, result in zip(paths, results, strict=True):
        assert result["error"] is None, (path, result["error"])
        assert result["consoleMessages"] == [], (path, result["consoleMessages"])
        assert result["outside"] == [], path
