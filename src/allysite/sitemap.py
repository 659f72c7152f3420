"""sitemap.xml with hreflang alternates, and robots.txt pointing to it.

A sitemap file may list at most 50,000 URLs in at most 50 MiB (sitemaps.org): a larger
site's sitemap.xml is a sitemap index of numbered sitemaps (sitemap-1.xml...), each within
both limits."""

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

MAX_URLS = 50_000
"""The most URLs one sitemap file may list (sitemaps.org)."""
MAX_BYTES = 52_428_800
"""The most bytes one sitemap file may hold, uncompressed (50 MiB, sitemaps.org)."""


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


def limits() -> tuple[int, int]:
    """The most URLs and bytes of a sitemap file: read when called, so that a test may set
    smaller ones for a whole build (its forked processes too) instead of making 50,000
    pages."""
    return MAX_URLS, MAX_BYTES


def make_sitemaps(
    routes: Iterable[Route], site_urls: urls.Urls, most: tuple[int, int] | None = None
) -> list[OutputFile]:
    entries = [sitemap_entry(route) for route in routes if route.in_sitemap]
    return sitemap_files(entries, site_urls, most)


def sitemap_files(
    entries: Iterable[SitemapEntry], site_urls: urls.Urls, most: tuple[int, int] | None = None
) -> list[OutputFile]:
    """sitemap.xml alone while one file may hold every entry (`most`: the most URLs and
    bytes, `limits()` unless given); else sitemap.xml as an index, first, then the numbered
    sitemaps it lists, which hold the entries in order.

    Written line by line as ElementTree wrote it after `ET.indent` (with its escaping),
    without building the tree: that took most of the sitemap's time. Sizes are counted only
    once the whole file is found too large, so that a site within the limits pays nothing."""
    max_urls, max_bytes = limits() if most is None else most
    body: list[str] = []  # each entry's three strings: its <loc>, its links, its end
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
        body.append(_URL_END)
    name = urls.output_path(urls.SITEMAP)
    if len(body) <= 3 * max_urls:
        whole = _urlset(body, any(links))
        if len(whole) <= max_bytes:
            return [OutputFile(name, whole)]
    parts = [_urlset(body[3 * first : 3 * end]) for first, end in _cuts(body, max_urls, max_bytes)]
    locs = "".join(
        f"\n  <sitemap>\n    <loc>{_escape_cdata(site_urls.absolute(urls.sitemap_part(n)))}"
        "</loc>\n  </sitemap>"
        for n in range(1, len(parts) + 1)
    )
    index = f'{XML_DECLARATION}<sitemapindex xmlns="{SITEMAP_NS}">{locs}\n</sitemapindex>\n'
    return [
        OutputFile(name, index.encode("utf-8", "xmlcharrefreplace")),
        *(
            OutputFile(urls.output_path(urls.sitemap_part(n)), data)
            for n, data in enumerate(parts, start=1)
        ),
    ]


_URL_END = "\n  </url>"
_URLSET_END = "\n</urlset>\n"


def _urlset(body: list[str], linked: bool | None = None) -> bytes:
    """A <urlset> of these entries' strings (`linked`: whether any has links, when known)."""
    if linked is None:
        linked = any(body[1::3])
    xhtml = f' xmlns:xhtml="{XHTML_NS}"' if linked else ""  # declared where used, as ET did
    start = f'{XML_DECLARATION}<urlset xmlns="{SITEMAP_NS}"{xhtml}'
    text = f"{start}>{''.join(body)}{_URLSET_END}" if body else f"{start} />\n"
    return text.encode("utf-8", "xmlcharrefreplace")


def _cuts(body: list[str], max_urls: int, max_bytes: int) -> list[tuple[int, int]]:
    """The entries of each numbered sitemap (first, end), in order, as many as fit in each
    within both limits: the bytes bind first where pages have many alternates. An entry too
    large alone for `max_bytes` (not one at the protocol's) still gets a file of its own."""
    fixed = len(f'{XML_DECLARATION}<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">')
    fixed += len(_URLSET_END)
    sizes: dict[str, int] = {}  # (the links of a page's translations are one string)
    cuts: list[tuple[int, int]] = []
    first, size = 0, fixed
    for number in range(len(body) // 3):
        loc, written = body[3 * number], body[3 * number + 1]
        links = sizes.get(written)
        if links is None:
            links = sizes[written] = _size(written)
        entry = _size(loc) + links + len(_URL_END)
        if number > first and (number - first >= max_urls or size + entry > max_bytes):
            cuts.append((first, number))
            first, size = number, fixed
        size += entry
    cuts.append((first, len(body) // 3))
    return cuts


def _size(text: str) -> int:
    """Its length in UTF-8 (as written: with character references for what UTF-8 cannot)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "xmlcharrefreplace"))


def make_robots(site_urls: urls.Urls) -> OutputFile:
    text = f"User-agent: *\nAllow: /\n\nSitemap: {site_urls.absolute(urls.SITEMAP)}\n"
    return OutputFile(urls.output_path(urls.ROBOTS), text.encode("utf-8"))
