"""An Atom feed per language: the partners, newest partnership first.

Entries are dated by `partner_since` (a partial date counts from its first day), so the feed
is the same for the same content: no build time goes into it. Partners without a date are
not in the feed, since Atom needs a date for every entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET

from allysite import urls
from allysite.config import SiteConfig
from allysite.render import OutputFile
from allysite.views import LanguageView, PartnerView

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _stamp(partner: PartnerView) -> str:
    assert partner.since is not None
    iso = partner.since.iso
    year, month, day = [*iso.split("-"), "01", "01"][:3]
    return f"{year}-{month}-{day}T00:00:00Z"


def make_feed(config: SiteConfig, view: LanguageView) -> OutputFile:
    site_urls = urls.Urls(config.base_url)
    code = view.language.code
    dated = sorted(
        (p for p in view.partners if p.since is not None),
        key=lambda p: (_stamp(p), p.item.slug),
        reverse=True,
    )
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: code})
    title = config.title[code]

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    add(feed, "id", site_urls.absolute(urls.feed(code)))
    add(feed, "title", title)
    add(feed, "updated", _stamp(dated[0]) if dated else "1970-01-01T00:00:00Z")
    add(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=site_urls.absolute(urls.feed(code)),
    )
    add(feed, "link", rel="alternate", type="text/html", href=site_urls.absolute(urls.home(code)))
    author = add(feed, "author")
    add(author, "name", title)
    for partner in dated:
        item = partner.item
        url = site_urls.absolute(urls.partner(code, item.slug))
        entry = add(feed, "entry")
        if item.is_fallback:
            entry.set(XML_LANG, item.text_lang.code)
        add(entry, "id", url)
        add(entry, "title", item.name)
        add(entry, "link", rel="alternate", type="text/html", href=url)
        add(entry, "published", _stamp(partner))
        add(entry, "updated", _stamp(partner))
        if item.summary:
            add(entry, "summary", item.summary)
        for term in (partner.kind, *partner.regions, *partner.topics):
            add(entry, "category", term=f"{term.taxonomy}/{term.slug}", label=term.label)
    ET.indent(feed)
    data = ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"
    return OutputFile(urls.output_path(urls.feed(code)), data)


def make_feeds(config: SiteConfig, views: Iterable[LanguageView]) -> list[OutputFile]:
    return [make_feed(config, view) for view in views]
