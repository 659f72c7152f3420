"""What `allysite check` looks for beyond what the build validates: one function per lint.

Each lint reads the loaded site (and, for links, the rendered pages) and returns findings as
diagnostics, or as notices (`Notice`) for facts worth knowing that are no fault, such as a
profile not translated yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from allysite import urls
from allysite.build import Prepared
from allysite.errors import Diagnostic, SourcePos, warning
from allysite.i18n import resolve
from allysite.model import TAXONOMY_NAMES, Page, Partner

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"})
IMAGE_BUDGET_KB = 300
PLACEHOLDER = re.compile(r"\bTODO\b|todo\.invalid")
"""What `allysite new` leaves for the editor to replace (see scaffold.py)."""
PLACEHOLDER_TERM = "todo"
_ID = re.compile(rb"""\sid=["']?([^"'\s>]+)""")


@dataclass(frozen=True, slots=True)
class Notice:
    """A fact for the editor that is no fault: never an error, even with --strict."""

    code: str
    message: str
    pos: SourcePos
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    tag: str
    url: str


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.images_without_alt: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(Link(tag, values["href"] or ""))
        elif tag == "img":
            if values.get("src"):
                self.links.append(Link(tag, values["src"] or ""))
            if not (values.get("alt") or "").strip():
                self.images_without_alt.append(values.get("src") or "")


def parse_links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


def items(prepared: Prepared) -> Iterator[tuple[Partner | Page, str]]:
    """Every partner and page with the site path of its folder's URL, minus the language."""
    for partner in prepared.content.partners:
        yield partner, "partners"
    for page in prepared.content.pages:
        yield page, "pages"


def item_path(item: Partner | Page, lang: str) -> str:
    return (
        urls.partner(lang, item.slug) if isinstance(item, Partner) else urls.page(lang, item.slug)
    )


class SourceText:
    """Source files read once, to point findings at the line and column of a text."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lines: dict[str, list[str]] = {}

    def lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            try:
                text = (self.root / rel).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._lines[rel] = text.splitlines()
        return self._lines[rel]

    def find(self, rel: str, *needles: str) -> SourcePos:
        for needle in needles:
            if not needle:
                continue
            for number, line in enumerate(self.lines(rel), start=1):
                column = line.find(needle)
                if column >= 0:
                    return SourcePos(rel, number, column + 1)
        return SourcePos(rel)


# --- links --------------------------------------------------------------------------------


def check_links(
    prepared: Prepared, pages: Mapping[str, bytes], outputs: frozenset[str], text: SourceText
) -> list[Diagnostic]:
    """Links and images in profiles and pages must resolve in every language they show in,
    and a link's #anchor must exist in the page it leads to."""
    config = prepared.config
    site_urls = urls.Urls(config.base_url)
    base = urlsplit(config.base_url)
    ids: dict[str, frozenset[str]] = {}
    failures: dict[tuple[str, str], dict[str, str]] = {}
    for item, _kind in items(prepared):
        for language in config.languages:
            shown = resolve(item.translations, language.code, config.default_language.code)
            body = shown.translation.body_html
            if "href" not in body and "src" not in body:
                continue
            page_url = site_urls.absolute(item_path(item, language.code))
            for link in parse_links(body).links:
                problem = _broken(link.url, page_url, base, site_urls.prefix, outputs, pages, ids)
                if problem:
                    key = (shown.translation.source, link.url)
                    failures.setdefault(key, {})[language.code] = problem
    problems = []
    for (source, url), by_language in sorted(failures.items()):
        reasons = sorted(set(by_language.values()))
        where = ", ".join(by_language)
        problems.append(
            warning(
                "broken-link",
                f"link '{url}' {'; '.join(reasons)} (on the {where} page)",
                text.find(source, url, unquote(url)),
                "point it at an existing page, e.g. ../other-partner/ for a partner's "
                "profile in the same language",
            )
        )
    return problems


def _broken(
    url: str,
    page_url: str,
    base: object,
    prefix: str,
    outputs: frozenset[str],
    pages: Mapping[str, bytes],
    ids: dict[str, frozenset[str]],
) -> str | None:
    target = urlsplit(urljoin(page_url, url))
    site = urlsplit(page_url)
    if target.scheme not in ("http", "https") or target.netloc != site.netloc:
        return None  # another site, mailto:, tel:
    path = unquote(target.path)
    prefix = unquote(prefix)  # (the base URL's path is %-encoded, as pages write it)
    if not path.startswith(prefix + "/"):
        return "leads outside the site"
    site_path = path[len(prefix) :]
    out_path = urls.output_path(site_path)
    if out_path not in outputs:
        if f"{out_path}/index.html" in outputs:
            out_path = f"{out_path}/index.html"
        else:
            return f"leads to {site_path}, which the site does not have"
    if target.fragment and out_path.endswith(".html"):
        if out_path not in ids:
            ids[out_path] = frozenset(m.decode() for m in _ID.findall(pages.get(out_path, b"")))
        if unquote(target.fragment) not in ids[out_path]:
            return f"has the anchor #{target.fragment}, which {site_path} does not have"
    return None


# --- images ------------------------------------------------------------------------------


def check_images(prepared: Prepared, text: SourceText, budget_kb: int) -> list[Diagnostic]:
    """Partners without a logo, images without alternative text, image files over budget."""
    problems = []
    for partner in prepared.content.partners:
        if partner.facts.logo is None:
            problems.append(
                warning(
                    "no-logo",
                    f"partner '{partner.slug}' has no logo",
                    SourcePos(f"{partner.folder}/partner.yaml"),
                    "add the logo file to the folder and 'logo: <file name>' to partner.yaml",
                )
            )
    for item, _kind in items(prepared):
        for translation in item.translations.values():
            for src in parse_links(translation.body_html).images_without_alt:
                problems.append(
                    warning(
                        "missing-alt",
                        f"image '{src}' has no alternative text",
                        text.find(translation.source, src),
                        "describe the image between the brackets: ![what it shows](file.png)",
                    )
                )
        for asset in item.assets:
            path = prepared.config.root / item.folder / asset
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            size = path.stat().st_size if path.is_file() else 0
            if size > budget_kb * 1024:
                problems.append(
                    warning(
                        "large-image",
                        f"image is {size // 1024} KB, over the budget of {budget_kb} KB",
                        SourcePos(f"{item.folder}/{asset}"),
                        "export it smaller (a logo needs at most 400 px; SVG where possible)",
                    )
                )
    return problems


# --- translations ------------------------------------------------------------------------


def untranslated(prepared: Prepared) -> list[Notice]:
    """Profiles and pages that some site language shows in the default language instead."""
    config = prepared.config
    notices = []
    for item, _kind in items(prepared):
        missing = [code for code in config.language_codes if code not in item.translations]
        if missing:
            original = item.translations[config.default_language.code]
            notices.append(
                Notice(
                    "untranslated",
                    f"'{item.slug}' is not translated into {', '.join(missing)}",
                    SourcePos(original.source),
                    f"add {', '.join(f'{item.folder}/{code}.md' for code in missing)}",
                )
            )
    return notices


# --- scaffolding placeholders ------------------------------------------------------------


def placeholders(prepared: Prepared, text: SourceText) -> list[Diagnostic]:
    """Text that `allysite new` wrote for the editor to replace."""
    problems = []
    for source in ("site.yaml", "taxonomies.yaml"):
        problems += _placeholder_lines(text, source)
    for item, _kind in items(prepared):
        sources = [t.source for t in item.translations.values()]
        if isinstance(item, Partner):
            sources.insert(0, f"{item.folder}/partner.yaml")
            for name in TAXONOMY_NAMES:
                if PLACEHOLDER_TERM in item.terms(name):
                    problems.append(
                        warning(
                            "placeholder",
                            f"'{PLACEHOLDER_TERM}' in {name} is a placeholder",
                            text.find(sources[0], f"{name[:-1] if name == 'kinds' else name}:"),
                            "replace it with the real term's slug",
                        )
                    )
        for source in sources:
            problems += _placeholder_lines(text, source)
    return problems


def _placeholder_lines(text: SourceText, source: str) -> list[Diagnostic]:
    return [
        warning(
            "placeholder",
            f"placeholder left from 'allysite new': {line.strip()[:80]}",
            SourcePos(source, number, match.start() + 1),
            "replace it with the real text",
        )
        for number, line in enumerate(text.lines(source), start=1)
        for match in PLACEHOLDER.finditer(line)
    ]


# --- files nothing uses ------------------------------------------------------------------


def unused_files(prepared: Prepared) -> list[Diagnostic]:
    """Files in content/ that no page shows or links to."""
    root = prepared.config.root
    problems = []
    for item, _kind in items(prepared):
        used: set[str] = set()
        if isinstance(item, Partner) and item.facts.logo:
            used.add(item.facts.logo)
        for translation in item.translations.values():
            used.update(_local_targets(translation.body_html))
        for asset in item.assets:
            if asset not in used:
                problems.append(
                    warning(
                        "unused-file",
                        "no page shows or links to this file",
                        SourcePos(f"{item.folder}/{asset}"),
                        "link to it from a profile, or delete it",
                    )
                )
    content = root / "content"
    if content.is_dir():
        for entry in sorted(content.iterdir()):
            if entry.name.startswith(".") or entry.name in ("partners", "pages"):
                continue
            problems.append(
                warning(
                    "unused-file",
                    f"content/{entry.name} is not used: only partners/ and pages/ are read",
                    SourcePos(f"content/{entry.name}"),
                    "move it into an item folder, or delete it",
                )
            )
    return problems


def _local_targets(body: str) -> Iterable[str]:
    """Names of the item's own files that a body links to (relative links without '/')."""
    for link in parse_links(body).links:
        parts = urlsplit(link.url)
        if parts.scheme or parts.netloc or parts.path.startswith("/") or not parts.path:
            continue
        path = unquote(parts.path)
        yield path[2:] if path.startswith("./") else path
