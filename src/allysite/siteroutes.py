"""The pages of no language's content: the root's language redirect, its 404 page, and the
translation dashboard."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType

from allysite import urls
from allysite.config import SiteConfig
from allysite.model import Content
from allysite.pagemeta import PageMeta, home_switcher, homes_meta
from allysite.routes import Route, chrome_inputs, route, site_view
from allysite.status import TranslationStatus
from allysite.views import LanguageView

DASHBOARD_SLUG = "translations"


def dashboard_route(
    config: SiteConfig,
    content: Content,
    view: LanguageView,
    site_urls: urls.Urls,
    asset_hrefs: Mapping[str, str],
    status: TranslationStatus,
) -> Route:
    """The translation dashboard: for editors, in the default language, never indexed."""
    site = site_view(config, view, site_urls, asset_hrefs, content.static_files)
    path = urls.page(site.language.code, DASHBOARD_SLUG)
    meta = homes_meta(config, site_urls, path, site.language.code)
    return route(
        meta,
        site.language.code,
        "translations.html",
        {"site": site, "status": status},
        (*chrome_inputs(view), *content.sources),
        in_sitemap=False,
    )


def root_routes(
    config: SiteConfig,
    views: Mapping[str, LanguageView],
    site_urls: urls.Urls,
    asset_hrefs: Mapping[str, str] = MappingProxyType({}),
    static_files: Collection[str] = (),
) -> list[Route]:
    default = config.default_language
    site = site_view(config, views[default.code], site_urls, asset_hrefs, static_files)
    switcher = home_switcher(config, site_urls, None)
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
            route(
                meta,
                default.code,
                template,
                {"site": site},
                chrome_inputs(views[default.code]),
                in_sitemap=False,
            )
        )
    return routes
