"""A page's place among the languages: its canonical link, hreflang alternates and the
language switcher, for an item in one language (translated, a stand-in, or kept out of
search engines)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from allysite import urls
from allysite.config import SiteConfig
from allysite.languages import Language
from allysite.memo import Memo, kept_for
from allysite.model import Content, Page, Partner


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
    """Made for one page: hashed with it, as `fingerprint_text` (fingerprints.py)."""

    path: str
    href: str
    canonical: str
    alternates: tuple[Alternate, ...]
    switcher: tuple[SwitchLink, ...]
    robots: str | None

    def fingerprint_text(self) -> str:
        """Every value, each after its length (fingerprints.py): a page's key hashes this
        instead of walking some forty small values. A switch link's language stands by its
        code: the page's site view, in the same key, holds the language itself."""
        robots = "-" if self.robots is None else f"={self.robots}"
        values = [self.path, self.href, self.canonical, robots, str(len(self.alternates))]
        for alternate in self.alternates:
            values += (alternate.hreflang, alternate.href)
        values.append(str(len(self.switcher)))
        for link in self.switcher:
            flags = ("C" if link.is_current else "-") + ("T" if link.is_translated else "-")
            values += (link.language.code, link.href, flags)
        return "".join(f"{len(value)}:{value}" for value in values)


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
    return page_metas(config, site_urls, (language,), path_in, translated, noindex)[language.code]


def page_metas(
    config: SiteConfig,
    site_urls: urls.Urls,
    languages: Iterable[Language],
    path_in: Callable[[str], str],
    translated: frozenset[str] | None = None,
    noindex: frozenset[str] = frozenset(),
) -> dict[str, PageMeta]:
    """`page_meta` of one item in each of `languages`, by code: its links to every language
    are made once, not once per language (they are the same on each of its pages)."""
    codes = config.language_codes
    default = config.default_language.code
    paths = {code: path_in(code) for code in codes}
    hrefs = {code: site_urls.href(path) for code, path in paths.items()}
    translations = frozenset(codes) if translated is None else translated
    real = translations - noindex
    alternates = (
        *(Alternate(code, site_urls.absolute(paths[code])) for code in codes if code in real),
        Alternate("x-default", site_urls.absolute(paths[default])),
    )
    metas = {}
    for language in languages:
        code = language.code
        path = paths[code]
        shown = translations if code in noindex else real
        switcher = tuple(
            SwitchLink(lang, hrefs[lang.code], lang.code == code, lang.code in shown)
            for lang in config.languages
        )
        if code in noindex:
            meta = PageMeta(path, hrefs[code], site_urls.absolute(path), (), switcher, "noindex")
        elif code in real:
            meta = PageMeta(path, hrefs[code], site_urls.absolute(path), alternates, switcher, None)
        else:
            canonical = site_urls.absolute(paths[default])
            meta = PageMeta(path, hrefs[code], canonical, (), switcher, None)
        metas[code] = meta
    return metas


def home_switcher(
    config: SiteConfig, site_urls: urls.Urls, current: str | None
) -> tuple[SwitchLink, ...]:
    """A switcher to each language's home page, for a page that is in no other language
    (the root pages, a not-found page, the dashboard); `current`: the page's language."""
    return tuple(
        SwitchLink(lang, site_urls.href(urls.home(lang.code)), lang.code == current, True)
        for lang in config.languages
    )


def homes_meta(config: SiteConfig, site_urls: urls.Urls, path: str, current: str) -> PageMeta:
    """A page of one language, never indexed, whose switcher leads to each language's home:
    a not-found page (the page asked for is in no language; another language's 404.html is
    an ordinary page, answered with 200) and the dashboard."""
    switcher = home_switcher(config, site_urls, current)
    return PageMeta(path, site_urls.href(path), site_urls.absolute(path), (), switcher, "noindex")


class PartnerMetas:
    """Each partner's page metadata in the languages planned, made for all of them at once
    when one is first asked for (see page_metas). `memo` (the dev server's): kept while the
    settings and the partner are the same objects (an edit that changes every page's site
    view, a topic added, plans every partner's pages again, not their metadata)."""

    def __init__(
        self,
        config: SiteConfig,
        site_urls: urls.Urls,
        languages: tuple[Language, ...],
        content: Content,
        memo: Memo | None = None,
    ) -> None:
        self._config = config
        self._site_urls = site_urls
        self._languages = languages
        self._partners = {partner.slug: partner for partner in content.partners}
        self._made: dict[str, Mapping[str, PageMeta]] = {}
        self._memo = memo

    def get(self, slug: str, code: str) -> PageMeta:
        return self.of(slug)[code]

    def of(self, slug: str) -> Mapping[str, PageMeta]:
        """The partner's page metadata in each language planned, by code."""
        metas = self._made.get(slug)
        if metas is None:
            partner = self._partners[slug]

            def make() -> Mapping[str, PageMeta]:
                return page_metas(
                    self._config,
                    self._site_urls,
                    self._languages,
                    lambda c: urls.partner(c, slug),
                    frozenset(partner.translations),
                    noindex_languages(self._config, partner),
                )

            metas = self._made[slug] = kept_for(
                self._memo,
                ("partner-metas", slug, tuple(language.code for language in self._languages)),
                (self._config, partner),
                make,
            )
        return metas


def noindex_languages(config: SiteConfig, item: Partner | Page) -> frozenset[str]:
    """The languages of an item that search engines should not index."""
    if config.index_machine_translations:
        return frozenset()
    return frozenset(
        code for code, text in item.translations.items() if text.provenance == "machine"
    )
