"""``bangtin stats``: scans per board and day from access logs.

Unit tests of the reader and the classifier on written log lines (malformed and cut
lines, gzip, rotated files in any order, JSON lines, the site's timezone, --since and
--until, the formats, privacy), then a real nginx serving a built site, with its own
access log, receiving scans, Zalo's in-app browser, clicks with a referrer, a crawler,
link previews, 404s, HEAD requests and a 304: the counts are checked exactly.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import http.client
import io
import json
import random
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.stats.classify import agent_kind, printed_query, request_kind
from generator.stats.count import Sketch
from generator.stats.logs import Reading, combined_time, json_time, read_log
from tests.browser.nginx import free_port, nginx
from tests.conftest import SiteFactory, build, notice, run_cli

MakeSite = Callable[[dict[str, str]], SiteFactory]

# User agents as the readers and robots send them (sources: generator/stats/classify.py).
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.6478.71 Mobile Safari/537.36"
)
ZALO_IOS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_0_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Mobile/15E148 Zalo iOS/502 ZaloTheme/light ZaloLanguage/vn"
)
ZALO_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; SM-A155F Build/UP1A.231005.007; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.114 Mobile Safari/537.36 "
    "Zalo android/13169 ZaloTheme/light ZaloLanguage/vi"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
FACEBOOK = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
# Zalo documents no user agent for its link-preview fetcher: these are the forms assumed
# (a user agent naming Zalo that is not its in-app browser).
ZALO_PREVIEWS = ("Zalo", "ZaloBot/1.0 (+https://zalo.me)", "Mozilla/5.0 (compatible; Zalo)")

SITE = {
    "site.yml": "title: Bảng tin thử\nbase_url: https://test.example/\n",
    "locations/tram-y-te.yml": "name: Trạm y tế xã\n",
    "locations/cho.yml": "name: Chợ xã\n",
    "notices/2026-11-20-hop-dan.md": notice("Họp dân thôn 1"),
}


def combined(
    path: str,
    when: str = "28/Nov/2026:03:00:00 +0000",
    status: int = 200,
    referer: str = "-",
    agent: str = PHONE,
    ip: str = "198.51.100.23",
    method: str = "GET",
) -> str:
    return f'{ip} - - [{when}] "{method} {path} HTTP/1.1" {status} 512 "{referer}" "{agent}"\n'


def write(path: Path, lines: list[str], gz: bool = False) -> Path:
    data = "".join(lines).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def stats_rows(*args: str, cwd: Path | None = None) -> list[dict[str, str]]:
    r = run_cli("stats", *args, "--format", "csv", cwd=cwd)
    assert r.returncode == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def totals(rows: list[dict[str, str]]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for row in rows:
        s, v = out.get(row["board"], (0, 0))
        out[row["board"]] = (s + int(row["scans"]), v + int(row["views"]))
    return out


# -- reading lines ------------------------------------------------------------------


def test_combined_lines_are_read_and_bad_ones_numbered(tmp_path: Path) -> None:
    log = write(
        tmp_path / "access.log",
        [
            combined("/l/a/"),
            "not a log line at all\n",
            combined("/assets/style.css"),  # understood, but not a counted path
            '198.51.100.23 - - [28/Nov/2026:03:00:00 +0000] "GET /l/a/ HTTP/1.1" 200 5 "-" "Mozi',
        ],
    )
    reading = Reading("access.log")
    found = list(read_log(log, lambda p: p == "/l/a/", reading))
    assert [r.path for r in found] == ["/l/a/"]
    assert (reading.lines, reading.unknown) == (4, [2, 4])


def test_escaped_quotes_of_nginx_and_apache(tmp_path: Path) -> None:
    reading = Reading("x")
    lines = [
        combined("/l/a/", agent="Mozilla/5.0 \\x22quoted\\x22 Chrome/1"),  # nginx
        combined("/l/a/", agent='Mozilla/5.0 \\"quoted\\" Chrome/1'),  # Apache
        combined("/l/a/?q=1", referer='https://x.example/\\"a'),
    ]
    found = list(read_log(write(tmp_path / "log", lines), lambda p: True, reading))
    assert [r.agent for r in found[:2]] == ['Mozilla/5.0 "quoted" Chrome/1'] * 2
    assert found[2].query == "q=1" and found[2].referer
    assert reading.unknown == []


def test_times_and_the_sites_day() -> None:
    when = combined_time("28/Nov/2026:23:30:05 +0000")
    assert when == dt.datetime(2026, 11, 28, 23, 30, 5, tzinfo=dt.UTC)
    assert combined_time("28/Nov/2026:23:30:05 -0700") == when + dt.timedelta(hours=7)
    assert combined_time("28/Foo/2026:23:30:05 +0000") is None
    assert combined_time("28/Nov/2026:23:30:99 +0000") is None
    assert json_time("2026-11-28T23:30:05Z") == when
    assert json_time(int(when.timestamp() * 1e9)) == when  # Cloudflare's nanoseconds
    assert json_time("2026-11-28T23:30:05") is None  # no offset: its day is unknown


def test_json_lines_with_a_cdns_field_names(tmp_path: Path) -> None:
    cloudflare = {
        "ClientIP": "198.51.100.23",
        "ClientRequestHost": "test.example",
        "ClientRequestMethod": "GET",
        "ClientRequestURI": "/l/tram-y-te/",
        "ClientRequestReferer": "",
        "ClientRequestUserAgent": ZALO_IOS,
        "EdgeResponseStatus": 200,
        "EdgeStartTimestamp": "2026-11-28T23:30:05Z",
    }
    nginx_json = {
        "time_iso8601": "2026-11-29T06:31:00+07:00",
        "remote_addr": "198.51.100.24",
        "request_method": "GET",
        "request_uri": "/l/tram-y-te/",
        "status": "200",
        "http_referer": "",
        "http_user_agent": PHONE,
    }
    other_site = {**cloudflare, "ClientRequestHost": "other.example"}
    log = write(
        tmp_path / "cdn.jsonl",
        [json.dumps(x) + "\n" for x in (cloudflare, nginx_json, other_site)] + ["{broken\n"],
    )
    content = SiteFactory(tmp_path).write(SITE).content
    r = run_cli("stats", str(log), "--content", str(content), "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "tram-y-te,2026-11-29,2,2" in r.stdout
    assert "1 line not understood in" in r.stderr and "line 4" in r.stderr


# -- who is a reader, and what is a scan ------------------------------------------


def test_zalos_in_app_browser_is_a_reader_and_its_preview_fetcher_is_not() -> None:
    assert agent_kind(ZALO_IOS) == agent_kind(ZALO_ANDROID) == agent_kind(PHONE) == "person"
    for agent in ZALO_PREVIEWS:
        assert agent_kind(agent) == "preview", agent
    assert agent_kind(FACEBOOK) == agent_kind("Facebot") == "preview"
    assert agent_kind(GOOGLEBOT) == agent_kind("curl/8.5.0") == "crawler"
    assert agent_kind("") == "crawler"  # every browser names itself


def test_the_scan_rule() -> None:
    def kind(**kw: object) -> str:
        args: dict[str, object] = {
            "method": "GET", "status": 200, "referer": False, "query": "", "agent": PHONE,
            "printed": True, "moved": False, **kw,
        }  # fmt: skip
        return request_kind(**args)  # type: ignore[arg-type]

    assert kind() == "scan"
    assert kind(status=304) == "scan"  # the phone's kept copy, still current
    assert kind(agent=ZALO_IOS, query="zarsrc=30&utm_source=zalo") == "scan"
    assert kind(referer=True) == "view"  # a click from another page
    assert kind(query="fbclid=IwAR0") == "view"  # a link from a Facebook post
    assert kind(printed=False) == "view"  # a notice's page
    assert kind(method="HEAD") == kind(status=404) == kind(status=301) == "none"
    assert kind(status=301, moved=True) == "scan"  # an old printed URL, now a redirect
    assert kind(agent=GOOGLEBOT) == kind(agent=FACEBOOK) == "none"
    assert printed_query("") and not printed_query("a=1&zarsrc=2")


def test_readers_sketch_counts_small_numbers_exactly_and_large_ones_closely() -> None:
    rng = random.Random(0)
    small, large = Sketch(), Sketch()
    for i in range(40):
        small.add(hash(("a", i)) & (1 << 64) - 1)
        small.add(hash(("a", i)) & (1 << 64) - 1)  # the same reader twice
    for _ in range(50_000):
        large.add(rng.getrandbits(64))
    assert small.estimate() == 40
    assert abs(large.estimate() - 50_000) < 50_000 * 0.05


# -- the command on written logs ----------------------------------------------------


@pytest.fixture
def site(make_site: MakeSite) -> SiteFactory:
    return make_site(SITE)


def test_a_scan_at_2330_utc_counts_for_the_next_day_in_vietnam(
    site: SiteFactory, tmp_path: Path
) -> None:
    log = write(
        tmp_path / "access.log",
        [
            combined("/l/cho/", "28/Nov/2026:16:59:59 +0000"),  # 23:59:59 on the 28th
            combined("/l/cho/", "28/Nov/2026:23:30:00 +0000"),  # 06:30 on the 29th
            combined("/l/cho/", "29/Nov/2026:06:30:00 +0700"),  # the same moment, said in +07
        ],
    )
    rows = stats_rows(str(log), "--content", str(site.content))
    cho = {r["date"]: r["scans"] for r in rows if r["board"] == "cho"}
    assert cho == {"2026-11-28": "1", "2026-11-29": "2"}


def test_csv_is_exactly_one_row_per_board_and_day(site: SiteFactory, tmp_path: Path) -> None:
    log = write(
        tmp_path / "access.log",
        [
            combined("/l/tram-y-te/", "27/Nov/2026:03:00:00 +0000"),
            combined("/l/tram-y-te/", "27/Nov/2026:03:00:01 +0000", referer="https://x/"),
            combined("/l/cho/", "28/Nov/2026:03:00:00 +0000", agent=ZALO_ANDROID),
        ],
    )
    r = run_cli("stats", str(log), "--content", str(site.content), "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "board,date,scans,views\n"
        "cho,2026-11-27,0,0\n"
        "cho,2026-11-28,1,1\n"
        "tram-y-te,2026-11-27,1,2\n"
        "tram-y-te,2026-11-28,0,0\n"
    )
    j = run_cli("stats", str(log), "--content", str(site.content), "--format", "json")
    data = json.loads(j.stdout)
    as_text = [{k: str(v) for k, v in row.items()} for row in data["boards"]]
    assert as_text == list(csv.DictReader(io.StringIO(r.stdout)))
    assert [d["date"] for d in data["days"]] == ["2026-11-27", "2026-11-28"]
    assert [d["readers"] for d in data["days"]] == [1, 1]


def test_since_and_until_are_days_of_the_site_included(site: SiteFactory, tmp_path: Path) -> None:
    days = ["25", "26", "27", "28"]
    log = write(
        tmp_path / "a.log", [combined("/l/cho/", f"{d}/Nov/2026:03:00:00 +0000") for d in days]
    )
    args = (str(log), "--content", str(site.content))
    rows = stats_rows(*args, "--since", "2026-11-26", "--until", "2026-11-27")
    assert [(r["board"], r["date"], r["scans"]) for r in rows if r["board"] == "cho"] == [
        ("cho", "2026-11-26", "1"),
        ("cho", "2026-11-27", "1"),
    ]
    rows = stats_rows(*args, "--since", "2026-11-20", "--until", "2026-11-21")
    assert {r["date"] for r in rows} == {"2026-11-20", "2026-11-21"}  # zeros: nobody scanned
    bad = run_cli("stats", *args, "--since", "2026-13-01")
    assert bad.returncode == 2 and "is not a date like 2026-11-30" in bad.stderr
    backwards = run_cli("stats", *args, "--since", "2026-11-27", "--until", "2026-11-26")
    assert backwards.returncode == 2 and "is after --until" in backwards.stderr


def test_rotated_and_gzipped_files_in_any_order(site: SiteFactory, tmp_path: Path) -> None:
    lines = [
        combined("/l/cho/", f"{d:02}/Nov/2026:0{h}:00:00 +0000", agent=a)
        for d in range(20, 26)
        for h, a in enumerate((PHONE, ZALO_IOS, GOOGLEBOT))
    ]
    one = write(tmp_path / "all.log", lines)
    parts = [
        write(tmp_path / "access.log.2.gz", lines[:6], gz=True),
        write(tmp_path / "access.log.1", lines[6:12]),
        write(tmp_path / "access.log", lines[12:]),
    ]
    whole = stats_rows(str(one), "--content", str(site.content))
    for order in ([2, 1, 0], [0, 2, 1], [1, 0, 2]):
        named = [str(parts[i]) for i in order]
        assert stats_rows(*named, "--content", str(site.content)) == whole
    assert totals(whole)["cho"] == (12, 12)


def test_a_gz_cut_short_and_cut_lines_are_reported_not_fatal(
    site: SiteFactory, tmp_path: Path
) -> None:
    lines = [combined("/l/cho/", f"2{d}/Nov/2026:03:00:00 +0000") for d in range(10)] * 50
    data = gzip.compress("".join(lines).encode())
    cut = tmp_path / "access.log.3.gz"
    cut.write_bytes(data[: len(data) // 2])
    bad = write(tmp_path / "access.log", ["garbage\n", lines[0], lines[0][:40] + "\n", "\n"])
    r = run_cli("stats", str(cut), str(bad), "--content", str(site.content), "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert f"{cut} ends early" in r.stderr
    assert f"2 lines not understood in {bad}: lines 1, 3" in r.stderr
    assert totals(list(csv.DictReader(io.StringIO(r.stdout))))["cho"][0] > 1


def test_an_old_printed_url_counts_for_its_board_once(make_site: MakeSite, tmp_path: Path) -> None:
    """The ledger's old URL now redirects (301 from nginx): that is the scan of the old
    board; the phone's follow-up request of the new page is not a second scan."""
    site = make_site(
        {
            **SITE,
            "locations/tram-y-te.yml": "name: Trạm y tế xã\naliases: [l/tram-cu/]\n",
            "printed.yml": (
                "- url: https://test.example/l/tram-cu/\n  board: tram-cu\n  printed: 2026-01-05\n"
            ),
        }
    )
    log = write(
        tmp_path / "access.log",
        [
            combined("/l/tram-cu/", "28/Nov/2026:03:00:00 +0000", status=301),
            combined("/l/tram-y-te/", "28/Nov/2026:03:00:01 +0000"),  # its follow-up
            combined("/l/tram-y-te/", "28/Nov/2026:03:10:00 +0000"),  # a scan of the new board
            combined("/l/tram-cu/", "28/Nov/2026:04:00:00 +0000", status=200, ip="192.0.2.9"),
        ],
    )
    found = totals(stats_rows(str(log), "--content", str(site.content)))
    assert found == {"tram-y-te": (1, 2), "cho": (0, 0), "tram-cu": (2, 2)}


def test_a_site_under_a_sub_path(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site({**SITE, "site.yml": "title: T\nbase_url: https://ubnd.example/bangtin/\n"})
    log = write(tmp_path / "a.log", [combined("/bangtin/l/cho/"), combined("/l/cho/")])
    assert totals(stats_rows(str(log), "--content", str(site.content)))["cho"] == (1, 1)


def test_in_a_province_site_names_the_commune(tmp_path: Path) -> None:
    root = tmp_path / "tinh"
    for site_id in ("xa-mot", "xa-hai"):
        SiteFactory(root / "sites" / site_id).write(
            {**SITE, "site.yml": f"title: {site_id}\nbase_url: https://{site_id}.example/\n"}
        )
    (root / "bangtin.yml").write_text(
        "sites:\n  xa-mot: sites/xa-mot/content\n  xa-hai: sites/xa-hai/content\n", "utf-8"
    )
    log = write(tmp_path / "a.log", [combined("/l/cho/")])
    assert totals(stats_rows(str(log), "--site", "xa-hai", cwd=root))["cho"] == (1, 1)
    r = run_cli("stats", str(log), cwd=root)
    assert (
        r.returncode == 2 and "name the site with --site ID (its sites: xa-mot, xa-hai)" in r.stderr
    )
    r = run_cli("stats", str(log), "--site", "xa-ba", cwd=root)
    assert r.returncode == 2 and "has no site `xa-ba`" in r.stderr


def test_a_missing_log_is_a_usage_error(site: SiteFactory, tmp_path: Path) -> None:
    r = run_cli("stats", str(tmp_path / "nope.log"), "--content", str(site.content))
    assert r.returncode == 2
    assert f"no such log file: {tmp_path / 'nope.log'}" in r.stderr


def test_no_address_or_user_agent_is_written_anywhere(site: SiteFactory, tmp_path: Path) -> None:
    ips = ["198.51.100.71", "2001:db8::7"]
    agents = [PHONE + " Secret/71", ZALO_IOS + " Secret/72"]
    lines = [
        combined("/l/cho/", ip=ip, agent=agent, referer=f"https://{ip}/ref")
        for ip in ips
        for agent in agents
    ]
    lines.append(combined("/l/cho/", ip="198.51.100.71", agent=PHONE)[:60] + "\n")  # cut short
    log = write(tmp_path / "access.log", lines)
    written = []
    for fmt in ("table", "csv", "json"):
        r = run_cli("stats", str(log), "--content", str(site.content), "--format", fmt,
                    "--report", str(tmp_path / "report"))  # fmt: skip
        assert r.returncode == 0, r.stderr
        written += [r.stdout, r.stderr]
    written += [p.read_text("utf-8") for p in (tmp_path / "report").rglob("*") if p.is_file()]
    text = "\n".join(written)
    for secret in [*ips, "Secret/7", "198.51.100", "Android 14", "Zalo iOS"]:
        assert secret not in text, secret


# -- the HTML report -------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_the_report_is_offline_html_with_a_bar_per_board(site: SiteFactory, tmp_path: Path) -> None:
    log = write(
        tmp_path / "access.log",
        [combined("/l/cho/", f"2{d}/Nov/2026:03:00:00 +0000") for d in range(5)]
        + [combined("/n/hop-dan/", referer="https://test.example/")],
    )
    r = run_cli("stats", str(log), "--content", str(site.content), "--report", str(tmp_path / "r"))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "r" / "index.html").read_text("utf-8")
    parser = _Tags()
    parser.feed(html)
    parser.close()
    tags = [t for t, _a in parser.tags]
    assert html.startswith("<!DOCTYPE html>") and '<html lang="vi">' in html
    assert "script" not in tags and "<script" not in html.lower()
    assert not [a for _t, a in parser.tags if any(k.startswith("on") for k in a)]  # no handlers
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # loads nothing
    assert tags.count("svg") == 2
    bars = html.split("</svg>")[0].count("<rect ")
    assert bars == 2  # one per board: tram-y-te and cho
    assert html.count('class="day-line"') == 2
    assert "Chợ xã: 5 lượt quét" in html and "20/11/2026" in html
    assert "Họp dân thôn 1" in html  # the notice read, by its title


def test_the_report_is_never_written_into_the_sites_output(
    site: SiteFactory, tmp_path: Path
) -> None:
    site.build()
    log = write(tmp_path / "access.log", [combined("/l/cho/")])
    inside = site.output / "thong-ke"
    r = run_cli("stats", str(log), "--content", str(site.content), "--report", str(inside))
    assert r.returncode == 2
    assert "is inside the site's output folder" in r.stderr
    assert not inside.exists()


# -- a real nginx and its own access log -------------------------------------------------


def test_counts_from_a_real_nginx_access_log(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(SITE)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    build(site.content, site.output, base_url=base)
    work = tmp_path / "nginx"

    def get(path: str, method: str = "GET", **headers: str) -> tuple[int, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request(method, path, headers={"User-Agent": PHONE, **headers})
            response = conn.getresponse()
            response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()

    with nginx(site.output, work, port):
        for _ in range(3):
            assert get("/l/tram-y-te/")[0] == 200  # scans: a phone's camera
        for agent in (ZALO_IOS, ZALO_ANDROID):
            assert get("/l/cho/", **{"User-Agent": agent})[0] == 200  # Zalo's scanner
        zalo_query = "/l/cho/?zarsrc=30&utm_source=zalo&utm_medium=zalo&utm_campaign=zalo"
        assert get(zalo_query, **{"User-Agent": ZALO_IOS})[0] == 200  # still a scan
        assert get("/l/tram-y-te/", Referer=base)[0] == 200  # a click on the home page
        assert get("/l/tram-y-te/?fbclid=IwAR0x")[0] == 200  # from a Facebook post
        assert get("/l/tram-y-te/", **{"User-Agent": GOOGLEBOT})[0] == 200
        for agent in (*ZALO_PREVIEWS, FACEBOOK):
            assert get("/l/cho/", **{"User-Agent": agent})[0] == 200  # link previews
        assert get("/l/khong-co/")[0] == 404
        assert get("/n/khong-co/")[0] == 404
        assert get("/l/tram-y-te/", "HEAD")[0] == 200
        status, headers = get("/l/cho/")  # one more scan: its ETag for the next one
        assert status == 200
        assert get("/l/cho/", **{"If-None-Match": headers["etag"]})[0] == 304  # a scan
        assert get("/n/hop-dan/", Referer=base)[0] == 200  # the notice, read twice
        assert get("/n/hop-dan/index.html", Referer=base)[0] == 200
        assert get("/n/hop-dan/", **{"User-Agent": FACEBOOK})[0] == 200  # not read

    log = work / "access.log"
    assert len(log.read_text("utf-8").splitlines()) == 21
    r = run_cli("stats", str(log), "--content", str(site.content), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    data = json.loads(r.stdout)
    found: dict[str, list[int]] = {}
    for row in data["boards"]:
        found.setdefault(row["board"], [0, 0])
        found[row["board"]][0] += row["scans"]
        found[row["board"]][1] += row["views"]
    assert found == {"tram-y-te": [3, 5], "cho": [5, 5]}
    assert sum(row["views"] for row in data["notices"]) == 2
    assert sum(d["readers"] for d in data["days"]) >= 3  # a phone, two Zalo browsers
