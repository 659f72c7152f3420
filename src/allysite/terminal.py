"""What the command line shows: diagnostics, progress, failures. Only the CLI modules print."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NoReturn

from allysite.errors import Diagnostic, Level, printable

if TYPE_CHECKING:  # loaded lazily, so that 'allysite --help' starts fast
    from allysite.build import BuildResult
    from allysite.config import SiteConfig
    from allysite.model import Content

# click is imported where it is used: a build run by launch.py shows its result without it
# (its import was 15 of the 100 ms of a build with nothing to do).


def color() -> bool | None:
    """Colour only on a terminal (click's default), and never with NO_COLOR set."""
    return False if os.environ.get("NO_COLOR") else None


def echo_diagnostics(diagnostics: tuple[Diagnostic, ...]) -> None:
    if not diagnostics:
        return
    import click

    for diagnostic in diagnostics:
        style = "red" if diagnostic.level is Level.ERROR else "yellow"
        click.secho(diagnostic.format(), err=True, fg=style, color=color())


def site_option(function: Callable[..., None]) -> Callable[..., None]:
    import click

    return click.option(
        "--site",
        "site",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default="the current folder",
        help="The site folder (with site.yaml).",
    )(function)


def out_option(help_text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """`--out`, the output folder: build/ inside the site unless given."""
    import click

    return click.option(
        "--out",
        "out",
        type=click.Path(path_type=Path),
        default=None,
        show_default="build/ inside the site folder",
        help=help_text,
    )


def fail(diagnostics: list[Diagnostic], what: str) -> NoReturn:
    import click

    from allysite.errors import sorted_diagnostics

    echo_diagnostics(sorted_diagnostics(diagnostics))
    click.secho(what, err=True, fg="red", bold=True, color=color())
    sys.exit(1)


def say(line: str) -> None:
    """A line on standard output, as click.echo writes it, without importing click."""
    if sys.stdout is None:  # (no console: pythonw)
        return
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except UnicodeEncodeError:  # a path the stream's encoding cannot show: click's writer
        import click  # replaces what it cannot (nothing was written: the line is encoded whole)

        click.echo(line)


def internal_error(exc: BaseException) -> NoReturn:
    """A failure of allysite itself, told without a traceback (an editor cannot act on one),
    exit status 70; with ALLYSITE_DEBUG set, raised again, traceback and all. An error of
    the operating system about a path (a read-only folder, a name too long, a file where a
    folder should be) is no failure of allysite's: it is told as the path's, exit status 1."""
    if os.environ.get("ALLYSITE_DEBUG"):
        raise exc
    if isinstance(exc, OSError) and exc.errno in _PATH_ERRORS and exc.filename is not None:
        shown = _shown_path(os.fsdecode(exc.filename))
        sys.stderr.write(
            f"{shown}: error: {exc.strerror}\n  hint: {_PATH_ERRORS[exc.errno]}\n"
            "Nothing more was done.\n"
        )
        sys.exit(1)
    sys.stderr.write(
        f"allysite: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in allysite; set ALLYSITE_DEBUG=1 to see the traceback and report it.\n"
    )
    sys.exit(70)


_PATH_ERRORS = MappingProxyType(
    {
        errno.EACCES: "check that you may write there (its permissions)",
        errno.EPERM: "check that you may write there (its permissions)",
        errno.EROFS: "the file system there is read-only: work in a folder you can write to",
        errno.ENAMETOOLONG: "use a shorter name: the file system refuses this one",
        errno.ENOTDIR: "a file is in the way where a folder is needed: move or rename it",
        errno.EEXIST: "a file is in the way where a folder is needed: move or rename it",
        errno.ENOSPC: "free some disk space, then run the command again",
        errno.EDQUOT: "free some disk space, then run the command again",
        errno.EFBIG: "free some disk space, or raise the limit on file sizes (ulimit -f)",
    }
)
"""The operating system's errors about a path that the user can act on, and how."""


def _shown_path(path: str) -> str:
    """A path as typed: relative to the current folder when it is inside it."""
    with contextlib.suppress(ValueError, OSError):
        relative = os.path.relpath(path)
        return path if relative.startswith("..") else relative
    return path


def run_build(site: Path, out: Path | None, strict: bool, no_cache: bool) -> None:
    """`allysite build`: the site built into the output folder (build/ inside it unless
    given), its problems and the result shown; exits with 1 when it failed. The body of the
    click command (cli.py) and of launch.py's quick start."""
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
        import click

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
    say(
        f"Built {result.pages} pages ({result.files} files) into {target} "
        f"in {elapsed:.2f} s" + (f", {warnings} warning(s)" if warnings else "") + _reuse(result)
    )
    if result.cache_note:  # (no problem of the site's: the exit status stays 0)
        sys.stderr.write(f"note: {printable(result.cache_note)}\n")


def _reuse(result: BuildResult) -> str:
    """What a rebuild took from the last build: an editor (or a benchmark) then sees when
    an edit made the whole site render again."""
    if result.cached:
        return ": nothing changed."
    rendered = len(result.rendered)
    if rendered < result.pages:
        return f": {rendered} rendered, the others kept from the last build."
    return "."


def site_config(site: Path) -> SiteConfig:
    from allysite.config import load_config

    config, problems = load_config(site.resolve())
    if config is None:
        fail(problems, "Cannot read the site's settings.")
    return config


def site_content(config: SiteConfig) -> Content:
    """The content, as a build loads it; a problem a build refuses stops the command. File
    names that are not UTF-8 are looked for first, as a build does (i18n status exited 0)."""
    from allysite.errors import has_errors
    from allysite.inputindex import scan_inputs, undecodable_names
    from allysite.loader import load_content
    from allysite.pipeline import THEME

    problems = undecodable_names(scan_inputs(config.root, THEME))
    if not problems:
        content, problems = load_content(config)
    if has_errors(problems):
        fail(problems, "Fix the content first: the build reports the same problems.")
    return content


# --- progress: a bar on a terminal, plain lines in CI and pipes ---------------------------------


class Progress:
    """Told (stage, done, total) by long work. On a terminal it draws a rich progress bar on
    stderr (colour only there, never with NO_COLOR); elsewhere (CI, a pipe) it writes a plain
    line when a stage starts and at every tenth of it. Work done within two seconds shows
    nothing: only long work needs telling about."""

    QUIET_SECONDS = 2.0

    LABELS = {  # noqa: RUF012 - read-only, inside the only printing module
        "wait": "Waiting for another allysite process to finish writing the output",
        "load": "Reading the site",
        "render": "Rendering pages",
        "search": "Indexing for search",
        "write": "Writing the output",
        "compare": "Comparing with the bucket",
        "upload": "Uploading",
    }

    def __init__(self) -> None:
        self.live = sys.stderr.isatty() and not os.environ.get("CI")
        self.stage = ""
        self.shown = -1
        self.bar: object | None = None
        self.task: object | None = None
        self.started = time.monotonic()

    def __enter__(self) -> Progress:
        self.started = time.monotonic()
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            self.bar.start()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()  # type: ignore[attr-defined]
            self.bar = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        label = self.LABELS.get(stage, stage)
        if self.bar is not None:
            bar = self.bar
            if stage != self.stage:
                self.task = bar.add_task(label, total=total or None)  # type: ignore[attr-defined]
            bar.update(self.task, completed=done, total=total or None)  # type: ignore[attr-defined]
        elif time.monotonic() - self.started >= self.QUIET_SECONDS:
            tenth = done * 10 // total if total else 0
            if stage != self.stage or tenth > self.shown:
                count = f": {done}/{total}" if total else "..."
                # (not click.echo: a build given only its own options never imports click,
                # slow or not: launch.py)
                sys.stderr.write(f"{label}{count}\n")
                sys.stderr.flush()
                self.shown = tenth
        self.stage = stage
