"""The gettext cycle on Babel's own machinery: extract, init, update, compile.

Extraction reads the templates a site really uses (its own `templates/`, then the theme's
templates it does not override) with Jinja's `babel_extract`, in a fixed order, so two runs
give the same `locales/messages.pot` byte for byte: its POT-Creation-Date changes only when
its messages do. Catalogs are read with Babel's parser (through i18n.read_catalog, which
reports syntax errors at their line) and written with Babel's writer.

Taxonomy labels and the site title are not extracted: they live in `taxonomies.yaml` and
`site.yaml` with one value per language, and status.py reports the missing ones.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract
from babel.messages.pofile import read_po, write_po
from jinja2 import TemplateSyntaxError

from allysite.catalog_checks import MessageKey, entry_state, message_key, translated_keys
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error, uncompilable_template, warning
from allysite.i18n import DOMAIN, catalog_paths, mo_data, read_catalog
from allysite.languages import Language, make_language, parse_locale

TEMPLATE_FILE = "locales/messages.pot"
# The template files render.py compiles; kept in step with render.TEMPLATE_SUFFIXES.
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".j2")
THEME_PREFIX = "<theme>/templates"
COMMENT_TAGS = ("Translators:",)
# The same parsing options as the environments of render.py, so that extraction sees the
# messages exactly as pages are rendered (trimmed whitespace, newstyle %(name)s).
JINJA_OPTIONS = (
    ("extensions", "jinja2.ext.i18n"),
    ("trimmed", "true"),
    ("newstyle_gettext", "true"),
    ("trim_blocks", "true"),
    ("lstrip_blocks", "true"),
    ("keep_trailing_newline", "true"),
    ("silent", "false"),
)


@dataclass(frozen=True, slots=True)
class TemplateFile:
    path: Path
    shown: str
    """Its name in references and messages: 'templates/x.html' or '<theme>/templates/x.html'."""


def template_files(site_templates: Path, theme_templates: Path) -> list[TemplateFile]:
    """The templates a site renders with: its own, then the theme's it does not override."""
    found: dict[str, TemplateFile] = {}
    for folder, prefix in ((site_templates, "templates"), (theme_templates, THEME_PREFIX)):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES and name not in found:
                found[name] = TemplateFile(path, f"{prefix}/{name}")
    site_first = sorted(found.values(), key=lambda t: (t.shown.startswith("<"), t.shown))
    return site_first


def extract_messages(
    files: Iterable[TemplateFile], project: str = "allysite"
) -> tuple[Catalog, list[Diagnostic]]:
    """Every gettext message of the templates, with references, in file and line order."""
    catalog = _new_template(project)
    problems: list[Diagnostic] = []
    options = dict(JINJA_OPTIONS)
    for template in files:
        try:
            with template.path.open("rb") as handle:
                found = list(
                    extract(
                        "jinja2.ext:babel_extract",
                        handle,
                        DEFAULT_KEYWORDS,
                        list(COMMENT_TAGS),
                        options,
                    )
                )
        except TemplateSyntaxError as exc:
            problems.append(
                error(
                    "template",
                    f"template syntax error: {exc.message}",
                    SourcePos(template.shown, exc.lineno),
                    "fix the tag on this line; see the Jinja2 template docs",
                )
            )
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(
                error("unreadable", f"cannot read template: {exc}", SourcePos(template.shown))
            )
            continue
        except (RecursionError, ValueError, OverflowError, MemoryError) as exc:
            problems.append(uncompilable_template(exc, template.shown))  # (as the build)
            continue
        for lineno, message, comments, context in found:
            catalog.add(
                message,
                None,
                [(template.shown, lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog, problems


def _new_template(project: str) -> Catalog:
    catalog = Catalog(
        header_comment=f"# Interface strings of {project}, extracted by allysite.\n#",
        creation_date=datetime(1970, 1, 1, tzinfo=UTC),
        fuzzy=True,
        charset="utf-8",
    )
    _set_project(catalog, project)
    catalog.msgid_bugs_address = ""
    return catalog


def _set_project(catalog: Catalog, project: str) -> None:
    """Project-Id-Version: the title alone (Babel writes 'project version', as it reads)."""
    head, _, tail = project.rpartition(" ")
    catalog.project, catalog.version = (head, tail) if head else (project, "")


def site_template(
    config: SiteConfig, theme: Path, include_theme: bool = False
) -> tuple[Catalog, list[Diagnostic]]:
    """The site's POT: its own templates' messages, and the theme's that the theme's catalogs
    leave untranslated in one of the site's languages (all of them with `include_theme`)."""
    files = template_files(config.root / "templates", theme / "templates")
    catalog, problems = extract_messages(files, config.title[config.default_language.code])
    if include_theme:
        return catalog, problems
    covered = [theme_translated(theme / "locales", language) for language in config.languages]
    for message in list(catalog):
        if not message.id:
            continue
        own = any(not name.startswith("<") for name, _line in message.locations)
        key = message_key(message)
        if not own and all(key in keys for keys in covered):
            catalog.delete(message.id, message.context)
    return catalog, problems


def theme_translated(theme_locales: Path, language: Language) -> frozenset[tuple[str, str | None]]:
    """The messages the theme's own catalog translates in a language."""
    path = next((p for p in catalog_paths(theme_locales, language) if p.is_file()), None)
    if path is None:
        return frozenset()
    catalog, _problems = read_catalog(path, f"<theme>/{path.name}", language)
    return translated_keys(catalog) if catalog is not None else frozenset()


def write_template(catalog: Catalog, path: Path, now: datetime | None = None) -> bool:
    """Write the POT; its creation date changes only when its content does. True if written."""
    if path.is_file():
        try:
            with path.open("rb") as handle:
                catalog.creation_date = read_po(handle).creation_date
        except Exception:  # an unreadable old template is simply replaced
            pass
        if _po_bytes(catalog) == path.read_bytes():
            return False
    catalog.creation_date = now or _now()
    replace_file(path, _po_bytes(catalog))
    return True


def _now() -> datetime:
    """The current time, or SOURCE_DATE_EPOCH's for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _po_bytes(catalog: Catalog) -> bytes:
    """The catalog as Babel writes it, with the flags and previous msgids of its obsolete
    entries kept (Babel writes their comments only)."""
    obsolete = list(catalog.obsolete.values())
    bare = copy.copy(catalog)  # (a previous msgid, read as a comment, is written apart)
    bare.obsolete = type(catalog.obsolete)(
        (key, _without_previous(message)) for key, message in catalog.obsolete.items()
    )
    whole = _written(bare, ignore_obsolete=False)
    live = _written(catalog, ignore_obsolete=True)
    return live + _mark_obsolete(whole[len(live) :], obsolete)


def _written(catalog: Catalog, ignore_obsolete: bool) -> bytes:
    buffer = BytesIO()
    write_po(buffer, catalog, width=76, ignore_obsolete=ignore_obsolete)
    return buffer.getvalue()


def _without_previous(message: Message) -> Message:
    bare = message.clone()
    bare.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    return bare


def _mark_obsolete(tail: bytes, obsolete: list[Message]) -> bytes:
    """Babel's obsolete entries (each its comments, its `#~` lines, then an empty line, in
    the catalog's order) with their flags (`#, fuzzy, python-format`) and previous msgid
    (`#~| msgid`) before the `#~` lines, as msgmerge keeps them: Babel drops both, and
    msgmerge, which brings an obsolete entry back when its msgid returns, would bring an
    unreviewed translation back as a reviewed one, and unchecked for its placeholders."""
    blocks = tail.split(b"\n\n")
    if len(blocks) != len(obsolete) + 1 or blocks[-1]:
        return tail  # (not Babel's layout: written as it is rather than guessed at)
    marked = []
    for block, message in zip(blocks[:-1], obsolete, strict=True):
        lines = block.split(b"\n")
        first = next((i for i, line in enumerate(lines) if line.startswith(b"#~")), None)
        if first is not None:
            flags = sorted(message.flags, key=lambda flag: (flag != "fuzzy", flag))
            extra = [f"#, {', '.join(flags)}"] if flags else []
            extra += [f"#~{c}" for c in message.user_comments if c.startswith("|")]
            lines[first:first] = [line.encode("utf-8") for line in extra]
        marked.append(b"\n".join(lines))
    return b"\n\n".join([*marked, b""])


def replace_file(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (a temporary file beside it, then a rename). An
    error of the system names the file meant, not the temporary one (a disk full names
    none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = ""
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        else:
            os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as exc:
        if temp:
            Path(temp).unlink(missing_ok=True)
        named = os.fsdecode(exc.filename) if exc.filename is not None else None
        if named is None or (Path(named).parent == path.parent and named != str(path)):
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        if temp:
            Path(temp).unlink(missing_ok=True)
        raise


def site_language(config: SiteConfig, code: str) -> Language | None:
    """A site language by its code, or any language CLDR knows (to start a translation)."""
    if code in config.language_codes:
        return config.language(code)
    return make_language(code, False) if parse_locale(code) is not None else None


def existing_catalog(config: SiteConfig, language: Language) -> Path | None:
    """The site's catalog of a language: whatever is there (read_catalog refuses a folder,
    a pipe or a link to nowhere in its place), as the build finds it (i18n.load_catalogs)."""
    paths = catalog_paths(config.root / "locales", language)
    return next((p for p in paths if os.path.lexists(p)), None)


def own_catalog(config: SiteConfig, language: Language) -> Path | None:
    """The language's own catalog: the one the build reads for it, unless that is another
    site language's (pt-BR falls back to locales/pt/ in the build, but with pt in the site
    too, that catalog is pt's: `init pt-BR` starts pt-BR's, and `update` merges pt's once)."""
    path = existing_catalog(config, language)
    if path is None or path.parent.parent.name in (language.code, language.locale_id):
        return path
    others = {code for code in config.language_codes if code != language.code}
    return None if path.parent.parent.name in others else path


def read_template(config: SiteConfig) -> tuple[Catalog | None, list[Diagnostic]]:
    path = config.root / TEMPLATE_FILE
    if not path.is_file():
        return None, [
            error(
                "no-template",
                f"there is no {TEMPLATE_FILE} yet",
                SourcePos(TEMPLATE_FILE),
                "run 'allysite i18n extract' first",
            )
        ]
    try:
        with path.open("rb") as handle:
            return read_po(handle, abort_invalid=True), []
    except Exception as exc:
        return None, [
            error(
                "po-syntax",
                f"cannot read the template: {exc}",
                SourcePos(TEMPLATE_FILE),
                "run 'allysite i18n extract' again",
            )
        ]


def init_catalog(
    config: SiteConfig, language: Language, now: datetime | None = None
) -> tuple[Path | None, list[Diagnostic]]:
    """A new catalog for a language from the POT, with its CLDR plural forms."""
    existing = own_catalog(config, language)
    if existing is not None:
        rel = existing.relative_to(config.root).as_posix()
        return None, [
            error(
                "catalog-exists",
                f"{rel} exists already",
                SourcePos(rel),
                "run 'allysite i18n update' to merge new messages into it",
            )
        ]
    template, problems = read_template(config)
    if template is None:
        return None, problems
    title = config.title[config.default_language.code]
    catalog = Catalog(
        locale=language.locale_id,
        domain=DOMAIN,
        header_comment=f"# {language.locale.english_name} interface strings of {title}.\n#",
        creation_date=template.creation_date,
        revision_date=now or _now(),
        fuzzy=False,
        charset="utf-8",
    )
    _set_project(catalog, title)
    catalog.msgid_bugs_address = ""
    catalog.last_translator = ""
    catalog.language_team = ""
    catalog.update(template, no_fuzzy_matching=True)
    path = config.root / "locales" / language.code / "LC_MESSAGES" / f"{DOMAIN}.po"
    replace_file(path, _po_bytes(catalog))
    return path, []


def _tidy_header(catalog: Catalog) -> None:
    """Babel's placeholders (FULL NAME <EMAIL@ADDRESS>...) for header fields that a catalog
    lacks made empty, so that GNU msgfmt --check-header accepts the file."""
    if catalog.last_translator == "FULL NAME <EMAIL@ADDRESS>":
        catalog.last_translator = ""
    if catalog.msgid_bugs_address == "EMAIL@ADDRESS":
        catalog.msgid_bugs_address = ""
    if "<LL@li.org>" in catalog.language_team:
        catalog.language_team = ""
    if not isinstance(catalog.revision_date, datetime):
        catalog.revision_date = catalog.creation_date


@dataclass(frozen=True, slots=True)
class CatalogFigures:
    path: str
    translated: int
    fuzzy: int
    missing: int
    obsolete: int
    changed: bool
    themed: int = 0
    """Empty entries that the theme's own catalog translates: not missing on the pages."""


def _figures(
    catalog: Catalog, path: str, changed: bool, covered: frozenset[MessageKey] = frozenset()
) -> CatalogFigures:
    states = [
        "themed" if state == "missing" and message_key(m) in covered else state
        for m in catalog
        if m.id
        for state in (entry_state(m, catalog.num_plurals),)
    ]
    return CatalogFigures(
        path,
        states.count("translated"),
        states.count("fuzzy"),
        states.count("missing"),
        len(catalog.obsolete),
        changed,
        states.count("themed"),
    )


def _covered(theme: Path | None, language: Language) -> frozenset[MessageKey]:
    return theme_translated(theme / "locales", language) if theme is not None else frozenset()


def _site_catalogs(config: SiteConfig) -> list[tuple[Language, Path, str]]:
    found = []
    for language in config.languages:
        path = own_catalog(config, language)
        if path is not None:
            found.append((language, path, path.relative_to(config.root).as_posix()))
    return found


def _other_catalogs(
    config: SiteConfig,
) -> tuple[list[tuple[Language, Path, str]], list[Diagnostic]]:
    """Catalogs under locales/ of languages the site does not build (yet): `init` starts one
    for any language CLDR knows, and says to add it to site.yaml. Each with a warning."""
    locales = config.root / "locales"
    if not locales.is_dir():
        return [], []
    known = {existing_catalog(config, language) for language in config.languages}
    found, problems = [], []
    for path in sorted(locales.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        code = path.parent.parent.name
        if path in known or not path.is_file() or parse_locale(code) is None:
            continue
        rel = path.relative_to(config.root).as_posix()
        found.append((make_language(code, False), path, rel))
        problems.append(
            warning(
                "catalog-language",
                f"'{code}' is not one of the site's languages: the build does not use this catalog",
                SourcePos(rel),
                f"add '{code}' to languages in site.yaml when its translation is ready",
            )
        )
    return found, problems


def update_catalogs(
    config: SiteConfig, theme: Path | None = None
) -> tuple[list[CatalogFigures], list[Diagnostic]]:
    """Merge the POT into every catalog (the site's languages', then the others', with a
    warning that the build does not use them): new entries empty, changed ones fuzzy, removed
    ones kept as obsolete (#~), obsolete ones back when they return. Previous msgids ('#|')
    are not written: Babel does not read them back, so a second update would turn them into
    comments."""
    template, problems = read_template(config)
    if template is None:
        return [], problems
    results = []
    others, unused = _other_catalogs(config)
    problems += unused
    for language, path, rel in [*_site_catalogs(config), *others]:
        catalog, found = read_catalog(path, rel, language, config.root)
        problems += found
        if catalog is None:
            continue
        _revive_obsolete(catalog, template)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
        for message in catalog:  # '#| msgid' lines of other tools: Babel reads them as
            # comments (of an entry made obsolete, kept: _po_bytes writes them as msgmerge)
            message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
        _undo_empty_matches(catalog, template)
        _tidy_header(catalog)
        data = _po_bytes(catalog)
        changed = data != path.read_bytes()
        if changed:
            replace_file(path, data)
        results.append(_figures(catalog, rel, changed, _covered(theme, language)))
    return results, problems


def _revive_obsolete(catalog: Catalog, template: Catalog) -> None:
    """Obsolete entries (`#~`) whose message is in the template again, made live with their
    translation and flags (a fuzzy one stays fuzzy), as msgmerge does. Babel's update kept
    them obsolete beside a new empty entry: the translation kept for the day the message
    came back was not used, and msgfmt and msgmerge refused the file (a duplicate). Where a
    catalog has both already, the live entry is kept if it is translated; an untranslated
    obsolete entry gives way to the template's."""
    wanted = {message_key(message) for message in template if message.id}
    for key, old in list(catalog.obsolete.items()):
        if message_key(old) not in wanted:
            continue
        del catalog.obsolete[key]
        live = catalog.get(old.id, old.context)
        if not any(_strings(old)) or (live is not None and any(_strings(live))):
            continue  # (nothing to bring back, or the duplicate msgfmt refuses goes)
        if live is not None:
            catalog.delete(old.id, old.context)
        catalog[old.id] = old


def _undo_empty_matches(catalog: Catalog, template: Catalog) -> None:
    """New messages that Babel's update matched with an untranslated plural entry (whose
    empty forms, a tuple, count as a translation), made again as the template has them.
    They came in fuzzy with nothing to review, with the other entry's flags and comments
    (`python-format` on a text without placeholders, which msgfmt then checks), and the
    next update changed them again. msgmerge matches only translated entries."""
    for message in catalog:
        if not message.id or not message.previous_id or any(_strings(message)):
            continue
        source = template.get(message.id, message.context)
        message.previous_id = []
        message.flags = set(source.flags) if source is not None else set()
        message.user_comments = list(source.user_comments) if source is not None else []


def _strings(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def compile_catalogs(
    config: SiteConfig, theme: Path | None = None
) -> tuple[list[CatalogFigures], list[Diagnostic]]:
    """`.mo` files beside the catalogs (the build needs none: it compiles in memory)."""
    results, problems = [], []
    for language, path, rel in _site_catalogs(config):
        catalog, found = read_catalog(path, rel, language, config.root)
        problems += found
        if catalog is None:
            continue
        replace_file(path.with_suffix(".mo"), mo_data(catalog))
        mo_path = rel[: -len(".po")] + ".mo"
        results.append(_figures(catalog, mo_path, True, _covered(theme, language)))
    return results, problems


def catalog_figures(config: SiteConfig) -> list[CatalogFigures]:
    """Counts of each site catalog as it is."""
    results = []
    for language, path, rel in _site_catalogs(config):
        catalog, _found = read_catalog(path, rel, language, config.root)
        if catalog is not None:
            results.append(_figures(catalog, rel, False))
    return results
