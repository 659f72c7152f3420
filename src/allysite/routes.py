"""What a plan is made of: routes (a page to render, with its context) and the site view.

A route carries its template, its context, its hreflang alternates and its inputs, so
rendering can run in any order (or in parallel) and a watcher can tell which routes an edited
file touches.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from markupsafe import Markup

from allysite import urls
from allysite.config import SiteConfig
from allysite.copies import FileCopy
from allysite.languages import Language
from allysite.pagemeta import Alternate, PageMeta
from allysite.sharing import og_locale
from allysite.views import ItemView, LanguageView, PartnerView, TaxonomyView, plural_samples


@dataclass(frozen=True, slots=True)
class Icon:
    """A page's icon (favicon): its link and media type."""

    href: str
    type: str


@dataclass(frozen=True, slots=True)
class SiteView:
    """What every page of one language shows around its content."""

    title: str
    language: Language
    default_language: Language
    languages: tuple[Language, ...]
    language_names: Mapping[str, str]
    """Every site language's name in this page's language, for sentences."""
    home_href: str
    homes: Mapping[str, str]
    """The home page of every site language, by code."""
    root_href: str
    stylesheet_href: str
    taxonomies: tuple[TaxonomyView, ...]
    pages: tuple[ItemView, ...]
    asset_hrefs: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Links of the theme's static files ('site.js'), fingerprinted when built."""
    search: bool = False
    feed_href: str | None = None
    og_locales: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Open Graph locale (es_ES) of every site language, by code."""
    plural_samples: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    icons: tuple[Icon, ...] = ()
    """The site's own favicons (static/favicon.ico, .svg), else the theme's (see site_icons)."""
    title_lang: Language | None = None
    """The language the title is written in when it is not this page's (a language without a
    title of its own shows the default language's)."""

    @property
    def title_attrs(self) -> Markup:
        """lang and dir for an element that holds the title, where it is in another language:
        a screen reader then reads it in that language's voice, in its own direction."""
        other = self.title_lang
        if other is None:
            return Markup("")
        return Markup(' lang="{}" dir="{}"').format(other.code, other.direction)

    @property
    def title_text(self) -> str:
        """The title in a plain-text line (the window's title): isolated (LRI or RLI ...
        PDI) where it reads the other way than the page."""
        other = self.title_lang
        if other is None or other.direction == self.language.direction:
            return self.title
        return ("\u2066" if other.direction == "ltr" else "\u2067") + self.title + "\u2069"

    @property
    def nav_hrefs(self) -> frozenset[str]:
        """What the main navigation links to: the home page, the taxonomies and the pages.
        A page that is none of them shows the same navigation as every other (rendered once)."""
        return frozenset(
            (self.home_href, *(t.href for t in self.taxonomies), *(p.href for p in self.pages))
        )


@dataclass(frozen=True, slots=True)
class Route:
    path: str
    out_path: str
    lang: str
    template: str
    context: Mapping[str, object]
    alternates: tuple[Alternate, ...]
    in_sitemap: bool
    inputs: tuple[str, ...]
    """Site files this page is made from (templates and catalogs are added by render)."""
    basis: bytes | None = None
    """What the page is made from, hashed by its files (a partner's page: see Reuse)."""
    reused: bool = False
    """Planned without its context: the last build's page is kept as it is (see Reuse)."""


class Reuse(Protocol):
    """The last build's partner pages that need not be made again (the build cache's).

    A partner's page is made from its language's site view, its own folder and files that
    are no partner's (settings, templates, catalogs, pages): `basis` hashes those. A page
    whose basis is the last build's is planned without its context (organization data,
    keys): the build keeps the page it made then."""

    def basis(self, site: SiteView, folder: str, view: PartnerView) -> bytes | None: ...

    def reusable(self, out_path: str, basis: bytes) -> bool: ...

    def frame(self, site: SiteView) -> bytes:
        """What every page of the site view's language is made from but its partners' views
        (see Settle), kept for the next build."""
        ...


class Settle(Protocol):
    """Whether a language's pages are settled: the last build's stand for all of them but
    the pages of partners whose folders changed, because nothing else they show did (the
    build cache's; see plan.settled_routes).

    That holds when the site view, its templates, catalog and code, and every input that is
    no partner's are the same (the language's frame), the partners are the same, the pages
    that list partners show none of their bodies, and each partner whose folder changed has
    a view (its card) and a sitemap entry as before: every list page's key is then its last
    one, since it hashes exactly those."""

    def settles(self, site: SiteView, partners: int) -> bool:
        """The frame and the number of partners are the last build's, and so is every
        page file that the last build made of the language."""
        ...

    def known(self, site: SiteView, folder: str) -> bool:
        """The partner's folder is as the last build found it."""
        ...

    def same_card(self, site: SiteView, folder: str, view: PartnerView) -> bool:
        """The view of a partner whose folder changed is the last build's (its body aside)."""
        ...

    def same_entries(self, metas: Iterable[PageMeta]) -> bool:
        """A partner's pages in every language are in the sitemap as the last build put
        them there (so no language's sitemap entries changed: its translations did not)."""
        ...


@dataclass(frozen=True, slots=True)
class SitePlan:
    routes: tuple[Route, ...]
    copies: tuple[FileCopy, ...]
    views: tuple[LanguageView, ...] = ()
    """Each language's display data, for outputs that are no pages (feeds)."""


STYLESHEET = "style.css"
THEME_ICON = ("favicon.svg", "image/svg+xml")
"""The theme's favicon, a static file of its own: its name there and its media type."""
SITE_ICONS = (("favicon.ico", "image/x-icon"), ("favicon.svg", "image/svg+xml"))
"""A site's own favicons, in static/ (so at the output's root), in the order they are linked:
browsers that read SVG icons take the last."""


def site_icons(
    static_files: Collection[str], asset_hrefs: Mapping[str, str], site_urls: urls.Urls
) -> tuple[Icon, ...]:
    """The icons every page links to: the site's own, else the theme's. Linked, an icon
    spares the browser its request for /favicon.ico, which fails (a console error on every
    page) where the site has none."""
    own = tuple(
        Icon(site_urls.href(urls.ROOT + name), kind)
        for name, kind in SITE_ICONS
        if name in static_files
    )
    if own:
        return own
    name, kind = THEME_ICON
    theme = asset_hrefs.get(name)
    return (Icon(theme, kind),) if theme else ()


def site_view(
    config: SiteConfig,
    view: LanguageView,
    site_urls: urls.Urls,
    asset_hrefs: Mapping[str, str] = MappingProxyType({}),
    static_files: Collection[str] = (),
) -> SiteView:
    """`static_files`: the site's static/ files (its own favicon, if any: site_icons)."""
    code = view.language.code
    return SiteView(
        title=config.title[code],
        language=view.language,
        default_language=config.default_language,
        languages=config.languages,
        language_names=MappingProxyType(
            {
                lang.code: lang.locale.get_display_name(view.language.locale) or lang.code
                for lang in config.languages
            }
        ),
        home_href=site_urls.href(urls.home(code)),
        homes=MappingProxyType(
            {lang.code: site_urls.href(urls.home(lang.code)) for lang in config.languages}
        ),
        root_href=site_urls.href(urls.ROOT),
        stylesheet_href=asset_hrefs.get(STYLESHEET) or site_urls.href(urls.theme_asset(STYLESHEET)),
        taxonomies=view.taxonomies,
        pages=view.pages,
        asset_hrefs=asset_hrefs,
        search=config.search,
        feed_href=site_urls.href(urls.feed(code)),
        og_locales=MappingProxyType({lang.code: og_locale(lang) for lang in config.languages}),
        plural_samples=plural_samples(view.language),
        icons=site_icons(static_files, asset_hrefs, site_urls),
        title_lang=config.default_language if code in config.borrowed_titles else None,
    )


def chrome_inputs(view: LanguageView) -> tuple[str, ...]:
    """Files that every page of a language shows something of (title, labels, navigation)."""
    return ("site.yaml", "taxonomies.yaml", *(page.source for page in view.pages))


def route(
    meta: PageMeta,
    lang: str,
    template: str,
    context: dict[str, object],
    inputs: tuple[str, ...] = (),
    in_sitemap: bool = True,
    basis: bytes | None = None,
    reused: bool = False,
) -> Route:
    """`reused`: a route without context (the last build's page is kept)."""
    return Route(
        meta.path,
        urls.output_path(meta.path),
        lang,
        template,
        MappingProxyType({} if reused else {**context, "page": meta}),
        meta.alternates,
        in_sitemap and bool(meta.alternates),
        tuple(dict.fromkeys(inputs)),
        basis,
        reused,
    )
