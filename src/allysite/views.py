"""Display data for one language: labels, dates, collation order, the hrefs of every item.

Templates receive only these frozen views, so they never compute URLs, fall back, format or
sort by themselves; that happens once per language here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

import icu
from babel.dates import format_date, format_skeleton
from markupsafe import Markup

from allysite import urls
from allysite.config import SiteConfig
from allysite.i18n import resolve
from allysite.languages import Language
from allysite.model import TAXONOMY_NAMES, Content, Page, PartialDate, Partner, Term

# Region slugs that name a CLDR region, so Babel gives their name in every language.
CLDR_REGIONS: Mapping[str, str] = MappingProxyType(
    {
        "global": "001",
        "world": "001",
        "africa": "002",
        "americas": "019",
        "asia": "142",
        "europe": "150",
        "oceania": "009",
        "latin-america": "419",
        "north-america": "003",
        "south-america": "005",
        "central-america": "013",
        "caribbean": "029",
        "european-union": "EU",
        "western-asia": "145",
        "northern-africa": "015",
        "sub-saharan-africa": "202",
        "central-asia": "143",
        "southern-asia": "034",
        "south-eastern-asia": "035",
        "eastern-asia": "030",
        "eastern-europe": "151",
        "western-europe": "155",
        "northern-europe": "154",
        "southern-europe": "039",
    }
)


@dataclass(frozen=True, slots=True)
class DateView:
    text: str
    iso: str


@dataclass(frozen=True, slots=True)
class TermView:
    taxonomy: str
    slug: str
    label: str
    href: str
    count: int


@dataclass(frozen=True, slots=True)
class TaxonomyView:
    name: str
    href: str
    terms: tuple[TermView, ...]


@dataclass(frozen=True, slots=True)
class ItemView:
    """A partner or page in one language, with the language its text is really in."""

    slug: str
    href: str
    name: str
    short_name: str | None
    summary: str | None
    body_html: Markup
    text_lang: Language
    is_fallback: bool
    source: str


@dataclass(frozen=True, slots=True)
class PartnerView:
    item: ItemView
    website: str
    logo_href: str | None
    since: DateView | None
    kind: TermView
    regions: tuple[TermView, ...]
    topics: tuple[TermView, ...]
    inputs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LanguageView:
    """Everything one language's pages show, computed once."""

    language: Language
    partners: tuple[PartnerView, ...]
    """In the language's collation order."""
    taxonomies: tuple[TaxonomyView, ...]
    pages: tuple[ItemView, ...]


def collation_key(language: Language) -> Callable[[str], bytes]:
    return _collator(language.locale_id).getSortKey


@cache
def _collator(locale_id: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(locale_id))


def format_partial_date(value: PartialDate, language: Language) -> DateView:
    locale = language.locale
    if value.day:
        text = format_date(value.as_date, format="long", locale=locale)
    elif value.month:
        text = format_skeleton("yMMMM", value.as_date, locale=locale)
    else:
        text = format_skeleton("y", value.as_date, locale=locale)
    return DateView(text, value.iso)


def term_label(term: Term, language: Language, default: Language) -> str:
    """The site's label, else CLDR's name of a region, else the default's label, else the slug."""
    if language.code in term.labels:
        return term.labels[language.code]
    if term.taxonomy == "regions":
        code = CLDR_REGIONS.get(term.slug) or term.slug.upper()
        name = language.locale.territories.get(code)
        if name:
            return name
    if default.code in term.labels:
        return term.labels[default.code]
    text = term.slug.replace("-", " ")
    return text[:1].upper() + text[1:]


def item_view(item: Partner | Page, href: str, config: SiteConfig, language: Language) -> ItemView:
    default = config.default_language
    shown = resolve(item.translations, language.code, default.code)
    text = shown.translation
    return ItemView(
        slug=item.slug,
        href=href,
        name=text.name,
        short_name=text.short_name,
        summary=text.summary,
        body_html=Markup(text.body_html),
        text_lang=config.language(text.lang),
        is_fallback=shown.is_fallback,
        source=text.source,
    )


def language_view(config: SiteConfig, content: Content, language: Language) -> LanguageView:
    link = urls.Urls(config.base_url).href
    sort_key = collation_key(language)
    default = config.default_language
    code = language.code

    counts = Counter(
        (name, slug) for p in content.partners for name in TAXONOMY_NAMES for slug in p.terms(name)
    )
    term_views: dict[tuple[str, str], TermView] = {}
    taxonomy_views = []
    for taxonomy in content.taxonomies:
        views = [
            TermView(
                taxonomy.name,
                term.slug,
                term_label(term, language, default),
                link(urls.term(code, taxonomy.name, term.slug)),
                counts[(taxonomy.name, term.slug)],
            )
            for term in taxonomy.terms
        ]
        views.sort(key=lambda view: (sort_key(view.label), view.slug))
        term_views.update({(view.taxonomy, view.slug): view for view in views})
        taxonomy_views.append(
            TaxonomyView(taxonomy.name, link(urls.taxonomy(code, taxonomy.name)), tuple(views))
        )

    partners = []
    for partner in content.partners:
        path = urls.partner(code, partner.slug)
        item = item_view(partner, link(path), config, language)
        facts = partner.facts
        inputs = tuple(dict.fromkeys((f"{partner.folder}/partner.yaml", item.source)))
        partners.append(
            PartnerView(
                item=item,
                website=facts.website,
                logo_href=link(urls.item_file(path, facts.logo)) if facts.logo else None,
                since=format_partial_date(facts.partner_since, language)
                if facts.partner_since
                else None,
                kind=term_views[("kinds", facts.kind)],
                regions=_sorted_terms(term_views, "regions", facts.regions, sort_key),
                topics=_sorted_terms(term_views, "topics", facts.topics, sort_key),
                inputs=inputs,
            )
        )
    partners.sort(key=lambda view: (sort_key(view.item.name), view.item.slug))

    pages = [
        item_view(page, link(urls.page(code, page.slug)), config, language)
        for page in content.pages
    ]
    pages.sort(key=lambda view: (sort_key(view.name), view.slug))
    return LanguageView(language, tuple(partners), tuple(taxonomy_views), tuple(pages))


def _sorted_terms(
    term_views: Mapping[tuple[str, str], TermView],
    taxonomy: str,
    slugs: tuple[str, ...],
    sort_key: Callable[[str], bytes],
) -> tuple[TermView, ...]:
    views = [term_views[(taxonomy, slug)] for slug in slugs]
    return tuple(sorted(views, key=lambda view: sort_key(view.label)))
