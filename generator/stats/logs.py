"""Access logs as web servers write them: read line by line, plain or gzip, in any order.

Two formats, told apart line by line (a file may hold both):

- nginx's and Apache's "combined" format::

    203.0.113.7 - - [28/Nov/2026:23:30:05 +0000] "GET /l/tram-y-te/ HTTP/1.1" 200 512 "-" "Mozilla…"

  (a referer or user agent with a ``"`` in it is escaped as ``\\x22`` by nginx and as
  ``\\"`` by Apache: both are read);
- JSON lines, one object a line, as a CDN's log export or nginx's ``escape=json`` format
  writes them: the fields of ``FIELDS`` (README: "Thống kê lượt quét").

A line in neither form, or cut short, is counted as not understood, by its line number,
and never stops the reading.  A request is kept only when ``wanted`` says its path is one
the statistics count (``Targets.wanted``): most lines of a log (pictures, the stylesheet,
other pages) end at that test, before their time is worked out.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import zlib
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}

# host ident user [time] "request" status bytes "referer" "user agent".  A quoted field
# may hold an escaped quote (rare): FAST, which knows no escapes, is tried first (twice as
# fast), and a line where one of its fields ends in a backslash is read again by COMBINED.
_LINE = r"(\S+) \S+ \S+ \[([^\]]+)\] {q} (\d{{3}}) \S+ {q} {q}"
FAST = re.compile(_LINE.format(q=r'"([^"]*)"'))
COMBINED = re.compile(_LINE.format(q=r'"([^"\\]*(?:\\.[^"\\]*)*)"'))

# The names JSON-lines logs give each field, first found wins: nginx's variables, common
# CDN export names (Cloudflare Logpush's HTTP requests dataset: ClientRequest…,
# EdgeResponseStatus, EdgeStartTimestamp), and plain ones.  README documents the table.
FIELDS: dict[str, tuple[str, ...]] = {
    "time": ("time", "timestamp", "@timestamp", "time_iso8601", "EdgeStartTimestamp"),
    "client": ("remote_addr", "client_ip", "ip", "ClientIP"),
    "method": ("method", "request_method", "ClientRequestMethod"),
    "target": ("request_uri", "uri", "url", "path", "ClientRequestURI"),
    "status": ("status", "status_code", "EdgeResponseStatus"),
    "referer": ("http_referer", "referer", "referrer", "ClientRequestReferer"),
    "agent": ("http_user_agent", "user_agent", "ua", "ClientRequestUserAgent"),
    "host": ("host", "http_host", "ClientRequestHost"),
}


@dataclass(frozen=True, slots=True)
class Request:
    """One request for a page the statistics count: no more than they need."""

    time: dt.datetime  # aware, as the log has it
    method: str
    path: str  # the target without its query
    query: str  # after "?", "" when none
    status: int
    referer: bool  # whether the request named a referring page
    agent: str  # the user agent ("" when none): classified, never written anywhere
    client: str  # the client's address: hashed in memory only, never written anywhere


@dataclass(slots=True)
class Reading:
    """What reading one file found besides its requests: kept per file for the report."""

    name: str
    lines: int = 0
    unknown: list[int] = field(default_factory=list)  # line numbers not understood
    truncated: bool = False  # a .gz that ends before its end (a file still being written)
    other_host: int = 0  # JSON lines naming another site's host


def open_text(path: Path) -> Generator[str, None, None]:
    """The lines of ``path``, gunzipped when it is gzip (by its first bytes, whatever its
    name); bytes that are not UTF-8 are replaced, never fatal."""
    with path.open("rb") as probe:
        gz = probe.read(2) == b"\x1f\x8b"
    if gz:
        with gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="\n") as f:
            yield from f
    else:
        with path.open("rt", encoding="utf-8", errors="replace", newline="\n") as f:
            yield from f


def read_log(
    path: Path, wanted: Callable[[str], bool], reading: Reading, host: str | None = None
) -> Generator[Request, None, None]:
    """Every request in ``path`` whose path ``wanted`` accepts; ``reading`` counts the
    lines, and numbers those not understood.  ``host``: the site's host name, which a
    JSON line naming a host must name (a combined line names none)."""
    number = 0
    fast, match = FAST.match, COMBINED.match
    try:
        for number, line in enumerate(open_text(path), 1):
            if line.startswith("{"):
                found = _json_request(line, wanted, reading, host)
                if found is UNKNOWN:
                    reading.unknown.append(number)
                elif isinstance(found, Request):
                    yield found
                continue
            m = fast(line)
            if m is None or ("\\" in line and "\\" in m[3] + m[5] + m[6]):
                m = match(line)
            if m is None:
                if line.strip():
                    reading.unknown.append(number)
                continue
            client, stamp, request, status, referer, agent = m.groups()
            # "GET /l/a/ HTTP/1.1"; a client that sent no HTTP leaves something else here:
            # the line is understood all the same, it is just no request for a page
            method, _, rest = request.partition(" ")
            path_part, _, query = rest.partition(" ")[0].partition("?")
            if not wanted(path_part):
                continue
            when = combined_time(stamp)
            if when is None:
                reading.unknown.append(number)
                continue
            yield Request(
                when,
                method,
                path_part,
                query,
                int(status),
                referer not in ("-", ""),
                _unescape(agent),
                client,
            )
    except (EOFError, zlib.error, gzip.BadGzipFile):
        reading.truncated = True  # what was read is counted
    finally:
        reading.lines = max(reading.lines, number)


def _unescape(agent: str) -> str:
    """A user agent as the client sent it (nginx writes ``"`` as ``\\x22``)."""
    if agent == "-":
        return ""
    if "\\" in agent:
        agent = agent.replace("\\x22", '"').replace('\\"', '"')
    return agent


@lru_cache(maxsize=4096)
def _minute(text: str) -> dt.datetime | None:
    """``28/Nov/2026:23:30`` plus its offset, as an aware time (many lines share one)."""
    try:
        day, month, rest = text[:-6].split("/")
        year, hour, minute = rest.split(":")
        sign, zone = text[-5], text[-4:]
        offset = dt.timedelta(hours=int(zone[:2]), minutes=int(zone[2:]))
        tz = dt.timezone(-offset if sign == "-" else offset)
        return dt.datetime(int(year), MONTHS[month], int(day), int(hour), int(minute), tzinfo=tz)
    except (ValueError, KeyError, IndexError):
        return None


SECONDS = {f"{i:02}": dt.timedelta(seconds=i) for i in range(61)}  # 60: a leap second


def combined_time(text: str) -> dt.datetime | None:
    """``28/Nov/2026:23:30:05 +0000`` as an aware time; None when it is not one."""
    if len(text) != 26 or text[20] != " " or text[17] != ":":
        return None
    start = _minute(text[:17] + text[20:])
    second = SECONDS.get(text[18:20])
    if start is None or second is None:
        return None
    return start + second


UNKNOWN = "unknown"  # what _json_request says of a line it does not understand


def _json_request(
    line: str, wanted: Callable[[str], bool], reading: Reading, host: str | None
) -> Request | str | None:
    """A JSON line's request (None: not one the statistics count; UNKNOWN: a line not
    understood)."""
    try:
        data = json.loads(line)
    except ValueError:
        return UNKNOWN
    if not isinstance(data, dict):
        return UNKNOWN
    values = {name: _first(data, keys) for name, keys in FIELDS.items()}
    target, method, status = values["target"], values["method"], values["status"]
    if not isinstance(target, str) or not isinstance(method, str):
        return UNKNOWN
    path_part, _, query = target.partition("?")
    if path_part.startswith(("http://", "https://")):  # some exports give the whole URL
        rest = path_part.split("://", 1)[1]
        path_part = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    if not wanted(path_part):
        return None
    when = json_time(values["time"])
    if isinstance(status, bool) or not isinstance(status, int | str):
        return UNKNOWN
    try:
        code = int(status)
    except ValueError:
        return UNKNOWN
    if when is None:
        return UNKNOWN
    named = values["host"]
    if host is not None and isinstance(named, str) and named.lower() not in ("", host):
        reading.other_host += 1
        return None
    referer, agent, client = values["referer"], values["agent"], values["client"]
    return Request(
        when,
        method.upper(),
        path_part,
        query,
        code,
        isinstance(referer, str) and referer not in ("", "-"),
        agent if isinstance(agent, str) and agent != "-" else "",
        str(client),
    )


def _first(data: dict[str, object], keys: tuple[str, ...]) -> object:
    for key in keys:
        if key in data:
            return data[key]
    return None


def json_time(value: object) -> dt.datetime | None:
    """An ISO 8601 time with its offset, or a Unix time in seconds, milliseconds or
    nanoseconds (told apart by size); None otherwise (a time without an offset is not
    understood: its day could be either)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
        while seconds > 1e11:  # milliseconds, microseconds, nanoseconds
            seconds /= 1000
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        if value.isdigit():
            return json_time(int(value))
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return combined_time(value)
        return when if when.tzinfo is not None else None
    return None


def first_time(path: Path) -> dt.datetime | None:
    """The time of the first line understood in ``path`` (None when there is none): files
    are read oldest first, whatever order they were named in."""
    found = read_log(path, lambda _path: True, Reading(path.name))
    try:
        for request in found:
            return request.time
        return None
    finally:
        found.close()
