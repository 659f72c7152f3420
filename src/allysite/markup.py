"""Markdown into safe HTML: the one place that knows the Markdown library and the sanitizer.

markdown-it-pyrs (the Rust port of markdown-it, by markdown-it-py's maintainer) gives full
CommonMark plus tables, strikethrough, footnotes and definition lists, in the same HTML shape
as markdown-it-py but about 12x faster: parsing was half of a cold build. Heading ids (levels
2 to 4) are our own: the library's heading_anchors plugin marks each Markdown heading, and
the marker (a link with an icon) is replaced by an `id` made as markdown-it-py's anchors
plugin made it (GitHub-style slugs, `-1`, `-2` for repeats), so raw `<h2>` HTML in a profile
never gets one. Raw HTML is allowed in the source but passes nh3's allow-list, so no script,
event handler, iframe or javascript: link reaches a page; a text without raw HTML skips nh3
only when its HTML is made of tags that nh3 gives back as they are (_already_clean). The
parser's panics on a few texts are worked around (_commonmark), and so are its footnotes
inside footnotes and its links back to references that are not there.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Iterator
from functools import cache, lru_cache
from urllib.parse import unquote

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
_PLUGINS = ("table", "strikethrough", "footnote", "deflist", "heading_anchors")

# What heading_anchors puts at the start of every Markdown heading: a link holding an icon.
_HEADING = re.compile(
    r'<h([1-6])><a aria-hidden="true" class="anchor" id="[^"]*" href="#[^"]*">'
    r"<svg [^>]*>(?:<path [^>]*></path>)*</svg></a>(.*?)</h\1>",
    re.DOTALL,
)
# A link's or an image's address as nh3 writes it (double-quoted, `"` escaped).
_ADDRESS = re.compile(r'\s(?:href|src|srcset)="([^"]*)"')
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.DOTALL)
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_NOT_SLUG = re.compile(r"[^\w\u4e00-\u9fff\- ]")
# An id attribute in a start tag as nh3 writes it: every value double-quoted, with `"` in it
# escaped, so the attributes before it can be skipped one by one (text may hold ` id="main"`).
_THEME_ID_VALUE = re.compile('id="(?:' + "|".join(sorted(THEME_IDS)) + ')"')
_RAW_THEME_ID = re.compile(
    r'(<[a-zA-Z][\w-]*(?:\s+[^\s"=<>/]+(?:="[^"]*")?)*?\s+id=")('
    + "|".join(sorted(THEME_IDS))
    + ')"'
)

# Any id in a start tag, as nh3 writes it (see above): the tag up to it, and its value.
_ANY_ID = re.compile(r'(<[a-zA-Z][\w-]*(?:\s+[^\s"=<>/]+(?:="[^"]*")?)*?)\s+id="([^"]*)"')


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
    sanitized = _cleaner().clean(source)
    if " srcset=" not in sanitized:
        return sanitized
    return _TAG.sub(_without_unsafe_srcset, sanitized)


# A srcset as nh3 writes it in a tag (double-quoted, `"` escaped; in text `"` is not, so
# only tags are searched): nh3 checks the schemes of `href` and `src` only, so a `srcset`
# of `javascript:` or `data:` images passed it.
_SRCSET = re.compile(r'\ssrcset="([^"]*)"')


def _without_unsafe_srcset(tag: re.Match[str]) -> str:
    written = tag[0]
    if " srcset=" not in written:
        return written
    return _SRCSET.sub(lambda found: found[0] if _safe_srcset(found[1]) else "", written)


_IMAGE_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def _safe_srcset(written: str) -> bool:
    """Whether every image a srcset names is on the site or at an http(s) address."""
    for address in srcset_addresses(html.unescape(written)):
        scheme = _SCHEME.match(address)
        if scheme is not None and scheme[1].lower() not in _IMAGE_SCHEMES:
            return False
    return True


def srcset_addresses(value: str) -> Iterator[str]:
    """The image addresses of a srcset (its attribute's value, unescaped), read as HTML reads
    them: an address up to a blank (trailing commas not part of it), then descriptors up to
    a comma outside parentheses. The sanitizer and `allysite check` read them the same way."""
    position = 0
    while position < len(value):
        while position < len(value) and value[position] in " \t\n\f\r,":
            position += 1
        start = position
        while position < len(value) and value[position] not in " \t\n\f\r":
            position += 1
        address = value[start:position]
        if address.endswith(","):
            address = address.rstrip(",")
        else:
            in_parentheses = False
            while position < len(value) and (value[position] != "," or in_parentheses):
                if value[position] in "()":
                    in_parentheses = value[position] == "("
                position += 1
        # (as a browser reads an address: blanks and controls around it, tabs and line
        # breaks inside it, left out)
        address = _TABS_AND_BREAKS.sub("", _CONTROLS_AROUND.sub("", address))
        if address:
            yield address


_TABS_AND_BREAKS = re.compile("[\t\n\r]")
_CONTROLS_AROUND = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")


def render_markdown(source: str) -> Markup:
    """CommonMark (with tables, footnotes, definition lists, heading ids) as safe HTML.

    Markup, so that templates show it as it is and views need no copy of their own."""
    rendered = _with_heading_ids(_commonmark(source))
    if "footnote-backref" in rendered:
        rendered = _without_dangling_backrefs(rendered)
    if "<" in source or not _already_clean(rendered):
        return Markup(_unique_ids(_without_theme_ids(sanitize_html(rendered))))
    if "&quot;" in rendered or "\xa0" in rendered:  # (in text only: see _CLEAN_TAG)
        rendered = rendered.replace("&quot;", '"').replace("\xa0", "&nbsp;")
    return Markup(_without_theme_ids(rendered))  # (its only ids are its headings': unique)


# A link back from a footnote, whole, as the parser writes it (raw HTML like it, text and
# all, would go nowhere too).
_BACKREF = re.compile(
    r' <a href="#(fnref[0-9]+(?::[0-9]+)?)" class="footnote-backref">\u21a9\ufe0e</a>'
)
_REFERENCE_ID = re.compile(r'<a href="#fn[0-9]+" id="(fnref[0-9]+(?::[0-9]+)?)">')


def _without_dangling_backrefs(rendered: str) -> str:
    """The footnotes without their links back to references that are not there: the parser
    counts a reference after an unclosed `[` once for each of its tries to close the `[`
    (`see [ this[^1]`), and gave the note a link back to each, all but one going nowhere."""
    references = set(_REFERENCE_ID.findall(rendered))
    return _BACKREF.sub(lambda found: found[0] if found[1] in references else "", rendered)


def _commonmark(source: str) -> str:
    """markdown-it-pyrs' HTML of a text. Its Rust parser (markdown-it.rs 0.6, the latest)
    panics on some texts, and a panic is no Exception (pyo3's PanicException): the build
    stopped with a traceback. Two kinds are known:

    - an unmatched backtick after a `[`, as in "see [the `report": its code span scanner
      reads past its list (markdown-it-rust/markdown-it#40);
    - an inline footnote at the end of a text (`^[`), or whose first character takes more
      than a byte in UTF-8 (`^[él]`), or holding code or brackets: it slices a string off a
      character.

    Such a text is rendered again with its unmatched backtick runs escaped, which CommonMark
    shows as written anyway; then also with its inline footnotes as reference footnotes
    (the same HTML); then with their `^[` escaped (shown as written); then with every
    backtick escaped outside fenced code; at last as plain paragraphs, which no parser
    reads. The panic's message, which Rust writes to the standard error, is kept off the
    terminal."""
    for prepared in _attempts(source):
        try:
            return _render_quietly(prepared)
        except BaseException as exc:  # (pyo3's PanicException is no Exception)
            if type(exc).__name__ != "PanicException":
                raise
    paragraphs = (part.strip() for part in re.split(r"\n[ \t]*\n", source))
    return "".join(f"<p>{html.escape(part, quote=False)}</p>\n" for part in paragraphs if part)


def _attempts(source: str) -> Iterator[str]:
    """The text, then its forms that avoid the parser's panics (made only when needed). A
    text with an inline footnote inside another, or inside a reference footnote's
    definition, is read with its notes as references first: the parser writes a note's own
    note as a list item inside its paragraph."""
    if "^[" in source and (source.count("^[") > 1 or "[^" in source):
        converted, nested = _notes_as_references(source)
        if nested:
            yield converted
    yield source
    unmatched = _escape_unmatched_backticks(source)
    yield unmatched
    yield _notes_as_references(unmatched)[0]
    yield unmatched.replace("^[", "^\\[")
    yield _escape_backticks(source).replace("^[", "^\\[")


def _render_quietly(text: str) -> str:
    """The parser's HTML of the text; the standard error closed meanwhile when the text
    holds what makes it panic (see _commonmark), so that no message of Rust's reaches the
    terminal."""
    if "^[" not in text and ("`" not in text or "[" not in text):
        return _parser().render(text)
    saved = os.dup(2)
    try:
        nowhere = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(nowhere, 2)
        finally:
            os.close(nowhere)
        return _parser().render(text)
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# What matters to pairing an inline footnote's brackets: an escape, a backtick run, an
# autolink or a tag of raw HTML (on one line), a `^[`, a bracket or a line break.
_NOTE_TOKEN = re.compile(r"\\[\s\S]|`+|<[A-Za-z/!?][^<>\n]*>|\^\[|[\[\]\n]")
# Lines that open an indented code block or an HTML block (CommonMark 4.4, 4.6), whose text
# is no Markdown: their chunk is left as it is.
_NOT_MARKDOWN = re.compile(r"(?: {4}|[ ]{0,3}\t)|[ ]{0,3}<[A-Za-z/!?]")
_NOTE_PASSES = 8
"""Notes nested this deep are converted, the innermost first (markdownlimits lets a
paragraph hold two notes not plainly closed: a nested one is one of them)."""
_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.MULTILINE)
"""A reference footnote's definition, at the start of a line."""
# A note's start that would start a block in a definition: a list item, a quote, a heading,
# a rule or a fence (where the note showed them as text).
_BLOCK_START = re.compile(r"(?:[-+*]|[0-9]{1,9}[.)])(?:[ \t]|$)|[>#]|(?:[-*_][ \t]*){3,}$")


def _notes_as_references(source: str) -> tuple[str, bool]:
    """The text with each inline footnote that closes on its own line (`^[a [note]]`)
    written as a reference footnote (`[^label]`, and `[^label]: a [note]` at the end), and
    whether a note was inside another or inside a reference footnote's definition. The
    parser reads references without its inline footnote rule, whose slicing panics on
    brackets or code in a note. Each note keeps its place; one that does not close on its
    line, that is inside a link's text, or whose reference would read otherwise (after `^`
    or `]`, before `(` or a line's `:`), is left as it is, and so is a `^[` in code, in an
    autolink or a tag, or in a chunk that is an indented code block or an HTML block."""
    prefix = "inline-note-"
    while f"[^{prefix}" in source:
        prefix += "x"
    notes: list[str] = []  # each note's content, labelled by its place in this list + 1
    in_definition = False  # whether a note was in a reference footnote's definition

    def innermost_as_references(paragraph: str) -> str:
        nonlocal in_definition
        if _NOT_MARKDOWN.match(paragraph):
            return paragraph
        definition = _DEFINITION.search(paragraph)
        first_definition = len(paragraph) if definition is None else definition.start()
        pieces: list[str] = []
        done = line_start = notes_opened = brackets = 0
        # each open bracket's start, and for a `^[` how many notes were opened with it (a
        # note is innermost when none was opened after it)
        opened: list[tuple[int, int | None]] = []
        for found in _note_tokens(paragraph):
            token = found.group()
            if token == "\n":
                opened.clear()
                brackets = 0
                line_start = found.end()
            elif token == "[":
                opened.append((found.start(), None))
                brackets += 1
            elif token == "^[":
                notes_opened += 1
                opened.append((found.start(), notes_opened))
            elif token == "]" and opened:
                start, count = opened.pop()
                if count is None:
                    brackets -= 1
                if count != notes_opened or brackets:
                    continue  # a bracket, a note with a note in it, or one in a link's text
                content = paragraph[start + 2 : found.start()].strip()
                if _as_reference(paragraph, start, found.end(), content, line_start):
                    in_definition = in_definition or first_definition < start
                    notes.append(content)
                    pieces += [paragraph[done:start], f"[^{prefix}{len(notes)}]"]
                    done = found.end()
        return "".join([*pieces, paragraph[done:]])

    converted = source
    passes = 0
    while passes < _NOTE_PASSES:
        before = len(notes)
        converted = _outside_fences(converted, innermost_as_references)
        if len(notes) == before:
            break
        passes += 1
    if not notes:
        return source, False
    converted = _outside_fences(converted, _escape_notes)
    # The parser numbers notes in the order of their definitions: the text's in reading
    # order, then the notes' own notes.
    reference = re.compile(re.escape(f"[^{prefix}") + r"([0-9]+)\]")
    definitions: list[str] = []
    texts = [converted]
    for text in texts:  # (grows as it goes: breadth first)
        for found in reference.finditer(text):
            content = notes[int(found[1]) - 1]
            definitions.append(f"{found[0]}: {content}")
            texts.append(content)
    nested = passes > 1 or in_definition
    return "\n\n".join([converted.rstrip("\n"), *definitions]) + "\n", nested


def _escape_notes(paragraph: str) -> str:
    """The paragraph with each `^[` outside code escaped: a note left unconverted beside
    references made the parser count a reference once for each of its tries to close it."""
    if _NOT_MARKDOWN.match(paragraph):
        return paragraph
    pieces: list[str] = []
    done = 0
    for found in _note_tokens(paragraph):
        if found.group() == "^[":
            pieces += [paragraph[done : found.start()], "^\\["]
            done = found.end()
    return "".join([*pieces, paragraph[done:]])


def _note_tokens(paragraph: str) -> Iterator[re.Match[str]]:
    """The paragraph's _NOTE_TOKEN matches but code spans (backtick runs included)."""
    spans = _code_spans(paragraph)
    position = 0
    while (found := _NOTE_TOKEN.search(paragraph, position)) is not None:
        position = found.end()
        if found.group()[0] == "`":  # a code span: past its closing run
            position = spans.get(found.start(), position)
        else:
            yield found


def _as_reference(paragraph: str, start: int, end: int, content: str, line_start: int) -> bool:
    """Whether the note `paragraph[start:end]` reads the same as a reference (see above)."""
    if not content or _BLOCK_START.match(content) or content.startswith(("```", "~~~")):
        return False
    if (start and paragraph[start - 1] in "^]") or paragraph.startswith("(", end):
        return False
    if not paragraph.startswith(":", end):
        return True
    return _NOT_BLANK.search(paragraph, line_start, start) is not None


_NOT_BLANK = re.compile("[^ ]")


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_BACKTICK_RUN = re.compile(r"`+")


def _escape_unmatched_backticks(source: str) -> str:
    """The text with each backtick run that opens no code span escaped (`\\``): in each
    paragraph (lines between blank lines and fences), a run is closed by the next run of the
    same length, as CommonMark pairs them. Fenced code is left as it is."""
    return _outside_fences(source, _escape_unpaired_runs)


def _escape_backticks(source: str) -> str:
    return _outside_fences(source, lambda text: text.replace("`", "\\`"))


def _outside_fences(source: str, change: Callable[[str], str]) -> str:
    """`change` applied to each paragraph of the text (its lines between blank lines and
    fenced code blocks), the fences and their code kept."""
    out: list[str] = []
    paragraph: list[str] = []
    fence = ""

    def flush() -> None:
        if paragraph:
            out.append(change("\n".join(paragraph)))
            paragraph.clear()

    for line in source.split("\n"):
        found = _FENCE.match(line)
        if fence:
            out.append(line)
            if found and found[1][0] == fence[0] and len(found[1]) >= len(fence):
                fence = "" if not line[found.end() :].strip() else fence
            continue
        if found and not (found[1][0] == "`" and "`" in line[found.end() :]):
            flush()
            out.append(line)
            fence = found[1]
        elif not line.strip():
            flush()
            out.append(line)
        else:
            paragraph.append(line)
    flush()
    return "\n".join(out)


def _backtick_runs(text: str) -> tuple[list[tuple[int, int]], list[int | None]]:
    """Each backtick run (start, end; an escaped first backtick is no part of it), and the
    next run of the same length after each, which would close it."""
    runs: list[tuple[int, int]] = []
    for found in _BACKTICK_RUN.finditer(text):
        start, end = found.span()
        slashes = 0
        while start - slashes > 0 and text[start - slashes - 1] == "\\":
            slashes += 1
        start += slashes % 2
        if start < end:
            runs.append((start, end))
    following: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        following[index] = last.get(length)
        last[length] = index
    return runs, following


def _code_spans(text: str) -> dict[int, int]:
    """Where each code span of a paragraph starts, and where its closing run ends, as
    CommonMark pairs runs (in one pass: a run searched for its closing one, run after run,
    took minutes on a text of runs of every length)."""
    runs, following = _backtick_runs(text)
    spans: dict[int, int] = {}
    index = 0
    while index < len(runs):
        closing = following[index]
        if closing is None:
            index += 1
            continue
        spans[runs[index][0]] = runs[closing][1]
        index = closing + 1
    return spans


def _escape_unpaired_runs(text: str) -> str:
    """(In one pass: a text that makes the parser fail may be megabytes of backticks.)"""
    runs, following = _backtick_runs(text)
    pieces = []
    done = index = 0
    while index < len(runs):
        closing = following[index]
        if closing is not None:
            index = closing + 1
            continue
        start, end = runs[index]
        pieces += [text[done:start], "\\`" * (end - start)]
        done = end
        index += 1
    return "".join([*pieces, text[done:]])


# What the sanitizer gives back unchanged, byte for byte, when the Markdown holds no `<` (no
# raw HTML, no autolink: markdown-it's own tags, always closed and nested): paragraphs,
# headings (with our ids), emphasis, lists, quotes, code, plain tables, definition lists
# and links to http(s), mailto, a fragment or a path of the site. In their text, the
# sanitizer writes markdown-it's `&quot;` as `"` and a no-break space as `&nbsp;`, as
# render_markdown then does (no attribute these tags may have holds either). Most profiles
# are only that: they skip the sanitizer (a fifth of the time of rendering a text), and
# tests/unit/test_markup.py checks the claim on thousands of random texts. Anything else
# (an image, a line break, a rule, an aligned table, a footnote, another address) is
# sanitized.
_CLEAN_TAG = re.compile(
    r"</?(?:p|em|strong|code|pre|blockquote|ul|ol|li|table|thead|tbody|tr|th|td|s|dl|dt|dd"
    r"|h[1-6])>"
    r'|<h[2-4] id="[^"<>&\s]*">'
    r'|<ol start="[0-9]{1,9}">'
    r'|<code class="language-[A-Za-z0-9_+-]*">'
    r'|<a href="(?:https?://|mailto:|#|/)(?:[^"<>&\s]|&amp;)*">|</a>'
)
_ANY_TAG = re.compile(r"<[^<>]*>")
_OTHER_ENTITY = re.compile(r"&(?!(?:amp|lt|gt|quot);)")


def _already_clean(rendered: str) -> bool:
    """Whether every `<` opens a tag that _CLEAN_TAG allows, and every `&` an entity that
    markdown-it and the sanitizer both write."""
    tags = _ANY_TAG.findall(rendered)
    if rendered.count("<") != len(tags) or _OTHER_ENTITY.search(rendered) is not None:
        return False
    return all(map(_clean_tag, tags))


@lru_cache(maxsize=20_000)
def _clean_tag(tag: str) -> bool:
    """(Remembered: most tags are the same few, `<p>`, `</li>`...)"""
    return _CLEAN_TAG.fullmatch(tag) is not None


def _without_theme_ids(sanitized: str) -> str:
    """A raw HTML id that the theme uses gets the suffix a heading's would."""
    if _THEME_ID_VALUE.search(sanitized) is None:  # nearly every text
        return sanitized
    return _RAW_THEME_ID.sub(r'\1\2-section"', sanitized)


def _unique_ids(sanitized: str) -> str:
    """Each id once, and none empty or with a space (invalid HTML, which the Nu checker
    reports): an id written in raw HTML, a heading's and a footnote's may be the same
    (`<p id="mandate">` and `## Mandate`, `<span id="fn1">` and the first footnote). A
    footnote keeps its own, which its links name, and otherwise the first keeps it; any
    other gets the first free of -1, -2... as a repeated heading does; an empty one, or one
    with a space, is left out."""
    if sanitized.count(' id="') < 2 and _UNUSABLE_ID.search(sanitized) is None:
        return sanitized  # (nearly every text: one id at most, and a usable one)
    notes = {
        found.start(found.lastindex or 0): found.group(found.lastindex or 0)
        for found in _FOOTNOTE_ID.finditer(sanitized)
    }
    taken = set(notes.values())  # (a footnote's ids are kept: its links name them)

    def replace(match: re.Match[str]) -> str:
        tag, value = match.group(1), html.unescape(match.group(2))
        if match.start(2) in notes:
            return match.group(0)
        if not value or _HTML_SPACE.search(value):
            return tag
        unique, number = value, 1
        while unique in taken:
            unique = f"{value}-{number}"
            number += 1
        taken.add(unique)
        return match.group(0) if unique == value else f'{tag} id="{html.escape(unique)}"'

    return _ANY_ID.sub(replace, sanitized)


_FOOTNOTE_ID = re.compile(
    r'<li id="(fn[0-9]+)" class="footnote-item">'
    r'|<sup class="footnote-ref"><a href="#fn[0-9]+" id="(fnref[0-9]+(?::[0-9]+)?)">'
)
_HTML_SPACE = re.compile("[ \t\n\f\r]")
_UNUSABLE_ID = re.compile('\\sid="(?:[^"]*[ \t\n\f\r][^"]*)?"')


def links_to_name(body_html: str, name: str) -> bool:
    """Whether a rendered body may link to or show a file called `name`: some address in it,
    decoded, holds the name (more than the links that reach the file, never fewer)."""
    if name not in body_html and "%" not in body_html and "&" not in body_html:
        return False  # (nearly every body: no address in it can decode to the name)
    return any(name in unquote(html.unescape(found)) for found in _ADDRESS.findall(body_html))
