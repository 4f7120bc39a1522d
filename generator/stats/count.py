"""Counting as the lines stream by: scans and views per board and day, views per notice
and day, and about how many readers a day, in memory that grows with boards x days only.

**Days** are the site's (``site.yml``'s ``timezone``): a scan at 23:30 UTC on the 28th is
one of the 29th in Việt Nam.

**Readers** (distinct people a day, approximately): each reader request's address and
user agent are hashed with the day's date and a key drawn at random for this run (by
Python's hash, itself keyed at random in every process: SipHash for text), and the hash
goes into that day's HyperLogLog sketch (4,096 one-byte registers: about 1.6 %
off, exact enough for a commune, and 4 KiB a day whatever the traffic).  A sketch keeps
no hash, so no address can be found in it again, and it is never written anywhere: only
its estimate is.  Files in any order just fill the same sketches.

**A scan of an old printed URL** (an alias, now a redirect) is counted for the board
the ledger names; the browser then asks for the new page without a referrer, which
would look like a second scan.  So the same reader's scan of the redirect's target
within ``FOLLOW_SECONDS`` is taken as that same scan, not another (kept for a minute, in
memory, as a hash; files are read oldest first so that the two meet).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from generator.stats.classify import request_kind
from generator.stats.logs import Request
from generator.stats.targets import Targets

FOLLOW_SECONDS = 30  # a redirect's follow-up comes within this (a phone on a slow network)
HLL_BITS = 12
HLL_SIZE = 1 << HLL_BITS
MASK = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class BoardDay:
    board: str
    date: dt.date
    scans: int
    views: int


@dataclass(frozen=True, slots=True)
class NoticeDay:
    notice: str
    date: dt.date
    views: int


@dataclass(frozen=True, slots=True)
class Day:
    date: dt.date
    scans: int
    views: int
    readers: int  # an estimate (HyperLogLog)


@dataclass(frozen=True, slots=True)
class Counts:
    """Every day from ``first`` to ``last`` (None, None: no request in the period)."""

    first: dt.date | None
    last: dt.date | None
    boards: tuple[BoardDay, ...]  # every board x every day, zeros included
    notices: tuple[NoticeDay, ...]  # every notice read at least once x every day
    days: tuple[Day, ...]


class Sketch:
    """A HyperLogLog sketch of 64-bit hashes (Flajolet et al., 2007)."""

    __slots__ = ("registers",)

    def __init__(self) -> None:
        self.registers = bytearray(HLL_SIZE)

    def add(self, value: int) -> None:
        index = value & (HLL_SIZE - 1)
        rest = value >> HLL_BITS
        rank = (64 - HLL_BITS) - rest.bit_length() + 1
        if rank > self.registers[index]:
            self.registers[index] = rank

    def estimate(self) -> int:
        m = HLL_SIZE
        zeros = self.registers.count(0)
        if zeros == m:
            return 0
        raw = (0.7213 / (1 + 1.079 / m)) * m * m / sum(2.0**-r for r in self.registers)
        if raw <= 2.5 * m and zeros:
            return round(m * math.log(m / zeros))  # linear counting: small numbers
        return round(raw)


class Tally:
    """The running counts (one per run; nothing of it is written but its totals)."""

    def __init__(self, targets: Targets, since: dt.date | None, until: dt.date | None) -> None:
        self.targets = targets
        self.tz = targets.tz
        self.since, self.until = since, until
        self.scans: Counter[tuple[str, dt.date]] = Counter()
        self.views: Counter[tuple[str, dt.date]] = Counter()
        self.notice_views: Counter[tuple[str, dt.date]] = Counter()
        self.readers: dict[dt.date, Sketch] = {}
        self.seen: set[dt.date] = set()
        # this run's: the hashes of two runs cannot be matched
        self.key = int.from_bytes(os.urandom(16), "big")
        # (reader hash, path) -> when a redirect of an old printed URL sent them there
        self.followed: dict[tuple[int, str], dt.datetime] = {}

    def add(self, request: Request) -> None:
        day = request.time.astimezone(self.tz).date()
        if (self.since is not None and day < self.since) or (
            self.until is not None and day > self.until
        ):
            return
        self.seen.add(day)
        board = self.targets.board_at.get(request.path)
        kind = request_kind(
            request.method,
            request.status,
            request.referer,
            request.query,
            request.agent,
            printed=board is not None,
            moved=board is not None and board.moved_to is not None,
        )
        if kind == "none":
            return
        reader = self._reader(request, day)
        if board is not None:
            if kind == "scan" and self._follows(reader, request):
                kind = "view"  # the redirect's follow-up: that scan is counted already
            if kind == "scan":
                self.scans[board.id, day] += 1
                if board.moved_to is not None:
                    self._remember(reader, board.moved_to, request.time)
            self.views[board.id, day] += 1
        notice = self.targets.notice_at.get(request.path)
        if notice is not None:
            self.notice_views[notice.slug, day] += 1

    def _reader(self, request: Request, day: dt.date) -> int:
        """The reader's hash for ``day``, added to that day's sketch."""
        value = hash((self.key, day, request.client, request.agent)) & MASK
        sketch = self.readers.get(day)
        if sketch is None:
            sketch = self.readers[day] = Sketch()
        sketch.add(value)
        return value

    def _remember(self, reader: int, target: str, when: dt.datetime) -> None:
        if len(self.followed) > 10_000:  # forget the old ones: a follow-up is quick
            horizon = when - dt.timedelta(seconds=FOLLOW_SECONDS)
            self.followed = {k: t for k, t in self.followed.items() if t >= horizon}
        self.followed[reader, target] = when

    def _follows(self, reader: int, request: Request) -> bool:
        sent = self.followed.pop((reader, request.path), None)
        if sent is None:
            return False
        return dt.timedelta(0) <= request.time - sent <= dt.timedelta(seconds=FOLLOW_SECONDS)

    def counts(self) -> Counts:
        """Every board and day of the period, zeros included: the first day is ``since``
        (else the first day a line was counted for), the last ``until`` (else the last)."""
        first = self.since or (min(self.seen) if self.seen else None)
        last = self.until or (max(self.seen) if self.seen else None)
        if first is None or last is None or first > last:
            return Counts(None, None, (), (), ())
        dates = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        boards = tuple(
            BoardDay(b, d, self.scans[b, d], self.views[b, d])
            for b in self.targets.board_ids()
            for d in dates
        )
        read = {slug for slug, _ in self.notice_views}
        notices = tuple(
            NoticeDay(n.slug, d, self.notice_views[n.slug, d])
            for n in self.targets.notices
            if n.slug in read
            for d in dates
        )
        days = tuple(
            Day(
                d,
                sum(r.scans for r in boards if r.date == d),
                sum(r.views for r in boards if r.date == d),
                self.readers[d].estimate() if d in self.readers else 0,
            )
            for d in dates
        )
        return Counts(first, last, boards, notices, days)


def count(
    requests: Iterable[Request], targets: Targets, since: dt.date | None, until: dt.date | None
) -> Counts:
    """Count ``requests`` (in any order; oldest first lets a redirect meet its follow-up)."""
    tally = Tally(targets, since, until)
    for request in requests:
        tally.add(request)
    return tally.counts()
