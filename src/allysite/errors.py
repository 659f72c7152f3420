"""Diagnostics: every problem found in a run, as values that point at a file and line.

Stages never raise for bad input; they return diagnostics so that one run can report every
problem at once, the way a compiler does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class SourcePos:
    """A place in a site file; `path` is relative to the site folder, lines count from 1."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = self.path
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True, slots=True)
class Diagnostic:
    level: Level
    code: str
    message: str
    pos: SourcePos | None = None
    hint: str | None = None
    order: tuple[int, str] | tuple[()] = field(default=(), compare=False, repr=False)
    """Where its page comes in the site (its language's place, its path), for a problem seen
    on many pages: the first one is named, whichever process rendered it (render.Problems)."""

    def format(self) -> str:
        """The terminal's text: what the editor wrote (a file's name) shown by `printable`."""
        where = f"{printable(str(self.pos))}: " if self.pos else ""
        text = f"{where}{self.level.value}: {printable(self.message)}"
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return text

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        pos = self.pos or SourcePos("")
        return (pos.path, pos.line or 0, pos.column or 0, self.message)


_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Controls but tab (an escape sequence in a file's name recolours, moves or clears the
terminal; a line break forges a line of its own) and the explicit direction formatting
characters (an override shows a name reversed: Trojan Source)."""


def printable(text: str) -> str:
    """The text with each character a terminal would act on written as its escape (`\\x1b`,
    `\\u202e`), as git shows such a file's name."""
    if _UNPRINTABLE.search(text) is None:  # (nearly always)
        return text
    return _UNPRINTABLE.sub(lambda found: repr(found[0])[1:-1], text)


def error(
    code: str, message: str, pos: SourcePos | None = None, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(Level.ERROR, code, message, pos, hint)


def warning(
    code: str, message: str, pos: SourcePos | None = None, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(Level.WARNING, code, message, pos, hint)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.level is Level.ERROR for d in diagnostics)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(set(diagnostics), key=lambda d: d.sort_key))


def relative_path(path: Path, root: Path) -> str:
    """The path as users see it in messages: relative to the site, with forward slashes."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def failed(problems: Iterable[Diagnostic], strict: bool) -> bool:
    """Whether these problems stop a build: an error, or any problem with --strict."""
    problems = list(problems)
    return has_errors(problems) or (strict and bool(problems))


def outside_link(shown: str, hint: str) -> Diagnostic:
    """The error for a symbolic link of the site that leads out of it, in a loop or nowhere
    (inputindex.leaves): it is not read. `hint`: what to copy where instead."""
    return error(
        "outside-link",
        "symbolic link leads outside the site, in a loop or nowhere",
        SourcePos(shown),
        hint,
    )


def uncompilable_template(exc: BaseException, shown: str) -> Diagnostic:
    """Jinja's parser and code generator recurse once per level of nesting (two thousand
    nested `{% if %}` exhaust Python's stack), and its lexer turns a number into an int
    (Python converts at most 4,300 digits): a template that does either is an error."""
    why = str(exc)
    if isinstance(exc, RecursionError):
        why = "it nests too deeply"
    elif "digits" in why:
        why = "a number in it has more digits than Python reads (4,300)"
    return error(
        "template",
        f"template cannot be compiled: {why}",
        SourcePos(shown),
        "nest fewer blocks and parentheses inside one another, and quote very long numbers",
    )
