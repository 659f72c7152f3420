"""Writing the site: into a staging folder beside the output, then swapped in whole.

A failed or killed build never touches the previous output: the new site becomes visible
in one atomic rename (swap.py). A file that did not change since the last build enters the
staging folder as a hard link to the output's own, so that a rebuild writes only what
changed; staged links are never written through (a new file replaces them).

One process writes an output at a time: a build, or the dev server while it writes, holds
a lock on a file beside the output (`flock`), and another waits for it.

A large output, once replaced, is kept as the *spare* (with the state of its files) instead
of being deleted: the next build stages into it, so that only the files that changed since
it was the output are linked or written again, not the thousands that did not.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import pickle
import shutil
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allysite import swap
from allysite.cache import OutputState, file_state, folder_times, stat_state
from allysite.errors import Diagnostic, SourcePos, error
from allysite.inputindex import NOT_A_FILE, SITE_FILES

if TYPE_CHECKING:  # types only: a build with nothing to do imports none of the pipeline
    from allysite.copies import FileCopy
    from allysite.render import OutputFile

MARKER = ".allysite-output"
SPARE_STATES = ".allysite-spare"
"""In the spare folder: the mtime_ns of each of its folders and its top folder's names, then
the state (cache.file_state) of each of its files (two pickles: `_store_spare`), whole (a
spare made of links: SpareLinks) or as they differ from the output's in the manifest
written with it (a replaced output, most of whose files are links to the new one's: see
Written)."""
SOURCE_FOLDERS = ("content", "templates", "locales", "static")


LOCK_WAIT_SECONDS = 600.0
"""How long a process waits for another that writes the same output (a build, the dev
server, a deploy)."""


def busy(out: Path, waited: float, writer: str, hint: str) -> Diagnostic:
    """The output's lock was held by `writer` for all the `waited` seconds."""
    return error(
        "output-busy",
        f"{writer} has been writing {out} for {waited:.0f} s",
        SourcePos(str(out)),
        hint,
    )


def lock_file(out: Path) -> Path:
    return out.parent / f".{out.name}.allysite-lock"


def spare_lock_file(out: Path) -> Path:
    """Held by the process that makes a spare of links (SpareLinks) until it is made."""
    return out.parent / f".{out.name}.allysite-spare-lock"


def spare_made(out: Path, wait: float = LOCK_WAIT_SECONDS) -> bool:
    """Wait until no process is making the output's spare (SpareLinks: a build from
    scratch leaves it to a process that outlives it); False when one still was after
    `wait` seconds."""
    try:
        fd = os.open(spare_lock_file(out), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:  # none was ever made here
        return True
    try:
        return _locked(fd, fcntl.LOCK_SH, wait)
    finally:
        os.close(fd)


def _locked(fd: int, kind: int, wait: float, waiting: Callable[[], None] | None = None) -> bool:
    """`flock` of `kind` on the file, waited for up to `wait` seconds (`waiting` is called
    once, when it starts to wait); True once held, or on a file system without locks."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except BlockingIOError:  # held by another process
            if waiting is not None:
                waiting()
                waiting = None
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        except OSError:  # a file system without locks: nothing to wait for
            return True


@contextlib.contextmanager
def output_lock(
    out: Path, wait: float, waiting: Callable[[], None] | None = None
) -> Iterator[bool]:
    """Hold the output's lock while the block runs; the block gets False (and runs without
    it) when another process held it for `wait` seconds (`waiting` is called once, when it
    starts to wait). The lock goes with the process: a killed build leaves none behind."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file(out), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        yield _locked(fd, fcntl.LOCK_EX, wait, waiting)
    finally:
        os.close(fd)  # and with it the lock


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


def check_arguments(site: Path, out: Path) -> list[Diagnostic]:
    """What is wrong with --site and --out themselves (no site.yaml, an output folder
    that would destroy files): `build` fails on it, and `serve` must not wait for a save
    that cannot fix it."""
    if not (site / SITE_FILES[0]).is_file():
        from allysite.config import load_config  # (here: a build with nothing to do needs
        # none of its imports)

        return load_config(site)[1]  # (which says so)
    return check_output_dir(out, site)


def write_output(
    out: Path,
    files: Iterable[OutputFile],
    copies: Iterable[FileCopy],
    wait: float = LOCK_WAIT_SECONDS,
) -> int:
    """Write every file into staging, then swap it in; returns the number of files (the
    output's lock held: waiting `wait` seconds for it at most, else OSError)."""
    with output_lock(out, wait) as held:
        if not held:
            raise OSError(f"another allysite process is writing {out}")
        return _write_output(out, files, copies)


def _write_output(out: Path, files: Iterable[OutputFile], copies: Iterable[FileCopy]) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    swap.recover_interrupted_swap(out)
    staging = swap.staging_dir(out)
    staging.mkdir()
    try:
        count = _write_files(staging, files, copies)
        swap.swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


class Staging:
    """A staging folder filled file by file (by one process or several), then swapped in.

    Each process that fills it uses its own `Staging` on the same folder (`attach`)."""

    def __init__(
        self,
        out: Path,
        folder: Path,
        present: Mapping[str, OutputState] | None = None,
        folders: Mapping[str, int] | None = None,
    ) -> None:
        self.out = out
        self.folder = folder
        self.present: Mapping[str, OutputState] = present or {}
        """The files the folder started with (a spare's), by output path."""
        self.folders: Mapping[str, int] | None = folders
        """The mtime_ns of the spare's folders when it was the output (None: unknown)."""
        self._made: set[str] = set()
        self._pruned: set[str] = set()
        # paths as text: a build stages thousands of files, and pathlib doubled the cost
        self._out = os.fspath(out)
        self._folder = os.fspath(folder)

    @classmethod
    def start(
        cls, out: Path, written: Written | None = None, checked: bool | None = None
    ) -> Staging:
        """An empty staging folder, or the spare (the last output but one), when there is
        one as it was left, stored with the output `written` (else it is deleted in the
        background). `checked`: whether other processes found the spare as it was left
        (`spare_matches`, every share of it), while the build scanned its inputs; None:
        it is checked here."""
        out.parent.mkdir(parents=True, exist_ok=True)
        swap.recover_interrupted_swap(out)
        folder = swap.staging_dir(out)
        kept = swap.spare_dir(out)
        made = spare_made(out)
        if kept.is_dir():
            present = _read_spare(kept, written) if written is not None and made else None
            if checked is None and present is not None:
                checked = _as_recorded(kept, present[2], present[1])
            if present is not None and checked:
                kept.rename(folder)
                (folder / SPARE_STATES).unlink()
                return cls(out, folder, present[0], present[1])
            swap.discard(kept, out, background=True)
        folder.mkdir()
        return cls(out, folder)

    def attach(self) -> Staging:
        """Another handle on the same folder (for a worker process)."""
        return Staging(self.out, self.folder, self.present, self.folders)

    def write(self, out_path: str, data: bytes) -> OutputState:
        """Write a new file; its state (cache.file_state) as written."""
        target = f"{self._folder}/{out_path}"
        _make_parent(target, self._made)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(target, flags, 0o644)
        except FileExistsError:  # a link to the live output is never written through
            os.unlink(target)
            fd = os.open(target, flags, 0o644)
        with open(fd, "wb", buffering=0) as file:  # unbuffered: one write, no copy to flush
            view = memoryview(data)
            while view:
                view = view[file.write(view) or 0 :]
            return stat_state(os.fstat(fd))

    def copy(self, out_path: str, source: Path) -> OutputState:
        """A file copied in; its state (cache.file_state) as written."""
        target = self._replaced(out_path)
        try:
            shutil.copyfile(source, target)
        except shutil.SpecialFileError as exc:  # a named pipe: an error of the file, by name
            raise OSError(errno.EINVAL, NOT_A_FILE, str(source)) from exc
        return file_state(target)

    def link(self, staged: str, out_path: str, state: OutputState) -> OutputState:
        """A second place for a file already staged (a logo in every language's folder), whose
        state is `state`: a link's state is its file's (the same inode), a copy's its own."""
        target = self._replaced(out_path)
        try:
            os.link(f"{self._folder}/{staged}", target)
        except OSError:
            shutil.copyfile(f"{self._folder}/{staged}", target)
            return file_state(target)
        return state

    def keep(self, out_path: str, state: OutputState) -> None:
        """The output's current file, unchanged (as `state` says): linked, not copied;
        nothing to do where the spare holds it already (the same inode)."""
        if self.present.get(out_path) == state:
            return
        target = self._replaced(out_path)
        try:
            os.link(f"{self._out}/{out_path}", target)
        except OSError:  # a file system without hard links
            shutil.copyfile(f"{self._out}/{out_path}", target)

    def keep_all(self, states: Mapping[str, OutputState], but: Collection[str] = ()) -> None:
        """`keep` for many files at once (the spare holds most of them as they are), `but`
        those (written anew)."""
        present = self.present
        for name in [name for name, state in states.items() if present.get(name) != state]:
            if name not in but:
                self.keep(name, states[name])

    def _replaced(self, out_path: str) -> str:
        """The path to stage `out_path` at, its folder made and a spare's file unlinked (it
        may be a link to the live output's: never written through)."""
        target = f"{self._folder}/{out_path}"
        _make_parent(target, self._made)
        if self.present:  # (any file of a spare: even one its record should not hold)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
        return target

    def prune(self, staged: Iterable[str]) -> None:
        """Remove what a spare held that this build did not stage (pages that are gone), and
        the folders they leave empty."""
        gone = self.present.keys() - set(staged)
        self._pruned.update(name.rpartition("/")[0] for name in gone)
        for name in gone:
            with contextlib.suppress(FileNotFoundError):
                (self.folder / name).unlink()
        for folder in sorted({name.rpartition("/")[0] for name in gone}, reverse=True):
            while folder:
                try:
                    (self.folder / folder).rmdir()
                except OSError:  # not empty (or gone): so are its parents
                    break
                folder = folder.rpartition("/")[0]
                self._pruned.add(folder)

    def complete(self, staged: Mapping[str, OutputState], large: bool, keep: bool) -> bool:
        """Prune what was not staged and swap the folder in. A `large` output's previous one
        is kept as the spare when it was checked to be as written (`keep`; its states are
        stored next: keep_spare; then True), else deleted in the background; a small
        output's is deleted."""
        self.prune(staged)
        return self.finish(background_delete=large, keep=large and keep)

    def folder_times(self, folders: Iterable[str]) -> dict[str, int]:
        """The mtime_ns of these folders of the output once this staging is swapped in: the
        spare's as they were recorded, but for the folders this staging changed (a file
        written, linked, replaced or pruned in it, a folder made in it), which are read.
        Without the spare's, all are read. Only for a staging that this handle alone
        filled: it knows no other's changes (a worker's, `attach`)."""
        known = self.folders or {}
        prefix = len(self._folder) + 1
        touched = {""} | self._pruned
        for made in self._made:
            name = made[prefix:] if len(made) > len(self._folder) else ""
            touched.add(name)
            touched.add(name.rpartition("/")[0])  # (it may have been made)
        times: dict[str, int] = {}
        for name in folders:
            time_ns = known.get(name) if name not in touched else None
            if time_ns is None:
                time_ns = os.stat(f"{self._out}/{name}" if name else self._out).st_mtime_ns
            times[name] = time_ns
        return times

    def path(self, out_path: str) -> Path:
        return self.folder / out_path

    def finish(self, background_delete: bool = False, keep: bool = False) -> bool:
        """Mark the folder as allysite's and swap it in for the output. The previous output
        is kept as the spare with `keep` (the caller checked it is as written; then True),
        else deleted (in a detached process with `background_delete`: for large outputs)."""
        marker = self.folder / MARKER
        with contextlib.suppress(FileNotFoundError):
            marker.unlink()  # a spare's: a file of its own, but never written through
        marker.write_text("This folder is written by allysite build; do not edit.\n")
        if keep and self.out.is_dir() and swap.exchange(self.folder, self.out):
            try:  # the new output is in place: from here on, nothing may fail the build
                self.folder.rename(swap.spare_dir(self.out))
            except OSError:  # no spare: the previous output is deleted
                swap.discard_quietly(self.folder, self.out, background=True)
                return False
            return True
        swap.swap_in(self.folder, self.out, background_delete)
        return False

    def abandon(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


WHOLE, DIFFERENCES = "whole", "differences"
"""How a spare's states are stored: as they are, or as they differ from an output's."""


@dataclass(frozen=True, slots=True)
class Written:
    """An output as a manifest records it: a spare's states are stored as they differ from
    those of the output written with it (its files are links to most of the output's)."""

    token: bytes
    """The manifest's (cache.Manifest.token)."""
    files: Mapping[str, OutputState]
    folders: Mapping[str, int]


def keep_spare(
    out: Path,
    written: Written,
    files: Mapping[str, OutputState],
    folders: Mapping[str, int] | None,
) -> None:
    """Store the states of the spare's `files` and `folders` (None: unknown), once the output
    `written` is recorded; without them the spare is not one (deleted by the next build)."""
    folder = swap.spare_dir(out)
    try:
        _store_spare(folder, files, folders, written)
    except OSError:  # (a full disk): no spare
        swap.discard_quietly(folder, out, background=True)


def _store_spare(
    folder: Path,
    files: Mapping[str, OutputState],
    folders: Mapping[str, int] | None,
    written: Written | None,
) -> None:
    """A spare's record, whole (`written` None: a spare of links) or as it differs from the
    output `written`: its kind and token, its folders' times and its top folder's names
    (what the processes that check the spare read), then its files' states (which only the
    build that stages into it reads: a spare of links records all 7,400 of the
    1,000-partner site's, which took each checking process 6 ms to read)."""
    names = frozenset(name.partition("/")[0] for name in (*files, *(folders or ())) if name)
    head: tuple[object, ...] = (WHOLE, b"", folders, names)
    states: Mapping[str, object] = files
    if written is not None:
        times = None if folders is None else _differences(folders, written.folders)
        head, states = (
            (DIFFERENCES, written.token, times, names),
            _differences(files, written.files),
        )
    with open(folder / SPARE_STATES, "wb") as file:
        pickle.dump(head, file, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(states, file, protocol=pickle.HIGHEST_PROTOCOL)


def _differences(values: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """`values` as they differ from `base` (None: a name that `values` do not have)."""
    found = {name: value for name, value in values.items() if base.get(name) != value}
    found.update(dict.fromkeys(base.keys() - values.keys()))
    return found


SpareRecord = tuple[dict[str, OutputState], dict[str, int] | None, frozenset[str]]
"""A spare's files' states (empty when not read), its folders' times (None: unknown) and
its top folder's names."""


def _read_spare(folder: Path, written: Written, files: bool = True) -> SpareRecord | None:
    """A spare's record (`_store_spare`), as the build that kept it stored it with the
    output `written`; its files' states only when `files`."""
    try:
        with open(folder / SPARE_STATES, "rb") as file:
            kind, token, folders, names = pickle.load(file)
            stored = pickle.load(file) if files else {}
    except Exception:  # missing or truncated (a build killed meanwhile): not a spare
        return None
    if not isinstance(stored, dict) or not isinstance(names, frozenset):
        return None
    if kind == WHOLE:  # (SpareLinks)
        return stored, folders if isinstance(folders, dict) else None, names
    if kind != DIFFERENCES or token != written.token:
        return None
    return (
        _applied(stored, written.files) if files else {},
        _applied(folders, written.folders) if isinstance(folders, dict) else None,
        names,
    )


def spare_matches(out: Path, written: Written, part: int = 0, parts: int = 1) -> bool | None:
    """Whether the output's spare is as it was left (`Staging.start`), by one share of its
    folders (`part` of `parts`: for one of the processes that check the output while the
    build scans its inputs); None when that cannot be told yet: no spare, or one still being
    made (not waited for: a build with nothing to do would wait for it)."""
    kept = swap.spare_dir(out)
    if not kept.is_dir() or not spare_made(out, wait=0):
        return None
    present = _read_spare(kept, written, files=False)
    return None if present is None else _as_recorded(kept, present[2], present[1], part, parts)


def _as_recorded(
    folder: Path,
    names: frozenset[str],
    folders: Mapping[str, int] | None,
    part: int = 0,
    parts: int = 1,
) -> bool:
    """Whether a spare holds the files its record says, by its folders' times: a file added
    to a folder, removed from it or put in its place changes the folder's time. (A file
    changed where it is is one the output shares, whose check finds it.) The top folder's
    time changed when the record was written into it: its names are compared instead (by
    the first share). `part` of `parts`: one share of the folders."""
    if folders is None:
        return False
    root = f"{folder}/"
    try:
        for name, time_ns in itertools.islice(folders.items(), part, None, parts):
            if name and os.stat(root + name).st_mtime_ns != time_ns:
                return False
        if part:
            return True
        listed = set(os.listdir(folder)) - {SPARE_STATES, MARKER}
    except OSError:
        return False
    return listed == names


def _applied(differences: dict[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    values = {**base, **differences}
    for name, value in differences.items():
        if value is None:
            del values[name]
    return values


class SpareLinks:
    """A spare made of links to the files of a staging folder, when the build keeps no
    previous output as one (a build from scratch): the next build stages into it, so that
    it writes what changed only, not links to thousands of files. Made by a process of its
    own (`run`) while the build finishes, from the states of the files staged, which the
    process that staged them sends once they all are (`send`); it takes the staging folder
    by a descriptor, which the swap does not change. Made in the parent, before the two
    processes fork, which then calls `forked`. Without it (a file system without hard
    links, a full disk, a failed build), the next build stages into an empty folder."""

    def __init__(self, staging: Staging) -> None:
        self.out = staging.out
        self._read, self._write = os.pipe()
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
        self._folder = os.open(staging.folder, flags)
        self._open = True

    def send(self, states: Mapping[str, OutputState]) -> None:
        """(In the process that staged the files, once it staged them all.)"""
        with contextlib.suppress(OSError), open(self._write, "wb") as pipe:
            pickle.dump(dict(states), pipe, protocol=pickle.HIGHEST_PROTOCOL)

    def forked(self) -> None:
        """(In the parent, once both processes forked, or the build failed before the
        staging one did: then the spare's process learns that nothing comes.)"""
        if self._open:
            self._open = False
            for fd in (self._read, self._write, self._folder):
                os.close(fd)

    def run(self) -> bool:
        """(In the spare's process.) Whether the spare is being made: by a process that
        outlives the build (on a disk, linking thousands of files into as many new folders
        takes a good part of a second that the build need not wait for), which holds the
        spare's lock until it is done (`spare_made`). The output does not change meanwhile:
        a build that would change it stages into the spare, and waits for it first."""
        os.close(self._write)
        try:
            with open(self._read, "rb") as pipe:
                states = pickle.load(pipe)
        except Exception:  # nothing, or not all, sent: the build failed before
            return False
        try:
            lock = os.open(spare_lock_file(self.out), os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return self._make(states)
        try:  # (free: this build's staging waited for it, but for a maker gone astray)
            if not _locked(lock, fcntl.LOCK_EX, 0):
                return False
            return swap.detached(lambda: self._make(states), (lock, self._folder)) or self._make(
                states
            )
        finally:
            os.close(lock)  # the lock stays held by the process that makes the spare

    def _make(self, states: Mapping[str, OutputState]) -> bool:
        """The spare: each staged file linked, in a folder of the same name; each link
        checked to be the file staged (the dev server may have replaced one since)."""
        folder = swap.spare_dir(self.out)
        folders = {""}  # (made; paths relative to the two folders' descriptors: shorter walks)
        made = -1
        try:
            folder.mkdir()
            spare = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                made = os.fstat(spare).st_ino
                for name, state in states.items():
                    parent = name.rpartition("/")[0]
                    if parent not in folders:
                        _make_folders(parent, folders, spare)
                    os.link(name, name, src_dir_fd=self._folder, dst_dir_fd=spare)
                    if os.stat(name, dir_fd=spare, follow_symlinks=False).st_ino != state[2]:
                        raise OSError(errno.ESTALE, "the output changed", name)
            finally:
                os.close(spare)
            times = folder_times(folder, states)
            _store_spare(folder, states, times, None)
        except OSError:
            with contextlib.suppress(OSError):
                if os.stat(folder).st_ino == made:  # (its own: not one made since)
                    swap.discard_quietly(folder, self.out, background=False)
            return False
        return True


def _make_folders(name: str, made: set[str], folder: int) -> None:
    """A folder and those above it that are not `made` yet, inside `folder` (a descriptor)."""
    missing = []
    while name not in made:
        missing.append(name)
        name = name.rpartition("/")[0]
    for name in reversed(missing):
        os.mkdir(name, dir_fd=folder)
        made.add(name)


def _write_files(staging: Path, files: Iterable[OutputFile], copies: Iterable[FileCopy]) -> int:
    count = 0
    made: set[str] = set()
    for output in files:
        target = f"{staging}/{output.out_path}"
        _make_parent(target, made)
        Path(target).write_bytes(output.data)
        count += 1
    for copy in copies:
        target = f"{staging}/{copy.out_path}"
        _make_parent(target, made)
        shutil.copyfile(copy.source, target)
        count += 1
    (staging / MARKER).write_text("This folder is written by allysite build; do not edit.\n")
    return count


def _make_parent(target: str, made: set[str]) -> None:
    parent = target.rpartition("/")[0]
    if parent not in made:
        try:  # a page's own folder, its parent made already: one call, not makedirs' walk
            os.mkdir(parent)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(parent, exist_ok=True)
        made.add(parent)
