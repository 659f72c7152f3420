"""The site's sources watched for edits: watchdog reports them as they happen (inotify on
Linux), instead of livereload's polling every 0.8 s, which alone would cost 400 ms on average.

Only what a build reads is reported: site.yaml, taxonomies.yaml and the source folders,
without hidden files (editors' swap files), nor editors' backup and temporary files but in
static/, which a build copies as it is (COPIED_FOLDERS).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from allysite.inputindex import WELL_KNOWN, editor_leftover

SOURCE_FILES = frozenset({"site.yaml", "taxonomies.yaml"})
SOURCE_FOLDERS = frozenset({"content", "templates", "locales", "static"})
COPIED_FOLDERS = frozenset({"content", "static"})
"""A build copies files of these (an item's own files, static/'s): each is reported, or the
output would keep a copy that a build no longer makes once the file is gone. static/ is
copied as it is (an editor's backup `x~` too, as Hugo's); of content/ a build leaves out
editors' leftovers (inputindex.editor_leftover), and so does the watcher. Of the templates
and catalogs a build reads only names it knows, never such files."""
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")
"""Besides editors' leftovers: temporary and unfinished downloads, among templates and
catalogs."""
# Writes, creations, deletions and moves only: the kernel does not even report the server's
# own reads (every folder it lists would be an event for watchdog's thread to handle).
WATCHED_EVENTS = (
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
)


class SourceWatcher:
    """Watches from creation to `stop()`; `changed(paths)` is called on watchdog's thread."""

    def __init__(self, site: Path, changed: Callable[[list[Path]], None]) -> None:
        self.site = site
        self._observer = Observer()
        self._handler = _Events(site, changed)
        events = list(WATCHED_EVENTS)
        self._observer.schedule(self._handler, str(site), recursive=False, event_filter=events)
        for name in sorted(SOURCE_FOLDERS):
            if (site / name).is_dir():
                self._watch(site / name)
        self._observer.start()

    def new_folder(self, path: Path) -> None:
        """A source folder made after the start (templates/, say) is watched from then on."""
        if path.parent == self.site and path.name in SOURCE_FOLDERS and path.is_dir():
            self._watch(path)

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)

    def _watch(self, folder: Path) -> None:
        events = list(WATCHED_EVENTS)
        self._observer.schedule(self._handler, str(folder), recursive=True, event_filter=events)


class _Events(FileSystemEventHandler):
    """watchdog's thread: pass relevant changes on."""

    def __init__(self, site: Path, changed: Callable[[list[Path]], None]) -> None:
        self.site = site
        self.changed = changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("created", "deleted", "modified", "moved", "closed"):
            return  # opened, closed_no_write: reads, our own included
        if event.is_directory and event.event_type in ("modified", "closed"):
            return
        paths = [self._path(event.src_path)]
        if event.event_type == "moved":
            paths.append(self._path(event.dest_path))
        relevant = [path for path in paths if self._relevant(path, event.is_directory)]
        if relevant:
            self.changed(relevant)

    @staticmethod
    def _path(raw: str | bytes) -> Path:
        return Path(raw.decode() if isinstance(raw, bytes) else raw)

    def _relevant(self, path: Path, is_directory: bool = False) -> bool:
        try:
            parts = path.relative_to(self.site).parts
        except ValueError:
            return False
        if not parts:
            return False
        if path.name.startswith(".") and parts != ("static", WELL_KNOWN):
            return False  # (hidden: no build reads it; but static/.well-known/, moved whole)
        if len(parts) == 1:
            return parts[0] in SOURCE_FILES or parts[0] in SOURCE_FOLDERS
        if is_directory:
            return parts[0] in SOURCE_FOLDERS
        if parts[0] in COPIED_FOLDERS:
            return parts[0] == "static" or not editor_leftover(path.name)
        if editor_leftover(path.name) or path.name.endswith(IGNORED_SUFFIXES):
            return False
        # vim probes a folder with a file named 4913 (or 5036...: every digit name here)
        return parts[0] in SOURCE_FOLDERS and not path.name.isdigit()
