"""Default-language fallback for content, and the gettext catalogs of the interface.

Catalogs are Babel's: `.po` files are read by Babel and compiled to `.mo` in memory at every
build (no committed `.mo`), the site's catalog merged over the theme's own, as MkDocs does
(or put in front of it, when its plural rule is not the theme's).
"""

from __future__ import annotations

import copy
import gettext
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from email import message_from_string
from io import BytesIO
from pathlib import Path
from types import MappingProxyType

from babel.messages.catalog import Catalog, parse_separated_header
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, PoFileParser, unescape
from babel.support import NullTranslations, Translations

from allysite.catalog_checks import (
    MessageKey,
    check_catalog,
    find_header_line,
    translated_keys,
    usable,
)
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error, outside_link, warning
from allysite.inputindex import leaves, link_on_the_way
from allysite.languages import Language
from allysite.model import Translation
from allysite.textfile import read_declared_text
from allysite.textrules import first_forbidden, kind_of

DOMAIN = "messages"
MAX_PLURAL_FORMS = 6
"""CLDR's most plural forms (Arabic has six). Babel's parser makes a list of nplurals strings
for each plural entry: `nplurals=999999999999` took all the machine's memory."""
_BABEL_HEADERS = frozenset(
    (
        "project-id-version",
        "report-msgid-bugs-to",
        "pot-creation-date",
        "po-revision-date",
        "last-translator",
        "language",
        "language-team",
        "plural-forms",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "generated-by",
    )
)
"""The header fields Babel reads and writes itself."""
_LARGE_COUNTS = (10_000, 100_000, 1_000_000)
"""Beside 0 to 1000, the counts a plural rule is tried with: the rules of CLDR differ up to
1000 (and for millions), and a template may give any count."""

_QUOTED = r'"(?:[^"\\]|\\.)*"'
_PO_LINE = re.compile(
    rf"\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+{_QUOTED}|{_QUOTED})?\s*"
)
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]+|[0-7]{1,3}|.)")
"""A backslash and what it escapes: GNU gettext's hex and octal escapes whole."""
_NUMERIC_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]|[0-7])")
_MSGID_LINE = re.compile(rb"^msgid\b", re.MULTILINE)
_CHARSET = re.compile(rb'^"Content-Type:[^"\n]*?charset=([A-Za-z0-9_.:+-]+)', re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Resolved:
    """The text to show in a language, and whether it is the default language's stand-in."""

    translation: Translation
    is_fallback: bool


def resolve(translations: Mapping[str, Translation], lang: str, default: str) -> Resolved:
    if lang in translations:
        return Resolved(translations[lang], False)
    return Resolved(translations[default], True)


@dataclass(frozen=True, slots=True)
class Catalogs:
    translations: Mapping[str, NullTranslations]
    """The merged interface catalog of each site language."""
    inputs: Mapping[str, tuple[str, ...]]
    """The .po files behind each language's catalog (site-relative or theme paths)."""


def catalog_paths(locales: Path, language: Language) -> list[Path]:
    """Where a language's catalog may be: the site's own code first, then Babel's form."""
    names = dict.fromkeys([language.code, language.locale_id, language.code.split("-")[0]])
    return [locales / name / "LC_MESSAGES" / f"{DOMAIN}.po" for name in names]


def load_catalogs(config: SiteConfig, theme_locales: Path) -> tuple[Catalogs, list[Diagnostic]]:
    problems: list[Diagnostic] = []
    merged: dict[str, NullTranslations] = {}
    inputs: dict[str, tuple[str, ...]] = {}
    for language in config.languages:
        result: NullTranslations = NullTranslations()
        used = []
        theme_keys: frozenset[MessageKey] = frozenset()
        rule = ""
        for locales, root, label in (
            (theme_locales, theme_locales.parent, "theme"),
            (config.root / "locales", config.root, None),
        ):
            # the site's: whatever is there (a folder, a pipe or a link to nowhere in its
            # place is refused by read_catalog, not passed over for the theme's)
            present = os.path.isfile if label else os.path.lexists
            path = next((p for p in catalog_paths(locales, language) if present(p)), None)
            if path is None:
                continue
            rel = path.relative_to(root).as_posix()
            shown = f"<{label}>/{rel}" if label else rel
            catalog, found = read_catalog(path, shown, language, None if label else root)
            problems.extend(found)
            if catalog is None:
                continue
            if label:
                theme_keys = translated_keys(catalog)
            else:  # the site's own catalog: what its translators should look at
                header = find_header_line(path.read_text("utf-8", "replace"), "Plural-Forms")
                problems += check_catalog(catalog, shown, language, theme_keys, header)
            used.append(shown)
            compiled = compile_catalog(catalog)
            if isinstance(result, Translations) and catalog.plural_forms == rule:
                result.merge(compiled)
            else:
                if isinstance(result, Translations):
                    # a plural rule of its own (Poedit writes French's older two forms,
                    # CLDR has three): the site's entries are counted by its rule, and the
                    # theme's, a fallback, by the theme's; merged, the site's went by the
                    # theme's and a form it lacks showed the English
                    compiled.add_fallback(result)
                result = compiled
            rule = catalog.plural_forms
        merged[language.code] = result
        inputs[language.code] = tuple(used)
    return Catalogs(MappingProxyType(merged), MappingProxyType(inputs)), problems


def read_catalog(
    path: Path, shown: str, language: Language, root: Path | None = None
) -> tuple[Catalog | None, list[Diagnostic]]:
    """A catalog parsed by Babel, or the errors that refuse it. `root`: the site's folder, for
    a site catalog, which must not be a link (or in a linked folder) leading out of it; a
    problem of one reached through a link names the link and where it leads."""
    catalog, problems = _read_catalog(path, shown, language, root)
    link = link_on_the_way(path, root) if root is not None and problems else None
    if link is not None:
        note = f" ({link[0]} is a symbolic link to {link[1]})"
        problems = [replace(p, message=p.message + note) for p in problems]
    return catalog, problems


def _read_catalog(
    path: Path, shown: str, language: Language, root: Path | None
) -> tuple[Catalog | None, list[Diagnostic]]:
    if root is not None and leaves(path, root):
        return None, [
            outside_link(shown, "copy the catalog into the site's locales/ folder instead")
        ]
    text, charset, problems = read_declared_text(path, shown, _declared_charset)
    if text is None:
        return None, problems
    for number, line in enumerate(text.split("\n"), start=1):
        if not _PO_LINE.fullmatch(line):
            return None, [
                error(
                    "po-syntax",
                    "this line is not valid gettext PO syntax",
                    SourcePos(shown, number),
                    'each line must be a comment, a keyword with a "quoted string", '
                    "or a quoted continuation; check for a missing quote",
                )
            ]
        escaped = _escape_problem(line, shown, number)
        if escaped is not None:
            return None, [escaped]
    catalog = _KeptHeaders(locale=language.locale_id, domain=DOMAIN)
    parser = _DuplicateAwareParser(catalog)
    try:
        parser.parse(_without_previous_of_obsolete(text.split("\n")))
    except _PluralFormsRefused as exc:
        return None, [_plural_forms_error(text, shown, language, str(exc))]
    except _OutOfPlace as exc:
        return None, [error("po-syntax", exc.message, SourcePos(shown, exc.line), exc.hint)]
    except PoFileError as exc:
        line = getattr(exc, "lineno", None)  # Babel counts lines from 0
        message = re.sub(r" on \d+$", "", str(exc))
        return None, [
            error(
                "po-syntax",
                f"invalid PO file: {message}",
                SourcePos(shown, line + 1 if isinstance(line, int) else None),
                "fix the entry, or open the file in Poedit to see the problem",
            )
        ]
    expression = _plural_problem(catalog)
    if expression is not None:
        return None, [_plural_forms_error(text, shown, language, expression)]
    if parser.duplicates:
        return None, [
            error(
                "po-duplicate",
                f"duplicate message {msgid!r} (first defined at line {first})",
                SourcePos(shown, line),
                "keep one of the two entries; gettext tools refuse duplicates",
            )
            for line, msgid, first in parser.duplicates
        ]
    return catalog, _taken_as_utf8(catalog, text, shown, charset)


def _escape_problem(line: str, shown: str, number: int) -> Diagnostic | None:
    """The first escape of a line's strings that the catalog may not hold: one GNU msgfmt
    refuses (`\\q`), one Babel reads otherwise than gettext (hex and octal, which Babel leaves
    as written), or one that writes a character no page may carry (`\\a`: read_text only sees
    the characters written as they are). Obsolete entries and previous msgids (`#~`, `#|`)
    too, as msgfmt checks them."""
    if "\\" not in line:  # (nearly every line: no escape to check)
        return None
    if line.lstrip().startswith("#") and not line.lstrip().startswith(("#~", "#|")):
        return None
    for quoted in re.finditer(_QUOTED, line):
        for found in _ESCAPE.finditer(quoted.group()):
            escape = found.group()
            where = SourcePos(shown, number, quoted.start() + found.start() + 1)
            if _NUMERIC_ESCAPE.match(escape):
                return error(
                    "po-syntax",
                    f"the escape {escape} is read as written by Babel (which allysite reads "
                    "catalogs with), but as one character by gettext",
                    where,
                    "write the character itself instead of its code",
                )
            made = unescape(f'"{escape}"')
            if made == escape:
                return error(
                    "po-syntax",
                    f"{escape} is not a valid escape in a PO string (msgfmt refuses the file)",
                    where,
                    'write \\\\ for a backslash and \\" for a quote; the other escapes are '
                    "\\n (line break) and \\t (tab)",
                )
            if first_forbidden(made) is not None:
                return error(
                    "encoding",
                    f"the escape {escape} writes {kind_of(made)}, which is invisible",
                    where,
                    "delete the escape: no web page or feed may carry the character it writes",
                )
    return None


def _declared_charset(raw: bytes) -> str | None:
    """The charset that a catalog's header (its first entry) names in its Content-Type."""
    entries = [found.start() for found in _MSGID_LINE.finditer(raw)]
    found = _CHARSET.search(raw, 0, entries[1] if len(entries) > 1 else len(raw))
    return found.group(1).decode("ascii") if found else None


def _taken_as_utf8(catalog: Catalog, text: str, shown: str, charset: str) -> list[Diagnostic]:
    """Sets the catalog's charset to UTF-8, whatever its Content-Type header says, so that
    it is compiled and written (`i18n update`) as UTF-8 (Babel would encode it with the
    header's charset: an unknown one, or one without the text's characters, failed the
    build); a warning when the header named another but the file is UTF-8 (read_text), since
    other tools read the file by its header. A file in the charset its header names
    (ISO-8859-1 from an old Poedit) was read in it, as gettext reads it."""
    declared = catalog.charset or ""
    catalog.charset = "utf-8"
    if charset != "utf-8" or declared.lower().replace("_", "-") in ("utf-8", "utf8"):
        return []
    return [
        warning(
            "po-charset",
            f"the Content-Type header names charset={declared}, but the file is UTF-8 "
            "(allysite reads and compiles catalogs as UTF-8)",
            SourcePos(shown, find_header_line(text, "Content-Type")),
            'write "Content-Type: text/plain; charset=UTF-8\\n" (in Poedit: Translation > '
            "Properties > Charset), so that other tools read it right",
        )
    ]


def _without_previous_of_obsolete(lines: list[str]) -> list[str]:
    """The lines with those of an obsolete entry's previous msgid (`#~| msgid "..."`, which
    `msgmerge --previous` writes and Babel's parser refuses) made comments (`#| ...`, as
    Babel reads those of other entries), each on its own line, so that every other line keeps
    its number and `i18n update` writes them back as they were (catalogs._po_bytes)."""
    return [
        line.lstrip().replace("#~|", "#|", 1) if line.lstrip().startswith("#~|") else line
        for line in lines
    ]


def _plural_forms_error(text: str, shown: str, language: Language, what: str) -> Diagnostic:
    """A Plural-Forms header gettext cannot use: the catalog is refused, at the header's line."""
    expected = get_plural(language.locale).plural_forms
    return error(
        "po-plural-forms",
        f"the Plural-Forms header's {what}",
        SourcePos(shown, find_header_line(text, "Plural-Forms")),
        f'write "Plural-Forms: {expected}\\n"',
    )


def _plural_problem(catalog: Catalog) -> str | None:
    """What gettext finds wrong with the catalog's plural expression (it compiles it into
    Python when the catalog is installed: only n, numbers and C operators are allowed), or
    what goes wrong when a page asks it for a form: a division by zero, or a form the catalog
    does not have (gettext then shows the source text, or a template fails)."""
    try:
        rule = gettext.c2py(catalog.plural_expr)
    except (ValueError, SyntaxError, RecursionError, MemoryError) as exc:
        return f"plural= is not a gettext expression: {str(exc) or type(exc).__name__}"
    forms = catalog.num_plurals
    for count in (*range(1001), *_LARGE_COUNTS):
        try:
            index = rule(count)
        except ArithmeticError as exc:
            return f"plural= fails for n={count}: {exc}"
        if not 0 <= index < forms:
            return (
                f"plural= gives form {index} for n={count}, but nplurals={forms} allows "
                f"0 to {forms - 1}"
            )
    return None


def _nplurals_problem(header: str) -> str | None:
    """What is wrong with the nplurals of a header entry's text, read as Babel reads it."""
    value = None
    for name, field in message_from_string(header).items():
        if name.lower() == "plural-forms":
            value = parse_separated_header(f" ;{field}").get("nplurals", "2")
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if 1 <= number <= MAX_PLURAL_FORMS:
        return None
    shown = value if len(value) <= 20 else value[:20] + "..."
    return (
        f"nplurals={shown} is not a number from 1 to {MAX_PLURAL_FORMS} "
        "(no language has more plural forms in CLDR)"
    )


class _PluralFormsRefused(Exception):
    """A header's nplurals, refused before Babel's parser reads another entry with it."""


class _OutOfPlace(Exception):
    """A keyword where gettext's grammar has no place for it (msgfmt: a fatal error); Babel's
    parser took it silently, and gave its string to the wrong entry or dropped it."""

    def __init__(self, message: str, line: int, hint: str) -> None:
        super().__init__(message)
        self.message, self.line, self.hint = message, line, hint


class _KeptHeaders(Catalog):
    """Babel's catalog, with the header fields Babel does not know (Poedit's X-Generator and
    X-Poedit-Basepath, Weblate's X-*) kept as they were: Babel's own dropped them when
    `allysite i18n update` wrote the catalog."""

    def __init__(self, locale: str, domain: str) -> None:
        self.other_headers: list[tuple[str, str]] = []
        super().__init__(locale=locale, domain=domain)

    def _set_mime_headers(self, headers: Iterable[tuple[str, str]]) -> None:
        headers = list(headers)
        self.other_headers = [(n, v) for n, v in headers if n.lower() not in _BABEL_HEADERS]
        super()._set_mime_headers(headers)

    def _get_mime_headers(self) -> list[tuple[str, str]]:
        """Babel's fields, then the others before Babel's last one (Generated-By)."""
        headers = super()._get_mime_headers()
        return [*headers[:-1], *self.other_headers, *headers[-1:]]


class _DuplicateAwareParser(PoFileParser):
    """Babel's own PO parser, noting the messages it would silently overwrite."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(catalog, abort_invalid=True)
        self.first_seen: dict[tuple[str, str | None], int] = {}
        self.duplicates: list[tuple[int, str, int]] = []

    def _add_message(self) -> None:
        self._check_header()
        if not self.obsolete:
            msgid = self.messages[0].denormalize()
            context = self.context.denormalize() if self.context else None
            line = self.offset + 1
            first = self.first_seen.setdefault((msgid, context), line)
            if first != line:
                self.duplicates.append((line, msgid, first))
        super()._add_message()

    def _process_keyword_line(self, lineno: int, line: str, obsolete: bool = False) -> None:
        keyword, _, rest = line.partition(" ")
        problem = self._out_of_place(keyword) or self._form_beyond(keyword, rest.strip())
        if problem is not None:
            raise _OutOfPlace(problem[0], lineno + 1, problem[1])
        super()._process_keyword_line(lineno, line, obsolete)

    def _out_of_place(self, keyword: str) -> tuple[str, str] | None:
        """What is wrong with a msgid_plural or msgstr here (message, hint), as gettext reads
        an entry: [msgctxt] msgid [msgid_plural] then msgstr, or msgstr[0], msgstr[1]..."""
        ids, has_strings = len(self.messages), bool(self.translations)
        if keyword == "msgid_plural" and (ids != 1 or has_strings):
            return (
                "msgid_plural must come right after its entry's msgid",
                "write msgid, msgid_plural, then msgstr[0], msgstr[1]...",
            )
        if keyword == "msgstr" and (ids != 1 or has_strings):
            if ids == 2 and not has_strings:
                return (
                    "this entry has a msgid_plural: its translations are msgstr[0], msgstr[1]...",
                    "number the msgstr of each plural form, or remove msgid_plural",
                )
            return (
                "this msgstr has no msgid before it",
                "add the msgid it translates, or remove the line (an entry has one msgstr)",
            )
        if keyword.startswith("msgstr["):
            if ids == 0:
                return (
                    f"this {keyword} has no msgid before it",
                    "add the msgid and msgid_plural it translates, or remove the line",
                )
            if ids == 1:
                return (
                    f"{keyword} on an entry that has no msgid_plural",
                    'write msgstr "..." for an entry without plural forms, or add the '
                    "msgid_plural of the source text",
                )
            index, expected = keyword[len("msgstr[") : -1], len(self.translations)
            if index.isdigit() and int(index) != expected:  # (else Babel's syntax error)
                return (
                    f"{keyword} comes where msgstr[{expected}] should: gettext numbers an "
                    "entry's plural forms from 0, in order",
                    "number the entry's plural forms msgstr[0], msgstr[1]... in order, each once",
                )
        return None

    def _form_beyond(self, keyword: str, value: str) -> tuple[str, str] | None:
        """A plural form the header does not count (message, hint), at its own line: GNU
        msgfmt --check refuses the file, even when the form is empty (an entry written for
        another language's number of forms), and Babel only told the entry."""
        index, forms = keyword[len("msgstr[") : -1], self.catalog.num_plurals
        if not keyword.startswith("msgstr[") or not index.isdigit() or int(index) < forms:
            return None
        counted = "msgstr[0]" if forms == 1 else f"msgstr[0] to msgstr[{forms - 1}]"
        hint = f"delete {keyword} and any form after it in this entry"
        if value != '""':
            hint += f", or, if the language has {int(index) + 1} forms, fix Plural-Forms"
        return (
            f"{keyword} is a plural form beyond the {forms} ({counted}) that the catalog's "
            "Plural-Forms header gives",
            hint,
        )

    def _check_header(self) -> None:
        """Refuses a header entry (msgid "", wherever it is) whose nplurals the entries
        after it would be parsed with."""
        header = not self.obsolete and len(self.messages) == 1 and bool(self.translations)
        if header and not self.messages[0].denormalize():
            problem = _nplurals_problem(self.translations[0][1].denormalize())
            if problem is not None:
                raise _PluralFormsRefused(problem)


def compile_catalog(catalog: Catalog) -> Translations:
    """A Catalog as gettext Translations, compiled in memory."""
    return Translations(fp=BytesIO(mo_data(catalog)), domain=DOMAIN)


def mo_data(catalog: Catalog) -> bytes:
    """The catalog as a .mo file. Fuzzy entries, and entries that would show wrong text
    (catalog_checks.usable), are left out, so that the source text shows instead."""
    broken = [m for m in catalog if m.id and not usable(m, catalog.num_plurals)]
    if broken:
        catalog = copy.deepcopy(catalog)
        for message in broken:
            catalog.delete(message.id, message.context)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()
