"""sitemap.xml with hreflang alternates, and robots.txt pointing to it."""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # type: ignore[attr-defined]

from allysite import urls
from allysite.fingerprints import digest
from allysite.pagemeta import Alternate
from allysite.render import OutputFile
from allysite.routes import Route

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"


SitemapEntry = tuple[str, tuple[tuple[str, str], ...]]
"""A page as the sitemap shows it: its path, and its alternates (hreflang, absolute URL).
Plain text in tuples: it goes between processes, and its repr keys the sitemap."""


def sitemap_entry(route: Route) -> SitemapEntry:
    return entry_of(route.path, route.alternates)


def entry_of(path: str, alternates: Iterable[Alternate]) -> SitemapEntry:
    """A page's entry from its path and alternates (a route's, or its page metadata's)."""
    return (path, tuple((a.hreflang, a.href) for a in alternates))


def entry_key(entry: SitemapEntry) -> bytes:
    """What the build cache keeps of a page's entry: the sitemap is made again when one of
    them changed."""
    return digest(repr(entry).encode())


def make_sitemap(routes: Iterable[Route], site_urls: urls.Urls) -> OutputFile:
    return sitemap_of([sitemap_entry(route) for route in routes if route.in_sitemap], site_urls)


def sitemap_of(entries: Iterable[SitemapEntry], site_urls: urls.Urls) -> OutputFile:
    """Written line by line as ElementTree wrote it after `ET.indent` (with its escaping),
    without building the tree: that took most of the sitemap's time."""
    body: list[str] = []
    links: dict[tuple[tuple[str, str], ...], str] = {}  # (a page's translations share theirs)
    for path, alternates in sorted(entries, key=lambda entry: entry[0]):
        body.append(f"\n  <url>\n    <loc>{_escape_cdata(site_urls.absolute(path))}</loc>")
        written = links.get(alternates)
        if written is None:
            written = links[alternates] = "".join(
                '\n    <xhtml:link rel="alternate"'
                f' hreflang="{_escape_attrib(hreflang)}"'
                f' href="{_escape_attrib(href)}" />'
                for hreflang, href in alternates
            )
        body.append(written)
        body.append("\n  </url>")
    linked = any(links)
    xhtml = f' xmlns:xhtml="{XHTML_NS}"' if linked else ""  # declared where used, as ET did
    start = f'{XML_DECLARATION}<urlset xmlns="{SITEMAP_NS}"{xhtml}'
    text = f"{start}>{''.join(body)}\n</urlset>\n" if body else f"{start} />\n"
    return OutputFile(urls.output_path(urls.SITEMAP), text.encode("utf-8", "xmlcharrefreplace"))


def make_robots(site_urls: urls.Urls) -> OutputFile:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {site_urls.absolute(urls.SITEMAP)}\n"
    return OutputFile(urls.output_path(urls.ROBOTS), text.encode("utf-8"))
