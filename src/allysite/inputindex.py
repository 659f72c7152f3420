"""The input index: every file a build reads, with its size, time, inode and a hash of it.

A file whose size, time and inode are unchanged keeps its hash without being read, unless it
was written so close to the last scan that an edit within the same clock tick could hide
(git's "racily clean" rule): such files are hashed again. Names are site-relative
('content/partners/unaoc/es.md'), the packaged theme's start with '<theme>/'.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from allysite.errors import Diagnostic, SourcePos, error
from allysite.fingerprints import blake2b, digest

RACY_NS = 2_000_000_000
"""Files changed this close to the last scan are hashed again (coarse clocks, FAT's 2 s)."""
SITE_FILES = ("site.yaml", "taxonomies.yaml")
SITE_FOLDERS = ("content", "templates", "locales", "static")
THEME_PREFIX = "<theme>/"
PARTNERS = "content/partners/"
"""The partners' folders, each an item of its own."""
ITEM_DEPTH = 3
"""An item's folder is this many levels down: content/partners/<slug>/."""
WELL_KNOWN = ".well-known"
"""The one dot-named folder a site publishes, from static/ to the output's top (RFC 8615:
security.txt, assetlinks.json, apple-app-site-association), as Hugo publishes it."""
STATIC_WELL_KNOWN = "static/.well-known"


def hidden(rel: str) -> bool:
    """Whether a path inside static/ or the output ('a/b.txt', a folder's 'a/') is one no
    build reads or publishes: a name in it starts with a dot (.git, .DS_Store, .htaccess, a
    swap file), but the top folder .well-known/ (whose own dot-names stay hidden)."""
    parts = rel.split("/")
    if len(parts) > 1 and parts[0] == WELL_KNOWN:
        parts = parts[1:]
    return any(part.startswith(".") for part in parts)


LEFTOVER_PARTS = ("___jb_old___", "___jb_tmp___", "___jb_bak___")
"""JetBrains IDEs' safe write: the new text is written beside the file, swapped in, and the
old one deleted ('en.md___jb_tmp___', 'en.md___jb_old___')."""
LEFTOVER_SUFFIXES = ("~", ".kate-swp", ".swp", ".swo", ".swx")
"""Backups (Emacs', vim's, gedit's, Kate's 'x~') and swap files (Kate's; vim's, whose
own are dot-names, hidden, but for a file that has none)."""
VIM_PROBE = "4913"
"""The file vim creates and deletes at once to see if it may write in a folder. Only this
name: another made of digits ('2024') may well be a file someone publishes."""


def editor_leftover(name: str) -> bool:
    """Whether a file's name is that of an editor's backup, autosave or temporary file,
    which nobody means to publish: a build does not read it from content/ (as Hugo's
    content walker skips '#x' and 'x~'), nor does the dev server watch it there. Not a
    dot-name's question (hidden), nor static/'s: static/ is copied as it is, as Hugo's."""
    return (
        name.startswith("#")  # Emacs' autosave, '#en.md#'
        or name.endswith(LEFTOVER_SUFFIXES)
        or any(part in name for part in LEFTOVER_PARTS)
        or name == VIM_PROBE
    )


LEFTOVERS_UNREAD = ("content/", "templates/", "locales/")
"""Where a build reads no editor's leftover: content/ leaves them out of its items, and
templates and catalogs are read by their names ('footer.html~' is none of them)."""


FileState = tuple[int, int, int, bytes]
"""(size, change time in ns (_changed_ns), inode, hash of the bytes) of one input file. A
plain tuple: there are thousands, and the index is read at the start of every build."""
DIGEST = 3
_SURROGATE = re.compile("[\ud800-\udfff]")


LINKED_DEPTH = 16
"""Folders deeper than this below a site folder are not entered through a link (a chain of
links that loops through several folders would otherwise never end)."""


def _walk(
    folder: str, prefix: str, found: dict[str, tuple[str, os.stat_result]], root: str
) -> None:
    """Every file under `folder` (links to files followed), skipping dot-names as the loader
    (but static/.well-known/, which a build publishes) and, but in static/, editors'
    leftovers (editor_leftover): creating or deleting one leaves a build nothing to do.
    A link to a folder is an input itself (its target is in its hash: file_digest), and, as
    the loader reads an item's or a content folder through such a link when it stays in
    `root` (the site: itemfiles.leaves), the files behind it are inputs under the link's
    name: an edit there is an edit of the site. One that leads out of `root`, to a folder
    above its own or nowhere is not entered (the loader refuses it)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    read_by_name = prefix.startswith(LEFTOVERS_UNREAD)
    for entry in entries:
        name = prefix + entry.name
        if entry.name.startswith(".") and name != STATIC_WELL_KNOWN:
            continue
        if read_by_name and editor_leftover(entry.name) and not _is_folder(entry):
            continue  # (as the loader: no build reads it)
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(entry.path, name + "/", found, root)
            elif entry.is_symlink() and entry.is_dir():
                found[name] = (entry.path, entry.stat(follow_symlinks=False))
                if _enters(entry.path, folder, root) and name.count("/") < LINKED_DEPTH:
                    _walk(entry.path, name + "/", found, root)
            else:
                found[name] = (entry.path, entry.stat())
        except OSError:  # a link to nowhere or in a loop: an input too (the loader says so)
            with contextlib.suppress(OSError):
                found[name] = (entry.path, entry.stat(follow_symlinks=False))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder or a link to one (a broken link is not)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _enters(link: str, folder: str, root: str) -> bool:
    """Whether a link to a folder, found in `folder`, leads to a folder in `root` that holds
    no folder above it (else the walk would come back to it)."""
    target = os.path.realpath(link)
    here = os.path.realpath(folder)
    return _within(target, root) and not _within(here, target)


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def scan_inputs(site: Path, theme: Path) -> dict[str, tuple[str, os.stat_result]]:
    """Every file a build of `site` may read: its own files and the packaged theme's."""
    found: dict[str, tuple[str, os.stat_result]] = {}
    for name in SITE_FILES:
        with contextlib.suppress(OSError):
            found[name] = (str(site / name), (site / name).stat())
    root = os.path.realpath(site)
    for name in SITE_FOLDERS:
        _walk(str(site / name), f"{name}/", found, root)
    _walk(str(theme), THEME_PREFIX, found, os.path.realpath(theme))
    return found


NOT_A_FILE = "it is not a regular file (a pipe or a device)"
"""Why a file that is no regular one is not read (the build must not wait on a pipe)."""


def read_regular(
    path: str | os.PathLike[str], limit: int | None = None
) -> tuple[os.stat_result, bytes | None]:
    """A file's status and bytes; no bytes when it is no regular file (opening a named pipe
    to read would wait for a writer: it is opened without blocking) or is over `limit`.

    Descriptor calls only: a file object adds a call to see if the file is a terminal and
    others to find its position and size, and a build reads thousands of files."""
    flags = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, os.O_RDONLY | flags)  # (O_BINARY: Windows, no newline translation)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or (limit is not None and status.st_size > limit):
            return status, None
        first = os.read(fd, status.st_size + 1)
        if len(first) == status.st_size:  # all of it, as its status said: no second read
            return status, first  # to find the end (one call less for each file read)
        parts = [first]
        while parts[-1]:  # to the end, should the file have grown meanwhile
            parts.append(os.read(fd, max(status.st_size, 65536)))
        return status, b"".join(parts)
    finally:
        os.close(fd)


def undecodable_names(names: Iterable[str]) -> list[Diagnostic]:
    """An error for each file name that is not UTF-8 (the operating system's bytes kept as
    surrogates): no page, feed or sitemap can carry it, so a build refuses it first, shown
    with U+FFFD where its bytes are. (An ASCII name is not searched: every build asks this
    of its thousands of inputs.)"""
    shown = sorted(
        os.fsencode(name).decode("utf-8", "replace")
        for name in names
        if not name.isascii() and _SURROGATE.search(name)
    )
    return [
        error(
            "file-name",
            "file name is not UTF-8 (shown with U+FFFD where its bytes are)",
            SourcePos(name),
            "rename the file: no web address can carry a name that is not UTF-8",
        )
        for name in shown
    ]


def file_digest(path: str) -> bytes:
    """The hash of a file's bytes (and of a link's target, so that retargeting one shows)."""
    try:
        target = os.readlink(path).encode() if os.path.islink(path) else b""
    except OSError:
        target = b""
    try:
        status, data = read_regular(path)
    except OSError as exc:
        return digest(b"unreadable:%d:" % (exc.errno or 0) + target)
    if data is None:  # a named pipe or a device (the loader refuses it)
        return digest(b"special:%o:" % status.st_mode + target)
    return digest(data + b"\0" + target)


@dataclass(frozen=True, slots=True)
class InputIndex:
    files: Mapping[str, FileState]
    scanned_ns: int
    """When the scan started: files changed this close to it are checked again next time."""

    def changed(self, previous: InputIndex | None) -> set[str]:
        """Names added, removed or whose bytes differ since `previous`."""
        if previous is None:
            return set(self.files)
        names = self.files.keys() | previous.files.keys()
        return {
            name
            for name in names
            if (a := self.files.get(name)) is None
            or (b := previous.files.get(name)) is None
            or a[DIGEST] != b[DIGEST]
        }

    def tree_digest(self, prefix: str) -> bytes:
        """The hash of every file under a prefix ('content/partners/unaoc/'), names included."""
        h = blake2b(digest_size=16)
        for name in sorted(n for n in self.files if n.startswith(prefix)):
            h.update(name[len(prefix) :].encode() + b"\0" + self.files[name][DIGEST])
        return h.digest()

    def file_digest(self, name: str) -> bytes:
        state = self.files.get(name)
        return state[DIGEST] if state else b""

    def folder_digest(self, folder: str, depth: int) -> bytes | None:
        """The hash of one folder `depth` levels down ('content/partners/unaoc/')."""
        return self.folder_digests(depth, folder).get(folder)

    def folder_digests(self, depth: int, within: str = "") -> dict[str, bytes]:
        """The hash of every folder `depth` levels down ('content/partners/unaoc/'), of those
        `within` a folder: its files' names and hashes, all folders in one pass."""
        hashes: dict[str, Any] = {}
        for name in sorted(name for name in self.files if name.startswith(within)):
            parts = name.split("/", depth)
            if len(parts) <= depth:
                continue
            prefix = "/".join(parts[:depth]) + "/"
            h = hashes.get(prefix)
            if h is None:
                h = hashes[prefix] = blake2b(digest_size=16)
            h.update(parts[depth].encode() + b"\0" + self.files[name][DIGEST])
        return {prefix: h.digest() for prefix, h in hashes.items()}


def index_inputs(
    site: Path,
    theme: Path,
    previous: InputIndex | None,
    hash_files: Callable[[list[str], int], list[bytes]] | None = None,
) -> InputIndex:
    """Scan the inputs; hash only files that are new, changed, or were racy at the last scan.

    `hash_files(paths, size)`: their hashes, in order (over several processes, for a first
    build of a large site), told their total size in bytes (as the scan found it); by
    default `file_digest` on each, here."""
    return scan_changes(site, theme, previous, hash_files)[0]


def scan_changes(
    site: Path,
    theme: Path,
    previous: InputIndex | None,
    hash_files: Callable[[list[str], int], list[bytes]] | None = None,
) -> tuple[InputIndex, set[str]]:
    """index_inputs, with the names added, removed or changed since `previous` (as
    InputIndex.changed finds them), told by the scan itself: only the files it hashed
    again can differ, where comparing every name afterwards took 2-4 ms of each build."""
    started = time.time_ns()
    known = previous.files if previous else {}
    trusted_before = (previous.scanned_ns - RACY_NS) if previous else 0
    files: dict[str, FileState] = {}
    to_hash: list[tuple[str, str, os.stat_result]] = []
    for name, (path, status) in scan_inputs(site, theme).items():
        old = known.get(name)
        changed_ns = _changed_ns(status)
        if (
            old is not None
            and old[0] == status.st_size
            and old[1] == changed_ns
            and old[2] == status.st_ino
            and changed_ns < trusted_before
        ):
            files[name] = old
        else:
            files[name] = old or (0, 0, 0, b"")  # keeps the order of the scan
            to_hash.append((name, path, status))
    paths = [path for _, path, _ in to_hash]
    if hash_files is None:
        digests = [file_digest(path) for path in paths]
    else:
        digests = hash_files(paths, sum(status.st_size for _, _, status in to_hash))
    changed = known.keys() - files.keys() if previous else set(files)
    for (name, _, status), hashed in zip(to_hash, digests, strict=True):
        files[name] = (status.st_size, _changed_ns(status), status.st_ino, hashed)
        old = known.get(name)
        if old is None or old[DIGEST] != hashed:
            changed.add(name)
    return InputIndex(MappingProxyType(files), started), changed


def _changed_ns(status: os.stat_result) -> int:
    """The last change of a file: of its bytes, or of its mode, links or name (the inode's
    change time, as git's index keeps it). A file made unreadable, or written with its
    modification time set back (`cp -p`, `rsync -t`), is read again."""
    return max(status.st_mtime_ns, status.st_ctime_ns)


def link_on_the_way(path: Path, root: Path) -> tuple[str, str] | None:
    """The first symbolic link on a path below `root` (site-relative, '/'), and what it
    leads to (site-relative when in the site, else as the link says): a problem found
    through it is told at the path the site wrote, and the file to open may be where the
    link leads."""
    here = root
    for part in path.relative_to(root).parts:
        here = here / part
        if here.is_symlink():
            try:
                target = os.readlink(here)
            except OSError:
                return None
            lexical = Path(os.path.normpath(here.parent / target))  # (site-relative, if in it)
            if lexical.is_relative_to(root):
                target = lexical.relative_to(root).as_posix()
            return here.relative_to(root).as_posix(), target
    return None


def leaves(link: Path, root: Path) -> bool:
    """Whether a symbolic link leads out of `root`; a loop or a dangling link counts too."""
    try:
        return not link.resolve(strict=True).is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return True
