"""The theme's Jinja environment: templates found, compiled and rendered to text.

The only module that uses Jinja2.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator.bundled import builtin
from generator.errors import BuildError, ContentError, Position, Problems
from generator.models import Location, Notice, Output, SiteConfig, StandingPage, Tag
from generator.plan.urls import (
    absolute,
    archive_path,
    home_path,
    location_path,
    notice_path,
    page_path,
    relative,
    tag_path,
)
from generator.render.keys import Keys
from generator.render.markup import summarise

STYLESHEET = "style.css"


def theme_dirs(site: SiteConfig) -> list[Path]:
    """The site's theme first (overriding single files), then the default theme."""
    default = builtin("themes") / "default"
    own = site.root.parent / "themes" / site.theme
    if own.is_dir() and own.resolve() != default.resolve():
        return [own, default]
    if site.theme != "default":
        problems = Problems()
        problems.add(
            Position(site.source),
            f"theme `{site.theme}` not found: no folder {own.as_posix()}",
            hint="create the folder, or remove `theme:` to use the default theme",
            source_line="",
        )
        raise BuildError(problems.errors)
    return [default]


def vn_date(value: dt.date | dt.datetime) -> str:
    """dd/mm/yyyy, the way dates are written in Vietnam."""
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: dt.datetime) -> str:
    """dd/mm/yyyy, with the time of day when the notice gives one."""
    if (value.hour, value.minute) == (0, 0):
        return vn_date(value)
    return f"{value.hour:02d}:{value.minute:02d} {vn_date(value)}"


@dataclass(frozen=True, slots=True)
class Links:
    """Links from one page to every other, relative so the site works under any path."""

    site: SiteConfig
    here: str  # URL path of the current page
    assets: Mapping[str, str]  # logical asset name -> fingerprinted path
    root_relative: bool = False  # for 404.html, which is served at any path

    def to(self, path: str) -> str:
        if self.root_relative:
            return self.site.base_path + path
        return relative(self.here, path)

    def key_text(self) -> str:
        """For page keys: the site and assets are in the keys' base."""
        return f"Links({self.here!r}, {self.root_relative})"

    def home(self) -> str:
        return self.to(home_path())

    def notice(self, n: Notice) -> str:
        return self.to(notice_path(self.site, n.slug))

    def location(self, loc: Location) -> str:
        return self.to(location_path(self.site, loc.id))

    def page(self, p: StandingPage) -> str:
        return self.to(page_path(self.site, p.slug))

    def tag(self, t: Tag) -> str:
        return self.to(tag_path(self.site, t.slug))

    def archive(self) -> str:
        return self.to(archive_path(self.site))

    def asset(self, name: str) -> str:
        return self.to(self.assets[name])

    def absolute(self, path: str) -> str:
        return absolute(self.site, path)


class Renderer:
    def __init__(self, site: SiteConfig, dirs: list[Path]) -> None:
        self.site = site
        self.dirs = dirs
        # Templates are compiled in memory on every run: a compiled template is Python
        # code, and nothing executable is ever loaded from the cache.
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["vndate"] = vn_date
        self.env.filters["vndatetime"] = vn_datetime
        self.env.filters["summarise"] = summarise

    def output(
        self,
        path: str,
        template: str,
        context: dict[str, Any],
        common: Mapping[str, Any],
        keys: Keys,
        brief: tuple[str, ...] = (),
        menu: bool = False,
    ) -> Output:
        """``path``, rendered from ``template`` when the writer needs it.

        The key covers ``context`` only: ``common`` (site, plan, bodies, now) is either
        in the keys' base or, for a theme that overrides templates, keys are off.
        """
        key = keys.of(template, context, brief, menu)
        return Output(path, key, lambda: self.render(template, {**common, **ready(context)}))

    def render(self, template: str, context: dict[str, Any]) -> str:
        return "".join(self.stream(template, context))

    def stream(self, template: str, context: dict[str, Any]) -> Iterator[str]:
        """``template`` rendered piece by piece (Jinja's ``generate``)."""
        try:
            yield from self.env.get_template(template).generate(context)
        except jinja2.TemplateSyntaxError as exc:
            path = Path(exc.filename or template)
            raise BuildError(
                [ContentError(Position(path, exc.lineno or 1), f"template error: {exc.message}")]
            ) from exc
        except jinja2.TemplateError as exc:
            raise BuildError([_template_error(exc, template)]) from exc

    def overrides_templates(self) -> bool:
        """Whether the site's own theme replaces any template (see generator.keys)."""
        own = self.dirs[0] / "templates"
        return len(self.dirs) > 1 and own.is_dir() and any(own.iterdir())

    def static_files(self) -> list[tuple[str, bytes]]:
        """The theme's static files (a site theme's file wins over the default's)."""
        found: dict[str, Path] = {}
        for d in reversed(self.dirs):
            folder = d / "static"
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if path.is_file() and not path.name.startswith("."):
                        found[path.name] = path
        if STYLESHEET not in found:
            raise BuildError(
                [
                    ContentError(
                        Position(self.dirs[0] / "static" / STYLESHEET), "theme has no style.css"
                    )
                ]
            )
        return [(name, found[name].read_bytes()) for name in sorted(found)]


def _template_error(exc: jinja2.TemplateError, template: str) -> ContentError:
    """Point at the template line that failed, found in the (Jinja-rewritten) traceback."""
    tb = exc.__traceback__
    where = Position(Path(template))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            where = Position(Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    hint = "check the spelling of the variable in the template"
    return ContentError(where, f"template error: {exc.message or exc}", hint=hint)


@dataclass(frozen=True, slots=True)
class Later:
    """A context value worked out only when the page is rendered, not for its key."""

    make: Callable[[], object]
    key: str  # stands for the value in the page's key

    def key_text(self) -> str:
        return self.key


def ready(context: Mapping[str, Any]) -> dict[str, Any]:
    """``context`` with every ``Later`` value worked out."""
    return {k: v.make() if isinstance(v, Later) else v for k, v in context.items()}


def fingerprint(name: str, data: bytes) -> str:
    """``style.css`` -> ``assets/style.1a2b3c4d.css``: cacheable for a year."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"assets/{stem}.{digest}{dot}{suffix}"
