"""The ``bangtin`` command line."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator import __version__
from generator.build import BuildResult, build
from generator.config import check_base_url, normalise_base_url
from generator.errors import BuildError, UsageError
from generator.render import builtin

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def content_option(func: F) -> F:
    return click.option(
        "--content",
        "content_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Folder with site.yml, notices/, locations/ and pages/ [default: ./content, "
        "or the built-in sample site when there is none].",
    )(func)


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
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        if debug:
            traceback.print_exc()
        name = f" {exc.filename}" if exc.filename else ""
        click.echo(f"Error: cannot write{name}: {exc.strerror or exc}", err=True)
        click.echo("The previous output folder was left as it was.", err=True)
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
        sys.exit(EXIT_INTERNAL)


def summary(result: BuildResult, output: Path | None) -> str:
    if output is None:
        return f"Checked {result.pages} pages: no errors ({result.seconds:.2f} s)."
    return (
        f"Built {result.pages} pages and {result.codes} QR codes ({result.files} files, "
        f"{result.bytes / 1024:.0f} KiB) into {output} in {result.seconds:.2f} s."
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
@click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"),
    show_default=True,
    help="Folder to write the site to; replaced as a whole when the build succeeds.",
)
@click.option("--base-url", help="Override base_url from site.yml (absolute https URL).")
@click.pass_context
def build_command(
    ctx: click.Context, content_dir: Path | None, output_dir: Path, base_url: str | None
) -> None:
    """Build the site into the output folder, with a QR code for every page."""
    if base_url is not None:
        why = check_base_url(base_url)
        if why:
            raise click.BadParameter(f"{base_url!r} {why}", param_hint="--base-url")
        base_url = normalise_base_url(base_url)

    def action() -> None:
        result = build(resolve_content(content_dir), output_dir, base_url)
        click.echo(summary(result, output_dir))

    run(ctx.obj["debug"], action)


@main.command("check")
@content_option
@click.pass_context
def check_command(ctx: click.Context, content_dir: Path | None) -> None:
    """Check the content as a build would, writing nothing."""

    def action() -> None:
        result = build(resolve_content(content_dir), None)
        click.echo(summary(result, None))

    run(ctx.obj["debug"], action)
