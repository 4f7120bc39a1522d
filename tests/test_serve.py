"""``bangtin serve`` as an editor uses it: a real server on a loopback port, real saves."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.serve.server import DEFAULT_BIND, Preview, make_server
from tests.conftest import EPOCH, SAMPLE

NOTICE = "notices/2026-11-10-lich-tiem-chung-thang-11.md"
NOTICE_URL = "/n/lich-tiem-chung-thang-11/"


@dataclass
class Running:
    process: subprocess.Popen[str]
    port: int
    content: Path
    output: Path
    log: list[str]

    def get(self, path: str, timeout: float = 5) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def wait_for(self, path: str, needle: str, timeout: float) -> float:
        """Seconds until ``needle`` is served at ``path``; fails after ``timeout``."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            _, body = self.get(path)
            if needle in body:
                return time.monotonic() - start
            time.sleep(0.02)
        raise AssertionError(f"{needle!r} not served at {path} within {timeout} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def running_server(tmp_path: Path) -> Iterator[Running]:
    """``bangtin serve`` on a copy of the sample site (the ``server`` fixture)."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    output = tmp_path / "preview"
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--content", str(content),
         "--port", str(port), "--output", str(output)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )  # fmt: skip
    log: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        log.append(line)
        if line.startswith("Serving"):
            break
    else:
        raise AssertionError("serve did not start:\n" + "".join(log))
    reader = threading.Thread(target=lambda: log.extend(process.stdout or []), daemon=True)
    reader.start()
    yield Running(process, port, content, output, log)
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=10)
    reader.join(timeout=5)
    process.stdout.close()
    assert code == 0, "".join(log)
    assert not list(output.parent.glob(".bangtin-staging*")), "serve left staging folders behind"


server = pytest.fixture(running_server)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_edit_shows_up_and_reload_event_reaches_the_client(server: Running) -> None:
    status, body = server.get(NOTICE_URL)
    assert status == 200
    assert "/__bangtin/reload.js" in body
    # a connected client, as the reload script would be
    events = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    events.request("GET", "/__bangtin/events")
    stream = events.getresponse()
    assert stream.getheader("Content-Type") == "text/event-stream"
    assert stream.readline() == b": bangtin\n"
    edit(server.content / NOTICE, "tiêm chủng mở rộng tháng 11/2026 theo", "TIÊM MỚI SỬA theo")
    took = server.wait_for(NOTICE_URL, "TIÊM MỚI SỬA", timeout=2)
    lines = [stream.readline() for _ in range(3)]
    events.close()
    assert b"event: reload\n" in lines, lines
    print(f"save-to-served: {took:.2f} s")


def test_reload_script_is_never_in_build_output(server: Running) -> None:
    for path in server.output.rglob("*.html"):
        assert "__bangtin" not in path.read_text("utf-8"), path


def test_broken_yaml_shows_error_page_and_fixing_it_recovers(server: Running) -> None:
    path = server.content / NOTICE
    good = path.read_text("utf-8")
    path.write_text(good.replace("title:", "title: [oops", 1), "utf-8")
    server.wait_for(NOTICE_URL, "Error while building the site", timeout=3)
    _, body = server.get("/")
    assert re.search(r"lich-tiem-chung-thang-11\.md:\d+:\d+: error: invalid YAML", body), body
    assert server.process.poll() is None  # still running
    path.write_text(good, "utf-8")
    server.wait_for(NOTICE_URL, "<h1>Lịch tiêm chủng mở rộng tháng 11/2026</h1>", timeout=3)


def test_site_yml_change_reloads_configuration(server: Running) -> None:
    edit(server.content / "site.yml", "title: Bảng tin xã Định Hưng", "title: Bảng tin ĐỔI TÊN")
    server.wait_for("/", "Bảng tin ĐỔI TÊN", timeout=3)


def test_many_quick_saves_end_with_the_last_content(server: Running) -> None:
    path = server.content / NOTICE
    text = path.read_text("utf-8")
    for i in range(200):
        path.write_text(text.replace("theo lịch sau", f"theo lịch sau (bản {i})"), "utf-8")
    server.wait_for(NOTICE_URL, "(bản 199)", timeout=5)
    time.sleep(0.5)
    _, body = server.get(NOTICE_URL)
    assert "(bản 199)" in body
    assert server.process.poll() is None
    rebuilds = sum(1 for line in server.log if line.startswith("Rebuilt"))
    assert 1 <= rebuilds < 200  # debounced, not one build per save


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/n/..%2f..%2f..%2fetc/passwd",
        "/..\\..\\etc\\passwd",
    ],
)
def test_no_file_outside_the_output_folder(server: Running, path: str) -> None:
    status, body = server.get(path)
    assert status == 404
    assert "root:" not in body


def test_symlink_out_of_the_output_folder_is_not_followed(server: Running, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật")
    (server.output / "leak.txt").symlink_to(secret)
    (server.output / "leakdir").symlink_to(tmp_path)
    assert server.get("/leak.txt")[0] == 404
    assert server.get("/leakdir/secret.txt")[0] == 404


def test_pretty_urls_redirect_to_the_slash(server: Running) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", NOTICE_URL.rstrip("/"))
    response = conn.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == NOTICE_URL
    conn.close()


def test_default_bind_is_loopback(tmp_path: Path) -> None:
    assert DEFAULT_BIND == "127.0.0.1"
    preview = Preview(SAMPLE, tmp_path / "out", "http://127.0.0.1/")
    srv = make_server(preview, DEFAULT_BIND, 0)
    try:
        assert srv.server_address[0] == "127.0.0.1"
    finally:
        srv.server_close()
    from generator.cli import serve_command

    bind = next(p for p in serve_command.params if p.name == "bind")
    assert bind.default == "127.0.0.1"
