"""views: per-language display data (labels, dates, collation order, hrefs)."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from markupsafe import Markup

from allysite.collation import collation_key
from allysite.config import SiteConfig
from allysite.languages import Language, make_language
from allysite.memo import Memo
from allysite.model import Content, PartialDate, Term
from allysite.views import (
    DateView,
    LanguageView,
    LanguageViews,
    format_count,
    format_partial_date,
    item_view,
    plural_samples,
    reading_direction,
    term_label,
)

from .support import SMALL_SITE, load_site, write_files

ES = make_language("es", True)
EN = make_language("en", False)
FR = make_language("fr", False)
AR = make_language("ar", False)


# --- collation ----------------------------------------------------------------------------------


def test_spanish_collation() -> None:
    words = ["zeta", "ñandú", "nube", "árbol", "oso", "Ana", "abeja"]
    assert sorted(words, key=collation_key(ES)) == [
        "abeja",
        "Ana",
        "árbol",
        "nube",
        "ñandú",
        "oso",
        "zeta",
    ]


def test_french_collation() -> None:
    words = ["zèbre", "étoile", "fleur", "eau", "Été"]
    assert sorted(words, key=collation_key(FR)) == ["eau", "Été", "étoile", "fleur", "zèbre"]


def test_collation_keys_are_bytes() -> None:
    assert isinstance(collation_key(ES)("a"), bytes)


# --- term labels ------------------------------------------------------------------------------


def test_site_label_comes_first() -> None:
    term = Term("regions", "europe", MappingProxyType({"fr": "Le Vieux Continent"}))
    assert term_label(term, FR, ES) == "Le Vieux Continent"


def test_cldr_region_name_before_default_label() -> None:
    term = Term("regions", "europe", MappingProxyType({"es": "Europa (sitio)"}))
    assert term_label(term, EN, ES) == "Europe"
    assert term_label(term, AR, ES) == "أوروبا"
    assert term_label(term, ES, ES) == "Europa (sitio)"


@pytest.mark.parametrize(
    ("slug", "english"),
    [
        ("global", "World"),  # CLDR writes "world", for use inside a sentence
        ("latin-america", "Latin America"),
        ("european-union", "European Union"),
        ("fr", "France"),  # a slug that is a CLDR territory code
    ],
)
def test_cldr_region_names(slug: str, english: str) -> None:
    term = Term("regions", slug, MappingProxyType({}))
    assert term_label(term, EN, ES) == english


def test_cldr_names_only_for_regions() -> None:
    term = Term("topics", "europe", MappingProxyType({}))
    assert term_label(term, FR, ES) == "Europe"  # the humanised slug, not "Europe" from CLDR FR
    term = Term("topics", "fr", MappingProxyType({}))
    assert term_label(term, EN, ES) == "Fr"


def test_default_label_when_the_language_has_none() -> None:
    term = Term("kinds", "ngo", MappingProxyType({"es": "ONG"}))
    assert term_label(term, EN, ES) == "ONG"


def test_unknown_region_falls_back_to_default_label() -> None:
    term = Term("regions", "middle-east", MappingProxyType({"es": "Oriente Medio"}))
    assert term_label(term, EN, ES) == "Oriente Medio"


def test_humanised_slug_last() -> None:
    term = Term("topics", "human-rights", MappingProxyType({"fr": "Droits humains"}))
    assert term_label(term, EN, ES) == "Human rights"


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        (ES, PartialDate(2015), "2015"),
        (ES, PartialDate(2015, 4), "abril de 2015"),
        (ES, PartialDate(2015, 4, 1), "1 de abril de 2015"),
        (EN, PartialDate(2015), "2015"),
        (EN, PartialDate(2015, 4), "April 2015"),
        (EN, PartialDate(2015, 4, 1), "April 1, 2015"),
        (FR, PartialDate(2015, 4, 1), "1 avril 2015"),
    ],
)
def test_format_partial_date(language: Language, value: PartialDate, text: str) -> None:
    assert format_partial_date(value, language) == DateView(text, value.iso)


@pytest.mark.parametrize(
    ("locale_id", "number", "text"),
    [
        ("es", 999, "999"),
        ("es", 1234, "1234"),  # CLDR's minimumGroupingDigits: 2 in Spanish (Babel: 1.234)
        ("es", 12345, "12.345"),
        ("es", 1234567, "1.234.567"),
        ("en", 1234, "1,234"),
        ("fr", 12345, "12\u202f345"),
        ("de", 1234, "1.234"),
        ("ru", 1234, "1\xa0234"),
        ("pt", 1234, "1.234"),
        ("pt_PT", 1234, "1234"),
        ("zh", 12345, "12,345"),
        ("ar", 12345, "12,345"),  # CLDR's default digits for Arabic are Latin
        ("ar_EG", 12345, "12,345"),  # (Arabic-Indic by CLDR): Latin, as the page's dates
        ("fa", 12345, "12,345"),
    ],
)
def test_format_count(locale_id: str, number: int, text: str) -> None:
    assert format_count(number, locale_id) == text


def test_format_partial_date_arabic() -> None:
    year = format_partial_date(PartialDate(2015), AR)
    month = format_partial_date(PartialDate(2015, 4), AR)
    day = format_partial_date(PartialDate(2015, 4, 1), AR)
    assert (year.iso, month.iso, day.iso) == ("2015", "2015-04", "2015-04-01")
    assert "أبريل" not in year.text
    assert "أبريل" in month.text
    assert "أبريل" in day.text
    assert month.text != day.text
    digits = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
    assert "2015" in year.text.translate(digits)
    assert "1" in day.text.translate(digits).replace("2015", "")


# --- item and language views ------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> tuple[SiteConfig, Content]:
    return load_site(write_files(tmp_path / "site", SMALL_SITE))


def test_item_view_translated(site: tuple[SiteConfig, Content]) -> None:
    config, content = site
    alpha = next(p for p in content.partners if p.slug == "alpha")
    view = item_view(alpha, "/en/partners/alpha/", config, config.language("en"))
    assert (view.name, view.summary, view.is_fallback) == ("Alpha", "Peace.", False)
    assert view.text_lang.code == "en"
    assert view.source == "content/partners/alpha/en.md"
    assert isinstance(view.body_html, Markup) and str(view.body_html) == "<p>Text.</p>\n"


def test_item_view_fallback(site: tuple[SiteConfig, Content]) -> None:
    config, content = site
    alpha = next(p for p in content.partners if p.slug == "alpha")
    view = item_view(alpha, "/ar/partners/alpha/", config, config.language("ar"))
    assert view.name == "Zeta Alfa"
    assert view.is_fallback is True
    assert view.text_lang.code == "es" and view.text_lang.direction == "ltr"
    assert view.source == "content/partners/alpha/es.md"
    assert view.href == "/ar/partners/alpha/"


def test_partners_in_each_languages_collation_order(site: tuple[SiteConfig, Content]) -> None:
    config, content = site
    es = LanguageViews(config, content, config.language("es")).whole()
    en = LanguageViews(config, content, config.language("en")).whole()
    # es: "Árbol Beta" < "Zeta Alfa"; en: "Alpha" < "Árbol Beta" (fallback text).
    assert [p.item.slug for p in es.partners] == ["beta", "alpha"]
    assert [p.item.slug for p in en.partners] == ["alpha", "beta"]


def test_partner_view_facts(site: tuple[SiteConfig, Content]) -> None:
    config, content = site
    view = LanguageViews(config, content, config.language("es")).whole()
    alpha = next(p for p in view.partners if p.item.slug == "alpha")
    assert alpha.website == "https://alpha.example.org/"
    assert alpha.logo_href == "/es/partners/alpha/logo.svg"
    assert alpha.since == DateView("abril de 2015", "2015-04")
    assert (alpha.kind.label, alpha.kind.href) == ("ONG", "/es/kinds/ngo/")
    assert [(t.label, t.href) for t in alpha.regions] == [("Europa", "/es/regions/europe/")]
    assert [t.label for t in alpha.topics] == ["Paz"]
    assert alpha.inputs == ("content/partners/alpha/partner.yaml", "content/partners/alpha/es.md")
    beta = next(p for p in view.partners if p.item.slug == "beta")
    assert beta.logo_href is None and beta.since is None
    assert beta.regions == () and beta.topics == ()


def test_fallback_partner_inputs_name_the_text_shown(site: tuple[SiteConfig, Content]) -> None:
    config, content = site
    view = LanguageViews(config, content, config.language("ar")).whole()
    alpha = next(p for p in view.partners if p.item.slug == "alpha")
    assert alpha.inputs == ("content/partners/alpha/partner.yaml", "content/partners/alpha/es.md")
    assert alpha.kind.label == "ONG"  # no ar label: the default language's
    assert alpha.regions[0].label == "أوروبا"  # CLDR


def test_taxonomies_and_counts(site: tuple[SiteConfig, Content]) -> None:
    config, content = site
    view = LanguageViews(config, content, config.language("en")).whole()
    assert [(t.name, t.href) for t in view.taxonomies] == [
        ("kinds", "/en/kinds/"),
        ("regions", "/en/regions/"),
        ("topics", "/en/topics/"),
    ]
    terms = {
        t.name: [(term.slug, term.label, term.count) for term in t.terms] for t in view.taxonomies
    }
    assert terms == {
        "kinds": [("ngo", "NGO", 2)],
        "regions": [("europe", "Europe", 1)],
        "topics": [("peace", "Peace", 1)],
    }


def test_terms_sorted_by_label_in_the_language(tmp_path: Path) -> None:
    files = {
        **SMALL_SITE,
        "content/partners/beta/partner.yaml": (
            "website: https://beta.example.org/\nkind: ngo\nregions: [europe, africa, asia]\n"
        ),
    }
    config, content = load_site(write_files(tmp_path / "site", files))
    es = LanguageViews(config, content, config.language("es")).whole()
    regions = next(t for t in es.taxonomies if t.name == "regions")
    assert [t.label for t in regions.terms] == ["África", "Asia", "Europa"]
    beta = next(p for p in es.partners if p.item.slug == "beta")
    assert [t.label for t in beta.regions] == ["África", "Asia", "Europa"]


def test_pages_view(site: tuple[SiteConfig, Content]) -> None:
    config, content = site
    view = LanguageViews(config, content, config.language("pt-BR")).whole()
    assert [(p.slug, p.href, p.name, p.is_fallback) for p in view.pages] == [
        ("about", "/pt-br/about/", "Acerca de", True)
    ]
    assert view.language.code == "pt-BR"


def test_hrefs_carry_the_base_url_prefix(tmp_path: Path) -> None:
    files = {
        **SMALL_SITE,
        "site.yaml": SMALL_SITE["site.yaml"].replace(
            "https://partners.example.org/", "https://example.org/allies/"
        ),
    }
    config, content = load_site(write_files(tmp_path / "site", files))
    view = LanguageViews(config, content, config.language("es")).whole()
    alpha = next(p for p in view.partners if p.item.slug == "alpha")
    assert alpha.item.href == "/allies/es/partners/alpha/"
    assert alpha.logo_href == "/allies/es/partners/alpha/logo.svg"
    assert alpha.kind.href == "/allies/es/kinds/ngo/"
    assert view.taxonomies[0].href == "/allies/es/kinds/"


def test_a_new_partner_keeps_the_views_of_those_that_share_its_terms(tmp_path: Path) -> None:
    """The dev server's memo gives back each partner's view (the same object) when a partner
    is added: a view holds its terms without their counts, which the new one changes (the
    taxonomies' terms have them)."""
    memo = Memo()
    config, content = load_site(write_files(tmp_path / "site", SMALL_SITE))
    before = LanguageViews(config, content, config.language("es"), memo=memo).whole()
    files = {
        **SMALL_SITE,
        "content/partners/gamma/partner.yaml": (
            "website: https://gamma.example.org/\nkind: ngo\nregions: [europe]\ntopics: [peace]\n"
        ),
        "content/partners/gamma/es.md": "---\nname: Gamma\nsummary: Paz.\n---\nTexto.\n",
    }
    config, content = load_site(write_files(tmp_path / "site", files))
    after = LanguageViews(config, content, config.language("es"), memo=memo).whole()

    def counts(view: LanguageView) -> dict[str, int]:
        return {f"{t.taxonomy}/{t.slug}": t.count for x in view.taxonomies for t in x.terms}

    assert counts(before) == {"kinds/ngo": 2, "topics/peace": 1, "regions/europe": 1}
    assert counts(after) == {"kinds/ngo": 3, "topics/peace": 2, "regions/europe": 2}
    old = {p.item.slug: p for p in before.partners}
    new = {p.item.slug: p for p in after.partners}
    assert new.keys() == {"alpha", "beta", "gamma"}
    assert new["alpha"] is old["alpha"] and new["beta"] is old["beta"]
    assert new["gamma"].kind is new["alpha"].kind  # (one term link, shared)
    assert [t.label for t in new["gamma"].topics] == ["Paz"]


def test_facet_keys_name_every_term_of_a_card(tmp_path: Path) -> None:
    config, content = load_site(write_files(tmp_path / "site", SMALL_SITE))
    view = LanguageViews(config, content, config.default_language).whole()
    alpha = next(p for p in view.partners if p.item.slug == "alpha")
    assert alpha.facet_keys == "kinds/ngo regions/europe topics/peace"
    beta = next(p for p in view.partners if p.item.slug == "beta")
    assert beta.facet_keys == "kinds/ngo"


@pytest.mark.parametrize(
    "code", ["es", "en", "fr", "ar", "de", "ru", "pt-BR", "ja", "pl", "cy", "he", "lt", "sl", "ga"]
)
def test_plural_samples_are_each_categorys_smallest_positive_number(code: str) -> None:
    """Found up to the first number of the last category (not up to 1,000 each time): the
    same as a scan of every number from 1 to 1,000, then 0 (Arabic's 'zero' has no other)."""
    language = make_language(code, False)
    scanned: dict[str, int] = {}
    for number in (*range(1, 1001), 0):
        scanned.setdefault(language.locale.plural_form(number), number)
    assert dict(plural_samples(language)) == scanned
    assert all(number > 0 for category, number in scanned.items() if category != "zero")


# --- directions of names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "direction", "expected"),
    [
        ("Hope Inc.", "rtl", "ltr"),  # Latin letters only, in Arabic text
        ("UNAOC تحالف الحضارات", "rtl", "rtl"),  # an Arabic name with a Latin acronym
        ("3M للتنمية", "rtl", "rtl"),
        ("«سلام»", "rtl", "rtl"),
        ("2030", "rtl", "rtl"),  # no letter at all: the text's direction
        ("الأزهر", "ltr", "rtl"),  # an Arabic name in a Spanish text
        ("Centro الأزهر", "ltr", "ltr"),
        ("שלום", "ltr", "rtl"),
    ],
)
def test_a_name_reads_in_its_texts_direction_unless_it_has_no_letter_of_it(
    name: str, direction: str, expected: str
) -> None:
    assert reading_direction(name, direction) == expected
