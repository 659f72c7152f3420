"""sitemap.xml with hreflang alternates, and robots.txt pointing to it."""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree import ElementTree as ET

from allysite import urls
from allysite.plan import Route
from allysite.render import OutputFile

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


def make_sitemap(routes: Iterable[Route], site_urls: urls.Urls) -> OutputFile:
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for route in sorted((r for r in routes if r.in_sitemap), key=lambda r: r.path):
        entry = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = site_urls.absolute(route.path)
        for alternate in route.alternates:
            ET.SubElement(
                entry,
                f"{{{XHTML_NS}}}link",
                rel="alternate",
                hreflang=alternate.hreflang,
                href=alternate.href,
            )
    ET.indent(root)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    return OutputFile(urls.output_path(urls.SITEMAP), data)


def make_robots(site_urls: urls.Urls) -> OutputFile:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {site_urls.absolute(urls.SITEMAP)}\n"
    return OutputFile(urls.output_path(urls.ROBOTS), text.encode("utf-8"))
