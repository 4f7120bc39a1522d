"""A local S3-compatible server (``moto_server``) and a recording proxy in front of it,
for the deploy tests and benchmark.

It forwards every request as it came (the signature covers the host it was sent to;
moto does not check signatures) and records, in the order they arrive, the method,
path and query of each, the status it answered and, for a ``DeleteObjects`` request,
its body.  It can be told to answer the next N uploads with ``503 SlowDown`` (the
storage's "slow down"), or every upload after the first K with ``500 InternalError``
(a failure in the middle of a deploy).
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.browser.nginx import free_port

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)
INTERNAL = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
    b"<Message>We encountered an internal error. Please try again.</Message></Error>"
)
HOP = {"connection", "keep-alive", "expect", "transfer-encoding", "proxy-connection"}


@contextmanager
def moto_server(log: Path) -> Iterator[str]:
    """``http://127.0.0.1:<port>``: a ``moto.server`` process (its output in ``log``)
    while the block runs."""
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        give_up = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/moto-api/", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > give_up:
                    output = log.read_text("utf-8", errors="replace")
                    raise RuntimeError(f"moto did not start:\n{output}") from None
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # unquoted, without the query
    query: str
    status: int
    body: bytes = b""  # kept for DeleteObjects requests only


class Proxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.seen: list[Seen] = []
        self.throttle = 0  # answer this many more uploads with 503 SlowDown
        self.fail_after: int | None = None  # uploads forwarded before every one fails
        self.forwarded_puts = 0
        self.lock = threading.Lock()

    def decide(self, method: str) -> bytes | None:
        """The error to answer with instead of forwarding, if any."""
        with self.lock:
            if method != "PUT":
                return None
            if self.throttle > 0:
                self.throttle -= 1
                return SLOW_DOWN
            if self.fail_after is not None and self.forwarded_puts >= self.fail_after:
                return INTERNAL
            self.forwarded_puts += 1
            return None

    def record(self, seen: Seen) -> None:
        with self.lock:
            self.seen.append(seen)

    def clear(self) -> None:
        with self.lock:
            self.seen.clear()
            self.throttle, self.fail_after, self.forwarded_puts = 0, None, 0

    def puts(self, status: int = 200) -> list[str]:
        """The paths of uploads answered with ``status``, in order."""
        return [s.path for s in self.seen if s.method == "PUT" and s.status == status]

    def deletes(self) -> list[Seen]:
        """The DeleteObjects requests (``POST ?delete``) and any single DELETE."""
        return [
            s
            for s in self.seen
            if s.method == "DELETE" or (s.method == "POST" and "delete" in s.query)
        ]


def handler_for(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, and "Expect: 100-continue" answered

        def log_message(self, format: str, *args: object) -> None:
            pass

        def handle_one(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            kept = body if self.command == "POST" and "delete" in parts.query else b""
            error = proxy.decide(self.command)
            if error is not None:
                status = 503 if error is SLOW_DOWN else 500
                proxy.record(Seen(self.command, unquote(parts.path), parts.query, status, kept))
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(error)))
                self.end_headers()
                self.wfile.write(error)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            upstream = http.client.HTTPConnection(proxy.host, proxy.port, timeout=60)
            try:
                upstream.request(self.command, self.path, body, headers)
                answer = upstream.getresponse()
                data = answer.read()
                proxy.record(
                    Seen(self.command, unquote(parts.path), parts.query, answer.status, kept)
                )
                self.send_response(answer.status)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                length_sent = answer.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", length_sent or str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                upstream.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_one

    return Handler


@contextmanager
def recording(upstream: str) -> Iterator[tuple[Proxy, str]]:
    """``(proxy, "http://127.0.0.1:<port>")`` in front of ``upstream`` until the block ends."""
    proxy = Proxy(upstream)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(proxy))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
