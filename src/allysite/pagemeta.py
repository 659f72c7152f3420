"""A page's place among the languages: its canonical link, hreflang alternates and the
language switcher, for an item in one language (translated, a stand-in, or kept out of
search engines)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from allysite import urls
from allysite.config import SiteConfig
from allysite.languages import Language


@dataclass(frozen=True, slots=True)
class Alternate:
    fingerprint_inline: ClassVar[bool] = True
    """Made for one page: hashed with it (fingerprints.py)."""

    hreflang: str
    href: str
    """Absolute URL."""


@dataclass(frozen=True, slots=True)
class SwitchLink:
    fingerprint_inline: ClassVar[bool] = True
    """Made for one page: hashed with it (fingerprints.py)."""

    language: Language
    href: str
    is_current: bool
    is_translated: bool
    """False where that language shows the default language's text as a stand-in."""


@dataclass(frozen=True, slots=True)
class PageMeta:
    fingerprint_inline: ClassVar[bool] = True
    """Made for one page: hashed with it (fingerprints.py)."""

    path: str
    href: str
    canonical: str
    alternates: tuple[Alternate, ...]
    switcher: tuple[SwitchLink, ...]
    robots: str | None


def page_meta(
    config: SiteConfig,
    site_urls: urls.Urls,
    language: Language,
    path_in: Callable[[str], str],
    translated: frozenset[str] | None = None,
    noindex: frozenset[str] = frozenset(),
) -> PageMeta:
    """Canonical, alternates and switcher of one item in one language.

    `translated` names the languages with a real translation (None: all of them). A
    stand-in page points its canonical link at the original and is no hreflang alternate.
    `noindex`: translations kept out of search engines (machine translations, by a site
    setting): they are their own canonical, but no alternate and in no sitemap.
    """
    codes = config.language_codes
    real = frozenset(codes) if translated is None else translated
    default = config.default_language.code
    path = path_in(language.code)
    if language.code in noindex:
        switcher = page_meta(config, site_urls, language, path_in, translated).switcher
        return PageMeta(
            path, site_urls.href(path), site_urls.absolute(path), (), switcher, "noindex"
        )
    real -= noindex
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


def without_alternates(meta: PageMeta) -> PageMeta:
    return PageMeta(meta.path, meta.href, meta.canonical, (), meta.switcher, "noindex")
