"""sitemap: sitemap.xml with hreflang alternates, and robots.txt."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from xml.etree import ElementTree as ET

from allysite.build import THEME
from allysite.pagemeta import Alternate
from allysite.plan import make_plan
from allysite.routes import Route
from allysite.sitemap import SITEMAP_NS, XHTML_NS, make_robots, make_sitemap
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
