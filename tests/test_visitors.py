"""What visitors get, end to end on small inline sites: the A-Z directory and its facets,
structured data, link previews, feeds, host files, logos, assets and search."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest
from lxml import etree
from PIL import Image

from allysite import search
from conftest import MakeSite, Site

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def _partner(slug: str, name: str, since: str = "2020", kind: str = "ngo", **extra: str) -> dict:
    files = {
        f"content/partners/{slug}/partner.yaml": (
            f"website: https://{slug}.example.org/\npartner_since: {since}\nkind: {kind}\n"
        ),
        f"content/partners/{slug}/es.md": f"---\nname: {name}\nsummary: S.\n---\nTexto.\n",
    }
    files.update(extra)
    return files


@pytest.fixture
def directory(make_site: MakeSite) -> Site:
    files: dict[str, str | None] = {}
    names = ["Zeta", "Ñandú", "Nube", "Óvalo", "Oasis", "Árbol", "Avena"]
    for index, name in enumerate(names):
        files.update(_partner(f"p{index}", name, since=f"20{10 + index}"))
    files["content/partners/p6/partner.yaml"] = (
        "website: https://p6.example.org/\npartner_since: 2016-05\nkind: un-office\n"
        "topics: [youth]\n"
    )
    site = make_site(files)
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


def test_home_groups_partners_by_first_letter_as_the_language_sorts(directory: Site) -> None:
    page = directory.html("/es/")
    groups = {
        section.find("h2").get_text(): [a.get_text() for a in section.select(".card-title a")]
        for section in page.select(".letter-group")
    }
    # accents fold into their letter; Ñ is a letter of its own in Spanish
    assert groups == {
        "A": ["Árbol", "Avena"],
        "F": ["Fundación Alfa"],
        "N": ["Nube"],
        "Ñ": ["Ñandú"],
        "O": ["Oasis", "Óvalo"],
        "Z": ["Zeta"],
    }
    jump = [(a.get_text(), a["href"]) for a in page.select(".jump-bar a")]
    assert [label for label, _ in jump] == list(groups)
    for _, href in jump:
        assert page.find(id=href[1:]) is not None
    # cards under a letter heading are h3, so headings stay in order
    assert page.select(".letter-group .card-title")[0].name == "h3"


def test_arabic_home_puts_arabic_letters_first_then_latin(make_site: MakeSite) -> None:
    files = {
        **_partner("b", "Beta"),
        "content/partners/b/ar.md": "---\nname: بيتا\nsummary: س.\n---\n",
        **_partner("c", "Gamma"),
        "content/partners/c/ar.md": "---\nname: ألفا\nsummary: س.\n---\n",
    }
    site = make_site(files)
    assert site.build().exit_code == 0
    labels = [h.get_text() for h in site.html("/ar/").select(".letter-group h2")]
    # Arabic letters in Arabic order; the untranslated Spanish name under its Latin letter
    assert labels == ["ا", "ب", "F"]


def test_facets_link_to_term_pages_in_collation_order(directory: Site) -> None:
    page = directory.html("/es/")
    kinds = page.select(".facet")[0]
    links = [(a.contents[0].strip(), a["href"]) for a in kinds.select("a[data-facet]")]
    assert links == [
        ("Ngo", "/es/kinds/ngo/"),
        ("Un office", "/es/kinds/un-office/"),
    ]
    cards = {li["data-terms"] for li in page.select("li[data-terms]")}
    assert "kinds/un-office topics/youth" in cards


def test_profile_json_ld_is_valid_whatever_the_name_holds(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/partners/alpha/es.md": (
                '---\nname: "Alfa </script><script>alert(1)</script> & <!--"\n'
                "short_name: FA\nsummary: S.\n---\n"
            )
        }
    )
    assert site.build().exit_code == 0
    raw = (site.out / "es/partners/alpha/index.html").read_text()
    script = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in script and ">" not in script
    data = json.loads(script)
    assert data["@type"] == "Organization"
    assert data["name"] == "Alfa </script><script>alert(1)</script> & <!--"
    assert data["alternateName"] == ["Alpha Foundation", "FA"]
    assert data["url"] == "https://alpha.example.org/"
    assert data["logo"] == "https://partners.example.org/es/partners/alpha/logo.svg"
    assert data["memberOf"]["startDate"] == "2015-04"
    assert data["memberOf"]["memberOf"]["url"] == "https://partners.example.org/es/"


def test_open_graph_locales_follow_the_real_translations(built_site: Site) -> None:
    def meta(path: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for tag in built_site.html(path).find_all("meta", property=True):
            found.setdefault(tag["property"], []).append(tag["content"])
        return found

    en = meta("/en/partners/alpha/")
    assert en["og:locale"] == ["en_US"]
    assert en["og:locale:alternate"] == ["es_ES"]  # ar is only a stand-in
    assert en["og:title"] == ["Alpha Foundation"]
    assert en["og:url"] == ["https://partners.example.org/en/partners/alpha/"]
    assert "og:image" not in en  # an SVG logo: link previews do not show SVG
    assert meta("/ar/")["og:locale"] == ["ar_EG"]
    twitter = built_site.html("/es/").find("meta", attrs={"name": "twitter:card"})
    assert twitter["content"] == "summary"


def test_a_stand_in_page_names_its_original_as_the_page_it_is(built_site: Site) -> None:
    """A stand-in shows its original's text, and its canonical link points at the original's
    page: og:url, og:locale and the JSON-LD's mainEntityOfPage say the same, each as the
    original's page says it of itself; a translation's page names itself."""

    def identity(path: str) -> tuple[str, str, str, str | None]:
        page = built_site.html(path)
        canonical = page.find("link", rel="canonical")["href"]
        url = page.find("meta", property="og:url")["content"]
        locale = page.find("meta", property="og:locale")["content"]
        script = page.find("script", type="application/ld+json")
        main = json.loads(script.string)["mainEntityOfPage"] if script else None
        return canonical, url, locale, main

    for stand_in, original in (
        ("/ar/partners/alpha/", "/es/partners/alpha/"),
        ("/ar/about/", "/es/about/"),
    ):
        shown = built_site.html(stand_in).select_one("article [lang]")
        assert shown is not None and shown["lang"] == "es"  # (a stand-in indeed)
        canonical, url, locale, main = identity(original)
        assert canonical == url == f"https://partners.example.org{original}"
        assert main in (None, canonical)
        assert identity(stand_in) == (canonical, url, locale, main)
    canonical, _, locale, main = identity("/en/partners/alpha/")
    assert main == canonical == "https://partners.example.org/en/partners/alpha/"
    assert locale == "en_US"


def test_a_summary_with_an_escaped_carriage_return_reads_back_the_same_everywhere(
    make_site: MakeSite,
) -> None:
    """A carriage return (a YAML escape) is read as a line feed, as XML (1.0 §2.11) and
    HTML parsers read one: the feed, the descriptions, the lead, the cards and the JSON-LD
    all give back the same text, and no output holds a raw one."""
    site = make_site(
        {"content/partners/alpha/es.md": '---\nname: Alfa\nsummary: "cr\\rhere\\r\\nend"\n---\n'}
    )
    assert site.build().exit_code == 0
    expected = "cr\nhere\nend"
    for lang in ("es", "ar"):  # (the Spanish text stands in for the Arabic one)
        feed = etree.parse(str(site.out / lang / "feed.xml"))
        summaries = feed.xpath("//a:entry/a:summary/text()", namespaces=ATOM)
        assert expected in summaries
        page = site.html(f"/{lang}/partners/alpha/")
        script = page.find("script", type="application/ld+json")
        shown = [
            page.find("meta", attrs={"name": "description"})["content"],
            page.find("meta", property="og:description")["content"],
            page.select_one(".lead").text,
            json.loads(script.string)["description"],
        ]
        assert shown == [expected] * 4
        cards = [card.text for card in site.html(f"/{lang}/").select(".card-summary")]
        assert expected in cards
    for path in site.out.rglob("*"):
        if path.suffix in (".html", ".xml"):
            assert b"\r" not in path.read_bytes(), path


def test_atom_feed_per_language_newest_partnership_first(directory: Site) -> None:
    link = directory.html("/en/").find("link", type="application/atom+xml")
    assert link["href"] == "/en/feed.xml"
    feed = ET.parse(directory.out / "en" / "feed.xml").getroot()
    titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert titles == [
        "Avena",
        "Alpha Foundation",
        "Árbol",
        "Oasis",
        "Óvalo",
        "Nube",
        "Ñandú",
        "Zeta",
    ]
    first = feed.find("a:entry", ATOM)
    assert first.findtext("a:updated", namespaces=ATOM) == "2016-05-01T00:00:00Z"
    # a stand-in: its title and summary are the original's, its categories the feed's
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert first.get(lang) is None
    assert first.find("a:title", ATOM).get(lang) == "es"
    assert {c.get(lang) for c in first.findall("a:category", ATOM)} == {None}
    assert feed.findtext("a:updated", namespaces=ATOM) == "2016-05-01T00:00:00Z"


def test_host_files_route_the_root_by_accept_language(built_site: Site) -> None:
    redirects = (built_site.out / "_redirects").read_text().splitlines()
    assert "/  /ar/  302!  Language=ar" in redirects
    assert "/es/*  /es/404.html  404" in redirects
    headers = (built_site.out / "_headers").read_text()
    assert "/assets/*\n  Cache-Control: public, max-age=31536000, immutable" in headers


def test_assets_are_minified_and_named_by_their_content(built_site: Site) -> None:
    page = built_site.html("/es/")
    css = page.find("link", rel="stylesheet")["href"]
    js = page.find("script", src=True)["src"]
    for href in (css, js):
        name = href.rsplit("/", 1)[1]
        stem, digest, _ = name.split(".")
        assert len(digest) == 10 and stem in ("style", "site")
        data = (built_site.out / href.lstrip("/")).read_bytes()
        assert b"\n  " not in data  # minified
    assert not (built_site.out / "assets" / "style.css").exists()


def test_raster_logo_becomes_a_picture_with_sizes(make_site: MakeSite) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 150), (10, 90, 160)).save(buffer, "JPEG")
    site = make_site(
        {
            "content/partners/alpha/partner.yaml": (
                "website: https://alpha.example.org/\nlogo: logo.jpg\nkind: ngo\n"
            ),
            "content/partners/alpha/logo.jpg": buffer.getvalue(),
        }
    )
    assert site.build().exit_code == 0
    page = site.html("/en/partners/alpha/")
    picture = page.select_one("picture")
    assert picture.source["type"] == "image/webp"
    img = picture.img
    assert (img["width"], img["height"]) == ("96", "48")
    assert img["alt"] == "Logo of Alpha Foundation"
    assert img["src"].endswith("-192.jpg")
    for candidate in (*picture.source["srcset"].split(", "), *img["srcset"].split(", ")):
        assert (site.out / candidate.split(" ")[0].lstrip("/")).is_file()
    # link previews and structured data name the largest raster, as a full URL
    share = page.find("meta", property="og:image")["content"]
    assert share == "https://partners.example.org" + img["src"]
    script = page.find("script", type="application/ld+json").string
    assert json.loads(script)["logo"] == share
    for path in ("/es/", "/en/partners/alpha/", "/ar/"):
        for image in site.html(path).find_all("img"):
            assert image.get("width") and image.get("height"), image


def test_unsafe_svg_logo_is_published_cleaned_with_a_warning(make_site: MakeSite) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><script>x()</script></svg>'
    site = make_site({"content/partners/alpha/logo.svg": svg})
    result = site.build()
    assert result.exit_code == 0
    assert (
        "content/partners/alpha/logo.svg:1: warning: removed the <script> element from the "
        "SVG logo" in result.stderr
    )
    assert "script" not in (site.out / "es/partners/alpha/logo.svg").read_text()
    assert site.build("--strict").exit_code == 1


def test_without_search_there_is_no_search_box(built_site: Site) -> None:
    assert built_site.html("/es/").find("search") is None
    assert not (built_site.out / "pagefind").exists()


def test_search_indexes_stand_ins_by_their_name_and_facts_only(make_site: MakeSite) -> None:
    """The directory lists a stand-in (a profile shown in its original language) in every
    language, so its language's search finds it too, by what the directory shows (its
    name, its facts): search said "no partner matches" beside its card. Its summary and
    text, in another language, stay out of that language's results."""
    site = make_site({"site.yaml": MINIMAL_SEARCH})
    result = site.build()
    assert result.exit_code == 0, result.output
    box = site.html("/ar/").find("search")
    assert box.has_attr("hidden") and box["data-bundle"] == "/pagefind/"
    assert box.find("label").get_text() != "Search partners"  # translated
    real = site.html("/es/partners/alpha/").find(attrs={"data-pagefind-body": True})
    assert real.h1 and not real.find(attrs={"data-pagefind-ignore": True})
    stand_in = site.html("/ar/partners/alpha/").find(attrs={"data-pagefind-body": True})
    ignored = stand_in.find_all(attrs={"data-pagefind-ignore": True})
    assert {"notice", "lead", "prose"} <= {name for tag in ignored for name in tag["class"]}
    indexed = [tag for tag in stand_in.find_all(True) if not tag.find_parent(ignored.__contains__)]
    assert stand_in.h1 in indexed and stand_in.find("dl", class_="facts") in indexed
    entry = json.loads((site.out / "pagefind" / "pagefind-entry.json").read_text())
    assert set(entry["languages"]) == {"es", "en", "ar"}


MINIMAL_SEARCH = (
    "title:\n  es: Nuestros aliados\n  en: Our partners\n  ar: شركاؤنا\n"
    "base_url: https://partners.example.org/\ndefault_language: es\n"
    "languages: [es, en, ar]\nsearch: true\n"
)


def test_missing_pagefind_warns_and_builds_without_search(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "pagefind_executable", lambda: None)
    site = make_site({"site.yaml": MINIMAL_SEARCH})
    result = site.build()
    assert result.exit_code == 0
    assert "warning: search is on in site.yaml, but the Pagefind program is not installed" in (
        result.stderr
    )
    assert not (site.out / "pagefind").exists()
    assert site.html("/es/").find("search").has_attr("hidden")
