"""The preview server as an attacker meets it: a real ``bangtin serve`` on loopback,
spoken to over raw sockets where an HTTP client would normalise the request."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, run_cli
from tests.test_serve import NOTICE, Running, edit, running_server

server = pytest.fixture(running_server)


def raw(port: int, request: bytes, timeout: float = 5) -> tuple[bytes, float]:
    """Send ``request`` as is; everything the server answers until it closes (or the
    timeout), and how long that took."""
    started = time.monotonic()
    chunks = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(request)
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks), time.monotonic() - started


def get(port: int, path: str, host: str | None = None, method: str = "GET") -> bytes:
    host_line = f"Host: {host}\r\n" if host is not None else ""
    request = f"{method} {path} HTTP/1.1\r\n{host_line}Connection: close\r\n\r\n"
    return raw(port, request.encode("latin-1"))[0]


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def header(response: bytes, name: str) -> str | None:
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def test_only_its_own_host_names_are_answered(server: Running) -> None:
    port = server.port
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "localhost"):
        assert status(get(port, "/", host)) == 200, host
    for host in (f"evil.example:{port}", "evil.example", f"8.8.8.8:{port}", "localhost.evil"):
        response = get(port, "/", host)  # a name that resolves here by DNS rebinding
        assert status(response) == 421, host
        assert b"Bang tin" not in response and "Bảng tin".encode() not in response
    # the error page (which shows draft source lines) is no exception
    edit(server.content / NOTICE, "title:", "title: [")
    time.sleep(1.0)
    assert status(get(port, "/", f"evil.example:{port}")) == 421
    assert b"error" in get(port, "/", f"127.0.0.1:{port}").lower()


def test_redirects_only_lead_to_a_path_on_this_site(server: Running) -> None:
    edit(server.content / NOTICE, "title:", "aliases: [evil.example/]\ntitle:")
    server.wait_for("/evil.example/", "http-equiv", timeout=20)  # the alias's redirect stub
    for path in ("/%2F%2Fevil.example", "//evil.example", "/%2f%2fevil.example", "///evil.example"):
        response = get(server.port, path, f"127.0.0.1:{server.port}")
        assert status(response) == 301, path
        location = header(response, "Location")
        assert location == "/evil.example/", (path, location)


def test_a_path_segment_too_long_for_the_file_system_is_a_404(server: Running) -> None:
    for length in (256, 300, 5000):
        response = get(server.port, "/" + "a" * length, f"127.0.0.1:{server.port}")
        assert status(response) == 404, length
    assert status(get(server.port, "/", f"127.0.0.1:{server.port}")) == 200
    assert "Traceback" not in "".join(server.log)


def test_head_on_the_event_stream_answers_headers_and_closes(server: Running) -> None:
    request = f"HEAD /__bangtin/events HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n"
    response, took = raw(server.port, request.encode(), timeout=10)
    assert status(response) == 200
    assert header(response, "Content-Type") == "text/event-stream"
    assert response.endswith(b"\r\n\r\n")  # no body at all
    assert took < 5  # closed by the server, not held open until the timeout


def test_the_preview_never_writes_into_a_published_output(tmp_path: Path) -> None:
    built = run_cli("build", "--content", str(SAMPLE), "--output", str(tmp_path / "output"))
    assert built.returncode == 0, built.stderr
    before = sorted(p.name for p in (tmp_path / "output").iterdir())
    result = run_cli(
        "serve", "--content", str(SAMPLE), "--port", "0", "--output", str(tmp_path / "output")
    )
    assert result.returncode == 2
    assert "publishing" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == before


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.0.0.1:1", "LOCALHOST."])
def test_own_host_names(host: str) -> None:
    from generator.serve.server import own_host

    assert own_host(host, "127.0.0.1")


@pytest.mark.parametrize(
    "host", ["evil.example", "8.8.8.8", "[2001:db8::1]:80", "127.0.0.1.evil", "", "[::1"]
)
def test_other_host_names(host: str) -> None:
    from generator.serve.server import own_host

    assert not own_host(host, "127.0.0.1")


def test_the_bind_address_and_this_machines_addresses(tmp_path: Path) -> None:
    from generator.serve.server import own_host

    assert own_host("192.0.2.7:8000", "192.0.2.7")  # what --bind names
    assert own_host("127.0.0.5", "0.0.0.0")  # loopback, any of it
    assert not own_host("203.0.113.9", "0.0.0.0")  # not an address of this machine
