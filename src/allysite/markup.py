"""Markdown into safe HTML: the one place that knows the Markdown library and the sanitizer.

markdown-it-pyrs (the Rust port of markdown-it, by markdown-it-py's maintainer) gives full
CommonMark plus tables, strikethrough, footnotes and definition lists, in the same HTML shape
as markdown-it-py but about 12x faster: parsing was half of a cold build. Heading ids (levels
2 to 4) are our own: the library's heading_anchors plugin marks each Markdown heading, and
the marker (a link with an icon) is replaced by an `id` made as markdown-it-py's anchors
plugin made it (GitHub-style slugs, `-1`, `-2` for repeats), so raw `<h2>` HTML in a profile
never gets one. Raw HTML is allowed in the source but everything passes nh3's allow-list, so
no script, event handler, iframe or javascript: link reaches a page.
"""

from __future__ import annotations

import html
import re
from functools import cache

import nh3
from markdown_it_pyrs import MarkdownIt
from markupsafe import Markup

_EXTRA_TAGS = frozenset({"figure", "figcaption", "section", "picture", "source", "mark"})
_FORBIDDEN_TAGS = frozenset({"iframe", "object", "embed", "form", "input", "button", "style"})
_GLOBAL_ATTRIBUTES = frozenset({"id", "lang", "dir", "class", "title"})
_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# Ids the theme's pages use themselves (base.html, the search box, the facets): neither a
# heading nor an id written in raw HTML may take them (a duplicate id is invalid HTML, and
# `main` is the skip link's target).
THEME_IDS = frozenset({"main", "content", "top", "site-search-input", "facets-title"})
ID_LEVELS = frozenset({2, 3, 4})
MAX_NESTING = 100
"""Quotes and list items nested deeper than this on one line, and raw HTML elements nested
deeper than this, are refused (`too_deep`), as markdown-it limits nesting itself: the
compiled parser recurses once per level, and some tens of thousands of levels (`> > > ...`)
overflow its stack and kill the process; the sanitizer takes time in the square of the
depth (200,000 nested `<div>` would take hours)."""
MAX_REFERENCES = 1000
"""Link reference definitions (`[name]: https://...`) a text may hold: the compiled parser
takes time in their square (10,000 took 4 s; a 5 MB file of them would take a quarter of an
hour)."""
MAX_HEADINGS = 1000
"""Headings a text may hold: the parser's heading anchors take time in the square of the
number of equal ones (8,000 took 3 s; a 5 MB file of them, hours)."""
MAX_EMPHASIS_MARKS = 1000
"""`*` and `_` a paragraph may hold: the parser takes time in the square of the depth of
nested emphasis (`*a *a *a ... a* a* a*`: 20,000 levels took 3.6 s)."""
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
# Elements whose end tag HTML implies (the next <li> closes a <li>): they nest no deeper.
_IMPLIED_END = frozenset(
    {"p", "li", "dt", "dd", "rt", "rp", "optgroup", "option", "colgroup", "caption"}
    | {"thead", "tbody", "tfoot", "tr", "td", "th", "html", "head", "body"}
)
_PLUGINS = ("table", "strikethrough", "footnote", "deflist", "heading_anchors")

# What heading_anchors puts at the start of every Markdown heading: a link holding an icon.
_HEADING = re.compile(
    r'<h([1-6])><a aria-hidden="true" class="anchor" id="[^"]*" href="#[^"]*">'
    r"<svg [^>]*>(?:<path [^>]*></path>)*</svg></a>(.*?)</h\1>",
    re.DOTALL,
)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_NOT_SLUG = re.compile(r"[^\w\u4e00-\u9fff\- ]")
# MAX_NESTING + 1 markers at the start of a line: `>`, or a list marker followed by a blank.
# Each marker takes the blanks after it and the next must be a marker: no backtracking. The
# search starts from line breaks (a literal first character: far faster than `^`).
_TOO_DEEP = re.compile(r"\n[ \t]*(?:(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]))[ \t]*){101}")
_REFERENCE = re.compile(r"\n {0,3}\[(?:[^\]\\\n]|\\.)+\]:")  # from line breaks, as _TOO_DEEP
# An ATX heading's opening, or a line of `=` or `-` (a setext heading's underline)
_HEADING_LINE = re.compile(
    r"\n {0,3}(?:#{1,6}(?=[ \t\n])|#{1,6}$|=+[ \t]*(?=\n|$)|-+[ \t]*(?=\n|$))"
)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?(/?)>")
# An id attribute in a start tag as nh3 writes it: every value double-quoted, with `"` in it
# escaped, so the attributes before it can be skipped one by one (text may hold ` id="main"`).
_RAW_THEME_ID = re.compile(
    r'(<[a-zA-Z][\w-]*(?:\s+[^\s"=<>/]+(?:="[^"]*")?)*?\s+id=")('
    + "|".join(sorted(THEME_IDS))
    + ')"'
)


def slugify(title: str) -> str:
    """GitHub-style, as mdit-py-plugins' anchors plugin: lowercase, spaces to hyphens."""
    return _NOT_SLUG.sub("", title.lower().replace(" ", "-"))


def _heading_id(title: str) -> str:
    slug = slugify(title)
    return f"{slug}-section" if slug in THEME_IDS else slug


def _heading_text(inner_html: str) -> str:
    """The heading's text as markdown-it's tokens give it: no tags, no footnote marks."""
    if "<" not in inner_html:  # most headings: plain text (html.unescape checks for '&')
        return html.unescape(inner_html)
    return html.unescape(_TAG.sub("", _FOOTNOTE_REF.sub("", inner_html)))


def _with_heading_ids(rendered: str) -> str:
    if "<h" not in rendered:
        return rendered
    taken: set[str] = set()
    tried: dict[str, int] = {}  # the suffix each slug's next repeat tries first

    def replace(match: re.Match[str]) -> str:
        level, inner = match.group(1), match.group(2)
        if int(level) not in ID_LEVELS:
            return f"<h{level}>{inner}</h{level}>"
        slug = unique = _heading_id(_heading_text(inner))
        # The first free of slug, slug-1, slug-2...: those below `tried` are all taken (ids
        # are never given back), so 30,000 equal headings cost no 30,000 tries each.
        number = tried.get(slug, 1)
        while unique in taken:
            unique = f"{slug}-{number}"
            number += 1
        tried[slug] = number
        taken.add(unique)
        return f'<h{level} id="{html.escape(unique)}">{inner}</h{level}>'

    return _HEADING.sub(replace, rendered)


@cache
def _parser() -> MarkdownIt:
    # The "commonmark" preset: raw HTML on (sanitized afterwards), no typographer.
    return MarkdownIt("commonmark").enable_many(list(_PLUGINS))


@cache
def _cleaner() -> nh3.Cleaner:
    """One sanitizer for the process: building its allow-lists costs as much as a cleaning."""
    tags = (frozenset(nh3.ALLOWED_TAGS) | _EXTRA_TAGS) - _FORBIDDEN_TAGS
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = set(attributes.get("*", set())) | _GLOBAL_ATTRIBUTES
    attributes["source"] = {"srcset", "type", "media", "sizes"}
    attributes["img"] = set(attributes.get("img", set())) | {"loading", "srcset", "sizes"}
    return nh3.Cleaner(
        tags=set(tags),
        attributes=attributes,
        url_schemes=set(_URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def sanitize_html(source: str) -> str:
    return _cleaner().clean(source)


def too_deep(source: str) -> tuple[int, str] | None:
    """Where (the line, from 1) and what the text nests more than MAX_NESTING levels deep,
    which render_markdown must not be given: 'quotes or list items', or 'HTML elements'."""
    found = _TOO_DEEP.search("\n" + source)  # (the first line too)
    if found is not None:
        return source.count("\n", 0, found.start()) + 1, "quotes or list items"
    if "<" not in source:
        return None
    open_elements: list[str] = []  # as an HTML parser would hold them
    for tag in _HTML_TAG.finditer(source):
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in _VOID_ELEMENTS or name in _IMPLIED_END:
            continue
        if closing:  # closes the last such element and those inside it; else it is ignored
            for depth in range(len(open_elements) - 1, -1, -1):
                if open_elements[depth] == name:
                    del open_elements[depth:]
                    break
        elif not (self_closing and ("svg" in open_elements or "math" in open_elements)):
            open_elements.append(name)  # (`<div/>` opens a div: only SVG and MathML close)
            if len(open_elements) > MAX_NESTING:
                return source.count("\n", 0, tag.start()) + 1, "HTML elements"
    return None


def too_many_references(source: str) -> int | None:
    """The line (from 1) of the first link reference definition past MAX_REFERENCES."""
    if source.count("]:") <= MAX_REFERENCES:  # nearly every text
        return None
    for number, found in enumerate(_REFERENCE.finditer("\n" + source)):
        if number == MAX_REFERENCES:
            return source.count("\n", 0, found.start()) + 1
    return None


def too_many_headings(source: str) -> int | None:
    """The line (from 1) of the first heading past MAX_HEADINGS (a setext heading's underline:
    an `===` or `---` line counts, even where it is a thematic break)."""
    if source.count("\n") < MAX_HEADINGS:  # nearly every text: too few lines
        return None
    for number, found in enumerate(_HEADING_LINE.finditer("\n" + source)):
        if number == MAX_HEADINGS:
            return source.count("\n", 0, found.start()) + 1
    return None


def too_much_emphasis(source: str) -> int | None:
    """The first line (from 1) of the first paragraph with more than MAX_EMPHASIS_MARKS `*`
    and `_` (emphasis nests within a paragraph: a blank line ends it)."""
    if source.count("*") + source.count("_") <= MAX_EMPHASIS_MARKS:  # nearly every text
        return None
    marks, start = 0, 1
    for number, text in enumerate(source.split("\n"), 1):
        if not text.strip():
            marks, start = 0, number + 1
            continue
        marks += text.count("*") + text.count("_")
        if marks > MAX_EMPHASIS_MARKS:
            return start
    return None


def render_markdown(source: str) -> Markup:
    """CommonMark (with tables, footnotes, definition lists, heading ids) as safe HTML.

    Markup, so that templates show it as it is and views need no copy of their own."""
    return Markup(_without_theme_ids(sanitize_html(_with_heading_ids(_parser().render(source)))))


def _without_theme_ids(sanitized: str) -> str:
    """A raw HTML id that the theme uses gets the suffix a heading's would."""
    if ' id="' not in sanitized:
        return sanitized
    return _RAW_THEME_ID.sub(r'\1\2-section"', sanitized)
