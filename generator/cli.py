"""The ``bangtin`` command line."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import shlex
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from generator import __version__, api

if TYPE_CHECKING:
    from generator.deploy.publish import Published
    from generator.models import BuildResult
from generator import i18n
from generator.bundled import builtin
from generator.errors import HINT, BuildError, ContentError, DeployError, UsageError
from generator.i18n import Language, Message, _, n_
from generator.inputs.config import site_language

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# What a failed build did to its output folder (api.output_state), in the user's words.
AFTER_FAILURE = {
    "kept": _("The previous output folder was left as it was."),
    "partly": _("The output folder may be partly updated; the next build will be a full one."),
    "written": _(
        "The site was written, but the build's records could not be saved; "
        "the next build will be a full one."
    ),
}

LANG_KEY = "bangtin.lang"  # ctx.meta: the --lang given, if any


def N_(text: str) -> str:
    """Mark ``text`` (a command's or option's help) for the catalog; click is given the
    English, and our command classes put it into the reader's language when shown."""
    return text


def reader(ctx: click.Context | None, content: Path | None = None) -> Language:
    """The language to speak: ``--lang``, ``$BANGTIN_LANG``, the site's ``language``."""
    option = ctx.meta.get(LANG_KEY) if ctx is not None else None
    folder = content if content is not None else Path("content")
    if ctx is None:
        return i18n.choose(option, lambda: site_language(folder) if folder.is_dir() else None)
    # asked once per option line of --help: site.yml is read once per command line
    key = f"bangtin.reader:{option}:{folder}"
    if key not in ctx.meta:
        ctx.meta[key] = i18n.choose(
            option, lambda: site_language(folder) if folder.is_dir() else None
        )
    found: Language = ctx.meta[key]
    return found


def _lang_in(args: Sequence[str]) -> str | None:
    """``--lang X`` anywhere on the command line, read before click parses it, so that
    ``--help`` (which click acts on as soon as it sees it) speaks that language too."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _said(ctx: click.Context, text: str | None) -> str | None:
    return None if text is None else reader(ctx).catalog.gettext(text)


class Option(click.Option):
    """An option whose help is shown in the reader's language."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        english = self.help
        self.help = _said(ctx, english)
        try:
            return super().get_help_record(ctx)
        finally:
            self.help = english


class _Speaking:
    """What bangtin's commands and groups share: help in the reader's language."""

    help: str | None

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        prefix = reader(ctx).text(_("Usage:")) + " "
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=prefix)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        english = self.help
        self.help = _said(ctx, english)
        try:
            super().format_help_text(ctx, formatter)  # type: ignore[misc]
        finally:
            self.help = english

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [
            record
            for param in self.get_params(ctx)  # type: ignore[attr-defined]
            if (record := param.get_help_record(ctx)) is not None
        ]
        if records:
            with formatter.section(reader(ctx).text(_("Options"))):
                formatter.write_dl(records)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = N_("Show this help and exit.")
            option.__class__ = Option
        return option  # type: ignore[no-any-return]

    def short_help_in(self, ctx: click.Context, limit: int) -> str:
        english = self.help
        self.help = _said(ctx, english)
        try:
            return super().get_short_help_str(limit)  # type: ignore[misc,no-any-return]
        finally:
            self.help = english


class Command(_Speaking, click.Command):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(_lang_param())


class Group(_Speaking, click.Group):
    command_class = Command
    group_class = type  # subgroups are Groups too (click: ``type`` means "this class")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        lang = _lang_in(args)
        if lang is not None:
            ctx.meta[LANG_KEY] = lang
        return super().parse_args(ctx, args)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            if isinstance(command, _Speaking):
                rows.append((name, command.short_help_in(ctx, formatter.width - 6 - len(name))))
            else:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section(reader(ctx).text(_("Commands"))):
                formatter.write_dl(rows)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """click's main, with its usage errors told in the reader's language."""
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo(file=sys.stderr)
            sys.exit(1)
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            lang = reader(ctx)
            if ctx is not None:
                click.echo(ctx.get_usage(), err=True)
                hint = _("Try `{command} --help` for help.", command=ctx.command_path)
                click.echo(lang.text(hint), err=True)
                click.echo(err=True)
            say(lang, _("Error: {message}", message=exc.format_message()), err=True)
            sys.exit(exc.exit_code)


def option(*decls: str, **attrs: Any) -> Callable[[F], F]:
    """``click.option`` with help in the reader's language."""
    return click.option(*decls, cls=Option, **attrs)


def _lang_param() -> Option:
    """``--lang``, which every command and the group take."""
    return Option(
        ["--lang"],
        type=click.Choice(i18n.available()),
        expose_value=False,
        is_eager=True,
        callback=_remember_lang,
        help=N_(
            "Language of bangtin's messages [default: $BANGTIN_LANG, else the site's "
            "language, else vi]."
        ),
    )


def _remember_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[LANG_KEY] = value


def content_option(func: F) -> F:
    return option(
        "--content",
        "content_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help=N_("Folder with site.yml, notices/, locations/ and pages/ [default: ./content]."),
    )(func)


SAMPLE_KEY = "bangtin.sample"  # ctx.meta: --sample was given


def _remember_sample(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[SAMPLE_KEY] = True


def sample_option(func: F) -> F:
    """``--sample``: the sample site that ships with bangtin, only when asked for by name
    (never in place of a missing ./content: a CI job would publish another commune's
    notices)."""
    return option(
        "--sample",
        is_flag=True,
        expose_value=False,
        callback=_remember_sample,
        help=N_("Use the sample site that ships with bangtin (Định Hưng commune)."),
    )(func)


def allow_http_option(func: F) -> F:
    return option(
        "--allow-http",
        is_flag=True,
        help=N_("Accept an http:// base_url (local previews only: printed codes need https)."),
    )(func)


def site_option(func: F) -> F:
    return option(
        "--site",
        "sites",
        multiple=True,
        metavar="ID",
        help=N_("In a province (bangtin.yml here): only this site (repeat for more)."),
    )(func)


def province_here(content_dir: Path | None, sites: Sequence[str]) -> Path | None:
    """The folder of a province to work on: this one, when it has a ``bangtin.yml`` and
    no ``--content`` or ``--sample`` names a single site."""
    from generator.province.config import find_province

    ctx = click.get_current_context(silent=True)
    sample = ctx is not None and bool(ctx.meta.get(SAMPLE_KEY))
    if content_dir is None and not sample and find_province(Path.cwd()) is not None:
        return Path.cwd()
    if sites:
        raise UsageError(_("--site works in a province: a folder with a bangtin.yml"))
    return None


def strict_option(func: F) -> F:
    return option(
        "--strict", is_flag=True, help=N_("Treat warnings (boards hard to scan) as errors.")
    )(func)


def output_option(help: str, default: Path | None = Path("output")) -> Callable[[F], F]:
    """``--output``: the folder a build writes (``default`` None: no folder unless given)."""
    return option(
        "--output",
        "output_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=default,
        show_default=default is not None,
        help=help,
    )


def cache_dir_option(func: F) -> F:
    return option(
        "--cache-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help=N_(
            "Folder for the build cache (default: $BANGTIN_CACHE_DIR, else the user's "
            "cache folder). Never trusted: every file is checked before use."
        ),
    )(func)


def show_warnings(
    lang: Language, result: BuildResult | None, warnings: Sequence[ContentError] = ()
) -> None:
    shown = result.warnings if result is not None else warnings
    if shown:
        root = Path.cwd()
        click.echo("\n".join(warning.format(lang, root) for warning in shown), err=True)


def resolve_content(content_dir: Path | None) -> Path:
    """The content folder a command works on: ``--content``, else ``./content``, else
    (only with ``--sample``) the sample site; a usage error when there is none."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(SAMPLE_KEY):
        if content_dir is not None:
            raise UsageError(_("give either --content or --sample, not both"))
        return builtin("content")
    return site_content(content_dir, sample=True)


def site_content(content_dir: Path | None, sample: bool = False) -> Path:
    """``--content``, else ``./content``: a folder that exists, never made here (a stray
    ``content/`` is not a site).  ``sample``: the command also takes ``--sample``."""
    if content_dir is not None:
        if not content_dir.is_dir():
            raise UsageError(_("content folder {folder} does not exist", folder=str(content_dir)))
        return content_dir
    here = Path("content")
    if here.is_dir():
        return here
    if sample:
        problem = _(
            "there is no content/ folder in {folder}. Start a new site with "
            "`bangtin init FOLDER`, name the site's folder with --content DIR, or try the "
            "sample site with --sample",
            folder=str(Path.cwd()),
        )
    else:
        problem = _(
            "there is no content/ folder in {folder}. Start a new site with "
            "`bangtin init FOLDER`, or name the site's folder with --content DIR",
            folder=str(Path.cwd()),
        )
    raise UsageError(problem)


def say(lang: Language, message: Message, err: bool = False) -> None:
    click.echo(lang.text(message), err=err)


def say_failure(lang: Language, message: Message, hint: Message | None) -> None:
    """``Error: message`` and its hint, on stderr."""
    say(lang, _("Error: {message}", message=message), err=True)
    if hint is not None:
        click.echo(f"  {lang.text(HINT)}: {lang.text(hint)}", err=True)


def run(
    ctx: click.Context, action: Callable[[Language], None], content: Path | None = None
) -> None:
    """Run ``action`` in the reader's language and turn every failure into a message
    and an exit code."""
    debug = bool(ctx.obj and ctx.obj.get("debug"))
    lang = reader(ctx, content)
    try:
        action(lang)
    except BuildError as exc:
        click.echo(exc.format(lang, Path.cwd()), err=True)
        sys.exit(EXIT_CONTENT)
    except DeployError as exc:
        say_failure(lang, exc.message, exc.hint)
        sys.exit(EXIT_CONTENT)
    except UsageError as exc:
        say(lang, _("Error: {message}", message=exc.message), err=True)
        if api.output_state(exc) != "kept":
            say(lang, AFTER_FAILURE[api.output_state(exc)], err=True)
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        if debug:
            traceback.print_exc()
        reason = str(exc.strerror or exc)
        if exc.filename:
            failed = _("cannot write {name}: {reason}", name=str(exc.filename), reason=reason)
        else:
            failed = _("cannot write: {reason}", reason=reason)
        say(lang, _("Error: {message}", message=failed), err=True)
        say(lang, AFTER_FAILURE[api.output_state(exc)], err=True)
        sys.exit(EXIT_CONTENT)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        else:
            bug = _(
                "Internal error: {kind}: {error}\n"
                "This is a bug in bangtin; run again with --debug for details.",
                kind=type(exc).__name__,
                error=str(exc),
            )
            say(lang, bug, err=True)
        if api.output_state(exc) != "kept":
            say(lang, AFTER_FAILURE[api.output_state(exc)], err=True)
        sys.exit(EXIT_INTERNAL)


def summary(result: BuildResult, output: Path | None) -> Message:
    if output is None:
        return _(
            "Checked {pages} pages: no errors ({seconds:.2f} s).",
            pages=result.pages,
            seconds=result.seconds,
        )
    return _(
        "Built {pages} pages and {codes} QR codes ({files} files, {changed} written, "
        "{kib:.0f} KiB) into {output} in {seconds:.2f} s.",
        pages=result.pages,
        codes=result.codes,
        files=result.files,
        changed=result.changed,
        kib=result.bytes / 1024,
        output=str(output),
        seconds=result.seconds,
    )


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, prog_name="bangtin", help=N_("Show the version and exit."), cls=Option
)
@option("--debug", is_flag=True, help=N_("Show tracebacks of internal errors."))
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """bangtin: build a QR-linked notice-board site from Markdown notices and places."""
    ctx.obj = {"debug": debug}


main.params.append(_lang_param())
N_("bangtin: build a QR-linked notice-board site from Markdown notices and places.")


def program() -> Any:
    """The `bangtin` program (and ``python -m generator``): ``main``, then a quick end.
    The process ends with the command: what is still alive is frozen (``gc.freeze``) so
    that the interpreter's last collections pass it by; a province's no-op ends ~50 ms
    sooner (the rest of its teardown is unchanged: atexit, finalizers, flushing)."""
    try:
        return main()
    finally:
        import gc

        gc.freeze()


@main.command(
    "build", help=N_("Build the site into the output folder, with a QR code for every page.")
)
@content_option
@sample_option
@output_option(N_("Folder to write the site to; replaced as a whole when the build succeeds."))
@option("--base-url", help=N_("Override base_url from site.yml (absolute https URL)."))
@strict_option
@allow_http_option
@cache_dir_option
@site_option
@click.pass_context
def build_command(
    ctx: click.Context,
    content_dir: Path | None,
    output_dir: Path,
    base_url: str | None,
    strict: bool,
    allow_http: bool,
    cache_dir: Path | None,
    sites: tuple[str, ...],
) -> None:
    if base_url is not None:
        base_url = _checked_base_url(ctx, base_url, allow_http)

    def action(lang: Language) -> None:
        from generator.progress import Progress

        root = province_here(content_dir, sites)
        if root is not None:
            if base_url is not None:
                raise UsageError(_("--base-url names one site's address: not for a province"))
            options = api.Options(
                root, Path(output_dir), None, strict, allow_http, cache_dir=cache_dir
            )
            changed = run_province(lang, root, options, sites)
            _github_output(changed)
            return

        options = api.Options(
            resolve_content(content_dir), Path(output_dir), base_url, strict, allow_http, cache_dir
        )
        with Progress(lang) as progress:
            outcome = api.build(options, progress.stage)
        if outcome.result is None:
            show_warnings(lang, None, outcome.warnings)
            say(
                lang,
                _(
                    "Nothing changed since the last build: {output} is up to date.",
                    output=str(output_dir),
                ),
            )
        else:
            show_warnings(lang, outcome.result)
            say(lang, summary(outcome.result, output_dir))
            if outcome.result.in_place:
                note = _(
                    "Note: {output} cannot be replaced whole (a mount point), so it was "
                    "updated in place, file by file.",
                    output=str(output_dir),
                )
                say(lang, note, err=True)
        _github_output(outcome.result is not None and outcome.result.site_changed)

    run(ctx, action, content_dir)


def _github_output(changed: bool) -> None:
    """On GitHub Actions, say whether the site changed: publish only a changed site."""
    from os import environ

    if environ.get("GITHUB_OUTPUT"):
        with open(environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as steps:
            steps.write(f"changed={str(changed).lower()}\n")


def run_province(lang: Language, root: Path, options: api.Options, sites: Sequence[str]) -> bool:
    """Build (or check) a province's sites, each reported as it finishes; exits 1 when
    one failed.  Whether any site (or the hub) changed."""
    from generator.province.build import SiteOutcome, build_province
    from generator.province.config import load_province

    province = load_province(root)
    cwd = Path.cwd()

    def done(o: SiteOutcome) -> None:
        if o.failed:
            say(lang, _("Site {site}:", site=o.id), err=True)
            if o.errors:
                click.echo(BuildError(list(o.errors)).format(lang, cwd), err=True)
            if o.failure is not None:
                say(lang, _("Error: {message}", message=o.failure), err=True)
            return
        show_warnings(lang, None, o.warnings)
        if o.result is None:
            say(lang, _("{site}: nothing changed since the last build.", site=o.id))
        else:
            folder = None if options.output is None else options.output / o.id
            say(lang, _("{site}: {summary}", site=o.id, summary=summary(o.result, folder)))

    outcome = build_province(province, options, sites, done)
    failed = [o.id for o in outcome.sites if o.failed]
    if outcome.hub and options.output is not None:
        say(lang, _("Hub: {path}", path=str(options.output / "index.html")))
    if failed:
        say(
            lang,
            n_(
                "{count} site of {total} failed: {sites}",
                "{count} sites of {total} failed: {sites}",
                len(failed),
                count=len(failed),
                total=len(outcome.sites),
                sites=", ".join(failed),
            ),
            err=True,
        )
        sys.exit(EXIT_CONTENT)
    return outcome.hub_changed or any(
        o.result is not None and o.result.site_changed for o in outcome.sites
    )


def _checked_base_url(ctx: click.Context, base_url: str, allow_http: bool = False) -> str:
    from generator.inputs.config import check_base_url, normalise_base_url

    why = check_base_url(base_url, allow_http)
    if why is not None:
        message = _("{url} {why}", url=repr(base_url), why=why)
        raise click.BadParameter(reader(ctx).text(message), param_hint="--base-url")
    return normalise_base_url(base_url)


@main.command("check", help=N_("Check the content as a build would, writing nothing."))
@content_option
@sample_option
@strict_option
@allow_http_option
@site_option
@click.pass_context
def check_command(
    ctx: click.Context,
    content_dir: Path | None,
    strict: bool,
    allow_http: bool,
    sites: tuple[str, ...],
) -> None:
    def action(lang: Language) -> None:
        root = province_here(content_dir, sites)
        if root is not None:
            run_province(lang, root, api.Options(root, None, None, strict, allow_http), sites)
            return
        options = api.Options(resolve_content(content_dir), strict=strict, allow_http=allow_http)
        result = api.check(options)
        show_warnings(lang, result)
        say(lang, summary(result, None))

    run(ctx, action, content_dir)


@main.command(
    "deploy",
    help=N_(
        "Upload the built site to S3-compatible object storage (a bucket behind a CDN): "
        "only the files that changed, files before the pages that show them, deletions "
        "last. The target is `deploy:` in site.yml (or in a province's bangtin.yml); "
        "credentials come from the environment (AWS_ACCESS_KEY_ID, ...)."
    ),
)
@content_option
@output_option(N_("The built site to upload (a province: the folder of every site)."))
@site_option
@option(
    "--dry-run",
    is_flag=True,
    help=N_("List what would be uploaded and deleted, and change nothing."),
)
@option(
    "--directory-keys",
    is_flag=True,
    help=N_(
        "Also store each page …/index.html at the key …/, for a bucket served without a "
        "rule that adds index.html (as `directory_keys: true` in the target)."
    ),
)
@click.pass_context
def deploy_command(
    ctx: click.Context,
    content_dir: Path | None,
    output_dir: Path,
    sites: tuple[str, ...],
    dry_run: bool,
    directory_keys: bool,
) -> None:
    how = api.Deploy(Path(output_dir), dry_run, directory_keys, sites)

    def action(lang: Language) -> None:
        root = province_here(content_dir, sites)
        if root is not None:
            deploy_province(lang, root, how)
            return
        from generator.progress import Progress

        with Progress(lang) as progress:
            report = api.deploy_site(site_content(content_dir), how, progress.stage)
        show_deployed(lang, report)

    run(ctx, action, content_dir)


def deploy_province(lang: Language, root: Path, how: api.Deploy) -> None:
    """Deploy a province's sites and hub, each reported as it is done; exits 1 when one
    failed."""

    def done(d: api.Deployed) -> None:
        name = d.id or "hub"
        if d.report is not None:
            click.echo(f"{name}: ", nl=False)
            show_deployed(lang, d.report)
        elif d.failed:
            say(lang, _("Site {site}:", site=name), err=True)
            if d.errors:
                click.echo(BuildError(list(d.errors)).format(lang, Path.cwd()), err=True)
            if d.failure is not None:
                say_failure(lang, d.failure, d.hint)
        else:
            say(lang, _("{site}: no deploy target, not deployed.", site=name), err=True)

    outcomes = api.deploy_province(root, how, done)
    failed = [d.id or "hub" for d in outcomes if d.failed]
    if failed:
        say(
            lang,
            n_(
                "{count} deploy of {total} failed: {sites}",
                "{count} deploys of {total} failed: {sites}",
                len(failed),
                count=len(failed),
                total=len(outcomes),
                sites=", ".join(failed),
            ),
            err=True,
        )
        sys.exit(EXIT_CONTENT)


def show_deployed(lang: Language, report: Published) -> None:
    """What a deploy did (or would do), the keys too for a dry run."""
    plan = report.plan
    new = sum(1 for u in plan.uploads if not u.replaces)
    if report.dry_run:
        words = {"replace": lang.text(_("replace")), "upload": lang.text(_("upload"))}
        width = max(len(w) for w in [*words.values(), lang.text(_("delete"))])
        for upload in plan.uploads:
            word = words["replace" if upload.replaces else "upload"]
            click.echo(f"  {word:{width}}  {report.target.prefix}{upload.key}")
        for key in plan.deletes:
            click.echo(f"  {lang.text(_('delete')):{width}}  {report.target.prefix}{key}")
        say(
            lang,
            _(
                "Dry run, {target}: {compared} objects compared; {upload} to upload ({new} "
                "new, {replace} to replace), {delete} to delete, {unchanged} unchanged. "
                "Nothing was changed.",
                target=report.target.shown(),
                compared=plan.compared,
                upload=len(plan.uploads),
                new=new,
                replace=len(plan.uploads) - new,
                delete=len(plan.deletes),
                unchanged=len(plan.unchanged),
            ),
        )
    else:
        say(
            lang,
            _(
                "Deployed to {target}: {compared} objects compared, {uploaded} uploaded "
                "({kib:.0f} KiB), {deleted} deleted, {unchanged} unchanged, in {seconds:.2f} s.",
                target=report.target.shown(),
                compared=plan.compared,
                uploaded=len(plan.uploads),
                kib=report.uploaded_bytes / 1024,
                deleted=len(plan.deletes),
                unchanged=len(plan.unchanged),
                seconds=report.seconds,
            ),
        )
    if report.record == "untrusted":
        note = _(
            "Note: the deploy record in the bucket is not one bangtin wrote; each object "
            "was compared by its own metadata instead (slower), and the record is written anew."
        )
        say(lang, note, err=True)
    if plan.foreign:
        say(
            lang,
            n_(
                "{n} object in the folder was not uploaded by bangtin and was left alone "
                "(for example {key}).",
                "{n} objects in the folder were not uploaded by bangtin and were left alone "
                "(for example {key}).",
                len(plan.foreign),
                key=report.target.prefix + plan.foreign[0],
            ),
            err=True,
        )


@main.command(
    "serve", help=N_("Build, serve on http://127.0.0.1:8000/ and rebuild and reload on every save.")
)
@content_option
@sample_option
@option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help=N_("Port to listen on."),
)
@option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help=N_("Address to listen on. Only change it to show the preview to other devices."),
)
@output_option(
    N_("Folder for the preview build [default: a temporary folder, removed on exit]."), None
)
@click.pass_context
def serve_command(
    ctx: click.Context, content_dir: Path | None, port: int, bind: str, output_dir: Path | None
) -> None:
    from generator.serve.server import serve

    def action(lang: Language) -> None:
        serve(resolve_content(content_dir), bind, port, output_dir, log=_log, lang=lang)

    run(ctx, action, content_dir)


def _log(message: str) -> None:
    click.echo(message, err=True)


def _today(content: Path) -> dt.date:
    """Today in the site's timezone (``SOURCE_DATE_EPOCH`` when set)."""
    from generator.clock import now
    from generator.inputs.config import load_config

    tz = "Asia/Ho_Chi_Minh"
    # a broken site.yml must not stop `new`; the default zone is the likely one
    with contextlib.suppress(BuildError):
        tz = load_config(content).timezone
    return now(ZoneInfo(tz)).date()


def _parse_expiry(ctx: click.Context, value: str | None) -> dt.date | dt.datetime | None:
    """A day ``YYYY-MM-DD`` or a time ``YYYY-MM-DDTHH:MM`` (in the site's timezone)."""
    if value is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
            return dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    message = _(
        "{value} is not a date like 2026-12-31 or a time like 2026-12-31T18:00", value=repr(value)
    )
    raise click.BadParameter(reader(ctx).text(message))


@main.group("new", help=N_("Start a new notice, place or page from a template."))
def new_group() -> None:
    pass


@new_group.command(
    "notice", help=N_("Write notices/YYYY-MM-DD-<slug>.md for TITLE (never overwrites).")
)
@click.argument("title")
@content_option
@option("--locations", help=N_("Place ids, comma separated [default: all places]."))
@option(
    "--expires",
    help=N_(
        "When the notice stops being in effect: its last day, YYYY-MM-DD, or a time, "
        "YYYY-MM-DDTHH:MM."
    ),
)
@option("--pinned", is_flag=True, help=N_("Keep it at the top of lists, marked as pinned."))
@option(
    "--urgent",
    is_flag=True,
    help=N_("An emergency: a banner on every page while it is in effect (give --expires)."),
)
@click.pass_context
def new_notice_command(
    ctx: click.Context,
    title: str,
    content_dir: Path | None,
    locations: str | None,
    expires: str | None,
    pinned: bool,
    urgent: bool,
) -> None:
    expires_at = _parse_expiry(ctx, expires)
    ids = [x.strip() for x in locations.split(",") if x.strip()] if locations else None

    def action(lang: Language) -> None:
        from generator.scaffold import new_notice

        content = site_content(content_dir)
        path = new_notice(
            content, title, _today(content), ids, expires_at, pinned=pinned, urgent=urgent
        )
        say(lang, _("Created {path}", path=str(path)))

    run(ctx, action, content_dir)


@new_group.command(
    "location", help=N_("Write locations/ID.yml for a place called NAME (never overwrites).")
)
@click.argument("location_id", metavar="ID")
@click.argument("name")
@content_option
@click.pass_context
def new_location_command(
    ctx: click.Context, location_id: str, name: str, content_dir: Path | None
) -> None:
    def action(lang: Language) -> None:
        from generator.scaffold import new_location

        path = new_location(site_content(content_dir), location_id, name)
        say(lang, _("Created {path}", path=str(path)))

    run(ctx, action, content_dir)


@new_group.command(
    "page", help=N_("Write pages/<slug>.md, a standing page, for TITLE (never overwrites).")
)
@click.argument("title")
@content_option
@click.pass_context
def new_page_command(ctx: click.Context, title: str, content_dir: Path | None) -> None:
    def action(lang: Language) -> None:
        from generator.scaffold import new_page

        path = new_page(site_content(content_dir), title)
        say(lang, _("Created {path}", path=str(path)))

    run(ctx, action, content_dir)


@main.command(
    "init", help=N_("Create a new site in FOLDER: content/, a CI workflow and a .gitignore.")
)
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@option("--title", default="Bảng tin xã", show_default=True, help=N_("The site's title."))
@option(
    "--base-url",
    default="https://bangtin.example/",
    show_default=True,
    help=N_("The address the site will be published at (absolute https URL)."),
)
@option(
    "--province",
    is_flag=True,
    help=N_(
        "Create a province instead: bangtin.yml naming two sites, a shared folder and a "
        "workflow that checks only the sites a pull request changes (--title and "
        "--base-url: the hub's)."
    ),
)
@click.pass_context
def init_command(
    ctx: click.Context, folder: Path, title: str, base_url: str, province: bool
) -> None:
    from generator import workflow
    from generator.scaffold import init_province, init_site

    base_url = _checked_base_url(ctx, base_url)
    if province and ctx.get_parameter_source("title") is click.core.ParameterSource.DEFAULT:
        title = "Bảng tin các xã"  # the hub's title: a list of communes

    def action(lang: Language) -> None:
        if province:
            files = init_province(folder, _today(folder), title, base_url)
        else:
            files = init_site(folder, _today(folder / "content"), title, base_url)
        for path in files:
            say(lang, _("Created {path}", path=str(path)))
        unreachable = workflow.problem(workflow.installed(), folder / workflow.PATH)
        if unreachable is not None:  # CI cannot install this bangtin: the workflow says so too
            say(lang, unreachable, err=True)
        # a province: check lists the notices each commune has still to write
        command = "bangtin check" if province else "bangtin serve"
        next_step = "cd " + shlex.quote(str(folder)) + " && " + command
        say(lang, _("Next: {command}", command=next_step))

    run(ctx, action, folder / "content")


@main.command(
    "changed-sites",
    help=N_(
        "In a province: print the ids of the sites that the changes since a git commit "
        "touch, one per line (a change to bangtin.yml or the shared folder touches all)."
    ),
)
@option(
    "--since",
    metavar="REF",
    help=N_(
        "The git commit, branch or tag to compare the working tree with, such as "
        "origin/main (uncommitted and new files count too)."
    ),
)
@click.pass_context
def changed_sites_command(ctx: click.Context, since: str | None) -> None:
    def action(lang: Language) -> None:
        from generator.province.changes import changed_sites
        from generator.province.config import find_province, load_province

        if since is None:  # said here, not by click: in the reader's language
            raise UsageError(_("name the commit to compare with, e.g. --since origin/main"))
        root = Path.cwd()
        if find_province(root) is None:
            raise UsageError(
                _(
                    "there is no bangtin.yml in {folder}: changed-sites works in the "
                    "folder of a province",
                    folder=str(root),
                )
            )
        ids = changed_sites(load_province(root), since)
        for site_id in ids:
            click.echo(site_id)
        if not ids:
            say(lang, _("No site is touched by the changes since {ref}.", ref=since), err=True)

    run(ctx, action)


@main.command(
    "boards", help=N_("Check the print-ready boards; report their sizing; record printed URLs.")
)
@content_option
@sample_option
@option("--report", is_flag=True, help=N_("Print each board's QR size and reading distance."))
@option(
    "--record",
    is_flag=True,
    help=N_("Add the current board URLs to content/printed.yml (do this when boards go to print)."),
)
@strict_option
@click.pass_context
def boards_command(
    ctx: click.Context, content_dir: Path | None, report: bool, record: bool, strict: bool
) -> None:
    def action(lang: Language) -> None:
        found = api.boards(api.Options(resolve_content(content_dir), strict=strict), record)
        if report or not record:
            click.echo(found.report.text(lang), nl=False)
        for warning in found.warnings:
            click.echo(warning.format(lang, Path.cwd()), err=True)
        if strict and found.warnings:
            raise BuildError([dataclasses.replace(w, severity="error") for w in found.warnings])
        for url in found.recorded:
            say(lang, _("Recorded {url}", url=url))
        if record:
            say(
                lang,
                n_(
                    "{n} new URL in the printed-URL ledger.",
                    "{n} new URLs in the printed-URL ledger.",
                    len(found.recorded),
                ),
            )

    run(ctx, action, content_dir)


@main.group("cache", help=N_("The build cache: where it is, and removing it."))
def cache_group() -> None:
    pass


@cache_group.command(
    "clean", help=N_("Remove the build cache (always safe: the next build makes it again).")
)
@output_option(N_("Remove only the cache of builds into this folder (default: every cache)."), None)
@cache_dir_option
@click.pass_context
def cache_clean_command(
    ctx: click.Context, output_dir: Path | None, cache_dir: Path | None
) -> None:
    def action(lang: Language) -> None:
        from generator.cache.store import cache_root, clean

        root = cache_root(cache_dir)
        removed = clean(root, output_dir)
        if removed:
            for folder in removed:
                say(lang, _("Removed {folder}", folder=str(folder)))
        else:
            say(lang, _("No cache to remove in {folder}.", folder=str(root)))

    run(ctx, action)


@cache_group.command(
    "path", help=N_("Print where the cache of builds into the output folder lives.")
)
@output_option(N_("The output folder whose cache to show."))
@cache_dir_option
def cache_path_command(output_dir: Path, cache_dir: Path | None) -> None:
    from generator.cache.store import cache_folder

    click.echo(str(cache_folder(output_dir, cache_dir)))


def _parse_day(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """``--since`` / ``--until``: a day, YYYY-MM-DD (in the site's timezone)."""
    if value is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    message = _("{value} is not a date like 2026-11-30", value=repr(value))
    raise click.BadParameter(reader(ctx).text(message), ctx=ctx, param=param)


@main.command(
    "stats",
    help=N_(
        "Count the scans of each board, per day, from the web server's access logs "
        "(combined format or JSON lines, plain or .gz). No address or user agent is "
        "written anywhere."
    ),
)
@click.argument("logs", metavar="LOG...", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@content_option
@option(
    "--site",
    "site_id",
    metavar="ID",
    help=N_("In a province (bangtin.yml here): the site whose boards to count."),
)
@option(
    "--since",
    callback=_parse_day,
    metavar="YYYY-MM-DD",
    help=N_("First day to count (in the site's timezone) [default: the first in the logs]."),
)
@option(
    "--until",
    callback=_parse_day,
    metavar="YYYY-MM-DD",
    help=N_("Last day to count, included [default: the last in the logs]."),
)
@option(
    "--format",
    "out_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help=N_("What to print: a table, CSV (board,date,scans,views) or JSON."),
)
@option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=N_(
        "Also write an HTML report (charts and tables) into this folder, for the team: "
        "keep it out of the site's output folder."
    ),
)
@click.pass_context
def stats_command(
    ctx: click.Context,
    logs: tuple[Path, ...],
    content_dir: Path | None,
    site_id: str | None,
    since: dt.date | None,
    until: dt.date | None,
    out_format: str,
    report_dir: Path | None,
) -> None:
    def action(lang: Language) -> None:
        from generator.province.config import find_province, load_province
        from generator.stats import report

        if not logs:
            raise UsageError(_("name at least one access log, e.g. `bangtin stats access.log`"))
        if since is not None and until is not None and since > until:
            raise UsageError(_("--since {since} is after --until {until}", since=str(since),
                               until=str(until)))  # fmt: skip
        shared = None
        if content_dir is None and find_province(Path.cwd()) is not None:
            province = load_province(Path.cwd())
            if site_id is None:
                raise UsageError(
                    _(
                        "this is a province: name the site with --site ID (its sites: {ids})",
                        ids=", ".join(m.id for m in province.sites),
                    )
                )
            content, shared = province.site(site_id).content, province.shared
        elif site_id is not None:
            raise UsageError(_("--site works in a province: a folder with a bangtin.yml"))
        else:
            content = site_content(content_dir)
        found = api.stats(content, logs, since, until, shared)
        for reading in found.readings:
            if reading.unknown:
                say(lang, report.unknown_summary(reading.name, reading.unknown), err=True)
            if reading.truncated:
                say(lang, _("{file} ends early (a .gz cut short): its lines up to "
                            "{line} were counted", file=reading.name, line=reading.lines),
                    err=True)  # fmt: skip
        if out_format == "csv":
            click.echo(report.to_csv(found.counts), nl=False)
        elif out_format == "json":
            click.echo(report.to_json(found.counts), nl=False)
        else:
            click.echo(report.to_table(found.counts, found.targets, lang), nl=False)
        if report_dir is not None:
            path = api.write_report(report_dir, found)
            say(lang, _("Report: {path}", path=str(path)), err=True)

    run(ctx, action, content_dir)
