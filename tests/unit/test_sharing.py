"""Open Graph locales from CLDR's likely subtags, and JSON that cannot end its <script>."""

from __future__ import annotations

import json
import random
from urllib.parse import urljoin

import pytest

from allysite.languages import make_language
from allysite.sharing import full_url, og_locale
from allysite.traced import script_json


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
        # the script counts: CLDR's likely subtags of zh_Hant are zh_Hant_TW, not zh's CN
        ("zh-Hant", "zh_TW"),
        ("zh-Hans", "zh_CN"),
        ("zh-Hant-HK", "zh_HK"),
        ("pa", "pa_IN"),
        ("pa-Arab", "pa_PK"),
        ("uz-Arab", "uz_AF"),
        ("sr-Latn", "sr_RS"),  # (CLDR has no entry for sr_Latn: sr's)
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


BASES = ("https://x.org", "https://x.org/sub/", "HTTPS://X.org/a", "//h/", "", "mailto:x")
HREFS = (
    "/es/partners/a/",
    "/es/partners/a/logo%20b.png",
    "//other/",
    "/a/../b",
    "/a/./b",
    "/a/.",
    "/a//b",
    "/a;p",
    "/a?q",
    "/a#f",
    "/",
    "x/y",
    "",
    "/a\tb",
    "https://o/x",
)


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("href", HREFS)
def test_full_url_is_urljoin(base: str, href: str) -> None:
    assert full_url(base, href) == urljoin(base, href)


def test_full_url_is_urljoin_for_any_path() -> None:
    choose = random.Random(7).choice
    for _ in range(20_000):
        href = "/" + "".join(choose("/.;?#a% \t\né") for _ in range(8))
        assert full_url("https://x.org/sub/", href) == urljoin("https://x.org/sub/", href)
