"""Security and caching headers for static hosts: ``_headers`` and an nginx snippet.

The pages need nothing but their own files: no script, no inline style, no other
origin.  So the policy can be as strict as a policy gets.  ``_headers`` is a file of
the site (Netlify and Cloudflare Pages read it from the published folder); the nginx
snippet is server configuration, written beside ``output/`` (generator.output.writer).
"""

from __future__ import annotations

import re

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


def render_headers(site: SiteConfig) -> dict[str, str]:
    """``_headers`` (Netlify, Cloudflare Pages), a file of the site."""
    base = site.base_path
    media = f"{base}{site.urls.media}/"
    lines = [f"{base}*"]
    lines += [f"  {name}: {value}" for name, value in SECURITY.items()]
    lines += [f"  Cache-Control: {HTML_CACHE}", "", f"{base}assets/*"]
    lines += [f"  Cache-Control: {ASSET_CACHE}"]
    for extension in RENDITIONS:
        lines += ["", f"{media}*.{extension}", f"  Cache-Control: {ASSET_CACHE}"]
    return {"_headers": "\n".join(lines) + "\n"}


def nginx_security(site: SiteConfig) -> str:
    """``nginx-security.conf``: the same headers for nginx (server configuration)."""
    base = site.base_path
    media = f"{base}{site.urls.media}/"

    def add(indent: str, headers: dict[str, str]) -> list[str]:
        return [f'{indent}add_header {name} "{value}" always;' for name, value in headers.items()]

    rendition = rf"^{re.escape(media)}.+\.[0-9a-f]{{10}}\.[0-9]+\.({'|'.join(RENDITIONS)})$"
    nginx = [
        "# Security and caching headers for bangtin's output, written beside it (never",
        "# published with it). Include it in the site's server block:",
        "#     include /path/to/output.nginx/nginx-security.conf;",
        "# nginx drops inherited add_header lines in a block that has its own, so the",
        "# assets and picture locations repeat them.",
        *add("", {**SECURITY, "Cache-Control": HTML_CACHE}),
        f"location {base}assets/ {{",
        *add("    ", {**SECURITY, "Cache-Control": ASSET_CACHE}),
        "}",
        f'location ~ "{rendition}" {{',  # quoted: nginx reads a bare "{" as a block
        *add("    ", {**SECURITY, "Cache-Control": ASSET_CACHE}),
        "}",
    ]
    return "\n".join(nginx) + "\n"
