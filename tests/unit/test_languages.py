"""languages: BCP 47 codes to Babel locales, CLDR direction and native names."""

from __future__ import annotations

import pytest
from babel import Locale

from allysite.languages import Language, make_language, parse_locale


@pytest.mark.parametrize("code", ["ar", "fa", "he", "ur", "ps", "yi"])
def test_rtl_languages(code: str) -> None:
    assert make_language(code, False).direction == "rtl"


@pytest.mark.parametrize("code", ["es", "en", "fr", "zh", "ru", "pt-BR", "sr-Latn"])
def test_ltr_languages(code: str) -> None:
    assert make_language(code, False).direction == "ltr"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("es", "Español"),
        ("fr", "Français"),
        ("en", "English"),
        ("de", "Deutsch"),
        ("ru", "Русский"),
        ("ar", "العربية"),
        ("zh", "中文"),
        ("pt-BR", "Português (Brasil)"),
    ],
)
def test_native_names_are_capitalised(code: str, name: str) -> None:
    assert make_language(code, False).native_name == name


def test_pt_br_parses_keeping_the_sites_code() -> None:
    language = make_language("pt-BR", True)
    assert language.code == "pt-BR"
    assert language.locale == Locale("pt", territory="BR")
    assert language.locale_id == "pt_BR"
    assert language.is_default is True


def test_script_subtag() -> None:
    language = make_language("zh-Hant", False)
    assert language.locale_id == "zh_Hant"


def test_default_flag_is_kept() -> None:
    assert make_language("es", True).is_default is True
    assert make_language("es", False).is_default is False


@pytest.mark.parametrize("code", ["qqq", "xx", "", "es-", "123", "e s", "en-US-x"])
def test_unknown_codes(code: str) -> None:
    assert parse_locale(code) is None
    with pytest.raises(ValueError, match="unknown language code"):
        make_language(code, False)


def test_parse_locale_of_known_codes() -> None:
    assert parse_locale("es") == Locale("es")
    assert parse_locale("en-GB") == Locale("en", territory="GB")


def test_language_is_immutable() -> None:
    language = make_language("es", True)
    assert isinstance(language, Language)
    with pytest.raises(AttributeError):
        language.code = "en"  # type: ignore[misc]
