"""site.yaml into a frozen SiteConfig; every bad key or value becomes a diagnostic."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from allysite.errors import Diagnostic, SourcePos, error, outside_link
from allysite.inputindex import leaves
from allysite.languages import BCP47_PATTERN, Language, make_language, parse_locale
from allysite.schema import ALL_LANGUAGES, SiteSchema, validate
from allysite.sourcefile import read_yaml_file
from allysite.urls import lang_segment

SITE_FILE = "site.yaml"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    root: Path
    title: Mapping[str, str]
    """The title in each site language (every language has one)."""
    base_url: str
    """Absolute, ending in '/'."""
    languages: tuple[Language, ...]
    search: bool = False
    """Index the built pages with Pagefind and show a search box."""
    translation_dashboard: bool = False
    """Build a page for editors with the translation status of every language."""
    index_machine_translations: bool = True
    """False keeps machine translations out of the sitemap and search engines (noindex)."""
    borrowed_titles: frozenset[str] = frozenset()
    """The languages without a title of their own, which show the default language's (its
    text then carries that language's lang and dir: routes.SiteView.title_lang)."""

    by_code: Mapping[str, Language] = field(init=False, repr=False, compare=False)
    """The languages by code (planning looks one up for every page)."""

    def __post_init__(self) -> None:
        codes = MappingProxyType({lang.code: lang for lang in self.languages})
        object.__setattr__(self, "by_code", codes)

    @property
    def default_language(self) -> Language:
        return next(lang for lang in self.languages if lang.is_default)

    def language(self, code: str) -> Language:
        return self.by_code[code]

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)


def ascii_url(url: str) -> str:
    """The address in ASCII, as sitemaps and feeds must give it: the host in IDNA (punycode),
    other characters of the path %-encoded. The same address as written: browsers show it
    either way. (Its host is one the schema took: schema._host_problem encodes it alike.)"""
    parts = urlsplit(url)
    host = parts.hostname or ""
    ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    if ":" in ascii_host:  # an IPv6 address, bracketed in URLs
        ascii_host = f"[{ascii_host}]"
    scheme = parts.scheme.lower()
    port = None if parts.port == DEFAULT_PORTS.get(scheme) else parts.port
    netloc = ascii_host if port is None else f"{ascii_host}:{port}"
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~")
    return urlunsplit((scheme, netloc, path, "", ""))


DEFAULT_PORTS = MappingProxyType({"http": 80, "https": 443})
"""Left out of the address, as browsers show it (RFC 3986 §6.2.3): ':443' would make every
canonical link and og:url differ from the page's own address."""

_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def base_path_problem(path: str) -> tuple[str, str] | None:
    """What is wrong with base_url's path, and what to do, or None. A path the site's links
    cannot use as written: a '%' that starts no escape makes invalid URLs (sitemaps.org
    refuses them), '//' at its start makes each root-relative link lead to another host
    ('//partners/es/'), and '.' or '..' segments make the links browsers follow differ from
    the canonical addresses."""
    if _STRAY_PERCENT.search(path):
        return (
            "has a '%' that is not followed by two hex digits",
            "write a '%' itself as %25, e.g. https://example.org/100%25/",
        )
    segments = path.rstrip("/").split("/")[1:]
    if "" in segments:
        return "has '//' in its path", "write each '/' once, e.g. https://example.org/partners/"
    if any(unquote(segment) in (".", "..") for segment in segments):
        return (
            "has a '.' or '..' segment in its path",
            "give the address those segments lead to, e.g. https://example.org/partners/",
        )
    return None


def load_config(root: Path) -> tuple[SiteConfig | None, list[Diagnostic]]:
    path = root / SITE_FILE
    if path.is_symlink() and leaves(path, root):
        return None, [
            outside_link(SITE_FILE, f"copy the file into the site as {SITE_FILE} instead")
        ]
    if not path.exists():  # (a folder or a named pipe in its place is refused by reading it)
        return None, [
            error(
                "no-site",
                f"no {SITE_FILE} in {root}",
                SourcePos(SITE_FILE),
                "run allysite in a site folder, or pass --site DIR",
            )
        ]
    doc, problems = read_yaml_file(path, SITE_FILE)
    if doc is None:
        return None, problems
    settings, problems = validate(SiteSchema, doc)
    if settings is None:
        return None, problems

    codes = list(settings.languages)
    segments = [lang_segment(code) for code in codes]
    for index, code in enumerate(codes):
        if not BCP47_PATTERN.fullmatch(code) or parse_locale(code) is None:
            problems.append(
                error(
                    "unknown-language",
                    f"languages: '{code}' is not a language code known to CLDR",
                    doc.pos(("languages", index)),
                    "use a BCP 47 code such as 'es', 'ar' or 'pt-BR'",
                )
            )
        first = codes[segments.index(segments[index])]
        if segments.index(segments[index]) != index:
            problems.append(
                error(
                    "duplicate-language",
                    f"languages: '{code}' is listed twice"
                    if first == code
                    else f"languages: '{code}' is the same as '{first}' (codes ignore case)",
                    doc.pos(("languages", index)),
                    "remove the second one",
                )
            )
    if settings.default_language not in codes:
        problems.append(
            error(
                "default-language",
                f"default_language '{settings.default_language}' is not one of languages",
                doc.pos(("default_language",)),
                f"add it to languages or pick one of: {', '.join(codes)}",
            )
        )
    for code in settings.title:
        if code != ALL_LANGUAGES and code not in codes:
            problems.append(
                error(
                    "unknown-language",
                    f"title: '{code}' is not one of the site's languages",
                    doc.pos(("title", code)),
                    f"languages are: {', '.join(codes)}",
                )
            )
    parts = urlsplit(settings.base_url)
    if parts.query or parts.fragment:
        problems.append(
            error(
                "invalid-value",
                f"base_url: '{settings.base_url}' must not have a query (?) or fragment (#)",
                doc.pos(("base_url",)),
                "give the address where the site lives, e.g. https://partners.example.org/",
            )
        )
    path_problem = base_path_problem(parts.path)
    if path_problem is not None:
        problems.append(
            error(
                "invalid-value",
                f"base_url: '{settings.base_url}' {path_problem[0]}",
                doc.pos(("base_url",)),
                path_problem[1],
            )
        )
    if problems:
        return None, problems

    everywhere = settings.title.get(ALL_LANGUAGES)
    default = settings.title.get(settings.default_language, everywhere)
    if default is None:
        return None, [
            error(
                "missing-field",
                f"title: no title for the default language '{settings.default_language}'",
                doc.pos(("title",)),
                f"add '{settings.default_language}: ...' under title",
            )
        ]
    titles = {code: settings.title.get(code, everywhere or default) for code in codes}
    base_url = ascii_url(settings.base_url)
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    languages = tuple(make_language(code, code == settings.default_language) for code in codes)
    return (
        SiteConfig(
            root,
            MappingProxyType(titles),
            base_url,
            languages,
            search=settings.search,
            translation_dashboard=settings.translation_dashboard,
            index_machine_translations=settings.machine_translations == "index",
            borrowed_titles=frozenset(
                code
                for code in codes
                if code not in settings.title and everywhere is None
                if code != settings.default_language
            ),
        ),
        [],
    )
