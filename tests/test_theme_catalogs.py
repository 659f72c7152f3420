"""The theme's own catalogs: complete for every template string, valid for GNU gettext."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from allysite.build import THEME

THEME_LANGUAGES = ("es", "en", "fr", "ar", "de", "ru", "zh", "pt")


def _template_messages() -> set[str]:
    method_map = [("**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true", "silent": "false"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(THEME / "templates"), method_map, options_map=options
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog_path(lang: str) -> Path:
    return THEME / "locales" / lang / "LC_MESSAGES" / "messages.po"


@pytest.mark.parametrize("lang", THEME_LANGUAGES)
def test_theme_catalog_translates_every_template_string(lang: str) -> None:
    with _catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
        and not message.fuzzy
        and all(message.string if isinstance(message.string, tuple) else (message.string,))
    }
    missing = _template_messages() - translated
    assert not missing, f"{lang}: untranslated theme strings: {sorted(missing)}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) not installed")
@pytest.mark.parametrize("lang", THEME_LANGUAGES)
def test_theme_catalog_passes_msgfmt_check(lang: str) -> None:
    result = subprocess.run(
        [
            "msgfmt",
            "--check-format",
            "--check-header",
            "--check-domain",
            "-o",
            "/dev/null",
            str(_catalog_path(lang)),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr


def _translations(lang: str) -> list[str]:
    with _catalog_path(lang).open("rb") as handle:
        catalog = read_po(handle)
    return [
        text
        for message in catalog
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
    ]


def test_french_catalog_keeps_its_high_punctuation_with_the_word_it_follows() -> None:
    """French sets « » with narrow no-break spaces and a no-break space before : ; ! ?: a plain
    space lets a line break leave the colon or the closing guillemet alone at a line's start."""
    wrong = [
        text
        for text in _translations("fr")
        if re.search(r"[^\u00a0\u202f][:;!?]|[^\u202f]»|«[^\u202f]", text)
    ]
    assert not wrong, wrong


def test_chinese_catalog_sets_no_space_between_a_name_and_the_chinese_around_it() -> None:
    """A name, a CLDR language name or a profile's, is Chinese on a Chinese page: a space
    between it and the Chinese text around it ("联合国 的标志") is a gap in the phrase."""
    name = r"%\((?:name|language|original)\)s"
    chinese = r"[\u4e00-\u9fff]"
    wrong = [
        text
        for text in _translations("zh")
        if re.search(rf"{name} {chinese}|{chinese} {name}", text)
    ]
    assert not wrong, wrong
