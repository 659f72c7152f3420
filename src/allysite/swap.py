"""Replacing an output folder by its staged successor, and the folders that are left over.

The new site becomes visible in one atomic rename: Linux `renameat2(RENAME_EXCHANGE)`, else two
renames (the output aside, the staging folder in), which the next build repairs if it was
killed between them. The replaced output is deleted, a large one by a detached process, so
that a build need not wait for the file system to free thousands of files.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Collection
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.allysite-staging"


def spare_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.allysite-spare"


def previous_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.allysite-old"


def recover_interrupted_swap(out: Path) -> None:
    """Put back the previous output if a build was killed between its two renames."""
    previous, staging = previous_dir(out), staging_dir(out)
    if previous.is_dir() and not out.exists():
        previous.rename(out)
    for leftover in (previous, staging, trash_dir(out)):
        if leftover.exists():
            remove_tree(leftover, ignore_errors=leftover.name.endswith("-trash"))


def remove_tree(folder: Path, ignore_errors: bool = False) -> None:
    """shutil.rmtree of a folder of allysite's, made writable first where it is not: an
    output made read-only by hand is, once replaced, the previous output to delete (a
    folder without write permission keeps its files; it failed every later build)."""
    try:
        shutil.rmtree(folder)
    except PermissionError:
        _writable(folder)
        shutil.rmtree(folder, ignore_errors=ignore_errors)
    except OSError:
        if not ignore_errors:
            raise


def _writable(folder: Path) -> None:
    with contextlib.suppress(OSError):
        os.chmod(folder, 0o700)
    for root, folders, _files in os.walk(folder):  # (top down: each opened before entered)
        for name in folders:
            with contextlib.suppress(OSError):
                os.chmod(os.path.join(root, name), 0o700, follow_symlinks=False)


def swap_in(staging: Path, out: Path, background: bool = False) -> None:
    """The staged folder becomes the output; the previous output is deleted."""
    if not out.exists():
        staging.rename(out)
        return
    if exchange(staging, out):
        discard_quietly(staging, out, background)  # it now holds the previous output
        return
    previous = previous_dir(out)
    out.rename(previous)
    staging.rename(out)
    discard_quietly(previous, out, background)


def trash_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.allysite-trash"


def discard_quietly(folder: Path, out: Path, background: bool) -> None:
    """`discard` once the new output is in place: a failure then fails no build (the next
    one removes what is left, as after a kill)."""
    with contextlib.suppress(OSError):
        discard(folder, out, background)


def discard(folder: Path, out: Path, background: bool) -> None:
    """Delete a replaced output; a large one in a detached process, so that the build ends
    without waiting for the file system to free thousands of files."""
    if not background:
        remove_tree(folder)
        return
    trash = trash_dir(out)
    trash.mkdir(exist_ok=True)
    target = trash / f"{os.getpid()}-{folder.name}"
    try:
        folder.rename(target)
    except PermissionError:  # (a folder moved elsewhere must be writable: its '..' changes)
        _writable(folder)
        folder.rename(target)
    _delete_detached(trash)


def _delete_detached(folder: Path) -> None:
    """rmtree in a grandchild process that outlives this one (the next build removes what
    it could not, were it killed)."""
    if not detached(lambda: remove_tree(folder, ignore_errors=True)):
        remove_tree(folder, ignore_errors=True)


def detached(work: Callable[[], object], keep: Collection[int] = ()) -> bool:
    """`work()` in a grandchild process that outlives this one, with no file descriptor but
    those in `keep`; False when no process could be made (nothing was done)."""
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # the child: start the grandchild and leave at once
        try:
            if os.fork() == 0:
                with contextlib.suppress(BaseException):
                    os.setsid()
                    # the build's standard streams let go of too: a caller that reads them to
                    # the end (`allysite build | tee`, a captured run) must not wait for this
                    nowhere = os.open(os.devnull, os.O_RDWR)
                    for stream in (0, 1, 2):
                        os.dup2(nowhere, stream)
                    start = 3  # the output's lock among them: not held on
                    for fd in sorted({*keep, 1 << 16}):
                        os.closerange(start, fd)
                        start = fd + 1
                    work()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return True


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2; False where the system cannot."""
    import ctypes  # here: a build with nothing to do never needs it

    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the C library is loaded already
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
