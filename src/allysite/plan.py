"""Content and languages into a SitePlan: every page to render, with what it depends on.

Routes are independent of each other (routes.py). A page's canonical link, alternates and
switcher come from pagemeta.py; the root's pages and the translation dashboard from
siteroutes.py; the files copied as they are, from copies.py.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from types import MappingProxyType

from allysite import urls
from allysite.assets import Assets
from allysite.config import SiteConfig
from allysite.copies import plan_copies
from allysite.errors import Diagnostic
from allysite.images import Logos
from allysite.memo import Memo, kept_for
from allysite.model import Content, Page, Partner
from allysite.pagemeta import (
    PartnerMetas,
    homes_meta,
    noindex_languages,
    page_meta,
)
from allysite.routes import (
    Reuse,
    Route,
    Settle,
    SitePlan,
    SiteView,
    chrome_inputs,
    route,
    site_view,
)
from allysite.sharing import organization, share_image_url
from allysite.siteroutes import dashboard_route, root_routes
from allysite.stale import Staleness
from allysite.status import TranslationStatus
from allysite.traced import Structured
from allysite.views import (
    LanguageView,
    LanguageViews,
    PartnerView,
    TaxonomyView,
    TermView,
    term_counts,
)


def make_plan(
    config: SiteConfig,
    content: Content,
    theme_static: Path,
    *,
    assets: Assets | None = None,
    logos: Logos | None = None,
    memo: Memo | None = None,
    staleness: Staleness | None = None,
    status: TranslationStatus | None = None,
    languages: Collection[str] | None = None,
    reuse: Reuse | None = None,
    copies: bool = True,
) -> tuple[SitePlan, list[Diagnostic]]:
    """`assets`: the theme's static files as built (minified, fingerprinted); without them
    the files are copied as they are. `logos`: prepared logos (sizes, cleaned SVGs).
    `staleness`: out-of-date translations, for their notices; `status`: the translation
    status, for the dashboard page (when the site turns it on).

    `languages`: the pages of these languages only (a build process's share; the root pages
    and the dashboard come with the default language). Static files are then checked only
    against those pages: `copy_collisions` checks them against all of them. `reuse`: the
    partner pages the last build made that can be kept. `copies=False`: without the files
    copied as they are (a build's rendering processes: another process stages them)."""
    site_urls = urls.Urls(config.base_url)
    pictures = logos.pictures if logos else None
    chosen = tuple(lang for lang in config.languages if languages is None or lang.code in languages)
    views = {
        lang.code: LanguageViews(config, content, lang, pictures, memo, staleness).whole()
        for lang in chosen
    }
    asset_hrefs = _asset_hrefs(assets, theme_static, site_urls)
    routes: list[Route] = []
    metas = PartnerMetas(config, site_urls, chosen, content, memo)
    for language in chosen:
        routes.extend(
            _language_routes(
                config, content, views[language.code], site_urls, asset_hrefs, memo, reuse, metas
            )
        )
    if config.default_language.code in views:
        routes.extend(root_routes(config, views, site_urls, asset_hrefs, content.static_files))
    if (
        status is not None
        and config.translation_dashboard
        and config.default_language.code in views
    ):
        view = views[config.default_language.code]
        routes.append(dashboard_route(config, content, view, site_urls, asset_hrefs, status))
    if not copies:
        return SitePlan(tuple(routes), (), tuple(views.values())), []
    return with_copies(
        config, content, theme_static, tuple(routes), tuple(views.values()), assets, logos, memo
    )


def with_copies(
    config: SiteConfig,
    content: Content,
    theme_static: Path,
    routes: tuple[Route, ...],
    views: tuple[LanguageView, ...],
    assets: Assets | None,
    logos: Logos | None,
    memo: Memo | None,
) -> tuple[SitePlan, list[Diagnostic]]:
    """The plan of these routes with the files copied as they are: every file the site
    generates is known, so a static file that would overwrite one is refused (copies.py)."""
    generated = {planned.out_path for planned in routes} | {
        urls.output_path(urls.SITEMAP),
        urls.output_path(urls.ROBOTS),
        urls.output_path(urls.NETLIFY_REDIRECTS),
        urls.output_path(urls.NETLIFY_HEADERS),
        *(urls.output_path(urls.feed(lang.code)) for lang in config.languages),
        *(asset.out_path for asset in (assets.files if assets else ())),
    }
    made, problems = kept_for(  # (the dev server's: the same while no item, logo or page is new)
        memo,
        "copies",
        (config, _copied_from(content), logos, assets, frozenset(generated)),
        lambda: plan_copies(config, content, theme_static, generated, assets is None, logos),
    )
    return SitePlan(routes, tuple(made), views), problems


def _copied_from(content: Content) -> tuple[object, ...]:
    """What plan_copies reads of the content: each item's place and files, whether a
    profile links to its logo, and the static files, not the texts (the dev server's copies
    are not planned again for an edited text)."""
    return (
        tuple((p.slug, p.folder, p.assets, p.facts.logo, p.logo_linked) for p in content.partners),
        tuple((page.slug, page.folder, page.assets) for page in content.pages),
        content.static_files,
    )


def settled_routes(
    config: SiteConfig,
    content: Content,
    theme_static: Path,
    languages: Collection[str],
    settle: Settle,
    *,
    assets: Assets | None = None,
    logos: Logos | None = None,
    staleness: Staleness | None = None,
    status: TranslationStatus | None = None,
) -> dict[str, list[Route]]:
    """Of these languages, those that are settled (routes.Settle), each with the pages that
    must be planned: the profiles of the partners whose folders changed, and with the
    default language the root's pages and the dashboard (its status reads every text). A
    language left out is not settled: every page of it is planned (make_plan).

    Only those partners' views are made: a rebuild after an edit of one profile's text
    neither makes nor hashes the views of the others, nor the pages that list them."""
    site_urls = urls.Urls(config.base_url)
    asset_hrefs = _asset_hrefs(assets, theme_static, site_urls)
    pictures = logos.pictures if logos else None
    counts = term_counts(content)
    metas = PartnerMetas(config, site_urls, config.languages, content)
    settled = {}
    for language in config.languages:
        if language.code not in languages:
            continue
        views = LanguageViews(config, content, language, pictures, None, staleness, counts)
        frame = views.frame()
        site = site_view(config, frame, site_urls, asset_hrefs, content.static_files)
        if not settle.settles(site, len(content.partners)):
            continue
        chrome = chrome_inputs(frame)
        routes = []
        for partner in content.partners:
            if settle.known(site, partner.folder):
                continue
            view = views.partner(partner)
            if not settle.same_card(site, partner.folder, view) or not settle.same_entries(
                metas.of(partner.slug).values()
            ):
                break  # not settled
            routes.append(
                _partner_route(config, site_urls, site, chrome, metas, partner, view, None)
            )
        else:  # (no break: settled)
            if language.is_default:
                routes += root_routes(
                    config, {language.code: frame}, site_urls, asset_hrefs, content.static_files
                )
                if status is not None and config.translation_dashboard:
                    routes.append(
                        dashboard_route(config, content, frame, site_urls, asset_hrefs, status)
                    )
            settled[language.code] = routes
    return settled


def _asset_hrefs(
    assets: Assets | None, theme_static: Path, site_urls: urls.Urls
) -> Mapping[str, str]:
    """The theme's static files' links: as built (minified, fingerprinted), else as they are."""
    if assets is not None:
        return assets.hrefs
    return MappingProxyType(
        {
            path.relative_to(theme_static).as_posix(): site_urls.href(
                urls.theme_asset(path.relative_to(theme_static).as_posix())
            )
            for path in sorted(theme_static.rglob("*"))
            if path.is_file()
        }
    )


def _partner_route(
    config: SiteConfig,
    site_urls: urls.Urls,
    site: SiteView,
    chrome: tuple[str, ...],
    metas: PartnerMetas,
    partner: Partner,
    view: PartnerView,
    basis: bytes | None,
    memo: Memo | None = None,
) -> Route:
    """A partner's profile page in the site view's language. `memo` (the dev server's):
    its structured data is kept while the partner, its view and the site's title are the
    same (a new site view, after a topic added, plans every profile again)."""
    language = site.language
    code = language.code
    meta = metas.get(partner.slug, code)

    def structured_data() -> Structured:
        directory = {"name": site.title, "url": site_urls.absolute(urls.home(code))}
        return organization(
            partner, view, language, config.languages, directory, config.base_url, meta.canonical
        )

    return route(
        meta,
        code,
        "partner.html",
        {
            "site": site,
            "partner": view,
            "share_image_url": share_image_url(view, config.base_url),
            "structured_data": kept_for(
                memo,
                ("partner-data", code, partner.slug),
                (config, partner, view, site.title),
                structured_data,
            ),
        },
        (*chrome, *view.inputs),
        basis=basis,
    )


def _language_routes(
    config: SiteConfig,
    content: Content,
    view: LanguageView,
    site_urls: urls.Urls,
    asset_hrefs: Mapping[str, str],
    memo: Memo | None,
    reuse: Reuse | None,
    metas: PartnerMetas,
) -> list[Route]:
    language = view.language
    code = language.code
    site = site_view(config, view, site_urls, asset_hrefs, content.static_files)
    if memo is not None:  # the same object while equal: routes compare by identity first
        site = memo.intern(("site-view", code), site)
    if reuse is not None:
        reuse.frame(site)  # (recorded for the next build, which may find the language settled)
    base = {"site": site}
    chrome = chrome_inputs(view)
    all_partner_inputs = tuple(i for p in view.partners for i in p.inputs)
    routes = [
        route(
            page_meta(config, site_urls, language, urls.home),
            code,
            "home.html",
            {**base, "partners": view.partners, "letters": view.letters},
            (*chrome, *all_partner_inputs),
        ),
    ]
    partners_by_slug: dict[str, Partner] = {p.slug: p for p in content.partners}
    for partner_view in view.partners:
        slug = partner_view.item.slug
        basis = None
        if reuse is not None:
            basis = reuse.basis(site, partners_by_slug[slug].folder, partner_view)
            out_path = urls.output_path(urls.partner(code, slug))
            if basis is not None and reuse.reusable(out_path, basis):
                meta = metas.get(slug, code)
                routes.append(route(meta, code, "partner.html", {}, basis=basis, reused=True))
                continue

        def make(
            partner_view: PartnerView = partner_view, slug: str = slug, basis: bytes | None = basis
        ) -> Route:
            partner = partners_by_slug[slug]
            return _partner_route(
                config, site_urls, site, chrome, metas, partner, partner_view, basis, memo
            )

        if memo is None:
            routes.append(make())
        else:  # the key holds everything make() reads: the same objects, the same route
            key = (config, partners_by_slug[slug], partner_view, site, asset_hrefs)
            routes.append(memo.get(("partner-route", code, slug), key, make))
    members_by_term: dict[tuple[str, str], list[PartnerView]] = {}
    for partner_view in view.partners:  # in collation order, so each list is too
        for term in (partner_view.kind, *partner_view.regions, *partner_view.topics):
            members_by_term.setdefault((term.taxonomy, term.slug), []).append(partner_view)
    for taxonomy in view.taxonomies:
        meta = page_meta(
            config, site_urls, language, lambda c, t=taxonomy.name: urls.taxonomy(c, t)
        )
        routes.append(
            route(
                meta,
                code,
                "taxonomy.html",
                {**base, "taxonomy": taxonomy},
                (*chrome, *all_partner_inputs),
            )
        )
        for term in taxonomy.terms:
            members = tuple(members_by_term.get((term.taxonomy, term.slug), ()))

            def make_term(
                taxonomy: TaxonomyView = taxonomy,
                term: TermView = term,
                members: tuple[PartnerView, ...] = members,
            ) -> Route:
                meta = page_meta(
                    config,
                    site_urls,
                    language,
                    lambda c, t=taxonomy.name, s=term.slug: urls.term(c, t, s),
                )
                return route(
                    meta,
                    code,
                    "term.html",
                    {**base, "taxonomy": taxonomy, "term": term, "partners": members},
                    (*chrome, *(i for p in members for i in p.inputs)),
                )

            if memo is None:
                routes.append(make_term())
            else:  # the same site, taxonomy, term and members: the same route
                key = (config, site, taxonomy, term, members)
                routes.append(
                    memo.get(("term-route", code, term.taxonomy, term.slug), key, make_term)
                )
    pages_by_slug: dict[str, Page] = {p.slug: p for p in content.pages}
    for page_view in view.pages:
        page = pages_by_slug[page_view.slug]
        meta = page_meta(
            config,
            site_urls,
            language,
            lambda c, s=page.slug: urls.page(c, s),
            frozenset(page.translations),
            noindex_languages(config, page),
        )
        routes.append(
            route(
                meta,
                code,
                "page.html",
                {**base, "item": page_view},
                (*chrome, page_view.source),
            )
        )
    not_found = homes_meta(config, site_urls, urls.not_found(code), code)
    routes.append(route(not_found, code, "404.html", base, chrome, in_sitemap=False))
    return routes
