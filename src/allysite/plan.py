"""Content and languages into a SitePlan: every page to render, with what it depends on.

Routes are independent of each other: each carries its template, its context, its hreflang
alternates and its inputs, so rendering can run in any order (or in parallel) and a watcher
can tell which routes an edited file touches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from allysite import urls
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error
from allysite.languages import Language
from allysite.model import Content, Page, Partner
from allysite.views import ItemView, LanguageView, PartnerView, TaxonomyView, language_view


@dataclass(frozen=True, slots=True)
class Alternate:
    hreflang: str
    href: str
    """Absolute URL."""


@dataclass(frozen=True, slots=True)
class SwitchLink:
    language: Language
    href: str
    is_current: bool
    is_translated: bool
    """False where that language shows the default language's text as a stand-in."""


@dataclass(frozen=True, slots=True)
class PageMeta:
    path: str
    href: str
    canonical: str
    alternates: tuple[Alternate, ...]
    switcher: tuple[SwitchLink, ...]
    robots: str | None


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


@dataclass(frozen=True, slots=True)
class FileCopy:
    out_path: str
    source: Path


@dataclass(frozen=True, slots=True)
class SitePlan:
    routes: tuple[Route, ...]
    copies: tuple[FileCopy, ...]


STYLESHEET = "style.css"


def make_plan(
    config: SiteConfig, content: Content, theme_static: Path
) -> tuple[SitePlan, list[Diagnostic]]:
    site_urls = urls.Urls(config.base_url)
    views = {lang.code: language_view(config, content, lang) for lang in config.languages}
    routes: list[Route] = []
    for language in config.languages:
        routes.extend(_language_routes(config, content, views[language.code], site_urls))
    routes.extend(_root_routes(config, views, site_urls))
    generated = {route.out_path for route in routes} | {
        urls.output_path(urls.SITEMAP),
        urls.output_path(urls.ROBOTS),
    }
    copies, problems = _copies(config, content, theme_static, generated)
    return SitePlan(tuple(routes), tuple(copies)), problems


def _site_view(config: SiteConfig, view: LanguageView, site_urls: urls.Urls) -> SiteView:
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
        stylesheet_href=site_urls.href(urls.theme_asset(STYLESHEET)),
        taxonomies=view.taxonomies,
        pages=view.pages,
    )


def _meta(
    config: SiteConfig,
    site_urls: urls.Urls,
    language: Language,
    path_in: Callable[[str], str],
    translated: frozenset[str] | None = None,
) -> PageMeta:
    """Canonical, alternates and switcher of one item in one language.

    `translated` names the languages with a real translation (None: all of them). A
    stand-in page points its canonical link at the original and is no hreflang alternate.
    """
    codes = config.language_codes
    real = frozenset(codes) if translated is None else translated
    default = config.default_language.code
    path = path_in(language.code)
    alternates: tuple[Alternate, ...] = ()
    if language.code in real:
        canonical = site_urls.absolute(path)
        alternates = tuple(
            Alternate(code, site_urls.absolute(path_in(code))) for code in codes if code in real
        )
        alternates += (Alternate("x-default", site_urls.absolute(path_in(default))),)
    else:
        canonical = site_urls.absolute(path_in(default))
    switcher = tuple(
        SwitchLink(
            lang, site_urls.href(path_in(lang.code)), lang.code == language.code, lang.code in real
        )
        for lang in config.languages
    )
    return PageMeta(path, site_urls.href(path), canonical, alternates, switcher, None)


def _chrome_inputs(view: LanguageView) -> tuple[str, ...]:
    """Files that every page of a language shows something of (title, labels, navigation)."""
    return ("site.yaml", "taxonomies.yaml", *(page.source for page in view.pages))


def _route(
    meta: PageMeta,
    lang: str,
    template: str,
    context: dict[str, object],
    inputs: tuple[str, ...] = (),
    in_sitemap: bool = True,
) -> Route:
    context = {**context, "page": meta}
    return Route(
        meta.path,
        urls.output_path(meta.path),
        lang,
        template,
        MappingProxyType(context),
        meta.alternates,
        in_sitemap and bool(meta.alternates),
        tuple(dict.fromkeys(inputs)),
    )


def _language_routes(
    config: SiteConfig, content: Content, view: LanguageView, site_urls: urls.Urls
) -> list[Route]:
    language = view.language
    code = language.code
    site = _site_view(config, view, site_urls)
    base = {"site": site}
    chrome = _chrome_inputs(view)
    all_partner_inputs = tuple(i for p in view.partners for i in p.inputs)
    routes = [
        _route(
            _meta(config, site_urls, language, urls.home),
            code,
            "home.html",
            {**base, "partners": view.partners},
            (*chrome, *all_partner_inputs),
        ),
    ]
    partners_by_slug: dict[str, Partner] = {p.slug: p for p in content.partners}
    for partner_view in view.partners:
        slug = partner_view.item.slug
        meta = _meta(
            config,
            site_urls,
            language,
            lambda c, s=slug: urls.partner(c, s),
            frozenset(partners_by_slug[slug].translations),
        )
        routes.append(
            _route(
                meta,
                code,
                "partner.html",
                {**base, "partner": partner_view},
                (*chrome, *partner_view.inputs),
            )
        )
    members_by_term: dict[tuple[str, str], list[PartnerView]] = {}
    for partner_view in view.partners:  # in collation order, so each list is too
        for term in (partner_view.kind, *partner_view.regions, *partner_view.topics):
            members_by_term.setdefault((term.taxonomy, term.slug), []).append(partner_view)
    for taxonomy in view.taxonomies:
        meta = _meta(config, site_urls, language, lambda c, t=taxonomy.name: urls.taxonomy(c, t))
        routes.append(
            _route(
                meta,
                code,
                "taxonomy.html",
                {**base, "taxonomy": taxonomy},
                (*chrome, *all_partner_inputs),
            )
        )
        for term in taxonomy.terms:
            members = tuple(members_by_term.get((term.taxonomy, term.slug), ()))
            meta = _meta(
                config,
                site_urls,
                language,
                lambda c, t=taxonomy.name, s=term.slug: urls.term(c, t, s),
            )
            routes.append(
                _route(
                    meta,
                    code,
                    "term.html",
                    {**base, "taxonomy": taxonomy, "term": term, "partners": members},
                    (*chrome, *(i for p in members for i in p.inputs)),
                )
            )
    pages_by_slug: dict[str, Page] = {p.slug: p for p in content.pages}
    for page_view in view.pages:
        page = pages_by_slug[page_view.slug]
        meta = _meta(
            config,
            site_urls,
            language,
            lambda c, s=page.slug: urls.page(c, s),
            frozenset(page.translations),
        )
        routes.append(
            _route(
                meta,
                code,
                "page.html",
                {**base, "item": page_view},
                (*chrome, page_view.source),
            )
        )
    not_found = _meta(config, site_urls, language, urls.not_found)
    routes.append(
        _route(_without_alternates(not_found), code, "404.html", base, chrome, in_sitemap=False)
    )
    return routes


def _without_alternates(meta: PageMeta) -> PageMeta:
    return PageMeta(meta.path, meta.href, meta.canonical, (), meta.switcher, "noindex")


def _root_routes(
    config: SiteConfig, views: Mapping[str, LanguageView], site_urls: urls.Urls
) -> list[Route]:
    default = config.default_language
    site = _site_view(config, views[default.code], site_urls)
    switcher = tuple(
        SwitchLink(lang, site.homes[lang.code], False, True) for lang in config.languages
    )
    routes = []
    for path, template in ((urls.ROOT, "root.html"), (urls.NOT_FOUND, "404.html")):
        meta = PageMeta(
            path,
            site_urls.href(path),
            site_urls.absolute(urls.home(default.code)),
            (),
            switcher,
            "noindex",
        )
        routes.append(
            _route(
                meta,
                default.code,
                template,
                {"site": site},
                _chrome_inputs(views[default.code]),
                in_sitemap=False,
            )
        )
    return routes


def _copies(
    config: SiteConfig, content: Content, theme_static: Path, generated: set[str]
) -> tuple[list[FileCopy], list[Diagnostic]]:
    copies: dict[str, FileCopy] = {}
    for path in sorted(theme_static.rglob("*")):
        if path.is_file():
            name = path.relative_to(theme_static).as_posix()
            out = urls.output_path(urls.theme_asset(name))
            copies[out] = FileCopy(out, path)
    for language in config.languages:
        for partner in content.partners:
            base_path = urls.partner(language.code, partner.slug)
            for asset in partner.assets:
                out = urls.output_path(base_path + asset)
                copies[out] = FileCopy(out, config.root / partner.folder / asset)
        for page in content.pages:
            base_path = urls.page(language.code, page.slug)
            for asset in page.assets:
                out = urls.output_path(base_path + asset)
                copies[out] = FileCopy(out, config.root / page.folder / asset)
    problems = []
    for name in content.static_files:
        if name in generated or name in copies:
            problems.append(
                error(
                    "static-collision",
                    f"static/{name} would replace a file that allysite generates",
                    SourcePos(f"static/{name}"),
                    "rename or move it; to change a generated page, override its template",
                )
            )
            continue
        copies[name] = FileCopy(name, config.root / "static" / name)
    return [copies[key] for key in sorted(copies)], problems
