"""The ``bangtin`` command line."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from generator import __version__, api

if TYPE_CHECKING:
    from generator.models import BuildResult
from generator.bundled import builtin
from generator.errors import BuildError, ContentError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# What a failed build did to its output folder (api.output_state), in the user's words.
AFTER_FAILURE = {
    "kept": "The previous output folder was left as it was.",
    "partly": "The output folder may be partly updated; the next build will be a full one.",
    "written": "The site was written, but the build's records could not be saved; "
    "the next build will be a full one.",
}


def content_option(func: F) -> F:
    return click.option(
        "--content",
        "content_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder with site.yml, notices/, locations/ and pages/ [default: ./content, "
        "or the built-in sample site when there is none].",
    )(func)


def allow_http_option(func: F) -> F:
    return click.option(
        "--allow-http",
        is_flag=True,
        help="Accept an http:// base_url (local previews only: printed codes need https).",
    )(func)


def strict_option(func: F) -> F:
    return click.option(
        "--strict", is_flag=True, help="Treat warnings (boards hard to scan) as errors."
    )(func)


def output_option(help: str, default: Path | None = Path("output")) -> Callable[[F], F]:
    """``--output``: the folder a build writes (``default`` None: no folder unless given)."""
    return click.option(
        "--output",
        "output_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=default,
        show_default=default is not None,
        help=help,
    )


def cache_dir_option(func: F) -> F:
    return click.option(
        "--cache-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder for the build cache (default: $BANGTIN_CACHE_DIR, else the user's "
        "cache folder). Never trusted: every file is checked before use.",
    )(func)


def show_warnings(result: BuildResult | None, warnings: Sequence[ContentError] = ()) -> None:
    shown = result.warnings if result is not None else warnings
    if shown:
        root = Path.cwd()
        click.echo("\n".join(warning.format(root) for warning in shown), err=True)


def resolve_content(content_dir: Path | None) -> Path:
    if content_dir is not None:
        if not content_dir.is_dir():
            raise UsageError(f"content folder {content_dir} does not exist")
        return content_dir
    here = Path("content")
    if here.is_dir():
        return here
    sample = builtin("content")
    click.echo(f"No ./content folder here: using the built-in sample site ({sample}).", err=True)
    return sample


def run(debug: bool, action: Callable[[], None]) -> None:
    """Run ``action`` and turn every failure into a message and an exit code."""
    try:
        action()
    except BuildError as exc:
        click.echo(exc.format(Path.cwd()), err=True)
        sys.exit(EXIT_CONTENT)
    except UsageError as exc:
        click.echo(f"Error: {exc}", err=True)
        if api.output_state(exc) != "kept":
            click.echo(AFTER_FAILURE[api.output_state(exc)], err=True)
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        if debug:
            traceback.print_exc()
        name = f" {exc.filename}" if exc.filename else ""
        click.echo(f"Error: cannot write{name}: {exc.strerror or exc}", err=True)
        click.echo(AFTER_FAILURE[api.output_state(exc)], err=True)
        sys.exit(EXIT_CONTENT)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        else:
            click.echo(
                f"Internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in bangtin; run again with --debug for details.",
                err=True,
            )
        if api.output_state(exc) != "kept":
            click.echo(AFTER_FAILURE[api.output_state(exc)], err=True)
        sys.exit(EXIT_INTERNAL)


def summary(result: BuildResult, output: Path | None) -> str:
    if output is None:
        return f"Checked {result.pages} pages: no errors ({result.seconds:.2f} s)."
    return (
        f"Built {result.pages} pages and {result.codes} QR codes ({result.files} files, "
        f"{result.changed} written, {result.bytes / 1024:.0f} KiB) into {output} "
        f"in {result.seconds:.2f} s."
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bangtin")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """bangtin: build a QR-linked notice-board site from Markdown notices and places."""
    ctx.obj = {"debug": debug}


@main.command("build")
@content_option
@output_option("Folder to write the site to; replaced as a whole when the build succeeds.")
@click.option("--base-url", help="Override base_url from site.yml (absolute https URL).")
@strict_option
@allow_http_option
@cache_dir_option
@click.pass_context
def build_command(
    ctx: click.Context,
    content_dir: Path | None,
    output_dir: Path,
    base_url: str | None,
    strict: bool,
    allow_http: bool,
    cache_dir: Path | None,
) -> None:
    """Build the site into the output folder, with a QR code for every page."""
    if base_url is not None:
        from generator.inputs.config import check_base_url, normalise_base_url

        why = check_base_url(base_url, allow_http)
        if why:
            raise click.BadParameter(f"{base_url!r} {why}", param_hint="--base-url")
        base_url = normalise_base_url(base_url)

    def action() -> None:
        from generator.progress import Progress

        options = api.Options(
            resolve_content(content_dir), Path(output_dir), base_url, strict, allow_http, cache_dir
        )
        with Progress() as progress:
            outcome = api.build(options, progress.stage)
        if outcome.result is None:
            show_warnings(None, outcome.warnings)
            click.echo(f"Nothing changed since the last build: {output_dir} is up to date.")
        else:
            show_warnings(outcome.result)
            click.echo(summary(outcome.result, output_dir))
            if outcome.result.in_place:
                click.echo(
                    f"Note: {output_dir} cannot be replaced whole (a mount point), so it was "
                    "updated in place, file by file.",
                    err=True,
                )

    run(ctx.obj["debug"], action)


@main.command("check")
@content_option
@strict_option
@allow_http_option
@click.pass_context
def check_command(
    ctx: click.Context, content_dir: Path | None, strict: bool, allow_http: bool
) -> None:
    """Check the content as a build would, writing nothing."""

    def action() -> None:
        options = api.Options(resolve_content(content_dir), strict=strict, allow_http=allow_http)
        result = api.check(options)
        show_warnings(result)
        click.echo(summary(result, None))

    run(ctx.obj["debug"], action)


@main.command("serve")
@content_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--bind",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Only change it to show the preview to other devices.",
)
@output_option("Folder for the preview build [default: a temporary folder, removed on exit].", None)
@click.pass_context
def serve_command(
    ctx: click.Context, content_dir: Path | None, port: int, bind: str, output_dir: Path | None
) -> None:
    """Build, serve on http://127.0.0.1:8000/ and rebuild and reload on every save."""
    from generator.serve.server import serve

    def action() -> None:
        serve(resolve_content(content_dir), bind, port, output_dir, log=_log)

    run(ctx.obj["debug"], action)


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


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-12-31") from None


@main.group("new")
def new_group() -> None:
    """Start a new notice or place from a template."""


@new_group.command("notice")
@click.argument("title")
@content_option
@click.option("--locations", help="Place ids, comma separated [default: all places].")
@click.option("--expires", help="Last day the notice is in effect, YYYY-MM-DD.")
@click.option("--pinned", is_flag=True, help="Show it first, marked as urgent.")
@click.pass_context
def new_notice_command(
    ctx: click.Context,
    title: str,
    content_dir: Path | None,
    locations: str | None,
    expires: str | None,
    pinned: bool,
) -> None:
    """Write notices/YYYY-MM-DD-<slug>.md for TITLE (never overwrites)."""
    expires_day = _parse_day(expires)
    ids = [x.strip() for x in locations.split(",") if x.strip()] if locations else None

    def action() -> None:
        from generator.scaffold import new_notice

        content = content_dir or Path("content")
        path = new_notice(content, title, _today(content), ids, expires_day, pinned)
        click.echo(f"Created {path}")

    run(ctx.obj["debug"], action)


@new_group.command("location")
@click.argument("location_id", metavar="ID")
@click.argument("name")
@content_option
@click.pass_context
def new_location_command(
    ctx: click.Context, location_id: str, name: str, content_dir: Path | None
) -> None:
    """Write locations/ID.yml for a place called NAME (never overwrites)."""

    def action() -> None:
        from generator.scaffold import new_location

        path = new_location(content_dir or Path("content"), location_id, name)
        click.echo(f"Created {path}")

    run(ctx.obj["debug"], action)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option("--title", default="Bảng tin xã", show_default=True)
@click.option("--base-url", default="https://bangtin.example/", show_default=True)
@click.pass_context
def init_command(ctx: click.Context, folder: Path, title: str, base_url: str) -> None:
    """Create a new site in FOLDER: content/, a CI workflow and a .gitignore."""
    from generator.inputs.config import check_base_url, normalise_base_url
    from generator.scaffold import init_site

    why = check_base_url(base_url)
    if why:
        raise click.BadParameter(f"{base_url!r} {why}", param_hint="--base-url")

    def action() -> None:
        files = init_site(folder, _today(folder / "content"), title, normalise_base_url(base_url))
        for path in files:
            click.echo(f"Created {path}")
        click.echo(f"Next: cd {folder} && bangtin serve")

    run(ctx.obj["debug"], action)


@main.command("boards")
@content_option
@click.option("--report", is_flag=True, help="Print each board's QR size and reading distance.")
@click.option(
    "--record",
    is_flag=True,
    help="Add the current board URLs to content/printed.yml (do this when boards go to print).",
)
@strict_option
@click.pass_context
def boards_command(
    ctx: click.Context, content_dir: Path | None, report: bool, record: bool, strict: bool
) -> None:
    """Check the print-ready boards; report their sizing; record printed URLs."""

    def action() -> None:
        found = api.boards(api.Options(resolve_content(content_dir), strict=strict), record)
        if report or not record:
            click.echo(found.report, nl=False)
        for warning in found.warnings:
            click.echo(warning.format(Path.cwd()), err=True)
        if strict and found.warnings:
            raise BuildError([dataclasses.replace(w, severity="error") for w in found.warnings])
        for url in found.recorded:
            click.echo(f"Recorded {url}")
        if record:
            click.echo(f"{len(found.recorded)} new URL(s) in the printed-URL ledger.")

    run(ctx.obj["debug"], action)


@main.group("cache")
def cache_group() -> None:
    """The build cache: where it is, and removing it."""


@cache_group.command("clean")
@output_option("Remove only the cache of builds into this folder (default: every cache).", None)
@cache_dir_option
@click.pass_context
def cache_clean_command(
    ctx: click.Context, output_dir: Path | None, cache_dir: Path | None
) -> None:
    """Remove the build cache (always safe: the next build makes it again)."""

    def action() -> None:
        from generator.cache.store import cache_root, clean

        root = cache_root(cache_dir)
        removed = clean(root, output_dir)
        if removed:
            for folder in removed:
                click.echo(f"Removed {folder}")
        else:
            click.echo(f"No cache to remove in {root}.")

    run(ctx.obj["debug"], action)


@cache_group.command("path")
@output_option("The output folder whose cache to show.")
@cache_dir_option
def cache_path_command(output_dir: Path, cache_dir: Path | None) -> None:
    """Print where the cache of builds into the output folder lives."""
    from generator.cache.store import cache_folder

    click.echo(str(cache_folder(output_dir, cache_dir)))
