"""What is translated, in which language, and which file to open for what is not.

Per language: the interface strings the templates use (translated, fuzzy or missing, counted
here on the merged site and theme catalogs, not by `pybabel --statistics`, which miscounts
empty plural entries), the partners and pages (translated, missing, stale, machine), and the
labels of site.yaml and taxonomies.yaml. The same figures feed `allysite i18n status`, the
build's warnings and the translation dashboard page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from allysite import urls
from allysite.catalog_checks import MessageKey, entry_state, message_key
from allysite.catalogs import existing_catalog, extract_messages, template_files
from allysite.config import SITE_FILE, SiteConfig
from allysite.errors import Diagnostic, SourcePos, warning
from allysite.fingerprints import digest
from allysite.i18n import DOMAIN, catalog_paths, read_catalog
from allysite.inputindex import leaves, read_regular
from allysite.languages import Language
from allysite.loader import TAXONOMIES_FILE
from allysite.model import PLACEHOLDER_TERM, Content, Page, Partner, Translation
from allysite.sourcefile import YamlDoc, read_yaml_file
from allysite.stale import Staleness, StaleTranslation
from allysite.views import CLDR_REGIONS, format_coverage

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

    from allysite.cache import ParseCache
    from allysite.memo import Keeps, Memo

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Interface:
    total: int
    translated: int
    fuzzy: int
    missing: int
    catalog: str
    """The site catalog to open (or to create with `allysite i18n init`)."""
    catalog_exists: bool
    fuzzy_ids: tuple[str, ...]
    missing_ids: tuple[str, ...]
    absent_ids: tuple[str, ...]
    """Missing and not even in the site catalog: `allysite i18n update` adds them."""


@dataclass(frozen=True, slots=True)
class ItemStatus:
    kind: str
    """'partner' or 'page'."""
    slug: str
    name: str
    """In the original language."""
    state: str
    """'original', 'translated', 'missing' or 'stale'."""
    provenance: str | None
    file: str
    """The translation's file, or where to create it."""
    original: str
    stale_fields: tuple[str, ...]
    stale_by: str | None
    href: str
    """The item's page in this language."""


@dataclass(frozen=True, slots=True)
class LabelGap:
    label: str
    """'title', or 'kinds.ngo' for a taxonomy term."""
    pos: SourcePos
    unlabelled: bool = False
    """A term with no label in any language: its slug shows ('Un office'), no other label."""


@dataclass(frozen=True, slots=True)
class LanguageStatus:
    language: Language
    interface: Interface
    partners: tuple[ItemStatus, ...]
    pages: tuple[ItemStatus, ...]
    labels_total: int
    label_gaps: tuple[LabelGap, ...]

    @property
    def code(self) -> str:
        return self.language.code

    def count(self, kind: str, state: str) -> int:
        group = self.partners if kind == "partner" else self.pages
        if state == "machine":
            return sum(item.provenance == "machine" for item in group)
        if state == "translated":
            return sum(item.state in ("translated", "original") for item in group)
        return sum(item.state == state for item in group)

    @property
    def done(self) -> int:
        items = self.count("partner", "translated") + self.count("page", "translated")
        labels = self.labels_total - len(self.label_gaps)
        return self.interface.translated + items + labels

    @property
    def total(self) -> int:
        return self.interface.total + len(self.partners) + len(self.pages) + self.labels_total

    @property
    def coverage(self) -> float:
        """Percent of interface strings, labels, partners and pages translated and current."""
        return round(100.0 * self.done / self.total, 1) if self.total else 100.0

    def coverage_in(self, language: Language) -> str:
        """The coverage as `language` writes a percentage (the dashboard's): a method the
        template calls, not a mapping it looks up by code, which the templates' analysis
        cannot follow (every list page was then keyed with every field of its cards)."""
        return format_coverage(self.coverage, language)

    def todo(self) -> tuple[ItemStatus, ...]:
        return tuple(i for i in (*self.partners, *self.pages) if i.state in ("missing", "stale"))


@dataclass(frozen=True, slots=True)
class TranslationStatus:
    default_language: Language
    languages: tuple[LanguageStatus, ...]

    def language(self, code: str) -> LanguageStatus | None:
        return next((s for s in self.languages if s.code.lower() == code.lower()), None)


def translation_status(
    config: SiteConfig,
    content: Content,
    theme: Path,
    staleness: Staleness,
    kept: Keeps | None = None,
    memo: Memo | None = None,
    each_item: bool = True,
) -> tuple[TranslationStatus, list[Diagnostic]]:
    """`kept`: the build cache's store (or the dev server's), where the messages of the
    templates and the state of each catalog's entries are kept by the hashes of their files
    (see `prepare_status`). `memo`: the dev server's, where each item's status is kept while
    the item is the same object (a partner added or deleted made all 6,000 again).
    `each_item`: whether the partners' and pages' statuses are made (a build shows them on
    the dashboard only; on the 1,000-partner site they were 20 ms of each build)."""
    template, problems = _template_messages(config, theme, kept)
    used = {message_key(m): m for m in template if m.id}
    gaps = _label_gaps(config, content)
    languages = []
    for language in config.languages:
        items = _item_status(config, content, language, staleness, memo) if each_item else []
        languages.append(
            LanguageStatus(
                language,
                _interface(config, theme, language, used, kept),
                tuple(i for i in items if i.kind == "partner"),
                tuple(i for i in items if i.kind == "page"),
                1
                + sum(
                    1
                    for t in content.taxonomies
                    for term in t.terms
                    if term.slug != PLACEHOLDER_TERM
                ),
                gaps.get(language.code, ()),
            )
        )
    return TranslationStatus(config.default_language, tuple(languages)), problems


def prepare_status(config: SiteConfig, theme: Path, kept: ParseCache) -> None:
    """What the status reads of the templates and catalogs, made and kept ahead: it needs no
    content, so a build does it while other processes parse the content."""
    _template_messages(config, theme, kept)
    for language in config.languages:
        _catalog_states(config, theme, language, kept)


def _template_messages(
    config: SiteConfig, theme: Path, kept: Keeps | None
) -> tuple[Catalog, list[Diagnostic]]:
    files = template_files(config.root / "templates", theme / "templates")
    project = config.title[config.default_language.code]
    return _kept(
        kept,
        "status:templates",
        lambda: (project, *((file.shown, _file_hash(file.path)) for file in files)),
        lambda: extract_messages(files, project),
    )


def _kept(kept: Keeps | None, name: str, key: Callable[[], object], make: Callable[[], _T]) -> _T:
    return make() if kept is None else kept.kept(name, key(), make)


def _file_hash(path: Path) -> bytes | None:
    try:
        data = read_regular(path)[1]  # (a named pipe is not waited on)
    except OSError:
        return None  # (the reader reports it)
    return digest(data) if data is not None else None


def _states(
    path: Path | None,
    shown: str,
    language: Language,
    kept: Keeps | None = None,
    root: Path | None = None,
) -> dict[MessageKey, str]:
    """`root`: the site's folder, for the site's catalog (see i18n.read_catalog)."""
    if path is None:
        return {}
    return _kept(
        kept,
        f"status:catalog:{language.code}:{shown}",
        lambda: (_file_hash(path), language.locale_id, root is not None and leaves(path, root)),
        lambda: _read_states(path, shown, language, root),
    )


def catalog_problems(config: SiteConfig) -> list[Diagnostic]:
    """What keeps a site catalog from being read (a syntax error, a Plural-Forms gettext
    cannot use...), which the status alone would show as missing entries: the build refuses
    such a catalog, so a check on the status must fail too."""
    problems: list[Diagnostic] = []
    for language in config.languages:
        path = existing_catalog(config, language)
        if path is not None:
            shown = path.relative_to(config.root).as_posix()
            problems += read_catalog(path, shown, language, config.root)[1]
    return problems


def _read_states(
    path: Path, shown: str, language: Language, root: Path | None
) -> dict[MessageKey, str]:
    catalog, _problems = read_catalog(path, shown, language, root)  # the build reports them
    if catalog is None:
        return {}
    return {message_key(m): entry_state(m, catalog.num_plurals) for m in catalog if m.id}


def _catalog_states(
    config: SiteConfig, theme: Path, language: Language, kept: Keeps | None
) -> tuple[dict[MessageKey, str], Path | None, str, dict[MessageKey, str]]:
    """The state of each entry of the theme's catalog and of the site's (its path, and its
    name as shown, even when it does not exist yet)."""
    theme_path = next((p for p in catalog_paths(theme / "locales", language) if p.is_file()), None)
    theme_states = _states(theme_path, "<theme>", language, kept)
    site_path = existing_catalog(config, language)
    shown = (
        site_path.relative_to(config.root).as_posix()
        if site_path
        else f"locales/{language.code}/LC_MESSAGES/{DOMAIN}.po"
    )
    site_states = _states(site_path, shown, language, kept, config.root)
    return theme_states, site_path, shown, site_states


def _interface(
    config: SiteConfig,
    theme: Path,
    language: Language,
    used: Mapping[MessageKey, object],
    kept: Keeps | None = None,
) -> Interface:
    theme_states, site_path, shown, site_states = _catalog_states(config, theme, language, kept)
    source_language = language.locale.language == "en"  # msgids are English
    fuzzy, missing, absent = [], [], []
    for key in used:
        site = site_states.get(key)
        if site == "fuzzy":
            fuzzy.append(key[0])
        elif site == "translated" or theme_states.get(key) == "translated" or source_language:
            continue
        else:
            missing.append(key[0])
            if site is None:
                absent.append(key[0])
    return Interface(
        total=len(used),
        translated=len(used) - len(fuzzy) - len(missing),
        fuzzy=len(fuzzy),
        missing=len(missing),
        catalog=shown,
        catalog_exists=site_path is not None,
        fuzzy_ids=tuple(fuzzy),
        missing_ids=tuple(missing),
        absent_ids=tuple(absent),
    )


def _item_status(
    config: SiteConfig,
    content: Content,
    language: Language,
    staleness: Staleness,
    memo: Memo | None = None,
) -> list[ItemStatus]:
    site_urls = urls.Urls(config.base_url)
    default = config.default_language.code
    result = []
    groups: tuple[tuple[str, Iterable[Partner | Page]], ...] = (
        ("partner", content.partners),
        ("page", content.pages),
    )
    for kind, group in groups:
        for item in group:
            translation = item.translations.get(language.code)
            stale = staleness.get(translation.source) if translation else None
            make = partial(
                _one_status, kind, item, language, default, site_urls, translation, stale
            )
            if memo is None:
                result.append(make())
            else:  # (everything make reads: the same objects, or equal values)
                slot = ("item-status", language.code, kind, item.folder)
                result.append(memo.get(slot, (config, language, item, stale), make))
    return result


def _one_status(
    kind: str,
    item: Partner | Page,
    language: Language,
    default: str,
    site_urls: urls.Urls,
    translation: Translation | None,
    stale: StaleTranslation | None,
) -> ItemStatus:
    original = item.translations[default]
    path = (urls.partner if kind == "partner" else urls.page)(language.code, item.slug)
    if language.code == default:
        state = "original"
    elif translation is None:
        state = "missing"
    else:
        state = "stale" if stale else "translated"
    return ItemStatus(
        kind=kind,
        slug=item.slug,
        name=original.name,
        state=state,
        provenance=translation.provenance if translation else None,
        file=translation.source if translation else f"{item.folder}/{language.code}.md",
        original=original.source,
        stale_fields=stale.fields if stale else (),
        stale_by=stale.by if stale else None,
        href=site_urls.href(path),
    )


def _label_gaps(config: SiteConfig, content: Content) -> dict[str, tuple[LabelGap, ...]]:
    """Labels with no text of their own in a language: the site title (when given per
    language), and every term in use (regions that CLDR names excepted; the placeholder term
    of `allysite new`, which `check` lists as such, is no term to label)."""
    gaps: dict[str, list[LabelGap]] = {code: [] for code in config.language_codes}
    site_doc, _ = read_yaml_file(config.root / SITE_FILE, SITE_FILE)
    titles = site_doc.data.get("title") if site_doc else None
    if isinstance(titles, dict) and "*" not in titles:
        for code in config.language_codes:
            if code not in titles:
                gaps[code].append(LabelGap("title", site_doc.pos(("title",))))  # type: ignore[union-attr]
    path = config.root / TAXONOMIES_FILE
    doc: YamlDoc | None = None
    if path.is_file():
        doc, _ = read_yaml_file(path, TAXONOMIES_FILE)
    for taxonomy in content.taxonomies:
        for term in taxonomy.terms:
            if term.slug == PLACEHOLDER_TERM:
                continue
            location = (taxonomy.name, term.slug)
            has_line = doc is not None and location in doc.positions
            pos = doc.pos(location) if doc is not None and has_line else SourcePos(TAXONOMIES_FILE)
            for language in config.languages:
                if language.code in term.labels:
                    continue
                if taxonomy.name == "regions":
                    code = CLDR_REGIONS.get(term.slug) or term.slug.upper()
                    if language.locale.territories.get(code):
                        continue
                gaps[language.code].append(
                    LabelGap(f"{taxonomy.name}.{term.slug}", pos, not term.labels)
                )
    return {code: tuple(found) for code, found in gaps.items()}


# --- warnings for the build ---------------------------------------------------------------------


def status_warnings(config: SiteConfig, status: TranslationStatus) -> list[Diagnostic]:
    """Missing labels (term labels once the site has a taxonomies.yaml) and interface strings
    that no catalog of a language has at all; catalog entries are checked in i18n."""
    problems: list[Diagnostic] = []
    by_label: dict[tuple[str, SourcePos, bool], list[str]] = {}
    has_taxonomies = (config.root / TAXONOMIES_FILE).is_file()
    for entry in status.languages:
        for gap in entry.label_gaps:
            if gap.label == "title" or has_taxonomies:
                by_label.setdefault((gap.label, gap.pos, gap.unlabelled), []).append(entry.code)
        absent = entry.interface.absent_ids
        if absent:
            listed = ", ".join(repr(text) for text in absent[:3])
            more = f" and {len(absent) - 3} more" if len(absent) > 3 else ""
            command = "update" if entry.interface.catalog_exists else f"init {entry.code}"
            problems.append(
                warning(
                    "catalog-missing",
                    f"{len(absent)} interface string(s) have no translation in "
                    f"'{entry.code}': {listed}{more}; the source text shows",
                    SourcePos(entry.interface.catalog),
                    f"run 'allysite i18n extract', then 'allysite i18n {command}', "
                    "and translate them",
                )
            )
    default = status.default_language
    for (label, pos, unlabelled), codes in by_label.items():
        if label == "title":
            message = f"title: no title in {', '.join(codes)}; the {default.code} title shows"
            hint = f"add '{codes[0]}: ...' under title in {SITE_FILE}"
        else:
            shows = "its slug shows" if unlabelled else "another label shows"
            message = f"{label} has no label in {', '.join(codes)}; {shows}"
            taxonomy, _, slug = label.partition(".")
            hint = f"add '{codes[0]}: ...' under {taxonomy}: {slug}: in {TAXONOMIES_FILE}"
        problems.append(warning("missing-label", message, pos, hint))
    return problems
