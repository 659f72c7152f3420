"""Pure data of a site's content: what the loader produces and every later stage reads."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to the year, the month or the day, as editors write `partner_since`."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def as_date(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month:
            parts.append(f"{self.month:02d}")
            if self.day:
                parts.append(f"{self.day:02d}")
        return "-".join(parts)


@dataclass(frozen=True, slots=True)
class Translation:
    """One language's text of a partner or page, with its Markdown already rendered."""

    lang: str
    name: str
    short_name: str | None
    summary: str | None
    body_html: str
    source: str
    provenance: str = "human"
    """How the text was made: 'human', 'machine', or 'reviewed' (machine, checked by a person)."""
    stamps: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """`translated_from`: the original's fingerprint of each field when this was translated."""
    fingerprints: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """The fingerprint of each of this text's own STAMPED_FIELDS that it has; for the
    default language's text only (the original that translations are stamped against)."""
    front: bytes = b""
    """A hash of the file's front matter (bodyedit.py: an edit of the body alone)."""
    rest: bytes = b""
    """A hash of its front matter's fields but the summary (bodyedit.py: an edit of the
    summary alone)."""


STAMPED_FIELDS: tuple[str, ...] = ("name", "short_name", "summary", "body")
"""The fields of a text whose versions a translation records (`translated_from`)."""


def fingerprint(value: str) -> str:
    """A short hash of a field's text: enough to tell versions apart, short enough to read."""
    return hashlib.sha256(value.strip().encode("utf-8")).hexdigest()[:8]


def field_fingerprints(front: Mapping[str, object], body: str) -> dict[str, str]:
    """The fingerprint of each stamped field a text has (STAMPED_FIELDS): its front matter's
    texts, and its body unless blank. The loader's of an original, and stale.py's of each
    committed version of one, are the same by this."""
    values = {name: front.get(name) for name in STAMPED_FIELDS if name != "body"}
    values["body"] = body if body.strip() else None
    return {name: fingerprint(value) for name, value in values.items() if isinstance(value, str)}


@dataclass(frozen=True, slots=True)
class PartnerFacts:
    website: str
    logo: str | None
    partner_since: PartialDate | None
    kind: str
    regions: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Partner:
    slug: str
    folder: str
    facts: PartnerFacts
    translations: Mapping[str, Translation]
    assets: tuple[str, ...]
    """Files of the folder other than partner.yaml and translations, relative to the folder."""
    logo_linked: bool = False
    """Some profile of the partner links to its logo file by name (then every language's
    folder has a copy: copies.py)."""

    def terms(self, taxonomy: str) -> tuple[str, ...]:
        if taxonomy == "kinds":
            return (self.facts.kind,)
        if taxonomy == "regions":
            return self.facts.regions
        return self.facts.topics


@dataclass(frozen=True, slots=True)
class Page:
    slug: str
    folder: str
    translations: Mapping[str, Translation]
    assets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Term:
    taxonomy: str
    slug: str
    labels: Mapping[str, str]
    """Labels the site gives, by language; others come from CLDR or the slug."""


@dataclass(frozen=True, slots=True)
class Taxonomy:
    name: str
    terms: tuple[Term, ...]


TAXONOMY_NAMES: tuple[str, ...] = ("kinds", "regions", "topics")
PLACEHOLDER_TERM = "todo"
"""The term `allysite new partner` writes for the editor to replace (scaffold.py): `check`
lists it as a placeholder, not as a term without labels."""


@dataclass(frozen=True, slots=True)
class Content:
    partners: tuple[Partner, ...]
    pages: tuple[Page, ...]
    taxonomies: tuple[Taxonomy, ...]
    static_files: tuple[str, ...]
    """Files of the site's static/ folder, relative to it."""
    sources: tuple[str, ...]
    """Every file read, relative to the site: the inputs of the whole build."""
