"""Results kept from one build to the next by a long-running process (the dev server).

A one-off build passes no memo and computes everything. The dev server passes the same
`Memo` to every rebuild: a stage asks it for the value of a *slot* (say, the view of one
partner in one language) together with the *key* that value was made from. When the key is
the same as last time the old value comes back, the very same object, so later stages can
tell "unchanged" by identity instead of comparing deep structures. Keys are compared with
`is` first and `==` after, so a key made of frozen values is always safe: identity only makes
the check fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Protocol, TypeVar

T = TypeVar("T")

FileSignature = tuple[str, int, int, int]
"""(name, size, modification time in ns, inode) of one file."""


class Memo:
    """Values by slot, each with the key it was made from; unused slots are dropped by `sweep`."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[object, object]] = {}
        self._used: set[Hashable] = set()
        self.unchanged: Callable[[Path], bool] = lambda folder: False
        """Set by a caller that watches the files (the dev server): True for a folder in which
        nothing changed since the last build, whose entries are then reused unchecked."""

    def kept(self, slot: Hashable) -> object | None:
        """The value of a slot as it is, without checking its key (see `unchanged`)."""
        entry = self._entries.get(slot)
        if entry is None:
            return None
        self._used.add(slot)
        return entry[1]

    def get(self, slot: Hashable, key: object, make: Callable[[], T]) -> T:
        """The value made for `slot` last time if `key` equals the key of then, else `make()`."""
        entry = self._entries.get(slot)
        self._used.add(slot)
        if entry is not None and (entry[0] is key or entry[0] == key):
            return entry[1]  # type: ignore[return-value]
        value = make()
        self._entries[slot] = (key, value)
        return value

    def intern(self, slot: Hashable, value: T) -> T:
        """`value`, or the equal value given for `slot` last time (so that `is` tells equality)."""
        return self.get(slot, value, lambda: value)

    def drop(self, *slots: Hashable) -> None:
        """Forget these slots (a file the watcher saw change, say), those that are kept. By
        name, not by a test of every slot: the memo holds tens of thousands."""
        for slot in slots:
            self._entries.pop(slot, None)

    def sweep(self) -> None:
        """Drop what the last build did not ask for (deleted partners...): call after a build."""
        for slot in self._entries.keys() - self._used:
            del self._entries[slot]
        self._used = set()

    def __len__(self) -> int:
        return len(self._entries)


class Keeps(Protocol):
    """A store of values derived from files, each kept while its key (the files' hashes)
    is the same: the build cache's (cache.ParseCache, between builds) or `KeptValues` (the
    dev server's, in memory)."""

    def kept(self, name: str, key: object, make: Callable[[], T]) -> T: ...


class KeptValues:
    """Keeps in memory, by name: the dev server's store for the stages that a build gives
    the build cache's (the translation status' template messages and catalog states, which
    an edit of an original's name makes it read again)."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[object, object]] = {}

    def kept(self, name: str, key: object, make: Callable[[], T]) -> T:
        entry = self._values.get(name)
        if entry is not None and entry[0] == key:
            return entry[1]  # type: ignore[return-value]
        value = make()
        self._values[name] = (key, value)
        return value

    def over(self, store: Keeps | None) -> Keeps:
        """These values, each taken from `store` (the build cache's, which the dev server's
        first build reads) when it is not kept here yet."""
        return self if store is None else _Layered(self, store)


class _Layered:
    def __init__(self, first: Keeps, then: Keeps) -> None:
        self._first, self._then = first, then

    def kept(self, name: str, key: object, make: Callable[[], T]) -> T:
        return self._first.kept(name, key, lambda: self._then.kept(name, key, make))


def folder_signature(folder: Path) -> tuple[FileSignature, ...]:
    """Name, size, mtime and inode of every file under a folder: changes when any file does.

    Symbolic links are described by the link and by what it points to, so retargeting one
    counts as a change too.
    """
    found: list[FileSignature] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))  # its order is stable while unchanged
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                    continue
                stat = entry.stat(follow_symlinks=False)
                found.append((entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ino))
                if entry.is_symlink():
                    target = os.stat(entry.path)
                    found.append((os.readlink(entry.path), target.st_size, target.st_mtime_ns, 0))
            except OSError:
                found.append((entry.path, -1, -1, -1))
    return tuple(found)


def file_signature(path: str | Path) -> FileSignature:
    """The signature of one file; a missing file has one too, so appearing is a change."""
    try:
        stat = os.stat(path)
    except OSError:
        return (str(path), -1, -1, -1)
    return (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def kept_for(memo: Memo | None, slot: Hashable, key: object, make: Callable[[], T]) -> T:
    """`make()`, or with a memo its value for `slot` while `key` is the same (a one-off
    build passes no memo and makes everything)."""
    return make() if memo is None else memo.get(slot, key, make)
