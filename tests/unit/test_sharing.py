"""Open Graph locales from CLDR's likely subtags, and JSON that cannot end its <script>."""

from __future__ import annotations

import json

import pytest

from allysite.languages import make_language
from allysite.sharing import og_locale, script_json


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("es", "es_ES"),
        ("en", "en_US"),
        ("fr", "fr_FR"),
        ("ar", "ar_EG"),
        ("pt-BR", "pt_BR"),
        ("zh", "zh_CN"),
        ("ru", "ru_RU"),
    ],
)
def test_og_locale(code: str, expected: str) -> None:
    assert og_locale(make_language(code, False)) == expected


def test_script_json_escapes_what_could_close_the_element() -> None:
    value = {"name": "</script><!-- & \u2028 <b>", "n": 1}
    text = script_json(value)
    for bad in ("<", ">", "&", "\u2028"):
        assert bad not in text
    assert json.loads(text) == value
