"""The gettext cycle end to end: extract, init, update, compile on a small site, every file
checked with GNU msgfmt, and the built pages using what translators wrote."""

from __future__ import annotations

import gettext
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner, Result

from allysite.cli import cli
from conftest import MakeSite, Site

FOOTER = """<footer class="site-footer">
{# Translators: shown at the foot of every page #}
<p class="f1">{% trans %}Thanks for visiting{% endtrans %}</p>
<p class="f2">{{ _("Welcome to %(name)s", name=site.title) }}</p>
<p class="f3">{{ ngettext("%(num)d language", "%(num)d languages", site.languages|length) }}</p>
<p class="f4">{{ pgettext("menu", "Home") }}</p>
<p class="f5">{% trans count=site.languages|length %}One tongue{% pluralize %}\
{{ count }} tongues{% endtrans %}</p>
<p class="f6">{% trans "footer" %}Contact{% endtrans %}</p>
</footer>
"""
POT = "locales/messages.pot"
AR = "locales/ar/LC_MESSAGES/messages.po"
AR_STRINGS = {
    "Thanks for visiting": "شكرًا لزيارتك",
    "Welcome to %(name)s": "مرحبًا بك في %(name)s",
    ("%(num)d language", "%(num)d languages"): tuple(f"%(num)d لغة {i}" for i in range(6)),
    "Home": "الرئيسية",
    ("One tongue", "%(count)s tongues"): tuple(f"%(count)s لسان {i}" for i in range(6)),
    "Contact": "اتصل بنا",
}


def run(site: Site, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["i18n", *args, "--site", str(site.root)], catch_exceptions=False
    )


def msgfmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["msgfmt", "--check-format", "--check-header", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
    )


def assert_msgfmt_accepts(path: Path) -> None:
    """A .po must pass without a word; a .pot may only note its placeholder header fields."""
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext (msgfmt) not installed")
    result = msgfmt_check(path)
    assert result.returncode == 0, result.stderr
    if path.suffix == ".po":
        assert result.stderr == ""
    else:
        for line in result.stderr.splitlines():
            assert "initial default value" in line or "'Language' missing" in line, line


def translate(path: Path, strings: dict[object, object]) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        key = message.id if isinstance(message.id, str) else tuple(message.id)
        if key in strings:
            message.string = strings[key]
    with path.open("wb") as handle:
        write_po(handle, catalog, width=76)


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    return make_site({"templates/partials/footer.html": FOOTER})


def test_extract_writes_the_site_strings_with_references_in_a_stable_order(site: Site) -> None:
    result = run(site, "extract")
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {POT}: 6 message(s).\n"
    first = (site.root / POT).read_bytes()
    with (site.root / POT).open("rb") as handle:
        catalog = read_po(handle)
    found = {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in catalog if m.id}
    assert found == {
        (None, "Thanks for visiting"),
        (None, "Welcome to %(name)s"),
        (None, ("%(num)d language", "%(num)d languages")),
        ("menu", "Home"),
        (None, ("One tongue", "%(count)s tongues")),
        ("footer", "Contact"),
    }
    assert catalog["Thanks for visiting"].locations == [("templates/partials/footer.html", 3)]
    assert catalog["Thanks for visiting"].auto_comments == ["shown at the foot of every page"]
    assert [m.locations[0][1] for m in catalog if m.id] == [3, 4, 5, 6, 7, 8]
    # the theme translates its own strings into es, en and ar: they stay out of the site's POT
    assert "Skip to content" not in catalog
    assert run(site, "extract").output == f"Unchanged: {POT}: 6 message(s).\n"
    assert (site.root / POT).read_bytes() == first  # byte-identical, creation date included
    assert_msgfmt_accepts(site.root / POT)


def test_extract_takes_the_theme_strings_a_site_language_lacks(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yaml": "title: Aliados\nbase_url: https://x.org/\ndefault_language: es\n"
            "languages: [es, it]\n"
        }
    )
    assert run(site, "extract").exit_code == 0
    with (site.root / POT).open("rb") as handle:
        catalog = read_po(handle)
    assert "Skip to content" in catalog  # the theme has no Italian catalog
    assert catalog["Skip to content"].locations[0][0] == "<theme>/templates/base.html"


def test_extract_reports_a_broken_template_at_its_line(site: Site) -> None:
    site.write({"templates/extra.html": "<p>\n{% trans %}Unclosed\n"})
    result = run(site, "extract")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "templates/extra.html:2: error: template syntax error: unclosed translation block"
    )
    assert not (site.root / POT).exists()


def test_init_update_compile_round_trip(site: Site) -> None:
    assert run(site, "extract").exit_code == 0
    result = run(site, "init", "ar")
    assert result.exit_code == 0, result.output
    assert result.output == f"Created {AR} (Arabic, 6 plural form(s) from CLDR).\n"
    po = site.root / AR
    text = po.read_text(encoding="utf-8")
    assert '"Language: ar\\n"' in text
    assert '"Plural-Forms: nplurals=6; plural=(n == 0 ? 0 : n == 1 ? 1 : n == 2 ? 2 : ' in text
    assert '"Content-Type: text/plain; charset=utf-8\\n"' in text
    assert text.count("msgstr[5]") == 2  # both plural entries have Arabic's six forms
    assert_msgfmt_accepts(po)
    assert run(site, "init", "ar").exit_code == 1  # never overwrites a translator's work

    translate(po, AR_STRINGS)
    assert_msgfmt_accepts(po)
    assert site.build().exit_code == 0
    page = site.html("/ar/")
    assert page.select_one(".f1").get_text() == "شكرًا لزيارتك"
    assert page.select_one(".f2").get_text() == "مرحبًا بك في شركاؤنا"
    assert page.select_one(".f3").get_text() == "3 لغة 3"  # Arabic's form for 3 (few)
    assert page.select_one(".f4").get_text() == "الرئيسية"
    assert page.select_one(".f5").get_text() == "3 لسان 3"
    assert page.select_one(".f6").get_text() == "اتصل بنا"

    # the templates change: one string is reworded, one removed
    site.write(
        {
            "templates/partials/footer.html": FOOTER.replace(
                "Thanks for visiting", "Thanks for visiting us"
            ).replace('<p class="f6">{% trans "footer" %}Contact{% endtrans %}</p>\n', "")
        }
    )
    assert run(site, "extract").exit_code == 0
    result = run(site, "update")
    assert result.exit_code == 0, result.output
    assert result.output == f"{AR}: 4 translated, 1 fuzzy, 0 missing, 1 obsolete (updated)\n"
    with po.open("rb") as handle:
        updated = read_po(handle)
    reworded = updated["Thanks for visiting us"]
    assert reworded.fuzzy
    assert reworded.string == "شكرًا لزيارتك"
    assert [m.id for m in updated.obsolete.values()] == ["Contact"]
    text = po.read_text(encoding="utf-8")
    assert '#~ msgid "Contact"' in text
    assert_msgfmt_accepts(po)
    assert run(site, "update").output.endswith("(unchanged)\n")

    result = site.build()
    assert result.exit_code == 0
    assert f"{AR}:" in result.stderr and "is fuzzy and not used" in result.stderr
    assert site.html("/ar/").select_one(".f1").get_text() == "Thanks for visiting us"

    result = run(site, "compile")
    assert result.exit_code == 0, result.output
    mo = po.with_suffix(".mo")
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    assert compiled.gettext("Welcome to %(name)s") == "مرحبًا بك في %(name)s"
    assert compiled.gettext("Thanks for visiting us") == "Thanks for visiting us"  # fuzzy: out
    assert compiled.ngettext("%(num)d language", "%(num)d languages", 11) == "%(num)d لغة 4"


def test_update_without_a_template_says_what_to_run(site: Site) -> None:
    result = run(site, "update")
    assert result.exit_code == 1
    assert f"{POT}: error: there is no {POT} yet" in result.stderr
    assert "hint: run 'allysite i18n extract' first" in result.stderr


def test_update_rewrites_a_header_that_names_another_charset(site: Site) -> None:
    """The catalog is UTF-8 whatever its header says: the update warns, merges, and writes
    the header as UTF-8 (Babel wrote the file in the named charset, or failed on it)."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    translate(po, {"Contact": "اتصل بنا"})
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace("charset=utf-8", "charset=x-klingon"), encoding="utf-8")
    result = run(site, "update")
    assert result.exit_code == 0, result.output
    assert f"{AR}:" in result.stderr and "names charset=x-klingon" in result.stderr
    text = po.read_text(encoding="utf-8")
    assert '"Content-Type: text/plain; charset=utf-8\\n"' in text and "اتصل بنا" in text
    assert_msgfmt_accepts(po)


EN = "locales/en/LC_MESSAGES/messages.po"


def test_a_catalog_in_the_charset_its_header_names_is_read_and_updated_to_utf8(
    site: Site,
) -> None:
    """An old Poedit saved ISO-8859-1 and said so in the header; gettext and Babel read it
    so. It was refused as 'not valid UTF-8'. `update` writes it back as UTF-8, deliberately
    (every character fits), with the header saying so."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "en").exit_code == 0
    po = site.root / EN
    translate(po, {"Thanks for visiting": "Thänks for visiting, café"})
    text = po.read_text(encoding="utf-8").replace("charset=utf-8", "charset=ISO-8859-1")
    po.write_bytes(text.encode("iso-8859-1"))
    assert_msgfmt_accepts(po)
    result = site.build()
    assert result.exit_code == 0, result.output
    assert EN not in result.stderr  # (no word: the file is what its header says)
    assert site.html("/en/").select_one(".f1").get_text() == "Thänks for visiting, café"
    assert run(site, "status").exit_code == 0

    result = run(site, "update")
    assert result.exit_code == 0, result.output
    text = po.read_bytes().decode("utf-8")
    assert '"Content-Type: text/plain; charset=utf-8\\n"' in text
    assert 'msgstr "Thänks for visiting, café"' in text
    assert_msgfmt_accepts(po)

    # a charset nobody knows, with bytes that are no UTF-8: refused, with the byte's place
    po.write_bytes(text.replace("charset=utf-8", "charset=x-klingon").encode("iso-8859-1"))
    result = site.build()
    assert result.exit_code == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "Thänks" in row)
    assert result.stderr.splitlines()[0] == (
        f"{EN}:{line}:11: error: file is not valid UTF-8 (byte 0xe4 cannot be decoded), nor "
        "in charset=x-klingon, which it names"
    )


def test_obsolete_entries_with_a_previous_msgid_are_read_built_and_updated(site: Site) -> None:
    """`msgmerge --previous` writes `#~| msgid` before an obsolete fuzzy entry; msgfmt
    accepts it, and the build, update and compile refused the catalog."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    translate(po, {key: value for key, value in AR_STRINGS.items() if key != "Home"})
    obsolete = '#, fuzzy\n#~| msgid "Hello"\n#~ msgid "Quite different text"\n#~ msgstr "مرحبًا"\n\n'
    text = po.read_text(encoding="utf-8")
    first = "#: templates/partials/footer.html:5"
    text = text.replace(first, obsolete + first, 1)
    po.write_text(text, encoding="utf-8")
    if shutil.which("msgfmt") is not None:
        assert msgfmt_check(po).returncode == 0
    home = text.split("\n").index('msgid "Home"') + 1  # (after the obsolete entry)
    result = site.build()
    assert result.exit_code == 0, result.output
    assert f"{AR}:{home}: warning: 'Home' is not translated; the source text shows" in (
        result.stderr.splitlines()
    )
    assert site.html("/ar/").select_one(".f6").get_text() == "اتصل بنا"
    result = run(site, "update")
    assert result.exit_code == 0, result.output
    assert f"{AR}: 5 translated, 0 fuzzy, 1 missing, 1 obsolete (updated)" in result.stdout
    with po.open("rb") as handle:
        written = read_po(handle)
    assert written.obsolete["Quite different text"].string == "مرحبًا"
    assert_msgfmt_accepts(po)
    assert run(site, "compile").exit_code == 0


def test_update_refuses_a_msgstr_without_msgid_and_leaves_the_file(site: Site) -> None:
    """msgfmt refuses a msgstr with no msgid before it; Babel's parser took it, and update
    wrote the catalog without the translator's line."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    translate(po, AR_STRINGS)
    lines = po.read_text(encoding="utf-8").split("\n")
    orphan = lines.index('msgid "Home"') + 3  # after the entry's msgstr and a blank line
    lines.insert(orphan - 1, 'msgstr "الصفحة الرئيسية"')
    po.write_text("\n".join(lines), encoding="utf-8")
    before = po.read_bytes()
    if shutil.which("msgfmt") is not None:
        assert msgfmt_check(po).returncode != 0
    result = run(site, "update")
    assert result.exit_code == 1
    assert f"{AR}:{orphan}: error: this msgstr has no msgid before it" in result.stderr
    assert po.read_bytes() == before


def test_update_keeps_the_fuzzy_flag_of_obsolete_entries(site: Site) -> None:
    """Babel writes obsolete entries without their flags; msgmerge brings one back when its
    msgid returns, and an unreviewed translation would come back as a reviewed one."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    translate(po, AR_STRINGS)
    with po.open("rb") as handle:  # 'Thanks for visiting' is fuzzy, then goes away
        catalog = read_po(handle)
    catalog["Thanks for visiting"].flags.add("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, width=76)
    obsolete = (
        '#, fuzzy\n#~ msgid "Unreviewed"\n#~ msgstr "غير مراجع"\n\n'
        '#~ msgid "Reviewed"\n#~ msgstr "مراجع"\n\n'
    )
    po.write_text(po.read_text(encoding="utf-8") + "\n" + obsolete, encoding="utf-8")
    site.write({"templates/partials/footer.html": FOOTER.replace("Thanks for visiting", "Bye")})
    assert run(site, "extract").exit_code == 0
    result = run(site, "update")
    assert result.exit_code == 0, result.output
    with po.open("rb") as handle:
        written = read_po(handle)
    fuzzy = {m.id: m.fuzzy for m in written.obsolete.values()}
    assert fuzzy == {"Thanks for visiting": True, "Unreviewed": True, "Reviewed": False}
    text = po.read_text(encoding="utf-8")
    assert '#, fuzzy\n#~ msgid "Unreviewed"\n' in text
    assert '\n\n#~ msgid "Reviewed"\n' in text
    assert_msgfmt_accepts(po)
    assert run(site, "update").output.endswith("(unchanged)\n")
    assert po.read_text(encoding="utf-8") == text


def test_update_keeps_the_comments_flags_and_previous_msgid_of_obsolete_entries(
    site: Site,
) -> None:
    """msgmerge keeps an obsolete entry's translator comments, all its flags and its previous
    msgid (`#~|`); update kept the comment and the fuzzy flag only, so that an entry brought
    back was no longer checked for its placeholders (`python-format`)."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    translate(po, AR_STRINGS)
    gone = (
        "# A translator's note\n#. extracted\n#: templates/old.html:3\n"
        '#, fuzzy, python-format\n#| msgid "Old %(n)s thing"\n'
        'msgid "Gone %(n)s thing"\nmsgstr "شيء %(n)s"\n\n'
    )
    old = '# Older note\n#, python-format\n#~| msgid "Was %(n)s"\n#~ msgid "Long gone %(n)s"\n'
    old += '#~ msgstr "اختفى %(n)s"\n'
    po.write_text(po.read_text(encoding="utf-8") + "\n" + gone + old, encoding="utf-8")
    before = po.read_text(encoding="utf-8")
    assert run(site, "update").exit_code == 0
    text = po.read_text(encoding="utf-8")
    assert text.endswith(
        '\n# Older note\n#, python-format\n#~| msgid "Was %(n)s"\n#~ msgid "Long gone %(n)s"\n'
        '#~ msgstr "اختفى %(n)s"\n\n'
        '# A translator\'s note\n#, fuzzy, python-format\n#~| msgid "Old %(n)s thing"\n'
        '#~ msgid "Gone %(n)s thing"\n#~ msgstr "شيء %(n)s"\n\n'
    )
    assert_msgfmt_accepts(po)
    assert run(site, "update").output.endswith("(unchanged)\n")
    if shutil.which("msgmerge") is not None:  # the same entries as msgmerge's (in its order)
        merged = site.root / "merged.po"
        source = site.root / "before.po"
        source.write_text(before, encoding="utf-8")
        subprocess.run(
            ["msgmerge", "-q", "--previous", "-o", str(merged), str(source), str(site.root / POT)],
            check=True,
        )
        ours = {block.strip() for block in text.split("\n\n")[-3:]}
        theirs = {block.strip() for block in merged.read_text(encoding="utf-8").split("\n\n")}
        assert len(ours & theirs) == 2


def test_update_keeps_header_fields_babel_does_not_know(site: Site) -> None:
    """Poedit's and Weblate's X-* fields were dropped whenever update wrote the catalog."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    fields = [
        '"X-Generator: Poedit 3.4.2\\n"',
        '"X-Poedit-Basepath: ../../..\\n"',
        '"X-Weblate-Project: Partners\\n"',
    ]
    text = po.read_text(encoding="utf-8")
    text = text.replace('"Generated-By:', "\n".join(fields) + '\n"Generated-By:', 1)
    po.write_text(text, encoding="utf-8")
    site.write({"templates/partials/footer.html": FOOTER + '<p>{{ _("New string") }}</p>\n'})
    assert run(site, "extract").exit_code == 0
    result = run(site, "update")
    assert result.exit_code == 0, result.output
    lines = po.read_text(encoding="utf-8").split("\n")
    assert 'msgid "New string"' in lines  # written again
    assert [line for line in lines if line.startswith('"X-')] == fields
    assert_msgfmt_accepts(po)


def test_init_refuses_an_unknown_language(site: Site) -> None:
    assert run(site, "extract").exit_code == 0
    result = run(site, "init", "xx-nope")
    assert result.exit_code == 1  # as `allysite new language` refuses it
    assert "'xx-nope' is not a language code known to CLDR" in result.output


@pytest.mark.parametrize("lang", ["es", "fr", "ru", "zh", "de"])
def test_every_initialised_catalog_passes_msgfmt(site: Site, lang: str) -> None:
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", lang).exit_code == 0
    assert_msgfmt_accepts(site.root / f"locales/{lang}/LC_MESSAGES/messages.po")


def test_theme_template_matches_the_theme_templates() -> None:
    """The packaged POT was made by `allysite i18n extract --theme` and is up to date."""
    from allysite.build import THEME
    from allysite.catalogs import TemplateFile, extract_messages

    files = [
        TemplateFile(path, f"src/allysite/theme/{path.relative_to(THEME).as_posix()}")
        for path in sorted((THEME / "templates").rglob("*.html"))
    ]
    catalog, problems = extract_messages(files)
    assert problems == []
    with (THEME / "locales" / "messages.pot").open("rb") as handle:
        shipped = read_po(handle)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in shipped if m.id} == {
        m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id
    }
    assert_msgfmt_accepts(THEME / "locales" / "messages.pot")


def test_update_brings_back_an_obsolete_entry_whose_message_returns(site: Site) -> None:
    """A message removed from the templates is kept as obsolete (#~) 'for the day it comes
    back'; when it came back, update added an empty entry beside the obsolete one: the
    translation was not used, and msgfmt and msgmerge refused the duplicate."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    translate(po, AR_STRINGS)
    with po.open("rb") as handle:
        catalog = read_po(handle)
    catalog.get("Home", "menu").flags.add("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, width=76)
    gone = ('<p class="f1">', '<p class="f3">', '<p class="f4">')
    without = "\n".join(line for line in FOOTER.split("\n") if not line.startswith(gone))
    site.write({"templates/partials/footer.html": without})
    assert run(site, "extract").exit_code == 0
    assert run(site, "update").exit_code == 0
    with po.open("rb") as handle:
        removed = read_po(handle)
    assert "Thanks for visiting" not in removed and removed.get("Home", "menu") is None
    assert len(removed.obsolete) == 3
    site.write({"templates/partials/footer.html": FOOTER})
    assert run(site, "extract").exit_code == 0
    result = run(site, "update")
    assert result.exit_code == 0, result.output
    with po.open("rb") as handle:
        back = read_po(handle)
    assert not back.obsolete
    assert back["Thanks for visiting"].string == AR_STRINGS["Thanks for visiting"]
    plural = back["%(num)d language"]
    assert plural.string == AR_STRINGS[("%(num)d language", "%(num)d languages")]
    assert not plural.fuzzy
    home = back.get("Home", "menu")
    assert home.string == AR_STRINGS["Home"] and home.fuzzy  # still to be reviewed
    assert_msgfmt_accepts(po)
    text = po.read_bytes()
    assert run(site, "update").output.count("(unchanged)") == 1
    assert po.read_bytes() == text
    built = site.build()
    assert built.exit_code == 0, built.output
    footer = site.html("ar/index.html").select_one("footer")
    assert footer.select_one(".f1").get_text() == AR_STRINGS["Thanks for visiting"]
    assert footer.select_one(".f4").get_text() == "Home"  # fuzzy: not used


def test_update_mends_an_obsolete_entry_beside_its_live_one(site: Site) -> None:
    """Catalogs that the old update left with both: the translation of the obsolete entry
    is taken when the live one is empty, and the file passes msgfmt again."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    translate(po, {"Welcome to %(name)s": "أهلًا بك في %(name)s"})
    obsolete = (
        '#~ msgid "Thanks for visiting"\n#~ msgstr "شكرًا"\n\n'
        '#~ msgid "Welcome to %(name)s"\n#~ msgstr "قديم %(name)s"\n\n'
    )
    po.write_text(po.read_text(encoding="utf-8") + "\n" + obsolete, encoding="utf-8")
    if shutil.which("msgfmt") is not None:
        assert msgfmt_check(po).returncode != 0  # the duplicates
    assert run(site, "update").exit_code == 0
    with po.open("rb") as handle:
        mended = read_po(handle)
    assert not mended.obsolete
    assert mended["Thanks for visiting"].string == "شكرًا"
    assert mended["Welcome to %(name)s"].string == "أهلًا بك في %(name)s"
    assert_msgfmt_accepts(po)


def _with_pt_catalog(make_site: MakeSite, languages: str) -> Site:
    """A site of these languages with a POT and a catalog started for pt."""
    site = make_site(
        {
            "site.yaml": "title: Aliados\nbase_url: https://x.org/\ndefault_language: es\n"
            f"languages: [{languages}]\n",
            "templates/partials/footer.html": FOOTER,
        }
    )
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "pt").exit_code == 0
    return site


def test_init_starts_a_regional_catalog_beside_its_languages(make_site: MakeSite) -> None:
    """With pt and pt-BR in the site, pt-BR's catalog falls back to pt's in the build; but
    `init pt-BR` refused, saying pt's catalog existed, and `update` merged pt's twice."""
    site = _with_pt_catalog(make_site, "es, pt, pt-BR")
    result = run(site, "init", "pt-BR")
    assert result.exit_code == 0, result.output
    regional = site.root / "locales/pt-BR/LC_MESSAGES/messages.po"
    with regional.open("rb") as handle:
        assert str(read_po(handle).locale) == "pt_BR"
    assert_msgfmt_accepts(regional)
    updated = [line.split(":")[0] for line in run(site, "update").output.splitlines()]
    assert updated == ["locales/pt/LC_MESSAGES/messages.po", str(regional.relative_to(site.root))]
    assert run(site, "init", "pt-BR").exit_code == 1  # its own exists now


def test_init_refuses_a_language_whose_base_catalog_is_its_own(make_site: MakeSite) -> None:
    """Without pt in the site, locales/pt/ is the catalog pt-BR is built with."""
    site = _with_pt_catalog(make_site, "es, pt-BR")
    result = run(site, "init", "pt-BR")
    assert result.exit_code == 1
    assert "locales/pt/LC_MESSAGES/messages.po exists already" in result.stderr
    updated = run(site, "update").output.splitlines()
    assert [line.split(":")[0] for line in updated] == ["locales/pt/LC_MESSAGES/messages.po"]


def test_update_merges_a_catalog_started_before_its_language_joins_the_site(site: Site) -> None:
    """`init de` starts a catalog for a language the site does not build yet (and says to add
    it to site.yaml); update left it out and said there was no catalog at all."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "de").exit_code == 0
    german = "locales/de/LC_MESSAGES/messages.po"
    site.write({"templates/partials/footer.html": FOOTER + '<p>{{ _("New string") }}</p>\n'})
    assert run(site, "extract").exit_code == 0
    result = run(site, "update")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{german}: 0 translated, 0 fuzzy, 7 missing")
    assert result.stderr.startswith(f"{german}: warning: 'de' is not one of the site's languages")
    with (site.root / german).open("rb") as handle:
        assert "New string" in read_po(handle)
    assert_msgfmt_accepts(site.root / german)
    assert run(site, "update").stdout.endswith("(unchanged)\n")


def test_update_brings_a_new_string_in_empty_beside_untranslated_plurals(site: Site) -> None:
    """Babel's update took an untranslated plural entry for a fuzzy match: a new string came
    in fuzzy with nothing to review and with that entry's python-format flag, and the next
    update changed the file again."""
    assert run(site, "extract").exit_code == 0
    assert run(site, "init", "ar").exit_code == 0
    po = site.root / AR
    site.write({"templates/partials/footer.html": FOOTER + '<p>{{ _("One tongue more") }}</p>\n'})
    assert run(site, "extract").exit_code == 0
    assert run(site, "update").output.endswith("(updated)\n")
    with po.open("rb") as handle:
        catalog = read_po(handle)
    new = catalog["One tongue more"]
    assert new.string == "" and not new.fuzzy
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    block = next(b for b in blocks if 'msgid "One tongue more"' in b)
    assert "#," not in block  # neither fuzzy nor python-format
    assert run(site, "update").output.endswith("(unchanged)\n")
    assert_msgfmt_accepts(po)


def test_update_counts_what_the_theme_translates_apart_as_status_does(tmp_path: Path) -> None:
    """Adding Italian puts the theme's strings in the POT, and `update` brought them into the
    Spanish catalog empty: it said '46 missing' while `status` (and the pages) had none."""
    root = tmp_path / "s"
    cli_run = CliRunner().invoke
    assert cli_run(cli, ["new", "site", str(root), "--langs", "en,es"]).exit_code == 0
    assert cli_run(cli, ["new", "language", "it", "--site", str(root)]).exit_code == 0
    site = Site(root, tmp_path / "out")
    assert run(site, "init", "es").exit_code == 0
    result = run(site, "update")
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    es, it = "locales/es/LC_MESSAGES/messages.po", "locales/it/LC_MESSAGES/messages.po"
    with (root / it).open("rb") as handle:
        total = len([m for m in read_po(handle) if m.id])
    assert lines[es] == (
        f"0 translated, 0 fuzzy, 0 missing ({total} more left empty: the theme translates "
        "them), 0 obsolete (unchanged)"
    )
    assert lines[it].startswith(f"0 translated, 0 fuzzy, {total} missing, 0 obsolete")
    status = json.loads(run(site, "status", "--format", "json").stdout)
    spanish = next(entry for entry in status["languages"] if entry["language"] == "es")
    assert spanish["interface"]["missing"] == 0
    compiled = run(site, "compile")
    assert f"0 missing ({total} more left empty" in compiled.stdout
