"""Display data for one language: labels, dates, collation order, the hrefs of every item.

Templates receive only these frozen views, so they never compute URLs, fall back, format or
sort by themselves; that happens once per language here.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from types import MappingProxyType
from typing import TypeVar

import icu
from babel.dates import format_date, format_skeleton
from babel.numbers import format_percent
from markupsafe import Markup

from allysite import urls
from allysite.collation import collation_key, first_letters
from allysite.config import SiteConfig
from allysite.i18n import resolve
from allysite.images import Picture
from allysite.languages import Language
from allysite.memo import Memo, kept_for
from allysite.model import TAXONOMY_NAMES, Content, Page, PartialDate, Partner, Term
from allysite.stale import Staleness
from allysite.traced import Summary

_V = TypeVar("_V")

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
class TermLink:
    """A term as a partner shows it. Without the count of partners that have it: a partner
    added or deleted changes the counts of its terms, and a view that held them would be made
    again for each of the hundreds of partners that share one (the dev server's updates)."""

    taxonomy: str
    slug: str
    label: str
    href: str
    label_lang: str
    """The language of a label shown in another one's stead (the default language's), or ''."""
    label_dir: str
    """The direction of such a label (or of a slug shown in a right-to-left page), or ''."""

    @property
    def label_attrs(self) -> Markup:
        """lang and dir for an element that holds only the label: an Arabic label in a Spanish
        page, without them, is read with a Spanish voice, and the count after it is drawn on
        its left ("11 منظمة socios")."""
        lang = f' lang="{self.label_lang}"' if self.label_lang else ""
        return Markup(f'{lang} dir="{self.label_dir}"' if self.label_dir else lang)


@dataclass(frozen=True, slots=True)
class TermView(TermLink):
    """A term as its taxonomy lists it, with how many partners have it."""

    count: int


@dataclass(frozen=True, slots=True)
class TaxonomyView:
    name: str
    href: str
    terms: tuple[TermView, ...] = field(repr=False)
    """(Not in its repr: a template that prints a view whole does not show its terms, so a
    page whose templates never name them is keyed without them: bodyreads.reads_none_of.)"""


@dataclass(frozen=True, slots=True)
class ItemView:
    """A partner or page in one language, with the language its text is really in."""

    slug: str
    href: str
    name: str
    short_name: str | None
    summary: str | None = field(repr=False)
    """A traced.Summary, which knows its text. (Not in its repr, as the body: a template that
    prints a view whole shows neither; bodyreads.py.)"""
    body_html: Markup = field(repr=False)
    """(Not in its repr: a template that prints a view whole does not show it; bodyreads.py.)"""
    text_lang: Language
    is_fallback: bool
    source: str
    provenance: str = "human"
    """How the shown text was made: 'human', 'machine', or 'reviewed' (machine, checked)."""
    stale_fields: tuple[str, ...] = ()
    """Fields whose original changed after this translation (stale.py)."""
    is_stale: bool = False
    original_href: str | None = None
    """The original's page (default language), which the notices link to."""

    @property
    def name_dir(self) -> str:
        """The direction the name reads in: its text's, unless it has no letter of that
        direction ("Hope Inc." in Arabic text reads left to right; "UNAOC تحالف" does not)."""
        return reading_direction(self.name, self.text_lang.direction)


def reading_direction(text: str, direction: str) -> str:
    """`direction` ('ltr' or 'rtl'), or the other one when the text has strong letters of the
    other direction only: left in the direction of its language, a Latin name in an Arabic
    page put its final "." on its left (".Hope Inc")."""
    kinds = {unicodedata.bidirectional(char) for char in text}
    own, other = ({"R", "AL"}, {"L"}) if direction == "rtl" else ({"L"}, {"R", "AL"})
    if kinds & own or not kinds & other:
        return direction
    return "ltr" if direction == "rtl" else "rtl"


@dataclass(frozen=True, slots=True)
class PartnerView:
    item: ItemView
    website: str = field(repr=False)
    """(Not in its repr: a template that prints a view whole does not show it, so that where
    only the partner's own page reads it, a list is keyed without it: publish.PageKeys.apart.)"""
    logo_href: str | None
    """The logo in the default language's folder, for every language (copies.py)."""
    since: DateView | None
    kind: TermLink
    regions: tuple[TermLink, ...]
    topics: tuple[TermLink, ...]
    inputs: tuple[str, ...]
    picture: Picture | None = None
    """The logo's size and candidates (None without a logo)."""

    @property
    def facet_keys(self) -> str:
        """Its terms as the directory's filters name them ('kinds/ngo regions/africa ...'):
        one value for a card's data-terms, cheaper than three loops in the template."""
        keys = [f"kinds/{self.kind.slug}"]
        keys += [f"regions/{term.slug}" for term in self.regions]
        keys += [f"topics/{term.slug}" for term in self.topics]
        return " ".join(keys)


@dataclass(frozen=True, slots=True)
class LetterGroup:
    """One heading of the A-Z directory: partners under a first letter as the language sorts."""

    label: str
    anchor: str
    """The id of the group's heading (unique in the page, safe in a URL fragment)."""
    partners: tuple[PartnerView, ...]


@dataclass(frozen=True, slots=True)
class LanguageView:
    """Everything one language's pages show, computed once."""

    language: Language
    partners: tuple[PartnerView, ...]
    """In the language's collation order."""
    taxonomies: tuple[TaxonomyView, ...]
    pages: tuple[ItemView, ...]
    letters: tuple[LetterGroup, ...] = ()
    """The partners grouped A-Z by ICU's alphabetic index of the language."""


@cache  # the same for every page of a language: computed once per process
def plural_samples(language: Language) -> Mapping[str, int]:
    """The smallest number of each CLDR plural category of the language ({'one': 1, ...}):
    scripts pick a translated count by `Intl.PluralRules`, which gives these categories.
    A positive one where there is one: 0 is in Persian's 'one', and where no catalog
    translates the count, English's source text for 0 made a filter say "1 partners"."""
    rule = language.locale.plural_form
    categories = len(rule.tags) + 1  # ('other' is no tag of the rule's)
    samples: dict[str, int] = {}
    for number in (*range(1, 1001), 0):
        samples.setdefault(rule(number), number)
        if len(samples) == categories:  # each found at its smallest number already
            break
    return MappingProxyType(samples)


def format_partial_date(value: PartialDate, language: Language) -> DateView:
    locale = language.locale
    if value.day:
        text = format_date(value.as_date, format="long", locale=locale)
    elif value.month:
        text = format_skeleton("yMMMM", value.as_date, locale=locale)
    else:
        text = format_skeleton("y", value.as_date, locale=locale)
    return DateView(text, value.iso)


def format_count(number: int, locale_id: str) -> str:
    """A whole number as the language writes it, with CLDR's grouping ('12.345' in Spanish,
    '12 345' in French, '1,234' in English) and its minimum grouping digits (Spanish writes
    '1234' but '12.345'), which Babel leaves out. ICU's number formatter is the one a
    browser's `Intl.NumberFormat` runs, so site.js writes the same count as the page.
    Latin digits in every language, as Babel's dates and percentages on the same page (and
    CLDR's default for Arabic itself); site.js asks `Intl` for them too."""
    return _count_formatter(locale_id).formatInt(number)  # type: ignore[no-any-return]


@cache  # one formatter per language and process, as _collator
def _count_formatter(locale_id: str) -> icu.LocalizedNumberFormatter:
    return icu.NumberFormatter.withLocale(icu.Locale(f"{locale_id}@numbers=latn"))


def format_coverage(percent: float, language: Language) -> str:
    """A percentage as the language writes it (CLDR): `98,5 %` in Spanish, `98.5%` in
    English; its one decimal kept as given, none added to a whole number."""
    value = Decimal(str(percent)) / 100
    return format_percent(value, locale=language.locale, decimal_quantization=False)


def term_label(term: Term, language: Language, default: Language) -> str:
    """The site's label, else CLDR's name of a region, else the default's label, else the slug."""
    return labelled_term(term, language, default)[0]


def labelled_term(term: Term, language: Language, default: Language) -> tuple[str, str, str]:
    """The label (term_label) with the lang and dir its element needs, '' where it is the
    page's: the default language's label is in that language, a slug is ASCII (left to right)."""
    if language.code in term.labels:
        return term.labels[language.code], "", ""
    if term.taxonomy == "regions":
        code = CLDR_REGIONS.get(term.slug) or term.slug.upper()
        name = language.locale.territories.get(code)
        if name:  # a label stands alone: CLDR writes some for use inside a sentence
            return name[:1].title() + name[1:], "", ""  # (English 'world', Dutch 'wereld')
    if default.code in term.labels:
        return term.labels[default.code], default.code, default.direction
    text = term.slug.replace("-", " ")
    return text[:1].upper() + text[1:], "", "ltr" if language.direction == "rtl" else ""


def item_view(
    item: Partner | Page,
    href: str,
    config: SiteConfig,
    language: Language,
    staleness: Staleness | None = None,
    original_href: str | None = None,
) -> ItemView:
    default = config.default_language
    shown = resolve(item.translations, language.code, default.code)
    text = shown.translation
    stale = (staleness or {}).get(text.source) if not shown.is_fallback else None
    return ItemView(
        slug=item.slug,
        href=href,
        name=text.name,
        short_name=text.short_name,
        summary=Summary(text.summary, text.source) if text.summary else text.summary,
        # the loader's text is Markup already: wrapping it again would copy every body
        body_html=text.body_html if isinstance(text.body_html, Markup) else Markup(text.body_html),
        text_lang=config.language(text.lang),
        is_fallback=shown.is_fallback,
        source=text.source,
        provenance=text.provenance,
        stale_fields=stale.fields if stale else (),
        is_stale=stale is not None,
        original_href=original_href,
    )


class LanguageViews:
    """One language's views, each partner's made when asked for: a rebuild that finds a
    language's pages settled (publish.PartnerReuse) makes only the views of the partners
    whose files changed, on the terms, pages and dates every view shares.

    `memo` (the dev server's): a partner's view is made again only when the partner, its
    terms or its logo changed; otherwise the previous view comes back, the same object."""

    def __init__(
        self,
        config: SiteConfig,
        content: Content,
        language: Language,
        pictures: Mapping[str, Picture] | None = None,
        memo: Memo | None = None,
        staleness: Staleness | None = None,
        counts: Counter[tuple[str, str]] | None = None,
    ) -> None:
        """`counts`: term_counts(content), when the caller has them (the same in every
        language)."""
        self._config = config
        self._content = content
        self.language = language
        self._pictures = pictures or {}
        self._memo = memo
        self._staleness = staleness
        self._link = urls.Urls(config.base_url).href
        self._sort_key = sort_key = collation_key(language)
        default = config.default_language
        code = language.code
        link = self._link

        if counts is None:
            counts = kept_for(memo, "term-counts", content.partners, lambda: term_counts(content))
        term_views: dict[tuple[str, str], TermView] = {}
        taxonomy_views = []
        for taxonomy in content.taxonomies:
            views = []
            for term in taxonomy.terms:
                label, label_lang, label_dir = labelled_term(term, language, default)
                href = link(urls.term(code, taxonomy.name, term.slug))
                count = counts[(taxonomy.name, term.slug)]
                view = TermView(taxonomy.name, term.slug, label, href, label_lang, label_dir, count)
                views.append(_kept(memo, ("term-view", code, taxonomy.name, term.slug), view))
            views.sort(key=lambda view: (sort_key(view.label), view.slug))
            term_views.update({(view.taxonomy, view.slug): view for view in views})
            taxonomy_views.append(
                TaxonomyView(taxonomy.name, link(urls.taxonomy(code, taxonomy.name)), tuple(views))
            )
        self._term_links = {  # (the same objects from one update to the next: the memo's key)
            pair: _kept(
                memo,
                ("term-link", code, *pair),
                TermLink(*pair, view.label, view.href, view.label_lang, view.label_dir),
            )
            for pair, view in term_views.items()
        }
        self.taxonomies = tuple(taxonomy_views)
        # once per language, not once per partner: each term's collation key, each date's text
        self._label_keys = {pair: sort_key(view.label) for pair, view in term_views.items()}
        self._dates: dict[PartialDate, DateView] = {}
        pages = [
            item_view(
                page,
                link(urls.page(code, page.slug)),
                config,
                language,
                staleness,
                link(urls.page(default.code, page.slug)),
            )
            for page in content.pages
        ]
        pages.sort(key=lambda view: (sort_key(view.name), view.slug))
        self.pages = tuple(pages)
        if memo is not None:  # per-partner parts of the memo's keys, the same in every language
            self._term_pairs = kept_for(
                memo, "term-pairs", content.partners, lambda: _term_pairs(content)
            )
            self._stale_keys = kept_for(
                memo,
                "stale-keys",
                (content.partners, staleness),
                lambda: _stale_keys(content, staleness),
            )

    def frame(self) -> LanguageView:
        """The language with its terms and pages but no partner: what every page shows
        around its content (routes.site_view)."""
        return LanguageView(self.language, (), self.taxonomies, self.pages)

    def partner(self, partner: Partner) -> PartnerView:
        picture = self._pictures.get(partner.slug)
        if self._memo is None:
            return self._make(partner, picture)
        # everything _make() reads: the same objects (or equal values), the same view
        terms = tuple(map(self._term_links.__getitem__, self._term_pairs[partner.slug]))
        key = (self._config, partner, picture, terms, self._stale_keys[partner.slug])
        return self._memo.get(
            ("partner-view", self.language.code, partner.slug),
            key,
            lambda: self._make(partner, picture),
        )

    def _make(self, partner: Partner, picture: Picture | None) -> PartnerView:
        link = self._link
        code = self.language.code
        path = urls.partner(code, partner.slug)
        original_path = urls.partner(self._config.default_language.code, partner.slug)
        original = link(original_path)
        item = item_view(
            partner, link(path), self._config, self.language, self._staleness, original
        )
        facts = partner.facts
        term_links, label_keys = self._term_links, self._label_keys
        return PartnerView(
            item=item,
            website=facts.website,
            logo_href=link(urls.item_file(original_path, facts.logo)) if facts.logo else None,
            since=self._date(facts.partner_since) if facts.partner_since else None,
            kind=term_links[("kinds", facts.kind)],
            regions=_sorted_terms(term_links, "regions", facts.regions, label_keys),
            topics=_sorted_terms(term_links, "topics", facts.topics, label_keys),
            inputs=tuple(dict.fromkeys((f"{partner.folder}/partner.yaml", item.source))),
            picture=picture,
        )

    def _date(self, value: PartialDate) -> DateView:
        found = self._dates.get(value)
        if found is None:
            found = self._dates[value] = format_partial_date(value, self.language)
        return found

    def whole(self) -> LanguageView:
        """Every partner's view, in the language's collation order, and the A-Z groups."""
        sort_key = self._sort_key
        partners = [self.partner(partner) for partner in self._content.partners]
        partners.sort(key=lambda view: (sort_key(view.item.name), view.item.slug))
        language = self.language
        letters = letter_groups(tuple(partners), language, self._config.languages)
        return LanguageView(language, tuple(partners), self.taxonomies, self.pages, letters)


def letter_groups(
    partners: tuple[PartnerView, ...], language: Language, languages: tuple[Language, ...]
) -> tuple[LetterGroup, ...]:
    """Partners (in collation order) under the first letters of the language (collation.py)."""
    others = tuple(lang.locale_id for lang in languages)
    names = [partner.item.name for partner in partners]
    return tuple(
        LetterGroup(label, anchor, tuple(partners[number] for number in members))
        for label, anchor, members in first_letters(names, language.locale_id, others)
    )


def term_counts(content: Content) -> Counter[tuple[str, str]]:
    """How many partners have each term, by (taxonomy, term)."""
    return Counter(
        (name, slug) for p in content.partners for name in TAXONOMY_NAMES for slug in p.terms(name)
    )


def _term_pairs(content: Content) -> dict[str, tuple[tuple[str, str], ...]]:
    return {
        p.slug: tuple((name, slug) for name in TAXONOMY_NAMES for slug in p.terms(name))
        for p in content.partners
    }


def _stale_keys(content: Content, staleness: Staleness | None) -> dict[str, tuple[object, ...]]:
    found = staleness or {}
    return {
        p.slug: tuple(found.get(text.source) for text in p.translations.values())
        for p in content.partners
    }


def _kept(memo: Memo | None, slot: tuple[str, ...], value: _V) -> _V:
    """The value, or the equal one the memo kept from the last build (same object)."""
    return value if memo is None else memo.intern(slot, value)


def _sorted_terms(
    term_links: Mapping[tuple[str, str], TermLink],
    taxonomy: str,
    slugs: tuple[str, ...],
    label_keys: Mapping[tuple[str, str], bytes],
) -> tuple[TermLink, ...]:
    """A partner's terms of one taxonomy in the order of their labels (stable: ties keep
    the partner's order)."""
    pairs = sorted(((taxonomy, slug) for slug in slugs), key=label_keys.__getitem__)
    return tuple(term_links[pair] for pair in pairs)
