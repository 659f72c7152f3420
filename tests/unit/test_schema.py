"""schema: field rules of the editors' files and pydantic errors as positioned diagnostics."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from allysite.errors import Diagnostic, Level, SourcePos
from allysite.model import PartialDate
from allysite.schema import (
    ALL_LANGUAGES,
    SLUG_PATTERN,
    PageTextSchema,
    PartnerSchema,
    PartnerTextSchema,
    SiteSchema,
    TaxonomiesSchema,
    parse_partial_date,
    validate,
)
from allysite.sourcefile import parse_yaml

PARTNER = "website: https://a.example.org/\nkind: ngo\n"


def check(schema: type[BaseModel], text: str) -> tuple[Any, list[Diagnostic]]:
    doc, problems = parse_yaml(text, "f.yaml")
    assert doc is not None, problems
    return validate(schema, doc)


def only_problem(schema: type[BaseModel], text: str) -> Diagnostic:
    data, problems = check(schema, text)
    assert data is None
    assert len(problems) == 1, problems
    assert problems[0].level is Level.ERROR
    return problems[0]


# --- partial dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2015, PartialDate(2015)),
        ("2015", PartialDate(2015)),
        ("2015-04", PartialDate(2015, 4)),
        ("2015-04-01", PartialDate(2015, 4, 1)),
        ("2016-02-29", PartialDate(2016, 2, 29)),
        ("1999-12-31", PartialDate(1999, 12, 31)),
    ],
)
def test_valid_partial_dates(value: object, expected: PartialDate) -> None:
    assert parse_partial_date(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2015-13", "not a real date"),
        ("2015-02-30", "not a real date"),
        ("2015-04-31", "not a real date"),
        ("2015-02-29", "not a real date"),
        ("2015-4", "write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("15", "write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2015-04-01T10:00", "write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("April 2015", "write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("\u0662\u0660\u0661\u0665", "write YYYY, YYYY-MM or YYYY-MM-DD"),  # Arabic-Indic 2015
        ("2015-\u0660\u0664", "write YYYY, YYYY-MM or YYYY-MM-DD"),
        ("\uff12\uff10\uff11\uff15", "write YYYY, YYYY-MM or YYYY-MM-DD"),  # fullwidth 2015
        (20150401, "write YYYY, YYYY-MM or YYYY-MM-DD"),
        (2015.0, "write YYYY, YYYY-MM or YYYY-MM-DD"),
        (True, "write YYYY, YYYY-MM or YYYY-MM-DD"),
        (None, "write YYYY, YYYY-MM or YYYY-MM-DD"),
    ],
)
def test_invalid_partial_dates(value: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_partial_date(value)


def test_month_zero_is_not_a_date() -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_partial_date("2015-00")


def test_day_zero_is_not_a_date() -> None:
    with pytest.raises(ValueError, match="not a real date"):
        parse_partial_date("2015-04-00")


def test_partial_date_iso_and_as_date() -> None:
    assert PartialDate(2015).iso == "2015"
    assert PartialDate(2015, 4).iso == "2015-04"
    assert PartialDate(2015, 4, 1).iso == "2015-04-01"
    assert str(PartialDate(2015, 4).as_date) == "2015-04-01"


def test_int_year_in_partner_file() -> None:
    data, problems = check(PartnerSchema, PARTNER + "partner_since: 2015\n")
    assert problems == []
    assert data.partner_since == PartialDate(2015)


def test_bad_date_in_partner_file_is_positioned() -> None:
    problem = only_problem(PartnerSchema, PARTNER + "partner_since: 2015-02-30\n")
    assert problem.code == "invalid-value"
    assert problem.message.startswith("partner_since: '2015-02-30' is not a real date")
    assert problem.pos == SourcePos("f.yaml", 3, 1)


# --- URLs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example.org/",
        "http://a.example.org",
        "HTTPS://A.EXAMPLE.ORG/Path?q=1#f",
        "https://a.example.org/caf%C3%A9",
        "https://bücher.example/",
        "https://xn--bcher-kva.example/",
        "https://a.example.org.:8443/",
        "http://localhost:8000/",
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "https://my_site.example.org/",
        "https://a-b--c.example/",
    ],
)
def test_accepted_urls(url: str) -> None:
    data, problems = check(PartnerSchema, f"website: '{url}'\nkind: ngo\n")
    assert problems == []
    assert data.website == url


def test_url_is_stripped() -> None:
    data, _ = check(PartnerSchema, "website: '  https://a.example.org/ '\nkind: ngo\n")
    assert data.website == "https://a.example.org/"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>x</script>",
        "mailto:someone@example.org",
        "ftp://a.example.org/",
        "/relative/path",
        "a.example.org",
        "//a.example.org/",
        "https://",
        "https:///only-a-path",
    ],
)
def test_refused_urls(url: str) -> None:
    problem = only_problem(PartnerSchema, f"kind: ngo\nwebsite: '{url}'\n")
    assert problem.code == "invalid-value"
    assert problem.message.startswith("website: ")
    assert "only http:// and https:// links are allowed" in problem.message
    assert problem.pos == SourcePos("f.yaml", 2, 1)


@pytest.mark.parametrize("url", ["https://a.example.org/a b", "https://a.example.org/\ta"])
def test_urls_with_spaces_are_refused(url: str) -> None:
    problem = only_problem(PartnerSchema, f'kind: ngo\nwebsite: "{url}"\n')
    assert "contains spaces" in problem.message


@pytest.mark.parametrize(
    "url", ["https://user:secret@a.example.org/", "https://www.bank.example@evil.example/"]
)
def test_urls_with_a_user_or_password_are_refused(url: str) -> None:
    """Pages publish the address: a password would be published, and a host can hide after
    a false one."""
    problem = only_problem(PartnerSchema, f"kind: ngo\nwebsite: '{url}'\n")
    assert problem.message == (
        f"website: '{url}' holds a user name or password (before '@'): pages publish the "
        "address, so give it without them"
    )


@pytest.mark.parametrize(
    "url",
    ["https://a.example.org:99999/", "https://a.example.org:http/", "https://a.example.org:0/"],
)
def test_urls_with_a_bad_port_are_refused(url: str) -> None:
    problem = only_problem(PartnerSchema, f"kind: ngo\nwebsite: '{url}'\n")
    assert problem.message == (
        f"website: '{url}' has no valid port after ':' (a number from 1 to 65535)"
    )


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://a..b/", "has an empty part in its host name ('..', or a dot at its start)"),
        ("https://.example.org/", "has an empty part in its host name"),
        ("https://-x-.org/", "has '-x-' in its host name"),
        ("https://x-.example.org/", "has 'x-' in its host name"),
        ("https://ex!ample.org/", "has 'ex!ample' in its host name"),
        ("https://" + "a" * 64 + ".org/", "longer than 63 characters"),
    ],
)
def test_urls_whose_host_no_browser_reaches_are_refused(url: str, words: str) -> None:
    """A website published as written: an empty part or a '-' at a part's end leaves a link
    that no name server answers (it was accepted and escaped, a dead link on every page)."""
    problem = only_problem(PartnerSchema, f"kind: ngo\nwebsite: '{url}'\n")
    assert problem.message.startswith(f"website: '{url}' has ") and words in problem.message
    assert problem.message.endswith(": write the site's address, e.g. https://example.org/")


@pytest.mark.parametrize("url", ["https://:8080/", "http://:80", "https://:/path"])
def test_urls_without_a_host_are_refused(url: str) -> None:
    """A port or a colon where the host should be leaves a link to nowhere: browsers
    refuse 'https://:8080/' as an address."""
    problem = only_problem(PartnerSchema, f"kind: ngo\nwebsite: '{url}'\n")
    assert problem.message == (
        f"website: '{url}' has no host name: write the full address, e.g. https://example.org/"
    )


def test_url_must_be_text() -> None:
    problem = only_problem(PartnerSchema, "kind: ngo\nwebsite: [https://a.example.org/]\n")
    assert problem.message == "website: must be text"


# --- slugs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["ngo", "human-rights", "g20", "a-1-b", "2030"])
def test_slug_pattern_accepts(slug: str) -> None:
    assert SLUG_PATTERN.fullmatch(slug)


@pytest.mark.parametrize(
    "slug", ["", "Human", "human_rights", "human--rights", "-x", "x-", "ñandú", "a b", "a/b"]
)
def test_slug_pattern_refuses(slug: str) -> None:
    assert not SLUG_PATTERN.fullmatch(slug)


def test_bad_slugs_each_reported_at_their_item() -> None:
    data, problems = check(PartnerSchema, PARTNER + "regions:\n  - europe\n  - Asia\n  - -x\n")
    assert data is None
    assert [(p.message.split(":")[0], p.pos) for p in problems] == [
        ("regions[2]", SourcePos("f.yaml", 5, 5)),  # items counted from 1, as editors do
        ("regions[3]", SourcePos("f.yaml", 6, 5)),
    ]
    assert "'Asia' is not a valid slug" in problems[0].message


def test_kind_slug_message() -> None:
    problem = only_problem(PartnerSchema, "website: https://a.example.org/\nkind: Bad_Kind\n")
    assert problem.message.startswith("kind: 'Bad_Kind' is not a valid slug")
    assert problem.pos == SourcePos("f.yaml", 2, 1)


# --- lists, text, unknown and missing fields ----------------------------------------------------


def test_single_region_is_a_list() -> None:
    data, problems = check(PartnerSchema, PARTNER + "regions: global\ntopics: peace\n")
    assert problems == []
    assert data.regions == ["global"] and data.topics == ["peace"]


def test_lists_default_to_empty() -> None:
    data, _ = check(PartnerSchema, PARTNER)
    assert data.regions == [] and data.topics == [] and data.logo is None
    assert data.partner_since is None


def test_mapping_where_a_list_is_expected() -> None:
    problem = only_problem(PartnerSchema, PARTNER + "regions: {a: 1}\n")
    assert problem.message == "regions: must be a list, like [a, b]"
    assert problem.pos == SourcePos("f.yaml", 3, 1)


@pytest.mark.parametrize(("text", "value"), [("1984", "1984"), ("3.5", "3.5"), ("'  A  '", "A")])
def test_numbers_are_text_and_text_is_stripped(text: str, value: str) -> None:
    data, problems = check(PartnerTextSchema, f"name: {text}\nsummary: S\n")
    assert problems == []
    assert data.name == value


@pytest.mark.parametrize("text", ["''", "'   '"])
def test_empty_required_text(text: str) -> None:
    problem = only_problem(PartnerTextSchema, f"name: {text}\nsummary: S\n")
    assert problem.message == "name: must not be empty"


@pytest.mark.parametrize("text", ["true", "[a, b]", "{a: b}"])
def test_non_text_values_are_refused(text: str) -> None:
    problem = only_problem(PartnerTextSchema, f"summary: S\nname: {text}\n")
    assert problem.message == "name: must be text"
    assert problem.pos == SourcePos("f.yaml", 2, 1)


def test_null_required_text_is_refused() -> None:
    data, problems = check(PartnerTextSchema, "name:\nsummary: S\n")
    assert data is None
    assert problems[0].pos == SourcePos("f.yaml", 1, 1)


def test_unknown_fields_are_each_reported_with_the_allowed_fields() -> None:
    data, problems = check(PartnerSchema, PARTNER + "websit: x\nregion: [a]\n")
    assert data is None
    assert [p.code for p in problems] == ["unknown-field", "unknown-field"]
    assert [p.message for p in problems] == ["unknown field 'websit'", "unknown field 'region'"]
    assert [p.pos for p in problems] == [SourcePos("f.yaml", 3, 1), SourcePos("f.yaml", 4, 1)]
    assert problems[0].hint == (
        "allowed fields here: website, logo, partner_since, kind, regions, topics; "
        "check the spelling"
    )


def test_missing_field() -> None:
    problem = only_problem(PartnerSchema, "kind: ngo\n")
    assert problem.code == "missing-field"
    assert problem.message == "missing required field 'website'"
    assert problem.hint == "add a line 'website: ...'"
    assert problem.pos == SourcePos("f.yaml", 1, 1)


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    data, problems = check(
        PartnerSchema, "website: javascript:x\nkind: Bad\npartner_since: 2015-13\nextra: 1\n"
    )
    assert data is None
    assert sorted(p.pos.line for p in problems if p.pos) == [1, 2, 3, 4]


def test_top_level_must_be_a_mapping() -> None:
    doc, _ = parse_yaml("- a\n", "f.yaml")
    assert doc is not None
    data, problems = validate(PartnerSchema, doc)
    assert data is None and len(problems) == 1


def test_schemas_are_frozen() -> None:
    data, _ = check(PageTextSchema, "name: About\n")
    assert data.summary is None
    with pytest.raises(ValueError):
        data.name = "x"


# --- site and taxonomies ----------------------------------------------------------------------

SITE = "base_url: https://x.org\ndefault_language: es\n"


def test_site_title_plain_string_means_every_language() -> None:
    data, problems = check(SiteSchema, SITE + "title: Aliados\nlanguages: [es]\n")
    assert problems == []
    assert data.title == {ALL_LANGUAGES: "Aliados"}


def test_site_title_number_is_text() -> None:
    data, _ = check(SiteSchema, SITE + "title: 2030\nlanguages: [es]\n")
    assert data.title == {ALL_LANGUAGES: "2030"}


def test_site_single_language_is_a_list() -> None:
    data, problems = check(SiteSchema, SITE + "title: T\nlanguages: es\n")
    assert problems == []
    assert data.languages == ["es"]


def test_site_needs_at_least_one_language() -> None:
    problem = only_problem(SiteSchema, SITE + "title: T\nlanguages: []\n")
    assert problem.message == "languages: must list at least one item"
    assert problem.pos == SourcePos("f.yaml", 4, 1)


def test_taxonomies_labels() -> None:
    data, problems = check(TaxonomiesSchema, "kinds:\n  ngo: {es: ONG, en: NGO}\n")
    assert problems == []
    assert data.kinds == {"ngo": {"es": "ONG", "en": "NGO"}}
    assert data.regions == {} and data.topics == {}


def test_taxonomies_bad_term_slug_and_unknown_taxonomy() -> None:
    data, problems = check(TaxonomiesSchema, "kinds:\n  Bad: {es: x}\nfoo: {}\n")
    assert data is None
    by_code = {p.code: p for p in problems}
    assert by_code["invalid-value"].pos == SourcePos("f.yaml", 2, 3)
    assert "'Bad' is not a valid slug" in by_code["invalid-value"].message
    assert by_code["unknown-field"].message == "unknown field 'foo'"
    assert "kinds, regions, topics" in (by_code["unknown-field"].hint or "")
