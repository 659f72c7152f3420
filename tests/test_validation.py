"""One test per validation rule: the exact `path:line` message, and the previous output untouched.

Every fault case starts from the valid minimal site, builds it, then introduces ONE fault and
builds again: the build must exit 1, print exactly one `path:line:column: error: ...` line (and
its hint) for the fault, show no traceback, and leave the previous output byte-identical.

Line numbers in the tables were counted by hand in the inputs written here; in a `<lang>.md`
file they count from the opening '---' on line 1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from babel.messages.pofile import PoFileParser
from click.testing import CliRunner, Result

from allysite.cli import cli
from conftest import MINIMAL_SITE, MakeSite, Site, without_root_powers

SITE_YAML = MINIMAL_SITE["site.yaml"]  # 7 lines; languages on line 7
ALPHA = "content/partners/alpha/"
PARTNER_YAML = MINIMAL_SITE[ALPHA + "partner.yaml"]  # website 1, logo 2, since 3, kind 4, ...
PO = "locales/en/LC_MESSAGES/messages.po"
PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'  # 4 lines
HINT_PLURAL_NUMBERS = "number the entry's plural forms msgstr[0], msgstr[1]... in order, each once"

ONE_ERROR = (
    "Build failed: 1 error(s), 0 warning(s). Nothing was written; the previous output is unchanged."
)

HINT_YAML = (
    "check the indentation and quoting on this line; quote values that contain ': ' or start "
    "with a special character"
)
HINT_ALIAS = "write the value out in full instead of referring to an anchor"
HINT_CONTROL = (
    "delete it (it often comes with text pasted from another program): "
    "no web page or feed may carry it"
)
HINT_DIRECTION = (
    "end the text with U+202C POP DIRECTIONAL FORMATTING (after an embedding or override) or "
    "U+2069 POP DIRECTIONAL ISOLATE (after an isolate), or remove it: left open, it turns "
    "around what the page shows after the text"
)
HINT_UTF8 = "save the file as UTF-8 in your editor"
HINT_TEMPLATE = "fix the tag on this line; see the Jinja2 template docs"
HINT_NESTING = "nest fewer blocks and parentheses inside one another, and quote very long numbers"
HINT_PO = (
    'each line must be a comment, a keyword with a "quoted string", or a quoted continuation; '
    "check for a missing quote"
)
HINT_PO_ENTRY = "fix the entry, or open the file in Poedit to see the problem"
HINT_PO_ESCAPE = (
    'write \\\\ for a backslash and \\" for a quote; the other escapes are \\n (line break) and '
    "\\t (tab)"
)
SLUG_RULE = (
    "is not a valid slug: use lowercase ASCII letters, digits and single hyphens "
    "(for example 'human-rights')"
)
# a billion-laughs bomb after site.yaml's 7 lines: 'a' on line 8, the first '*a' on line 9,
# column 8; expanded it would be 9**9 strings
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
NOT_HTTP = (
    "is not an http(s) address: only http:// and https:// links are allowed; "
    "write the full address, e.g. https://example.org/"
)


def site_yaml(old: str, new: str) -> dict[str, str]:
    assert old in SITE_YAML
    return {"site.yaml": SITE_YAML.replace(old, new)}


def partner_yaml(old: str, new: str) -> dict[str, str]:
    assert old in PARTNER_YAML
    return {ALPHA + "partner.yaml": PARTNER_YAML.replace(old, new)}


def built(make_site: MakeSite) -> tuple[Site, dict[str, bytes]]:
    """The valid minimal site, built once, and a snapshot of its output."""
    site = make_site()
    result = site.build()
    assert result.exit_code == 0, result.output
    snapshot = site.output_files()
    assert "es/index.html" in snapshot
    return site, snapshot


def apply(site: Site, files: Mapping[str, str | bytes | None]) -> None:
    """Write the files; None removes one."""
    for name, text in files.items():
        if text is None:
            site.remove(name)
        else:
            site.write({name: text})


def assert_reported(result: Result, message: str, hint: str | None = None) -> None:
    """The build failed with `message` on a line of its own (followed by `hint`)."""
    lines = result.stderr.splitlines()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert message in lines, result.stderr
    if hint is not None:
        assert lines[lines.index(message) + 1] == f"  hint: {hint}", result.stderr


def assert_one_fault(
    result: Result, site: Site, snapshot: dict[str, bytes], message: str, hint: str | None
) -> None:
    assert_reported(result, message, hint)
    assert result.stderr.splitlines()[-1] == ONE_ERROR, result.stderr
    assert site.output_files() == snapshot


def assert_check_reports(site: Site, message: str) -> None:
    """`allysite check`, in a process of its own (a named pipe would block this one), fails
    with `message` on a line of its own, and no traceback."""
    ran = subprocess.run(
        [sys.executable, "-m", "allysite", "check", "--site", str(site.root)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    said = ran.stdout + ran.stderr  # (check lists its problems on the standard output)
    assert ran.returncode == 1, said
    assert message in said.splitlines(), said
    assert "Traceback" not in said


# (files to write over the valid site (None removes a file), expected line, expected hint)
FAULTS = [
    # --- site.yaml -------------------------------------------------------------------------
    pytest.param(
        site_yaml("default_language:", "colour: blue\ndefault_language:"),
        "site.yaml:6:1: error: unknown field 'colour'",
        "allowed fields here: title, base_url, default_language, languages, search, "
        "translation_dashboard, machine_translations; check the spelling",
        id="site-unknown-key",
    ),
    pytest.param(
        site_yaml("default_language: es\n", ""),
        "site.yaml:1:1: error: missing required field 'default_language'",
        "add a line 'default_language: ...'",
        id="site-missing-default-language",
    ),
    pytest.param(
        site_yaml("https://partners", "ftp://partners"),
        f"site.yaml:5:1: error: base_url: 'ftp://partners.example.org/' {NOT_HTTP}",
        None,
        id="site-base-url-ftp",
    ),
    pytest.param(
        site_yaml("https://partners.example.org/", "https://:443/"),
        "site.yaml:5:1: error: base_url: 'https://:443/' has no host name: write the full "
        "address, e.g. https://example.org/",
        None,
        id="site-base-url-without-host",
    ),
    pytest.param(
        site_yaml("https://partners.example.org/", "https://example.org//partners/"),
        "site.yaml:5:1: error: base_url: 'https://example.org//partners/' has '//' in its path",
        "write each '/' once, e.g. https://example.org/partners/",
        id="site-base-url-double-slash",
    ),
    pytest.param(
        site_yaml("[es, en, ar]", "[es, en, ar, xx-notreal]"),
        "site.yaml:7:25: error: languages: 'xx-notreal' is not a language code known to CLDR",
        "use a BCP 47 code such as 'es', 'ar' or 'pt-BR'",
        id="site-unknown-language-code",
    ),
    pytest.param(
        site_yaml("[es, en, ar]", "[]"),
        "site.yaml:7:1: error: languages: must list at least one item",
        None,
        id="site-no-languages",
    ),
    pytest.param(
        site_yaml("default_language: es", "default_language: fr"),
        "site.yaml:6:1: error: default_language 'fr' is not one of languages",
        "add it to languages or pick one of: es, en, ar",
        id="site-default-language-not-listed",
    ),
    pytest.param(
        site_yaml("[es, en, ar]", "[es, en, ar, en]"),
        "site.yaml:7:25: error: languages: 'en' is listed twice",
        None,
        id="site-duplicate-language",
    ),
    pytest.param(
        site_yaml("  ar: شركاؤنا\n", "  ar: شركاؤنا\n  fr: Nos partenaires\n"),
        "site.yaml:5:3: error: title: 'fr' is not one of the site's languages",
        "languages are: es, en, ar",
        id="site-title-language-not-listed",
    ),
    pytest.param(
        site_yaml("  es: Nuestros aliados\n", ""),
        "site.yaml:1:1: error: title: no title for the default language 'es'",
        "add 'es: ...' under title",
        id="site-title-missing-default-language",
    ),
    pytest.param(
        site_yaml("en: Our partners", "en: Our: partners"),
        "site.yaml:3:10: error: invalid YAML: mapping values are not allowed in this context",
        HINT_YAML,
        id="site-yaml-syntax",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "extra: [es, en\n"},
        "site.yaml:8:8: error: invalid YAML: while parsing a flow sequence did not find expected "
        "',' or ']'",
        HINT_YAML,
        id="site-yaml-unclosed-list",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "base_url: https://other.example.org/\n"},
        "site.yaml:8:1: error: duplicate key 'base_url' (first given at line 5)",
        "remove one of the two; YAML keeps only one value",
        id="site-duplicate-key",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML.replace("title:\n", "title: &t\n") + "slogan: *t\n"},
        "site.yaml:8:9: error: YAML aliases (*name) are not allowed",
        HINT_ALIAS,
        id="site-yaml-alias",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + BOMB},
        "site.yaml:9:8: error: YAML aliases (*name) are not allowed",
        HINT_ALIAS,
        id="site-yaml-alias-bomb",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML + "x: !!python/object/apply:os.system ['echo pwned']\n"},
        "site.yaml:8:4: error: unsupported YAML tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'",
        "remove the tag; allysite reads plain YAML only",
        id="site-yaml-python-tag",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML.encode("utf-16")},
        "site.yaml:1: error: file is UTF-16; allysite reads UTF-8 only",
        HINT_UTF8,
        id="site-utf16",
    ),
    pytest.param(
        # "  en: Our p" is 11 bytes, so the bad byte is line 3, column 12
        {"site.yaml": SITE_YAML.encode().replace(b"Our partners", b"Our p\xe9rtners")},
        "site.yaml:3:12: error: file is not valid UTF-8 (byte 0xe9 cannot be decoded)",
        HINT_UTF8,
        id="site-invalid-utf8",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML.replace("base_url", "base_\x00url")},
        "site.yaml:5: error: file contains a NUL character",
        "remove it; the file may not be text at all",
        id="site-nul-character",
    ),
    pytest.param(
        # "  en: Our p" is 11 characters: the bell is line 3, column 12
        {"site.yaml": SITE_YAML.replace("Our partners", "Our p\x07artners")},
        "site.yaml:3:12: error: file contains the control character U+0007, which is invisible",
        HINT_CONTROL,
        id="site-control-character",
    ),
    pytest.param(
        {"site.yaml": SITE_YAML.replace("en: Our partners", 'en: "Our \\x1b partners"')},
        "site.yaml:3:7: error: the text makes the control character U+001B, which is invisible",
        "remove the escape (\\x.., \\u....) that writes it: no web page or feed may carry it",
        id="site-escaped-control-character",
    ),
    pytest.param(
        {
            ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"].replace(
                "name: Fundación", "name: \u202eFundación"
            )
        },
        "content/partners/alpha/es.md:2:7: error: the text opens U+202E RIGHT-TO-LEFT OVERRIDE "
        "and does not close it",
        HINT_DIRECTION,
        id="partner-name-unclosed-override",
    ),
    pytest.param(
        {
            ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"].replace(
                "summary: Trabaja por la paz.", 'summary: "\u2067Trabaja por la paz.\u202a"'
            )
        },
        "content/partners/alpha/es.md:4:10: error: the text opens U+2067 RIGHT-TO-LEFT ISOLATE "
        "and does not close it",
        HINT_DIRECTION,
        id="partner-summary-unclosed-isolate",
    ),
    pytest.param(
        # the body's third line (file line 8): "Texto en " is 9 characters
        {ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"].replace("Texto en ", "Texto en \x7f")},
        "content/partners/alpha/es.md:8:10: error: file contains the control character "
        "U+007F, which is invisible",
        HINT_CONTROL,
        id="partner-body-control-character",
    ),
    pytest.param(
        # 100,000 nested quotes overflowed the Markdown parser's stack (a crash, no message);
        # the body starts on line 6, after the front matter and "## Mandato", a blank line
        {ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"] + "\n" + "> " * 100_000 + "deep\n"},
        "content/partners/alpha/es.md:10: error: the text nests quotes or list items more "
        "than 100 levels deep",
        "nest them 100 levels deep at most",
        id="partner-body-nested-too-deep",
    ),
    pytest.param(
        # nested 200,000 deep, the sanitizer would take hours; "Texto en " is line 8
        {ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"].replace("Texto en ", "<div>" * 200_000)},
        "content/partners/alpha/es.md:8: error: the text nests HTML elements more than 100 "
        "levels deep",
        "nest them 100 levels deep at most; close each element you open, e.g. </div>",
        id="partner-body-html-nested-too-deep",
    ),
    pytest.param(
        # 20,000 took the Markdown parser 13 s (a 5 MB file of them, a quarter of an hour).
        # The definitions start on line 10 (after the front matter, "## Mandato", a blank, the
        # text and a blank): the 1,001st is on line 1,010
        {
            ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"]
            + "\n"
            + "".join(f"[l{i}]: https://example.org/{i}\n" for i in range(20_000))
        },
        "content/partners/alpha/es.md:1010: error: the text defines more than 1000 link "
        "references ([name]: address)",
        "write the links inline, [text](https://...), or split the text",
        id="partner-body-too-many-link-references",
    ),
    pytest.param(
        # 100,000 equal headings took the parser's anchors about 7 minutes; the headings start
        # on line 10, and "## Mandato" on line 6 is the first: the 1,001st is on line 1,009
        {ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"] + "\n" + "## Mandato\n" * 100_000},
        "content/partners/alpha/es.md:1009: error: the text has more than 1000 headings",
        "split the text, or make some headings bold text",
        id="partner-body-too-many-headings",
    ),
    pytest.param(
        # emphasis nested 20,000 deep took the parser 3.6 s, and time grows with its square
        {
            ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"]
            + "\n"
            + "*a " * 20_000
            + "b"
            + " a*" * 20_000
        },
        "content/partners/alpha/es.md:10: error: a paragraph has more than 1000 emphasis "
        "marks (* and _)",
        "split the paragraph; write a literal * or _ as \\* or \\_",
        id="partner-body-too-much-emphasis",
    ),
    pytest.param(
        # each inline footnote left open doubled the parser's time: 30 of them on one line
        # took minutes (22 take about a second, so that the test ends without the limit too);
        # "Texto en " is on line 8
        {ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"].replace("Texto en ", "x ^[a " * 22)},
        "content/partners/alpha/es.md:8: error: a paragraph has more than 2 inline footnotes "
        "(^[) that are not plainly closed",
        "close each ^[note] with ], with no nested ^[, escape or | in it, or write it as [^1] "
        "and [^1]: note below; write a literal ^[ as ^\\[",
        id="partner-body-too-many-open-footnotes",
    ),
    pytest.param(
        # gettext compiles plural= into Python when it installs the catalog: this was an
        # internal error (exit 70)
        {
            PO: PO_HEADER.replace("\n\n", '\n"Plural-Forms: nplurals=2; plural=foo(n);\\n"\n\n')
            + 'msgid "Skip to content"\nmsgstr "Jump to content"\n'
        },
        f"{PO}:4: error: the Plural-Forms header's plural= is not a gettext expression: "
        "invalid token in plural form: foo",
        'write "Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
        id="po-plural-expression",
    ),
    *(
        pytest.param(
            # Babel's parser makes a list of nplurals strings per plural entry (a huge one took
            # all memory); a rule that divides by zero or names a form the catalog lacks broke
            # the templates that ask for a plural, or showed the source text without a word
            {
                PO: PO_HEADER.replace("\n\n", f'\n"Plural-Forms: {forms}\\n"\n\n')
                + 'msgid "%(num)d partner"\nmsgid_plural "%(num)d partners"\n'
                'msgstr[0] "%(num)d partner"\nmsgstr[1] "%(num)d partners"\n'
            },
            f"{PO}:4: error: the Plural-Forms header's {message}",
            'write "Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
            id=name,
        )
        for name, forms, message in (
            (
                "po-nplurals-over-cldr",
                "nplurals=7; plural=n%7;",
                "nplurals=7 is not a number from 1 to 6 (no language has more plural forms "
                "in CLDR)",
            ),
            (
                "po-nplurals-zero",
                "nplurals=0; plural=0;",
                "nplurals=0 is not a number from 1 to 6 (no language has more plural forms "
                "in CLDR)",
            ),
            (
                "po-plural-division-by-zero",
                "nplurals=2; plural=n/0;",
                "plural= fails for n=0: integer division or modulo by zero",
            ),
            (
                "po-plural-form-out-of-range",
                "nplurals=2; plural=n+100;",
                "plural= gives form 100 for n=0, but nplurals=2 allows 0 to 1",
            ),
            (
                "po-plural-form-out-of-range-late",
                "nplurals=2; plural=n>999 ? 2 : 0;",
                "plural= gives form 2 for n=1000, but nplurals=2 allows 0 to 1",
            ),
        )
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip to content"\nmsgstr "Jump\x1b to content"\n'},
        f"{PO}:6:13: error: file contains the control character U+001B, which is invisible",
        HINT_CONTROL,
        id="po-control-character",
    ),
    *(
        pytest.param(
            {PO: PO_HEADER + f'msgid "Skip to content"\nmsgstr "Jump to content{escape}"\n'},
            f"{PO}:6:24: error: the escape {escape} writes the control character {code}, "
            "which is invisible",
            "delete the escape: no web page or feed may carry the character it writes",
            id=f"po-control-character-escape-{escape[1:]}",
        )
        for escape, code in (
            ("\\a", "U+0007"),
            ("\\b", "U+0008"),
            ("\\f", "U+000C"),
            ("\\v", "U+000B"),
        )
    ),
    *(
        pytest.param(
            {PO: PO_HEADER + f'msgid "Skip to content"\nmsgstr "Jump to content{escape}"\n'},
            f"{PO}:6:24: error: the escape {escape} is read as written by Babel (which allysite "
            "reads catalogs with), but as one character by gettext",
            "write the character itself instead of its code",
            id=f"po-numeric-escape-{escape[1:]}",
        )
        for escape in ("\\x07", "\\007", "\\x41")
    ),
    # --- partner.yaml ----------------------------------------------------------------------
    pytest.param(
        {ALPHA + "partner.yaml": None},
        "content/partners/alpha: error: content/partners/alpha/ has no partner.yaml",
        "create content/partners/alpha/partner.yaml with website and kind",
        id="partner-yaml-missing",
    ),
    pytest.param(
        partner_yaml("website: https://alpha.example.org/\n", ""),
        "content/partners/alpha/partner.yaml:1:1: error: missing required field 'website'",
        "add a line 'website: ...'",
        id="partner-website-missing",
    ),
    pytest.param(
        partner_yaml("https://alpha.example.org/", "javascript:alert(1)"),
        "content/partners/alpha/partner.yaml:1:1: error: website: 'javascript:alert(1)' "
        + NOT_HTTP,
        None,
        id="partner-website-javascript",
    ),
    pytest.param(
        partner_yaml("https://alpha.example.org/", "data:text/html,hi"),
        f"content/partners/alpha/partner.yaml:1:1: error: website: 'data:text/html,hi' {NOT_HTTP}",
        None,
        id="partner-website-data",
    ),
    pytest.param(
        partner_yaml("https://alpha.example.org/", "alpha.example.org/about"),
        "content/partners/alpha/partner.yaml:1:1: error: website: 'alpha.example.org/about' "
        + NOT_HTTP,
        None,
        id="partner-website-relative",
    ),
    pytest.param(
        partner_yaml("https://alpha.example.org/", "https://:8080/about"),
        "content/partners/alpha/partner.yaml:1:1: error: website: 'https://:8080/about' has no "
        "host name: write the full address, e.g. https://example.org/",
        None,
        id="partner-website-without-host",
    ),
    pytest.param(
        {ALPHA + "partner.yaml": PARTNER_YAML + "email: info@alpha.example.org\n"},
        "content/partners/alpha/partner.yaml:7:1: error: unknown field 'email'",
        "allowed fields here: website, logo, partner_since, kind, regions, topics; "
        "check the spelling",
        id="partner-unknown-field",
    ),
    pytest.param(
        partner_yaml("2015-04", "2015-13"),
        "content/partners/alpha/partner.yaml:3:1: error: partner_since: '2015-13' is not a real "
        "date: check the month and the day",
        None,
        id="partner-date-month-13",
    ),
    pytest.param(
        partner_yaml("2015-04", "2015-02-30"),
        "content/partners/alpha/partner.yaml:3:1: error: partner_since: '2015-02-30' is not a "
        "real date: check the month and the day",
        None,
        id="partner-date-february-30",
    ),
    pytest.param(
        partner_yaml("2015-04", "15-04"),
        "content/partners/alpha/partner.yaml:3:1: error: partner_since: '15-04' is not a date: "
        "write YYYY, YYYY-MM or YYYY-MM-DD",
        None,
        id="partner-date-two-digit-year",
    ),
    pytest.param(
        partner_yaml("2015-04", "April 2015"),
        "content/partners/alpha/partner.yaml:3:1: error: partner_since: 'April 2015' is not a "
        "date: write YYYY, YYYY-MM or YYYY-MM-DD",
        None,
        id="partner-date-words",
    ),
    pytest.param(
        partner_yaml("2015-04", "\u0662\u0660\u0661\u0665-\u0660\u0664"),
        "content/partners/alpha/partner.yaml:3:1: error: partner_since: "
        "'\u0662\u0660\u0661\u0665-\u0660\u0664' is not a date: "
        "write YYYY, YYYY-MM or YYYY-MM-DD",
        None,
        id="partner-date-in-arabic-indic-digits",
    ),
    pytest.param(
        partner_yaml("kind: ngo", "kind: NGO Office"),
        f"content/partners/alpha/partner.yaml:4:1: error: kind: 'NGO Office' {SLUG_RULE}",
        None,
        id="partner-kind-not-slug",
    ),
    pytest.param(
        partner_yaml("[human-rights, peacebuilding]", "[Human-Rights, peacebuilding]"),
        f"content/partners/alpha/partner.yaml:6:10: error: topics[1]: 'Human-Rights' {SLUG_RULE}",
        None,
        id="partner-topic-uppercase",
    ),
    pytest.param(
        partner_yaml("[human-rights, peacebuilding]", "[human-rights, peace building]"),
        f"content/partners/alpha/partner.yaml:6:24: error: topics[2]: 'peace building' {SLUG_RULE}",
        None,
        id="partner-topic-space",
    ),
    pytest.param(
        partner_yaml("logo: logo.svg", "logo: ../alpha/logo.svg"),
        "content/partners/alpha/partner.yaml:2:1: error: logo: '../alpha/logo.svg' must be a "
        "file inside the partner's folder",
        "put the file beside partner.yaml and give its name only",
        id="partner-logo-dotdot",
    ),
    pytest.param(
        partner_yaml("logo: logo.svg", "logo: /etc/hostname"),
        "content/partners/alpha/partner.yaml:2:1: error: logo: '/etc/hostname' must be a file "
        "inside the partner's folder",
        "put the file beside partner.yaml and give its name only",
        id="partner-logo-absolute",
    ),
    pytest.param(
        partner_yaml("logo: logo.svg", "logo: Logo.svg"),
        "content/partners/alpha/partner.yaml:2:1: error: logo: file 'Logo.svg' does not exist in "
        "content/partners/alpha/",
        "add the file or fix its name (names are case-sensitive)",
        id="partner-logo-missing",
    ),
    pytest.param(
        {
            **partner_yaml("logo: logo.svg", "logo: .logo.svg"),
            ALPHA + ".logo.svg": MINIMAL_SITE[ALPHA + "logo.svg"],
        },
        "content/partners/alpha/partner.yaml:2:1: error: logo: '.logo.svg' names a hidden "
        "file: names that start with a dot are never published",
        "rename the file (and its folders) without the leading dot",
        id="partner-logo-hidden",
    ),
    pytest.param(
        {
            **partner_yaml("logo: logo.svg", "logo: logo.svg~"),
            ALPHA + "logo.svg~": MINIMAL_SITE[ALPHA + "logo.svg"],
        },
        "content/partners/alpha/partner.yaml:2:1: error: logo: 'logo.svg~' is named as an "
        "editor's backup or temporary file (#name, name~, name.swp...), which is never published",
        "give the logo an ordinary name, such as logo.svg",
        id="partner-logo-editors-backup",
    ),
    pytest.param(
        {
            "content/partners/Bad_Slug/partner.yaml": PARTNER_YAML,
            "content/partners/Bad_Slug/es.md": MINIMAL_SITE[ALPHA + "es.md"],
            "content/partners/Bad_Slug/logo.svg": MINIMAL_SITE[ALPHA + "logo.svg"],
        },
        "content/partners/Bad_Slug: error: folder name 'Bad_Slug' is not a valid slug",
        "rename the folder with lowercase ASCII letters, digits and hyphens, e.g. 'un-women'",
        id="partner-folder-not-slug",
    ),
    # --- <lang>.md -------------------------------------------------------------------------
    pytest.param(
        {ALPHA + "es.md": None},
        "content/partners/alpha: error: content/partners/alpha/ has no es.md, the default "
        "language's text",
        "create content/partners/alpha/es.md; other languages fall back to it",
        id="md-default-language-missing",
    ),
    pytest.param(
        {ALPHA + "de.md": "---\nname: Alpha-Stiftung\nsummary: Arbeitet für den Frieden.\n---\n"},
        "content/partners/alpha/de.md: error: 'de' is not one of the site's languages (es, en, ar)",
        "add the language to site.yaml",
        id="md-language-not-in-site",
    ),
    pytest.param(
        {ALPHA + "EN.md": "---\nname: Alpha Foundation\nsummary: Works for peace.\n---\n"},
        "content/partners/alpha/EN.md: error: 'EN.md' is not named as site.yaml writes its "
        "language, 'en'",
        "rename the file to en.md",
        id="md-language-in-other-letters",
    ),
    pytest.param(
        {ALPHA + "notes.md": "---\nname: Notes\nsummary: Internal notes.\n---\n"},
        "content/partners/alpha/notes.md: error: 'notes.md' is not named after a language code",
        "name translations <lang>.md, e.g. es.md or ar.md",
        id="md-not-named-after-language",
    ),
    pytest.param(
        {ALPHA + "es.md": "name: Fundación Alfa\nsummary: Trabaja por la paz.\n\nTexto.\n"},
        "content/partners/alpha/es.md:1: error: missing front matter: the file must start with "
        "a line '---'",
        "start the file with '---', the fields (name, summary...), then '---'",
        id="md-no-front-matter",
    ),
    pytest.param(
        {ALPHA + "es.md": "---\nname: Fundación Alfa\nsummary: Trabaja por la paz.\n\nTexto.\n"},
        "content/partners/alpha/es.md:1: error: front matter is not closed by a line '---'",
        "add a line '---' after the last field",
        id="md-front-matter-unclosed",
    ),
    pytest.param(
        {ALPHA + "es.md": "---\nshort_name: FA\nsummary: Trabaja por la paz.\n---\nTexto.\n"},
        "content/partners/alpha/es.md:2:1: error: missing required field 'name'",
        "add a line 'name: ...'",
        id="md-name-missing",
    ),
    pytest.param(
        {ALPHA + "es.md": "---\nname: Fundación Alfa\nsummary: ''\n---\nTexto.\n"},
        "content/partners/alpha/es.md:3:1: error: summary: must not be empty",
        None,
        id="md-summary-empty-quotes",
    ),
    pytest.param(
        {ALPHA + "es.md": "---\nname: Fundación Alfa\nsummary: '   '\n---\nTexto.\n"},
        "content/partners/alpha/es.md:3:1: error: summary: must not be empty",
        None,
        id="md-summary-blank",
    ),
    pytest.param(
        {ALPHA + "es.md": "---\nname: Fundación Alfa\nsummary:\n---\nTexto.\n"},
        "content/partners/alpha/es.md:3:1: error: summary: must not be empty",
        None,
        id="md-summary-left-empty",
    ),
    pytest.param(
        {ALPHA + "es.md": "---\ntitle: Alfa\nname: Fundación Alfa\nsummary: Paz.\n---\nTexto.\n"},
        "content/partners/alpha/es.md:2:1: error: unknown field 'title'",
        "allowed fields here: name, short_name, summary, translation, translated_from; check "
        "the spelling",
        id="md-unknown-field",
    ),
    pytest.param(
        {
            ALPHA + "en.md": "---\nname: Alpha Foundation\nsummary: Peace.\n"
            "translated_from: {titel: 971a5764}\n---\nText.\n"
        },
        "content/partners/alpha/en.md:4:19: error: unknown field 'translated_from.titel'",
        "allowed fields here: name, short_name, summary, body; check the spelling",
        id="md-unknown-stamped-field",
    ),
    pytest.param(
        {
            ALPHA + "es.md": "---\nname: Fundación Alfa\nshort_name: FA\nsummary: Paz\nwebsite\n"
            "---\nTexto.\n"
        },
        "content/partners/alpha/es.md:5:1: error: invalid YAML: while scanning a simple key "
        "could not find expected ':'",
        HINT_YAML,
        id="md-front-matter-yaml-missing-colon",
    ),
    pytest.param(
        # "summary: Trabaja" is 16 characters: the second ': ' is at line 4, column 17
        {
            ALPHA + "es.md": "---\nname: Fundación Alfa\nshort_name: FA\nsummary: Trabaja: paz.\n"
            "---\nTexto.\n"
        },
        "content/partners/alpha/es.md:4:17: error: invalid YAML: mapping values are not allowed "
        "in this context",
        HINT_YAML,
        id="md-front-matter-yaml-colon",
    ),
    pytest.param(
        {"content/pages/about/es.md": "---\nname: Acerca de\nname: Sobre\n---\nUn directorio.\n"},
        "content/pages/about/es.md:3:1: error: duplicate key 'name' (first given at line 2)",
        "remove one of the two; YAML keeps only one value",
        id="md-page-duplicate-key",
    ),
    # --- taxonomies.yaml -------------------------------------------------------------------
    pytest.param(
        {"taxonomies.yaml": "kinds:\n  ngo:\n    es: ONG\ncolors:\n  red:\n    es: Rojo\n"},
        "taxonomies.yaml:4:1: error: unknown field 'colors'",
        "allowed fields here: kinds, regions, topics; check the spelling",
        id="taxonomies-unknown-taxonomy",
    ),
    pytest.param(
        {"taxonomies.yaml": "kinds:\n  ngo:\n    es: ONG\n    fr: ONG\n"},
        "taxonomies.yaml:4:5: error: kinds.ngo: 'fr' is not one of the site's languages",
        "languages are: es, en, ar",
        id="taxonomies-label-language-not-in-site",
    ),
    # --- pages -----------------------------------------------------------------------------
    pytest.param(
        {"content/pages/partners/es.md": "---\nname: Socios\n---\nTexto.\n"},
        "content/pages/partners: error: page slug 'partners' is reserved for generated pages",
        "rename the folder",
        id="page-reserved-slug",
    ),
    # --- templates -------------------------------------------------------------------------
    pytest.param(
        {
            "templates/home.html": '{% extends "base.html" %}\n{% block main %}\n'
            "<h1>{{ site.title }</h1>\n{% endblock %}\n"
        },
        "templates/home.html:3: error: template syntax error: unexpected '}'",
        HINT_TEMPLATE,
        id="template-syntax-error",
    ),
    pytest.param(
        {
            "templates/home.html": '{% extends "base.html" %}\n{% block main %}\n'
            "<h1>{{ site.title }}</h1>\n{% endfor %}\n{% endblock %}\n"
        },
        "templates/home.html:4: error: template syntax error: Encountered unknown tag 'endfor'. "
        "Jinja was looking for the following tags: 'endblock'. The innermost block that needs "
        "to be closed is 'block'.",
        HINT_TEMPLATE,
        id="template-unknown-end-tag",
    ),
    pytest.param(
        {"templates/unused.html": "<p>\n{{ x }\n</p>\n"},
        "templates/unused.html:2: error: template syntax error: unexpected '}'",
        HINT_TEMPLATE,
        id="template-syntax-error-in-unused-template",
    ),
    pytest.param(
        {
            "templates/home.html": '{% extends "base.html" %}\n{% block main %}\n'
            "<h1>{{ site.title }}</h1>\n<p>{{ no_such_variable }}</p>\n"
            "{% endblock %}\n"
        },
        "templates/home.html:4: error: template error: 'no_such_variable' is undefined",
        "first seen on /es/, rendered with home.html",
        id="template-undefined-variable",
    ),
    pytest.param(
        {
            "templates/home.html": '{% extends "base.html" %}\n{% block main %}\n'
            "<h1>{{ site.title }}</h1>\n\n<p>{{ site.no_such_attr }}</p>\n"
            "{% endblock %}\n"
        },
        "templates/home.html:5: error: template error: SiteView has no attribute 'no_such_attr'",
        "first seen on /es/, rendered with home.html",
        id="template-undefined-attribute",
    ),
    pytest.param(
        {"templates/partials/footer.html": "{% if 1 %}" * 2000 + "{% endif %}" * 2000},
        "templates/partials/footer.html: error: template cannot be compiled: it nests too deeply",
        HINT_NESTING,
        id="template-nested-too-deeply",
    ),
    pytest.param(
        {"templates/partials/footer.html": "{{ " + "9" * 5000 + " }}"},
        "templates/partials/footer.html: error: template cannot be compiled: a number in it "
        "has more digits than Python reads (4,300)",
        HINT_NESTING,
        id="template-number-too-long",
    ),
    pytest.param(
        {"content/partners/alpha/partner.yaml": "website: https://a.org/\nkind: " + "9" * 5000},
        "content/partners/alpha/partner.yaml:2:7: error: this number has 5000 digits: "
        "allysite reads at most 4000",
        "quote it if it is meant as text",
        id="yaml-number-too-long",
    ),
    # --- locales ---------------------------------------------------------------------------
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip to content"\nmsgstr "Saltar al contenido\n'},
        f"{PO}:6: error: this line is not valid gettext PO syntax",
        HINT_PO,
        id="po-missing-closing-quote",
    ),
    pytest.param(
        {PO: PO_HEADER + '#. a note\nmsgid "Skip to content\nmsgstr "Jump to content"\n'},
        f"{PO}:6: error: this line is not valid gettext PO syntax",
        HINT_PO,
        id="po-missing-closing-quote-in-msgid",
    ),
    pytest.param(
        {PO: '"orphan continuation"\n' + PO_HEADER},
        f'{PO}:1: error: invalid PO file: Got line starting with " but not in msgid, msgstr '
        "or msgctxt",
        HINT_PO_ENTRY,
        id="po-orphan-continuation-line-1",
    ),
    pytest.param(
        {"templates/partials/footer.html": b"<footer>\n\xff caf\xe9</footer>\n"},
        "templates/partials/footer.html:2: error: template is not valid UTF-8 (byte 0xff cannot "
        "be decoded)",
        "save the file as UTF-8 in your editor",
        id="template-not-utf8",
    ),
    pytest.param(
        {ALPHA + "en.md": "---\nname: Alpha\n---\n" + "word " * 1_100_000},
        "content/partners/alpha/en.md: error: file is larger than 5 MB",
        "split it or move large data out of content/",
        id="text-over-5-mb",
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip to content"\nmsgid "Skip"\nmsgstr "Jump"\n'},
        f"{PO}:5: error: invalid PO file: missing msgstr for msgid 'Skip to content'",
        HINT_PO_ENTRY,
        id="po-missing-msgstr",
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip to content"\nmsgstr "Aller \\q"\n'},
        f"{PO}:6:15: error: \\q is not a valid escape in a PO string (msgfmt refuses the file)",
        HINT_PO_ESCAPE,
        id="po-invalid-escape",
    ),
    pytest.param(
        {
            PO: PO_HEADER
            + 'msgid "Skip to content"\nmsgstr "Jump"\n\n#~ msgid "Old"\n#~ msgstr "V\\q"\n'
        },
        f"{PO}:9:13: error: \\q is not a valid escape in a PO string (msgfmt refuses the file)",
        HINT_PO_ESCAPE,
        id="po-invalid-escape-in-obsolete-entry",
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip to content"\nmsgstr[0] "Jump to content"\n'},
        f"{PO}:6: error: msgstr[0] on an entry that has no msgid_plural",
        'write msgstr "..." for an entry without plural forms, or add the msgid_plural of the '
        "source text",
        id="po-plural-msgstr-without-msgid-plural",
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip"\nmsgstr "Jump"\n\nmsgstr "Jump to content"\n'},
        f"{PO}:8: error: this msgstr has no msgid before it",
        "add the msgid it translates, or remove the line (an entry has one msgstr)",
        id="po-msgstr-without-msgid",
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip"\nmsgstr "Jump"\nmsgstr "Jump to content"\n'},
        f"{PO}:7: error: this msgstr has no msgid before it",
        "add the msgid it translates, or remove the line (an entry has one msgstr)",
        id="po-second-msgstr-of-an-entry",
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip"\nmsgid_plural "Skips"\nmsgstr "Jump"\n'},
        f"{PO}:7: error: this entry has a msgid_plural: its translations are msgstr[0], "
        "msgstr[1]...",
        "number the msgstr of each plural form, or remove msgid_plural",
        id="po-plain-msgstr-after-msgid-plural",
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip"\nmsgstr "Jump"\nmsgid_plural "Skips"\n'},
        f"{PO}:7: error: msgid_plural must come right after its entry's msgid",
        "write msgid, msgid_plural, then msgstr[0], msgstr[1]...",
        id="po-msgid-plural-after-msgstr",
    ),
    pytest.param(
        {PO: PO_HEADER + 'msgid "Skip"\nmsgid_plural "Skips"\nmsgstr[1] "Js"\nmsgstr[0] "J"\n'},
        f"{PO}:7: error: msgstr[1] comes where msgstr[0] should: gettext numbers an entry's "
        "plural forms from 0, in order",
        HINT_PLURAL_NUMBERS,
        id="po-plural-forms-out-of-order",
    ),
    pytest.param(
        {
            PO: PO_HEADER
            + 'msgid "Skip"\nmsgid_plural "Skips"\nmsgstr[0] "J"\nmsgstr[0] "Js"\n'
            + 'msgstr[1] "Js"\n'
        },
        f"{PO}:8: error: msgstr[0] comes where msgstr[1] should: gettext numbers an entry's "
        "plural forms from 0, in order",
        HINT_PLURAL_NUMBERS,
        id="po-plural-form-twice",
    ),
]


@pytest.mark.parametrize(("files", "message", "hint"), FAULTS)
def test_fault_is_reported_at_its_line_and_output_kept(
    make_site: MakeSite, files: Mapping[str, str | bytes | None], message: str, hint: str | None
) -> None:
    site, snapshot = built(make_site)
    apply(site, files)
    result = site.build()
    assert_one_fault(result, site, snapshot, message, hint)


def test_missing_site_yaml(make_site: MakeSite) -> None:
    site, snapshot = built(make_site)
    site.remove("site.yaml")
    result = site.build()
    assert_one_fault(
        result,
        site,
        snapshot,
        f"site.yaml: error: no site.yaml in {site.root.resolve()}",
        "run allysite in a site folder, or pass --site DIR",
    )


def test_logo_symlink_outside_the_site(make_site: MakeSite, tmp_path: Path) -> None:
    site, snapshot = built(make_site)
    outside = tmp_path / "secret.svg"
    outside.write_text("<svg/>", encoding="utf-8")
    site.remove(ALPHA + "logo.svg")
    os.symlink(outside, site.root / ALPHA / "logo.svg")
    result = site.build()
    assert_one_fault(
        result,
        site,
        snapshot,
        "content/partners/alpha/logo.svg: error: symbolic link leads outside the site, in a loop "
        "or nowhere",
        "copy the file into the folder instead",
    )
    assert outside.read_text(encoding="utf-8") == "<svg/>"


@pytest.mark.parametrize("linked", [PO, "locales/en"], ids=["the catalog", "its folder"])
def test_catalog_symlink_outside_the_site(make_site: MakeSite, tmp_path: Path, linked: str) -> None:
    """As under content/: a catalog from elsewhere on the machine had its text published."""
    site, snapshot = built(make_site)
    outside = tmp_path / "elsewhere" / "en"
    catalog = outside / "LC_MESSAGES" / "messages.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(
        PO_HEADER + 'msgid "Skip to content"\nmsgstr "Secret from elsewhere"\n', encoding="utf-8"
    )
    (site.root / linked).parent.mkdir(parents=True, exist_ok=True)
    target = catalog if linked == PO else outside
    os.symlink(target, site.root / linked)
    result = site.build()
    assert_one_fault(
        result,
        site,
        snapshot,
        f"{PO}: error: symbolic link leads outside the site, in a loop or nowhere "
        f"({linked} is a symbolic link to {target})",
        "copy the catalog into the site's locales/ folder instead",
    )
    status = CliRunner().invoke(cli, ["i18n", "status", "--site", str(site.root)])
    assert status.exit_code == 1
    assert status.stderr.startswith(f"{PO}: error: symbolic link leads outside the site")


def test_a_problem_of_a_catalog_in_a_linked_folder_names_the_link(make_site: MakeSite) -> None:
    """locales/en linked to a folder of the site that holds the translations (a checkout of
    the translators' repository): the problem is told at the path the site wrote, and says
    where the link leads, the file the translators' tools show."""
    site = make_site(
        {"translations/en/LC_MESSAGES/messages.po": PO_HEADER + 'msgid "Skip to content"\n'}
    )
    shutil.rmtree(site.root / "locales" / "en", ignore_errors=True)
    (site.root / "locales").mkdir(exist_ok=True)
    os.symlink("../translations/en", site.root / "locales" / "en")
    result = site.build()
    assert result.exit_code == 1
    line = PO_HEADER.count("\n") + 1
    assert result.stderr.splitlines()[0] == (
        f"{PO}:{line}: error: invalid PO file: missing msgstr for msgid 'Skip to content' "
        "(locales/en is a symbolic link to translations/en)"
    )


def test_logo_symlink_outside_the_partner_folder(make_site: MakeSite) -> None:
    site, snapshot = built(make_site)
    site.write(
        {
            "content/pages/about/picture.svg": "<svg/>",
            **partner_yaml("logo: logo.svg", "logo: link.svg"),
        }
    )
    os.symlink(site.root / "content/pages/about/picture.svg", site.root / ALPHA / "link.svg")
    result = site.build()
    assert_one_fault(
        result,
        site,
        snapshot,
        "content/partners/alpha/partner.yaml:2:1: error: logo: 'link.svg' is a link "
        "that leads outside the partner's folder",
        "copy the file into the folder instead of linking to it",
    )


def test_logo_in_a_linked_folder_outside_the_partner_folder(make_site: MakeSite) -> None:
    """The link is a folder on the way to the logo, not the logo itself."""
    site, snapshot = built(make_site)
    site.write(
        {
            "content/pages/about/art/picture.svg": "<svg/>",
            **partner_yaml("logo: logo.svg", "logo: art/picture.svg"),
        }
    )
    os.symlink(site.root / "content/pages/about/art", site.root / ALPHA / "art")
    result = site.build()
    assert_reported(
        result,
        "content/partners/alpha/partner.yaml:2:1: error: logo: 'art/picture.svg' is a link "
        "that leads outside the partner's folder",
        "copy the file into the folder instead of linking to it",
    )
    assert f"{ALPHA}art: warning: this symbolic link to a folder is not followed" in result.stderr
    assert result.stderr.splitlines()[-1] == ONE_ERROR.replace("0 warning", "1 warning")
    assert site.output_files() == snapshot


def test_static_symlink_outside_the_site(make_site: MakeSite, tmp_path: Path) -> None:
    site, snapshot = built(make_site)
    outside = tmp_path / "passwords.txt"
    outside.write_text("secret\n", encoding="utf-8")
    (site.root / "static").mkdir()
    os.symlink(outside, site.root / "static" / "robots-extra.txt")
    result = site.build()
    assert_one_fault(
        result,
        site,
        snapshot,
        "static/robots-extra.txt: error: symbolic link leads outside the site, in a loop or "
        "nowhere",
        "copy the file into static/ instead",
    )


def test_stray_file_is_a_warning_and_an_error_with_strict(make_site: MakeSite) -> None:
    site, snapshot = built(make_site)
    site.write({"content/partners/readme.txt": "notes\n"})
    message = (
        "content/partners/readme.txt: {}: 'readme.txt' is not in an item folder and is ignored"
    )
    hint = "move it into content/partners/<slug>/"
    result = site.build("--strict")
    assert_one_fault(result, site, snapshot, message.format("error"), hint)
    result = site.build()
    assert result.exit_code == 0, result.output
    assert message.format("warning") in result.stderr.splitlines()


def test_po_duplicate_msgid_is_reported(make_site: MakeSite) -> None:
    site, snapshot = built(make_site)
    site.write(
        {
            PO: PO_HEADER + 'msgid "Skip to content"\nmsgstr "Jump"\n\n'
            'msgid "Skip to content"\nmsgstr "Jump to the text"\n'
        }
    )
    result = site.build()
    assert result.exit_code == 1, result.output
    assert any(
        line.startswith(f"{PO}:8:") and "duplicate" in line for line in result.stderr.splitlines()
    ), result.stderr
    assert site.output_files() == snapshot


def test_a_huge_nplurals_is_refused_before_an_entry_is_parsed_with_it(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Babel's parser makes a list of nplurals strings for each plural entry: with this
    header a build took all the memory it could, then failed with an internal error. Babel's
    parser is watched, so that without the check this test fails instead of doing the same."""
    parse_entry = PoFileParser._add_message

    def watched(parser: PoFileParser) -> None:
        assert parser.catalog.num_plurals <= 6, "Babel parsed an entry with a huge nplurals"
        parse_entry(parser)

    monkeypatch.setattr(PoFileParser, "_add_message", watched)
    site, snapshot = built(make_site)
    header = '\n"Plural-Forms: nplurals=999999999999; plural=n;\\n"\n\n'
    site.write(
        {
            PO: PO_HEADER.replace("\n\n", header)
            + 'msgid "%(num)d partner"\nmsgid_plural "%(num)d partners"\nmsgstr[0] "one"\n'
        }
    )
    assert_one_fault(
        site.build(),
        site,
        snapshot,
        f"{PO}:4: error: the Plural-Forms header's nplurals=999999999999 is not a number from "
        "1 to 6 (no language has more plural forms in CLDR)",
        'write "Plural-Forms: nplurals=2; plural=(n != 1);\\n"',
    )


@pytest.mark.parametrize("since", ["2015", "2015-04", "2015-04-30", "2016-02-29"])
def test_valid_partner_dates_build(make_site: MakeSite, since: str) -> None:
    site = make_site(partner_yaml("2015-04", since))
    result = site.build()
    assert result.exit_code == 0, result.output


def test_bom_crlf_and_decomposed_text_are_accepted_and_nfc(make_site: MakeSite) -> None:
    bom = b"\xef\xbb\xbf"
    site = make_site(
        {
            "site.yaml": bom + SITE_YAML.replace("\n", "\r\n").encode(),
            ALPHA + "es.md": bom
            + (
                "---\r\nname: Fundacio\u0301n Alfa\r\nsummary: Trabaja por la paz.\r\n---\r\n"
                "Texto en **espan\u0303ol**.\r\n"
            ).encode(),
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.html("/es/partners/alpha/")
    assert page.find("h1").get_text(strip=True) == "Fundación Alfa"
    assert "español" in page.get_text()
    raw = (site.out / "es/partners/alpha/index.html").read_text(encoding="utf-8")
    assert "\u0301" not in raw and "\u0303" not in raw
    assert "\r" not in raw
    assert "\ufeff" not in raw
    assert "Our partners" in site.html("/en/").get_text()


def test_closed_direction_formatting_is_kept_in_names(make_site: MakeSite) -> None:
    """An isolate around an Arabic name in a Spanish one, closed: what a careful editor writes
    (only formatting left open is refused)."""
    name = "Fundación \u2067ألفا\u2069 Alfa"
    site = make_site(
        {ALPHA + "es.md": MINIMAL_SITE[ALPHA + "es.md"].replace("Fundación Alfa", name)}
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.html("/es/partners/alpha/")
    assert page.find("h1").get_text(strip=True).startswith(name)
    assert page.find("title").get_text().startswith(name + " · ")


@pytest.mark.parametrize(
    "value",
    [
        "NO",
        "no",
        "No",
        "off",
        "yes",
        "01234",
        "1984",
        "2015-04-01",
        "1.50",
        "1e3",
    ],
)
def test_plain_scalars_stay_the_text_written(make_site: MakeSite, value: str) -> None:
    site = make_site({ALPHA + "es.md": f"---\nname: {value}\nsummary: {value}\n---\nTexto.\n"})
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.html("/es/partners/alpha/")
    assert page.find("h1").get_text(strip=True) == value
    assert page.find(class_="lead").get_text(strip=True) == value


def test_three_faults_in_three_files_are_all_reported(make_site: MakeSite) -> None:
    site, snapshot = built(make_site)
    apply(
        site,
        {
            **partner_yaml("https://alpha.example.org/", "javascript:alert(1)"),
            "content/pages/about/es.md": "---\nsummary: Un directorio.\n---\nTexto.\n",
            "templates/home.html": '{% extends "base.html" %}\n{% block main %}\n{{ x }\n'
            "{% endblock %}\n",
        },
    )
    result = site.build()
    assert_reported(result, "content/pages/about/es.md:2:1: error: missing required field 'name'")
    assert_reported(
        result,
        "content/partners/alpha/partner.yaml:1:1: error: website: 'javascript:alert(1)' "
        + NOT_HTTP,
    )
    assert_reported(result, "templates/home.html:3: error: template syntax error: unexpected '}'")
    assert result.stderr.splitlines()[-1] == ONE_ERROR.replace("1 error(s)", "3 error(s)")
    assert site.output_files() == snapshot


# --- the output folder ---------------------------------------------------------------------


def build_into(site: Site, out: Path) -> Result:
    return CliRunner().invoke(
        cli, ["build", "--site", str(site.root), "--out", str(out)], catch_exceptions=False
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


HINT_OUT = "choose a separate folder for the output, e.g. --out build"


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        pytest.param(".", "contains the site itself", id="out-is-the-site"),
        pytest.param("..", "contains the site itself", id="out-is-a-parent-of-the-site"),
        pytest.param("content", "is inside the site's content/", id="out-is-content"),
        pytest.param("content/partners", "is inside the site's content/", id="out-in-content"),
        pytest.param("templates", "is inside the site's templates/", id="out-is-templates"),
    ],
)
def test_output_folder_that_would_destroy_sources_is_refused(
    make_site: MakeSite, tmp_path: Path, where: str, problem: str
) -> None:
    site, snapshot = built(make_site)
    site.write({"templates/.keep": ""})
    before = tree(tmp_path)
    out = (site.root / where).resolve()
    result = build_into(site, out)
    assert_reported(result, f"error: the output folder {out} {problem}", HINT_OUT)
    assert result.stderr.splitlines()[-1] == ONE_ERROR
    assert tree(tmp_path) == before
    assert site.output_files() == snapshot


def test_output_folder_not_made_by_allysite_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    mine = tmp_path / "my-documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work\n", encoding="utf-8")
    (mine / "notes").mkdir()
    (mine / "notes" / "a.md").write_text("a\n", encoding="utf-8")
    before = tree(mine)
    result = build_into(site, mine)
    assert_reported(
        result,
        f"error: the output folder {mine.resolve()} is not empty and was not made by allysite",
        "allysite replaces the whole folder: empty it, or choose another --out",
    )
    assert result.stderr.splitlines()[-1] == ONE_ERROR
    assert tree(mine) == before
    assert sorted(p.name for p in mine.iterdir()) == ["notes", "thesis.txt"]


def test_output_path_that_is_a_file_is_refused(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    target = tmp_path / "out.html"
    target.write_text("keep me\n", encoding="utf-8")
    result = build_into(site, target)
    assert_reported(
        result,
        f"error: the output path {target.resolve()} exists and is not a folder",
        HINT_OUT,
    )
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_empty_output_folder_and_previous_output_are_accepted(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert build_into(site, empty).exit_code == 0
    assert (empty / ".allysite-output").is_file()
    # a folder made by allysite is replaced by the next build
    assert build_into(site, empty).exit_code == 0
    assert (empty / "es" / "index.html").is_file()


def test_a_symlink_loop_is_a_message_not_a_crash(make_site: MakeSite) -> None:
    site, snapshot = built(make_site)
    os.symlink("loop", site.root / ALPHA / "loop")
    result = site.build()
    assert_one_fault(
        result,
        site,
        snapshot,
        "content/partners/alpha/loop: error: symbolic link leads outside the site, in a loop or "
        "nowhere",
        "copy the file into the folder instead",
    )


def _pipe_for_a_text(root: Path) -> None:
    """Opening a pipe to read waits for a writer: the build would hang, with no message."""
    (root / ALPHA / "en.md").unlink()
    os.mkfifo(root / ALPHA / "en.md")


def _pipe_in_static(root: Path) -> None:
    (root / "static").mkdir(exist_ok=True)
    os.mkfifo(root / "static/site.webmanifest")


def _pipe_for_a_template(root: Path) -> None:
    (root / "templates").mkdir(exist_ok=True)
    os.mkfifo(root / "templates/extra.html")


def _static_linked_outside(root: Path) -> None:
    """Its files would be published from elsewhere on the machine (they were)."""
    outside = root.parent / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the web")
    shutil.rmtree(root / "static", ignore_errors=True)
    os.symlink(outside, root / "static")


def _partner_folder_linked_outside(root: Path) -> None:
    outside = root.parent / "elsewhere"
    shutil.copytree(root / ALPHA, outside)
    os.symlink(outside, root / "content/partners/gamma")


def _pages_folder_linked_in_a_loop(root: Path) -> None:
    shutil.rmtree(root / "content/pages")
    os.symlink("pages", root / "content/pages")


@pytest.mark.parametrize(
    ("make", "message", "hint"),
    [
        pytest.param(
            _pipe_for_a_text,
            "content/partners/alpha/en.md: error: cannot read file: it is not a regular file "
            "(a pipe or a device)",
            "replace it with a text file",
            id="named-pipe",
        ),
        pytest.param(  # copied, not read: refused by name all the same
            _pipe_in_static,
            "static/site.webmanifest: error: cannot read the site: it is not a regular file "
            "(a pipe or a device)",
            "replace it with a regular file",
            id="named-pipe-in-static",
        ),
        pytest.param(  # Jinja lists it, and reads only regular files
            _pipe_for_a_template,
            "templates/extra.html: error: template cannot be read: it is not a regular file "
            "(a pipe or a device)",
            "replace it with a regular file",
            id="named-pipe-for-a-template",
        ),
        pytest.param(
            _static_linked_outside,
            "static: error: symbolic link leads outside the site, in a loop or nowhere",
            "copy the folder into the site instead",
            id="static-folder-linked-outside",
        ),
        pytest.param(
            _partner_folder_linked_outside,
            "content/partners/gamma: error: symbolic link leads outside the site, in a loop or "
            "nowhere",
            "copy the folder into the site instead",
            id="partner-folder-linked-outside",
        ),
        pytest.param(  # a problem of the site, at the folder, not one of writing the output
            _pages_folder_linked_in_a_loop,
            "content/pages: error: cannot read the site: Too many levels of symbolic links",
            "check its permissions; a symbolic link may lead nowhere or in a loop",
            id="folder-linked-in-a-loop",
        ),
    ],
)
def test_what_is_no_file_to_read_is_reported_not_waited_on(
    make_site: MakeSite, make: Callable[[Path], None], message: str, hint: str
) -> None:
    site, snapshot = built(make_site)
    make(site.root)
    assert_one_fault(site.build(), site, snapshot, message, hint)


def test_a_file_name_that_is_not_utf8_is_refused_by_name(make_site: MakeSite) -> None:
    """A file from another system's disk or archive: no address, feed or sitemap could name
    it, and it stopped the build as an internal error."""
    site, snapshot = built(make_site)
    (site.root / "static").mkdir(exist_ok=True)
    with open(os.fsencode(site.root / "static") + b"/plan-\xe9t\xe9.pdf", "wb") as file:
        file.write(b"%PDF")
    assert_one_fault(
        site.build(),
        site,
        snapshot,
        "static/plan-\ufffdt\ufffd.pdf: error: file name is not UTF-8 (shown with U+FFFD "
        "where its bytes are)",
        "rename the file: no web address can carry a name that is not UTF-8",
    )


def test_a_file_with_many_problems_shows_the_first_twenty(make_site: MakeSite) -> None:
    site, snapshot = built(make_site)
    fields = "".join(f"k{i}: v\n" for i in range(30))
    site.write({ALPHA + "en.md": f"---\nname: A\nsummary: S.\n{fields}---\n"})
    result = site.build()
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(lines) == 21
    assert (
        "content/partners/alpha/en.md:2:1: error: 10 more problem(s) in this file are not shown"
        in lines
    )
    assert site.output_files() == snapshot


def test_a_missing_included_template_is_named(make_site: MakeSite) -> None:
    site, snapshot = built(make_site)
    site.write({"templates/home.html": '{% extends "base.html" %}\n{% include "nope.html" %}\n'})
    result = site.build()
    assert result.exit_code == 1
    assert (
        "templates/home.html:2: error: template error: 'nope.html' does not exist (check the "
        "name in include/extends/import)" in result.stderr.splitlines()
    )
    assert site.output_files() == snapshot


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize(
    "folder",
    ["content/partners/alpha", "content/partners/alpha/img", "static", "content/pages/about"],
)
def test_an_unreadable_folder_is_an_error_not_content_left_out(
    make_site: MakeSite, command: str, folder: str
) -> None:
    """os.walk and os.scandir's callers skipped a folder they could not list: the build
    exited 0 without the partner (or its images, or the static files) and with no word."""
    prefix = without_root_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to count")
    site = make_site(
        {
            "content/partners/alpha/img/photo.svg": MINIMAL_SITE[ALPHA + "logo.svg"],
            "static/favicon.txt": "x\n",
        }
    )
    (site.root / folder).chmod(0)
    out = ["--out", str(site.out)] if command == "build" else []
    ran = subprocess.run(
        [*prefix, sys.executable, "-m", "allysite", command, "--site", str(site.root), *out],
        capture_output=True,
        text=True,
    )
    (site.root / folder).chmod(0o755)
    said = ran.stdout + ran.stderr  # (check lists its problems on the standard output)
    assert ran.returncode == 1, said
    assert f"{folder}: error: cannot read the folder: Permission denied" in said
    assert "hint: check the folder's permissions" in said
    assert "Traceback" not in said


def test_a_linked_folder_inside_an_item_or_static_is_said_not_to_be_followed(
    make_site: MakeSite,
) -> None:
    """Such a link is not entered (it may lead back above itself), so its files are not
    published: that went without a word, though a link to a file is followed."""
    site = make_site({"shared/docs/a.txt": "a\n", "static/robots-extra.txt": "x\n"})
    os.symlink(site.root / "shared/docs", site.root / ALPHA / "docs")
    os.symlink(site.root / "shared/docs", site.root / "static" / "docs")
    result = site.build()
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if ": warning: " in line]
    said = "warning: this symbolic link to a folder is not followed: the files in it are not"
    assert warned == [f"{ALPHA}docs: {said} published", f"static/docs: {said} published"]
    assert not list(site.out.rglob("a.txt"))
    assert (site.out / "robots-extra.txt").is_file()


def _taxonomies_folder(root: Path) -> None:
    (root / "taxonomies.yaml").unlink()
    (root / "taxonomies.yaml").mkdir()


def _taxonomies_pipe(root: Path) -> None:
    (root / "taxonomies.yaml").unlink()
    os.mkfifo(root / "taxonomies.yaml")


def _taxonomies_linked_outside(root: Path) -> None:
    outside = root.parent / "labels.yaml"
    (root / "taxonomies.yaml").rename(outside)
    os.symlink(outside, root / "taxonomies.yaml")


def _taxonomies_linked_nowhere(root: Path) -> None:
    (root / "taxonomies.yaml").unlink()
    os.symlink("labels.yaml", root / "taxonomies.yaml")


@pytest.mark.parametrize(
    ("make", "message", "hint"),
    [
        pytest.param(
            _taxonomies_folder,
            "taxonomies.yaml: error: cannot read file: it is a folder",
            "replace it with a text file",
            id="folder",
        ),
        pytest.param(
            _taxonomies_pipe,
            "taxonomies.yaml: error: cannot read file: it is not a regular file (a pipe or a "
            "device)",
            "replace it with a text file",
            id="named-pipe",
        ),
        pytest.param(
            _taxonomies_linked_outside,
            "taxonomies.yaml: error: symbolic link leads outside the site, in a loop or nowhere",
            "copy the file into the site as taxonomies.yaml instead",
            id="linked-outside",
        ),
        pytest.param(
            _taxonomies_linked_nowhere,
            "taxonomies.yaml: error: symbolic link leads outside the site, in a loop or nowhere",
            "copy the file into the site as taxonomies.yaml instead",
            id="linked-nowhere",
        ),
    ],
)
def test_a_taxonomies_file_that_is_no_file_of_the_site_is_reported_not_skipped(
    make_site: MakeSite, make: Callable[[Path], None], message: str, hint: str
) -> None:
    """Anything but a regular file of the site in the place of taxonomies.yaml was taken for
    no file at all: the build passed and the pages lost their labels without a word (or,
    through a link out of the site, published a file from elsewhere on the machine); and
    `allysite check`, which reads the file again to point at placeholders, waited for ever
    on a named pipe."""
    site = make_site({"taxonomies.yaml": "kinds:\n  ngo: {es: ONG, en: NGO, ar: منظمة}\n"})
    assert site.build().exit_code == 0
    assert site.html("/en/partners/alpha/").find(string="NGO") is not None
    snapshot = site.output_files()
    make(site.root)
    assert_one_fault(site.build(), site, snapshot, message, hint)
    assert_check_reports(site, message)


def _make_pipe(path: Path) -> None:
    os.mkfifo(path)


def _make_socket(path: Path) -> None:
    here = os.getcwd()
    os.chdir(path.parent)  # (a socket's path may be 107 bytes at most: bound by its name)
    try:
        with socket.socket(socket.AF_UNIX) as bound:
            bound.bind(path.name)
    finally:
        os.chdir(here)


@pytest.mark.parametrize("make", [_make_pipe, _make_socket], ids=["named-pipe", "socket"])
@pytest.mark.parametrize("name", [ALPHA + "report.pdf", ALPHA + "img/photo.png", "static/a.txt"])
def test_a_special_file_to_copy_is_an_error_for_check_as_for_build(
    make_site: MakeSite, make: Callable[[Path], None], name: str
) -> None:
    """A named pipe or a socket among an item's files or in static/ failed the build only
    when it came to copying it: `allysite check`, which copies nothing, passed the site."""
    site, snapshot = built(make_site)
    (site.root / name).parent.mkdir(parents=True, exist_ok=True)
    make(site.root / name)
    message = f"{name}: error: cannot read the site: it is not a regular file (a pipe or a device)"
    assert_one_fault(site.build(), site, snapshot, message, "replace it with a regular file")
    assert_check_reports(site, message)


def _site_yaml_linked_outside(root: Path) -> None:
    outside = root.parent / "settings.yaml"
    (root / "site.yaml").rename(outside)
    os.symlink(outside, root / "site.yaml")


def _site_yaml_folder(root: Path) -> None:
    (root / "site.yaml").unlink()
    (root / "site.yaml").mkdir()


def _site_yaml_pipe(root: Path) -> None:
    (root / "site.yaml").unlink()
    os.mkfifo(root / "site.yaml")


@pytest.mark.parametrize(
    ("make", "message", "hint"),
    [
        pytest.param(
            _site_yaml_linked_outside,
            "site.yaml: error: symbolic link leads outside the site, in a loop or nowhere",
            "copy the file into the site as site.yaml instead",
            id="linked-outside",
        ),
        pytest.param(
            _site_yaml_folder,
            "site.yaml: error: cannot read file: it is a folder",
            "replace it with a text file",
            id="folder",
        ),
        pytest.param(
            _site_yaml_pipe,
            "site.yaml: error: cannot read file: it is not a regular file (a pipe or a device)",
            "replace it with a text file",
            id="named-pipe",
        ),
    ],
)
def test_a_site_yaml_that_is_no_file_of_the_site_is_named_as_such(
    make_site: MakeSite, make: Callable[[Path], None], message: str, hint: str
) -> None:
    """site.yaml as a link out of the site was read from elsewhere on the machine and its
    title published; a folder or a pipe in its place was said to be no site.yaml at all."""
    site, snapshot = built(make_site)
    make(site.root)
    assert_one_fault(site.build(), site, snapshot, message, hint)
    assert_check_reports(site, message)


def _partner_yaml_folder(root: Path) -> None:
    (root / ALPHA / "partner.yaml").unlink()
    (root / ALPHA / "partner.yaml").mkdir()


def _partner_yaml_pipe(root: Path) -> None:
    (root / ALPHA / "partner.yaml").unlink()
    os.mkfifo(root / ALPHA / "partner.yaml")


def _partner_yaml_linked_outside(root: Path) -> None:
    outside = root.parent / "facts.yaml"
    outside.write_text("colour: blue\n", encoding="utf-8")
    (root / ALPHA / "partner.yaml").unlink()
    os.symlink(outside, root / ALPHA / "partner.yaml")


@pytest.mark.parametrize(
    ("make", "message", "hint"),
    [
        pytest.param(
            _partner_yaml_folder,
            f"{ALPHA}partner.yaml: error: cannot read file: it is a folder",
            "replace it with a text file",
            id="folder",
        ),
        pytest.param(
            _partner_yaml_pipe,
            f"{ALPHA}partner.yaml: error: cannot read file: it is not a regular file (a pipe or "
            "a device)",
            "replace it with a text file",
            id="named-pipe",
        ),
        pytest.param(
            _partner_yaml_linked_outside,
            f"{ALPHA}partner.yaml: error: symbolic link leads outside the site, in a loop or "
            "nowhere",
            "copy the file into the folder instead",
            id="linked-outside",
        ),
    ],
)
def test_a_partner_yaml_that_is_no_file_of_the_site_is_named_as_such(
    make_site: MakeSite, make: Callable[[Path], None], message: str, hint: str
) -> None:
    """A folder or a pipe named partner.yaml was reported as no partner.yaml ("create
    it"); one linked out of the site was refused, then read all the same, and the other
    file's problems reported as the partner's."""
    site, snapshot = built(make_site)
    make(site.root)
    assert_one_fault(site.build(), site, snapshot, message, hint)


def _catalog_pipe(root: Path) -> None:
    (root / PO).unlink()
    os.mkfifo(root / PO)


def _catalog_folder(root: Path) -> None:
    (root / PO).unlink()
    (root / PO).mkdir()


def _catalog_linked_nowhere(root: Path) -> None:
    (root / PO).unlink()
    os.symlink("messages-old.po", root / PO)


@pytest.mark.parametrize(
    ("make", "message", "hint"),
    [
        pytest.param(
            _catalog_pipe,
            f"{PO}: error: cannot read file: it is not a regular file (a pipe or a device)",
            "replace it with a text file",
            id="named-pipe",
        ),
        pytest.param(
            _catalog_folder,
            f"{PO}: error: cannot read file: it is a folder",
            "replace it with a text file",
            id="folder",
        ),
        pytest.param(
            _catalog_linked_nowhere,
            f"{PO}: error: symbolic link leads outside the site, in a loop or nowhere ({PO} is a "
            "symbolic link to locales/en/LC_MESSAGES/messages-old.po)",
            "copy the catalog into the site's locales/ folder instead",
            id="linked-nowhere",
        ),
    ],
)
def test_a_catalog_that_is_no_file_is_refused_not_passed_over(
    make_site: MakeSite, make: Callable[[Path], None], message: str, hint: str
) -> None:
    """A pipe, a folder or a link to nowhere in the place of a catalog was passed over as if
    the site had none: its translations were gone from the pages without a word."""
    site = make_site({PO: PO_HEADER + 'msgid "Skip to content"\nmsgstr "Jump to the text"\n'})
    assert site.build().exit_code == 0
    assert site.html("/en/").find(string="Jump to the text") is not None
    snapshot = site.output_files()
    make(site.root)
    assert_one_fault(site.build(), site, snapshot, message, hint)
    assert_check_reports(site, message)
    status = CliRunner().invoke(cli, ["i18n", "status", "--site", str(site.root)])
    assert status.exit_code == 1
    assert status.stderr.startswith(message)


FOOTER = "templates/partials/footer.html"


def _footer_pipe(root: Path) -> None:
    (root / FOOTER).unlink()
    os.mkfifo(root / FOOTER)


def _footer_linked_in_a_loop(root: Path) -> None:
    (root / FOOTER).unlink()
    os.symlink("footer.html", root / FOOTER)


def _footer_linked_nowhere(root: Path) -> None:
    (root / FOOTER).unlink()
    os.symlink("footer-old.html", root / FOOTER)


@pytest.mark.parametrize(
    ("make", "message", "hint"),
    [
        pytest.param(
            _footer_pipe,
            f"{FOOTER}: error: template cannot be read: it is not a regular file (a pipe or a "
            "device)",
            "replace it with a regular file",
            id="named-pipe",
        ),
        pytest.param(
            _footer_linked_in_a_loop,
            f"{FOOTER}: error: symbolic link leads nowhere or in a loop",
            "point it at a template file, or remove it",
            id="linked-in-a-loop",
        ),
        pytest.param(
            _footer_linked_nowhere,
            f"{FOOTER}: error: symbolic link leads nowhere or in a loop",
            "point it at a template file, or remove it",
            id="linked-nowhere",
        ),
    ],
)
def test_an_override_that_is_no_file_is_refused_not_passed_over_for_the_theme(
    make_site: MakeSite, make: Callable[[Path], None], message: str, hint: str
) -> None:
    """Jinja passes over a template that is no regular file for the next folder's: the
    theme's footer showed instead of the site's, and the build passed without a word."""
    site = make_site({FOOTER: '<footer class="site-footer">Our own footer</footer>\n'})
    assert site.build().exit_code == 0
    assert site.html("/en/").find(string="Our own footer") is not None
    snapshot = site.output_files()
    make(site.root)
    assert_one_fault(site.build(), site, snapshot, message, hint)
    assert_check_reports(site, message)


@pytest.mark.parametrize("text", ["content/partners/alpha/en.md", "content/pages/about/es.md"])
def test_a_folder_named_as_a_text_is_an_error_not_its_files_published(
    make_site: MakeSite, text: str
) -> None:
    """`en.md/` as a folder (its text moved inside it) built: the page said the partner was
    not yet translated, and the folder's files were published as the item's own."""
    site, snapshot = built(make_site)
    inner = site.root / text / "text.md"
    inner.parent.parent.mkdir(parents=True, exist_ok=True)
    body = (site.root / text).read_bytes()
    (site.root / text).unlink()
    inner.parent.mkdir()
    inner.write_bytes(body)
    message = f"{text}: error: is a folder, not the translation's Markdown file"
    hint = "put the text in a file of that name, beside the item's other texts"
    assert_reported(site.build(), message, hint)
    assert site.output_files() == snapshot
    assert_check_reports(site, message)


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_files_name_reaches_the_terminal_with_its_controls_shown_not_acted_on(
    make_site: MakeSite, command: str
) -> None:
    """A folder's name is the editor's own text: its escape sequence reached the terminal as
    it was (on a terminal, click keeps them: `ESC[2J` cleared the screen of the messages
    before it), and a right-to-left override showed the name reversed (Trojan Source)."""
    name = "x\x1b[2J\x1b[32mfine\u202eevil\nsite.yaml: all good"
    folder = f"content/partners/{name}/"
    site = make_site(
        {
            folder + "partner.yaml": MINIMAL_SITE["content/partners/alpha/partner.yaml"],
            folder + "es.md": MINIMAL_SITE["content/partners/alpha/es.md"],
        }
    )
    args = ["--out", str(site.out)] if command == "build" else []
    result = CliRunner().invoke(
        cli, [command, "--site", str(site.root), *args], color=True, catch_exceptions=False
    )
    assert result.exit_code == 1
    shown = result.stderr if command == "build" else result.stdout
    assert "\x1b[2J" not in shown and "\u202e" not in shown
    assert "\nsite.yaml: all good" not in shown  # no line of its own
    assert "content/partners/x\\x1b[2J\\x1b[32mfine\\u202eevil\\nsite.yaml: all good" in shown
