"""Writing the site: into a staging folder beside the output, then swapped in whole.

A failed or killed build never touches the previous output: the new site becomes visible
in one atomic rename (Linux `renameat2(RENAME_EXCHANGE)`, else two renames that the next
build repairs if it was interrupted between them).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from allysite.errors import Diagnostic, error
from allysite.plan import FileCopy
from allysite.render import OutputFile

MARKER = ".allysite-output"
SOURCE_FOLDERS = ("content", "templates", "locales", "static")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.allysite-staging"


def previous_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.allysite-old"


def check_output_dir(out: Path, site: Path) -> list[Diagnostic]:
    """Refuse an output folder whose replacement would destroy sources or someone's files."""
    out, site = out.resolve(), site.resolve()
    hint = "choose a separate folder for the output, e.g. --out build"
    if out == site or site.is_relative_to(out):
        return [
            error(
                "bad-output",
                f"the output folder {out} contains the site itself",
                hint=hint,
            )
        ]
    for name in SOURCE_FOLDERS:
        if out.is_relative_to(site / name):
            return [
                error(
                    "bad-output",
                    f"the output folder {out} is inside the site's {name}/",
                    hint=hint,
                )
            ]
    if out.exists() and not out.is_dir():
        return [
            error(
                "bad-output",
                f"the output path {out} exists and is not a folder",
                hint=hint,
            )
        ]
    if out.is_dir() and not (out / MARKER).exists() and any(out.iterdir()):
        return [
            error(
                "bad-output",
                f"the output folder {out} is not empty and was not made by allysite",
                hint="allysite replaces the whole folder: empty it, or choose another --out",
            )
        ]
    return []


def recover_interrupted_swap(out: Path) -> None:
    """Put back the previous output if a build was killed between its two renames."""
    previous, staging = previous_dir(out), staging_dir(out)
    if previous.is_dir() and not out.exists():
        previous.rename(out)
    for leftover in (previous, staging):
        if leftover.exists():
            shutil.rmtree(leftover)


def write_output(out: Path, files: Iterable[OutputFile], copies: Iterable[FileCopy]) -> int:
    """Write every file into staging, then swap it in; returns the number of files."""
    out.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted_swap(out)
    staging = staging_dir(out)
    staging.mkdir()
    try:
        count = _write_files(staging, files, copies)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _write_files(staging: Path, files: Iterable[OutputFile], copies: Iterable[FileCopy]) -> int:
    count = 0
    made: set[Path] = set()
    for output in files:
        target = staging / output.out_path
        _make_parent(target, made)
        target.write_bytes(output.data)
        count += 1
    for copy in copies:
        target = staging / copy.out_path
        _make_parent(target, made)
        shutil.copyfile(copy.source, target)
        count += 1
    (staging / MARKER).write_text("This folder is written by allysite build; do not edit.\n")
    return count


def _make_parent(target: Path, made: set[Path]) -> None:
    parent = target.parent
    if parent not in made:
        parent.mkdir(parents=True, exist_ok=True)
        made.add(parent)


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging)  # now holds the previous output
        return
    previous = previous_dir(out)
    out.rename(previous)
    staging.rename(out)
    shutil.rmtree(previous)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2; False where the system cannot."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    with contextlib.suppress(Exception):
        result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        return bool(result == 0)
    return False
