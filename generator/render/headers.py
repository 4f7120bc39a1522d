"""Security and caching headers for static hosts: ``_headers``, an nginx snippet, and
the headers ``bangtin deploy`` stores with each object.

The pages need nothing but their own files: no script, no inline style, no other
origin.  So the policy can be as strict as a policy gets.  ``_headers`` is a file of
the site (Netlify and Cloudflare Pages read it from the published folder); the nginx
snippet is server configuration, written beside ``output/`` (generator.output.writer).

How long a file may be cached is decided by one table, ``cache_rules``: ``_headers`` and
the nginx snippet write it in their own syntax, and ``cache_control`` answers it for one
path (object storage keeps a ``Cache-Control`` per object: generator.deploy).
``content_type`` names each kind of file bangtin writes from a fixed table, never from
the machine's ``/etc/mime.types``: the same site gives the same headers everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.models import SiteConfig

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
SECURITY = {
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HTML_CACHE = "no-cache"  # revalidate: a notice may change at any time
ASSET_CACHE = "public, max-age=31536000, immutable"  # fingerprinted names never change


# Picture renditions are named by their content (render.media.rendition_path:
# ``m/so-do.1a2b3c4d5e.720.webp``): cached for a year like the assets.  Documents stay
# at their permanent URL and are revalidated like pages (a decision may be replaced).
RENDITIONS = ("webp", "jpg")


@dataclass(frozen=True, slots=True)
class CacheRule:
    """Files under ``folder`` (a path inside the site ending in ``/``), those with one of
    ``extensions`` only when given, are sent with ``cache``; ``name`` (a regular
    expression over the rest of the path) narrows it for servers that can say so."""

    folder: str
    cache: str
    extensions: tuple[str, ...] = ()
    name: str = ""

    def matches(self, path: str) -> bool:
        if not path.startswith(self.folder):
            return False
        rest = path[len(self.folder) :]
        if self.extensions and not rest.endswith(tuple(f".{e}" for e in self.extensions)):
            return False
        return not self.name or re.fullmatch(self.name, rest) is not None


def cache_rules(site: SiteConfig) -> tuple[CacheRule, ...]:
    """Every file not named here is revalidated (``HTML_CACHE``)."""
    rendition = rf".+\.[0-9a-f]{{10}}\.[0-9]+\.({'|'.join(RENDITIONS)})"
    return (
        CacheRule("assets/", ASSET_CACHE),
        CacheRule(f"{site.urls.media}/", ASSET_CACHE, RENDITIONS, rendition),
    )


def cache_control(site: SiteConfig, path: str) -> str:
    """The ``Cache-Control`` of the file at ``path`` (relative to the site's root)."""
    for rule in cache_rules(site):
        if rule.matches(path):
            return rule.cache
    return HTML_CACHE


# The kinds of file a site holds: the build's own, the theme's static files, the media
# editors may link (pictures, documents), and what `keep:` may carry (CNAME, .txt).
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
    "ico": "image/vnd.microsoft.icon",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "xml": "application/xml; charset=utf-8",
    "json": "application/json",
    "webmanifest": "application/manifest+json",
    "txt": "text/plain; charset=utf-8",
    "woff2": "font/woff2",
    "woff": "font/woff",
}
BY_NAME = {  # files at the site's root
    "feed.xml": "application/atom+xml; charset=utf-8",  # the Atom feed (render.pages)
    "_headers": "text/plain; charset=utf-8",
    "_redirects": "text/plain; charset=utf-8",
    "CNAME": "text/plain; charset=utf-8",
}
UNKNOWN_TYPE = "application/octet-stream"


def content_type(path: str) -> str:
    """The ``Content-Type`` of the file at ``path`` (relative to the site's root)."""
    if path in BY_NAME:
        return BY_NAME[path]
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return UNKNOWN_TYPE
    return CONTENT_TYPES.get(name.rsplit(".", 1)[1].lower(), UNKNOWN_TYPE)


def render_headers(site: SiteConfig) -> dict[str, str]:
    """``_headers`` (Netlify, Cloudflare Pages), a file of the site."""
    base = site.base_path
    lines = [f"{base}*"]
    lines += [f"  {name}: {value}" for name, value in SECURITY.items()]
    lines += [f"  Cache-Control: {HTML_CACHE}"]
    for rule in cache_rules(site):  # a pattern can only say folder and extension
        for extension in rule.extensions or ("",):
            ending = f"*.{extension}" if extension else "*"
            lines += ["", f"{base}{rule.folder}{ending}", f"  Cache-Control: {rule.cache}"]
    return {"_headers": "\n".join(lines) + "\n"}


def nginx_security(site: SiteConfig) -> str:
    """``nginx-security.conf``: the same headers for nginx (server configuration)."""
    base = site.base_path

    def add(indent: str, headers: dict[str, str]) -> list[str]:
        return [f'{indent}add_header {name} "{value}" always;' for name, value in headers.items()]

    nginx = [
        "# Security and caching headers for bangtin's output, written beside it (never",
        "# published with it). Include it in the site's server block:",
        "#     include /path/to/output.nginx/nginx-security.conf;",
        "# nginx drops inherited add_header lines in a block that has its own, so the",
        "# assets and picture locations repeat them.",
        *add("", {**SECURITY, "Cache-Control": HTML_CACHE}),
    ]
    for rule in cache_rules(site):
        if rule.name:  # quoted: nginx reads a bare "{" as a block
            nginx.append(f'location ~ "^{re.escape(base + rule.folder)}{rule.name}$" {{')
        else:
            nginx.append(f"location {base}{rule.folder} {{")
        nginx += [*add("    ", {**SECURITY, "Cache-Control": rule.cache}), "}"]
    return "\n".join(nginx) + "\n"
