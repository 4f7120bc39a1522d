"""Load and check ``site.yml``; decide what "now" is."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.deploy.target import read_target
from generator.errors import BuildError, ContentError, Position, Problems
from generator.i18n import Message, _
from generator.inputs import schema
from generator.inputs.fields import Fields, load_yaml
from generator.inputs.files import read_text

if TYPE_CHECKING:  # generator.models is imported by ``load_config``, not by a no-op build
    from generator.models import ErrorLevel, PaperSize, SiteConfig

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_SEGMENT = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def find_site_file(content_dir: Path) -> Path | None:
    for name in ("site.yml", "site.yaml"):
        if (content_dir / name).is_file():
            return content_dir / name
    return None


def check_base_url(url: str, allow_http: bool = False) -> Message | None:
    """Why ``url`` is not a usable base URL (what follows the URL in a sentence), or None
    if it is."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        if parts.scheme == "http":
            return _("must start with https:// (plain http only with --allow-http, for previews)")
        return _("must start with https://")
    if "@" in parts.netloc:
        return _("must not hold a user name or password (user@ or user:pass@)")
    if not parts.hostname:
        return _("has no host name")
    try:
        port = parts.port
    except ValueError:
        return _("has a port that is not a number from 1 to 65535")
    if port == 0 or parts.netloc.endswith(":"):
        return _("has a port that is not a number from 1 to 65535")
    if "?" in url or "#" in url:
        return _("must not have a query (?) or fragment (#)")
    if any(c.isspace() for c in url) or not url.isascii():
        return _(
            "must be plain ASCII without spaces (write an international domain in its xn-- form)"
        )
    return None


def normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


# Domains that can never be a published site's (RFC 2606, RFC 6761): a site whose
# `base_url` is one of them is not ready for printed codes.
_RESERVED_TLDS = ("example", "test", "invalid")
_LOCAL_TLDS = ("localhost",)
_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")


def not_for_print(url: str) -> Message | None:
    """Why a base URL cannot go on printed QR codes (what follows "{url} cannot go on
    printed QR codes: "), or None when it can: a reserved example domain, this computer,
    or an IP address."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host:
        return None
    last = host.rsplit(".", 1)[-1]
    if last in _LOCAL_TLDS:
        return _("{host} means this computer only", host=host)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        is_ip = last.isdigit()  # no top-level domain is a number: 127.1, 2130706433
    else:
        is_ip = True
    if is_ip:
        return _(
            "{host} is an IP address; printed codes need a domain name, which lasts as long "
            "as the boards",
            host=host,
        )
    if last in _RESERVED_TLDS or any(
        host == domain or host.endswith("." + domain) for domain in _EXAMPLE_DOMAINS
    ):
        return _(
            "{host} is a domain reserved for examples and tests, which no real site can have",
            host=host,
        )
    return None


def base_url_warnings(site: SiteConfig) -> tuple[ContentError, ...]:
    """A warning (an error with --strict) while ``site.yml``'s ``base_url`` cannot go on
    printed codes: a new site's example address, never changed to the real one."""
    url = site.site_base_url or site.base_url
    why = not_for_print(url)
    if why is None:
        return ()
    problems = Problems()  # the file loaded once already: only the position is wanted here
    text = read_text(site.source, problems)
    node = None if text is None else load_yaml(site.source, text, 1, problems)
    pos = Position(site.source)
    if node is not None:
        f = Fields(site.source, node, 1, problems, schema.SITE)
        value = f.node_of("base_url")
        if value is not None:
            pos = f.pos(value)
    problems.warn(
        pos,
        _("`base_url` {url} cannot go on printed QR codes: {why}", url=url, why=why),
        hint=_(
            "set `base_url` to the address the site is published at before any board is "
            "printed (`bangtin boards --record` refuses until then)"
        ),
    )
    return tuple(problems.warnings)


# top-level folders of every site that no URL prefix may take
RESERVED_FOLDERS = {
    "boards": _("the print-ready boards"),
    "assets": _("stylesheets and pictures, cached for a year by browsers"),
}


def site_language(content_dir: Path) -> str | None:
    """The ``language`` a site's ``site.yml`` names, read leniently (None when it names
    none or cannot be read): it chooses the language of bangtin's own messages, which
    must work even when ``site.yml`` is the file with the errors."""
    path = find_site_file(content_dir)
    if path is None:
        return None
    try:
        data = yaml.safe_load(path.read_bytes())
    except (OSError, yaml.YAMLError, ValueError):
        return None
    value = data.get("language") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def load_config(
    content_dir: Path,
    base_url: str | None = None,
    allow_http: bool = False,
    shared: Path | None = None,
    theme_dir: Path | None = None,
) -> SiteConfig:
    """Read ``site.yml`` from ``content_dir``; raise BuildError listing every problem.

    ``shared`` and ``theme_dir``: what a province gives each of its sites
    (generator.province): its shared notices and media, and its theme (used when
    ``site.yml`` names none)."""
    from generator.models import BoardOptions, Contact, QrOptions, SiteConfig, UrlPrefixes

    problems = Problems()
    path = find_site_file(content_dir)
    if path is None:
        problems.add(
            Position(content_dir / "site.yml"),
            _("site.yml is missing"),
            hint=_("create content/site.yml with at least `title:` and `base_url:`"),
            source_line="",
        )
        raise BuildError(problems.errors)
    text = read_text(path, problems)
    node = None if text is None else load_yaml(path, text, 1, problems)
    if node is None:
        raise BuildError(problems.errors)
    f = Fields(path, node, 1, problems, schema.SITE)

    title = f.text("title")
    url = f.text("base_url")
    if base_url is not None:
        url = base_url
    elif url is not None:
        why = check_base_url(url, allow_http)
        if why is not None:
            f.error(
                f.node_of("base_url"),
                _("`base_url` {why}", why=why),
                hint=_("e.g. https://dinhhung.example/"),
            )

    timezone = f.text("timezone") or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        f.error(
            f.node_of("timezone"),
            _("unknown timezone `{timezone}`", timezone=timezone),
            hint=_("use a name like Asia/Ho_Chi_Minh"),
        )
        timezone = "Asia/Ho_Chi_Minh"

    theme = f.text("theme") or "default"
    if not _NAME.fullmatch(theme):
        f.error(
            f.node_of("theme"), _("theme name `{theme}` must be a plain folder name", theme=theme)
        )
        theme = "default"
    elif theme != "default" and not (content_dir.parent / "themes" / theme).is_dir():
        f.error(
            f.node_of("theme"),
            _(
                "theme `{theme}` not found: there is no folder themes/{theme}/ beside content/",
                theme=theme,
            ),
            hint=_("create the folder, or remove `theme:` to use the default theme"),
        )

    contact = Contact()
    cf = f.group("contact")
    if cf is not None:
        contact = Contact(cf.text("name"), cf.text("phone"), cf.text("email"))

    qr = QrOptions()
    qf = f.group("qr")
    if qf is not None:
        level = (qf.text("error") or "q").lower()
        if level not in ("l", "m", "q", "h"):
            qf.error(
                qf.node_of("error"),
                _("`error` must be one of l, m, q, h, not `{level}`", level=level),
            )
            level = "q"
        scale = qf.integer("scale", 10)
        if not 1 <= scale <= 40:
            qf.error(qf.node_of("scale"), _("`scale` must be between 1 and 40 (pixels per module)"))
            scale = 10
        colours: dict[str, str] = {}
        for key, default in (("dark", "#000000"), ("light", "#ffffff")):
            value = qf.text(key) or default
            if not _COLOUR.fullmatch(value):
                qf.error(
                    qf.node_of(key),
                    _("`{key}` must be a colour like #000000, not `{value}`", key=key, value=value),
                )
                value = default
            colours[key] = value.lower()
        ratio = contrast(colours["dark"], colours["light"])
        if ratio < 4.5:
            qf.error(
                qf.node_of("dark") or qf.node_of("light"),
                _(
                    "QR colours {dark} on {light} have a contrast of {ratio:.1f}:1; "
                    "at least 4.5:1 is needed, dark on light",
                    dark=colours["dark"],
                    light=colours["light"],
                    ratio=ratio,
                ),
                hint=_(
                    "phone cameras read dark modules on a light background: keep dark "
                    "near black and light near white"
                ),
            )
        elif luminance(colours["dark"]) > luminance(colours["light"]):
            qf.error(
                qf.node_of("dark"),
                _("QR `dark` must be darker than `light`: many phones cannot read light-on-dark"),
            )
        qr = QrOptions(cast("ErrorLevel", level), scale, 4, colours["dark"], colours["light"])

    boards = BoardOptions()
    bf = f.group("boards")
    if bf is not None:
        size = (bf.text("size") or "a4").lower()
        if size not in ("a5", "a4", "a3"):
            bf.error(bf.node_of("size"), _("`size` must be a5, a4 or a3, not `{size}`", size=size))
            size = "a4"
        distance = bf.number("distance")
        if distance is not None and not 0.1 <= distance <= 20:
            bf.error(bf.node_of("distance"), _("`distance` is in metres, between 0.1 and 20"))
            distance = None
        boards = BoardOptions(cast("PaperSize", size), distance or 1.0)

    urls = UrlPrefixes()
    uf = f.group("urls")
    if uf is not None:
        prefixes: dict[str, str] = {}
        for key in schema.names(schema.URLS):
            prefix = uf.text(key)
            if prefix is None:
                prefixes[key] = str(getattr(urls, key))
            elif not _SEGMENT.fullmatch(prefix):
                uf.error(
                    uf.node_of(key),
                    _(
                        "URL prefix `{prefix}` must be lowercase ASCII letters, digits and '-'",
                        prefix=prefix,
                    ),
                )
                prefixes[key] = getattr(urls, key)
            elif prefix in RESERVED_FOLDERS:
                uf.error(
                    uf.node_of(key),
                    _(
                        "URL prefix `{prefix}` is a folder bangtin writes itself ({what})",
                        prefix=prefix,
                        what=RESERVED_FOLDERS[prefix],
                    ),
                    hint=_("choose another prefix"),
                )
                prefixes[key] = getattr(urls, key)
            else:
                prefixes[key] = prefix
        urls = UrlPrefixes(**prefixes)
        if len(set(prefixes.values())) != len(prefixes):
            uf.error(
                None,
                _("two URL prefixes are the same"),
                hint=_("give each kind its own prefix"),
            )

    keep = tuple(
        pattern
        for pattern, where in f.text_list("keep") or ()
        if _keep_pattern(pattern, where, problems)
    )
    max_mb = f.integer("media_max_mb", 20)
    if not 1 <= max_mb <= 1000:
        f.error(
            f.node_of("media_max_mb"),
            _("`media_max_mb` must be between 1 and 1000 (megabytes)"),
            hint=_("a resident on mobile data pays for every megabyte: 20 is plenty for a photo"),
        )
        max_mb = 20
    image = f.image()
    deploy_fields = f.group("deploy")
    deploy = read_target(deploy_fields) if deploy_fields is not None else None
    problems.check()
    assert title is not None and url is not None
    declared = f.text("base_url") or url
    return SiteConfig(
        root=content_dir,
        source=path,
        title=title,
        base_url=normalise_base_url(url),
        language=f.text("language") or "vi",
        timezone=timezone,
        theme=theme,
        description=f.text("description") or "",
        contact=contact,
        qr=qr,
        urls=urls,
        boards=boards,
        site_base_url=normalise_base_url(declared),
        keep=keep,
        media_max_mb=max_mb,
        image=image,
        shared=shared,
        theme_dir=theme_dir if not f.has("theme") else None,
        deploy=deploy,
    )


_KEEP = re.compile(r"[A-Za-z0-9._~*?\[\]!-]+(/[A-Za-z0-9._~*?\[\]!-]+)*")


def _keep_pattern(pattern: str, where: Position, problems: Problems) -> bool:
    """A ``keep:`` item: a path or glob pattern inside the output folder."""
    parts = pattern.split("/")
    if _KEEP.fullmatch(pattern) and not any(p in (".", "..") for p in parts):
        return True
    problems.add(
        where,
        _("`keep:` item `{pattern}` is not a file name inside the output folder", pattern=pattern),
        hint=_("write paths like CNAME or .well-known/security.txt or google*.html"),
    )
    return False


def luminance(colour: str) -> float:
    """Relative luminance of ``#rrggbb`` (WCAG 2)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
