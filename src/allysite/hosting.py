"""Files that static hosts read: language routing of `/` and long caching of assets.

Netlify (and hosts that read the same files, such as Cloudflare Pages for `_headers`) sends
`/` to the visitor's language by `Accept-Language`; visitors whose languages the site lacks
get the root page, which offers every language. The README shows the same for nginx.
"""

from __future__ import annotations

from allysite import urls
from allysite.config import SiteConfig
from allysite.render import OutputFile


def make_host_files(config: SiteConfig) -> list[OutputFile]:
    site_urls = urls.Urls(config.base_url)
    root = site_urls.href(urls.ROOT)
    lines = ["# Written by allysite: send / to the visitor's language (Accept-Language)."]
    for language in config.languages:
        home = site_urls.href(urls.home(language.code))
        lines.append(f"{root}  {home}  302!  Language={language.code.lower()}")
    lines.append("# Pages that do not exist: the not-found page of their language.")
    for language in config.languages:
        home = site_urls.href(urls.home(language.code))
        lines.append(f"{home}*  {site_urls.href(urls.not_found(language.code))}  404")
    lines.append(f"{root}*  {site_urls.href(urls.NOT_FOUND)}  404")
    headers = [
        "# Written by allysite: asset names change with their content, so cache them for a year.",
        f"{site_urls.href(urls.THEME_ASSETS)}*",
        "  Cache-Control: public, max-age=31536000, immutable",
    ]
    return [
        OutputFile(urls.output_path(urls.NETLIFY_REDIRECTS), ("\n".join(lines) + "\n").encode()),
        OutputFile(urls.output_path(urls.NETLIFY_HEADERS), ("\n".join(headers) + "\n").encode()),
    ]
