"""config: site.yaml into a SiteConfig, every problem a positioned diagnostic."""

from __future__ import annotations

from pathlib import Path

import pytest

from allysite.config import SITE_FILE, SiteConfig, load_config
from allysite.errors import Diagnostic, SourcePos

from .support import write_files

BASE = "base_url: https://x.org\n"


def load(tmp_path: Path, text: str) -> tuple[SiteConfig | None, list[Diagnostic]]:
    write_files(tmp_path, {SITE_FILE: text})
    return load_config(tmp_path)


def loaded(tmp_path: Path, text: str) -> SiteConfig:
    config, problems = load(tmp_path, text)
    assert problems == []
    assert config is not None
    return config


def test_plain_title_applies_to_every_language(tmp_path: Path) -> None:
    config = loaded(
        tmp_path, "title: Aliados\n" + BASE + "default_language: en\nlanguages: [fr, en, ar]\n"
    )
    assert dict(config.title) == {"fr": "Aliados", "en": "Aliados", "ar": "Aliados"}


def test_title_map_falls_back_to_the_default_languages_title(tmp_path: Path) -> None:
    config = loaded(
        tmp_path,
        "title:\n  en: Partners\n  es: Aliados\n" + BASE + "default_language: es\n"
        "languages: [es, en, fr]\n",
    )
    assert dict(config.title) == {"es": "Aliados", "en": "Partners", "fr": "Aliados"}


def test_title_map_without_the_default_language(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path, "title:\n  en: Partners\n" + BASE + "default_language: es\nlanguages: [es, en]\n"
    )
    assert config is None
    assert [p.code for p in problems] == ["missing-field"]
    assert "no title for the default language 'es'" in problems[0].message
    assert problems[0].pos == SourcePos(SITE_FILE, 1, 1)


def test_title_in_a_language_the_site_does_not_have(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path, "title:\n  es: A\n  de: B\n" + BASE + "default_language: es\nlanguages: [es]\n"
    )
    assert config is None
    assert problems[0].code == "unknown-language"
    assert "title: 'de'" in problems[0].message
    assert problems[0].pos == SourcePos(SITE_FILE, 3, 3)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://x.org", "https://x.org/"),
        ("https://x.org/", "https://x.org/"),
        ("https://x.org/partners", "https://x.org/partners/"),
        ("https://x.org/partners/", "https://x.org/partners/"),
    ],
)
def test_base_url_gets_a_trailing_slash(tmp_path: Path, given: str, expected: str) -> None:
    config = loaded(tmp_path, f"title: T\nbase_url: {given}\ndefault_language: es\nlanguages: es\n")
    assert config.base_url == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://partnérs.example.org", "https://xn--partnrs-fya.example.org/"),
        ("https://x.org/socios-ñ/", "https://x.org/socios-%C3%B1/"),
        ("https://x.org/a%20b/", "https://x.org/a%20b/"),
        ("HTTPS://X.Org:8443/p", "https://x.org:8443/p/"),
        ("http://[::1]:8080/", "http://[::1]:8080/"),
        ("https://x.org:443/p", "https://x.org/p/"),
        ("HTTP://x.org:80/", "http://x.org/"),
        ("http://x.org:443/", "http://x.org:443/"),
    ],
)
def test_base_url_is_given_in_ascii(tmp_path: Path, given: str, expected: str) -> None:
    """Sitemaps and feeds must give every address in ASCII: the same address, in IDNA and
    %-encoding."""
    config = loaded(
        tmp_path, f"title: T\nbase_url: '{given}'\ndefault_language: es\nlanguages: es\n"
    )
    assert config.base_url == expected


@pytest.mark.parametrize(
    ("given", "problem", "hint"),
    [
        (
            "https://x.org/100%/",
            "has a '%' that is not followed by two hex digits",
            "write a '%' itself as %25, e.g. https://example.org/100%25/",
        ),
        (
            "https://x.org/a%zzb/",
            "has a '%' that is not followed by two hex digits",
            "write a '%' itself as %25, e.g. https://example.org/100%25/",
        ),
        (
            "https://x.org//partners/",
            "has '//' in its path",
            "write each '/' once, e.g. https://example.org/partners/",
        ),
        (
            "https://x.org/a//b/",
            "has '//' in its path",
            "write each '/' once, e.g. https://example.org/partners/",
        ),
        (
            "https://x.org/a/../b/",
            "has a '.' or '..' segment in its path",
            "give the address those segments lead to, e.g. https://example.org/partners/",
        ),
        (
            "https://x.org/a/%2e/",
            "has a '.' or '..' segment in its path",
            "give the address those segments lead to, e.g. https://example.org/partners/",
        ),
    ],
)
def test_base_url_path_the_links_cannot_use(
    tmp_path: Path, given: str, problem: str, hint: str
) -> None:
    """A stray '%' makes invalid URLs in the sitemap and feeds; '//' first makes every link
    protocol-relative, to another host; dot segments make links and canonicals differ."""
    config, problems = load(
        tmp_path, f"title: T\nbase_url: '{given}'\ndefault_language: es\nlanguages: es\n"
    )
    assert config is None
    assert [(p.message, p.hint) for p in problems] == [(f"base_url: '{given}' {problem}", hint)]
    assert problems[0].pos == SourcePos(SITE_FILE, 2, 1)


@pytest.mark.parametrize("given", ["https://x.org/partners//", "https://x.org/a%25b/.c/"])
def test_base_url_path_that_links_can_use(tmp_path: Path, given: str) -> None:
    config = loaded(
        tmp_path, f"title: T\nbase_url: '{given}'\ndefault_language: es\nlanguages: es\n"
    )
    assert config.base_url == given


def test_base_url_with_a_host_that_is_no_domain_name(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        f"title: T\nbase_url: 'https://{'a' * 70}é.org/'\ndefault_language: es\nlanguages: es\n",
    )
    assert config is None
    assert [p.message for p in problems] == [
        f"base_url: 'https://{'a' * 70}é.org/' has a host name that is no valid international "
        "domain name: write the site's address, e.g. https://example.org/"
    ]
    assert problems[0].pos == SourcePos(SITE_FILE, 2, 1)


def test_posix_locale_id_is_not_a_language_code(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path, "title: T\n" + BASE + "default_language: es\nlanguages: [es, pt_BR]\n"
    )
    assert config is None
    assert problems[0].code == "unknown-language"


def test_default_language_must_be_listed(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path, "title: T\n" + BASE + "languages: [es]\ndefault_language: de\n"
    )
    assert config is None
    assert [p.code for p in problems] == ["default-language"]
    assert problems[0].pos == SourcePos(SITE_FILE, 4, 1)


def test_every_language_problem_is_reported_at_once(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        "title: {de: T}\n" + BASE + "default_language: fr\nlanguages: [es, qqq, es]\n",
    )
    assert config is None
    assert sorted(p.code for p in problems) == [
        "default-language",
        "duplicate-language",
        "unknown-language",
        "unknown-language",
    ]


def test_no_site_file(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path)
    assert config is None
    assert problems[0].code == "no-site"
    assert problems[0].pos == SourcePos(SITE_FILE)
    assert str(tmp_path) in problems[0].message


def test_schema_errors_are_passed_on(tmp_path: Path) -> None:
    config, problems = load(tmp_path, "title: T\nbase_url: ftp://x.org\nlanguages: [es]\n")
    assert config is None
    assert {p.code for p in problems} == {"invalid-value", "missing-field"}


def test_yaml_errors_are_passed_on(tmp_path: Path) -> None:
    config, problems = load(tmp_path, "title: T\ntitle: U\n")
    assert config is None
    assert problems[0].code == "yaml" and problems[0].pos == SourcePos(SITE_FILE, 2, 1)


def test_title_mapping_is_read_only(tmp_path: Path) -> None:
    config = loaded(tmp_path, "title: T\n" + BASE + "default_language: es\nlanguages: [es]\n")
    with pytest.raises(TypeError):
        config.title["es"] = "other"  # type: ignore[index]
