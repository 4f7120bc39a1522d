"""HTML made safe to publish: only harmless tags and attributes, only safe link schemes.

The only module that uses nh3.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import nh3

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "sms"})
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "div", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "div": {"class"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")
SANITISER = f"nh3 {getattr(nh3, '__version__', '')}"  # in the Markdown cache's keys


def safe_scheme(href: str) -> bool:
    """False for `java\tscript:` and the like, which browsers read as `javascript:`."""
    compact = INVISIBLE.sub("", html.unescape(href)).lower()
    scheme = SCHEME.match(compact)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


AttributeFilter = Callable[[str, str, str], "str | None"]


def sanitise(fragment: str, attribute_filter: AttributeFilter | None = None) -> str:
    """``fragment`` with every tag, attribute and link not known to be harmless removed."""

    def safe_urls(tag: str, attr: str, value: str) -> str | None:
        # nh3 checks schemes, but keeps `java\tscript:`; browsers drop the tab and run it.
        if attr in ("href", "src") and not safe_scheme(value):
            return None
        return attribute_filter(tag, attr, value) if attribute_filter else value

    return str(
        nh3.clean(
            fragment,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=set(SAFE_SCHEMES),
            link_rel=None,
            strip_comments=True,
            attribute_filter=safe_urls,
        )
    )
