"""The only module that knows URL shapes: item and language to path, href and output file.

Paths here are site paths ('/es/partners/unaoc/'); `Urls` adds the base URL's own path
prefix for links (a site may live under https://example.org/partners/) and the host for
canonical links, alternates and the sitemap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

ROOT = "/"
NOT_FOUND = "/404.html"
SITEMAP = "/sitemap.xml"
ROBOTS = "/robots.txt"
THEME_ASSETS = "/assets/"
SEARCH_BUNDLE = "/pagefind/"
NETLIFY_REDIRECTS = "/_redirects"
NETLIFY_HEADERS = "/_headers"


def lang_segment(lang: str) -> str:
    return lang.lower()


def home(lang: str) -> str:
    return f"/{lang_segment(lang)}/"


def partner(lang: str, slug: str) -> str:
    return f"/{lang_segment(lang)}/partners/{slug}/"


def taxonomy(lang: str, name: str) -> str:
    return f"/{lang_segment(lang)}/{name}/"


def term(lang: str, taxonomy_name: str, slug: str) -> str:
    return f"/{lang_segment(lang)}/{taxonomy_name}/{slug}/"


def page(lang: str, slug: str) -> str:
    return f"/{lang_segment(lang)}/{slug}/"


def not_found(lang: str) -> str:
    return f"/{lang_segment(lang)}/404.html"


def feed(lang: str) -> str:
    return f"/{lang_segment(lang)}/feed.xml"


def sitemap_part(number: int) -> str:
    """A numbered sitemap listed by the index that sitemap.xml becomes on a large site."""
    return f"/sitemap-{number}.xml"


def item_file(item_path: str, name: str) -> str:
    """A file beside an item (a logo), inside the item's own folder of the output."""
    return item_path + quote(name)


def theme_asset(name: str) -> str:
    return THEME_ASSETS + quote(name)


def output_path(path: str) -> str:
    """The file a site path is written to, relative to the output folder."""
    relative = path.lstrip("/")
    return relative + "index.html" if path.endswith("/") else relative


@dataclass(frozen=True, slots=True)
class Urls:
    base_url: str
    prefix: str = field(init=False, repr=False, compare=False)
    """The base URL's own path ('/partners' for https://example.org/partners/), or ''."""
    _origin: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:  # once, not once per link: a site makes many thousands
        object.__setattr__(self, "prefix", urlsplit(self.base_url).path.rstrip("/"))
        object.__setattr__(self, "_origin", self.base_url.rstrip("/"))

    def href(self, path: str) -> str:
        """A root-relative link to a site path, as written in pages."""
        return self.prefix + path

    def absolute(self, path: str) -> str:
        """The full URL of a site path: canonical links, alternates, sitemap."""
        return self._origin + path
