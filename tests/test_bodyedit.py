"""Rebuilds after edits of Markdown bodies or summaries alone (bodyedit.py).

The new body or summary is put in the place of the old one in the pages (and feeds) that
show it, without loading the site; every such rebuild must give a cold build's bytes, leave
a cache from which the next build of any kind does too, and give way to the full build
wherever anything else could differ (each case below checks that the full build ran, and
its output).
"""

from __future__ import annotations

import errno
import json
import os
import random
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from allysite import build as build_module
from allysite.build import build_site
from allysite.cache import BuildCache
from allysite.model import fingerprint
from allysite.output import MARKER, SPARE_STATES, _read_spare, spare_made, spare_matches
from allysite.pipeline import THEME, cache_dir
from allysite.swap import spare_dir
from allysite.workers import available_cores
from conftest import MINIMAL_SITE, MakeSite, Site
from test_cache import BETA, assert_as_cold, build, pages

BETA_ES = "content/partners/beta/es.md"
ALPHA_ES = "content/partners/alpha/es.md"
ALPHA_EN = "content/partners/alpha/en.md"
ABOUT_ES = "content/pages/about/es.md"
ALPHA_YAML = "content/partners/alpha/partner.yaml"
BETA_EN = "content/partners/beta/en.md"
ALPHA_EN_TEXT = MINIMAL_SITE[ALPHA_EN]
LOGO_LINKED = ALPHA_EN_TEXT + "\n![The logo, large](logo.svg)\n"
"""(The logo is then copied into every language's folder, not the default one's alone.)"""
BETA_PAGES = {f"{lang}/partners/beta/index.html" for lang in ("es", "en", "ar")}


def beta(body: str, summary: str = "Educa.") -> dict[str, str]:
    return {BETA_ES: f"---\nname: Beta\nsummary: {summary}\n---\n{body}\n"}


@pytest.fixture
def site(make_site: MakeSite) -> Site:
    site = make_site(BETA)
    build(site)
    return site


@pytest.fixture
def full_builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The builds that loaded the site (the full build), by their output folder."""
    made: list[str] = []
    real = build_module._build

    def counted(site: object, out: object, *args: object, **options: object) -> object:
        made.append(str(out))
        return real(site, out, *args, **options)

    monkeypatch.setattr(build_module, "_build", counted)
    return made


def test_a_body_edit_is_put_in_place_without_loading_the_site(
    site: Site, tmp_path: Path, full_builds: list[str]
) -> None:
    site.write(beta("Otro **texto** de Beta.\n\n## Nueva sección"))
    result = build(site)
    assert full_builds == []
    # its own page and the English and Arabic ones, which show the Spanish text
    assert set(result.rendered) == BETA_PAGES
    for path in ("/es/partners/beta/", "/ar/partners/beta/"):
        prose = site.html(path).select_one(".prose")
        assert prose is not None and prose.strong is not None
        assert prose.strong.text == "texto"
        assert prose.h2 is not None and prose.h2["id"] == "nueva-sección"
    assert_as_cold(site, tmp_path)
    assert build(site).cached  # and the next build has nothing to do
    assert full_builds == [str(tmp_path / "cold")]  # (assert_as_cold's)


def test_a_body_that_repeats_its_first_sentence_is_put_in_place(
    make_site: MakeSite, tmp_path: Path, full_builds: list[str]
) -> None:
    """Its first bytes are twice in its page, the body once: a cold build places it."""
    sentence = "Este sitio presenta a las organizaciones que colaboran con nuestra oficina."
    about = f"---\nname: Acerca de\n---\n{sentence}\n\n{sentence}\n"
    site = make_site({**BETA, ABOUT_ES: about})
    build(site)
    full_builds.clear()
    site.write({ABOUT_ES: about + "\nOtra frase.\n"})
    result = build(site)
    assert full_builds == []
    assert set(result.rendered) == {f"{lang}/about/index.html" for lang in ("es", "en", "ar")}
    assert_as_cold(site, tmp_path)
    prose = site.html("/es/about/").select_one(".prose")
    assert prose is not None and [p.text for p in prose.find_all("p")][-1] == "Otra frase."


def test_edits_of_several_texts_at_once_and_their_undoing(
    site: Site, tmp_path: Path, full_builds: list[str]
) -> None:
    """Texts of partners and of a page, and translations: then each undone, alone or with
    an edit that needs the full build, which must not keep a page made for the edited text
    (the bases and frames of the last build follow the edits: bodyedit._bases)."""
    originals = {name: (site.root / name).read_text() for name in (ALPHA_ES, ALPHA_EN, ABOUT_ES)}
    edited = {name: text + "\nUna frase más.\n" for name, text in originals.items()}
    site.write(edited)
    result = build(site)
    assert full_builds == []
    assert set(result.rendered) == {
        "es/partners/alpha/index.html",
        "ar/partners/alpha/index.html",  # (the Spanish text stands in for the Arabic one)
        "en/partners/alpha/index.html",
        *(f"{lang}/about/index.html" for lang in ("es", "en", "ar")),
    }
    assert_as_cold(site, tmp_path)
    site.write({ALPHA_EN: originals[ALPHA_EN]})  # undone alone: put in place again
    build(site)
    assert full_builds == [str(tmp_path / "cold")]
    assert_as_cold(site, tmp_path)
    # undone along with an edit that changes no page (a comment in partner.yaml): the full
    # build, which finds the languages settled (routes.Settle)
    site.write({ALPHA_ES: originals[ALPHA_ES], ABOUT_ES: originals[ABOUT_ES]})
    partner = "content/partners/beta/partner.yaml"
    site.write({partner: BETA[partner] + "# a comment\n"})
    build(site)
    assert full_builds[-1] == str(site.out)
    assert "Una frase más" not in (site.out / "es/partners/alpha/index.html").read_text()
    assert "Una frase más" not in (site.out / "ar/about/index.html").read_text()
    assert_as_cold(site, tmp_path)


def test_the_cache_an_edit_leaves_serves_every_later_build(site: Site, tmp_path: Path) -> None:
    """Edits put in place, then every other kind of build in turn (each its cold bytes)."""
    site.write(beta("Uno."))
    build(site)
    site.write(beta("Uno.", summary="Cambia."))  # a card: put in its places too
    build(site)
    assert_as_cold(site, tmp_path)
    site.write(beta("Dos."))  # the summary back and the body
    build(site)
    assert_as_cold(site, tmp_path)
    site.write(beta("Tres."))
    build(site)
    site.write({"templates/partials/footer.html": "<footer>Pie</footer>\n"})  # every page
    build(site)
    assert_as_cold(site, tmp_path)
    site.write(beta("Texto de Beta."))  # back to the first build's text
    build(site)
    assert_as_cold(site, tmp_path)


HOSTILE = "Educa & <b>\"protege\"</b> 'siempre' </script><!-- تعليم 😀"
"""A summary with all that each of its forms escapes (HTML, JSON in a script, XML)."""
DATED_BETA = {
    **BETA,
    "content/partners/beta/partner.yaml": BETA["content/partners/beta/partner.yaml"]
    + "partner_since: 2020\n",
}


def quoted(text: str) -> str:
    """YAML's double-quoted scalar of a text."""
    return json.dumps(text, ensure_ascii=False)


def test_a_summary_edit_is_put_in_place_without_loading_the_site(
    make_site: MakeSite, tmp_path: Path, full_builds: list[str]
) -> None:
    """Its text's pages (descriptions, structured data, lead), every list that shows its
    card, in its language and those it stands in for, and the feeds: each as a cold build
    writes it."""
    site = make_site(DATED_BETA)
    build(site)
    full_builds.clear()
    site.write(beta("Texto de Beta.", summary=quoted(HOSTILE)))
    result = build(site)
    assert full_builds == []
    rendered = set(result.rendered)
    for lang in ("es", "en", "ar"):  # (the Spanish text stands in for the others)
        assert {
            f"{lang}/partners/beta/index.html",
            f"{lang}/index.html",
            f"{lang}/kinds/foundation/index.html",
            f"{lang}/regions/africa/index.html",
            f"{lang}/topics/education/index.html",
            f"{lang}/feed.xml",
        } <= rendered
        profile = site.html(f"/{lang}/partners/beta/")
        assert profile.select_one('meta[name="description"]')["content"] == HOSTILE
        assert profile.select_one('meta[property="og:description"]')["content"] == HOSTILE
        assert profile.select_one(".lead").text == HOSTILE
        data = json.loads(profile.select_one('script[type="application/ld+json"]').string)
        assert data["description"] == HOSTILE
        cards = site.html(f"/{lang}/").select(".card-summary")
        assert HOSTILE in [card.text for card in cards]
        feed = ElementTree.parse(site.out / lang / "feed.xml").getroot()
        summaries = feed.findall("{http://www.w3.org/2005/Atom}entry/{*}summary")
        assert HOSTILE in [element.text for element in summaries]
    assert not {name for name in rendered if "alpha" in name}
    assert_as_cold(site, tmp_path)
    assert build(site).cached
    assert full_builds == [str(tmp_path / "cold")]  # (assert_as_cold's)


def test_a_summary_edited_to_hold_an_escaped_carriage_return_is_put_in_place(
    make_site: MakeSite, tmp_path: Path, full_builds: list[str]
) -> None:
    """The edit reads the summary as the loader does (its carriage return a line feed, as
    sourcefile reads one): the pages and feeds are a cold build's, with no carriage return."""
    site = make_site(DATED_BETA)
    build(site)
    full_builds.clear()
    site.write(beta("Texto de Beta.", summary='"Educa\\rmucho\\r\\nya."'))
    result = build(site)
    assert full_builds == []
    assert {f"{lang}/feed.xml" for lang in ("es", "en", "ar")} <= set(result.rendered)
    for name in result.rendered:
        assert b"\r" not in (site.out / name).read_bytes(), name
    feed = ElementTree.parse(site.out / "ar" / "feed.xml").getroot()
    summaries = feed.findall("{http://www.w3.org/2005/Atom}entry/{*}summary")
    assert "Educa\nmucho\nya." in [element.text for element in summaries]
    assert_as_cold(site, tmp_path)


def test_edits_of_summaries_and_bodies_in_turn(
    make_site: MakeSite, tmp_path: Path, full_builds: list[str]
) -> None:
    """Each rebuild moves the places of what follows the edit in the pages it writes (the
    journal keeps them): the next edit of the same texts is put in place too, and every
    output is a cold build's."""
    site = make_site(
        {**DATED_BETA, ABOUT_ES: "---\nname: Acerca de\nsummary: Un directorio.\n---\nUno.\n"}
    )
    build(site)
    full_builds.clear()
    alpha_es = (site.root / ALPHA_ES).read_text()
    edits = [
        beta("Texto de Beta.", summary="Educa mucho."),
        beta("Otro texto, **más largo** que el primero.", summary="Educa mucho."),
        beta("Otro texto, **más largo** que el primero.", summary="E."),
        {ALPHA_ES: alpha_es.replace("Trabaja por la paz.", quoted("Paz & <justicia>"))},
        {ABOUT_ES: "---\nname: Acerca de\nsummary: Un directorio de aliados.\n---\nUno.\n"},
        {ALPHA_EN: ALPHA_EN_TEXT.replace("Works for peace.", "Works for lasting peace.")},
        {**beta("B.", summary="Una y otra."), ALPHA_ES: alpha_es},
    ]
    for edit in edits:
        site.write(edit)
        assert build(site).ok
        assert full_builds == [str(tmp_path / "cold")] * (len(full_builds) > 0)
        assert_as_cold(site, tmp_path)
        full_builds.clear()
    assert "Una y otra." in site.html("/ar/").text
    assert site.html("/es/about/").select_one('meta[name="description"]')["content"] == (
        "Un directorio de aliados."
    )


PRINTED_TWICE = (
    '{% extends "base.html" %}{% block main %}{{ partner.item.body_html }}'
    "<aside>{{ partner.item.body_html }}</aside>{% endblock %}"
)


def test_a_summary_undone_by_a_full_build(
    make_site: MakeSite, tmp_path: Path, full_builds: list[str]
) -> None:
    """A summary put in place, then undone with an edit that takes the full build and
    changes no card (a comment in partner.yaml): the lists and feeds of every language that
    shows the text show the first summary again. (The view's print kept from the last full
    build was the first summary's: a language would have been taken as settled.)"""
    site = make_site(DATED_BETA)
    build(site)
    first = (site.root / BETA_ES).read_text()
    site.write(beta("Texto de Beta.", summary="Nuevo."))
    build(site)
    partner = "content/partners/beta/partner.yaml"
    site.write({BETA_ES: first, partner: DATED_BETA[partner] + "# a comment\n"})
    build(site)
    assert full_builds[1:] == [str(site.out)]
    assert "Nuevo." not in (site.out / "ar/index.html").read_text()
    assert "Nuevo." not in (site.out / "es/feed.xml").read_text()
    assert_as_cold(site, tmp_path)


CARD_CHANGED = '<article class="card">{{ partner.item.summary|truncate(3) }}</article>\n'
UNESCAPED = (
    '{% extends "base.html" %}{% block main %}{% autoescape false %}{{ item.summary }}'
    "{% endautoescape %}{% endblock %}"
)
DESCRIBED = (
    '{% extends "base.html" %}{% set item = partner.item %}'
    "{% block description %}{{ item.summary }}{% endblock %}"
)
FILTERED = (
    '{% extends "base.html" %}{% block main %}'
    '{{ partner.item.body_html|replace("<p>", "<p class=\\"text\\">") }}{% endblock %}'
)


@pytest.mark.parametrize(
    ("files", "edit"),
    [
        pytest.param(
            {}, {BETA_ES: "---\nname: Beta B\nsummary: Educa.\n---\nOtro.\n"}, id="a name"
        ),
        pytest.param(
            {},
            {BETA_ES: "---\nname: Beta\nsummary: Cambia.\nshort_name: B\n---\nB.\n"},
            id="a field added with the summary",
        ),
        pytest.param({}, beta(""), id="a body made blank"),
        pytest.param({}, {**beta("Otro."), "content/partners/beta/notes.txt": "x"}, id="a file"),
        pytest.param({}, {BETA_EN: "---\nname: B\nsummary: S.\n---\n"}, id="a new text"),
        pytest.param({"templates/partner.html": PRINTED_TWICE}, beta("Otro."), id="twice"),
        pytest.param({"templates/partner.html": FILTERED}, beta("Otro."), id="filtered"),
        pytest.param({}, {ALPHA_EN: LOGO_LINKED}, id="a link to the logo"),
        pytest.param({ALPHA_EN: LOGO_LINKED}, {ALPHA_EN: ALPHA_EN_TEXT}, id="the link removed"),
        pytest.param(
            {BETA_ES: "---\nname: Beta\nsummary: E.\ntranslated_from: {body: 1234abcd}\n---\nT.\n"},
            {BETA_ES: "---\nname: Beta\nsummary: E.\ntranslated_from: {body: 1234abcd}\n---\nU.\n"},
            id="a warning at the text",
        ),
        pytest.param(
            {},
            {ABOUT_ES: "---\nname: Acerca de\nsummary: Nuevo.\n---\nUn directorio.\n"},
            id="a summary added",
        ),
        pytest.param({}, beta("Texto de Beta.", summary="1984"), id="a number"),
        pytest.param(
            {"templates/partials/card.html": CARD_CHANGED},
            beta("B.", summary="Otra."),
            id="a summary changed by a template",
        ),
        pytest.param(
            {"templates/page.html": UNESCAPED},
            beta("B.", summary="Otra."),
            id="a template that does not escape",
        ),
        pytest.param(
            {"templates/partner.html": DESCRIBED},
            beta("B.", summary="Otra."),
            id="a summary in a block rendered into a value",
        ),
    ],
)
def test_what_only_the_full_build_may_rebuild(
    make_site: MakeSite,
    tmp_path: Path,
    full_builds: list[str],
    files: dict[str, str],
    edit: dict[str, str],
) -> None:
    site = make_site({**BETA, **files})
    build(site)
    site.write(edit)
    build(site)
    assert full_builds == [str(site.out), str(site.out)]
    assert_as_cold(site, tmp_path)


def test_an_edit_that_keeps_a_link_to_the_logo(
    make_site: MakeSite, tmp_path: Path, full_builds: list[str]
) -> None:
    site = make_site({**BETA, ALPHA_EN: LOGO_LINKED})
    build(site)
    site.write({ALPHA_EN: LOGO_LINKED.replace("large", "in colour")})
    assert set(build(site).rendered) == {"en/partners/alpha/index.html"}
    assert full_builds == [str(site.out)]
    assert site.html("/en/partners/alpha/").select_one(".prose img")["alt"] == "The logo, in colour"
    assert_as_cold(site, tmp_path)


def test_the_original_of_translations_stamped_with_its_body(
    make_site: MakeSite, tmp_path: Path, full_builds: list[str]
) -> None:
    """Its translations become stale with its body: their pages change too."""
    fields = {"name": "Fundación Alfa", "short_name": "FA", "summary": "Trabaja por la paz."}
    fields["body"] = "## Mandato\n\nTexto en **español**.\n"
    stamps = ", ".join(f"{name}: '{fingerprint(value)}'" for name, value in fields.items())
    en = f"---\nname: Alpha\nsummary: W.\ntranslated_from: {{{stamps}}}\n---\nText.\n"
    site = make_site({ALPHA_EN: en})
    build(site)
    assert site.html("/en/partners/alpha/").select_one(".notice") is None
    site.write({ALPHA_ES: (site.root / ALPHA_ES).read_text() + "\nMás.\n"})
    build(site)
    assert full_builds[-1] == str(site.out)
    assert site.html("/en/partners/alpha/").select_one(".notice") is not None
    assert_as_cold(site, tmp_path)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Un carácter \x00 nulo.", "encoding"),
        ("Un control \x01 que no se ve.", "encoding"),
        ("> " * 120 + "Demasiado hondo.", "markdown-limit"),
    ],
)
def test_a_body_with_a_problem_is_reported_by_the_full_build(
    site: Site, full_builds: list[str], text: str, code: str
) -> None:
    before = (site.out / "es/partners/beta/index.html").read_bytes()
    site.write(beta(text))
    result = build_site(site.root, site.out)
    assert not result.ok and full_builds == [str(site.out)]
    assert [(d.code, d.pos.path if d.pos else None) for d in result.diagnostics] == [
        (code, BETA_ES)
    ]
    assert (site.out / "es/partners/beta/index.html").read_bytes() == before


@pytest.mark.parametrize(
    ("front", "code"),
    [
        ("summary: [una, lista]", "invalid-value"),
        ("summary: '   '", "invalid-value"),
        ("summary: 'E", "yaml"),
        ('summary: "E\\x01"', "yaml"),
    ],
)
def test_a_summary_with_a_problem_is_reported_by_the_full_build(
    site: Site, full_builds: list[str], front: str, code: str
) -> None:
    before = (site.out / "es/index.html").read_bytes()
    site.write({BETA_ES: f"---\nname: Beta\n{front}\n---\nTexto de Beta.\n"})
    result = build_site(site.root, site.out)
    assert not result.ok and full_builds == [str(site.out)]
    assert [(d.code, d.pos.path if d.pos else None) for d in result.diagnostics] == [
        (code, BETA_ES)
    ]
    assert (site.out / "es/index.html").read_bytes() == before


def test_a_strict_build_after_warnings_is_a_full_one(
    make_site: MakeSite, full_builds: list[str]
) -> None:
    stamped = "---\nname: Fundación Alfa\nsummary: P.\ntranslated_from: {name: abcd1234}\n---\nT.\n"
    site = make_site({**BETA, ALPHA_ES: stamped})
    assert build(site).diagnostics  # a warning: the original is stamped
    before = (site.out / "es/partners/beta/index.html").read_bytes()
    site.write(beta("Otro."))
    result = build_site(site.root, site.out, strict=True)
    assert not result.ok and full_builds[-1] == str(site.out)
    assert (site.out / "es/partners/beta/index.html").read_bytes() == before


def test_an_output_changed_by_hand_is_made_by_the_full_build(
    site: Site, tmp_path: Path, full_builds: list[str]
) -> None:
    (site.out / "es/partners/alpha/index.html").write_text("edited by hand")
    site.write(beta("Otro."))
    build(site)
    assert full_builds == [str(site.out)]
    assert_as_cold(site, tmp_path)


def test_a_site_with_search_indexes_the_edited_pages(
    make_site: MakeSite, full_builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its index must show the new words: a full build, which runs Pagefind again. It keeps
    no places, so no page is rendered with its summaries marked (what that costs a build)."""
    from allysite import publish

    traced: list[bool] = []
    real = publish.render_page

    def recorded(*args: Any) -> Any:
        traced.append(args[-1])
        return real(*args)

    monkeypatch.setattr(publish, "render_page", recorded)
    site = make_site({**BETA, "site.yaml": MINIMAL_SITE["site.yaml"] + "search: true\n"})
    build(site)
    assert traced and not any(traced)
    fragments = site.out / "pagefind" / "fragment"
    before = {path.name for path in fragments.iterdir()}
    site.write(beta("Otro texto."))
    build(site)
    assert full_builds == [str(site.out), str(site.out)]
    assert {path.name for path in fragments.iterdir()} != before  # (named by their text)


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_the_first_edit_after_a_cold_build_stages_into_a_spare_of_links(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large output (here every one) gets a spare made of links to its files, so that the
    first rebuild writes only the pages it changes."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    site = make_site(BETA)
    build(site)
    assert spare_made(site.out)  # (by a process that outlives the build)
    kept = site.out / "es/partners/alpha/index.html"
    inode = kept.stat().st_ino
    assert (spare_dir(site.out) / "es/partners/alpha/index.html").stat().st_ino == inode
    site.write(beta("Otro."))
    assert set(build(site).rendered) == BETA_PAGES
    assert kept.stat().st_ino == inode
    assert_as_cold(site, tmp_path)
    assert build(site).cached  # its folders' times were recorded as they are


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_a_link_into_the_spare_that_fails_leaves_no_spare(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(A file system that refuses a link, a full disk.) The build succeeds, the spare is
    not kept, and the next rebuild stages into an empty folder."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    real = os.link

    def link(source: str, target: str, *args: object, **options: object) -> None:
        if str(target).endswith("beta/index.html") and "dst_dir_fd" in options:
            raise OSError(errno.EMLINK, "Too many links")
        real(source, target, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link)
    site = make_site(BETA)
    assert build(site).pages
    assert spare_made(site.out)
    assert not spare_dir(site.out).exists()
    monkeypatch.setattr(os, "link", real)
    site.write(beta("Otro."))
    assert set(build(site).rendered) == BETA_PAGES
    assert_as_cold(site, tmp_path)


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
@pytest.mark.parametrize(
    "by_hand",
    ["a file added", "a file removed", "a file put in the place of one", "a file added on top"],
)
def test_a_spare_changed_by_hand_is_not_staged_into(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_hand: str
) -> None:
    """The spare (the output before the last) is a folder of its own beside the output: what
    is done in it by hand never reaches the next output, whose build takes it as empty."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    site = make_site(BETA)
    build(site)
    site.write(beta("Uno."))
    build(site)  # the first output is now the spare, as recorded
    spare = spare_dir(site.out)
    page = spare / "es/partners/alpha/index.html"
    if by_hand == "a file added":
        (spare / "es/partners/alpha/notes.html").write_text("left by hand")
    elif by_hand == "a file removed":
        page.unlink()
    elif by_hand == "a file put in the place of one":
        page.unlink()
        page.write_text("<p>written by hand</p>")
    else:
        (spare / "notes.txt").write_text("left by hand")
    site.write(beta("Dos."))
    assert set(build(site).rendered) == BETA_PAGES  # (the spare is not used for pages kept)
    assert_as_cold(site, tmp_path)


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_the_spare_is_checked_in_shares_that_together_see_every_folder(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The processes that check the output while the inputs are scanned check the spare
    too, each a share of its folders (and the first its top folder's names): a file left
    by hand in any folder is seen by the share that holds the folder."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    site = make_site(BETA)
    build(site)
    site.write(beta("Uno."))
    build(site)  # the first output is now the spare, as recorded
    store = BuildCache.open(cache_dir(site.out), site.root, site.out, THEME)
    assert store.previous is not None
    written = build_module._as_written(store.previous)

    def shares() -> list[bool | None]:
        return [spare_matches(site.out, written, part, 2) for part in (0, 1)]

    assert shares() == [True, True]
    spare = spare_dir(site.out)
    record = _read_spare(spare, written)
    assert record is not None and record[1] is not None
    assert record[0] and record[2] == set(os.listdir(spare)) - {SPARE_STATES, MARKER}
    assert _read_spare(spare, written, files=False) == ({}, *record[1:])  # (what checkers read)
    names = list(record[1])  # (in the record's order, which the shares take turns in)
    positions = [position for position, name in enumerate(names) if name]
    for position in (*positions[:2], positions[-1]):
        folder = spare / names[position]
        times = folder.stat()
        (folder / "notes.html").write_text("left by hand")
        assert shares() == [position % 2 == 1, position % 2 == 0]
        (folder / "notes.html").unlink()
        os.utime(folder, ns=(times.st_atime_ns, times.st_mtime_ns))
        assert shares() == [True, True]
    (spare / "notes.txt").write_text("left by hand")
    assert shares() == [False, True]


@pytest.mark.skipif(available_cores() < 2, reason="the output is checked in a second process")
def test_random_edits_of_bodies_give_a_cold_builds_bytes(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bodies and summaries of several texts edited, undone and made alike, now and then
    with another edit; the output checked by other processes, and a spare."""
    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)
    site = make_site(BETA)
    build(site)
    chance = random.Random(6)
    texts = [BETA_ES, ALPHA_ES, ALPHA_EN, ABOUT_ES]
    originals = {name: (site.root / name).read_text() for name in texts}
    words = ["**paz**", "[enlace](https://example.org/)", "## Título", "- punto", "Texto", "é"]
    said = ["Paz", "&", "<b>", '"', "'", "</script>", "سلام", "😀", "\\u2028", "é"]
    for _ in range(16):
        edits = {}
        for name in chance.sample(texts, chance.randint(1, 3)):
            head, _, _ = originals[name].partition("\n---\n")
            body = " ".join(chance.choices(words, k=chance.randint(1, 6)))
            if chance.random() < 0.4:  # (the page's text has none: then one is added)
                summary = " ".join(chance.choices(said, k=chance.randint(1, 5)))
                fields = [line for line in head.split("\n") if not line.startswith("summary:")]
                head = "\n".join([*fields, f'summary: "{summary.replace(chr(34), "")}."'])
            edits[name] = f"{head}\n---\n{body}\n" if chance.random() < 0.8 else originals[name]
        if chance.random() < 0.2:
            edits.update(beta("Texto de Beta.", summary=chance.choice(["Educa.", "Otra."])))
        if chance.random() < 0.25:  # (the full build, which changes no card: texts undone in it)
            note = chance.choice(["", "# a note\n"])
            edits[ALPHA_YAML] = MINIMAL_SITE[ALPHA_YAML] + note
        site.write(edits)
        result = build(site)
        assert result.ok
        assert_as_cold(site, tmp_path)
    assert pages(build(site)) == set()
