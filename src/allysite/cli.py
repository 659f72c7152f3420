"""The command line (click): the root command and `build`; the entry point is launch.py."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import MappingProxyType

import click

from allysite import __version__
from allysite.terminal import internal_error, out_option, run_build, site_option

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
    run_build(site, out, strict, no_cache)


def main() -> None:
    """The click interface: every command, and `build` in any form (launch.py runs the
    common one itself)."""
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
        internal_error(exc)
    sys.exit(code if isinstance(code, int) else 0)
