"""The `allysite` command's entry point.

`allysite build` with only its own options (what editors, CI and the dev loop run most) is
parsed here and run without importing click, whose import was 15 of the 100 ms of a build
with nothing to do: the options are taken only in forms that click takes as they are (see
`quick_build`). Anything else (help, another command, a mistake, a path click would refuse)
goes to the click interface (cli.py), which parses and reports it as always.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

INTERRUPTED = "\nInterrupted; the previous output is unchanged.\n"
BuildOptions = tuple[Path, Path | None, bool, bool]
"""`allysite build`'s site, output, --strict and --no-cache."""


def run() -> None:
    """The command's entry point: `main`, then an exit that skips the interpreter's teardown
    (freeing every object and module a build made: 15-60 ms of each build, for memory the
    system frees at once). Every file is closed by then; the standard streams are flushed."""
    try:
        main(sys.argv[1:])
        code: object = 0
    except SystemExit as done:
        code = done.code
    except KeyboardInterrupt:  # (Ctrl-C while the command still imports: no traceback)
        sys.stderr.write("\nInterrupted before anything was done.\n")
        code = 130
    if code is not None and not isinstance(code, int):  # (as Python prints such an exit)
        sys.stderr.write(f"{code}\n")
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # (a closed or broken pipe: nothing to flush)
            stream.flush()
    os._exit(code or 0)


def main(arguments: list[str]) -> None:
    # Pydantic looks for plugins of its own through every installed package's entry points
    # the first time it builds a validator: 30-50 ms of each build, for plugins the schema's
    # private models have no use for. A value set by the user is kept (an empty one turns
    # the search on again).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    options = quick_build(arguments)
    if options is None:
        from allysite.cli import main as click_main

        click_main()
        return
    from allysite.terminal import internal_error, run_build  # (after the command's first lines:
    # this module stays light, so that a Ctrl-C while Python imports it is rare)

    try:
        run_build(*options)
    except KeyboardInterrupt:  # as click shows its Abort (cli.main)
        sys.stderr.write(INTERRUPTED)
        sys.exit(130)
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # (as cli.main: never a traceback)
        internal_error(exc)


def quick_build(arguments: list[str]) -> BuildOptions | None:
    """`allysite build`'s options, when `arguments` hold only them, each once, in forms click
    takes as they are (`--site PATH`, `--site=PATH`, the flags), with paths click's type
    accepts (`_click_takes`); else None, and click parses the command."""
    if not arguments or arguments[0] != "build":
        return None
    paths: dict[str, str] = {}
    flags: set[str] = set()
    rest = iter(arguments[1:])
    for argument in rest:
        name, equals, value = argument.partition("=")
        if name in ("--site", "--out") and name not in paths:
            if not equals:
                value = next(rest, "")
            if not value or value.startswith("-"):
                return None  # (a missing value, or one click may read as an option)
            paths[name] = value
        elif argument in ("--strict", "--no-cache") and argument not in flags:
            flags.add(argument)
        else:
            return None
    site = paths.get("--site", ".")
    out = paths.get("--out")
    if not _click_takes(site, folder=True) or (out is not None and not _click_takes(out)):
        return None
    return (
        Path(site),
        None if out is None else Path(out),
        "--strict" in flags,
        "--no-cache" in flags,
    )


def _click_takes(path: str, folder: bool = False) -> bool:
    """Whether click.Path (as terminal.py's options declare it: need not exist, readable,
    `folder`: not a file) takes the path as it is, so that click never had to say more."""
    try:
        status = os.stat(path)
    except OSError:
        return True
    if folder and stat.S_ISREG(status.st_mode):
        return False
    return os.access(path, os.R_OK)
