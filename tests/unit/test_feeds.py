"""feeds and sitemap: written as text, byte for byte what ElementTree wrote."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType
from xml.etree import ElementTree as ET

import pytest
from lxml import etree

from allysite import urls
from allysite.build import THEME
from allysite.config import SiteConfig
from allysite.feeds import make_feed
from allysite.pagemeta import Alternate
from allysite.plan import make_plan
from allysite.routes import Route
from allysite.sitemap import make_sitemaps
from allysite.views import LanguageView, PartnerView

from .support import SMALL_SITE, load_site, write_files

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
ODD = "A & <b> \"q\" \r\n\t'x' ]]> é"


def stamp(partner: PartnerView) -> str:
    assert partner.since is not None
    year, month, day = [*partner.since.iso.split("-"), "01", "01"][:3]
    return f"{year}-{month}-{day}T00:00:00Z"


def tree_feed(config: SiteConfig, view: LanguageView) -> bytes:
    """The feed as allysite wrote it with ElementTree (the reference)."""
    site_urls, code = urls.Urls(config.base_url), view.language.code
    dated = sorted(
        (p for p in view.partners if p.since is not None),
        key=lambda p: (stamp(p), p.item.slug),
        reverse=True,
    )
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: code})

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "id", site_urls.absolute(urls.feed(code)))
    titled = {XML_LANG: config.default_language.code} if code in config.borrowed_titles else {}
    add(feed, "title", config.title[code], **titled)
    add(feed, "updated", stamp(dated[0]) if dated else "1970-01-01T00:00:00Z")
    href = site_urls.absolute(urls.feed(code))
    add(feed, "link", rel="self", type="application/atom+xml", href=href)
    add(feed, "link", rel="alternate", type="text/html", href=site_urls.absolute(urls.home(code)))
    add(add(feed, "author"), "name", config.title[code], **titled)
    for partner in dated:
        item, url = partner.item, site_urls.absolute(urls.partner(code, partner.item.slug))
        entry = add(feed, "entry")
        lang = {XML_LANG: item.text_lang.code} if item.is_fallback else {}
        add(entry, "id", url)
        add(entry, "title", item.name, **lang)
        add(entry, "link", rel="alternate", type="text/html", href=url)
        add(entry, "published", stamp(partner))
        add(entry, "updated", stamp(partner))
        if item.summary:
            add(entry, "summary", item.summary, **lang)
        for term in (partner.kind, *partner.regions, *partner.topics):
            add(entry, "category", term=f"{term.taxonomy}/{term.slug}", label=term.label)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def tree_sitemap(routes: list[Route], site_urls: urls.Urls) -> bytes:
    ET.register_namespace("", SM)
    ET.register_namespace("xhtml", XHTML)
    root = ET.Element(f"{{{SM}}}urlset")
    for route in sorted((r for r in routes if r.in_sitemap), key=lambda r: r.path):
        entry = ET.SubElement(root, f"{{{SM}}}url")
        ET.SubElement(entry, f"{{{SM}}}loc").text = site_urls.absolute(route.path)
        for alternate in route.alternates:
            attrs = {"rel": "alternate", "hreflang": alternate.hreflang, "href": alternate.href}
            ET.SubElement(entry, f"{{{XHTML}}}link", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


@pytest.fixture
def site(tmp_path: Path) -> tuple[SiteConfig, list[Route], tuple[LanguageView, ...]]:
    config, content = load_site(write_files(tmp_path / "site", SMALL_SITE))
    plan, _ = make_plan(config, content, THEME / "static")
    return config, list(plan.routes), plan.views


def odd(view: LanguageView) -> LanguageView:
    """The view with text that needs escaping everywhere, and a fallback entry."""
    first = view.partners[0]
    item = dataclasses.replace(first.item, name=ODD, summary=ODD, is_fallback=True)
    kind = dataclasses.replace(first.kind, label=ODD, slug="a&b")
    return dataclasses.replace(view, partners=(dataclasses.replace(first, item=item, kind=kind),))


def test_feeds_are_what_elementtree_wrote(site: tuple) -> None:  # type: ignore[type-arg]
    config, _, views = site
    for view in views:
        for shown in (view, odd(view), dataclasses.replace(view, partners=())):
            assert make_feed(config, shown).data == tree_feed(config, shown)
    odd_title = dataclasses.replace(config, title=MappingProxyType(dict.fromkeys(config.title, "")))
    assert make_feed(odd_title, views[0]).data == tree_feed(odd_title, views[0])
    odd_base = dataclasses.replace(config, base_url='https://x.org/a"b&c\t/')
    assert make_feed(odd_base, views[0]).data == tree_feed(odd_base, views[0])


def test_sitemap_is_what_elementtree_wrote(site: tuple) -> None:  # type: ignore[type-arg]
    config, routes, _ = site
    site_urls = urls.Urls(config.base_url)
    context = MappingProxyType({})
    odd_route = Route("/a&b/", "a/index.html", "es", "x", context, (Alternate(ODD, ODD),), True, ())
    bare = Route("/bare/", "bare/index.html", "es", "x", context, (), True, ())
    for shown in (routes, [*routes, odd_route], [bare], []):
        (sitemap,) = make_sitemaps(shown, site_urls)
        assert sitemap.data == tree_sitemap(shown, site_urls)


def test_a_feed_shows_no_website(site: tuple) -> None:  # type: ignore[type-arg]
    """Pages and feeds are keyed without the partners' websites where only their own pages
    show them (publish.PageKeys.apart): a feed that showed one would be kept stale."""
    config, _, views = site
    for view in views:
        moved = tuple(
            dataclasses.replace(p, website="https://moved.example/") for p in view.partners
        )
        assert (
            make_feed(config, view).data
            == make_feed(config, dataclasses.replace(view, partners=moved)).data
        )


def test_a_stand_in_entry_declares_only_its_original_text_of_another_language(
    site: tuple,  # type: ignore[type-arg]
) -> None:
    """xml:lang holds for an element and all it contains (RFC 4287 §2): a stand-in's title
    and summary are the original's, its categories' labels the feed's language."""
    config, _, views = site
    arabic = next(view for view in views if view.language.code == "ar")
    feed = etree.fromstring(make_feed(config, arabic).data)

    def lang(element: etree._Element) -> str:
        return str(element.xpath("string(ancestor-or-self::*[@xml:lang][1]/@xml:lang)"))

    entries = feed.findall(f"{{{ATOM}}}entry")
    stand_ins = [p for p in arabic.partners if p.item.is_fallback and p.since is not None]
    assert stand_ins and len(entries) == len(stand_ins)
    for entry, partner in zip(entries, stand_ins, strict=True):
        original = partner.item.text_lang.code
        assert original != "ar"
        assert lang(entry) == "ar"
        assert lang(entry.find(f"{{{ATOM}}}title")) == original
        assert lang(entry.find(f"{{{ATOM}}}summary")) == original
        categories = entry.findall(f"{{{ATOM}}}category")
        assert categories and {lang(category) for category in categories} == {"ar"}
        assert {category.get("label") for category in categories} >= {partner.kind.label}
