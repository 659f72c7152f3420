"""urls: every URL shape, the file each is written to, and links under a base URL."""

from __future__ import annotations

import pytest

from allysite import urls


def test_item_shapes() -> None:
    assert urls.home("es") == "/es/"
    assert urls.partner("es", "unaoc") == "/es/partners/unaoc/"
    assert urls.taxonomy("en", "regions") == "/en/regions/"
    assert urls.term("ar", "topics", "human-rights") == "/ar/topics/human-rights/"
    assert urls.page("fr", "about") == "/fr/about/"
    assert urls.not_found("fr") == "/fr/404.html"


def test_fixed_paths() -> None:
    assert (urls.ROOT, urls.NOT_FOUND, urls.SITEMAP, urls.ROBOTS) == (
        "/",
        "/404.html",
        "/sitemap.xml",
        "/robots.txt",
    )


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        (urls.home, "/pt-br/"),
        (lambda code: urls.partner(code, "a"), "/pt-br/partners/a/"),
        (lambda code: urls.taxonomy(code, "kinds"), "/pt-br/kinds/"),
        (lambda code: urls.term(code, "kinds", "ngo"), "/pt-br/kinds/ngo/"),
        (lambda code: urls.page(code, "about"), "/pt-br/about/"),
        (urls.not_found, "/pt-br/404.html"),
    ],
)
def test_language_segment_is_lowercase(shape: object, expected: str) -> None:
    assert shape("pt-BR") == expected  # type: ignore[operator]
    assert urls.lang_segment("zh-Hant") == "zh-hant"


def test_item_file_and_theme_asset_are_quoted() -> None:
    assert urls.item_file("/es/partners/a/", "logo.svg") == "/es/partners/a/logo.svg"
    assert urls.item_file("/es/partners/a/", "my logo.svg") == "/es/partners/a/my%20logo.svg"
    assert urls.item_file("/es/partners/a/", "ñ.png") == "/es/partners/a/%C3%B1.png"
    assert urls.item_file("/es/partners/a/", "img/logo.svg") == "/es/partners/a/img/logo.svg"
    assert urls.theme_asset("style.css") == "/assets/style.css"
    assert urls.theme_asset("a b.css") == "/assets/a%20b.css"


@pytest.mark.parametrize(
    ("path", "out"),
    [
        ("/", "index.html"),
        ("/es/", "es/index.html"),
        ("/es/partners/a/", "es/partners/a/index.html"),
        ("/404.html", "404.html"),
        ("/es/404.html", "es/404.html"),
        ("/sitemap.xml", "sitemap.xml"),
        ("/robots.txt", "robots.txt"),
        ("/assets/style.css", "assets/style.css"),
        ("/es/partners/a/logo.svg", "es/partners/a/logo.svg"),
    ],
)
def test_output_path(path: str, out: str) -> None:
    assert urls.output_path(path) == out


def test_urls_at_the_host_root() -> None:
    site = urls.Urls("https://x.org/")
    assert site.prefix == ""
    assert site.href("/es/") == "/es/"
    assert site.href("/") == "/"
    assert site.absolute("/es/partners/a/") == "https://x.org/es/partners/a/"
    assert site.absolute("/") == "https://x.org/"


@pytest.mark.parametrize("base", ["https://x.org/partners/", "https://x.org/partners"])
def test_urls_under_a_path_prefix(base: str) -> None:
    site = urls.Urls(base)
    assert site.prefix == "/partners"
    assert site.href("/es/") == "/partners/es/"
    assert site.href("/") == "/partners/"
    assert site.href(urls.theme_asset("style.css")) == "/partners/assets/style.css"
    assert site.absolute("/es/") == "https://x.org/partners/es/"
    assert site.absolute(urls.SITEMAP) == "https://x.org/partners/sitemap.xml"


def test_urls_under_a_deep_prefix() -> None:
    site = urls.Urls("https://x.org/a/b/")
    assert site.href(urls.home("pt-BR")) == "/a/b/pt-br/"
    assert site.absolute(urls.home("pt-BR")) == "https://x.org/a/b/pt-br/"
