"""End to end: small sites built from inline files, checked on the parsed HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from babel import Locale
from lxml import etree

from allysite import sitemap
from conftest import LOGO, MINIMAL_SITE, MakeSite, Site

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def test_every_language_gets_home_profile_terms_about_and_404(built_site: Site) -> None:
    for lang in ("es", "en", "ar"):
        for path in (
            f"/{lang}/",
            f"/{lang}/partners/alpha/",
            f"/{lang}/kinds/",
            f"/{lang}/kinds/ngo/",
            f"/{lang}/regions/europe/",
            f"/{lang}/topics/human-rights/",
            f"/{lang}/about/",
            f"/{lang}/404.html",
        ):
            page = built_site.html(path)
            assert page.find("h1") is not None, path
    for path in ("/", "/404.html", "/sitemap.xml", "/robots.txt"):
        assert (
            built_site.out / path.lstrip("/").replace("/", "")
            if path != "/"
            else built_site.out / "index.html"
        ).exists()


def test_html_lang_and_dir_come_from_cldr(built_site: Site) -> None:
    for lang, direction in (("es", "ltr"), ("en", "ltr"), ("ar", "rtl")):
        for path in (f"/{lang}/", f"/{lang}/partners/alpha/", f"/{lang}/404.html"):
            html = built_site.html(path).find("html")
            assert (html["lang"], html["dir"]) == (lang, direction)


def test_root_page_offers_each_language_by_its_native_name(built_site: Site) -> None:
    root = built_site.html("/")
    links = {
        a["hreflang"]: (a.get_text(strip=True), a["href"])
        for a in root.select(".language-choice a")
    }
    assert links == {
        "es": ("Español", "/es/"),
        "en": ("English", "/en/"),
        "ar": ("العربية", "/ar/"),
    }
    assert root.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")


def test_profile_shows_facts_in_the_page_language(built_site: Site) -> None:
    page = built_site.html("/en/partners/alpha/")
    assert page.find("h1").get_text(" ", strip=True) == "Alpha Foundation"
    time = page.find("time")
    assert time["datetime"] == "2015-04"
    assert time.get_text() == "April 2015"
    es_time = built_site.html("/es/partners/alpha/").find("time")
    assert es_time.get_text() == "abril de 2015"
    # region name from CLDR in each language
    assert page.find("a", href="/en/regions/europe/").get_text() == "Europe"
    assert (
        built_site.html("/ar/partners/alpha/").find("a", href="/ar/regions/europe/").get_text()
        == "أوروبا"
    )
    assert page.find("a", href="https://alpha.example.org/") is not None
    body = page.select_one(".prose")
    assert body.find("strong").get_text() == "English"


@pytest.mark.parametrize("lang", ["en", "es", "ar", "nl", "ru"])
def test_a_cldr_region_name_starts_as_a_label_does(make_site: MakeSite, lang: str) -> None:
    """CLDR writes some region names for use inside a sentence (English 'world', Dutch
    'wereld'); a label stands alone, in a list, a filter or a heading, and starts with a
    capital where the script has one."""
    languages = ["es", "en", "ar", "nl", "ru"]
    site = make_site(
        {
            "site.yaml": (
                "title: Partners\nbase_url: https://partners.example.org/\n"
                f"default_language: es\nlanguages: [{', '.join(languages)}]\n"
            ),
            "content/partners/alpha/partner.yaml": MINIMAL_SITE[
                "content/partners/alpha/partner.yaml"
            ].replace("regions: [europe]", "regions: [global, europe]"),
        }
    )
    assert site.build().exit_code == 0
    cldr = Locale.parse(lang).territories["001"]
    term = site.html(f"/{lang}/regions/global/")
    profile = site.html(f"/{lang}/partners/alpha/")
    shown = [
        term.find("h1").get_text(strip=True),
        profile.find("a", href=f"/{lang}/regions/global/").get_text(strip=True),
        site.html(f"/{lang}/").find("a", href=f"/{lang}/regions/global/").find(string=True),
    ]
    for text in shown:
        assert text.strip().casefold() == cldr.casefold()
        assert not text.strip()[0].islower()


def test_language_switcher_leads_to_the_same_page_in_each_language(built_site: Site) -> None:
    page = built_site.html("/en/partners/alpha/")
    links = page.select(".language-switcher a")
    assert [a["href"] for a in links] == [
        "/es/partners/alpha/",
        "/en/partners/alpha/",
        "/ar/partners/alpha/",
    ]
    current = [(a["hreflang"], a["aria-current"]) for a in links if a.get("aria-current")]
    assert current == [("en", "page")]
    # ar has no translation: the switcher says so
    untranslated = [a["hreflang"] for a in links if "untranslated" in (a.get("class") or [])]
    assert untranslated == ["ar"]
    for path in ("/es/", "/ar/kinds/ngo/", "/en/about/"):
        hrefs = [a["href"] for a in built_site.html(path).select(".language-switcher a")]
        assert len(hrefs) == 3
        assert all(h.endswith(path[3:]) for h in hrefs), hrefs


def test_the_switchers_note_is_bracketed_as_the_pages_language_writes_it(
    make_site: MakeSite,
) -> None:
    """The brackets of "(not yet translated)" are the translation's: Chinese writes them
    full-width. They were ASCII, around the translated words: "(尚未翻译)"."""
    site_yaml = MINIMAL_SITE["site.yaml"].replace("[es, en, ar]", "[es, en, ar, zh]")
    zh = "---\nname: 阿尔法基金会\nsummary: 致力于和平。\n---\n正文。\n"
    site = make_site({"site.yaml": site_yaml, "content/partners/alpha/zh.md": zh})
    assert site.build().exit_code == 0

    def notes(path: str) -> dict[str, str]:
        links = site.html(path).select(".language-switcher a.untranslated")
        return {a["hreflang"]: a.select_one(".pending").get_text() for a in links}

    assert notes("/zh/partners/alpha/") == {"ar": "（尚未翻译）"}
    assert notes("/en/partners/alpha/") == {"ar": "(not yet translated)"}


def _alternates(site: Site, path: str) -> dict[str, str]:
    return {
        link["hreflang"]: link["href"]
        for link in site.html(path).find_all("link", rel="alternate", hreflang=True)
    }


def test_hreflang_alternates_are_reciprocal_with_x_default(built_site: Site) -> None:
    base = "https://partners.example.org"
    expected = {
        "es": f"{base}/es/partners/alpha/",
        "en": f"{base}/en/partners/alpha/",
        "x-default": f"{base}/es/partners/alpha/",
    }
    for lang in ("es", "en"):
        path = f"/{lang}/partners/alpha/"
        assert _alternates(built_site, path) == expected
        canonical = built_site.html(path).find("link", rel="canonical")["href"]
        assert canonical == f"{base}{path}"
    home = _alternates(built_site, "/ar/")
    assert home == {
        "es": f"{base}/es/",
        "en": f"{base}/en/",
        "ar": f"{base}/ar/",
        "x-default": f"{base}/es/",
    }


def test_fallback_page_is_honest(built_site: Site) -> None:
    """A missing translation shows the original, marked, and is no alternate."""
    page = built_site.html("/ar/partners/alpha/")
    notice = page.select_one(".notice")
    assert notice is not None and notice.find_parent(attrs={"lang": "es"}) is None
    h1 = page.find("h1")
    assert (h1["lang"], h1["dir"]) == ("es", "ltr")
    assert "Fundación Alfa" in h1.get_text()
    prose = page.select_one(".prose")
    assert (prose["lang"], prose["dir"]) == ("es", "ltr")
    canonical = page.find("link", rel="canonical")["href"]
    assert canonical == "https://partners.example.org/es/partners/alpha/"
    assert page.find_all("link", rel="alternate", hreflang=True) == []
    for path in ("/es/partners/alpha/", "/en/partners/alpha/"):
        assert "ar" not in _alternates(built_site, path)


def test_fallback_card_text_carries_the_original_language(built_site: Site) -> None:
    """On the heading, not its link: the direction then sets the heading's alignment too,
    which in an Arabic list stood right of a summary aligned left."""
    card = built_site.html("/ar/").select_one(".card")
    title = card.select_one(".card-title")
    assert (title["lang"], title["dir"]) == ("es", "ltr")
    summary = card.select_one(".card-summary")
    assert (summary["lang"], summary["dir"]) == ("es", "ltr")
    assert card.select_one(".badge") is not None


def test_sitemap_lists_real_pages_with_alternates(built_site: Site) -> None:
    tree = ET.parse(built_site.out / "sitemap.xml")
    entries = {
        url.findtext("s:loc", namespaces=SITEMAP_NS): {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)
        }
        for url in tree.getroot().findall("s:url", SITEMAP_NS)
    }
    base = "https://partners.example.org"
    assert f"{base}/ar/partners/alpha/" not in entries  # a fallback
    assert f"{base}/en/about/" not in entries  # a fallback page too
    assert entries[f"{base}/en/partners/alpha/"] == {
        "es": f"{base}/es/partners/alpha/",
        "en": f"{base}/en/partners/alpha/",
        "x-default": f"{base}/es/partners/alpha/",
    }
    assert f"{base}/ar/" in entries
    assert not any(loc.endswith("404.html") for loc in entries)
    assert f"{base}/" not in entries
    robots = (built_site.out / "robots.txt").read_text()
    assert f"Sitemap: {base}/sitemap.xml" in robots


def test_a_site_over_the_limits_gets_a_sitemap_index_under_its_base_path(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the most URLs a sitemap may list, sitemap.xml (which robots.txt still names)
    lists numbered sitemaps by their full URLs, the base URL's path included."""
    monkeypatch.setattr(sitemap, "MAX_URLS", 10)
    base = "https://partners.example.org/allies/"
    site = make_site(
        {"site.yaml": MINIMAL_SITE["site.yaml"].replace("https://partners.example.org/", base)}
    )
    assert site.build().exit_code == 0
    index = etree.parse(site.out / "sitemap.xml").getroot()
    assert index.tag == f"{{{SITEMAP_NS['s']}}}sitemapindex"
    locs = [loc.text or "" for loc in index.iterfind("s:sitemap/s:loc", SITEMAP_NS)]
    assert locs == [f"{base}sitemap-{n}.xml" for n in range(1, len(locs) + 1)]
    assert len(locs) > 1
    listed: list[str] = []
    for loc in locs:
        part = etree.parse(site.out / loc.removeprefix(base)).getroot()
        assert part.tag == f"{{{SITEMAP_NS['s']}}}urlset"
        assert part.nsmap == {None: SITEMAP_NS["s"], "xhtml": SITEMAP_NS["x"]}
        assert 0 < len(part) <= 10
        listed += [url.text or "" for url in part.iterfind("s:url/s:loc", SITEMAP_NS)]
    assert len(listed) == len(set(listed)) > 10
    assert all(url.startswith(base) for url in listed)
    assert f"{base}ar/partners/alpha/" not in listed and f"{base}en/partners/alpha/" in listed
    assert f"Sitemap: {base}sitemap.xml\n" in (site.out / "robots.txt").read_text()


def test_directory_follows_the_language_collation(make_site: MakeSite) -> None:
    names = ["Zeta", "Ñandú", "Nube", "Óvalo", "Oasis", "Árbol", "Avena"]
    files: dict[str, str | None] = {
        "content/partners/alpha/partner.yaml": None,
        "content/partners/alpha/es.md": None,
        "content/partners/alpha/en.md": None,
        "content/partners/alpha/logo.svg": None,
    }
    for index, name in enumerate(names):
        files[f"content/partners/p{index}/partner.yaml"] = (
            "website: https://example.org/\nkind: ngo\n"
        )
        files[f"content/partners/p{index}/es.md"] = f"---\nname: {name}\nsummary: S.\n---\n"
    site = make_site(files)
    assert site.build().exit_code == 0
    shown = [a.get_text() for a in site.html("/es/").select(".card-title a")]
    assert shown == ["Árbol", "Avena", "Nube", "Ñandú", "Oasis", "Óvalo", "Zeta"]


def test_markdown_raw_html_is_sanitized(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/partners/alpha/es.md": (
                "---\nname: Alfa\nsummary: S.\n---\n"
                "<script>alert(1)</script>\n\n"
                '<p onclick="steal()">hi <a href="javascript:alert(2)">x</a></p>\n\n'
                '<iframe src="https://evil.example/"></iframe>\n\n'
                "[link](javascript:alert(3)) <img src=x onerror=alert(4)>\n"
            )
        }
    )
    assert site.build().exit_code == 0
    prose = site.html("/es/partners/alpha/").select_one(".prose")
    assert prose.find("script") is None and prose.find("iframe") is None
    for tag in prose.find_all(True):
        assert not any(attr.startswith("on") for attr in tag.attrs), tag
        assert not str(tag.get("href", "")).lower().startswith("javascript:")
    assert "alert(1)" not in str(prose)


def test_a_text_that_makes_the_markdown_parser_panic_is_built(make_site: MakeSite) -> None:
    """An unmatched backtick after a `[` made the compiled parser panic (markdown-it.rs 0.6:
    markdown-it-rust/markdown-it#40), and the build stopped with a traceback. The text is
    shown as CommonMark reads it: the lone backtick as written, the code spans as code."""
    site = make_site(
        {
            "content/partners/alpha/es.md": (
                "---\nname: Alfa\nsummary: S.\n---\nVéase [el informe `final.\n\nY el `código`.\n"
            )
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    prose = site.html("/es/partners/alpha/").select_one(".prose")
    first, second = prose.find_all("p")[:2]
    assert first.get_text() == "Véase [el informe `final." and first.find("code") is None
    assert [code.get_text() for code in second.find_all("code")] == ["código"]


def test_text_is_escaped_in_templates(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/partners/alpha/es.md": (
                '---\nname: "<b>Bold</b> & Co"\nsummary: "</p><script>x()</script>"\n---\n'
            )
        }
    )
    assert site.build().exit_code == 0
    page = site.html("/es/partners/alpha/")
    assert page.find("h1").get_text(" ", strip=True).startswith("<b>Bold</b> & Co")
    # the only inline script is the JSON-LD, whose text cannot close its element
    inline = [s.get("type") for s in page.find_all("script") if not s.get("src")]
    assert inline == ["application/ld+json"]


def test_site_template_overrides_theme_file_by_file(make_site: MakeSite) -> None:
    site = make_site(
        {
            "templates/partials/footer.html": (
                '<footer class="custom">{{ _("Partners") }}: {{ site.title }}</footer>\n'
            )
        }
    )
    assert site.build().exit_code == 0
    footer = site.html("/en/").select_one("footer.custom")
    assert footer.get_text() == "Partners: Our partners"
    # the rest still comes from the theme
    assert site.html("/en/").select_one(".language-switcher") is not None


def test_site_catalog_is_merged_over_the_theme_catalog(make_site: MakeSite) -> None:
    po = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Language: es\\n"\n\nmsgid "Website"\nmsgstr "Página oficial"\n'
    )
    site = make_site({"locales/es/LC_MESSAGES/messages.po": po})
    assert site.build().exit_code == 0
    terms = [dt.get_text() for dt in site.html("/es/partners/alpha/").select(".facts dt")]
    assert "Página oficial" in terms
    # strings the site does not translate still come from the theme's catalog
    assert "Sitio web" not in terms
    assert site.html("/es/").select_one(".skip-link").get_text() != "Skip to content"


def test_fuzzy_entries_are_not_used(make_site: MakeSite) -> None:
    po = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "Website"\nmsgstr "Web dudosa"\n'
    )
    site = make_site({"locales/es/LC_MESSAGES/messages.po": po})
    assert site.build().exit_code == 0
    assert "Web dudosa" not in site.html("/es/partners/alpha/").get_text()


def test_logo_is_copied_once_and_shown_in_every_language(built_site: Site) -> None:
    """One file in the default language's folder, which every language's pages show."""
    for code, name in (("es", "Fundación Alfa"), ("en", "Alpha Foundation"), ("ar", "Alfa")):
        page = built_site.html(f"/{code}/partners/alpha/")
        img = page.select_one(".profile-logo")
        assert img["src"] == "/es/partners/alpha/logo.svg"
        assert name in img["alt"]
        card = built_site.html(f"/{code}/").select_one(f"img[src='{img['src']}']")
        assert card is not None
    assert (built_site.out / "es/partners/alpha/logo.svg").read_text() == LOGO
    copies = [p.relative_to(built_site.out).as_posix() for p in built_site.out.rglob("logo.svg")]
    assert copies == ["es/partners/alpha/logo.svg"]


@pytest.mark.parametrize(
    "link",
    ["[our logo](logo.svg)", "![](./logo.svg)", '<img src="logo%2Esvg" alt="logo">'],
)
def test_a_profile_that_links_to_its_logo_finds_it_in_every_language(
    make_site: MakeSite, link: str
) -> None:
    """The logo is then copied into every language's folder, where a relative link from
    any language's page (the English text's, or the Spanish one that Arabic falls back to)
    reaches it."""
    en = MINIMAL_SITE["content/partners/alpha/en.md"]
    site = make_site({"content/partners/alpha/en.md": en + f"\n{link}\n"})
    assert site.build().exit_code == 0
    for code in ("es", "en", "ar"):
        assert (site.out / f"{code}/partners/alpha/logo.svg").read_text() == LOGO
    page = site.html("/en/partners/alpha/")
    assert page.select_one(".profile-logo")["src"] == "/es/partners/alpha/logo.svg"


def test_base_url_with_a_path_prefixes_every_link(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yaml": (
                "title: Allies\nbase_url: https://example.org/allies\n"
                "default_language: es\nlanguages: [es, en]\n"
            )
        }
    )
    assert site.build().exit_code == 0
    page = site.html("/en/partners/alpha/")
    assert page.find("link", rel="canonical")["href"] == (
        "https://example.org/allies/en/partners/alpha/"
    )
    assert page.select_one(".site-title")["href"] == "/allies/en/"
    stylesheet = page.find("link", rel="stylesheet")["href"]
    assert stylesheet.startswith("/allies/assets/style.") and stylesheet.endswith(".css")
    assert site.html("/es/").select_one("title").get_text() == "Allies"


def test_each_language_uses_its_own_catalog(make_site: MakeSite) -> None:
    def po(lang: str, text: str) -> str:
        return (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            f'"Language: {lang}\\n"\n\nmsgid "Website"\nmsgstr "{text}"\n'
        )

    site = make_site(
        {
            "locales/es/LC_MESSAGES/messages.po": po("es", "Web (es)"),
            "locales/en/LC_MESSAGES/messages.po": po("en", "Web (en)"),
        }
    )
    assert site.build().exit_code == 0
    for lang in ("es", "en"):
        terms = [dt.get_text() for dt in site.html(f"/{lang}/partners/alpha/").select("dt")]
        assert f"Web ({lang})" in terms
    assert not any("Web (" in dt.get_text() for dt in site.html("/ar/partners/alpha/").select("dt"))


def test_not_found_pages_lead_to_every_language_home(built_site: Site) -> None:
    homes = {"es": "/es/", "en": "/en/", "ar": "/ar/"}
    for path in ("/404.html", "/es/404.html", "/ar/404.html"):
        page = built_site.html(path)
        links = {a["hreflang"]: a["href"] for a in page.select("main .language-choice a")}
        assert links == homes, path
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        # the switcher too: another language's 404.html is a page answered with 200
        switcher = page.select(".language-switcher a")
        assert {a["hreflang"]: a["href"] for a in switcher} == homes, path
        assert not page.select(".language-switcher .untranslated"), path
        # (the current language, whose link is no link to this page)
        current = [(a["hreflang"], a["aria-current"]) for a in switcher if a.get("aria-current")]
        assert current == ([] if path == "/404.html" else [(path.split("/")[1], "true")]), path
    canonical = built_site.html("/ar/404.html").find("link", rel="canonical")["href"]
    assert canonical == "https://partners.example.org/ar/404.html"


def _icons(site: Site, path: str) -> list[tuple[str, str]]:
    return [(link["href"], link["type"]) for link in site.html(path).select('link[rel="icon"]')]


def test_every_page_links_the_theme_icon_unless_the_site_has_its_own(
    make_site: MakeSite,
) -> None:
    """Unlinked, every page made the browser ask for /favicon.ico, a 404 and a console
    error where the site has none."""
    site = make_site()
    assert site.build().exit_code == 0
    paths = ("/", "/404.html", "/es/", "/en/partners/alpha/", "/ar/404.html", "/es/about/")
    for path in paths:
        ((href, kind),) = _icons(site, path)
        assert kind == "image/svg+xml" and href.startswith("/assets/favicon."), path
        assert (site.out / href.lstrip("/")).read_bytes().startswith(b"<svg"), path
    # a site's own icons, in static/, take its place (the build after, from its cache, too)
    site.write({"static/favicon.ico": b"\x00\x00\x01\x00", "static/favicon.svg": "<svg/>"})
    assert site.build().exit_code == 0
    for path in paths:
        assert _icons(site, path) == [
            ("/favicon.ico", "image/x-icon"),
            ("/favicon.svg", "image/svg+xml"),
        ], path
    site.remove("static/favicon.svg")
    assert site.build().exit_code == 0
    for path in paths:
        assert _icons(site, path) == [("/favicon.ico", "image/x-icon")], path


def test_icons_are_linked_below_the_base_path(make_site: MakeSite) -> None:
    site = make_site(
        {
            "site.yaml": MINIMAL_SITE["site.yaml"].replace(
                "https://partners.example.org/", "https://example.org/allies/"
            ),
            "static/favicon.svg": "<svg/>",
        }
    )
    assert site.build().exit_code == 0
    assert _icons(site, "/es/") == [("/allies/favicon.svg", "image/svg+xml")]


LEFTOVERS = (
    "partner.yaml~",  # Emacs', vim's, gedit's backups
    "es.md.~1~",
    "#en.md#",  # Emacs' autosave
    "en.md___jb_old___",  # JetBrains' safe write
    "en.md___jb_tmp___",
    "en.md.kate-swp",
    "en.md.swp",  # (vim's swap of a file it names so: its own are dot-names, hidden)
    "4913",  # vim's probe of a folder
)


def test_editors_leftovers_in_content_are_not_published_as_hugo_leaves_them_out(
    make_site: MakeSite,
) -> None:
    """An item's own files are copied into every language's folder, but an editor's backup,
    autosave or temporary file beside them; a folder with nothing else is no item, and one
    in content/partners/ is no stray file. A file named by other digits ('2024'), or a
    backup in static/ (copied as it is, as Hugo's), is published."""
    en = MINIMAL_SITE["content/partners/alpha/en.md"]
    site = make_site(
        {
            "content/partners/alpha/en.md": en + "\n[Report](report.pdf) and [2024](2024)\n",
            "content/partners/alpha/report.pdf": "%PDF-1.4",
            "content/partners/alpha/2024": "a year's figures",
            **{f"content/partners/alpha/{name}": "old" for name in LEFTOVERS},
            "content/partners/alpha/img/#logo.svg#": "old",
            "content/pages/about/es.md~": "---\nname: Viejo\n---\n",
            "content/partners/gamma/es.md~": "---\nname: Gamma\n---\n",
            "content/partners/notes~": "old",
            "static/notes~": "kept",
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr, result.stderr  # (no stray file, no missing one)
    files = site.output_files()
    for code in ("es", "en", "ar"):
        own = {
            name.removeprefix(f"{code}/partners/alpha/")
            for name in files
            if name.startswith(f"{code}/partners/alpha/")
        }
        assert own - {"logo.svg"} == {"index.html", "report.pdf", "2024"}
        assert [name for name in files if name.startswith(f"{code}/about/")] == [
            f"{code}/about/index.html"
        ]
        assert not [name for name in files if name.startswith(f"{code}/partners/gamma")]
    assert files["notes~"] == b"kept"


def test_static_files_are_copied_but_never_replace_generated_ones(make_site: MakeSite) -> None:
    site = make_site({"static/favicon.svg": "<svg/>", "static/files/report.txt": "r"})
    assert site.build().exit_code == 0
    assert (site.out / "favicon.svg").read_text() == "<svg/>"
    assert (site.out / "files/report.txt").read_text() == "r"
    site.write({"static/es/index.html": "<p>mine</p>", "static/sitemap.xml": "<x/>"})
    result = site.build()
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    for name in ("es/index.html", "sitemap.xml"):
        assert (
            f"static/{name}: error: static/{name} would replace a file that allysite "
            "generates" in lines
        )


def test_heading_ids_never_repeat_the_theme_ids(make_site: MakeSite) -> None:
    site = make_site(
        {"content/partners/alpha/es.md": "---\nname: A\nsummary: S.\n---\n## Main\n\n## Content\n"}
    )
    assert site.build().exit_code == 0
    page = site.html("/es/partners/alpha/")
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), ids
    assert page.find("main")["id"] == "main"


def test_a_term_label_in_another_language_carries_its_lang_and_dir(make_site: MakeSite) -> None:
    """A term without a label in the page's language shows the default language's (or its
    slug): without lang and dir, an Arabic label in a Spanish list was read with a Spanish
    voice, and the count after it was drawn on its left ("11 منظمة socios")."""
    site = make_site(
        {
            "site.yaml": (
                "title: {ar: شركاؤنا, es: Nuestros aliados}\n"
                "base_url: https://partners.example.org/\n"
                "default_language: ar\nlanguages: [ar, es]\n"
            ),
            "taxonomies.yaml": "kinds:\n  ngo: {ar: منظمة غير حكومية}\n",
            "content/partners/alpha/ar.md": "---\nname: ألفا\nsummary: ملخص.\n---\nنص.\n",
            "content/partners/alpha/es.md": "---\nname: Alfa\nsummary: Resumen.\n---\nTexto.\n",
            "content/partners/alpha/en.md": None,
            "content/pages/about/es.md": None,
            "content/pages/about/ar.md": "---\nname: من نحن\n---\nنص.\n",
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output

    def attrs(element: object) -> tuple[str | None, str | None]:
        return element.get("lang"), element.get("dir")  # type: ignore[attr-defined]

    shown = {
        "taxonomy list": site.html("/es/kinds/").find("a", href="/es/kinds/ngo/"),
        "term heading": site.html("/es/kinds/ngo/").find("h1"),
        "card": site.html("/es/").select_one(".card .tag"),
        "profile": site.html("/es/partners/alpha/").find("a", href="/es/kinds/ngo/"),
        "filter": site.html("/es/").find("a", href="/es/kinds/ngo/").find("span"),
    }
    for where, element in shown.items():
        assert element.get_text(strip=True) == "منظمة غير حكومية", where
        assert attrs(element) == ("ar", "rtl"), where
    # a label in the page's own language needs neither
    own = site.html("/ar/kinds/").find("a", href="/ar/kinds/ngo/")
    assert attrs(own) == (None, None)
    # a slug shown as the label is Latin: left to right in an Arabic page, of no known language
    topic = site.html("/ar/partners/alpha/").find("a", href="/ar/topics/peacebuilding/")
    assert topic.get_text(strip=True) == "Peacebuilding"
    assert attrs(topic) == (None, "ltr")
    assert attrs(site.html("/es/partners/alpha/").find("a", href="/es/topics/peacebuilding/")) == (
        None,
        None,
    )


def test_a_name_written_the_other_way_is_isolated_in_its_own_direction(
    make_site: MakeSite,
) -> None:
    """A Latin name in an Arabic text took the text's direction: its heading, its card and
    its page's title showed ".Hope Inc". An Arabic stand-in's name in a Spanish title is
    isolated right to left; an Arabic name with a Latin acronym stays right to left."""
    site = make_site(
        {
            "site.yaml": (
                "title: {ar: شركاؤنا, es: Nuestros aliados}\n"
                "base_url: https://partners.example.org/\n"
                "default_language: ar\nlanguages: [ar, es]\n"
            ),
            "content/partners/alpha/ar.md": "---\nname: Hope Inc.\nsummary: ملخص.\n---\nنص.\n",
            "content/partners/alpha/es.md": None,
            "content/partners/alpha/en.md": None,
            "content/partners/beta/partner.yaml": "website: https://b.example.org/\nkind: ngo\n",
            "content/partners/beta/ar.md": (
                "---\nname: UNAOC تحالف الحضارات\nsummary: ملخص.\n---\nنص.\n"
            ),
            "content/pages/about/es.md": None,
            "content/pages/about/ar.md": "---\nname: About us.\n---\nنص.\n",
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"

    for lang in ("ar", "es"):  # in Arabic text, on its own page and as a stand-in
        profile = site.html(f"/{lang}/partners/alpha/")
        name = profile.find("h1").find("span", dir="ltr")
        assert name is not None and name.get_text() == "Hope Inc.", lang
        link = site.html(f"/{lang}/").find("a", href=f"/{lang}/partners/alpha/")
        assert (link.get_text(), link.get("dir")) == ("Hope Inc.", "ltr"), lang
    title = site.html("/ar/partners/alpha/").title.get_text()
    assert title == f"{LRI}Hope Inc.{PDI} · شركاؤنا"
    assert site.html("/es/partners/alpha/").title.get_text() == "Hope Inc. · Nuestros aliados"
    page = site.html("/ar/about/")
    assert page.title.get_text() == f"{LRI}About us.{PDI} · شركاؤنا"
    assert page.find("h1").find("span", dir="ltr").get_text() == "About us."
    assert page.select_one(".site-nav").find("a", href="/ar/about/")["dir"] == "ltr"

    beta = site.html("/ar/partners/beta/")
    assert beta.find("h1").find("span", dir=True) is None
    assert beta.title.get_text() == "UNAOC تحالف الحضارات · شركاؤنا"
    assert site.html("/ar/").find("a", href="/ar/partners/beta/").get("dir") is None
    stand_in = site.html("/es/partners/beta/")
    assert stand_in.title.get_text() == f"{RLI}UNAOC تحالف الحضارات{PDI} · Nuestros aliados"
    assert stand_in.find("h1").find("span", dir=True) is None


def test_a_count_in_scripts_is_singular_for_one_in_a_language_without_a_catalog(
    make_site: MakeSite,
) -> None:
    """Persian's CLDR 'one' holds 0 and 1; its sample was 0, for which the English source
    text (no Persian catalog) is plural: a filter left with one partner said "1 partners"."""
    site = make_site(
        {
            "site.yaml": (
                "title: {en: Our partners, fa: شرکای ما}\n"
                "base_url: https://partners.example.org/\n"
                "default_language: en\nlanguages: [en, fa]\n"
            ),
            "content/partners/alpha/es.md": None,
            "content/pages/about/es.md": None,
            "content/pages/about/en.md": "---\nname: About\n---\nText.\n",
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    status = site.html("/fa/").find(attrs={"data-facet-status": True})
    assert status["data-count-one"] == "{n} partner"
    assert status["data-count-other"] == "{n} partners"


def test_a_page_takes_a_short_name_as_a_profile_does(make_site: MakeSite) -> None:
    """CONTENT-FORMAT.md: pages follow the same rules as a partner's <lang>.md, whose
    short_name is optional; a page's was refused as an unknown field."""
    site = make_site(
        {
            "content/pages/about/es.md": (
                "---\nname: Preguntas frecuentes\nshort_name: FAQ\n---\nRespuestas.\n"
            ),
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    for lang in ("es", "en"):  # its own page, and the stand-in of a missing translation
        heading = site.html(f"/{lang}/about/").find("h1")
        assert heading.get_text(" ", strip=True) == "Preguntas frecuentes ( FAQ )", lang
        assert heading.select_one(".short-name bdi").get_text() == "FAQ", lang


def test_a_title_borrowed_from_the_default_language_is_marked_as_its_language(
    make_site: MakeSite,
) -> None:
    """A language without a title of its own shows the default language's: the Spanish title
    in an Arabic page was read in an Arabic voice, right to left, like a term label or a
    stand-in text shown in another language's stead before they were marked."""
    site = make_site(
        {
            "site.yaml": "title:\n  es: Nuestros aliados\n  en: Our partners\n"
            "base_url: https://partners.example.org/\ndefault_language: es\n"
            "languages: [es, en, ar]\n"
        }
    )
    assert site.build().exit_code == 0
    arabic = site.html("/ar/")
    for element in (arabic.select_one(".site-title"), arabic.select_one("main h1")):
        assert element is not None and element.get_text() == "Nuestros aliados"
        assert (element.get("lang"), element.get("dir")) == ("es", "ltr")
    footer = arabic.select_one("footer [lang]")
    assert footer is not None and footer.get_text() == "Nuestros aliados"
    assert footer.get("dir") == "ltr"
    # the window's title, plain text: isolated left to right within the Arabic line
    title = site.html("/ar/partners/alpha/").title
    assert title is not None and title.get_text().endswith(" · \u2066Nuestros aliados\u2069")
    feed = ET.fromstring((site.out / "ar" / "feed.xml").read_bytes())
    atom = "{http://www.w3.org/2005/Atom}"
    feed_title = feed.find(f"{atom}title")
    assert feed_title is not None and feed_title.text == "Nuestros aliados"
    assert feed_title.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    # a language with its own title, and the default language, carry no such marks
    for path in ("/en/", "/es/"):
        page = site.html(path)
        assert page.select_one(".site-title").get("lang") is None  # type: ignore[union-attr]
        assert "\u2066" not in page.title.get_text()  # type: ignore[union-attr]
    english = ET.fromstring((site.out / "en" / "feed.xml").read_bytes()).find(f"{atom}title")
    assert english is not None and english.get("{http://www.w3.org/XML/1998/namespace}lang") is None


def test_a_taxonomy_section_with_nothing_under_it_is_empty(make_site: MakeSite) -> None:
    """`topics:` whose entries are all commented out means no labels, as in Hugo: it was
    refused as 'must be a mapping', failing the build."""
    site = make_site(
        {
            "taxonomies.yaml": "kinds:\n  ngo: {es: ONG, en: NGO, ar: منظمة}\n"
            "regions:\ntopics:\n#  human-rights: {es: Derechos humanos}\n"
        }
    )
    result = site.build()
    assert result.exit_code == 0, result.output
    page = site.html("/es/partners/alpha/")
    labels = {a["href"]: a.get_text(strip=True) for a in page.select("main a[href]")}
    assert labels["/es/kinds/ngo/"] == "ONG"  # the labels of the other sections still apply
    assert labels["/es/topics/human-rights/"] == "Human rights"  # (its slug: no label)
