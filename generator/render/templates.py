"""The theme's Jinja environment: templates found, compiled and rendered to text.

The only module that uses Jinja2.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from jinja2.sandbox import SandboxedEnvironment

from generator.bundled import STYLESHEET, builtin
from generator.errors import BuildError, ContentError, Position, Problems
from generator.i18n import _
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
from generator.render.deps import Recorder, Registry, Untracked
from generator.render.markup import summarise


def theme_dirs(site: SiteConfig) -> list[Path]:
    """The site's theme first (overriding single files), then the default theme."""
    default = builtin("themes") / "default"
    if site.theme_dir is not None and site.theme_dir.is_dir():  # a province's theme
        return [site.theme_dir, default]
    own = site.root.parent / "themes" / site.theme
    if own.is_dir() and own.resolve() != default.resolve():
        return [own, default]
    if site.theme != "default":
        problems = Problems()
        problems.add(
            Position(site.source),
            _(
                "theme `{theme}` not found: no folder {folder}",
                theme=site.theme,
                folder=own.as_posix(),
            ),
            hint=_("create the folder, or remove `theme:` to use the default theme"),
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


def vn_time(value: dt.datetime) -> str:
    """HH:MM, 24-hour, as times are written in Vietnam."""
    return f"{value.hour:02d}:{value.minute:02d}"


@dataclass(frozen=True, slots=True)
class Links:
    """Links from one page to every other, relative so the site works under any path."""

    site: SiteConfig
    here: str  # URL path of the current page
    assets: Mapping[str, str]  # logical asset name -> fingerprinted path
    root_relative: bool  # for 404.html, which is served at any path
    base: str  # fingerprint of the site and the assets (render.pages.links_to), once a build

    def fingerprint(self) -> str:
        """All its links depend on (render.deps): every one is a function of these."""
        return f"{self.base}|{self.here}|{self.root_relative}"

    def to(self, path: str) -> str:
        if self.root_relative:
            return self.site.base_path + path
        return relative(self.here, path)

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


_RECORDER: ContextVar[Recorder | None] = ContextVar("bangtin_recorder", default=None)


_OWN: dict[type, bool] = {}  # is this a type of bangtin's own (generator.*)?


class _Environment(SandboxedEnvironment):
    """Jinja's sandboxed environment (themes are code, but a template cannot reach
    Python's internals: ``cycler.__init__.__globals__`` is refused), with every read of
    a tracked object handed to the recorder of the output being rendered (render.deps)."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # bangtin's own models and helpers (classes of this package) have no attribute
        # the sandbox guards against except those starting with "_": answered without
        # Jinja's per-read checks, the same answer they would give (the sandbox's cost
        # on `bangtin check` at 2,762 pages: +13.8 % without this, +3.9 % with it)
        kind = type(obj)
        own = _OWN.get(kind)
        if own is None:
            own = _OWN[kind] = kind.__module__.startswith("generator.")
        if own:
            return not attr.startswith("_")
        return bool(super().is_safe_attribute(obj, attr, value))

    def getattr(self, obj: Any, attribute: str) -> Any:
        value = super().getattr(obj, attribute)
        recorder = _RECORDER.get()
        return value if recorder is None else recorder.read(obj, attribute, value)

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        recorder = _RECORDER.get()
        if recorder is None or not isinstance(argument, str):
            return value
        return recorder.read(obj, argument, value)


def _used_whole(value: Any) -> Any:
    """A value printed or given to a filter or test: a tracked object counts whole."""
    recorder = _RECORDER.get()
    if recorder is not None:
        recorder.whole(value)
    return value


def _recording(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` (a filter or test) noting every tracked object it is given whole."""

    @functools.wraps(function)  # keeps Jinja's pass_context & co. markers
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            _used_whole(value)
        return function(*args, **kwargs)

    return wrapper


class Renderer:
    def __init__(
        self, site: SiteConfig, dirs: list[Path], registry: Registry | None = None
    ) -> None:
        """``registry``: the build's tracked objects, whose reads each output records."""
        self.site = site
        self.dirs = dirs
        self.registry = registry or Registry()
        # Templates are compiled in memory on every run: a compiled template is Python
        # code, and nothing executable is ever loaded from the cache.
        self.env = _Environment(
            loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            finalize=_used_whole,
        )
        self.env.filters["vndate"] = vn_date
        self.env.filters["vndatetime"] = vn_datetime
        self.env.filters["vntime"] = vn_time
        self.env.filters["summarise"] = summarise
        for table in (self.env.filters, self.env.tests):
            for name, function in list(table.items()):
                table[name] = _recording(function)
        self._templates: dict[str, str] = {}  # template -> fingerprint of all it loads

    def output(
        self,
        path: str,
        template: str,
        context: dict[str, Any],
        common: Mapping[str, Any],
        extra: Mapping[str, Any] | None = None,
        recorder: Recorder | None = None,
        also: tuple[str, ...] = (),
    ) -> Output:
        """``path``, rendered from ``template`` when the writer needs it.

        Its key fingerprints the templates it loads (and ``also``, templates whose text
        its ``extra`` values render) and ``context`` (render.deps); ``common`` holds
        tracked objects only, whose reads the rendering records (in ``recorder``, if
        given); ``extra`` is worked out from ``context`` and counted through it.
        """
        key = self.key(template, {**common, **context}, also)
        recorder = recorder or self.recorder()
        values = {**common, **context, **(extra or {})}
        return Output(
            path, key, lambda: self.render(template, ready(values), recorder), recorder.reads
        )

    def recorder(self) -> Recorder:
        """A recorder of the reads of one output."""
        return Recorder(self.registry)

    def key(self, template: str, context: Mapping[str, Any], also: tuple[str, ...] = ()) -> str:
        """What a file rendered from ``template`` with ``context`` is made from, but for
        the reads recorded while it is rendered."""
        parts = [self.template_fingerprint(name) for name in (template, *also)]
        fingerprint = self.registry.fingerprint
        for name in sorted(context):
            parts.append(name)
            parts.append(fingerprint(context[name]))
        text = "\0".join(parts).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=16).hexdigest()

    def template_fingerprint(self, template: str) -> str:
        """The text of ``template`` and of every template it extends, includes or imports
        (every template of the theme when a name is only known when rendering)."""
        found = self._templates.get(template)
        if found is None:
            names, todo = set(), [template]
            while todo:
                name = todo.pop()
                if name in names:
                    continue
                names.add(name)
                for ref in _references(self.env, name):
                    todo.extend(self.env.list_templates() if ref is None else [ref])
            h = hashlib.sha256()
            for name in sorted(names):
                source, filename = _source(self.env, name)
                h.update(f"{name}\0{filename}\0{source}\0".encode("utf-8", "surrogatepass"))
            found = self._templates[template] = h.hexdigest()
        return found

    def render(
        self, template: str, context: dict[str, Any], recorder: Recorder | None = None
    ) -> str:
        return "".join(self.stream(template, context, recorder))

    def stream(
        self, template: str, context: dict[str, Any], recorder: Recorder | None = None
    ) -> Iterator[str]:
        """``template`` rendered piece by piece (Jinja's ``generate``), its reads going to
        ``recorder``."""
        token = _RECORDER.set(recorder)
        try:
            yield from self.env.get_template(template).generate(context)
        except jinja2.TemplateSyntaxError as exc:
            path = Path(exc.filename or template)
            message = _("template error: {problem}", problem=str(exc.message))
            raise BuildError([ContentError(Position(path, exc.lineno or 1), message)]) from exc
        except jinja2.TemplateError as exc:
            raise BuildError([_template_error(exc, template)]) from exc
        except Untracked as exc:  # e.g. a theme printing the whole Markdown store
            message = _("template error: {problem}", problem=exc.message)
            problem = ContentError(Position(Path(template)), message)
            raise BuildError([problem]) from exc
        finally:
            _RECORDER.reset(token)

    def static_files(self) -> list[tuple[str, bytes]]:
        """The theme's static files (a site theme's file wins over the default's)."""
        found: dict[str, Path] = {}
        for d in reversed(self.dirs):
            folder = d / "static"
            if folder.is_symlink():
                raise _symlink(folder)
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if path.is_symlink():  # would publish a file from outside the theme
                        raise _symlink(path)
                    if path.is_file() and not path.name.startswith("."):
                        found[path.name] = path
        if STYLESHEET not in found:
            raise BuildError(
                [
                    ContentError(
                        Position(self.dirs[0] / "static" / STYLESHEET),
                        _("theme has no style.css"),
                    )
                ]
            )
        return [(name, found[name].read_bytes()) for name in sorted(found)]


def _symlink(path: Path) -> BuildError:
    return BuildError(
        [
            ContentError(
                Position(path),
                _(
                    "a theme's static file or folder is a symbolic link, which could publish a "
                    "file from outside the project"
                ),
                hint=_("copy the file into the theme's static/ folder instead"),
                source_line="",
            )
        ]
    )


def _template_error(exc: jinja2.TemplateError, template: str) -> ContentError:
    """Point at the template line that failed, found in the (Jinja-rewritten) traceback."""
    tb = exc.__traceback__
    where = Position(Path(template))
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            where = Position(Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    message = _("template error: {problem}", problem=exc.message or str(exc))
    hint = _("check the spelling of the variable in the template")
    return ContentError(where, message, hint=hint)


@dataclass(frozen=True, slots=True)
class Later:
    """A context value worked out only when the page is rendered, not for its key."""

    make: Callable[[], object]
    key: str  # stands for the value in the page's key: changes whenever the value would

    def fingerprint(self) -> str:
        return self.key


def ready(context: Mapping[str, Any]) -> dict[str, Any]:
    """``context`` with every ``Later`` value worked out."""
    return {k: v.make() if isinstance(v, Later) else v for k, v in context.items()}


def asset_path(name: str, data: bytes) -> str:
    """``style.css`` -> ``assets/style.1a2b3c4d.css``: cacheable for a year."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"assets/{stem}.{digest}{dot}{suffix}"


def _references(env: jinja2.Environment, name: str) -> list[str | None]:
    """The templates ``name`` extends, includes or imports (None: known only when rendered)."""
    source, _filename = _source(env, name)
    try:
        return list(jinja2.meta.find_referenced_templates(env.parse(source)))
    except jinja2.TemplateSyntaxError:
        return []  # reported when the template is rendered


def _source(env: jinja2.Environment, name: str) -> tuple[str, str]:
    try:
        assert env.loader is not None
        source, filename, _uptodate = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return "", ""  # reported when the template is rendered
    return source, filename or ""
