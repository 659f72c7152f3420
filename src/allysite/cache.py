"""The persistent build cache: what the last build read, made and wrote, kept beside the output.

It lives in `.<out>.allysite-cache/` (beside the resized logos) and holds:

- the *input index*: every file the build reads, with its size, time, inode and a hash of
  its bytes. A file whose size, time and inode are unchanged keeps its hash without being
  read, unless it was written so close to the last scan that an edit within the same clock
  tick could hide (git's "racily clean" rule): such files are hashed again;
- the *parse cache*: each content folder loaded (partners and pages, their Markdown already
  rendered), keyed by the hashes of its files, in SHARDS files so an edit rewrites one;
- the *manifest* of the output: each file's key (for a page, a hash of everything it is
  rendered from: fingerprints.py), the size, time and inode of every file written, and the
  build's messages; its tables by page in a file of their own (KEYS), which only a build
  that renders reads, and what rebuilds after edited bodies changed of it in a *journal*;
- the *body places*: where each page shows the body of which text, and a hash of each
  text's front matter, for a rebuild after edits of bodies alone (bodyedit.py); in files
  of their own (one a language, each written by the process that rendered it, and one of
  the texts), which only such a rebuild reads.

A build whose inputs are all unchanged and whose output still matches the manifest does
nothing but repeat the last messages; otherwise each page is rendered again only when its key
changed. Nothing here imports the pipeline, so that a build with nothing to do starts fast.
"""

from __future__ import annotations

import contextlib
import copyreg
import io
import itertools
import os
import pickle
import shutil
import sys
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib.util import find_spec
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, NamedTuple, TypeVar

from markupsafe import Markup

from allysite import __version__
from allysite.errors import Diagnostic
from allysite.fingerprints import digest
from allysite.inputindex import ITEM_DEPTH, FileState, InputIndex, scan_changes

FORMAT = 5
"""Bumped when the layout of the cache files changes."""
LIBRARIES = (
    "jinja2",
    "markupsafe",
    "markdown_it_pyrs",
    "nh3",
    "babel",
    "icu",
    "yaml",
    "pydantic",
    "PIL",
    "lxml",
    "rcssmin",
    "rjsmin",
    "pagefind_bin",
)
"""Libraries whose version changes what a build makes: part of every key."""
MANIFEST = "manifest.pickle"
KEYS = "keys.pickle"
"""The manifest's tables by page, apart (Manifest.frames)."""
JOURNAL = "journal.pickle"
HISTORY = "(git history)"
"""Among the changed inputs when git's commits moved: no file's name (see history_moved)."""
BODY_PLACES = "bodies"
TEXTS = "texts"
"""The body places' file of the texts (beside one a language, named by its code)."""
SUMMARIES = "summaries-"
"""Before a language's code: the file of where its pages and feed show summaries."""
SHOWN = "shown-"
"""Before a language's code: the file of the texts whose summaries its pages and feed show
(what a rebuild after an edit of a summary reads first)."""
PARSED = "parsed"
SHARDS = 64
"""The parse cache is kept in this many files, so that an edit rewrites one of them."""
_T = TypeVar("_T")


# --- pickling frozen values ----------------------------------------------------------------------


def _proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_proxy(value: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return (_proxy, (dict(value),))


def _reduce_markup(value: Markup) -> tuple[Any, ...]:
    """A Markup made again by str.__new__, in C: by default pickle calls Markup's own
    constructor, in Python, for every text's HTML (a fifth of reading the parse cache, and
    half of writing it)."""
    return (str.__new__, (Markup, str(value)))


class _Pickler(pickle.Pickler):
    """Pickles read-only mappings too (the model is full of them), without touching copyreg."""

    dispatch_table: ClassVar[Mapping[type, Any]] = MappingProxyType(
        {**copyreg.dispatch_table, MappingProxyType: _reduce_proxy, Markup: _reduce_markup}
    )


def dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def save_pickle(path: Path, value: object) -> None:
    """Pickled straight into a new file (no copy in memory), then renamed over the old one
    (over a folder made in its place too: the cache would be lost to every later build).
    A failed write (a full disk) removes its temporary file: each left the disk fuller."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as file:
            _Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
        replace_whole(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def replace_whole(written: Path, path: Path) -> None:
    """A file written whole put in place of whatever has its name, a folder or a link made
    there by hand included (the cache would be lost to every later build): a killed build
    never leaves half a file."""
    try:
        os.replace(written, path)
    except IsADirectoryError:
        shutil.rmtree(path, ignore_errors=True)
        os.replace(written, path)


def _read_pickle(path: Path) -> Any:
    """The value stored at `path`, or None when it is missing or unreadable (a cache only)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # a truncated or foreign file: as if there were none
        return None


# --- what the code is ----------------------------------------------------------------------------


def code_fingerprint() -> bytes:
    """allysite's version and sources, Python's and the page-shaping libraries' versions.

    Source files count by size and time, so that editing allysite itself (or upgrading a
    library) invalidates every cached page, without reading any of them.
    """
    parts: list[str] = [str(FORMAT), __version__, sys.version]
    package = Path(__file__).parent
    for path in sorted(package.glob("*.py")):
        stat = path.stat()
        parts.append(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}")
    for name in LIBRARIES:
        with contextlib.suppress(ImportError, ValueError):
            spec = find_spec(name)
            if spec is not None and spec.origin:
                stat = os.stat(spec.origin)
                parts.append(f"{name}:{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest("\n".join(parts).encode())


def git_signature(site: Path) -> tuple[object, ...]:
    """What stale translations read from git (the commits `git log` walks): a commit or
    checkout changes one of these (in the repository's folder, or, for a linked worktree or
    a submodule, whose `.git` is a file that names it, in its own and in the one it shares:
    refs/heads/...); `shallow`, the cut of a shallow clone, which `git fetch --unshallow` or
    `--deepen` moves with no ref (a build after it kept the pages of a shallow history). Not
    the index: `git add`, or `git status` refreshing it, changes no commit, and made the
    next build render every page again."""
    for folder in (site, *site.parents):
        dot_git = folder / ".git"
        if dot_git.exists():
            found: list[object] = [str(dot_git)]
            for git_dir in _git_dirs(dot_git):
                names = ["HEAD", "logs/HEAD", "packed-refs", "shallow"]
                with contextlib.suppress(OSError, UnicodeDecodeError):
                    head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
                    if head.startswith("ref: "):
                        names.append(head.removeprefix("ref: "))  # the branch's ref
                for name in names:
                    with contextlib.suppress(OSError):
                        stat = (git_dir / name).stat()
                        found.append((str(git_dir), name, stat.st_size, stat.st_mtime_ns))
            with contextlib.suppress(OSError):
                if dot_git.stat().st_uid != os.geteuid():
                    found.extend(_git_config_states())
            return tuple(found)
    return ()


def _git_config_states() -> list[object]:
    """git refuses a repository another user owns until its global or system config names it
    (`safe.directory`): the build after `git config --global --add safe.directory` reads the
    history that the last one could not."""
    home = Path(os.environ.get("HOME", "~")).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    paths = [
        os.environ.get("GIT_CONFIG_GLOBAL") or str(home / ".gitconfig"),
        str(Path(xdg) / "git" / "config"),
        os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig",
    ]
    states: list[object] = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            states.append((path, None))
        else:
            states.append((path, stat.st_size, stat.st_mtime_ns))
    return states


def _git_dirs(dot_git: Path) -> list[Path]:
    """The repository folders a `.git` stands for: itself, or the folder a `gitdir:` file
    names and the common folder that one names (`commondir`: a worktree's branches)."""
    if dot_git.is_dir():
        return [dot_git]
    try:
        line = dot_git.read_text(encoding="utf-8").splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        return []
    if not line.startswith("gitdir:"):
        return []
    git_dir = dot_git.parent / line.removeprefix("gitdir:").strip()
    found = [git_dir]
    with contextlib.suppress(OSError, UnicodeDecodeError):
        common = (git_dir / "commondir").read_text(encoding="utf-8").strip()
        if common:
            found.append(git_dir / common)
    return found


# --- the output manifest -------------------------------------------------------------------------

OutputState = tuple[int, int, int, int]
"""(size, mtime_ns, inode, mode) of a file written into the output: a file whose mode was
changed by hand (`chmod 000`) is written again, as a build from nothing gives it."""


def file_state(path: str | Path) -> OutputState:
    """A file's (size, mtime_ns, inode, mode), as the manifest records the output's files."""
    return stat_state(os.stat(path))


def stat_state(stat: os.stat_result) -> OutputState:
    """The state (file_state) of a file whose status is at hand (a descriptor's fstat)."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_mode)


def output_state(path: str | Path) -> OutputState | None:
    try:
        return file_state(path)
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class LanguagePages:
    """One language's frame and pages as a build made them (see routes.Settle)."""

    frame: bytes
    pages: tuple[str, ...]
    """Output paths, in the order planned (with the default language, the root's pages and
    the dashboard too)."""


Splice = tuple[str, int, int]
"""A page that shows a text's body: (its output path, the length of its bytes before the
body, and after it), which another body of the text leaves as they are; (page, -1, -1) when
the page shows the body otherwise than unchanged, or with another text's."""


Shown = tuple[tuple[str, int, int], ...]
"""The bodies one page shows: (each text's source file, then as in Splice). Stored by page,
a language's pages in a file: the process that rendered them writes it."""


class TextPlaces(NamedTuple):
    """What a rebuild after an edit of a text's body must know of the text (bodyedit.py)."""

    front: bytes
    """A hash of its front matter (textfile.split_front_matter)."""
    original: bool
    """The default language's text: translations may be stamped with its body's version."""
    body_stamped: bool
    """A translation of the same item records the version of this body (stale.py)."""
    has_body: bool
    """Its body is not blank (a blank one has no version to be stamped with)."""
    logo: str = ""
    """Its partner's logo file ('' for none, or a page's text)."""
    links_logo: bool = False
    """Its body links to that file: which languages' folders have the logo may change with
    that (copies.py)."""
    pages: tuple[Splice, ...] = ()
    """The pages that show its body."""
    rest: bytes = b""
    """A hash of its front matter's fields but the summary (textfile.front_rest)."""
    summary_stamped: bool = False
    """It is the original, and a translation records the version of its summary."""
    has_summary: bool = False
    """It has a summary (an edit that adds or removes one changes what templates test)."""


def plain_records(records: Mapping[str, TextPlaces]) -> dict[str, tuple[object, ...]]:
    """Text records as they are stored: plain tuples, which unpickle ten times as fast as
    named ones (a rebuild after an edit reads them all first: 5,000 texts, 2 ms, not 23)."""
    return {name: tuple(record) for name, record in records.items()}


def text_record(value: object) -> TextPlaces | None:
    """A stored text record (`plain_records`) as what it is; None when it is not one."""
    if type(value) is tuple and len(value) == len(TextPlaces._fields):
        return TextPlaces._make(value)
    return None


@dataclass(frozen=True, slots=True)
class Manifest:
    """What the last successful build wrote, and from what."""

    environment: tuple[object, ...]
    """Code, site, output and, last, git's state: a change of the first three and nothing
    is reused; of git's alone, the build runs as after an edit (BuildCache.history_moved)."""
    inputs: InputIndex
    keys: Mapping[str, bytes]
    """The key of every generated file (pages, feeds, sitemap...), by output path."""
    outputs: Mapping[str, OutputState]
    """Every file of the output as written, by output path."""
    folders: Mapping[str, int]
    """The modification time of every folder of the output: a file added or removed shows."""
    diagnostics: tuple[Diagnostic, ...]
    pages: int
    files: int
    bases: Mapping[str, bytes] = field(default_factory=dict)
    """The basis of every partner page (routes.Reuse), by output path."""
    views: Mapping[str, tuple[bytes, bytes]] = field(default_factory=dict)
    """The basis and fingerprint of each partner's view, by language and folder: the
    fingerprint is taken again while the basis is the same (publish.PartnerReuse)."""
    sitemap: Mapping[str, bytes] = field(default_factory=dict)
    """What the sitemap shows of each page (its fingerprint), by output path."""
    languages: Mapping[str, LanguagePages] = field(default_factory=dict)
    """Each language's frame and pages, by code (routes.Settle)."""
    bodies: bytes = b""
    """The token of the build that stored the body places with it (none stored: b"")."""
    frames: Mapping[str, bytes] = field(default_factory=dict)
    """Each language's frame (as in `languages`), by code: read by every build, while the
    tables by page above are read by a build that renders (BuildCache.load_keys)."""
    token: bytes = b""
    """The token of the build that wrote it (BuildCache.token): the spare's states are
    stored against it (output.Written)."""
    verified: bool = False
    """This build found the whole output as written (matches_output): its files need no
    look each (never stored: a manifest is written with False)."""

    def matches_output(self, out: Path, part: int = 0, parts: int = 1) -> bool:
        """Whether the output is still exactly as written (sizes, times, no file added).
        `part` of `parts`: one share of its folders and files (for one of several processes)."""
        root = f"{out}/"
        for name, mtime in itertools.islice(self.folders.items(), part, None, parts):
            try:
                if os.stat(root + name).st_mtime_ns != mtime:
                    return False
            except OSError:
                return False
        return all(
            output_state(root + name) == state
            for name, state in itertools.islice(self.outputs.items(), part, None, parts)
        )

    def reusable(self, out: Path, name: str, key: bytes) -> bool:
        """Whether the output's file `name` was made from `key` and is still as written."""
        state = self.outputs.get(name)
        return (
            state is not None
            and self.keys.get(name) == key
            and (self.verified or output_state(f"{out}/{name}") == state)
        )


@dataclass(frozen=True, slots=True)
class Journal:
    """What rebuilds after edits of bodies alone (bodyedit.py) changed of the manifest since
    it was written whole: stored instead of all of it (a few pages' entries, not thousands),
    and applied when it is read."""

    base: bytes
    """The token of the manifest it applies to."""
    token: bytes
    """The token of the last rebuild (the manifest's, once applied)."""
    scanned_ns: int
    inputs: dict[str, FileState]
    keys: dict[str, bytes]
    outputs: dict[str, OutputState]
    folders: dict[str, int]
    bases: dict[str, bytes]
    """New bases of partner pages (by output path; the pages that have one)."""
    views: dict[str, bytes]
    """New bases of partner views (by name; the views that have one, with their prints).
    An empty basis: the view changed (its summary), and its print is made never to match
    either (a view made again would otherwise be taken as the last build's card)."""
    frames: dict[str, bytes]
    places: dict[str, dict[str, object] | None] = field(default_factory=dict)
    """What changed of the stored places (save_places) by file name: the entries of the
    pages written (a text's record, by its source file), or None for a file that no longer
    holds."""

    def applied(self, manifest: Manifest) -> Manifest:
        """The manifest as read by every build (the tables by page apart: applied_keys)."""
        return replace(
            manifest,
            inputs=InputIndex(
                MappingProxyType({**manifest.inputs.files, **self.inputs}), self.scanned_ns
            ),
            outputs={**manifest.outputs, **self.outputs},
            folders={**manifest.folders, **self.folders},
            frames={**manifest.frames, **self.frames},
            token=self.token,
        )

    def applied_keys(self, manifest: Manifest) -> Manifest:
        """The tables by page of the manifest (BuildCache.load_keys)."""
        views = dict(manifest.views)
        for name, basis in self.views.items():
            if name in views:
                views[name] = (basis, views[name][1] if basis else b"")
        return replace(
            manifest,
            keys={**manifest.keys, **self.keys},
            bases={
                **manifest.bases,
                **{k: v for k, v in self.bases.items() if k in manifest.bases},
            },
            views=views,
        )

    def then(self, later: Journal) -> Journal:
        """This journal followed by a later one's changes (its tables over this one's)."""
        tables = {
            name: {**getattr(self, name), **getattr(later, name)}
            for name in ("inputs", "keys", "outputs", "folders", "bases", "views", "frames")
        }
        places = dict(self.places)
        for name, entries in later.places.items():
            earlier = places.get(name, {})
            places[name] = None if entries is None or earlier is None else {**earlier, **entries}
        return replace(later, base=self.base, places=places, **tables)


def folder_times(out: Path, names: Iterable[str]) -> dict[str, int]:
    """The modification time of every folder that holds one of the output files."""
    folders = {""}
    for name in names:
        parent = name.rpartition("/")[0]
        while parent and parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    root = f"{out}/"
    times = {}
    for name in sorted(folders):
        try:
            times[name] = os.stat(root + name).st_mtime_ns
        except OSError:  # gone already: the next build will not take the output as it was
            times[name] = -1
    return times


# --- the cache folder ----------------------------------------------------------------------------


@dataclass
class BuildCache:
    """The cache of one output folder, as one build reads and rewrites it."""

    folder: Path
    site: Path
    out: Path
    theme: Path
    environment: tuple[object, ...]
    previous: Manifest | None
    index: InputIndex = field(default_factory=lambda: InputIndex(MappingProxyType({}), 0))
    """Empty until `scan`."""
    parsed: ParseCache | None = None
    read: bool = True
    """False: what the cache holds is ignored (a cold build); it is written all the same."""
    _changed: set[str] | None = field(default=None, init=False, repr=False)
    """`changed()` of the last `scan`, once asked for."""
    journal: Journal | None = None
    """The journal applied to the last manifest, if any (save_journal)."""
    history_moved: bool = False
    """git's commits moved since the last build (a commit, a checkout, a pull): translations
    without stamps may have gone stale or back up to date (stale.py) with no file changed.
    The build then runs as after an edit (`changed` names HISTORY), and renders again only
    the pages whose notices changed; it used to start from nothing."""
    _keyed: bool = field(default=False, init=False, repr=False)
    """The last manifest's tables by page are read (load_keys)."""
    token: bytes = field(default_factory=lambda: os.urandom(16))
    """This build's (random): what it stores beside the manifest carries it (Manifest.bodies)."""

    @classmethod
    def open(
        cls, folder: Path, site: Path, out: Path, theme: Path, read: bool = True
    ) -> BuildCache:
        """Read the last manifest, if it is for this code, site and output (then `scan`).

        `read=False`: as if there were no cache (a cold build); `save` still writes one."""
        environment = (code_fingerprint(), str(site), str(out), git_signature(site))
        previous = _read_pickle(folder / MANIFEST) if read else None
        if not isinstance(previous, Manifest) or previous.environment[:-1] != environment[:-1]:
            previous = None
        journal = _read_pickle(folder / JOURNAL) if previous is not None else None
        if not isinstance(journal, Journal) or previous is None or journal.base != previous.token:
            journal = None
        else:
            previous = journal.applied(previous)
        moved = previous is not None and previous.environment[-1] != environment[-1]
        return cls(
            folder,
            site,
            out,
            theme,
            environment,
            previous,
            read=read,
            journal=journal,
            history_moved=moved,
        )

    def scan(self, hash_files: Callable[[list[str], int], list[bytes]] | None = None) -> None:
        """Index the inputs (hashing only the files that are new or changed, with
        `hash_files` when given: see index_inputs)."""
        previous = self.previous.inputs if self.previous else None
        index, changed = scan_changes(self.site, self.theme, previous, hash_files)
        self.adopt(index)
        self._changed = changed

    def adopt(self, index: InputIndex) -> None:
        """The inputs as `scan` found them (in another process: build._scan)."""
        self.index = index
        self._changed = None

    def changed(self) -> set[str]:
        """The inputs added, removed or changed since the last build (all, without one): as
        the scan found them, or (an index scanned elsewhere) once per scan."""
        if self._changed is None:
            self._changed = self.index.changed(self.previous.inputs if self.previous else None)
        if self.history_moved:  # (however the changes were found)
            self._changed.add(HISTORY)
        return self._changed

    def unchanged(self, output_intact: bool | None = None) -> Manifest | None:
        """The last manifest when no input changed and the output is as it was written
        (`output_intact`, when the caller checked that already)."""
        previous = self.previous
        if previous is None or self.changed():
            return None
        if output_intact is None:
            output_intact = previous.matches_output(self.out)
        return previous if output_intact else None

    def load_parsed(self) -> ParseCache:
        """The content folders loaded by the last build (read once, when a build needs them)."""
        if self.parsed is None:
            stored: dict[str, tuple[object, object]] = {}
            if self.read:
                for number in range(SHARDS):
                    shard = _read_pickle(self.folder / PARSED / f"{number:02d}.pickle")
                    if isinstance(shard, tuple) and shard[0] == self._parse_key():
                        stored.update(shard[1])
            self.parsed = ParseCache(stored, self.index)
        return self.parsed

    def _parse_key(self) -> tuple[object, ...]:
        """What parsed content depends on besides its files: the code and the site's place."""
        return (self.environment[0], str(self.site))

    def save_parsed(self) -> None:
        """Store the content folders this build loaded: only the files where one changed.

        Any process may do it (the parse cache is keyed by content, not by the output)."""
        if self.parsed is None:
            return
        folder = self.folder / PARSED
        for number, entries in enumerate(self.parsed.shards()):
            path = folder / f"{number:02d}.pickle"
            if entries is None:
                continue
            with contextlib.suppress(OSError):  # a cache: the build goes on without it
                if entries:
                    save_pickle(path, (self._parse_key(), entries))
                else:
                    path.unlink()

    def save(self, manifest: Manifest) -> OSError | None:
        """Store the new manifest, once the output it describes was swapped in; the error
        when it cannot be written (the next build then renders everything: the output is
        fine, and the command says why). Its tables by page go in a file of their own, which
        only a build that renders reads."""
        tables = (
            manifest.token,
            manifest.keys,
            manifest.bases,
            manifest.views,
            manifest.sitemap,
            manifest.languages,
        )
        frames = {code: pages.frame for code, pages in manifest.languages.items()}
        try:
            save_pickle(self.folder / KEYS, tables)
            save_pickle(
                self.folder / MANIFEST,
                replace(
                    manifest, keys={}, bases={}, views={}, sitemap={}, languages={}, frames=frames
                ),
            )
            (self.folder / JOURNAL).unlink(missing_ok=True)
        except OSError as exc:
            self.forget()
            return exc
        return None

    def load_keys(self) -> None:
        """The last manifest's tables by page, for a build that renders (none: as if there
        were no manifest)."""
        previous = self.previous
        if previous is None or self._keyed:
            return
        self._keyed = True
        tables = _read_pickle(self.folder / KEYS)
        written = self.journal.base if self.journal is not None else previous.token
        if not isinstance(tables, tuple) or len(tables) != 6 or tables[0] != written:
            self.previous = None
            return
        keys, bases, views, sitemap, languages = tables[1:]
        languages = {
            code: replace(pages, frame=previous.frames.get(code, pages.frame))
            for code, pages in languages.items()
        }
        previous = replace(
            previous, keys=keys, bases=bases, views=views, sitemap=sitemap, languages=languages
        )
        self.previous = previous if self.journal is None else self.journal.applied_keys(previous)

    def save_journal(self, changes: Journal) -> None:
        """Store what a rebuild changed of the last manifest (its `base` is that manifest's
        token), after what earlier ones changed; as save."""
        journal = self.journal.then(changes) if self.journal is not None else changes
        try:
            save_pickle(self.folder / JOURNAL, journal)
        except OSError:
            self.forget()

    def save_places(self, name: str, value: object) -> bool:
        """Store body places (the texts', or a language's pages', by `name`) in this build's
        folder of them (named by its token); whether they could be."""
        try:
            save_pickle(self.folder / BODY_PLACES / self.token.hex() / f"{name}.pickle", value)
        except OSError:
            return False
        return True

    def last_places(self, name: str) -> Any:
        """Places stored by the last build (`save_places`), as rebuilds since changed them
        (the journal), or None."""
        previous = self.previous
        if previous is None or not previous.bodies:
            return None
        stored = _read_pickle(self.folder / BODY_PLACES / previous.bodies.hex() / f"{name}.pickle")
        if self.journal is None or name not in self.journal.places:
            return stored
        changed = self.journal.places[name]
        if changed is None or not isinstance(stored, dict):
            return None
        return {**stored, **changed}

    def drop_places(self, keep: bytes) -> None:
        """Delete the body places of builds but the one of token `keep` (the last build's, a
        failed build's)."""
        with contextlib.suppress(OSError):
            for folder in (self.folder / BODY_PLACES).iterdir():
                if folder.name != keep.hex():
                    shutil.rmtree(folder, ignore_errors=True)

    def forget(self) -> None:
        """Drop the manifest: the output no longer matches it (a failed or partial write)."""
        for name in (MANIFEST, KEYS, JOURNAL):
            with contextlib.suppress(OSError):
                (self.folder / name).unlink()


class ParseCache:
    """Loaded content folders by name, each with the key (its files' hashes) it came from."""

    def __init__(self, stored: dict[str, tuple[object, object]], index: InputIndex) -> None:
        self.stored = stored
        self.used: dict[str, tuple[object, object]] = {}
        self.made: set[str] = set()
        """Folders loaded anew by this build (not taken from the cache)."""
        self.index = index
        self.folders = index.folder_digests(ITEM_DEPTH)
        """The hash of every item folder's files ('content/partners/unaoc/')."""

    def shards(self) -> list[dict[str, tuple[object, object]] | None]:
        """The entries to store in each shard file; None where the file is up to date."""
        used: list[dict[str, tuple[object, object]]] = [{} for _ in range(SHARDS)]
        dirty = [False] * SHARDS
        for name, entry in self.used.items():
            number = shard_of(name)
            used[number][name] = entry
            dirty[number] = dirty[number] or name in self.made
        for name in self.stored.keys() - self.used.keys():  # a folder removed
            dirty[shard_of(name)] = True
        return [entries if dirty[number] else None for number, entries in enumerate(used)]

    def missing(self, name: str, extra: object) -> bool:
        """Whether the folder must be loaded anew (its files or `extra` changed)."""
        return not self.holds(name, (self.folders.get(name + "/"), extra))

    def holds(self, name: str, key: object) -> bool:
        """Whether the last build's value of `name` was kept by this key."""
        entry = self.stored.get(name)
        return entry is not None and entry[0] == key

    def put(self, name: str, extra: object, value: object) -> None:
        """A folder loaded elsewhere (by a worker process), for `folder` to find."""
        self.keep(name, (self.folders.get(name + "/"), extra), value)

    def keep(self, name: str, key: object, value: object) -> None:
        """A value made elsewhere (by a worker process), for `kept` to find."""
        self.stored[name] = (key, value)
        self.made.add(name)

    def folder(self, name: str, extra: object, make: Callable[[], object]) -> object:
        """`make()` for the content folder `name` ('content/partners/unaoc'), or its result of
        the last build while its files (and `extra`) are the same."""
        return self.kept(name, (self.folders.get(name + "/"), extra), make)

    def kept(
        self,
        name: str,
        key: object,
        make: Callable[[], _T],
        still: Callable[[_T], bool] | None = None,
    ) -> _T:
        """`make()`, or its result of the last build while `key` (plain, comparable values:
        file hashes, settings) is the same: any value derived from files, stored with the
        content folders. `still`: whether a kept value is still good (the files it names
        are there)."""
        entry = self.used.get(name) or self.stored.get(name)  # (made by this build already)
        if entry is not None and entry[0] == key and (still is None or still(entry[1])):  # type: ignore[arg-type]
            value = entry[1]
        else:
            value = make()
            self.made.add(name)
        self.used[name] = (key, value)
        return value


def shard_of(name: str) -> int:
    return zlib.crc32(name.encode()) % SHARDS
