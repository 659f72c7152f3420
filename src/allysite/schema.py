"""Declared schemas of the editors' files, and pydantic errors turned into diagnostics.

The schemas say what each file may hold; the loader and config turn valid data into the
frozen model. Every error of a file is reported at once, at the line of its key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError

from allysite.errors import Diagnostic, error
from allysite.model import PartialDate
from allysite.sourcefile import YamlDoc

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE_PATTERN = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
"""ASCII digits only, as ISO 8601 writes them (Python's `\\d` takes any script's, `٢٠١٥`)."""


def _scalar_text(value: Any) -> Any:
    """Let `name: 1984` be the text '1984', as an editor means it."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _as_list(value: Any) -> Any:
    """Let `regions: global` mean `regions: [global]`."""
    return [value] if isinstance(value, str) else value


def _check_text(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()
    return value


ALL_LANGUAGES = "*"


def _text_per_language(value: Any) -> Any:
    """Let a plain string mean 'the same in every language'."""
    return {ALL_LANGUAGES: value} if isinstance(value, str | int | float) else value


def _check_slug(value: Any) -> Any:
    if isinstance(value, str) and not SLUG_PATTERN.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a valid slug: use lowercase ASCII letters, digits and single "
            "hyphens (for example 'human-rights')"
        )
    return value


def _check_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"'{value}' is not an http(s) address: only http:// and https:// links are allowed; "
            "write the full address, e.g. https://example.org/"
        )
    if any(ch.isspace() for ch in value):
        raise ValueError(f"'{value}' contains spaces; encode them as %20")
    if "@" in parts.netloc:  # a published password, or a host hidden after a false one
        raise ValueError(
            f"'{value}' holds a user name or password (before '@'): pages publish the "
            "address, so give it without them"
        )
    if not parts.hostname:  # 'https://:8080/': a port with no host before it
        raise ValueError(
            f"'{value}' has no host name: write the full address, e.g. https://example.org/"
        )
    try:
        port = parts.port  # (urlsplit checks the port when asked for it)
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"'{value}' has no valid port after ':' (a number from 1 to 65535)")
    problem = _host_problem(parts.hostname)
    if problem is not None:
        raise ValueError(
            f"'{value}' {problem}: write the site's address, e.g. https://example.org/"
        )
    return value


_HOST_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")
"""A part of a host name between dots, once in ASCII (IDNA): letters, digits, '_' and inner
'-' (RFC 1123; the '_' of service names, which browsers take)."""


def _host_problem(host: str) -> str | None:
    """What makes a host name no address a browser can reach ('a..b', '-x-.org'), or None.
    An IP address is taken as urlsplit gives it (IPv6 without its brackets)."""
    if ":" in host:
        return None
    name = host.removesuffix(".")  # (a fully qualified name's final dot)
    try:
        ascii_name = name if name.isascii() else name.encode("idna").decode("ascii")
    except UnicodeError:
        return "has a host name that is no valid international domain name"
    for label in ascii_name.split("."):
        if not label:
            return "has an empty part in its host name ('..', or a dot at its start)"
        if len(label) > 63:
            return "has a part of its host name longer than 63 characters"
        if not _HOST_LABEL.fullmatch(label):
            return (
                f"has '{label}' in its host name: a part may hold letters, digits and '-', "
                "and not start or end with '-'"
            )
    return None


def parse_partial_date(value: Any) -> PartialDate:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    match = _DATE_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"'{value}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        date(year, 1 if month is None else month, 1 if day is None else day)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date: check the month and the day") from None
    return PartialDate(year, month, day)


Text = Annotated[str, BeforeValidator(_scalar_text)]
RequiredText = Annotated[str, BeforeValidator(_check_text), BeforeValidator(_scalar_text)]
Slug = Annotated[str, BeforeValidator(_check_slug), BeforeValidator(_scalar_text)]
HttpUrl = Annotated[str, BeforeValidator(_check_url)]
SlugList = Annotated[list[Slug], BeforeValidator(_as_list)]


Provenance = Literal["human", "machine", "reviewed"]
StampedField = Literal["name", "short_name", "summary", "body"]
_STAMP_PATTERN = re.compile(r"[0-9a-f]{6,64}")


def _check_stamp(value: Any) -> Any:
    if isinstance(value, str) and not _STAMP_PATTERN.fullmatch(value):
        raise ValueError(
            f"'{value}' is not a fingerprint; let 'allysite i18n stamp' write translated_from"
        )
    return value


Stamp = Annotated[str, BeforeValidator(_check_stamp), BeforeValidator(_scalar_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class SiteSchema(_Strict):
    title: Annotated[dict[Text, RequiredText], BeforeValidator(_text_per_language)]
    base_url: HttpUrl
    default_language: Text
    languages: Annotated[list[Text], BeforeValidator(_as_list), Field(min_length=1)]
    search: StrictBool = False
    """Build a Pagefind search index per language and show the search box."""
    translation_dashboard: StrictBool = False
    """Build a page for editors with the translation status of every language."""
    machine_translations: Literal["index", "noindex"] = "index"
    """'noindex' keeps machine translations out of the sitemap and search engines."""


class PartnerSchema(_Strict):
    website: HttpUrl
    logo: Text | None = None
    partner_since: Annotated[PartialDate, BeforeValidator(parse_partial_date)] | None = None
    kind: Slug
    regions: SlugList = Field(default_factory=list)
    topics: SlugList = Field(default_factory=list)


class PartnerTextSchema(_Strict):
    name: RequiredText
    short_name: RequiredText | None = None
    summary: RequiredText
    translation: Provenance = "human"
    translated_from: dict[StampedField, Stamp] | None = None


class PageTextSchema(_Strict):
    """A page's text: a partner's fields ('same rules', CONTENT-FORMAT.md), its summary
    optional (an about page needs no card)."""

    name: RequiredText
    short_name: RequiredText | None = None
    summary: RequiredText | None = None
    translation: Provenance = "human"
    translated_from: dict[StampedField, Stamp] | None = None


def _none_as_empty(value: object) -> object:
    """A section with nothing under it (`topics:`, its entries commented out) is empty, as
    an empty mapping: Hugo and Pelican read it so."""
    return {} if value is None else value


Labels = Annotated[dict[Slug, dict[Text, RequiredText]], BeforeValidator(_none_as_empty)]


class TaxonomiesSchema(_Strict):
    kinds: Labels = Field(default_factory=dict)
    regions: Labels = Field(default_factory=dict)
    topics: Labels = Field(default_factory=dict)


Schema = TypeVar("Schema", bound=BaseModel)

_TYPE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "string_type": "text",
        "list_type": "a list, like [a, b]",
        "dict_type": "a mapping of 'key: value' lines",
        "int_type": "a whole number",
    }
)


MAX_PROBLEMS_PER_FILE = 20
"""A file with more is probably the wrong file: showing them all would bury the rest."""


def validate(schema: type[Schema], doc: YamlDoc) -> tuple[Schema | None, list[Diagnostic]]:
    """The data as `schema`, or every problem of it at the line of its key."""
    try:
        return schema.model_validate(doc.data), []
    except ValidationError as exc:
        problems = []
        seen: set[tuple[Any, ...]] = set()
        for item in exc.errors(include_url=False):
            loc = tuple(item["loc"])
            if (loc, item["type"]) in seen:
                continue
            seen.add((loc, item["type"]))
            problems.append(_diagnostic(schema, doc, loc, item))
        if len(problems) > MAX_PROBLEMS_PER_FILE:
            more = len(problems) - MAX_PROBLEMS_PER_FILE
            problems = problems[:MAX_PROBLEMS_PER_FILE]
            problems.append(
                error(
                    "more-problems",
                    f"{more} more problem(s) in this file are not shown",
                    doc.pos(),
                    "fix the ones above first; is this the right file?",
                )
            )
        return None, problems


def _diagnostic(
    schema: type[BaseModel], doc: YamlDoc, loc: tuple[Any, ...], item: Any
) -> Diagnostic:
    field = _field_name(loc)
    kind = item["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(_fields_at(schema, loc[:-1])) or "none"
        return error(
            "unknown-field",
            f"unknown field '{field}'",
            doc.pos(loc),
            f"allowed fields here: {allowed}; check the spelling",
        )
    if kind == "literal_error" and loc[-1] == "[key]":  # a key of a mapping of known keys
        key_loc = loc[:-1]
        expected = str(item.get("ctx", {}).get("expected", "")).replace("'", "")
        return error(
            "unknown-field",
            f"unknown field '{_field_name(key_loc)}'",
            doc.pos(key_loc),
            f"allowed fields here: {expected.replace(' or ', ', ')}; check the spelling",
        )
    if kind == "missing":
        return error(
            "missing-field",
            f"missing required field '{field}'",
            doc.pos(loc[:-1]),
            f"add a line '{loc[-1]}: ...'",
        )
    message = str(item["msg"]).removeprefix("Value error, ")
    if kind == "string_type" and item.get("input") is None:
        message = "must not be empty"
    elif kind in _TYPE_WORDS:
        message = f"must be {_TYPE_WORDS[kind]}"
    elif kind == "too_short":
        message = "must list at least one item"
    return error("invalid-value", f"{field}: {message}", doc.pos(loc))


def _field_name(loc: tuple[Any, ...]) -> str:
    """`topics[2]` for the second item, counting as editors do."""
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _fields_at(schema: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    return list(schema.model_fields) if not loc else []
