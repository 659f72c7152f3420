"""Catalog checks at build time, each with its exact `file:line` message; missing labels and
strings no catalog has; `--strict` turns them all into errors."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Message

from allysite.catalog_checks import placeholders, usable
from conftest import MakeSite, Site

FOOTER = """<footer class="site-footer">
<p class="f1">{{ _("Welcome to %(name)s", name=site.title) }}</p>
<p class="f2">{{ _("Hello {name}") }}</p>
<p class="f3">{{ ngettext("%(num)d language", "%(num)d languages", site.languages|length) }}</p>
<p class="f4">{% trans %}Thanks for visiting{% endtrans %}</p>
<p class="f5">{% trans %}Contact{% endtrans %}</p>
<p class="f6">{{ _("Skip to content") }}</p>
<p class="f7">{{ _("Save %(pct)s%%", pct=5) }}</p>
</footer>
"""
AR_PO = "locales/ar/LC_MESSAGES/messages.po"
# Line numbers are counted by hand: the entries start on lines 8, 11, 14, 20, 23, 26, 29.
AR_CATALOG = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: ar\n"
"Plural-Forms: nplurals=6; "
"plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\n"

msgid "Welcome to %(name)s"
msgstr "مرحبًا بك في %(nom)s"

msgid "Hello {name}"
msgstr "مرحبًا {nom}"

msgid "%(num)d language"
msgid_plural "%(num)d languages"
msgstr[0] "لغة"
msgstr[1] "لغتان"

#, fuzzy
msgid "Thanks for visiting"
msgstr "شكرًا لزيارتك"

msgid "Contact"
msgstr ""

msgid "Skip to content"
msgstr ""

msgid "Save %(pct)s%%"
msgstr "وفّر %(pct)s% الآن"
"""
WARNINGS = [
    f"{AR_PO}:8: warning: 'Welcome to %(name)s': placeholders differ: msgstr lacks %(name)s; "
    "msgstr has %(nom)s that msgid does not",
    f"{AR_PO}:11: warning: 'Hello {{name}}': placeholders differ: msgstr lacks {{name}}; "
    "msgstr has {nom} that msgid does not",
    f"{AR_PO}:14: warning: '%(num)d language' has 2 plural forms, but Arabic has 6 (CLDR)",
    f"{AR_PO}:20: warning: 'Thanks for visiting' is fuzzy and not used until a translator "
    "reviews it",
    f"{AR_PO}:23: warning: 'Contact' is not translated; the source text shows",
    f"{AR_PO}:29: warning: 'Save %(pct)s%%': msgstr is not a valid format string: "
    "write a literal % as %%",
]


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    return make_site({"templates/partials/footer.html": FOOTER, AR_PO: AR_CATALOG})


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": warning: " in line]


def built_with(make_site: MakeSite, catalog: str) -> tuple[Site, list[str]]:
    """A site with this Arabic catalog, built (it must succeed), and its warnings."""
    site = make_site({"templates/partials/footer.html": FOOTER, AR_PO: catalog})
    result = site.build()
    assert result.exit_code == 0, result.output
    return site, warnings_of(result.stderr)


def test_each_catalog_problem_is_reported_at_its_line(site: Site) -> None:
    result = site.build()
    assert result.exit_code == 0, result.output
    found = [line for line in warnings_of(result.stderr) if line.startswith(AR_PO + ":")]
    assert found == WARNINGS
    # 'Skip to content' is empty in the site's catalog, but the theme translates it: no warning
    assert not any("Skip to content" in line for line in result.stderr.splitlines())
    assert (
        "hint: fill in msgstr[0] to msgstr[5]; the entry is not used until every form is there"
        in (result.stderr)
    )


def test_broken_entries_are_not_used_so_the_source_text_shows(site: Site) -> None:
    assert site.build().exit_code == 0
    page = site.html("/ar/")
    assert page.select_one(".f1").get_text() == "Welcome to شركاؤنا"
    assert page.select_one(".f2").get_text() == "Hello {name}"
    assert page.select_one(".f3").get_text() == "3 languages"
    assert page.select_one(".f4").get_text() == "Thanks for visiting"  # fuzzy: never used
    assert page.select_one(".f5").get_text() == "Contact"
    assert page.select_one(".f6").get_text() == "الانتقال إلى المحتوى"  # the theme's
    assert page.select_one(".f7").get_text() == "Save 5%"


def test_strict_makes_catalog_problems_errors(site: Site) -> None:
    result = site.build("--strict")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(AR_PO + ":")]
    assert errors == [line.replace(": warning: ", ": error: ") for line in WARNINGS]
    assert not site.out.exists()


def test_a_translation_that_leaves_a_direction_override_open_is_not_used(
    make_site: MakeSite,
) -> None:
    """Left open, the override would turn around the page text after the translation; a
    closed isolate is what a translator writes to keep a Latin name apart, and is used."""
    catalog = AR_CATALOG.replace('msgstr "مرحبًا {nom}"', 'msgstr "\u202eمرحبًا {name}"').replace(
        'msgid "Contact"\nmsgstr ""', 'msgid "Contact"\nmsgstr "اتصل \u2067(Contact)\u2069"'
    )
    site, warnings = built_with(make_site, catalog)
    assert (
        f"{AR_PO}:11: warning: 'Hello {{name}}': msgstr opens U+202E RIGHT-TO-LEFT OVERRIDE "
        "and does not close it; the entry is not used"
    ) in warnings
    assert not any("'Contact'" in line for line in warnings)
    page = site.html("/ar/")
    assert page.select_one(".f2").get_text() == "Hello {name}"
    assert page.select_one(".f5").get_text() == "اتصل \u2067(Contact)\u2069"
    assert "\u202e" not in (site.out / "ar/index.html").read_text(encoding="utf-8")


def test_the_escapes_gettext_and_babel_read_alike_are_used(make_site: MakeSite) -> None:
    """A guard for the escapes the catalog refuses (test_validation.py): quote, backslash,
    tab and line break still reach the page as the characters they write."""
    catalog = AR_CATALOG.replace(
        'msgid "Contact"\nmsgstr ""', 'msgid "Contact"\nmsgstr "\\"اتصل\\" \\\\ a\\tb\\n"'
    )
    site, warnings = built_with(make_site, catalog)
    assert not any("'Contact'" in line for line in warnings)
    assert site.html("/ar/").select_one(".f5").get_text() == '"اتصل" \\ a\tb\n'


def test_wrong_plural_forms_header_is_reported(make_site: MakeSite) -> None:
    po = "locales/es/LC_MESSAGES/messages.po"
    site = make_site(
        {
            po: 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
            'msgid "Skip to content"\nmsgstr "Saltar al texto"\n'
        }
    )
    result = site.build()
    assert result.exit_code == 0
    assert warnings_of(result.stderr) == [
        f"{po}:4: warning: Plural-Forms gives nplurals=2, but Spanish has 3 plural forms (CLDR)"
    ]
    assert (
        'hint: write "Plural-Forms: nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 '
        '? 1 : 2);\\n"' in result.stderr
    )


@pytest.mark.parametrize(
    ("last", "hint"),
    [
        ('""', "delete msgstr[3] and any form after it in this entry"),
        (
            '"3 socios"',
            "delete msgstr[3] and any form after it in this entry, or, if the language has 4 "
            "forms, fix Plural-Forms",
        ),
    ],
    ids=["empty", "translated"],
)
def test_a_plural_form_beyond_the_header_is_an_error_at_its_line(
    make_site: MakeSite, last: str, hint: str
) -> None:
    """GNU msgfmt --check refuses a form beyond nplurals, empty or not ('nplurals = 3... but
    some messages have 4 plural forms'): refused too, at that form, saying which to delete."""
    po = "locales/es/LC_MESSAGES/messages.po"
    forms = "".join(f'msgstr[{i}] "{i} socios"\n' for i in range(3)) + f"msgstr[3] {last}\n"
    site = make_site(
        {
            po: 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            'msgid "%(num)d partner"\nmsgid_plural "%(num)d partners"\n' + forms
        }
    )
    result = site.build()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{po}:10: error: msgstr[3] is a plural form beyond the 3 (msgstr[0] to msgstr[2]) "
        "that the catalog's Plural-Forms header gives",
        f"  hint: {hint}",
    ]


def test_strings_that_no_catalog_has_are_counted_per_language(make_site: MakeSite) -> None:
    site = make_site({"templates/partials/footer.html": FOOTER})
    result = site.build()
    assert result.exit_code == 0
    lines = warnings_of(result.stderr)
    assert lines == [
        "locales/ar/LC_MESSAGES/messages.po: warning: 6 interface string(s) have no translation "
        "in 'ar': 'Welcome to %(name)s', 'Hello {name}', '%(num)d language' and 3 more; the "
        "source text shows",
        "locales/es/LC_MESSAGES/messages.po: warning: 6 interface string(s) have no translation "
        "in 'es': 'Welcome to %(name)s', 'Hello {name}', '%(num)d language' and 3 more; the "
        "source text shows",
    ]  # English reads the source text (msgids are English): no warning for 'en'
    assert "hint: run 'allysite i18n extract', then 'allysite i18n init ar'" in result.stderr


def test_missing_labels_are_reported_per_term_and_language(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yaml": "title:\n  es: Aliados\n  en: Partners\n"
            "base_url: https://partners.example.org/\ndefault_language: es\n"
            "languages: [es, en, ar]\n",
            "taxonomies.yaml": "kinds:\n  ngo: {es: ONG, en: NGO}\ntopics:\n"
            "  human-rights: {es: Derechos humanos, en: Human rights, ar: حقوق الإنسان}\n",
        }
    )
    result = site.build()
    assert result.exit_code == 0
    assert warnings_of(result.stderr) == [
        "site.yaml:1:1: warning: title: no title in ar; the es title shows",
        "taxonomies.yaml: warning: topics.peacebuilding has no label in es, en, ar; its slug shows",
        "taxonomies.yaml:2:3: warning: kinds.ngo has no label in ar; another label shows",
    ]  # regions.europe is named by CLDR in every language
    # what each says shows is what shows: the slug (with a capital), the default's label
    arabic = site.html("/ar/partners/alpha/")
    tags = {
        a.get_text(strip=True) for a in arabic.select("a[href*='/topics/'], a[href*='/kinds/']")
    }
    assert {"Peacebuilding", "ONG"} <= tags, tags
    assert "hint: add 'ar: ...' under kinds: ngo: in taxonomies.yaml" in result.stderr


def test_a_site_without_taxonomies_yaml_gets_no_label_warnings(built_site: Site) -> None:
    result = built_site.build()
    assert result.exit_code == 0
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello %(name)s, %(num)d new", ["%(name)s", "%(num)d"]),
        ("100%% sure, {count} items", ["{count}"]),
        ("{{literal}} and {value!r:>10}", ["{value!r:>10}"]),
        ("%(a)-5.2f %s", ["%(a)-5.2f", "%s"]),
    ],
)
def test_placeholders_of_both_styles(text: str, expected: list[str]) -> None:
    assert [p.text for p in placeholders(text).values()] == expected


def test_a_plural_form_may_leave_out_the_count_but_nothing_else() -> None:
    ids = ("%(num)d partner in %(place)s", "%(num)d partners in %(place)s")
    assert usable(Message(ids, ("un socio en %(place)s", "%(num)d socios en %(place)s")), 2)
    assert not usable(Message(ids, ("un socio", "%(num)d socios en %(place)s")), 2)
    assert not usable(Message(ids, ("un socio en %(place)s", "")), 2)  # a form is empty
    assert not usable(Message("Hi %(name)s", "Hola", flags=["fuzzy"]), 1)


def test_an_english_catalog_may_leave_entries_to_the_source_text(make_site: MakeSite) -> None:
    po = "locales/en/LC_MESSAGES/messages.po"
    site = make_site(
        {
            "templates/partials/footer.html": '<footer>{{ _("Contact") }}</footer>\n',
            po: 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            'msgid "Contact"\nmsgstr ""\n',
            "locales/es/LC_MESSAGES/messages.po": 'msgid ""\nmsgstr ""\n'
            '"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Contact"\nmsgstr ""\n',
            "locales/ar/LC_MESSAGES/messages.po": 'msgid ""\nmsgstr ""\n'
            '"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Contact"\nmsgstr "اتصل"\n',
        }
    )
    result = site.build()
    assert result.exit_code == 0
    assert warnings_of(result.stderr) == [
        "locales/es/LC_MESSAGES/messages.po:5: warning: 'Contact' is not translated; the source "
        "text shows"
    ]


CONTACT = ('msgid "Contact"\nmsgstr ""', 'msgid "Contact"\nmsgstr "اتصل بنا"')


@pytest.mark.parametrize(
    ("replaced", "warning", "shown"),
    [
        pytest.param(
            ('msgstr "مرحبًا بك في %(nom)s"', 'msgstr "مرحبًا %(name)s في %(name)0999999999s"'),
            f"{AR_PO}:8: warning: 'Welcome to %(name)s': placeholders differ: msgstr writes "
            "%(name)0999999999s otherwise than msgid",
            (".f1", "Welcome to شركاؤنا"),
            id="a placeholder with a width of its own",
        ),
        *(
            pytest.param(
                ("charset=UTF-8", f"charset={charset}"),
                f"{AR_PO}:3: warning: the Content-Type header names charset={charset}, but the "
                "file is UTF-8 (allysite reads and compiles catalogs as UTF-8)",
                (".f5", "اتصل بنا"),
                id=f"a header naming {charset}",
            )
            for charset in ("x-klingon", "iso-8859-1")
        ),
    ],
)
def test_what_a_translator_got_wrong_is_a_warning_and_the_build_goes_on(
    make_site: MakeSite, replaced: tuple[str, str], warning: str, shown: tuple[str, str]
) -> None:
    """A placeholder written otherwise than in msgid (`%(name)0999999999s`: a string of a
    gigabyte on every page that showed it, a build of minutes) makes its entry unused. A
    catalog is read as UTF-8 whatever its header's charset; Babel compiled it with that
    charset, and an unknown one, or one without the text's characters, was an internal
    error."""
    catalog = AR_CATALOG.replace(*replaced).replace(*CONTACT)
    site, warnings = built_with(make_site, catalog)
    assert warning in warnings
    selector, text = shown
    assert site.html("/ar/").select_one(selector).get_text() == text


MARKUP_FOOTER = """<footer class="site-footer">
<p class="m1">{{ _("Skip to content") }}</p>
<img class="m2" src="/logo.png" alt="{{ _('Logo of %(name)s', name='<A&B>') }}">
<p class="m3">{% trans url="/x?a=1&b=2" %}Read <a href="{{ url }}">more</a>{% endtrans %}</p>
<p class="m4">{% trans %}See <a href="/y">this</a>{% endtrans %}</p>
<p class="m5">{{ ngettext("%(num)d office", "%(num)d offices", 3) }}</p>
</footer>
"""
MARKUP_CATALOG = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: ar\n"
"Plural-Forms: nplurals=6; "
"plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\n"

msgid "Skip to content"
msgstr "<script>alert(1)</script>تخطَّ"

msgid "Logo of %(name)s"
msgstr "شعار \" onerror=\"alert(1) '%(name)s' & <3"

msgid "Read <a href=\"%(url)s\">more</a>"
msgstr "اقرأ <a href=\"%(url)s\">المزيد</a>"

msgid "See <a href=\"/y\">this</a>"
msgstr "انظر <a href=\"/y\" onclick=\"alert(1)\">هذا</a>"

msgid "%(num)d office"
msgid_plural "%(num)d offices"
msgstr[0] "%(num)d \"مكاتب\""
msgstr[1] "%(num)d \"مكاتب\""
msgstr[2] "%(num)d \"مكاتب\""
msgstr[3] "%(num)d <مكاتب>"
msgstr[4] "%(num)d \"مكاتب\""
msgstr[5] "%(num)d \"مكاتب\""
"""


def test_a_translation_is_text_unless_its_source_is_markup(make_site: MakeSite) -> None:
    """Jinja takes every translation as markup: a translator's `<script>`, or a quote in a
    translation shown in an attribute, went into every page as written. A translation is
    now escaped like any value, unless its source holds markup; then it must hold the same
    tags, and one with a tag of its own is reported and not used (as is one that would show
    a tag as text)."""
    site = make_site({"templates/partials/footer.html": MARKUP_FOOTER, AR_PO: MARKUP_CATALOG})
    result = site.build()
    assert result.exit_code == 0, result.output
    lines = MARKUP_CATALOG.splitlines()
    script = lines.index('msgid "Skip to content"') + 1
    other = lines.index(r'msgid "See <a href=\"/y\">this</a>"') + 1
    assert [line for line in warnings_of(result.stderr) if line.startswith(AR_PO)] == [
        f"{AR_PO}:{script}: warning: 'Skip to content': msgstr has markup ('<script>') that "
        "msgid has not, and would show it",
        f"{AR_PO}:{other}: warning: 'See <a href=\"/y\">this</a>': msgstr has other tags "
        "than msgid",
    ]
    page = site.html("/ar/")
    assert not page.select("footer script") and not page.select("[onerror], [onclick]")
    assert page.select_one(".m1").get_text() == "الانتقال إلى المحتوى"  # the theme's entry
    assert page.select_one(".m2")["alt"] == "شعار \" onerror=\"alert(1) '<A&B>' & <3"
    link = page.select_one(".m3 a")
    assert (link["href"], link.get_text()) == ("/x?a=1&b=2", "المزيد")
    assert page.select_one(".m3").get_text() == "اقرأ المزيد"
    assert page.select_one(".m4").get_text() == "See this"  # the source, its tags its own
    assert page.select_one(".m4 a")["href"] == "/y"
    # (Arabic's form for 3: a `<` before a letter that is not ASCII opens no tag, and shows)
    assert page.select_one(".m5").get_text() == "3 <مكاتب>"


PLURAL_FOOTER = """<footer class="site-footer">
{% for n in (0, 1, 3, 1000000) %}
<p class="o{{ n }}">{% trans count=n %}{{ count }} office{% pluralize %}{{ count }} offices
{%- endtrans %}</p>
<p class="p{{ n }}">{% trans count=n %}One partner{% pluralize %}{{ count }} partners
{%- endtrans %}</p>
{% endfor %}
</footer>
"""
FR_PO = "locales/fr/LC_MESSAGES/messages.po"


def test_a_catalog_counts_plural_forms_by_its_own_rule(make_site: MakeSite) -> None:
    """Poedit writes French's two gettext forms (n > 1), where CLDR, and the theme's catalog,
    have three: the site's entries are counted by the site's rule. Merged into the theme's
    catalog they were counted by its rule, and a number that falls on the third form showed
    the English, while the build said the entry was not used at all. A form may also leave
    out the count where a source form does (`One partner`), as msgfmt accepts."""
    catalog = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "%(count)s office"\nmsgid_plural "%(count)s offices"\n'
        'msgstr[0] "%(count)s bureau"\nmsgstr[1] "%(count)s bureaux"\n\n'
        'msgid "One partner"\nmsgid_plural "%(count)s partners"\n'
        'msgstr[0] "Un partenaire"\nmsgstr[1] "%(count)s partenaires"\n'
    )
    site = make_site(
        {
            "site.yaml": "title: {es: Aliados, en: Partners, fr: Partenaires}\nbase_url: https://e.org/\n"
            "default_language: es\nlanguages: [es, en, fr]\n",
            "templates/partials/footer.html": PLURAL_FOOTER,
            FR_PO: catalog,
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    assert [line for line in warnings_of(result.stderr) if line.startswith(FR_PO)] == [
        f"{FR_PO}:4: warning: Plural-Forms gives nplurals=2, but French has 3 plural forms (CLDR)"
    ]
    page = site.html("/fr/")
    shown = {n: page.select_one(f".o{n}").get_text() for n in (0, 1, 3, 1000000)}
    assert shown == {0: "0 bureau", 1: "1 bureau", 3: "3 bureaux", 1000000: "1000000 bureaux"}
    assert page.select_one(".p1").get_text() == "Un partenaire"
    assert page.select_one(".p3").get_text() == "3 partenaires"
    assert page.select_one(".skip-link").get_text() == "Aller au contenu"  # (the theme's)
