"""Which paths the statistics count: the boards' printed URLs and the notices' pages.

Read from the content as ``bangtin boards`` reads it (``site.yml``, the content, the plan
of the site as of now, the printed-URL ledger), never by rendering pages:

- a **board** is a printed URL: each board of the plan (a place's page, a notice with
  ``board: true``) and each URL of the ledger, ``printed.yml``.  A ledger URL whose page
  was renamed is now an alias that redirects to the new page: it still counts for the
  board the ledger names (its ``board:``), since that board still hangs somewhere;
- a **notice**'s page counts its views (every published notice, expired ones too: their
  pages stay).

Paths are the server's: ``base_url``'s own path first (``/bangtin/l/tram-y-te/`` for a
site served under ``/bangtin/``), as ``base_url`` stands in ``site.yml`` (the printed one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from generator.clock import now
from generator.inputs.config import load_config
from generator.inputs.content import load_content
from generator.inputs.ledger import load_ledger, served_path
from generator.plan.site import plan_site
from generator.plan.urls import notice_path


@dataclass(frozen=True, slots=True)
class BoardTarget:
    id: str  # the board's code, as printed on it (a place's id, `n-<slug>`)
    title: str
    path: str  # the printed URL's path on the server
    moved_to: str | None = None  # the path it redirects to, when it is an old address


@dataclass(frozen=True, slots=True)
class NoticeTarget:
    slug: str
    title: str
    path: str


@dataclass(frozen=True, slots=True)
class Targets:
    """The boards and notices of one site, by the paths a log names them with."""

    title: str
    timezone: str
    host: str  # base_url's host name, lower case
    boards: tuple[BoardTarget, ...]  # in the plan's order, then the ledger's
    notices: tuple[NoticeTarget, ...]  # newest first
    board_at: Mapping[str, BoardTarget]
    notice_at: Mapping[str, NoticeTarget]  # its path, and its path + index.html

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def wanted(self, path: str) -> bool:
        """Whether a request for ``path`` can count (the fast test every line meets)."""
        return path in self.board_at or path in self.notice_at

    def board_ids(self) -> tuple[str, ...]:
        """Each board's id once, in order (two printed URLs may be one board's)."""
        return tuple(dict.fromkeys(b.id for b in self.boards))


def load_targets(content: Path, shared: Path | None = None) -> Targets:
    """The boards and notices of the site in ``content`` (raises BuildError on content
    errors, as ``bangtin boards`` does).  ``shared``: a province's shared folder."""
    site = load_config(content, shared=shared)
    plan = plan_site(site, load_content(site), now(site.tz))
    base = site.site_base_url or site.base_url
    parts = urlsplit(base)
    prefix = parts.path if parts.path.endswith("/") else parts.path + "/"
    aliases = {r.alias.path: r.target for r in plan.redirects}
    boards: list[BoardTarget] = [BoardTarget(b.id, b.title, prefix + b.target) for b in plan.boards]
    titles = {b.id: b.title for b in plan.boards}
    known = {b.path for b in boards}
    for entry in load_ledger(site):
        url = base if entry.url == base.removesuffix("/") else entry.url
        if not url.startswith(base):
            continue  # the build refuses such a ledger; its URL is not this site's
        rest = served_path(url[len(base) :])
        path = prefix + rest
        if path in known:
            continue
        known.add(path)
        target = aliases.get(rest)
        board_id = entry.board or rest.strip("/")
        boards.append(
            BoardTarget(
                board_id,
                titles.get(board_id, board_id),
                path,
                prefix + target if target is not None else None,
            )
        )
    notices = tuple(
        NoticeTarget(n.slug, n.title, prefix + notice_path(site, n.slug)) for n in plan.published
    )
    notice_at: dict[str, NoticeTarget] = {}
    for n in notices:
        notice_at[n.path] = notice_at[n.path + "index.html"] = n
    return Targets(
        title=site.title,
        timezone=site.timezone,
        host=(parts.hostname or "").lower(),
        boards=tuple(boards),
        notices=notices,
        board_at={b.path: b for b in boards},
        notice_at=notice_at,
    )
