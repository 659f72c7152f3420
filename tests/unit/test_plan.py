"""plan: every route of the site with its alternates, sitemap flag and inputs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from allysite.build import THEME
from allysite.config import SiteConfig
from allysite.model import Content
from allysite.pagemeta import PageMeta
from allysite.plan import make_plan
from allysite.routes import Route, SitePlan

from .support import SMALL_SITE, load_site, write_files

BASE = "https://partners.example.org"
CODES = ("es", "en", "ar", "pt-BR")
SEGMENTS = ("es", "en", "ar", "pt-br")

# Which languages really have a text (the others show the default language's).
TRANSLATED = {"alpha": {"es", "en"}, "beta": {"es"}, "about": {"es"}}


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[SiteConfig, Content]:
    return load_site(write_files(tmp_path / "site", SMALL_SITE))


@pytest.fixture
def plan(loaded: tuple[SiteConfig, Content]) -> SitePlan:
    config, content = loaded
    plan, problems = make_plan(config, content, THEME / "static")
    assert problems == []
    return plan


def route(plan: SitePlan, path: str) -> Route:
    (found,) = [r for r in plan.routes if r.path == path]
    return found


def meta(r: Route) -> PageMeta:
    page = r.context["page"]
    assert isinstance(page, PageMeta)
    return page


def expected_paths() -> set[str]:
    paths = {"/", "/404.html"}
    for seg in SEGMENTS:
        paths |= {
            f"/{seg}/",
            f"/{seg}/partners/alpha/",
            f"/{seg}/partners/beta/",
            f"/{seg}/kinds/",
            f"/{seg}/kinds/ngo/",
            f"/{seg}/regions/",
            f"/{seg}/regions/europe/",
            f"/{seg}/topics/",
            f"/{seg}/topics/peace/",
            f"/{seg}/about/",
            f"/{seg}/404.html",
        }
    return paths


def test_every_expected_path_exists_exactly_once(plan: SitePlan) -> None:
    counts = Counter(r.path for r in plan.routes)
    assert set(counts) == expected_paths()
    assert set(counts.values()) == {1}
    out_paths = [r.out_path for r in plan.routes]
    assert len(out_paths) == len(set(out_paths))


def test_out_paths_and_templates(plan: SitePlan) -> None:
    assert route(plan, "/").out_path == "index.html"
    assert route(plan, "/es/partners/alpha/").out_path == "es/partners/alpha/index.html"
    assert route(plan, "/pt-br/404.html").out_path == "pt-br/404.html"
    templates = {
        "/": "root.html",
        "/404.html": "404.html",
        "/es/": "home.html",
        "/es/partners/alpha/": "partner.html",
        "/es/kinds/": "taxonomy.html",
        "/es/kinds/ngo/": "term.html",
        "/es/about/": "page.html",
        "/es/404.html": "404.html",
    }
    assert {path: route(plan, path).template for path in templates} == templates


def test_route_language_keeps_the_sites_code(plan: SitePlan) -> None:
    assert route(plan, "/pt-br/").lang == "pt-BR"
    assert route(plan, "/").lang == "es"
    assert route(plan, "/404.html").lang == "es"
    for r in plan.routes:
        assert r.lang in CODES


def test_fallback_routes_have_no_alternates_and_are_not_in_the_sitemap(plan: SitePlan) -> None:
    for slug, kind in (("alpha", "partners/"), ("beta", "partners/"), ("about", "")):
        for code, seg in zip(CODES, SEGMENTS, strict=True):
            r = route(plan, f"/{seg}/{kind}{slug}/")
            is_fallback = code not in TRANSLATED[slug]
            assert (r.alternates == ()) is is_fallback, r.path
            assert r.in_sitemap is not is_fallback, r.path


def test_fallback_canonical_points_to_the_original(plan: SitePlan) -> None:
    page = meta(route(plan, "/ar/partners/alpha/"))
    assert page.canonical == f"{BASE}/es/partners/alpha/"
    assert page.robots is None
    translated = meta(route(plan, "/en/partners/alpha/"))
    assert translated.canonical == f"{BASE}/en/partners/alpha/"


def test_alternates_of_a_translated_partner(plan: SitePlan) -> None:
    for path in ("/es/partners/alpha/", "/en/partners/alpha/"):
        r = route(plan, path)
        assert [(a.hreflang, a.href) for a in r.alternates] == [
            ("es", f"{BASE}/es/partners/alpha/"),
            ("en", f"{BASE}/en/partners/alpha/"),
            ("x-default", f"{BASE}/es/partners/alpha/"),
        ]
        assert meta(r).alternates == r.alternates


def test_generated_pages_have_every_language_as_alternate(plan: SitePlan) -> None:
    r = route(plan, "/ar/regions/europe/")
    assert [a.hreflang for a in r.alternates] == [*CODES, "x-default"]
    assert r.alternates[3].href == f"{BASE}/pt-br/regions/europe/"
    assert r.alternates[-1].href == f"{BASE}/es/regions/europe/"
    assert r.in_sitemap


def test_page_with_only_the_default_text_is_in_the_sitemap_once(plan: SitePlan) -> None:
    r = route(plan, "/es/about/")
    assert [a.hreflang for a in r.alternates] == ["es", "x-default"]
    assert r.in_sitemap
    assert [x.path for x in plan.routes if x.in_sitemap and "/about/" in x.path] == ["/es/about/"]


def test_not_found_and_root_routes(plan: SitePlan) -> None:
    for path in ("/", "/404.html", "/es/404.html", "/ar/404.html"):
        r = route(plan, path)
        assert r.alternates == ()
        assert r.in_sitemap is False
        assert meta(r).robots == "noindex"
    assert meta(route(plan, "/")).canonical == f"{BASE}/es/"


def test_switcher_marks_current_and_translated_languages(plan: SitePlan) -> None:
    page = meta(route(plan, "/en/partners/beta/"))
    assert [(s.language.code, s.href, s.is_current, s.is_translated) for s in page.switcher] == [
        ("es", "/es/partners/beta/", False, True),
        ("en", "/en/partners/beta/", True, False),
        ("ar", "/ar/partners/beta/", False, False),
        ("pt-BR", "/pt-br/partners/beta/", False, False),
    ]


def test_partner_route_inputs(plan: SitePlan) -> None:
    en = route(plan, "/en/partners/alpha/").inputs
    assert "site.yaml" in en
    assert "content/partners/alpha/partner.yaml" in en
    assert "content/partners/alpha/en.md" in en
    assert "content/partners/alpha/es.md" not in en
    assert "content/partners/beta/partner.yaml" not in en
    ar = route(plan, "/ar/partners/alpha/").inputs
    assert "content/partners/alpha/es.md" in ar and "content/partners/alpha/en.md" not in ar
    for r in plan.routes:
        assert len(r.inputs) == len(set(r.inputs)), r.path


def test_page_route_inputs(plan: SitePlan) -> None:
    assert "content/pages/about/es.md" in route(plan, "/en/about/").inputs


def test_term_route_inputs_are_its_members(plan: SitePlan) -> None:
    europe = route(plan, "/es/regions/europe/").inputs
    assert "content/partners/alpha/partner.yaml" in europe
    assert "content/partners/beta/partner.yaml" not in europe
    ngo = route(plan, "/es/kinds/ngo/").inputs
    assert {"content/partners/alpha/es.md", "content/partners/beta/es.md"} <= set(ngo)


def test_home_route_lists_every_partner(plan: SitePlan) -> None:
    home = route(plan, "/es/")
    partners = home.context["partners"]
    assert [p.item.slug for p in partners] == ["beta", "alpha"]  # type: ignore[attr-defined]
    assert {"content/partners/alpha/es.md", "content/partners/beta/es.md"} <= set(home.inputs)


def test_home_route_inputs_include_taxonomies(plan: SitePlan) -> None:
    assert "taxonomies.yaml" in route(plan, "/es/").inputs


def test_every_language_route_inputs_include_pages_in_the_navigation(plan: SitePlan) -> None:
    for r in plan.routes:
        if r.path != "/":  # root.html has no navigation
            assert "content/pages/about/es.md" in r.inputs, r.path


def test_context_of_each_route(plan: SitePlan) -> None:
    r = route(plan, "/ar/partners/alpha/")
    site = r.context["site"]
    assert site.language.code == "ar"  # type: ignore[attr-defined]
    assert site.title == "Nuestros aliados"  # type: ignore[attr-defined]  # default's title
    assert site.home_href == "/ar/"  # type: ignore[attr-defined]
    assert site.stylesheet_href == "/assets/style.css"  # type: ignore[attr-defined]
    assert r.context["partner"].item.is_fallback is True  # type: ignore[attr-defined]
    assert meta(r).path == r.path and meta(r).href == "/ar/partners/alpha/"
    with pytest.raises(TypeError):
        r.context["x"] = 1  # type: ignore[index]


def test_site_view_language_names_are_in_the_pages_language(plan: SitePlan) -> None:
    names = route(plan, "/en/").context["site"].language_names  # type: ignore[attr-defined]
    assert names["es"] == "Spanish" and names["ar"] == "Arabic"
    names = route(plan, "/es/").context["site"].language_names  # type: ignore[attr-defined]
    assert names["en"] == "inglés"


def test_copies(loaded: tuple[SiteConfig, Content], plan: SitePlan) -> None:
    config, _ = loaded
    copies = {c.out_path: c.source for c in plan.copies}
    assert copies["assets/style.css"] == THEME / "static" / "style.css"
    assert copies["favicon.ico"] == config.root / "static" / "favicon.ico"
    logo = config.root / "content" / "partners" / "alpha" / "logo.svg"
    assert copies["es/partners/alpha/logo.svg"] == logo  # once: every language shows it
    for seg in SEGMENTS[1:]:
        assert f"{seg}/partners/alpha/logo.svg" not in copies
    assert [c.out_path for c in plan.copies] == sorted(copies)
    assert not any("beta" in path for path in copies)


def test_base_url_prefix_in_links_and_alternates(tmp_path: Path) -> None:
    files = {
        **SMALL_SITE,
        "site.yaml": SMALL_SITE["site.yaml"].replace(
            "https://partners.example.org/", "https://example.org/allies/"
        ),
    }
    config, content = load_site(write_files(tmp_path / "site", files))
    plan, _ = make_plan(config, content, THEME / "static")
    r = route(plan, "/en/partners/alpha/")
    assert r.path == "/en/partners/alpha/" and r.out_path == "en/partners/alpha/index.html"
    assert meta(r).href == "/allies/en/partners/alpha/"
    assert meta(r).canonical == "https://example.org/allies/en/partners/alpha/"
    assert r.alternates[-1].href == "https://example.org/allies/es/partners/alpha/"
