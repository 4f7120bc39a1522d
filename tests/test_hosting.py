"""The built site works on real static servers: nginx (at the root and under a sub-path,
configured with the README's own blocks) and Python's http.server.

A crawler starts at the home page, follows every internal href and src (a, link, img,
script) and must reach every page of qr-manifest.json without a single error or redirect.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from generator.output.writer import server_folder
from tests.browser.nginx import free_port, nginx, readme_server_blocks
from tests.conftest import SAMPLE, Built, SiteFactory, build
from tests.served import serving

MakeSite = Callable[[dict[str, str]], SiteFactory]
MAX_FETCHES = 3000  # the sample site has about 300 URLs; a loop in the links must stop
YEAR = "public, max-age=31536000, immutable"


# -- fetching and crawling -------------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to look at, not to follow


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str) -> Fetched:
    """One GET; redirects and errors are returned, not raised."""
    try:
        with _opener.open(url, timeout=10) as r:
            return Fetched(url, r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        with e:
            return Fetched(url, e.code, e.headers, e.read())


# The attribute of each element that names a URL a browser fetches or a reader follows.
REF_ATTRS = {"a": "href", "link": "href", "img": "src", "script": "src"}


class _Refs(HTMLParser):
    """Every URL a browser would fetch or a reader could follow from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = REF_ATTRS.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.refs.append(value)


def refs(page: Fetched) -> list[str]:
    parser = _Refs()
    parser.feed(page.body.decode("utf-8"))
    parser.close()
    return [urllib.parse.urldefrag(urllib.parse.urljoin(page.url, r)).url for r in parser.refs]


def origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Crawl:
    start: str
    fetched: dict[str, Fetched] = field(default_factory=dict)
    referrer: dict[str, str] = field(default_factory=dict)

    def problems(self) -> list[str]:
        return [
            f"{r.status} {url} (linked from {self.referrer.get(url, 'start')})"
            for url, r in self.fetched.items()
            if r.status != 200
        ]


def crawl(start: str) -> Crawl:
    """Breadth first from ``start`` over every same-origin URL that pages refer to."""
    result = Crawl(start)
    queue = [start]
    queued = {start}
    while queue:
        assert len(result.fetched) < MAX_FETCHES, "crawl did not end"
        url = queue.pop(0)
        page = result.fetched[url] = fetch(url)
        if page.status != 200 or page.content_type != "text/html":
            continue
        for target in refs(page):
            if origin(target) == origin(start) and target not in queued:
                queued.add(target)
                queue.append(target)
                result.referrer[target] = url
    return result


def page_urls(built: Built, base: str) -> dict[str, str]:
    """Each manifest page's URL on this server (its ``path``, without ``index.html``)."""
    return {p["path"]: base + p["path"].removesuffix("index.html") for p in built.manifest["pages"]}


# -- servers ------------------------------------------------------------------


@dataclass(frozen=True)
class Host:
    name: str
    built: Built
    base: str  # the site's home page on this server


@pytest.fixture(scope="module")
def nginx_root(sample: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    """The sample site (built for https://dinhhung.example/) at the root of nginx."""
    port = free_port()
    with nginx(sample.output, tmp_path_factory.mktemp("nginx-root"), port) as base:
        yield Host("nginx", sample, base)


@pytest.fixture(scope="module")
def nginx_sub_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    """The sample site built for, and served at, ``http://127.0.0.1:<port>/bangtin/``."""
    port = free_port()
    work = tmp_path_factory.mktemp("nginx-sub-path")
    base = f"http://127.0.0.1:{port}/bangtin/"
    build(SAMPLE, work / "output", base_url=base)
    with nginx(work / "output", work / "nginx", port, "/bangtin/") as served_at:
        assert served_at == base
        yield Host("nginx /bangtin/", Built(work / "output"), base)


@pytest.fixture(scope="module")
def http_server(sample: Built) -> Iterator[Host]:
    """The sample site under Python's ThreadingHTTPServer, as the README suggests to try it."""
    with serving(sample.output) as base:
        yield Host("http.server", sample, base)


NGINX_HOSTS = ["nginx_root", "nginx_sub_path"]


@pytest.fixture(scope="module", params=[*NGINX_HOSTS, "http_server"])
def crawled(request: pytest.FixtureRequest) -> tuple[Host, Crawl]:
    host: Host = request.getfixturevalue(request.param)
    return host, crawl(host.base)


@pytest.fixture(params=NGINX_HOSTS)
def nginx_host(request: pytest.FixtureRequest) -> Host:
    host: Host = request.getfixturevalue(request.param)
    return host


# -- every page is reachable, nothing is broken ----------------------------------


def test_crawl_finds_no_broken_link_and_no_redirect(crawled: tuple[Host, Crawl]) -> None:
    host, result = crawled
    assert result.problems() == [], host.name
    # a site under /bangtin/ never sends the reader to the rest of the server
    assert [u for u in result.fetched if not u.startswith(host.base)] == []


def test_crawl_reaches_every_manifest_page(crawled: tuple[Host, Crawl]) -> None:
    host, result = crawled
    expected = page_urls(host.built, host.base)
    missing = {path for path, url in expected.items() if url not in result.fetched}
    assert missing == set(), host.name
    assert len(result.fetched) > len(expected)  # assets and QR images were followed too


def test_every_manifest_page_is_linked_from_another(http_server: Host) -> None:
    result = crawl(http_server.base)
    expected = page_urls(http_server.built, http_server.base)
    assert sorted(path for path, url in expected.items() if url not in result.fetched) == []


def test_every_qr_image_of_the_manifest_is_served(crawled: tuple[Host, Crawl]) -> None:
    """Print shops fetch the codes listed in qr-manifest.json, PNG as well as SVG."""
    host, _ = crawled
    for p in host.built.manifest["pages"]:
        for key, kind in [("qr_svg", "image/svg+xml"), ("qr_png", "image/png")]:
            r = fetch(host.base + p[key])
            assert (r.status, r.content_type) == (200, kind), (host.name, p[key])


def test_the_manifest_urls_are_the_served_urls(nginx_sub_path: Host) -> None:
    """Built for the server's own address, the QR codes point at the pages it serves."""
    for path, url in page_urls(nginx_sub_path.built, nginx_sub_path.base).items():
        [entry] = [p for p in nginx_sub_path.built.manifest["pages"] if p["path"] == path]
        assert entry["url"] == url


CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


def test_content_types(crawled: tuple[Host, Crawl]) -> None:
    """A browser shows an SVG QR code only if the server calls it image/svg+xml."""
    host, result = crawled
    seen = set()
    for url, r in result.fetched.items():
        path = urllib.parse.urlsplit(url).path
        suffix = Path(path).suffix
        want = "text/html" if path.endswith("/") else CONTENT_TYPES.get(suffix)
        if want:
            assert r.content_type == want, (host.name, url)
            seen.add(want)
    assert seen == {"text/html", "text/css", "image/svg+xml"}  # pages link no PNG


# -- nginx: errors, folders, caching ------------------------------------------------


def test_unknown_url_is_the_404_page_with_status_404(nginx_host: Host) -> None:
    r = fetch(nginx_host.base + "n/khong-co-thong-bao-nay/")
    assert r.status == 404
    assert r.body == (nginx_host.built.output / "404.html").read_bytes()
    # the 404 page can be at any depth: its stylesheet and links must still work
    targets = [t for t in refs(r) if origin(t) == origin(nginx_host.base) and t != r.url]
    assert any(t.endswith(".css") for t in targets)
    broken = [(t, s) for t in targets if (s := fetch(t).status) != 200]
    assert broken == []
    assert all(t.startswith(nginx_host.base) for t in targets)


def test_folder_without_its_slash_is_sent_on(nginx_host: Host) -> None:
    """A code or a link typed without the final ``/`` still opens the page."""
    urls = [nginx_host.base + "n/lich-tiem-chung-thang-11"]
    if urllib.parse.urlsplit(nginx_host.base).path != "/":
        urls.append(nginx_host.base.rstrip("/"))  # the site's own home: /bangtin
    for url in urls:
        r = fetch(url)
        assert (r.status, r.headers["Location"]) == (301, url + "/")


def test_pages_are_revalidated_and_assets_cached_for_a_year(nginx_host: Host) -> None:
    base = nginx_host.base
    home = fetch(base)
    for url in [base, base + "l/tram-y-te/", base + "n/lich-tiem-chung-thang-11/"]:
        r = fetch(url)
        assert r.status == 200
        assert r.headers["Cache-Control"] == "no-cache", url
        assert r.headers["Expires"] is None, url
    qr = fetch(base + "l/tram-y-te/qr.png")
    assert qr.headers["Cache-Control"] == "no-cache"  # a QR image changes with base_url

    [css] = [t for t in refs(home) if t.endswith(".css")]
    assert css.startswith(base + "assets/")
    m = re.fullmatch(r"style\.([0-9a-f]{8,})\.css", css.rsplit("/", 1)[1])
    assert m, f"stylesheet is not fingerprinted: {css}"
    r = fetch(css)
    assert r.status == 200
    assert r.headers["Cache-Control"] == YEAR
    # cached for a year is safe only because the name changes with every byte
    assert hashlib.sha256(r.body).hexdigest().startswith(m[1])


# -- nginx: the redirect rules bangtin writes ----------------------------------------

RENAMED = {
    "locations/tram-y-te.yml": "name: Trạm y tế xã\naliases: [l/tram-y-te-cu/]\n",
}


@pytest.mark.parametrize("prefix", ["/", "/bangtin/"])
def test_nginx_redirects_conf_answers_301(make_site: MakeSite, tmp_path: Path, prefix: str) -> None:
    site = make_site(RENAMED)
    port = free_port()
    base = f"http://127.0.0.1:{port}{prefix}"
    build(site.content, site.output, base_url=base)
    with nginx(site.output, tmp_path / "nginx", port, prefix):
        for old in ["l/tram-y-te-cu/", "l/tram-y-te-cu"]:
            r = fetch(base + old)
            assert (r.status, r.headers["Location"]) == (301, base + "l/tram-y-te/"), old
        assert fetch(base + "l/tram-y-te/").status == 200


# -- nginx: its configuration is beside the site, never served -----------------------


def test_readme_blocks_include_the_configuration_beside_output() -> None:
    for block in readme_server_blocks():
        assert "include /srv/bangtin/output.nginx/nginx-redirects.conf;" in block
        assert "/srv/bangtin/output/nginx-" not in block


def test_server_configuration_is_not_served(nginx_host: Host) -> None:
    """nginx read it (an ``include`` of a missing file stops nginx), and a host publishing
    output/ cannot hand it out."""
    server = server_folder(nginx_host.built.output)
    for name in ("nginx-redirects.conf", "nginx-security.conf"):
        assert (server / name).is_file()
        assert not (nginx_host.built.output / name).exists()
        assert fetch(nginx_host.base + name).status == 404, name
