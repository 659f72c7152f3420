"""The command line: the root command, `build`, and the entry point."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import time
from pathlib import Path
from types import MappingProxyType

import click

from allysite import __version__
from allysite.errors import Level
from allysite.terminal import Progress, color, echo_diagnostics, out_option, site_option

SUBCOMMANDS = MappingProxyType(
    {
        "check": "allysite.cli_editor:check",
        "deploy": "allysite.cli_editor:deploy",
        "i18n": "allysite.cli_i18n:i18n",
        "new": "allysite.cli_editor:new",
        "serve": "allysite.cli_editor:serve",
    }
)
"""Commands of the other command-line modules, imported only when run (or listed)."""


class _Commands(click.Group):
    """`build` here, the other commands imported when asked for: a build with nothing to do
    starts without them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in SUBCOMMANDS:
            module, attribute = SUBCOMMANDS[name].split(":")
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="allysite")
def cli() -> None:
    """allysite: build a static multilingual partner directory from YAML and Markdown."""


@cli.command()
@site_option
@out_option("The output folder.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--no-cache", "no_cache", is_flag=True, help="Ignore the build cache: render everything."
)
def build(site: Path, out: Path | None, strict: bool, no_cache: bool) -> None:
    """Build the site into the output folder (replaced whole, only when the build succeeds)."""
    from allysite.build import build_site

    started = time.perf_counter()
    with Progress() as progress:
        result = build_site(
            site,
            out if out is not None else site / "build",
            strict=strict,
            progress=progress,
            cache=not no_cache,
        )
    echo_diagnostics(result.diagnostics)
    errors = sum(d.level is Level.ERROR for d in result.diagnostics)
    warnings = len(result.diagnostics) - errors
    if not result.ok:
        click.secho(
            f"Build failed: {errors} error(s), {warnings} warning(s). "
            "Nothing was written; the previous output is unchanged.",
            err=True,
            fg="red",
            bold=True,
            color=color(),
        )
        sys.exit(1)
    elapsed = time.perf_counter() - started
    target = out if out is not None else site / "build"
    click.echo(
        f"Built {result.pages} pages ({result.files} files) into {target} "
        f"in {elapsed:.2f} s" + (f", {warnings} warning(s)" if warnings else "") + "."
    )


def main() -> None:
    # Pydantic looks for plugins of its own through every installed package's entry points
    # the first time it builds a validator: 30-50 ms of each build, for plugins the schema's
    # private models have no use for. A value set by the user is kept (an empty one turns
    # the search on again).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        code = cli.main(prog_name="allysite", standalone_mode=False)
    except click.exceptions.Abort:  # click's form of Ctrl-C
        click.echo("Interrupted; the previous output is unchanged.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # never show a traceback to an editor (a compiled
        # library's panic is no Exception: pyo3's PanicException)
        if os.environ.get("ALLYSITE_DEBUG"):
            raise
        click.echo(
            f"allysite: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in allysite; set ALLYSITE_DEBUG=1 to see the traceback "
            "and report it.",
            err=True,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)


def run() -> None:
    """The command's entry point: `main`, then an exit that skips the interpreter's teardown
    (freeing every object and module a build made: 15-60 ms of each build, for memory the
    system frees at once). Every file is closed by then; the standard streams are flushed."""
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if code is not None and not isinstance(code, int):  # (as Python prints such an exit)
        sys.stderr.write(f"{code}\n")
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # (a closed or broken pipe: nothing to flush)
            stream.flush()
    os._exit(code or 0)
