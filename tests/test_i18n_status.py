"""`allysite i18n status`: the figures per language, the files to open, the exit code under
a threshold; provenance (machine, reviewed) on pages and in the sitemap; the dashboard page."""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from babel.numbers import parse_decimal
from click.testing import CliRunner, Result

from allysite.cli import cli
from conftest import MINIMAL_SITE, MakeSite, Site

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}
FOOTER = (
    '<footer><p class="f1">{% trans %}Thanks for visiting{% endtrans %}</p>'
    '<p class="f2">{{ _("Contact") }}</p></footer>\n'
)
AR_PO = "locales/ar/LC_MESSAGES/messages.po"
FILES = {
    # alpha: es (original), en by machine, ar by machine and reviewed; beta: es only
    "content/partners/alpha/en.md": MINIMAL_SITE["content/partners/alpha/en.md"].replace(
        "---\nname:", "---\ntranslation: machine\nname:"
    ),
    "content/partners/alpha/ar.md": "---\nname: مؤسسة ألفا\nsummary: تعمل من أجل السلام.\n"
    "translation: reviewed\n---\nنص.\n",
    "content/partners/beta/partner.yaml": "website: https://beta.example.org/\nkind: ngo\n",
    "content/partners/beta/es.md": "---\nname: Beta\nsummary: Bosques.\n---\nTexto.\n",
    "templates/partials/footer.html": FOOTER,
    AR_PO: 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    '#, fuzzy\nmsgid "Thanks for visiting"\nmsgstr "شكرًا"\n\nmsgid "Contact"\nmsgstr ""\n',
}


def run(site: Site, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["i18n", *args, "--site", str(site.root)], catch_exceptions=False
    )


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    return make_site(FILES)


def report(site: Site) -> dict[str, dict]:  # type: ignore[type-arg]
    result = run(site, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["default_language"] == "es"
    return {entry["language"]: entry for entry in data["languages"]}


def test_status_counts_interface_strings_partners_pages_and_labels(site: Site) -> None:
    status = report(site)
    assert list(status) == ["es", "en", "ar"]
    ar, en, es = status["ar"], status["en"], status["es"]
    total = ar["interface"]["total"]
    assert total > 20 and en["interface"]["total"] == es["interface"]["total"] == total
    assert (ar["interface"]["fuzzy"], ar["interface"]["missing"]) == (1, 1)
    assert ar["interface"]["fuzzy_messages"] == ["Thanks for visiting"]
    assert ar["interface"]["missing_messages"] == ["Contact"]
    assert ar["interface"]["catalog"] == AR_PO and ar["interface"]["catalog_exists"]
    assert (es["interface"]["fuzzy"], es["interface"]["missing"]) == (0, 2)
    assert es["interface"]["catalog"] == "locales/es/LC_MESSAGES/messages.po"
    assert not es["interface"]["catalog_exists"]
    assert (en["interface"]["fuzzy"], en["interface"]["missing"]) == (0, 0)  # msgids are English

    def figures(entry: dict, kind: str) -> tuple[int, ...]:  # type: ignore[type-arg]
        group = entry[kind]
        return (
            group["total"],
            group["translated"],
            group["missing"],
            group["stale"],
            group["machine"],
        )

    assert figures(es, "partners") == (2, 2, 0, 0, 0)
    assert figures(en, "partners") == (2, 1, 1, 0, 1)
    assert figures(ar, "partners") == (2, 1, 1, 0, 0)  # reviewed is no longer 'machine'
    assert figures(en, "pages") == (1, 0, 1, 0, 0)
    beta = next(i for i in en["partners"]["items"] if i["slug"] == "beta")
    assert beta == {
        "slug": "beta",
        "state": "missing",
        "translation": None,
        "file": "content/partners/beta/en.md",
        "original": "content/partners/beta/es.md",
        "stale_fields": [],
        "stale_by": None,
        "href": "/en/partners/beta/",
    }
    # no taxonomies.yaml: the kind and the two topics show slugs; Europe is named by CLDR
    assert [gap["label"] for gap in en["labels"]["missing"]] == [
        "kinds.ngo",
        "topics.human-rights",
        "topics.peacebuilding",
    ]
    assert en["labels"]["total"] == 5  # the title and four terms
    for entry in status.values():
        face = entry["interface"]
        done = (
            face["translated"]
            + entry["partners"]["translated"]
            + entry["pages"]["translated"]
            + entry["labels"]["total"]
            - len(entry["labels"]["missing"])
        )
        whole = face["total"] + 2 + 1 + entry["labels"]["total"]
        assert entry["coverage"] == round(100 * done / whole, 1)


def test_status_table_shows_each_language_and_the_files_to_open(site: Site) -> None:
    result = run(site, "status")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Translation status (default language: es)"
    rows = {
        line.split()[0]: line.split() for line in lines[:7] if line[:3] in ("es ", "en ", "ar ")
    }
    status = report(site)
    total = status["ar"]["interface"]["total"]
    assert rows["ar"][1:] == [
        "العربية",
        f"{total - 2}/{total}",
        "1",
        "1",
        "1/2",
        "1",
        "0",
        "0",
        "0/1",
        "1",
        "0",
        "3/5",
        f"{status['ar']['coverage']:.1f}%",
    ]
    detail = result.output.split("\nen (English)")[1]
    assert (
        "  missing  content/partners/beta/en.md  (translate content/partners/beta/es.md)" in detail
    )
    assert (
        "  machine  content/partners/alpha/en.md  (machine translation, not yet reviewed)" in detail
    )
    assert "  label    taxonomies.yaml  kinds.ngo" in detail
    ar_detail = result.output.split("\nar (العربية)")[1]
    assert f"  strings  {AR_PO}: 1 fuzzy, 1 missing" in ar_detail


def test_fail_under_sets_the_exit_code(site: Site) -> None:
    coverage = report(site)["en"]["coverage"]
    assert run(site, "status", "--fail-under", f"en={coverage}").exit_code == 0
    result = run(site, "status", "--fail-under", f"en={coverage + 0.5}")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Translation coverage too low: en: {coverage:.1f}% is under {coverage + 0.5:g}%\n"
    )
    result = run(site, "status", "--format", "json", "--fail-under", "*=100")
    assert result.exit_code == 1
    assert [part.split(":")[0] for part in result.stderr.split(": ", 1)[1].split("; ")] == [
        "es",
        "en",
        "ar",
    ]
    assert json.loads(result.stdout)["languages"]  # the report still comes first


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        pytest.param(
            ('msgid "Contact"', 'msgid "Contact'),
            f"{AR_PO}:9: error: this line is not valid gettext PO syntax",
            id="a missing quote",
        ),
        pytest.param(
            (
                'charset=UTF-8\\n"\n',
                'charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=n/0;\\n"\n',
            ),
            f"{AR_PO}:4: error: the Plural-Forms header's plural= fails for n=0: integer "
            "division or modulo by zero",
            id="a plural rule that divides by zero",
        ),
    ],
)
def test_a_catalog_that_cannot_be_read_fails_the_status(
    site: Site, broken: tuple[str, str], message: str
) -> None:
    """The build refuses such a catalog; the status showed a percentage and exited 0, so a CI
    gate on the status passed while the build failed."""
    catalog = site.root / AR_PO
    text = catalog.read_text(encoding="utf-8")
    assert broken[0] in text
    catalog.write_text(text.replace(broken[0], broken[1]), encoding="utf-8")
    for args in (("status",), ("status", "--format", "json", "--fail-under", "*=0")):
        result = run(site, *args)
        assert result.exit_code == 1, result.output
        lines = result.stderr.splitlines()
        assert lines[0] == message, result.stderr
        assert lines[1].startswith("  hint: ")
        assert lines[-1] == (
            "The status is incomplete: some files cannot be read, and the build fails until "
            "they are fixed."
        )
    assert json.loads(result.stdout)["languages"]  # the report still comes first
    assert site.build().stderr.splitlines()[0] == message


@pytest.mark.parametrize("value", ["en", "en=abc", "en=120", "=50"])
def test_fail_under_needs_lang_equals_percent(site: Site, value: str) -> None:
    result = run(site, "status", "--fail-under", value)
    assert result.exit_code == 2
    assert "write LANG=PERCENT" in result.output


def test_fail_under_an_unknown_language_is_a_usage_error(site: Site) -> None:
    result = run(site, "status", "--fail-under", "it=50")
    assert result.exit_code == 2
    assert "'it' is not one of the site's languages (es, en, ar)" in result.output


# --- provenance ---------------------------------------------------------------------------------


def sitemap(site: Site) -> dict[str, list[str]]:
    root = ET.fromstring((site.out / "sitemap.xml").read_bytes())
    return {
        url.findtext("s:loc", namespaces=SITEMAP_NS): [
            link.get("hreflang") for link in url.findall("x:link", SITEMAP_NS)
        ]
        for url in root.findall("s:url", SITEMAP_NS)
    }


def test_machine_and_reviewed_translations_say_so(site: Site) -> None:
    assert site.build().exit_code == 0
    page = site.html("/en/partners/alpha/")
    note = page.select_one(".notice-machine")
    assert note.get_text(" ", strip=True) == (
        "This text was translated by machine and may contain errors. Read the original"
    )
    assert note.find("a")["href"] == "/es/partners/alpha/"
    assert site.html("/ar/partners/alpha/").select_one(".notice-reviewed").get_text() == (
        "تُرجم هذا النص آليًا وراجعه شخص."
    )
    assert site.html("/es/partners/alpha/").select(".notice-machine, .notice-reviewed") == []
    # indexed by default: in the sitemap, an hreflang alternate of the others
    assert page.find("meta", attrs={"name": "robots"}) is None
    entries = sitemap(site)
    assert "https://partners.example.org/en/partners/alpha/" in entries
    assert "en" in entries["https://partners.example.org/es/partners/alpha/"]


def test_machine_translations_can_be_kept_out_of_search_engines(make_site: MakeSite) -> None:
    site = make_site(
        {**FILES, "site.yaml": MINIMAL_SITE["site.yaml"] + "machine_translations: noindex\n"}
    )
    assert site.build().exit_code == 0
    page = site.html("/en/partners/alpha/")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("link", rel="canonical")["href"] == (
        "https://partners.example.org/en/partners/alpha/"
    )
    assert page.find_all("link", rel="alternate", hreflang=True) == []
    assert page.select_one(".notice-machine") is not None
    entries = sitemap(site)
    assert "https://partners.example.org/en/partners/alpha/" not in entries
    assert entries["https://partners.example.org/es/partners/alpha/"] == ["es", "ar", "x-default"]
    # a reviewed translation stays indexed
    assert site.html("/ar/partners/alpha/").find("meta", attrs={"name": "robots"}) is None


def test_an_unknown_provenance_is_an_error_at_its_line(make_site: MakeSite) -> None:
    site = make_site(
        {"content/partners/alpha/en.md": "---\nname: A\nsummary: S.\ntranslation: robot\n---\n"}
    )
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "content/partners/alpha/en.md:4:1: error: translation: Input should be 'human', "
        "'machine' or 'reviewed'"
    )


# --- the dashboard ------------------------------------------------------------------------------


def test_the_dashboard_is_off_by_default(site: Site) -> None:
    assert site.build().exit_code == 0
    assert not (site.out / "es" / "translations").exists()


def test_the_dashboard_shows_the_status_with_links(make_site: MakeSite) -> None:
    site = make_site(
        {**FILES, "site.yaml": MINIMAL_SITE["site.yaml"] + "translation_dashboard: true\n"}
    )
    assert site.build().exit_code == 0
    page = site.html("/es/translations/")
    assert page.find("html")["lang"] == "es"
    assert page.find("h1").get_text() == "Estado de las traducciones"
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert "https://partners.example.org/es/translations/" not in sitemap(site)
    rows = {row["data-lang"]: row for row in page.select("tr[data-lang]")}
    assert list(rows) == ["es", "en", "ar"]
    status = report(site)
    cells = [cell.get_text() for cell in rows["en"].find_all("td")]
    en = status["en"]
    total = en["interface"]["total"]
    assert cells == [
        f"{total}/{total}",
        "0",
        "0",
        "1/2",
        "1",
        "0",
        "1",
        "0/1",
        "1",
        "0",
        "3",
        cells[-1],
    ]
    # the coverage as Spanish writes a percentage (CLDR): a decimal comma and a no-break
    # space before the sign, not Python's "66.7 %"
    number, sign = cells[-1].rsplit("\xa0", 1)
    assert sign == "%"
    assert parse_decimal(number, locale="es", strict=True) == Decimal(str(en["coverage"]))
    assert en["coverage"] % 1 and "," in number and "." not in number
    todo = page.select_one("#status-en .status-files")
    missing = todo.select_one('li[data-state="missing"] a')
    assert (missing["href"], missing.get_text()) == ("/en/partners/beta/", "Beta")
    machine = todo.select_one('li[data-state="machine"]')
    assert machine.find("code").get_text() == "content/partners/alpha/en.md"
    assert page.select_one("#status-ar li[data-state='interface'] code").get_text() == AR_PO


def test_translations_is_a_reserved_page_slug(make_site: MakeSite) -> None:
    site = make_site({"content/pages/translations/es.md": "---\nname: T\n---\n"})
    result = site.build()
    assert result.exit_code == 1
    assert (
        "content/pages/translations: error: page slug 'translations' is reserved for generated "
        "pages" in result.stderr
    )


def test_status_table_keeps_its_columns_with_wide_and_long_language_names(
    make_site: MakeSite,
) -> None:
    """A Chinese name takes two terminal columns a character, and 'Português (Brasil)' is
    longer than the language column: the rows after them were out of line."""
    site = make_site(
        {
            "site.yaml": "title: Aliados\nbase_url: https://x.org/\ndefault_language: es\n"
            "languages: [es, en, zh, pt-BR, ar]\n"
        }
    )
    result = run(site, "status")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("language"))
    rows = [line for line in lines if line[:3] in ("es ", "en ", "zh ", "pt-", "ar ")][:5]
    assert [row.split()[0] for row in rows] == ["es", "en", "zh", "pt-BR", "ar"]

    def columns(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    assert {columns(row) for row in rows} == {columns(header)}  # each ends under 'coverage'
    ok_end = header.index(" ok ") + len(" ok")
    for row in rows:  # and its first figure (interface strings, 'n/total') ends under 'ok'
        figure = next(word for word in row.split() if "/" in word)
        assert columns(row[: row.index(figure) + len(figure)]) == ok_end


def test_a_file_name_that_is_not_utf8_stops_status_as_it_stops_a_build(
    make_site: MakeSite,
) -> None:
    """A build refuses a file name that is not UTF-8; `i18n status` gave its table and exit
    0, as if the site were fine."""
    site = make_site()
    (site.root / "content" / "partners" / "alpha").joinpath(
        b"\xff\xfe".decode("utf-8", "surrogateescape")
    ).write_bytes(b"x")
    assert site.build().exit_code == 1
    result = CliRunner().invoke(cli, ["i18n", "status", "--site", str(site.root)])
    assert result.exit_code == 1
    assert "file name is not UTF-8" in result.stderr
    assert "Fix the content first" in result.stderr
