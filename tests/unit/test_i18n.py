"""i18n: default-language fallback of content, and gettext catalogs (site over theme)."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

import pytest
from babel.support import NullTranslations, Translations

from allysite.config import SiteConfig, load_config
from allysite.errors import SourcePos
from allysite.i18n import (
    catalog_paths,
    compile_catalog,
    load_catalogs,
    read_catalog,
    resolve,
)
from allysite.languages import make_language
from allysite.model import Translation

from .support import write_files

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
PO = "LC_MESSAGES/messages.po"


def translation(lang: str, name: str) -> Translation:
    return Translation(lang, name, None, None, "", f"content/pages/x/{lang}.md")


# --- resolve ----------------------------------------------------------------------------------


def test_resolve_uses_the_language_when_translated() -> None:
    translations = {"es": translation("es", "Hola"), "en": translation("en", "Hello")}
    resolved = resolve(translations, "en", "es")
    assert resolved.translation.name == "Hello"
    assert resolved.is_fallback is False


def test_resolve_falls_back_to_the_default() -> None:
    translations = MappingProxyType({"es": translation("es", "Hola")})
    resolved = resolve(translations, "ar", "es")
    assert resolved.translation.name == "Hola"
    assert resolved.translation.lang == "es"
    assert resolved.is_fallback is True


def test_resolve_default_language_is_not_a_fallback() -> None:
    resolved = resolve({"es": translation("es", "Hola")}, "es", "es")
    assert resolved.is_fallback is False


# --- catalog_paths ----------------------------------------------------------------------------


def test_catalog_paths_order_for_a_regional_code(tmp_path: Path) -> None:
    paths = catalog_paths(tmp_path, make_language("pt-BR", False))
    assert paths == [
        tmp_path / "pt-BR" / PO,
        tmp_path / "pt_BR" / PO,
        tmp_path / "pt" / PO,
    ]


def test_catalog_paths_without_duplicates(tmp_path: Path) -> None:
    assert catalog_paths(tmp_path, make_language("es", True)) == [tmp_path / "es" / PO]


# --- load_catalogs ----------------------------------------------------------------------------


def site_config(tmp_path: Path, languages: str = "[es, pt-BR, ar]") -> SiteConfig:
    write_files(
        tmp_path / "site",
        {
            "site.yaml": "title: T\nbase_url: https://x.org/\ndefault_language: es\n"
            f"languages: {languages}\n"
        },
    )
    config, problems = load_config(tmp_path / "site")
    assert config is not None, problems
    return config


def po(path: Path, entries: str) -> None:
    write_files(path.parent, {path.name: HEADER + entries})


@pytest.fixture
def theme_locales(tmp_path: Path) -> Path:
    locales = tmp_path / "theme" / "locales"
    po(
        locales / "es" / PO,
        'msgid "Home"\nmsgstr "Inicio (tema)"\n\nmsgid "About"\nmsgstr "Acerca (tema)"\n',
    )
    po(locales / "pt" / PO, 'msgid "Home"\nmsgstr "Início"\n')
    return locales


def test_site_catalog_is_merged_over_the_theme(tmp_path: Path, theme_locales: Path) -> None:
    config = site_config(tmp_path)
    po(
        config.root / "locales" / "es" / PO,
        'msgid "Home"\nmsgstr "Portada"\n\nmsgid "Contact"\nmsgstr "Contacto"\n',
    )
    catalogs, problems = load_catalogs(config, theme_locales)
    assert problems == []
    es = catalogs.translations["es"]
    assert es.gettext("Home") == "Portada"  # the site wins
    assert es.gettext("About") == "Acerca (tema)"  # the theme fills the rest
    assert es.gettext("Contact") == "Contacto"
    assert es.gettext("Unknown") == "Unknown"
    assert catalogs.inputs["es"] == (
        "<theme>/locales/es/LC_MESSAGES/messages.po",
        "locales/es/LC_MESSAGES/messages.po",
    )


def test_regional_language_uses_the_base_language_catalog(
    tmp_path: Path, theme_locales: Path
) -> None:
    catalogs, problems = load_catalogs(site_config(tmp_path), theme_locales)
    assert problems == []
    assert catalogs.translations["pt-BR"].gettext("Home") == "Início"
    assert catalogs.inputs["pt-BR"] == ("<theme>/locales/pt/LC_MESSAGES/messages.po",)


def test_regional_catalog_is_preferred_to_the_base_one(tmp_path: Path, theme_locales: Path) -> None:
    config = site_config(tmp_path)
    po(config.root / "locales" / "pt-BR" / PO, 'msgid "Home"\nmsgstr "Página inicial"\n')
    po(config.root / "locales" / "pt" / PO, 'msgid "Home"\nmsgstr "Início (pt)"\n')
    catalogs, _ = load_catalogs(config, theme_locales)
    assert catalogs.translations["pt-BR"].gettext("Home") == "Página inicial"
    assert catalogs.inputs["pt-BR"][-1] == "locales/pt-BR/LC_MESSAGES/messages.po"


def test_language_without_catalog_gets_null_translations(
    tmp_path: Path, theme_locales: Path
) -> None:
    catalogs, _ = load_catalogs(site_config(tmp_path), theme_locales)
    ar = catalogs.translations["ar"]
    assert type(ar) is NullTranslations
    assert ar.gettext("Home") == "Home"
    assert catalogs.inputs["ar"] == ()
    assert list(catalogs.translations) == ["es", "pt-BR", "ar"]


def test_site_catalog_alone(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    po(config.root / "locales" / "ar" / PO, 'msgid "Home"\nmsgstr "الرئيسية"\n')
    catalogs, problems = load_catalogs(config, tmp_path / "no-theme")
    assert problems == []
    assert isinstance(catalogs.translations["ar"], Translations)
    assert catalogs.translations["ar"].gettext("Home") == "الرئيسية"
    assert catalogs.inputs["ar"] == ("locales/ar/LC_MESSAGES/messages.po",)


def test_fuzzy_entries_are_ignored(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    po(
        config.root / "locales" / "es" / PO,
        'msgid "Home"\nmsgstr "Portada"\n\n#, fuzzy\nmsgid "Partners"\nmsgstr "Aliados"\n',
    )
    catalogs, problems = load_catalogs(config, tmp_path / "no-theme")
    # reported (catalog_checks), and not used
    assert [(p.code, p.pos) for p in problems] == [
        ("catalog-fuzzy", SourcePos("locales/es/LC_MESSAGES/messages.po", 9))
    ]
    assert catalogs.translations["es"].gettext("Home") == "Portada"
    assert catalogs.translations["es"].gettext("Partners") == "Partners"


def test_fuzzy_site_entry_does_not_hide_the_theme_translation(
    tmp_path: Path, theme_locales: Path
) -> None:
    config = site_config(tmp_path)
    po(config.root / "locales" / "es" / PO, '#, fuzzy\nmsgid "Home"\nmsgstr "Borrador"\n')
    catalogs, _ = load_catalogs(config, theme_locales)
    assert catalogs.translations["es"].gettext("Home") == "Inicio (tema)"


def test_plural_forms(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    po(
        config.root / "locales" / "es" / PO,
        'msgid "%(num)d partner"\nmsgid_plural "%(num)d partners"\n'
        'msgstr[0] "%(num)d aliado"\nmsgstr[1] "%(num)d aliados"\nmsgstr[2] "%(num)d aliados"\n',
    )
    catalogs, problems = load_catalogs(config, tmp_path / "no-theme")
    assert problems == []
    es = catalogs.translations["es"]
    assert es.ngettext("%(num)d partner", "%(num)d partners", 1) == "%(num)d aliado"
    assert es.ngettext("%(num)d partner", "%(num)d partners", 3) == "%(num)d aliados"


def test_po_syntax_error_line(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    # Line 6 (after the 4 header lines) lacks its closing quote.
    po(config.root / "locales" / "ar" / PO, 'msgid "Home"\nmsgstr "x\n\nmsgid "b"\n')
    catalogs, problems = load_catalogs(config, tmp_path / "no-theme")
    assert [(p.code, p.pos) for p in problems] == [
        ("po-syntax", SourcePos("locales/ar/LC_MESSAGES/messages.po", 6))
    ]
    assert catalogs.translations["ar"].gettext("Home") == "Home"
    assert catalogs.inputs["ar"] == ()


def test_po_unknown_keyword_line(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    po(config.root / "locales" / "es" / PO, 'msgid "Home"\nmsgstr "x"\n\nbogus here\n')
    _, problems = load_catalogs(config, tmp_path / "no-theme")
    assert problems[0].pos == SourcePos("locales/es/LC_MESSAGES/messages.po", 8)


def test_theme_po_error_is_shown_with_theme_prefix(tmp_path: Path) -> None:
    locales = tmp_path / "theme" / "locales"
    po(locales / "es" / PO, 'msgid "a\n')
    _, problems = load_catalogs(site_config(tmp_path), locales)
    assert problems[0].pos == SourcePos("<theme>/locales/es/LC_MESSAGES/messages.po", 5)


def test_po_encoding_error_is_reported(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    path = config.root / "locales" / "es" / PO
    path.parent.mkdir(parents=True)
    path.write_bytes(b'msgid "a"\nmsgstr "\xff"\n')
    _, problems = load_catalogs(config, tmp_path / "no-theme")
    assert problems[0].code == "encoding"
    assert problems[0].pos == SourcePos("locales/es/LC_MESSAGES/messages.po", 2, 9)


def test_babel_po_error_line_is_one_based(tmp_path: Path) -> None:
    path = tmp_path / "messages.po"
    path.write_text('msgid "a"\nmsgstr "x"\n\nmsgid "b"\n\nmsgid "c"\nmsgstr "z"\n')
    catalog, problems = read_catalog(path, "messages.po", make_language("es", True))
    assert catalog is None
    assert "missing msgstr for msgid 'b'" in problems[0].message
    assert problems[0].pos == SourcePos("messages.po", 4)


def test_duplicate_msgid_is_an_error(tmp_path: Path) -> None:
    # msgfmt refuses a "duplicate message definition"; Babel alone keeps one silently.
    path = tmp_path / "messages.po"
    path.write_text('msgid "a"\nmsgstr "x"\n\nmsgid "a"\nmsgstr "y"\n')
    catalog, problems = read_catalog(path, "messages.po", make_language("es", True))
    assert catalog is None
    assert len(problems) == 1
    assert problems[0].pos == SourcePos("messages.po", 4)
    assert "line 1" in problems[0].message


def test_same_msgid_in_other_contexts_is_no_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "messages.po"
    path.write_text('msgid "a"\nmsgstr "x"\n\nmsgctxt "menu"\nmsgid "a"\nmsgstr "y"\n')
    catalog, problems = read_catalog(path, "messages.po", make_language("es", True))
    assert problems == [] and catalog is not None
    assert catalog.get("a").string == "x"
    assert catalog.get("a", context="menu").string == "y"


def test_read_catalog_ok(tmp_path: Path) -> None:
    path = tmp_path / "messages.po"
    path.write_text(HEADER + 'msgctxt "menu"\nmsgid "Home"\nmsgstr "Inicio"\n')
    catalog, problems = read_catalog(path, "messages.po", make_language("es", True))
    assert problems == [] and catalog is not None
    assert catalog.locale_identifier == "es"
    message = catalog.get("Home", context="menu")
    assert message is not None and message.string == "Inicio"


def test_compile_catalog_leaves_fuzzy_out(tmp_path: Path) -> None:
    path = tmp_path / "messages.po"
    path.write_text(HEADER + '#, fuzzy\nmsgid "a"\nmsgstr "A"\n\nmsgid "b"\nmsgstr "B"\n')
    catalog, _ = read_catalog(path, "messages.po", make_language("es", True))
    assert catalog is not None
    compiled = compile_catalog(catalog)
    assert (compiled.gettext("a"), compiled.gettext("b")) == ("a", "B")
