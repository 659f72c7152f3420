"""Checks of one gettext catalog, entry by entry, on the messages Babel has parsed.

An entry that would show wrong text is reported at its line and is not used, so the source
text shows instead: placeholders that differ between msgid and msgstr (`%(name)s` and
`{name}`), tags that differ (a translation is shown as text unless its source is markup:
see `is_markup`), a plural entry without every form the catalog needs, a fuzzy entry.
Missing entries are reported unless the theme's catalog already translates them. All are
warnings (`--strict` makes them errors): a catalog a translator is still working on must not
stop a build.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural

from allysite.errors import Diagnostic, SourcePos, warning
from allysite.languages import Language
from allysite.textrules import describe, unclosed_direction

# %-conversions as Python applies them (Jinja's newstyle gettext formats every message).
_PERCENT = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[a-zA-Z%])"
)
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>")
"""What a browser would read as a tag, a comment or a declaration."""
_BRACE = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}")

MessageKey = tuple[str, str | None]
"""A message's msgid (its singular for plural entries) and context."""


@dataclass(frozen=True, slots=True)
class Placeholder:
    style: str
    """'%' or '{'."""
    name: str
    text: str
    """As written, e.g. '%(name)s' or '{name}'."""
    counts: bool
    """A whole-number conversion (%(num)d): plural forms may leave it out."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.style, self.name)


def placeholders(text: str) -> dict[tuple[str, str], Placeholder]:
    return _first_of_each(_occurrences(text))


def _first_of_each(occurrences: Iterable[Placeholder]) -> dict[tuple[str, str], Placeholder]:
    found: dict[tuple[str, str], Placeholder] = {}
    for item in occurrences:
        found.setdefault(item.key, item)
    return found


def _occurrences(text: str) -> Iterator[Placeholder]:
    """Every placeholder of the text, as often as it is written."""
    for match in _PERCENT.finditer(text):
        if match["conv"] != "%":
            yield Placeholder("%", match["name"] or "", match[0], match["conv"] in "di")
    for match in _BRACE.finditer(text):
        yield Placeholder("{", match["name"], match[0], False)


def message_key(message: Message) -> MessageKey:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return (msgid, message.context)


def _ids(message: Message) -> tuple[str, ...]:
    return (message.id,) if isinstance(message.id, str) else tuple(message.id)


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, str):
        return (message.string,)
    return tuple(text or "" for text in message.string or ())


def cldr_plural_forms(language: Language) -> int:
    return get_plural(language.locale).num_plurals


def _format_problem(message: Message, index: int, text: str) -> str | None:
    """What is wrong with one msgstr's placeholders, or None."""
    expected: dict[tuple[str, str], Placeholder] = {}
    # each form msgid writes a placeholder in (a width or precision of msgstr's own,
    # `%(name)0999999999s`, would make a string of a gigabyte on every page that shows it)
    written: dict[tuple[str, str], set[str]] = {}
    for msgid in _ids(message):
        in_msgid = list(_occurrences(msgid))
        expected.update(_first_of_each(in_msgid))
        for item in in_msgid:
            written.setdefault(item.key, set()).add(item.text)
    in_text = list(_occurrences(text))
    found = _first_of_each(in_text)
    extra = [p.text for key, p in found.items() if key not in expected]
    lacking = [
        p.text
        for key, p in expected.items()
        if key not in found and not (message.pluralizable and _may_leave_out(message, p))
    ]
    otherwise = sorted(
        {p.text for p in in_text if p.key in written and p.text not in written[p.key]}
    )
    form = f"msgstr[{index}]" if message.pluralizable else "msgstr"
    parts = []
    if lacking:
        parts.append(f"{form} lacks {', '.join(lacking)}")
    if extra:
        parts.append(f"{form} has {', '.join(extra)} that msgid does not")
    if otherwise:
        parts.append(f"{form} writes {', '.join(otherwise)} otherwise than msgid")
    if parts:
        return "placeholders differ: " + "; ".join(parts)
    values = {p.name: 1 for p in expected.values() if p.style == "%"}
    try:
        _ids(message)[0] % values
    except (ValueError, TypeError, KeyError):
        return None  # the source text cannot be formatted either: a template matter
    try:
        text % values
    except (ValueError, TypeError, KeyError):
        return f"{form} is not a valid format string: write a literal % as %%"
    return None


def is_markup(source: str) -> bool:
    """Whether a template's source text is written as HTML (it holds a tag or an entity,
    as `Read <a href="%(url)s">more</a>` does): its translations are then shown as markup,
    and must hold its tags. Every other translation is shown as text, escaped: a translator's
    `<`, `&` or quote can then neither break the page nor run a script in it."""
    return "<" in source or "&" in source


def _markup_problem(message: Message, index: int, text: str) -> str | None:
    """What is wrong with one msgstr's tags, or None."""
    sources = _ids(message)
    tags = _TAG.findall(text)
    form = f"msgstr[{index}]" if message.pluralizable else "msgstr"
    if not any(is_markup(source) for source in sources):
        if tags:
            return f"{form} has markup ({_short(tags[0])}) that msgid has not, and would show it"
        return None
    if all(sorted(tags) != sorted(_TAG.findall(source)) for source in sources):
        return f"{form} has other tags than msgid"
    return None


COUNT_NAMES = frozenset({"num", "count"})
"""The names Jinja gives the count: `ngettext` passes `num`, and `{% trans count=n %}` is
how its documentation writes a plural block."""


def _may_leave_out(message: Message, placeholder: Placeholder) -> bool:
    """Whether a plural form may do without a placeholder: the count (Polish writes "Jeden
    partner" for one), in a whole-number conversion or by Jinja's names for it, and what
    one of the source forms leaves out itself (`{% trans count=n %}One partner{% pluralize
    %}{{ count }} partners{% endtrans %}`), as GNU msgfmt accepts."""
    if placeholder.counts or placeholder.name in COUNT_NAMES:
        return True
    return any(placeholder.key not in placeholders(source) for source in _ids(message))


def _filled(message: Message) -> list[str]:
    return [text for text in _strings(message) if text]


def usable(message: Message, num_plurals: int) -> bool:
    """Whether gettext may use the entry: translated, not fuzzy, every form, same placeholders."""
    strings = _strings(message)
    if message.fuzzy or not all(strings) or not strings:
        return False
    if message.pluralizable and len(strings) < num_plurals:
        return False
    return all(
        _format_problem(message, i, text) is None
        and _markup_problem(message, i, text) is None
        and unclosed_direction(text) is None
        for i, text in enumerate(strings)
    )


def entry_state(message: Message, num_plurals: int) -> str:
    """'translated', 'fuzzy' or 'missing' (what a visitor gets: a broken entry is not shown)."""
    if message.fuzzy and _filled(message):
        return "fuzzy"
    return "translated" if usable(message, num_plurals) else "missing"


def translated_keys(catalog: Catalog) -> frozenset[MessageKey]:
    return frozenset(message_key(m) for m in _entries(catalog) if usable(m, catalog.num_plurals))


def _entries(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 60 else text[:57] + "...")


def check_catalog(
    catalog: Catalog,
    shown: str,
    language: Language,
    covered: Collection[MessageKey] = frozenset(),
    plural_forms_line: int | None = None,
) -> list[Diagnostic]:
    """Every entry problem of one catalog, at its line; `covered`: keys the theme translates."""
    problems: list[Diagnostic] = []
    needed = cldr_plural_forms(language)
    english = language.locale.get_display_name("en") or language.code
    if catalog.num_plurals != needed and plural_forms_line is not None:
        expected = get_plural(language.locale)
        problems.append(
            warning(
                "catalog-plural-forms",
                f"Plural-Forms gives nplurals={catalog.num_plurals}, but {english} has "
                f"{needed} plural forms (CLDR)",
                SourcePos(shown, plural_forms_line),
                f'write "Plural-Forms: {expected.plural_forms}\\n"',
            )
        )
    for message in _entries(catalog):
        where = SourcePos(shown, message.lineno)
        label = _short(_ids(message)[0])
        filled = _filled(message)
        if not filled:
            # msgids are English: an English catalog may leave an entry to the source text
            if message_key(message) not in covered and language.locale.language != "en":
                problems.append(
                    warning(
                        "catalog-missing",
                        f"{label} is not translated; the source text shows",
                        where,
                        "translate it (in Poedit or Weblate, or in the file)",
                    )
                )
            continue
        if message.fuzzy:
            problems.append(
                warning(
                    "catalog-fuzzy",
                    f"{label} is fuzzy and not used until a translator reviews it",
                    where,
                    "check the translation, then remove the '#, fuzzy' flag "
                    "(Poedit: turn off 'Needs work')",
                )
            )
            continue
        forms = catalog.num_plurals  # (the file's own rule counts them: see usable)
        if message.pluralizable and len(filled) != forms:
            rule = f"{english} has {forms} (CLDR)"
            if forms != needed:
                rule = f"the catalog's Plural-Forms gives {forms}"
            problems.append(
                warning(
                    "catalog-plural-forms",
                    f"{label} has {len(filled)} plural forms, but {rule}",
                    where,
                    f"fill in msgstr[0] to msgstr[{forms - 1}]; the entry is not used "
                    "until every form is there",
                )
            )
        for index, text in enumerate(_strings(message)):
            found = _format_problem(message, index, text) if text else None
            if found:
                problems.append(
                    warning(
                        "catalog-placeholder",
                        f"{label}: {found}",
                        where,
                        "keep every placeholder of msgid as it is written, e.g. %(name)s or "
                        "{name}; the entry is not used until then",
                    )
                )
                break
            tagged = _markup_problem(message, index, text)
            if tagged:
                problems.append(
                    warning(
                        "catalog-markup",
                        f"{label}: {tagged}",
                        where,
                        "write the translation as plain text (quotes, & and < are fine: "
                        "they show as written), with exactly the tags msgid has; the entry "
                        "is not used until then",
                    )
                )
                break
            opened = unclosed_direction(text)
            if opened is not None:
                form = f"msgstr[{index}]" if message.pluralizable else "msgstr"
                problems.append(
                    warning(
                        "catalog-direction",
                        f"{label}: {form} opens {describe(text[opened])} and does not close "
                        "it; the entry is not used",
                        where,
                        "end it with U+202C POP DIRECTIONAL FORMATTING (after an embedding or "
                        "override) or U+2069 POP DIRECTIONAL ISOLATE (after an isolate), or "
                        "remove it: left open, it turns around the page text after it",
                    )
                )
                break
    return problems


def find_header_line(text: str, field: str) -> int | None:
    """The line of a header field (`"Plural-Forms: ...`) in a PO file's text."""
    prefix = f'"{field}:'
    for number, line in enumerate(text.split("\n"), start=1):
        if line.lstrip().startswith(prefix):
            return number
    return None
