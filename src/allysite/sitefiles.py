"""The site's files made in memory from a plan: every page (`check` renders them all, the
dev server's first build too), and the files that are no pages (assets, feeds, host files,
the sitemap, robots.txt). A build stages the same files straight into its output instead
(publish.py, buildwork.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allysite.errors import Diagnostic
from allysite.pipeline import Prepared, Progress

if TYPE_CHECKING:
    from allysite.assets import Assets
    from allysite.config import SiteConfig
    from allysite.render import OutputFile


def render_pages(
    prepared: Prepared, progress: Progress | None = None, chunk: int = 250
) -> tuple[list[OutputFile], list[Diagnostic]]:
    """Every route rendered in memory (for `check`), telling `progress` after each chunk."""
    from allysite.render import render_routes

    routes = prepared.plan.routes
    pages: list[OutputFile] = []
    problems: list[Diagnostic] = []
    for start in range(0, len(routes), chunk):
        found_pages, found = render_routes(
            routes[start : start + chunk], prepared.envs, prepared.dirs
        )
        pages += found_pages
        problems += found
        if progress:
            progress("render", min(start + chunk, len(routes)), len(routes))
    return pages, problems


def site_extras(prepared: Prepared) -> list[OutputFile]:
    """The outputs that are no pages: built assets, feeds, host files, the sitemap (with its
    numbered parts on a large site), robots.txt."""
    from allysite import urls
    from allysite.feeds import make_feeds
    from allysite.sitemap import make_sitemaps

    config, plan = prepared.config, prepared.plan
    return [
        *site_files(config, prepared.assets),
        *make_feeds(config, plan.views),
        *make_sitemaps(plan.routes, urls.Urls(config.base_url)),
    ]


def site_files(config: SiteConfig, assets: Assets) -> list[OutputFile]:
    """The outputs that depend on neither pages nor views: assets, host files, robots.txt."""
    from allysite import urls
    from allysite.hosting import make_host_files
    from allysite.render import OutputFile
    from allysite.sitemap import make_robots

    return [
        *(OutputFile(asset.out_path, asset.data) for asset in assets.files),
        *make_host_files(config),
        make_robots(urls.Urls(config.base_url)),
    ]
