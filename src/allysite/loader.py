"""Walks content/ into the Content model, collecting every problem instead of stopping."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from allysite.cache import ParseCache
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error, warning
from allysite.languages import parse_locale
from allysite.markup import render_markdown
from allysite.memo import Memo, folder_signature
from allysite.model import (
    TAXONOMY_NAMES,
    Content,
    Page,
    Partner,
    PartnerFacts,
    Taxonomy,
    Term,
    Translation,
    fingerprint,
)
from allysite.schema import (
    SLUG_PATTERN,
    PageTextSchema,
    PartnerSchema,
    PartnerTextSchema,
    TaxonomiesSchema,
    validate,
)
from allysite.sourcefile import read_markdown_file, read_yaml_file
from allysite.workers import in_workers

PARTNER_FILE = "partner.yaml"
TAXONOMIES_FILE = "taxonomies.yaml"
# "translations": the translation dashboard's address when a site turns it on.
PARALLEL_FROM = 200
"""Fewer content folders to parse than this are parsed in the build's own process."""
RESERVED_PAGE_SLUGS = frozenset({"partners", *TAXONOMY_NAMES, "assets", "404", "translations"})
_Item = TypeVar("_Item", Partner, Page)


@dataclass
class _Collector:
    """What one load gathers: problems and the files read."""

    root: Path
    problems: list[Diagnostic] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    memo: Memo | None = None
    parsed: ParseCache | None = None

    def rel(self, path: Path) -> str:
        return relative(path, self.root)


def relative(path: Path, root: Path) -> str:
    """`path.relative_to(root).as_posix()`, by the strings where it can (a load asks it for
    every file, and pathlib's took a tenth of loading)."""
    text, prefix = str(path), str(root)
    if os.sep == "/" and text.startswith(prefix) and text[len(prefix) : len(prefix) + 1] == "/":
        return text[len(prefix) + 1 :]
    return path.relative_to(root).as_posix()


def load_content(
    config: SiteConfig,
    memo: Memo | None = None,
    parsed: ParseCache | None = None,
    workers: int = 1,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[Content, list[Diagnostic]]:
    """`memo` (the dev server's): item folders none of whose files changed are not read again.
    `parsed` (the build cache's): the same across builds, by the hashes of a folder's files;
    with `workers`, the folders it lacks are parsed over that many processes first.
    `meanwhile`: work that needs no content (compiling templates), done here while the
    other processes parse (else first)."""
    forked = parsed is not None and workers > 1
    if not (forked and _parse_in_workers(config, parsed, workers, meanwhile)) and meanwhile:
        meanwhile()  # (no other process parses: first, then)
    found = _Collector(config.root, memo=memo, parsed=parsed)
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


def _subfolders(folder: Path, found: _Collector) -> list[Path]:
    if not folder.is_dir():
        return []
    result = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            result.append(entry)
        else:
            found.problems.append(
                warning(
                    "stray-file",
                    f"'{entry.name}' is not in an item folder and is ignored",
                    SourcePos(found.rel(entry)),
                    f"move it into {found.rel(folder)}/<slug>/",
                )
            )
    return result


def _check_slug(folder: Path, found: _Collector) -> bool:
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


def _load_partners(config: SiteConfig, found: _Collector) -> list[Partner]:
    partners = []
    for folder in _subfolders(config.root / "content" / "partners", found):
        if not _check_slug(folder, found):
            continue
        partner = _cached_folder(config, folder, found, _load_partner)
        if partner is not None:
            partners.append(partner)
    return partners


def _load_partner(config: SiteConfig, folder: Path, found: _Collector) -> Partner | None:
    facts = _load_facts(folder, found)
    translations, assets = _load_translations(config, folder, PartnerTextSchema, found)
    if facts is None or translations is None:
        return None
    return Partner(folder.name, found.rel(folder), facts, translations, assets)


def _parse_in_workers(
    config: SiteConfig,
    parsed: ParseCache,
    workers: int,
    meanwhile: Callable[[], None] | None = None,
) -> bool:
    """Load the content folders the cache lacks over `workers` forked processes, into it;
    False when there are too few to fork for (and `meanwhile` was not run).

    The folders are the ones the loader will ask for (checks and messages stay with it).
    This process runs `meanwhile` first, then parses a share a little over its part: the
    others send theirs back through a pipe, which costs them about a twelfth more."""
    languages = (config.language_codes, config.default_language.code)
    jobs: list[tuple[str, Path, Callable[[SiteConfig, Path, _Collector], Partner | Page | None]]]
    jobs = []
    for kind, load in (("partners", _load_partner), ("pages", _load_page)):
        root = config.root / "content" / kind
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            name = f"content/{kind}/{folder.name}"
            if (
                folder.is_dir()
                and SLUG_PATTERN.fullmatch(folder.name)
                and not (kind == "pages" and folder.name in RESERVED_PAGE_SLUGS)
                and parsed.missing(name, languages)
            ):
                jobs.append((name, folder, load))  # type: ignore[arg-type]
    if len(jobs) < PARALLEL_FROM:
        return False
    here = (1.08 - (0.04 if meanwhile else 0.0)) / workers
    shares: list[list[int]] = [[] for _ in range(workers)]
    for number in range(len(jobs)):
        slot = (number * 37) % 100  # spread over the folders' order (their sizes vary)
        share = 0 if slot < here * 100 else 1 + slot % (workers - 1)
        shares[share].append(number)

    def job(worker: int) -> list[tuple[str, object]]:
        if worker == 0 and meanwhile is not None:
            meanwhile()
        return [
            (jobs[number][0], _load_folder(config, jobs[number][1], jobs[number][2]))
            for number in shares[worker]
        ]

    for part in in_workers(workers, job):
        for name, value in part:
            parsed.put(name, languages, value)
    return True


def _load_folder(
    config: SiteConfig,
    folder: Path,
    load: Callable[[SiteConfig, Path, _Collector], _Item | None],
) -> tuple[_Item | None, tuple[Diagnostic, ...], tuple[str, ...]]:
    """One item folder on its own: the item, its problems and the files it read."""
    own = _Collector(config.root)
    item = load(config, folder, own)
    return item, tuple(own.problems), tuple(own.sources)


def _cached_folder(
    config: SiteConfig,
    folder: Path,
    found: _Collector,
    load: Callable[[SiteConfig, Path, _Collector], _Item | None],
) -> _Item | None:
    """An item folder loaded, or its last result (the same object) while no file in it changed.

    The dev server's memo knows a folder by its files' sizes and times; the build cache by
    their hashes, from one build to the next."""
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
        kept = found.memo.kept(slot) if found.memo.unchanged(folder) else None
        if kept is None:
            kept = found.memo.get(slot, (*languages, folder_signature(folder)), make)
    item, problems, sources = kept  # type: ignore[misc]
    found.problems.extend(problems)
    found.sources.extend(sources)
    return item


def _load_facts(folder: Path, found: _Collector) -> PartnerFacts | None:
    path = folder / PARTNER_FILE
    rel = found.rel(path)
    if not path.is_file():
        found.problems.append(
            error(
                "missing-file",
                f"{found.rel(folder)}/ has no {PARTNER_FILE}",
                SourcePos(found.rel(folder)),
                f"create {rel} with website and kind",
            )
        )
        return None
    found.sources.append(rel)
    doc, problems = read_yaml_file(path, rel)
    found.problems.extend(problems)
    if doc is None:
        return None
    data, problems = validate(PartnerSchema, doc)
    found.problems.extend(problems)
    if data is None:
        return None
    if data.logo is not None:
        logo = data.logo
        if not _is_plain_relative(logo):
            found.problems.append(
                error(
                    "bad-logo",
                    f"logo: '{logo}' must be a file inside the partner's folder",
                    doc.pos(("logo",)),
                    "put the file beside partner.yaml and give its name only",
                )
            )
            return None
        if not (folder / logo).is_file():
            found.problems.append(
                error(
                    "missing-logo",
                    f"logo: file '{logo}' does not exist in {found.rel(folder)}/",
                    doc.pos(("logo",)),
                    "add the file or fix its name (names are case-sensitive)",
                )
            )
            return None
        # a link leaving the whole site is reported with the folder's other files
        if _has_link(folder, logo) and _leads_out(folder / logo, folder, found.root):
            found.problems.append(
                error(
                    "bad-logo",
                    f"logo: '{logo}' is a link that leads outside the partner's folder",
                    doc.pos(("logo",)),
                    "copy the file into the folder instead of linking to it",
                )
            )
            return None
    return PartnerFacts(
        website=data.website,
        logo=data.logo,
        partner_since=data.partner_since,
        kind=data.kind,
        regions=tuple(dict.fromkeys(data.regions)),
        topics=tuple(dict.fromkeys(data.topics)),
    )


def _has_link(folder: Path, name: str) -> bool:
    """Whether a file's path inside `folder` passes a symbolic link (without one, the file
    is inside the folder, wherever the folder itself is)."""
    path = folder
    for part in Path(name).parts:
        path = path / part
        if path.is_symlink():
            return True
    return False


def _leads_out(path: Path, folder: Path, root: Path) -> bool:
    """A link to a file of the site outside `folder` (one outside the site is reported
    with the folder's other files)."""
    target = path.resolve()
    return not target.is_relative_to(folder.resolve()) and target.is_relative_to(root)


def _is_plain_relative(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and "\\" not in name


def _load_translations(
    config: SiteConfig,
    folder: Path,
    schema: type[PartnerTextSchema] | type[PageTextSchema],
    found: _Collector,
) -> tuple[MappingProxyType[str, Translation] | None, tuple[str, ...]]:
    translations: dict[str, Translation] = {}
    assets: list[str] = []
    failed = False
    for path in sorted(folder.rglob("*")):
        rel = found.rel(path)
        inner = relative(path, folder)  # inside the item's folder: 'es.md', 'img/logo.png'
        if any(part.startswith(".") for part in inner.split("/")):
            continue
        if path.is_symlink() and _leaves(path, config.root):
            found.problems.append(
                error(
                    "outside-link",
                    "symbolic link leads outside the site, in a loop or nowhere",
                    SourcePos(rel),
                    "copy the file into the folder instead",
                )
            )
            failed = True
            continue
        if path.is_dir() or path.name == PARTNER_FILE:
            continue
        if path.suffix != ".md" or "/" in inner:
            assets.append(inner)
            continue
        lang = path.stem
        if lang not in config.language_codes:
            known = parse_locale(lang) is not None
            found.problems.append(
                error(
                    "unknown-language",
                    f"'{lang}' is not one of the site's languages "
                    f"({', '.join(config.language_codes)})"
                    if known
                    else f"'{path.name}' is not named after a language code",
                    SourcePos(rel),
                    "add the language to site.yaml"
                    if known
                    else "name translations <lang>.md, e.g. es.md or ar.md",
                )
            )
            failed = True
            continue
        found.sources.append(rel)
        translation = _load_translation(path, rel, lang, schema, found)
        if translation is None:
            failed = True
        else:
            translations[lang] = translation
    default = config.default_language.code
    if default not in translations and not failed:
        found.problems.append(
            error(
                "missing-default",
                f"{found.rel(folder)}/ has no {default}.md, the default language's text",
                SourcePos(found.rel(folder)),
                f"create {found.rel(folder)}/{default}.md; other languages fall back to it",
            )
        )
        failed = True
    if failed:
        return None, ()
    ordered = {code: translations[code] for code in config.language_codes if code in translations}
    return MappingProxyType(ordered), tuple(assets)


def _load_translation(
    path: Path,
    rel: str,
    lang: str,
    schema: type[PartnerTextSchema] | type[PageTextSchema],
    found: _Collector,
) -> Translation | None:
    doc, problems = read_markdown_file(path, rel)
    found.problems.extend(problems)
    if doc is None:
        return None
    data, problems = validate(schema, doc.front)
    found.problems.extend(problems)
    if data is None:
        return None
    short_name = getattr(data, "short_name", None)
    values = {"name": data.name, "short_name": short_name, "summary": data.summary}
    values["body"] = doc.body if doc.body.strip() else None
    return Translation(
        lang=lang,
        name=data.name,
        short_name=short_name,
        summary=data.summary,
        body_html=render_markdown(doc.body),
        source=rel,
        provenance=data.translation,
        stamps=MappingProxyType(dict(data.translated_from or {})),
        fingerprints=MappingProxyType(
            {key: fingerprint(value) for key, value in values.items() if value is not None}
        ),
    )


def _load_pages(config: SiteConfig, found: _Collector) -> list[Page]:
    pages = []
    for folder in _subfolders(config.root / "content" / "pages", found):
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
        page = _cached_folder(config, folder, found, _load_page)
        if page is not None:
            pages.append(page)
    return pages


def _load_page(config: SiteConfig, folder: Path, found: _Collector) -> Page | None:
    translations, assets = _load_translations(config, folder, PageTextSchema, found)
    if translations is None:
        return None
    return Page(folder.name, found.rel(folder), translations, assets)


def _load_taxonomies(
    config: SiteConfig, partners: list[Partner], found: _Collector
) -> tuple[Taxonomy, ...]:
    labels: dict[str, dict[str, dict[str, str]]] = {name: {} for name in TAXONOMY_NAMES}
    path = config.root / TAXONOMIES_FILE
    if path.is_file():
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


def _list_files(folder: Path, found: _Collector) -> tuple[str, ...]:
    if not folder.is_dir():
        return ()
    files = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and _leaves(path, found.root):
                found.problems.append(
                    error(
                        "outside-link",
                        "symbolic link leads outside the site, in a loop or nowhere",
                        SourcePos(found.rel(path)),
                        "copy the file into static/ instead",
                    )
                )
                continue
            files.append(path.relative_to(folder).as_posix())
    return tuple(files)


def _leaves(link: Path, root: Path) -> bool:
    """Whether a symbolic link leads out of `root`; a loop or a dangling link counts too."""
    try:
        return not link.resolve(strict=True).is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return True
