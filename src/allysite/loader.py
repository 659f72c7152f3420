"""Walks content/ into the Content model, collecting every problem instead of stopping
(each folder's files are read by itemfiles.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from allysite.cache import ParseCache
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error, outside_link, warning
from allysite.inputindex import WELL_KNOWN, editor_leftover
from allysite.itemfiles import (
    Collector,
    is_folder,
    leaves,
    load_facts,
    load_translations,
    not_a_file,
    unfollowed_link,
    unreadable_folder,
)
from allysite.markup import links_to_name
from allysite.memo import Memo, folder_signature
from allysite.model import (
    TAXONOMY_NAMES,
    Content,
    Page,
    Partner,
    Taxonomy,
    Term,
)
from allysite.schema import (
    SLUG_PATTERN,
    PageTextSchema,
    PartnerTextSchema,
    TaxonomiesSchema,
    validate,
)
from allysite.sourcefile import read_yaml_file
from allysite.workers import Deal, Send, streamed_from_workers

TAXONOMIES_FILE = "taxonomies.yaml"
# "translations": the translation dashboard's address when a site turns it on.
PARALLEL_FROM = 200
"""Fewer content folders to parse than this are parsed in the build's own process."""
RESERVED_PAGE_SLUGS = frozenset({"partners", *TAXONOMY_NAMES, "assets", "404", "translations"})
_Item = TypeVar("_Item", Partner, Page)


Derive = Callable[[Partner | Page], list[tuple[str, object, object]]]
"""What else to make of an item as soon as it is loaded, for the build cache to keep:
(name, key, value) for ParseCache.keep (a partner's prepared logo)."""


def load_content(
    config: SiteConfig,
    memo: Memo | None = None,
    parsed: ParseCache | None = None,
    workers: int = 1,
    meanwhile: Callable[[], None] | None = None,
    derive: Derive | None = None,
) -> tuple[Content, list[Diagnostic]]:
    """`memo` (the dev server's): item folders none of whose files changed are not read again.
    `parsed` (the build cache's): the same across builds, by the hashes of a folder's files;
    with `workers`, the folders it lacks are parsed over that many processes first, which
    also `derive` what the cache should keep of each item.
    `meanwhile`: work that needs no content (compiling templates), done here while the
    other processes parse (else first)."""
    forked = (
        parsed is not None
        and workers > 1
        and _parse_in_workers(config, parsed, workers, meanwhile, derive)
    )
    if not forked and meanwhile:
        meanwhile()  # (no other process parses: first, then)
    found = Collector(config.root, memo=memo, parsed=parsed)
    partners = _load_partners(config, found)
    pages = _load_pages(config, found)
    taxonomies = _load_taxonomies(config, partners, found)
    static_files = _list_files(config.root / "static", found)
    content = Content(
        partners=tuple(partners),
        pages=tuple(pages),
        taxonomies=taxonomies,
        static_files=static_files,
        sources=tuple(sorted(found.sources)),
    )
    return content, found.problems


def _subfolders(folder: Path, found: Collector) -> list[tuple[Path, bool]]:
    """The item folders in `folder`, each with whether it is read through a symbolic link
    (its own, or the content folder's): a file edited there is reported to the dev server by
    its own path, so the memo must not take such a folder as unchanged (`_cached_folder`)."""
    if _leaves_site(folder, found):
        return []
    through = found.memo is not None and any(p.is_symlink() for p in (folder, folder.parent))
    result = []
    for name, is_dir, is_link in _listing(folder):
        if name.startswith(".") or (not is_dir and editor_leftover(name)):
            continue
        path = folder / name
        if is_link and is_dir and _leaves_site(path, found):
            continue
        if is_dir and not is_link and not _holds_files(path, found):
            continue  # (as git, which keeps no empty folder, and the build's input index)
        if is_dir:
            result.append((path, through or is_link))
        else:
            found.problems.append(
                warning(
                    "stray-file",
                    f"'{name}' is not in an item folder and is ignored",
                    SourcePos(f"{found.rel(folder)}/{name}"),
                    f"move it into {found.rel(folder)}/<slug>/",
                )
            )
    return result


def _holds_files(folder: Path, found: Collector) -> bool:
    """Whether a folder holds a file that is not hidden, at any depth, nor an editor's
    leftover (an empty item folder, one an editor has just made, is no item yet; nor is one
    where only an editor's backup is left, as the build's input index lists none there).
    Known without a walk when the build's input index lists files in it, or the dev server
    loaded it and it did not change."""
    if found.parsed is not None and f"{found.rel(folder)}/" in found.parsed.folders:
        return True
    memo = found.memo
    if memo is not None and memo.unchanged(folder) and memo.kept(("folder", folder)) is not None:
        return True
    for _root, folders, files in os.walk(folder, onerror=_reporter(found)):
        if any(not name.startswith(".") and not editor_leftover(name) for name in files):
            return True
        folders[:] = [name for name in folders if not name.startswith(".")]
    return False


def _reporter(found: Collector) -> Callable[[OSError], None]:
    """An os.walk `onerror` that reports each folder it cannot list (it skips them in
    silence, and their files would be left out of the site with no word)."""

    def report(exc: OSError) -> None:
        found.problems.append(unreadable_folder(found.rel(Path(exc.filename)), exc))

    return report


def _listing(folder: Path) -> list[tuple[str, bool, bool]]:
    """A folder's entries by name, each with whether it is a folder (a link to one too) and
    whether it is a link, as pathlib's iterdir, is_dir and is_symlink tell, by os.scandir:
    its entries know their type without a call per entry. Empty when the folder is missing
    (or no folder)."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted((entry.name, is_folder(entry), entry.is_symlink()) for entry in entries)


def _leaves_site(folder: Path, found: Collector) -> bool:
    """Whether a folder of the site is a link (or lies in a linked folder) leading out of it:
    its files would be published from elsewhere on the machine. Reported, then skipped."""
    if not folder.is_dir() or not leaves(folder, found.root):
        return False
    found.problems.append(outside_link(found.rel(folder), "copy the folder into the site instead"))
    return True


def _check_slug(folder: Path, found: Collector) -> bool:
    if SLUG_PATTERN.fullmatch(folder.name):
        return True
    found.problems.append(
        error(
            "bad-slug",
            f"folder name '{folder.name}' is not a valid slug",
            SourcePos(found.rel(folder)),
            "rename the folder with lowercase ASCII letters, digits and hyphens, e.g. 'un-women'",
        )
    )
    return False


def _load_partners(config: SiteConfig, found: Collector) -> list[Partner]:
    partners = []
    for folder, linked in _subfolders(config.root / "content" / "partners", found):
        if not _check_slug(folder, found):
            continue
        partner = _cached_folder(config, folder, found, _load_partner, linked)
        if partner is not None:
            partners.append(partner)
    return partners


def _load_partner(config: SiteConfig, folder: Path, found: Collector) -> Partner | None:
    facts = load_facts(folder, found)
    translations, assets = load_translations(config, folder, PartnerTextSchema, found)
    if facts is None or translations is None:
        return None
    linked = facts.logo is not None and any(
        links_to_name(text.body_html, facts.logo) for text in translations.values()
    )
    return Partner(folder.name, found.rel(folder), facts, translations, assets, linked)


def _parse_in_workers(
    config: SiteConfig,
    parsed: ParseCache,
    workers: int,
    meanwhile: Callable[[], None] | None = None,
    derive: Derive | None = None,
) -> bool:
    """Load the content folders the cache lacks over `workers` forked processes, into it;
    False when there are too few to fork for (and `meanwhile` was not run).

    The folders are the ones the loader will ask for (checks and messages stay with it).
    They are dealt out a few at a time through a pipe (see `Deal`), so a process that
    is done takes the next ones: this process runs `meanwhile` first, then joins in, and
    takes what the others parsed as they go (see `streamed_from_workers`)."""
    languages = (config.language_codes, config.default_language.code)
    jobs: list[tuple[str, Path, Callable[[SiteConfig, Path, Collector], Partner | Page | None]]]
    jobs = []
    for kind, load in (("partners", _load_partner), ("pages", _load_page)):
        root = config.root / "content" / kind
        if root.is_dir() and leaves(root, config.root):
            continue  # (the loader reports it)
        for slug, is_dir, is_link in _listing(root):
            name = f"content/{kind}/{slug}"
            if (
                is_dir
                and not (is_link and leaves(root / slug, config.root))
                and SLUG_PATTERN.fullmatch(slug)
                and not (kind == "pages" and slug in RESERVED_PAGE_SLUGS)
                and parsed.missing(name, languages)
            ):
                jobs.append((name, root / slug, load))  # type: ignore[arg-type]
    if len(jobs) < PARALLEL_FROM:
        return False
    size = max(CHUNK, -(-len(jobs) // Deal.MOST))
    chunks = [jobs[start : start + size] for start in range(0, len(jobs), size)]

    def job(worker: int, send: Send, drain: Callable[[], None]) -> None:
        if worker == 0 and meanwhile is not None:
            meanwhile()
        for number in deal:
            done = []
            for name, folder, load in chunks[number]:
                loaded = _load_folder(config, folder, load)
                item = loaded[0]
                derived = derive(item) if derive is not None and item is not None else []
                done.append((name, loaded, derived))
            send(done)
            drain()

    def take(done: object) -> None:
        for name, value, derived in done:  # type: ignore[attr-defined]
            parsed.put(name, languages, value)
            for entry in derived:
                parsed.keep(*entry)

    with Deal(len(chunks)) as deal:
        streamed_from_workers(workers, job, take)
    return True


CHUNK = 8
"""Content folders dealt out at a time to the processes that parse them."""


def _load_folder(
    config: SiteConfig,
    folder: Path,
    load: Callable[[SiteConfig, Path, Collector], _Item | None],
) -> tuple[_Item | None, tuple[Diagnostic, ...], tuple[str, ...]]:
    """One item folder on its own: the item, its problems and the files it read."""
    own = Collector(config.root)
    item = load(config, folder, own)
    return item, tuple(own.problems), tuple(own.sources)


def _cached_folder(
    config: SiteConfig,
    folder: Path,
    found: Collector,
    load: Callable[[SiteConfig, Path, Collector], _Item | None],
    linked: bool = False,
) -> _Item | None:
    """An item folder loaded, or its last result (the same object) while no file in it changed.

    The dev server's memo knows a folder by its files' sizes and times (one `linked`, read
    through a link, always by them); the build cache by their hashes, from one build to the
    next."""
    if found.memo is None and found.parsed is None:
        return load(config, folder, found)
    languages = (config.language_codes, config.default_language.code)

    def load_anew() -> tuple[_Item | None, tuple[Diagnostic, ...], tuple[str, ...]]:
        return _load_folder(config, folder, load)

    def make() -> tuple[_Item | None, tuple[Diagnostic, ...], tuple[str, ...]]:
        if found.parsed is None:
            return load_anew()
        return found.parsed.folder(found.rel(folder), languages, load_anew)  # type: ignore[return-value]

    if found.memo is None:
        kept: object = make()
    else:
        slot = ("folder", folder)
        kept = found.memo.kept(slot) if not linked and found.memo.unchanged(folder) else None
        if kept is None:
            kept = found.memo.get(slot, (*languages, folder_signature(folder)), make)
    item, problems, sources = kept  # type: ignore[misc]
    found.problems.extend(problems)
    found.sources.extend(sources)
    return item


def _load_pages(config: SiteConfig, found: Collector) -> list[Page]:
    pages = []
    for folder, linked in _subfolders(config.root / "content" / "pages", found):
        if not _check_slug(folder, found):
            continue
        if folder.name in RESERVED_PAGE_SLUGS:
            found.problems.append(
                error(
                    "reserved-slug",
                    f"page slug '{folder.name}' is reserved for generated pages",
                    SourcePos(found.rel(folder)),
                    "rename the folder",
                )
            )
            continue
        page = _cached_folder(config, folder, found, _load_page, linked)
        if page is not None:
            pages.append(page)
    return pages


def _load_page(config: SiteConfig, folder: Path, found: Collector) -> Page | None:
    translations, assets = load_translations(config, folder, PageTextSchema, found)
    if translations is None:
        return None
    return Page(folder.name, found.rel(folder), translations, assets)


def _load_taxonomies(
    config: SiteConfig, partners: list[Partner], found: Collector
) -> tuple[Taxonomy, ...]:
    labels: dict[str, dict[str, dict[str, str]]] = {name: {} for name in TAXONOMY_NAMES}
    path = config.root / TAXONOMIES_FILE
    if path.is_symlink() and leaves(path, config.root):
        found.problems.append(
            outside_link(
                TAXONOMIES_FILE, f"copy the file into the site as {TAXONOMIES_FILE} instead"
            )
        )
    elif path.exists():  # (a folder or a named pipe in its place is refused by reading it)
        found.sources.append(TAXONOMIES_FILE)
        doc, problems = read_yaml_file(path, TAXONOMIES_FILE)
        found.problems.extend(problems)
        data, problems = validate(TaxonomiesSchema, doc) if doc else (None, [])
        found.problems.extend(problems)
        if data is not None and doc is not None:
            for name in TAXONOMY_NAMES:
                for term, by_lang in getattr(data, name).items():
                    for code in by_lang:
                        if code not in config.language_codes:
                            found.problems.append(
                                error(
                                    "unknown-language",
                                    f"{name}.{term}: '{code}' is not one of the site's languages",
                                    doc.pos((name, term, code)),
                                    f"languages are: {', '.join(config.language_codes)}",
                                )
                            )
                    labels[name][term] = by_lang
    taxonomies = []
    for name in TAXONOMY_NAMES:
        used = sorted({term for partner in partners for term in partner.terms(name)})
        terms = tuple(
            Term(name, slug, MappingProxyType(dict(labels[name].get(slug, {})))) for slug in used
        )
        taxonomies.append(Taxonomy(name, terms))
    return tuple(taxonomies)


def _list_files(folder: Path, found: Collector) -> tuple[str, ...]:
    if not folder.is_dir() or _leaves_site(folder, found):
        return ()
    files = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=_reporter(found)):
        top = dirpath == str(folder)  # (where .well-known/ is published: inputindex.hidden)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") or (top and d == WELL_KNOWN)
        )
        for name in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            found.problems.append(unfollowed_link(found.rel(Path(dirpath) / name)))
            dirnames.remove(name)  # (os.walk enters none: said, not left out unsaid)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and leaves(path, found.root):
                found.problems.append(
                    outside_link(found.rel(path), "copy the file into static/ instead")
                )
                continue
            if not path.is_file():
                found.problems.append(not_a_file(found.rel(path)))
                continue
            files.append(path.relative_to(folder).as_posix())
    return tuple(files)
