"""Old URLs that keep working: a redirect page at each alias, and server redirect rules.

The pages work on any static server; ``_redirects`` (Netlify, Cloudflare Pages) and
``nginx-redirects.conf`` turn them into real 301 redirects where the host reads them.
``_redirects`` is a file of the site; ``nginx-redirects.conf`` is server configuration,
written beside ``output/`` (generator.output.writer), never published with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from generator.errors import BuildError, Position, Problems
from generator.i18n import _
from generator.models import Output, Redirect, SiteConfig
from generator.plan.site import Plan
from generator.plan.urls import absolute, relative
from generator.render.pages import text_output
from generator.render.templates import Renderer

NETLIFY_HEADER = """\
# Old URLs (aliases) and the pages that replaced them, as permanent redirects.
# Written by bangtin for Netlify and Cloudflare Pages, which read this file; do not edit.
"""

NGINX_HEADER = """\
# Old URLs (aliases) and the pages that replaced them, as permanent redirects.
# Written by bangtin beside its output folder (never published with it); do not edit.
# Include it in the site's `server { ... }` block:
#
#     include /srv/bangtin/output.nginx/nginx-redirects.conf;
#
# nginx reads it when it starts or reloads (`nginx -s reload`). Without it, each old
# URL still works through the small redirect page bangtin writes there.
"""

# A path written as it is into the server files: anything else could end a rule early.
_SAFE_PATH = re.compile(r"/(?:[A-Za-z0-9._~/-]|%[0-9A-Fa-f]{2})*")
_PLAIN = re.compile(r"[A-Za-z0-9._~/-]+")


def render_redirects(site: SiteConfig, plan: Plan, renderer: Renderer) -> Iterator[Output]:
    """A redirect page at every alias, and ``_redirects``."""
    check_base_path(site)
    titles = {page.url_path: page.title for page in plan.pages}
    redirects = sorted(plan.redirects, key=lambda r: r.alias.path)
    for r in redirects:
        context = {
            "target": relative(r.alias.path, r.target),
            "url": absolute(site, r.target),
            "title": titles.get(r.target, absolute(site, r.target)),
        }
        path = r.alias.path + "index.html"
        yield renderer.output(path, "redirect.html", context, {"site": site})
    netlify = NETLIFY_HEADER + "".join(f"{old} {new} 301\n" for old, new in _rules(site, redirects))
    yield text_output("_redirects", netlify)


def nginx_redirects(site: SiteConfig, plan: Plan) -> str:
    """``nginx-redirects.conf``: the same redirects for nginx (server configuration)."""
    check_base_path(site)
    redirects = sorted(plan.redirects, key=lambda r: r.alias.path)
    return NGINX_HEADER + "".join(
        f"location = {_nginx_uri(old)} {{ return 301 {new}; }}\n"
        for old, new in _rules(site, redirects)
    )


def _rules(site: SiteConfig, redirects: list[Redirect]) -> list[tuple[str, str]]:
    """(old path, new path) from the server root, each alias with and without its slash."""
    base = site.base_path
    rules: list[tuple[str, str]] = []
    for r in redirects:
        new = base + r.target
        rules.append((base + r.alias.path, new))
        rules.append((base + r.alias.path.removesuffix("/"), new))
    return rules


def _nginx_uri(path: str) -> str:
    """``path`` as nginx matches it: decoded (``%C3%A3`` -> ``ã``), quoted when not plain."""
    decoded = unquote(path)
    if _PLAIN.fullmatch(decoded):
        return decoded
    return '"' + decoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_base_path(site: SiteConfig) -> None:
    """The path of ``base_url`` must be safe to write into the server files as it is."""
    path = site.base_path
    try:
        decoded = unquote(path, errors="strict") if _SAFE_PATH.fullmatch(path) else ""
    except UnicodeDecodeError:
        decoded = ""
    if not decoded or any(c.isspace() or not c.isprintable() for c in decoded):
        problems = Problems()
        problems.add(
            Position(site.source),
            _(
                "the path of base_url, {path}, has characters that cannot be written "
                "into _redirects and nginx-redirects.conf",
                path=site.base_path,
            ),
            hint=_(
                "use letters, digits, '-', '.', '_', '~', '/' and %-escapes of printable "
                "UTF-8 text in the path of base_url"
            ),
            source_line="",
        )
        raise BuildError(problems.errors)
