"""What `allysite check` looks for beyond what the build validates: one function per lint.

Each lint reads the loaded site (and, for links, the rendered pages) and returns findings as
diagnostics, or as notices (`Notice`) for facts worth knowing that are no fault, such as a
profile not translated yet.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

from allysite import urls
from allysite.build import Prepared
from allysite.config import DEFAULT_PORTS
from allysite.errors import Diagnostic, SourcePos, warning
from allysite.i18n import resolve
from allysite.inputindex import editor_leftover, hidden
from allysite.markup import srcset_addresses
from allysite.model import PLACEHOLDER_TERM, TAXONOMY_NAMES, Page, Partner

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg"})
IMAGE_BUDGET_KB = 300
PLACEHOLDER = re.compile(r"\bTODO\b|todo\.invalid")
"""What `allysite new` leaves for the editor to replace (see scaffold.py)."""
_URL_END = frozenset(")>\"' \t")
"""What may follow an address in Markdown or HTML: `(url)`, `<url>`, `"url"`, `url "title"`."""


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


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str | None
    """None when the tag has no alt attribute at all."""


class _Links(HTMLParser):
    """Every address a browser follows or loads (href, src, each srcset image) and every
    image with its alternative text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.images: list[Image] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(Link(tag, values["href"] or ""))
        elif tag == "img" and values.get("src"):
            self.links.append(Link(tag, values["src"] or ""))
        if tag in ("img", "source") and values.get("srcset"):
            self.links += [Link(tag, url) for url in srcset_addresses(values["srcset"] or "")]
        if tag == "img":
            self.images.append(Image(values.get("src") or "", values.get("alt")))


def parse_links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


class _Ids(HTMLParser):
    """The names a fragment can scroll to: each element's id, and an <a>'s name (HTML)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (name == "name" and tag == "a")):
                self.ids.add(value)


def page_ids(page: bytes) -> frozenset[str]:
    parser = _Ids()
    parser.feed(page.decode("utf-8", "replace"))
    parser.close()
    return frozenset(parser.ids)


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
        return self.find_all(rel, 1, *needles)[0]

    def find_all(self, rel: str, count: int, *needles: str) -> list[SourcePos]:
        """Where the first needle found is written, up to `count` places, preferring those
        where it ends as an address ends (so `../a/` is not found inside `../a/b/`); the
        file alone when no needle is in it."""
        for needle in needles:
            if not needle:
                continue
            ends, others = [], []
            for number, line in enumerate(self.lines(rel), start=1):
                column = line.find(needle)
                while column >= 0:
                    after = line[column + len(needle) : column + len(needle) + 1]
                    place = SourcePos(rel, number, column + 1)
                    (ends if not after or after in _URL_END else others).append(place)
                    column = line.find(needle, column + 1)
            if ends or others:
                return (ends or others)[:count]
        return [SourcePos(rel)]


# --- links --------------------------------------------------------------------------------


def check_links(
    prepared: Prepared, pages: Mapping[str, bytes], outputs: frozenset[str], text: SourceText
) -> list[Diagnostic]:
    """Links and images in profiles and pages must resolve in every language they show in,
    and a link's #anchor must exist in the page it leads to. Each place a broken address is
    written is named."""
    config = prepared.config
    site_urls = urls.Urls(config.base_url)
    ids: dict[str, frozenset[str]] = {}
    failures: dict[tuple[str, str], dict[str, str]] = {}
    written: Counter[tuple[str, str]] = Counter()
    for item, _kind in items(prepared):
        for language in config.languages:
            shown = resolve(item.translations, language.code, config.default_language.code)
            body = shown.translation.body_html
            if "href" not in body and "src" not in body:
                continue
            page_url = site_urls.absolute(item_path(item, language.code))
            links = Counter(link.url for link in parse_links(body).links)
            for url, times in links.items():
                problem = _broken(url, page_url, site_urls.prefix, outputs, pages, ids)
                if problem:
                    key = (shown.translation.source, url)
                    failures.setdefault(key, {})[language.code] = problem
                    written[key] = max(written[key], times)
    problems = []
    for (source, url), by_language in sorted(failures.items()):
        reasons = sorted(set(by_language.values()))
        where = ", ".join(by_language)
        hint = "; ".join(dict.fromkeys(_hint(reason, site_urls.prefix) for reason in reasons))
        for pos in text.find_all(source, written[(source, url)], url, unquote(url)):
            problems.append(
                warning(
                    "broken-link",
                    f"link '{url}' {'; '.join(reasons)} (on the {where} page)",
                    pos,
                    hint,
                )
            )
    return problems


_OUTSIDE = "leads outside the site"
_LEFTOVER = "named as an editor's backup or temporary file, which a build leaves out"


def _hint(reason: str, prefix: str) -> str:
    if reason == _OUTSIDE:
        return f"start the address with the site's path {prefix}/, or write it relative to the page"
    if reason.endswith(_LEFTOVER):
        return (
            "link to the file itself, or rename the file: names such as #x#, x~ or x.swp "
            "are never published from content/"
        )
    if reason.startswith("has the anchor"):
        return (
            "name an id the page has: a heading's is its text in lower case with hyphens "
            "(## Our mandate is #our-mandate)"
        )
    return (
        "point it at an existing page or file, e.g. ../other-partner/ for a partner's "
        "profile in the same language"
    )


def site_path(url: str, page_url: str, prefix: str) -> str | None:
    """The site path (decoded, without the base URL's path) that a link on the page at
    `page_url` leads to; None for another site, mailto: or tel:; _OUTSIDE for this host
    outside the base URL's path. The host is compared as a browser reads it: in any case,
    with or without its default port, in its own script or in punycode."""
    target = urlsplit(urljoin(page_url, url))
    if target.scheme not in DEFAULT_PORTS or _origin(target) != _origin(urlsplit(page_url)):
        return None
    path = _without_dot_segments(unquote(target.path))
    prefix = unquote(prefix)  # (the base URL's path is %-encoded, as pages write it)
    if not path.startswith(prefix + "/"):
        return _OUTSIDE
    return path[len(prefix) :]


def _origin(parts: SplitResult) -> tuple[str, int | None] | None:
    try:
        port = parts.port
        host = unquote(parts.hostname or "")
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):  # no valid port or host: no address of this site
        return None
    return host.lower(), None if port == DEFAULT_PORTS.get(parts.scheme) else port


def _without_dot_segments(path: str) -> str:
    """`.` and `..` segments resolved, as a browser resolves them once %2E is decoded."""
    if "/." not in path:
        return path
    segments: list[str] = []
    parts = path.split("/")[1:]
    for index, segment in enumerate(parts):
        last = index == len(parts) - 1
        if segment == "..":
            if segments:
                segments.pop()
            if last:
                segments.append("")
        elif segment == ".":
            if last:
                segments.append("")
        else:
            segments.append(segment)
    return "/" + "/".join(segments)


def _broken(
    url: str,
    page_url: str,
    prefix: str,
    outputs: frozenset[str],
    pages: Mapping[str, bytes],
    ids: dict[str, frozenset[str]],
) -> str | None:
    path = site_path(url, page_url, prefix)
    if path is None or path == _OUTSIDE:
        return path
    out_path = urls.output_path(path)
    if out_path not in outputs:
        if f"{out_path}/index.html" in outputs:
            out_path = f"{out_path}/index.html"
        elif editor_leftover(path.rsplit("/", 1)[-1]):
            return f"leads to {path}, {_LEFTOVER}"
        else:
            return f"leads to {path}, which the site does not have"
    fragment = unquote(urlsplit(url).fragment)
    # (an empty fragment and `top`, in any case, are the top of every page: HTML's rule)
    if fragment and fragment.lower() != "top" and out_path.endswith(".html"):
        if out_path not in ids:
            ids[out_path] = page_ids(pages.get(out_path, b""))
        if fragment not in ids[out_path]:
            return f"has the anchor #{urlsplit(url).fragment}, which {path} does not have"
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
    images: list[str] = []  # (site-relative: an item's own, and those of static/)
    for item, _kind in items(prepared):
        for translation in item.translations.values():
            problems += _images_without_alt(translation.body_html, translation.source, text)
        images += (f"{item.folder}/{asset}" for asset in item.assets)
    images += (f"static/{name}" for name in prepared.content.static_files)
    for shown in images:
        path = prepared.config.root / shown
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        size = path.stat().st_size if path.is_file() else 0
        if size > budget_kb * 1024:
            problems.append(
                warning(
                    "large-image",
                    f"image is {size // 1024} KB, over the budget of {budget_kb} KB",
                    SourcePos(shown),
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


def _images_without_alt(body: str, source: str, text: SourceText) -> list[Diagnostic]:
    """Images with no alternative text. `alt=""` written in raw HTML marks an image as
    decorative, as Markdown linters read it; Markdown's `![](file.png)` renders the same
    `alt=""`, so the raw tags of the source tell the two apart."""
    images = parse_links(body).images
    if all((image.alt or "").strip() for image in images):
        return []
    decorative = Counter(
        unquote(image.src)
        for image in parse_links("\n".join(text.lines(source))).images
        if image.alt is not None and not image.alt.strip()
    )
    problems = []
    for image in images:
        if (image.alt or "").strip():
            continue
        if image.alt is not None and decorative[unquote(image.src)] > 0:
            decorative[unquote(image.src)] -= 1
            continue
        problems.append(
            warning(
                "missing-alt",
                f"image '{image.src}' has no alternative text",
                text.find(source, image.src, unquote(image.src)),
                'add alt="what it shows" to the <img> tag (alt="" if it is only decoration)'
                if image.alt is None
                else "describe the image between the brackets: ![what it shows](file.png)",
            )
        )
    return problems


def unused_files(prepared: Prepared) -> list[Diagnostic]:
    """Files in content/ that no page shows or links to: a file is used when a link or image
    of any profile or page, in any language, leads to one of its copies."""
    config = prepared.config
    site_urls = urls.Urls(config.base_url)
    copies: dict[str, tuple[str, str]] = {}
    for item, _kind in items(prepared):
        for code in config.language_codes:
            for asset in item.assets:
                copies[item_path(item, code) + asset] = (item.folder, asset)
    used: set[tuple[str, str]] = set()
    for item, _kind in items(prepared):
        if isinstance(item, Partner) and item.facts.logo:
            used.add((item.folder, item.facts.logo))
        for code in config.language_codes:
            shown = resolve(item.translations, code, config.default_language.code)
            page_url = site_urls.absolute(item_path(item, code))
            for link in parse_links(shown.translation.body_html).links:
                path = site_path(link.url, page_url, site_urls.prefix)
                if path is not None and path in copies:
                    used.add(copies[path])
    problems = []
    for item, _kind in items(prepared):
        for asset in item.assets:
            if (item.folder, asset) not in used:
                problems.append(
                    warning(
                        "unused-file",
                        "no page shows or links to this file",
                        SourcePos(f"{item.folder}/{asset}"),
                        "link to it from a profile, or delete it",
                    )
                )
    content = config.root / "content"
    if content.is_dir():
        for entry in sorted(content.iterdir()):
            if entry.name.startswith(".") or entry.name in ("partners", "pages"):
                continue
            if editor_leftover(entry.name) and not entry.is_dir():
                continue  # (an editor's backup is no file of the site: never read)
            problems.append(
                warning(
                    "unused-file",
                    f"content/{entry.name} is not used: only partners/ and pages/ are read",
                    SourcePos(f"content/{entry.name}"),
                    "move it into an item folder, or delete it",
                )
            )
    return problems


UNREMARKABLE = (".DS_Store", ".git", ".#", "._")
"""Dot-names in static/ that nobody means to publish (a file manager's, git's, an editor's
lock or a macOS resource fork), and editors' swap and backup files (editor_leftover): no
warning for them."""


def unpublished_files(prepared: Prepared) -> list[Diagnostic]:
    """Files of static/ whose name starts with a dot: never published (but .well-known/'s:
    inputindex.hidden), and an editor who put an .htaccess there expected it to be."""
    static = prepared.config.root / "static"
    problems = []
    for dirpath, dirnames, filenames in os.walk(static):
        here = Path(dirpath).relative_to(static).as_posix()
        inside = "" if here == "." else f"{here}/"
        dirnames[:] = sorted(name for name in dirnames if not hidden(f"{inside}{name}/"))
        for name in sorted(filenames):
            if not hidden(inside + name) or name.startswith(UNREMARKABLE) or editor_leftover(name):
                continue
            problems.append(
                warning(
                    "unpublished-file",
                    "names that start with a dot are never published (but the folder "
                    "static/.well-known/)",
                    SourcePos(f"static/{inside}{name}"),
                    "rename it without the leading dot to publish it, or move it out of "
                    "static/ (a host's settings, such as .htaccess, are made on the host)",
                )
            )
    return problems
