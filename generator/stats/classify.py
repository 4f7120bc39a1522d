"""Who made a request, and whether it looks like a scan: pure functions of one request.

A **scan** is what a phone does when a resident points its camera, or Zalo's QR scanner,
at a board: a GET of the board's printed URL, answered 200 (or 304, a copy the phone
kept), with no ``Referer`` (nothing links there: the code was read), by a person's
browser.  A **view** is any page load by a person's browser (200 or 304), with or without
a referrer or a query: scans are views too.

Not a person:

- **crawlers**: ``crawlerdetect`` (a port of the PHP CrawlerDetect list, kept up to date
  upstream), and requests with no user agent at all (every browser sends one);
- **link-preview fetchers**: the servers that fetch a page to draw its card when its link
  is pasted in a chat.  ``facebookexternalhit`` and ``Facebot`` (Facebook and Messenger:
  developers.facebook.com/docs/sharing/webmasters/web-crawlers) are in crawlerdetect's
  list too; Zalo documents no user agent for its fetcher, so every user agent that names
  Zalo without being Zalo's in-app browser (below) is taken for it (``ZALO_PREVIEW``).

**Zalo's in-app browser** is a person: scanning a code with Zalo's own scanner opens the
page in it.  Its user agent is a full browser's with ``Zalo iOS/<build>`` or
``Zalo android/<build>`` added (e.g. ``… Mobile/15E148 Zalo iOS/502 ZaloTheme/light
ZaloLanguage/vn``, as published in public code that detects it); crawlerdetect does not
flag it, and it is recognised before any other rule so that no later list can.

Zalo adds its own tracking parameters to the links it opens (``zarsrc``, ``utm_source=
zalo`` …), so a query made only of those still counts as a scan; any other query (a
``fbclid`` from a Facebook post, anything typed) is a view, not a scan: printed codes
carry no query.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from crawlerdetect import CrawlerDetect

Agent = Literal["person", "crawler", "preview"]

# Zalo's in-app browser: "Zalo iOS/502", "Zalo android/12100672" after a browser's tokens.
ZALO_IN_APP = re.compile(r"^Mozilla/5\.0 \(.*\bZalo (?:iOS|android)/\S+", re.IGNORECASE)
# Any other user agent naming Zalo: its link-preview fetcher (Zalo documents none; see above).
ZALO_PREVIEW = re.compile(r"zalo", re.IGNORECASE)
# Facebook's and Messenger's preview fetchers (also in crawlerdetect's list; named here so
# that they are told apart from other crawlers: developers.facebook.com, "web crawlers").
FACEBOOK_PREVIEW = re.compile(r"facebookexternalhit|facebot|facebookcatalog", re.IGNORECASE)

# Query parameters an in-app browser adds by itself to a link it opens (Zalo's).
ADDED_BY_APPS = frozenset({"zarsrc", "utm_source", "utm_medium", "utm_campaign"})

_DETECT = CrawlerDetect()


@lru_cache(maxsize=8192)  # user agents are few: each is classified once (in memory only)
def agent_kind(agent: str) -> Agent:
    """Whether ``agent`` is a person's browser, a crawler or a link-preview fetcher."""
    agent = agent.strip()
    if not agent:
        return "crawler"
    if ZALO_IN_APP.search(agent):
        return "person"
    if FACEBOOK_PREVIEW.search(agent) or ZALO_PREVIEW.search(agent):
        return "preview"
    if _DETECT.isCrawler(agent):
        return "crawler"
    return "person"


def is_zalo_in_app(agent: str) -> bool:
    return ZALO_IN_APP.search(agent) is not None


def printed_query(query: str) -> bool:
    """Whether a request with this query still asks for the printed URL: none, or only
    the parameters an app adds by itself."""
    if not query:
        return True
    names = {part.split("=", 1)[0] for part in query.split("&") if part}
    return names <= ADDED_BY_APPS


View = Literal["scan", "view", "none"]


def request_kind(
    method: str, status: int, referer: bool, query: str, agent: str, printed: bool, moved: bool
) -> View:
    """What one request for a counted page is.

    ``printed``: its path is a board's printed URL.  ``moved``: that URL is now an old
    address (an alias) that the server answers with a redirect (301, 302, 307, 308) or
    with bangtin's redirect page (200): the redirect is the scan.
    """
    if method != "GET":  # HEAD: a link checker or a cache; never a page read
        return "none"
    answered = status in (200, 304) or (moved and status in (301, 302, 307, 308))
    if not answered or agent_kind(agent) != "person":
        return "none"
    if printed and not referer and printed_query(query):
        return "scan"
    return "view"
