"""sitemap: sitemap.xml with hreflang alternates, and robots.txt."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from xml.etree import ElementTree as ET

import pytest
from lxml import etree

from allysite.build import THEME
from allysite.pagemeta import Alternate
from allysite.plan import make_plan
from allysite.render import OutputFile
from allysite.routes import Route
from allysite.sitemap import (
    MAX_BYTES,
    MAX_URLS,
    SITEMAP_NS,
    XHTML_NS,
    SitemapEntry,
    make_robots,
    make_sitemaps,
    sitemap_files,
)
from allysite.urls import Urls

from .support import SMALL_SITE, load_site, write_files

BASE = "https://x.org/"
NS = {"sm": SITEMAP_NS, "xhtml": XHTML_NS}


def make_route(path: str, in_sitemap: bool = True, langs: tuple[str, ...] = ("es", "en")) -> Route:
    alternates = tuple(Alternate(code, f"https://x.org/{code}{path[3:]}") for code in langs)
    alternates += (Alternate("x-default", f"https://x.org/es{path[3:]}"),)
    return Route(
        path,
        path.lstrip("/") + "index.html",
        path[1:3],
        "page.html",
        MappingProxyType({}),
        alternates if in_sitemap else (),
        in_sitemap,
        (),
    )


def make_sitemap(routes: list[Route], site_urls: Urls) -> OutputFile:
    """The sitemap of a site within the limits: sitemap.xml alone."""
    (output,) = make_sitemaps(routes, site_urls)
    return output


ROUTES = [
    make_route("/es/partners/b/"),
    make_route("/en/"),
    make_route("/es/"),
    make_route("/ar/partners/b/", in_sitemap=False),
    make_route("/en/partners/b/"),
]


def parsed(routes: list[Route], base: str = BASE) -> ET.Element:
    output = make_sitemap(routes, Urls(base))
    assert output.out_path == "sitemap.xml"
    return ET.fromstring(output.data)


def test_sitemap_is_utf8_xml_with_declaration() -> None:
    data = make_sitemap(ROUTES, Urls(BASE)).data
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n")
    assert data.endswith(b"</urlset>\n")
    assert ET.fromstring(data) is not None


def test_namespaces() -> None:
    data = make_sitemap(ROUTES, Urls(BASE)).data.decode()
    assert f'xmlns="{SITEMAP_NS}"' in data
    assert f'xmlns:xhtml="{XHTML_NS}"' in data
    root = ET.fromstring(data)
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    assert SITEMAP_NS == "http://www.sitemaps.org/schemas/sitemap/0.9"
    assert XHTML_NS == "http://www.w3.org/1999/xhtml"


def test_only_sitemap_routes_sorted_by_path() -> None:
    root = parsed(ROUTES)
    locs = [loc.text for loc in root.findall("sm:url/sm:loc", NS)]
    assert locs == [
        "https://x.org/en/",
        "https://x.org/en/partners/b/",
        "https://x.org/es/",
        "https://x.org/es/partners/b/",
    ]


def test_each_url_lists_its_alternates() -> None:
    root = parsed([make_route("/es/partners/b/", langs=("es", "en", "pt-BR"))])
    (url,) = root.findall("sm:url", NS)
    links = [link.attrib for link in url.findall("xhtml:link", NS)]
    assert links == [
        {"rel": "alternate", "hreflang": "es", "href": "https://x.org/es/partners/b/"},
        {"rel": "alternate", "hreflang": "en", "href": "https://x.org/en/partners/b/"},
        {"rel": "alternate", "hreflang": "pt-BR", "href": "https://x.org/pt-BR/partners/b/"},
        {"rel": "alternate", "hreflang": "x-default", "href": "https://x.org/es/partners/b/"},
    ]


def test_locations_carry_the_base_url_path() -> None:
    root = parsed([make_route("/es/")], base="https://x.org/allies/")
    assert root.findall("sm:url/sm:loc", NS)[0].text == "https://x.org/allies/es/"


def test_special_characters_are_escaped() -> None:
    route = Route(
        "/es/a&b/", "es/a&b/index.html", "es", "p.html", MappingProxyType({}), (), True, ()
    )
    data = make_sitemap([route], Urls(BASE)).data
    assert b"<loc>https://x.org/es/a&amp;b/</loc>" in data
    assert ET.fromstring(data).findall("sm:url/sm:loc", NS)[0].text == "https://x.org/es/a&b/"


def test_empty_sitemap_is_still_valid() -> None:
    root = parsed([make_route("/ar/x/", in_sitemap=False)])
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    assert list(root) == []


def test_robots_points_to_the_sitemap() -> None:
    robots = make_robots(Urls("https://x.org/"))
    assert robots.out_path == "robots.txt"
    assert robots.data == b"User-agent: *\nAllow: /\n\nSitemap: https://x.org/sitemap.xml\n"


def test_robots_sitemap_under_a_path_prefix() -> None:
    robots = make_robots(Urls("https://x.org/allies/"))
    assert b"Sitemap: https://x.org/allies/sitemap.xml\n" in robots.data


def test_sitemap_of_a_planned_site(tmp_path: Path) -> None:
    config, content = load_site(write_files(tmp_path / "site", SMALL_SITE))
    plan, _ = make_plan(config, content, THEME / "static")
    root = parsed(list(plan.routes), base=config.base_url)
    locs = [loc.text for loc in root.findall("sm:url/sm:loc", NS)]
    expected = sorted(r.path for r in plan.routes if r.in_sitemap)
    assert locs == [f"https://partners.example.org{path}" for path in expected]
    assert "https://partners.example.org/ar/partners/alpha/" not in locs  # a fallback
    assert "https://partners.example.org/en/partners/alpha/" in locs
    assert not any(loc.endswith(("/404.html", ".org/")) for loc in locs if loc)
    for url in root.findall("sm:url", NS):
        hreflangs = [link.get("hreflang") for link in url.findall("xhtml:link", NS)]
        assert hreflangs[-1] == "x-default"


# --- beyond one file's limits: an index of numbered sitemaps -------------------------------------

LANGS = ("es", "en", "fr", "ar", "de", "ru")


def many_entries(partners: int, base: str = BASE) -> list[SitemapEntry]:
    """Each partner's page in every language, each listing all as its alternates."""
    return [
        (
            f"/{lang}/partners/p{number}/",
            tuple((other, f"{base}{other}/partners/p{number}/") for other in LANGS),
        )
        for number in range(partners)
        for lang in LANGS
    ]


def index_and_parts(
    files: list[OutputFile], base: str
) -> tuple[list[str], dict[str, etree._Element]]:
    """The index's <loc>s, checked to name the parts in order, and the parts parsed."""
    index = etree.fromstring(files[0].data)
    assert files[0].out_path == "sitemap.xml"
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    assert [child.tag for child in index] == [f"{{{SITEMAP_NS}}}sitemap"] * len(files[1:])
    locs = [loc.text or "" for loc in index.iterfind("sm:sitemap/sm:loc", NS)]
    names = [f"sitemap-{n}.xml" for n in range(1, len(files))]
    assert [file.out_path for file in files[1:]] == names
    assert locs == [base + name for name in names]  # absolute, each a file written
    return locs, {file.out_path: etree.fromstring(file.data) for file in files[1:]}


def assert_urlset(part: etree._Element) -> None:
    """A sitemap's shape: a urlset of urls, each a loc and its xhtml:link alternates."""
    assert part.tag == f"{{{SITEMAP_NS}}}urlset"
    assert part.nsmap == {None: SITEMAP_NS, "xhtml": XHTML_NS}
    for url in part:
        assert url.tag == f"{{{SITEMAP_NS}}}url"
        assert url[0].tag == f"{{{SITEMAP_NS}}}loc"
        for link in url[1:]:
            assert link.tag == f"{{{XHTML_NS}}}link"
            assert link.get("rel") == "alternate" and link.get("hreflang") in LANGS


def all_locs(parts: dict[str, etree._Element]) -> list[str]:
    return [loc.text or "" for part in parts.values() for loc in part.iterfind("sm:url/sm:loc", NS)]


@pytest.mark.parametrize("base", ["https://x.org/", "https://x.org/allies/"])
def test_more_urls_than_a_file_may_list_make_an_index(base: str) -> None:
    entries = many_entries(20, base)  # 120 pages, at most 50 a file
    files = sitemap_files(entries, Urls(base), (50, 10**9))
    _, parts = index_and_parts(files, base)
    assert [len(part) for part in parts.values()] == [50, 50, 20]
    for part in parts.values():
        assert_urlset(part)
    locs = all_locs(parts)
    assert locs == sorted(base.rstrip("/") + path for path, _ in entries)  # each once, in order
    assert len(set(locs)) == len(entries)


def test_the_bytes_bind_first_with_many_alternates() -> None:
    entries = many_entries(30)  # 180 pages of six alternates: under 50 a file by bytes
    single = sitemap_files(entries, Urls(BASE), (10**6, 10**9))
    assert len(single) == 1
    most = 10_000  # about 20 pages a file
    files = sitemap_files(entries, Urls(BASE), (50, most))
    _, parts = index_and_parts(files, BASE)
    assert len(parts) > len(entries) // 50 + 1  # more files than the count alone asks
    assert all(len(file.data) <= most for file in files)
    assert all(len(part) <= 50 for part in parts.values())
    # as full as the limit allows: the next page would not have fitted
    sizes = [len(file.data) for file in files[1:]]
    url = len(single[0].data) // len(entries)
    assert all(size > most - 2 * url for size in sizes[:-1])
    assert all_locs(parts) == sorted(BASE.rstrip("/") + path for path, _ in entries)


def test_the_limits_hold_in_bytes_of_utf8() -> None:
    """A page's size counts in UTF-8 bytes, not characters: ر is two."""
    entries = [
        (f"/ar/{'ر' * 200}{number}/", (("ar", f"https://x.org/ar/{'ر' * 200}{number}/"),))
        for number in range(40)
    ]
    files = sitemap_files(entries, Urls(BASE), (1000, 10_000))
    _, parts = index_and_parts(files, BASE)
    assert len(parts) > 1
    assert all(len(file.data) <= 10_000 for file in files)
    assert len(all_locs(parts)) == 40


def test_within_the_limits_sitemap_xml_is_one_file_as_before() -> None:
    entries = many_entries(20)
    (alone,) = sitemap_files(entries, Urls(BASE), (120, len(make_sitemap_bytes(entries))))
    assert alone.out_path == "sitemap.xml"
    assert alone.data == make_sitemap_bytes(entries)
    assert sitemap_files(entries, Urls(BASE)) == [alone]  # the protocol's limits


def make_sitemap_bytes(entries: list[SitemapEntry]) -> bytes:
    """The single sitemap.xml as ElementTree writes it (what allysite always wrote)."""
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for path, alternates in sorted(entries):
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = BASE.rstrip("/") + path
        for hreflang, href in alternates:
            attributes = {"rel": "alternate", "hreflang": hreflang, "href": href}
            ET.SubElement(url, f"{{{XHTML_NS}}}link", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def test_the_protocols_limits() -> None:
    assert (MAX_URLS, MAX_BYTES) == (50_000, 50 * 1024 * 1024)


def test_robots_points_to_the_index() -> None:
    """robots.txt names sitemap.xml whether it is a sitemap or an index."""
    files = sitemap_files(many_entries(20), Urls(BASE), (50, 10**9))
    assert len(files) > 1
    assert b"Sitemap: https://x.org/sitemap.xml\n" in make_robots(Urls(BASE)).data
