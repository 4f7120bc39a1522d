"""The counts as text: a table for the terminal, CSV, JSON, and the team's HTML report.

Every output holds counts and names of boards and notices only: no address, no user
agent, no hash (README: "Thống kê lượt quét").  The HTML report is one file, no script,
nothing loaded from anywhere: its charts are inline SVG drawn here, its text autoescaped
by Jinja (this module owns the Jinja environment of the report: it is not a page of the
site, so the theme's sandboxed, recording environment is not needed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.i18n import Language, Message, _, n_
from generator.stats.count import Counts
from generator.stats.targets import Targets

CSV_COLUMNS = ("board", "date", "scans", "views")
# Line colours of the daily chart, told apart by people with the common colour
# deficiencies (Okabe & Ito's palette), then again dashed.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def to_csv(counts: Counts) -> str:
    """``board,date,scans,views``: one row per board and day, dates as YYYY-MM-DD."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in counts.boards:
        writer.writerow((row.board, row.date.isoformat(), row.scans, row.views))
    return out.getvalue()


def to_json(counts: Counts) -> str:
    """The CSV's rows under ``boards``, with ``notices`` (views) and ``days`` (scans and
    readers, an estimate)."""
    data = {
        "from": counts.first.isoformat() if counts.first else None,
        "to": counts.last.isoformat() if counts.last else None,
        "boards": [
            {"board": r.board, "date": r.date.isoformat(), "scans": r.scans, "views": r.views}
            for r in counts.boards
        ],
        "notices": [
            {"notice": r.notice, "date": r.date.isoformat(), "views": r.views}
            for r in counts.notices
        ],
        "days": [
            {"date": d.date.isoformat(), "scans": d.scans, "readers": d.readers}
            for d in counts.days
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                       enumerate(zip(r, widths, strict=True))).rstrip() for r in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def to_table(counts: Counts, targets: Targets, lang: Language) -> str:
    """For the terminal: each board's totals, each day's, and the notices read."""
    if counts.first is None or counts.last is None:
        return lang.text(_("No request for a board or a notice in this period.")) + "\n"
    heading = _(
        "Scans of the boards of {site} from {first} to {last} ({timezone} days):",
        site=targets.title,
        first=counts.first.isoformat(),
        last=counts.last.isoformat(),
        timezone=targets.timezone,
    )
    word = lang.text
    totals = board_totals(counts)
    rows = [[word(_("board")), word(_("scans")), word(_("views"))]]
    rows += [[b, str(s), str(v)] for b, (s, v) in totals.items()]
    rows.append([word(_("total")), str(sum(s for s, _v in totals.values())),
                 str(sum(v for _s, v in totals.values()))])  # fmt: skip
    lines = [word(heading), "", *_columns(rows), ""]
    days = [[word(_("day")), word(_("scans")), word(_("readers (about)"))]]
    days += [[d.date.isoformat(), str(d.scans), str(d.readers)] for d in counts.days]
    lines += [*_columns(days), ""]
    read = notice_totals(counts)
    if read:
        notices = [[word(_("notice")), word(_("views"))]]
        notices += [[slug, str(v)] for slug, v in read.items()]
        lines += [*_columns(notices), ""]
    return "\n".join(lines)


def board_totals(counts: Counts) -> dict[str, tuple[int, int]]:
    """Each board's scans and views over the period, in the boards' order."""
    totals: dict[str, tuple[int, int]] = {}
    for r in counts.boards:
        s, v = totals.get(r.board, (0, 0))
        totals[r.board] = (s + r.scans, v + r.views)
    return totals


def notice_totals(counts: Counts) -> dict[str, int]:
    """Each notice read in the period and its views, most read first."""
    totals: dict[str, int] = {}
    for r in counts.notices:
        totals[r.notice] = totals.get(r.notice, 0) + r.views
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


# -- the HTML report ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    board: str
    title: str
    scans: int
    y: float
    width: float


@dataclass(frozen=True, slots=True)
class Line:
    board: str
    colour: str
    dash: str
    points: str  # SVG polyline points


def vn_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def html_report(counts: Counts, targets: Targets, made: dt.datetime) -> str:
    """The team's report: a bar per board (scans over the period), a line per board (scans
    a day), the table; Vietnamese, no script, works offline."""
    titles = {b.id: b.title for b in targets.boards}
    totals = board_totals(counts)
    most = max((s for s, _v in totals.values()), default=0) or 1
    bar_width = 300.0
    bars = [
        Bar(board, titles.get(board, board), s, 8 + 40 * i, bar_width * s / most)
        for i, (board, (s, _v)) in enumerate(totals.items())
    ]
    dates = [d.date for d in counts.days]
    per_day: dict[str, list[int]] = {b: [] for b in totals}
    for r in counts.boards:
        per_day[r.board].append(r.scans)
    peak = max((n for series in per_day.values() for n in series), default=0) or 1
    chart_w, chart_h, left, top = 600.0, 260.0, 50.0, 12.0
    step = chart_w / max(len(dates) - 1, 1)

    def point(i: int, n: int) -> str:
        return f"{left + i * step:.1f},{top + chart_h - chart_h * n / peak:.1f}"

    lines = [
        Line(
            board,
            COLOURS[i % len(COLOURS)],
            "" if i < len(COLOURS) else "6 4",
            " ".join(point(j, n) for j, n in enumerate(series)),
        )
        for i, (board, series) in enumerate(per_day.items())
    ]
    ticks = [(left + i * step, vn_date(d)[:5]) for i, d in enumerate(dates)]
    every = -(-len(ticks) // 7)  # at most seven dates under the chart
    template = _environment().get_template("report.html")
    return template.render(
        site=targets.title,
        timezone=targets.timezone,
        first=vn_date(counts.first) if counts.first else "",
        last=vn_date(counts.last) if counts.last else "",
        made=made.strftime("%H:%M %d/%m/%Y"),
        bars=bars,
        bar_width=bar_width,
        bars_height=16 + 40 * len(bars),
        lines=lines,
        ticks=ticks[::every],
        peak=peak,
        chart=(chart_w, chart_h, left, top),
        totals=totals,
        titles=titles,
        days=[(vn_date(d.date), d.scans, d.readers) for d in counts.days],
        notices=[(slug, views) for slug, views in notice_totals(counts).items()],
        notice_titles={n.slug: n.title for n in targets.notices},
    )


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def unknown_summary(name: str, numbers: Sequence[int]) -> Message:
    """``12 lines not understood in access.log.2.gz: lines 3, 7, …`` (numbers only: a
    line itself may hold an address)."""
    shown = ", ".join(str(n) for n in numbers[:10]) + (", …" if len(numbers) > 10 else "")
    return n_(
        "{n} line not understood in {file}: line {numbers}",
        "{n} lines not understood in {file}: lines {numbers}",
        len(numbers),
        file=name,
        numbers=shown,
    )
