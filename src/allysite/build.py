"""The build, top to bottom: settings, content, plan, pages, output.

Every stage returns its diagnostics; nothing is rendered while an input is in error and
nothing is written while anything is, so one run reports every problem at once and a failed
build leaves the previous output as it was.

A build keeps a cache beside its output (cache.py). When no input changed and the output is
as it was written, a build only repeats the last build's messages; otherwise it reloads only
the content folders that changed, and renders only the pages whose key changed, over every
core (publish.py). The pipeline's modules are imported inside the functions that use them,
so that a build with nothing to do starts in a tenth of a second.
"""

from __future__ import annotations

import errno
import itertools
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from allysite.cache import BuildCache, Manifest, folder_times
from allysite.errors import (
    Diagnostic,
    Level,
    SourcePos,
    error,
    failed,
    has_errors,
    sorted_diagnostics,
)
from allysite.inputindex import NOT_A_FILE, InputIndex, undecodable_names
from allysite.output import (
    LOCK_WAIT_SECONDS,
    SpareLinks,
    Staging,
    Written,
    busy,
    check_arguments,
    keep_spare,
    output_lock,
)
from allysite.pipeline import (
    THEME,
    Prepared,
    Progress,
    cache_dir,
    prepare_site,
    translation_state,
)
from allysite.sitefiles import render_pages, site_extras
from allysite.swap import recover_interrupted_swap, staging_dir
from allysite.workers import long_lived_heap

if TYPE_CHECKING:
    from allysite.bodyedit import BodyEdit
    from allysite.buildwork import Made
    from allysite.publish import Published

__all__ = (  # the pipeline's stages, as check, the dev server and the command line know them
    "THEME",
    "BuildResult",
    "Prepared",
    "Progress",
    "build_site",
    "cache_dir",
    "prepare_site",
    "render_pages",
    "site_extras",
    "translation_state",
)
PARALLEL_FROM = 400
"""Fewer pages than about this (partners x languages) render in the build's own process."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    pages: int = 0
    files: int = 0
    written: bool = False
    rendered: tuple[str, ...] = ()
    """Output paths of the pages this build rendered; the others were kept from the last."""
    cached: bool = False
    """True when nothing changed at all: the output was left as it was."""
    cache_note: str | None = None
    """Why the build cache could not be written, when it could not (the output is whole;
    the next build renders everything): the command says so, and what to do."""

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def build_site(
    site: Path,
    out: Path,
    *,
    strict: bool = False,
    write: bool = True,
    progress: Progress | None = None,
    cache: bool = True,
    workers: int | None = None,
) -> BuildResult:
    """`progress(stage, done, total)` is told how far the long stages are (total 0: unknown).

    `cache=False` ignores what the last build left (a cold build; a new cache is written).
    `workers`: processes that render (default: one per core available)."""
    site = site.resolve()
    out = out.resolve()
    if not write:
        return _check_build(site, out, strict, progress)
    problems = check_arguments(site, out)  # (before the lock, which makes its folder)
    if problems:
        return _result(problems, strict)
    waiting = (lambda: progress("wait", 0, 0)) if progress else None
    try:
        with output_lock(out, LOCK_WAIT_SECONDS, waiting) as held:
            if not held:
                hint = (
                    "let it finish (or stop it), then build again; "
                    "or build into another folder with --out"
                )
                writer = "another allysite process"
                return _result([busy(out, LOCK_WAIT_SECONDS, writer, hint)], strict)
            with long_lived_heap() as freeze:  # (from the start: the scan and the manifest
                # make a hundred thousand objects that stay, which collections would walk)
                return _locked_build(site, out, strict, progress, cache, workers, freeze)
    except OSError as exc:  # the lock's folder cannot be made (a file in the way)
        return _result([_write_error(exc, out, site)], strict)


def _locked_build(
    site: Path,
    out: Path,
    strict: bool,
    progress: Progress | None,
    cache: bool,
    workers: int | None,
    freeze: Callable[[], None],
) -> BuildResult:
    """The build, once it holds the output's lock (`freeze`: workers.long_lived_heap's)."""
    if progress:
        progress("load", 0, 0)
    try:
        recover_interrupted_swap(out)
    except OSError as exc:
        return _result([_write_error(exc, out, site)], strict)
    store = BuildCache.open(cache_dir(out), site, out, THEME, read=cache)
    intact, edit, spare = _scan(store, out)
    problems = undecodable_names(store.index.files)
    if problems:
        return _result(problems, strict)
    if intact and store.previous is not None:  # each page kept from it needs no look again
        store.previous = replace(store.previous, verified=True)
    kept = store.unchanged(intact)
    if kept is not None:
        return _as_last(kept, strict, cached=True)
    if edit is not None and store.previous is not None:
        done = _edited(store, edit, intact, spare, strict, progress)
        if done is not None:
            return done
    store.load_keys()
    return _build(
        site,
        out,
        store,
        strict=strict,
        progress=progress,
        workers=workers,
        freeze=freeze,
        intact=bool(intact),
        spare=spare,
    )


def _scan(store: BuildCache, out: Path) -> tuple[bool | None, BodyEdit | None, bool | None]:
    """Index the inputs; on a large output, check meanwhile that it is as the last build
    left it, and when the inputs changed its spare too (in forked processes: a no-op build
    is these walks over thousands of files). With them, whether the output is intact and
    whether the spare is (None: not checked) and, when the inputs changed, the rebuild of
    edited bodies (bodyedit.py) if that is all they are."""
    from allysite.output import spare_matches
    from allysite.workers import Told, available_cores, in_workers

    previous = store.previous
    if available_cores() < 2:
        store.scan()
        return None, _body_edit(store), None
    if previous is None and "allysite.publish" not in sys.modules and _not_huge(store.site):
        # (in a process that has the pipeline imported, a test or the dev server, nothing
        # is left to do meanwhile)
        _scan_while_importing(store)
        return None, None, None
    if previous is None or not _large(previous.outputs):
        store.scan(_hash_in_workers)  # a first build hashes every file: on two cores
        return None, _body_edit(store), None
    edits: list[BodyEdit | None] = [None]
    written = _as_written(previous)

    def walk(worker: int) -> tuple[bool, bool | None]:
        if worker == 0:
            changed = False
            try:
                store.scan()
                changed = bool(store.changed())
            finally:
                changes.tell(changed)
            if changed:  # (while the output and its spare are checked)
                edits[0] = _body_edit(store)
                if edits[0] is None:  # a build follows: its modules load
                    import allysite.publish  # noqa: F401
            return True, True
        part = worker - 1
        intact = previous.matches_output(out, part, OUTPUT_CHECKERS)
        if not changes.heard():
            return intact, None
        return intact, spare_matches(out, written, part, OUTPUT_CHECKERS)

    # Whether the inputs changed, told to the checking processes once this one has scanned
    # them: only then is the spare staged into, and worth their checking it.
    with Told(OUTPUT_CHECKERS) as changes:
        found = in_workers(1 + OUTPUT_CHECKERS, walk, writes=False)
    spares = [spare for _, spare in found]
    spare = None if None in spares else all(spares)
    return all(intact for intact, _ in found), edits[0], spare


def _scan_while_importing(store: BuildCache) -> None:
    """A first build's scan when the pipeline is not imported yet (a command started afresh):
    the inputs walked and hashed by a forked process, while this one imports the pipeline
    and reads the settings once (the modules, Babel's locale data and the schema's
    validators then loaded are what every later process forks with). Before, the walk and
    the imports ran one after the other, and the loading process read the settings cold:
    on the 1,000-partner site the loading started 70 ms later."""
    from allysite.workers import in_workers

    def job(worker: int) -> InputIndex | None:
        if worker:
            store.scan(_hash_alone_or_shared)
            return store.index
        import allysite.publish  # noqa: F401  (the modules the rest of the build uses)
        from allysite.config import load_config

        load_config(store.site)  # (its result and messages are the loading process's)
        return None

    index = in_workers(2, job)[1]
    assert index is not None
    store.adopt(index)


SCAN_ALONE_UP_TO = 2_000
"""Content folders (partners) up to which a first build's scan runs in one process while
the pipeline is imported; a larger site's is shared by two (see _hash_in_workers)."""
HASH_ALONE_UP_TO = 256 * 1024 * 1024
"""Bytes of inputs that the scanning process hashes alone while the pipeline is imported
(a tenth of a second or two); more (large static files, say) are shared with a second."""


def _hash_alone_or_shared(paths: list[str], size: int) -> list[bytes]:
    """file_digest of each path, in this process, or in two when they are large (`size`:
    their bytes, as the scan found them)."""
    from allysite.inputindex import file_digest

    if size <= HASH_ALONE_UP_TO:
        return [file_digest(path) for path in paths]
    return _hash_in_workers(paths, size, imports=False)


def _not_huge(site: Path) -> bool:
    """Whether a site has at most SCAN_ALONE_UP_TO partners (by one listing of their folder)."""
    try:
        with os.scandir(site / "content" / "partners") as entries:
            return (
                sum(1 for _ in itertools.islice(entries, SCAN_ALONE_UP_TO + 1)) <= SCAN_ALONE_UP_TO
            )
    except OSError:  # (the scan and the loader report what is wrong)
        return True


def _body_edit(store: BuildCache) -> BodyEdit | None:
    if store.previous is None or not store.changed():
        return None
    from allysite.bodyedit import prepare_edit

    return prepare_edit(store)


def _edited(
    store: BuildCache,
    edit: BodyEdit,
    intact: bool | None,
    spare: bool | None,
    strict: bool,
    progress: Progress | None,
) -> BuildResult | None:
    """The output with the edited bodies in place (bodyedit.py); None when the full build
    must run instead (the output is not as the last build wrote it, or its messages fail
    this build: it must not write). `spare`: whether the spare was found as it was left
    (None: not checked yet)."""
    from allysite.bodyedit import publish_edit

    previous = store.previous
    assert previous is not None
    if failed(list(previous.diagnostics), strict):
        return None
    if intact is None:
        intact = previous.matches_output(store.out)
    if not intact:
        return None
    if progress:
        progress("write", 0, 0)
    try:
        publish_edit(store, edit, _large(previous.outputs), _as_written(previous), spare)
    except OSError as exc:
        return _result([_write_error(exc, store.out, store.site)], strict)
    return _as_last(previous, strict, rendered=tuple(sorted(edit.pages)))


def _as_last(manifest: Manifest, strict: bool, **figures: object) -> BuildResult:
    """The result of a build whose output has the last build's pages and messages."""
    return _result(
        list(manifest.diagnostics),
        strict,
        pages=manifest.pages,
        files=manifest.files,
        written=True,
        **figures,
    )


OUTPUT_CHECKERS = 2
"""Processes that check the output while this one indexes the inputs: the output has twice
the files, and a build with nothing to do is these walks (three processes on two cores
finish sooner than two, the second of which does two thirds of the work)."""


def _hash_in_workers(paths: list[str], size: int, imports: bool = True) -> list[bytes]:
    """file_digest of each path; when there are thousands (a first build), in a second
    process too, while this one imports the pipeline (which the build needs next) and then
    joins in: the files are dealt out a hundred at a time, so neither waits for the other.
    Without `imports` (large files, however few: _hash_alone_or_shared), one at a time.
    (`size`, their bytes, is what every `hash_files` of the scan is told: not needed here.)"""
    from allysite.inputindex import file_digest
    from allysite.workers import Deal, in_workers

    if imports and len(paths) < PARALLEL_FROM * 4:
        return [file_digest(path) for path in paths]
    step = max(HASH_CHUNK if imports else 1, -(-len(paths) // Deal.MOST))
    chunks = range(0, len(paths), step)

    def job(worker: int) -> dict[int, list[bytes]]:
        if worker == 0 and imports:
            import allysite.publish  # noqa: F401  (the modules the rest of the build uses)
        return {
            start: [file_digest(path) for path in paths[start : start + step]]
            for start in (chunks[number] for number in deal)
        }

    with Deal(len(chunks)) as deal:
        hashed: dict[int, list[bytes]] = {}
        for part in in_workers(2, job):
            hashed.update(part)
    return [value for start in chunks for value in hashed[start]]


HASH_CHUNK = 100
"""Input files dealt out at a time to the processes that hash them on a first build."""


def _build(
    site: Path,
    out: Path,
    store: BuildCache,
    *,
    strict: bool,
    progress: Progress | None,
    workers: int | None,
    freeze: Callable[[], None],
    intact: bool,
    spare: bool | None = None,
) -> BuildResult:
    """Everything that changed since the last build, staged and swapped in.

    `intact`: the output was checked to be as the last build left it; it then becomes the
    spare that the next build stages into (output.py), instead of being deleted. `spare`:
    whether the spare was found as it was left meanwhile (Staging.start's `checked`).

    On a large site the work is done by forked processes: one loads the site, stages the
    files that are no pages, and then plans and renders the pages of some languages, beside
    the processes it forks for the others (buildwork.make_pages). This process then only
    swaps the output in (after search indexing): it never holds the site, so that no
    process holds it twice (peak memory)."""
    from allysite.workers import SharedCounts, available_cores, in_workers

    count = available_cores() if workers is None else max(1, workers)
    if workers is None and _content_texts(store) < PARALLEL_FROM:
        count = 1  # a small site: forking costs more than it saves
    try:
        last = store.previous
        written = _as_written(last) if last is not None else None
        staging = Staging.start(out, written, spare)
    except OSError as exc:
        return _result([_write_error(exc, out, site)], strict)
    counts = SharedCounts(2 * count + 2)  # (pages done, of how many: each rendering process's
    # and the loading one's, which renders too in a rebuild: buildwork.make_pages)

    def waiting() -> None:
        if progress:
            done = counts.total(range(0, 2 * count + 2, 2))
            progress("render", done, max(done, counts.total(range(1, 2 * count + 2, 2))))

    # a spare made of links to the new output's files, by a process of its own, when the
    # previous output is not kept as the spare (a large site's: one rendered in parallel)
    previous = store.previous if intact else None
    links = SpareLinks(staging) if count > 1 and previous is None else None

    from allysite.buildwork import make_pages

    def make(_: int) -> Made:
        return make_pages(site, out, store, strict, count, freeze, staging, counts, waiting, links)

    def finish() -> BuildResult:
        try:
            return _finish(store, staging, make, count, waiting, progress, strict, previous)
        finally:
            if links is not None:  # (the loading process forked, or never will)
                links.forked()

    if links is None:
        return finish()
    spare = links  # (the spare's process forks first; the loading one, from finish)
    return in_workers(2, lambda worker: spare.run() if worker else finish())[0]  # type: ignore[return-value]


def _finish(
    store: BuildCache,
    staging: Staging,
    make: Callable[[int], Made],
    count: int,
    waiting: Callable[[], None],
    progress: Progress | None,
    strict: bool,
    previous: Manifest | None,
) -> BuildResult:
    """The site loaded and rendered (by `make`, over `count` processes), staged and swapped
    in, and the manifest saved (`previous`: the last one, when its output was checked to be
    as written, kept as the spare)."""
    from allysite.publish import stage_search
    from allysite.workers import in_workers

    out = store.out
    try:
        made = make(0) if count == 1 else in_workers(2, make, waiting, here=False)[0]
        problems, published = made.problems, made.published
        if published is None or failed(problems, strict):
            staging.abandon()
            return _result(problems, strict)
        if made.search and not failed(problems, strict):
            if progress:  # last: it indexes the finished pages
                progress("search", 0, 0)
            problems += stage_search(made.pages, staging, store.previous, published)
        if failed(problems, strict):
            staging.abandon()
            return _result(problems, strict)
        if progress:
            progress("write", 0, 0)
        spare = staging.complete(published.states, _large(published.states), previous is not None)
    except OSError as exc:
        staging.abandon()
        store.forget()
        return _result([_write_error(exc, out, store.site)], strict)
    except BaseException:
        staging.abandon()
        raise
    places = _places_stored(made, published, store)
    manifest, unsaved = _save(store, made, published, problems, places)
    if spare and previous is not None:  # (the previous output)
        keep_spare(out, _as_written(manifest), previous.outputs, previous.folders)
    rendered = tuple(sorted(published.rendered))
    states = published.states
    note = None if unsaved is None else _cache_note(unsaved, store)
    return _result(
        problems,
        strict,
        pages=len(made.pages),
        files=len(states),
        written=True,
        rendered=rendered,
        cache_note=note,
    )


def _cache_note(exc: OSError, store: BuildCache) -> str:
    where = os.fsdecode(exc.filename) if exc.filename else str(store.folder)
    return (
        f"the build cache could not be written ({exc.strerror or exc}: {where}), so the next "
        f"build renders every page again; {_mend_cache(store.folder)}"
    )


def _mend_cache(cache: Path) -> str:
    """What to do about a build cache that cannot be written (a file in place of its folder)."""
    return (
        f"delete {cache} (allysite's build cache: the next build makes it again); "
        "if it persists, check the folder's permissions and free disk space"
    )


def _save(
    store: BuildCache, made: Made, published: Published, problems: list[Diagnostic], places: bool
) -> tuple[Manifest, OSError | None]:
    """The manifest of the build, and only its body places kept; the error that kept the
    manifest from being stored, if one did."""
    states = published.states
    manifest = Manifest(
        store.environment,
        store.index,
        published.keys,
        states,
        folder_times(store.out, states),
        sorted_diagnostics(problems),
        len(made.pages),
        len(states),
        published.bases,
        published.views,
        published.sitemap,
        published.languages,
        bodies=store.token if places else b"",
        token=store.token,
    )
    unsaved = store.save(manifest)
    store.drop_places(store.token if places else b"")
    return manifest, unsaved


def _as_written(manifest: Manifest) -> Written:
    """The output as the manifest records it (a spare is stored against it)."""
    return Written(manifest.token, manifest.outputs, manifest.folders)


def _places_stored(made: Made, published: Published, store: BuildCache) -> bool:
    """Whether the processes stored where every page shows which texts' bodies, and what the
    texts are (for a rebuild after edits of bodies alone: bodyedit.py)."""
    from allysite.cache import TEXTS

    languages = published.languages
    if not set(published.stored) >= {TEXTS, *languages}:
        return False
    listed = {page for pages in languages.values() for page in pages.pages}
    return listed == set(made.pages)


def _large(files: Mapping[str, object]) -> bool:
    """An output of this many files is large: when replaced, kept as the spare that the next
    build stages into (or deleted in the background); checked by processes of its own."""
    return len(files) >= PARALLEL_FROM * 4


def _content_texts(store: BuildCache) -> int:
    """About the number of pages a site has: its Markdown texts (one per item and language)."""
    return sum(name.startswith("content/") and name.endswith(".md") for name in store.index.files)


def _check_build(site: Path, out: Path, strict: bool, progress: Progress | None) -> BuildResult:
    """Everything a build validates and renders, in memory, writing nothing."""
    from allysite.search import index_pages

    if progress:
        progress("load", 0, 0)
    prepared, problems = prepare_site(site, cache_dir(out), strict=strict)
    if prepared is None or failed(problems, strict):
        return _result(problems, strict)
    pages, found = render_pages(prepared, progress)
    problems += found
    if prepared.config.search and not failed(problems, strict):
        problems += index_pages(pages)[1]
    return _result(problems, strict, pages=len(pages), rendered=tuple(p.out_path for p in pages))


DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
"""Errors of a full disk (or quota): the output's, whichever file the call names."""


def _write_error(exc: OSError, out: Path, site: Path) -> Diagnostic:
    """An operating system error, as the output's (or, for a file of the site, as reading
    it: a folder unreadable, or a link in a loop)."""
    filename = Path(os.fsdecode(exc.filename)) if exc.filename else None
    if exc.errno in DISK_FULL:  # (a copy's error names its source first: the target is second)
        target = exc.filename2 or exc.filename or out
        return error(
            "write",
            f"cannot write the output: {exc.strerror or exc}",
            SourcePos(os.fsdecode(target)),
            "free space on the output's disk (or choose another --out), then build again",
        )
    cache = cache_dir(out)
    if filename is not None and (filename == cache or filename.is_relative_to(cache)):
        return error(
            "write",
            f"cannot write the build cache: {exc.strerror or exc}",
            SourcePos(str(filename)),
            _mend_cache(cache),
        )
    if filename is not None and filename.is_relative_to(site) and not _written(filename, out):
        return error(
            "read",
            f"cannot read the site: {exc.strerror or exc}",
            SourcePos(filename.relative_to(site).as_posix()),
            "replace it with a regular file"
            if exc.strerror == NOT_A_FILE
            else "check its permissions; a symbolic link may lead nowhere or in a loop",
        )
    staging = staging_dir(out)
    if exc.errno in (errno.ENOTDIR, errno.EISDIR) and filename and filename.is_relative_to(staging):
        return _collision(filename.relative_to(staging), site)
    return error(
        "write",
        f"cannot write the output: {exc.strerror or exc}",
        SourcePos(str(exc.filename or out)),
        "check the folder's permissions and free disk space",
    )


def _collision(written: Path, site: Path) -> Diagnostic:
    """A file copied where the site generates a folder, or a folder where it writes a file:
    the staged files are written by several processes at once, so the write fails before
    the check of the copies against the pages (copies.copy_collisions) can name it. The
    file (or folder) of static/ in the way is named here; `allysite check` names any other."""
    parts = written.parts
    culprit = next(
        (
            Path("static", *parts[:count])
            for count in range(1, len(parts) + 1)
            if (site / "static" / Path(*parts[:count])).is_file()
        ),
        Path("static", written) if (site / "static" / written).is_dir() else None,
    )
    return error(
        "output-collision",
        f"cannot write {written.as_posix()}: a file of static/ or of an item's folder has the "
        "name of a folder the site generates, or of a file above it",
        SourcePos(culprit.as_posix()) if culprit is not None else None,
        "rename or move the file ('allysite check' names it)",
    )


def _written(path: Path, out: Path) -> bool:
    """Whether a path is the build's: in the output, or in a folder of its beside it (the
    staging folder, the spare, the cache, the lock: `.<out>.allysite-*`)."""
    if path.is_relative_to(out):
        return True
    beside = path.relative_to(out.parent).parts if path.is_relative_to(out.parent) else ()
    return bool(beside) and beside[0].startswith(f".{out.name}.allysite-")


def _result(problems: list[Diagnostic], strict: bool, **figures: object) -> BuildResult:
    diagnostics = sorted_diagnostics(problems)
    if strict:
        diagnostics = tuple(
            Diagnostic(Level.ERROR, d.code, d.message, d.pos, d.hint) for d in diagnostics
        )
    return BuildResult(diagnostics, **figures)  # type: ignore[arg-type]
