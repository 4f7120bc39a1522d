"""``bangtin serve``: build, serve over HTTP on loopback, rebuild on save, reload the browser.

The reload script and its event stream exist only here: they are added to HTML
responses as they are served and never written into the output folder.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from generator import api
from generator.build import Caches
from generator.bundled import builtin
from generator.errors import BuildError, UsageError
from generator.i18n import ENGLISH, Language, Message, _, n_
from generator.models import BuildResult
from generator.output.writer import published
from generator.serve.watch import Watcher

DEFAULT_BIND = "127.0.0.1"
EVENTS = "/__bangtin/events"
SCRIPT = "/__bangtin/reload.js"
RELOAD_JS = b"""// bangtin serve: reload the page when the site is rebuilt (preview only).
(function () {
  var source = new EventSource("/__bangtin/events");
  source.addEventListener("reload", function () { location.reload(); });
})();
"""
_TAG = f'<script src="{SCRIPT}"></script>'.encode()


@dataclass
class Preview:
    """The state shared by the rebuild thread and the request threads."""

    content: Path
    output: Path
    base_url: str
    log: Callable[[str], None] = print
    lang: Language = ENGLISH  # of the log lines and the error page
    caches: Caches | None = None  # in memory between rebuilds; the records beside output
    generation: int = 0
    errors: BuildError | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: bool = False

    def say(self, message: Message) -> None:
        """One line of the log, in the preview's language."""
        self.log(self.lang.text(message))

    def rebuild(self) -> None:
        started = time.perf_counter()
        if self.caches is None:
            self.caches = Caches()  # all in memory, between this server's rebuilds
        try:
            options = api.Options(self.content, self.output, self.base_url, preview=True)
            result: BuildResult | None = api.build(options, caches=self.caches).result
            errors = None
        except BuildError as exc:
            result, errors = None, exc
        except UsageError as exc:  # e.g. another build holds the output folder
            result, errors = None, BuildError([])
            self.say(_("could not build: {problem}", problem=exc.message))
        except Exception as exc:  # a bug must not stop the preview
            result = None
            errors = BuildError([])
            problem = f"{type(exc).__name__}: {exc}"
            self.say(_("internal error while building: {problem}", problem=problem))
        with self.changed:
            self.errors = errors
            self.generation += 1
            self.changed.notify_all()
        took = time.perf_counter() - started
        if errors is not None:
            self.log(errors.format(self.lang, Path.cwd()))
        elif result is not None:
            self.say(
                n_(
                    "Rebuilt {n} page in {seconds:.2f} s.",
                    "Rebuilt {n} pages in {seconds:.2f} s.",
                    result.pages,
                    seconds=took,
                )
            )

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen or self.stopping, timeout)
            return self.generation

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


def error_page(errors: BuildError, lang: Language = ENGLISH) -> bytes:
    """The page served in place of the site while its build fails, in ``lang``."""

    def text(message: Message) -> str:
        return html.escape(lang.text(message))

    items = "\n".join(
        f"<pre>{html.escape(e.format(lang, Path.cwd()))}</pre>" for e in errors.errors
    )
    if not errors.errors:
        internal = _("bangtin ran into an internal error; see the command window.")
        items = f"<pre>{text(internal)}</pre>"
    title = text(_("Error while building the site"))
    advice = text(_("Fix the errors below and save the file: the page will reload by itself."))
    page = f"""<!doctype html>
<html lang="{html.escape(lang.code)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:1.1rem/1.5 system-ui,sans-serif;margin:1rem;color:#111}}
pre{{white-space:pre-wrap;background:#fff1f0;border-left:6px solid #a30000;padding:.75rem;
font:1rem/1.4 ui-monospace,monospace}}</style></head>
<body><h1>{title}</h1>
<p>{advice}</p>
{items}
<script src="{SCRIPT}"></script></body></html>
"""
    return page.encode("utf-8")


def inject(document: bytes) -> bytes:
    """Add the reload script before ``</body>``."""
    index = document.rfind(b"</body>")
    if index < 0:
        return document + _TAG
    return document[:index] + _TAG + document[index:]


class Handler(SimpleHTTPRequestHandler):
    preview: Preview  # set on the subclass made by make_server

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(self.preview.output), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per rebuild is enough for editors

    def safe_file(self, path: str) -> Path | None:
        """The file a URL path names, only if it is inside the output folder."""
        if "\x00" in path or "\\" in path:
            return None
        parts = [p for p in path.split("/") if p]
        if any(p in ("..", ".") for p in parts):
            return None
        try:  # a name too long for the file system (ENAMETOOLONG) is simply not there
            root = self.preview.output.resolve()
            target = root.joinpath(*parts)
            if target.is_dir():
                target = target / "index.html"
            real = target.resolve(strict=True)
            if not real.is_relative_to(root) or not real.is_file():
                return None
        except (OSError, RuntimeError, ValueError):
            return None
        return real

    def host_allowed(self) -> bool:
        """Only this machine's own names: a web page the editor visits cannot reach the
        preview through a name of its own that resolves here (DNS rebinding)."""
        host = self.headers.get("Host")
        if host is None:
            return True  # HTTP/1.0 without a Host: no browser sends that
        address = self.server.server_address
        return own_host(host.strip(), str(address[0]) if isinstance(address, tuple) else "")

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self.host_allowed():
            refusal = _("421 Misdirected Request: this preview answers only to its own address")
            self.send_bytes(
                (self.preview.lang.text(refusal) + "\n").encode("utf-8"),
                "text/plain; charset=utf-8",
                HTTPStatus.MISDIRECTED_REQUEST,
            )
            return
        path = unquote(urlsplit(self.path).path)
        if path == EVENTS:
            if self.command == "HEAD":  # the headers only, then close
                self.send_bytes(b"", "text/event-stream")
                self.close_connection = True
                return
            self.send_events()
            return
        if path == SCRIPT:
            self.send_bytes(RELOAD_JS, "text/javascript; charset=utf-8")
            return
        errors = self.preview.errors
        if errors is not None and (path.endswith(("/", ".html")) or "." not in path[-6:]):
            self.send_bytes(error_page(errors, self.preview.lang), "text/html; charset=utf-8")
            return
        target = self.safe_file(path)
        if target is None:
            self.send_not_found()
            return
        if target.name == "index.html" and not path.endswith(("/", ".html")):
            # pretty URLs need the slash, or relative links resolve one level up; the
            # path is rebuilt from its segments, so it can only lead to this site
            # (never `//other.example/`, which a browser reads as another host)
            location = "/" + "".join(quote(p, safe="") + "/" for p in path.split("/") if p)
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = target.read_bytes()
        ctype = self.guess_type(str(target))
        if target.suffix == ".html":
            data = inject(data)
            ctype = "text/html; charset=utf-8"
        self.send_bytes(data, ctype)

    def send_not_found(self) -> None:
        page = self.preview.output / "404.html"
        if page.is_file():
            data = inject(page.read_bytes())
        else:
            data = html.escape(self.preview.lang.text(_("404 Not Found"))).encode("utf-8")
        self.send_bytes(data, "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)

    def send_bytes(self, data: bytes, ctype: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_events(self) -> None:
        """Server-sent events: one ``reload`` after every rebuild."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.preview.generation
        try:
            self.wfile.write(b": bangtin\n\n")
            self.wfile.flush()
            while not self.preview.stopping:
                now = self.preview.wait_for_change(seen, timeout=15)
                if self.preview.stopping:
                    return
                if now == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    seen = now
                    self.wfile.write(f"event: reload\ndata: {now}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def own_host(host: str, bind: str) -> bool:
    """Whether a ``Host`` header names this preview: a local name, the bind address, or
    an IP literal of this machine (``--bind 0.0.0.0`` viewed from a phone)."""
    if host.startswith("["):  # [::1]:8000
        name = host[1 : host.find("]")] if "]" in host else ""
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.lower().rstrip(".")
    if name in LOCAL_NAMES or name == bind.lower():
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # any other name: perhaps one that resolves here by rebinding
    return address.is_loopback or _is_mine(str(address))


@functools.lru_cache(maxsize=64)
def _is_mine(address: str) -> bool:
    """True when ``address`` is assigned to this machine (a socket can bind to it)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(preview: Preview, bind: str, port: int) -> Server:
    handler = type("BoundHandler", (Handler,), {"preview": preview})
    return Server((bind, port), handler)


def preview_url(bind: str, port: int) -> str:
    host = "127.0.0.1" if bind in ("", "0.0.0.0", "::") else bind
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def watched_folders(content: Path) -> list[Path]:
    """The content, the site's own themes and the default theme."""
    return [content, content.parent / "themes", builtin("themes") / "default"]


def serve(
    content: Path,
    bind: str = DEFAULT_BIND,
    port: int = 8000,
    output: Path | None = None,
    log: Callable[[str], None] = print,
    lang: Language = ENGLISH,
) -> None:
    """Serve until interrupted (Ctrl-C); log lines and the error page in ``lang``."""
    temporary = output is None
    if output is not None and published(output):
        raise UsageError(
            _(
                "{output} holds a site that `bangtin build` made for publishing: the preview "
                "never writes there (its QR codes lead to this computer). Leave out --output, "
                "or name another folder",
                output=str(output),
            )
        )
    out = Path(tempfile.mkdtemp(prefix="bangtin-serve-")) / "site" if output is None else output
    preview = Preview(content, out, "", log, lang)
    server = make_server(preview, bind, port)
    actual_port = server.server_address[1]
    preview.base_url = preview_url(bind, int(actual_port))
    preview.rebuild()
    watcher = Watcher(watched_folders(content), preview.rebuild)
    watcher.start()
    thread = threading.Thread(target=server.serve_forever, name="bangtin-http", daemon=True)
    thread.start()
    preview.say(
        _("Serving {content} at {url} (Ctrl-C to stop)", content=str(content), url=preview.base_url)
    )
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        preview.say(_("Stopping."))
    finally:
        preview.stop()
        watcher.stop()
        server.shutdown()
        server.server_close()
        if temporary:
            shutil.rmtree(out.parent, ignore_errors=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
