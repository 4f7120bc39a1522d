"""A built folder over a real HTTP server on loopback, and a reader that follows its links."""

from __future__ import annotations

import html
import http.client
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``http://127.0.0.1:<port>/`` serving ``folder`` until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    location: str | None
    body: str

    def meta_refresh(self) -> str:
        """The URL of ``<meta http-equiv="refresh" content="0; url=...">``."""
        m = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]*)">', self.body)
        assert m, f"no meta refresh in {self.url}"
        return urljoin(self.url, html.unescape(m[1]))

    def canonical(self) -> str:
        m = re.search(r'<link rel="canonical" href="([^"]*)">', self.body)
        assert m, f"no canonical link in {self.url}"
        return html.unescape(m[1])

    def links(self) -> list[str]:
        """Every ``<a href>`` of the page, resolved against its URL."""
        return [
            urljoin(self.url, html.unescape(h)) for h in re.findall(r'<a href="([^"]*)"', self.body)
        ]


def get(url: str) -> Response:
    """One GET, redirects not followed."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", parts.path or "/")
        r = conn.getresponse()
        return Response(url, r.status, r.getheader("Location"), r.read().decode("utf-8"))
    finally:
        conn.close()


def follow(url: str) -> Response:
    """GET, following the server's own redirects (a folder asked for without its slash)."""
    for _ in range(5):
        r = get(url)
        if r.status not in (301, 302) or r.location is None:
            return r
        url = urljoin(url, r.location)
    raise AssertionError(f"too many redirects from {url}")
