"""What the compiled Markdown parser (markdown-it-pyrs) and the sanitizer (nh3) cannot
take, found before they are given a text, with the line to show the editor.

markdown-it limits nesting itself (100 levels by default); the Rust port does not, and some
inputs that fit in a 5 MB file take it time in their square, or overflow its stack and kill
the process. Each limit is far beyond what a profile needs.
"""

from __future__ import annotations

import re

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
MAX_OPEN_FOOTNOTES = 2
"""Inline footnotes (`^[`) a paragraph may hold that are not plainly closed (see
_CLOSED_FOOTNOTE): the parser's footnote rule looks for the `]` of each one by trying every
footnote opened after it, again for each, so its time doubles with each one left open
(`^[a` 20 times took 0.3 s, 30 times minutes), times the paragraph's length."""
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
# Elements whose end tag HTML implies (the next <li> closes a <li>): they nest no deeper.
_IMPLIED_END = frozenset(
    {"p", "li", "dt", "dd", "rt", "rp", "optgroup", "option", "colgroup", "caption"}
    | {"thead", "tbody", "tfoot", "tr", "td", "th", "html", "head", "body"}
)
# MAX_NESTING + 1 markers at the start of a line: `>`, or a list marker followed by a blank.
# Each marker takes the blanks after it and the next must be a marker: no backtracking. The
# search starts from line breaks (a literal first character: far faster than `^`).
_TOO_DEEP = re.compile(r"\n[ \t]*(?:(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]))[ \t]*){101}")
_REFERENCE = re.compile(r"\n {0,3}\[(?:[^\]\\\n]|\\.)+\]:")  # from line breaks, as _TOO_DEEP
# An ATX heading's opening, or a line of `=` or `-` (a setext heading's underline)
_HEADING_LINE = re.compile(
    r"\n {0,3}(?:#{1,6}(?=[ \t\n])|#{1,6}$|=+[ \t]*(?=\n|$)|-+[ \t]*(?=\n|$))"
)
# An inline footnote that the parser closes at the `]` where this pattern ends, found with
# no backtracking. The parser skips the first character after `^[` (a bug of its own), then
# reads text up to the first `]` that no construct inside hides: so the pattern reads only
# text, code spans, HTML tags without quotes and links whose label and address hold no `]`
# (an address with one level of parentheses), and a line break only where the next line
# starts no block (a list item, a heading, a quote, a table, a fence, a rule...) that would
# end the paragraph. A `^[` nested in it, an escape or a `|` makes it not plainly closed.
_PLAIN = r"""(?:[^\[\]`<\\|^\n]|\^(?!\[)|`[^`\n]+`(?!`)|<[a-zA-Z/][^<>\[\]"'`\\\n]*>)"""
_LINE_BREAK = (
    r"\n(?![ \t]*(?:[-*+](?:[ \t]|\n|$)|\d{1,9}[.)](?:[ \t]|\n|$)|[-*_=][-*_= \t]*(?:\n|$)"
    r"|[>#|`~<:]|\n|$))"
)
_ADDRESS = r"""\((?:[^\s()\[\]<>"'`\\]|\([^\s()\[\]<>"'`\\]*\))*+\)"""
_CLOSED_FOOTNOTE = re.compile(
    rf"\^\[[^\n](?:{_PLAIN}|{_LINE_BREAK}|\[(?:{_PLAIN}|{_LINE_BREAK})*+\](?:{_ADDRESS}|(?!\()))*+\]"
)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?(/?)>")


def too_deep(source: str) -> tuple[int, str] | None:
    """Where (the line, from 1) and what the text nests more than MAX_NESTING levels deep,
    which markup.render_markdown must not be given: 'quotes or list items', or 'HTML elements'."""
    found = _TOO_DEEP.search("\n" + source)  # (the first line too)
    if found is not None:
        return _line_of(source, found.start()), "quotes or list items"
    line = _html_too_deep(source)
    return None if line is None else (line, "HTML elements")


def _html_too_deep(source: str) -> int | None:
    """The line of the first raw HTML element opened inside MAX_NESTING others."""
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
                return _line_of(source, tag.start())
    return None


def too_many_references(source: str) -> int | None:
    """The line (from 1) of the first link reference definition past MAX_REFERENCES."""
    if source.count("]:") <= MAX_REFERENCES:  # nearly every text
        return None
    return _line_past(_REFERENCE, source, MAX_REFERENCES)


def too_many_headings(source: str) -> int | None:
    """The line (from 1) of the first heading past MAX_HEADINGS (a setext heading's underline:
    an `===` or `---` line counts, even where it is a thematic break)."""
    if source.count("\n") < MAX_HEADINGS:  # nearly every text: too few lines
        return None
    return _line_past(_HEADING_LINE, source, MAX_HEADINGS)


def _line_past(pattern: re.Pattern[str], source: str, limit: int) -> int | None:
    """The line (from 1) of the match that follows the first `limit` matches of `pattern`,
    which matches from a line break (so the text's first line is given one)."""
    for number, found in enumerate(pattern.finditer("\n" + source)):
        if number == limit:
            return _line_of(source, found.start())
    return None


def _line_of(source: str, index: int) -> int:
    """The line (from 1) of source[index]. (A match in "\n" + source that starts with the
    line break before its line starts at the index of the line's first character.)"""
    return source.count("\n", 0, index) + 1


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


def too_many_open_footnotes(source: str) -> int | None:
    """The first line (from 1) of the first paragraph with more than MAX_OPEN_FOOTNOTES
    inline footnotes (`^[`) that are not plainly closed (a blank line ends a paragraph)."""
    if source.count("^[") <= MAX_OPEN_FOOTNOTES:  # nearly every text
        return None
    lines: list[str] = []
    for number, text in enumerate([*source.split("\n"), ""], 1):
        if text.strip():
            lines.append(text)
            continue
        if lines and _too_many_open("\n".join(lines)):
            return number - len(lines)
        lines.clear()
    return None


def _too_many_open(paragraph: str) -> bool:
    """Whether more than MAX_OPEN_FOOTNOTES `^[` in the paragraph are not plainly closed.
    (Each try stops at the next `^[` at the latest: in all, time in the paragraph's length.)"""
    if paragraph.count("^[") <= MAX_OPEN_FOOTNOTES:
        return False
    left = MAX_OPEN_FOOTNOTES
    for opener in re.finditer(r"\^\[", paragraph):
        if _CLOSED_FOOTNOTE.match(paragraph, opener.start()) is None:
            left -= 1
            if left < 0:
                return True
    return False


def beyond_limits(body: str) -> tuple[int, str, str] | None:
    """(line from 1, message, hint) of the first limit the text passes, if any."""
    deep = too_deep(body)
    if deep is not None:
        line, what = deep
        hint = f"nest them {MAX_NESTING} levels deep at most"
        if what == "HTML elements":
            hint += "; close each element you open, e.g. </div>"
        return line, f"the text nests {what} more than {MAX_NESTING} levels deep", hint
    line = too_many_references(body)
    if line is not None:
        return (
            line,
            f"the text defines more than {MAX_REFERENCES} link references ([name]: address)",
            "write the links inline, [text](https://...), or split the text",
        )
    line = too_much_emphasis(body)
    if line is not None:
        return (
            line,
            f"a paragraph has more than {MAX_EMPHASIS_MARKS} emphasis marks (* and _)",
            "split the paragraph; write a literal * or _ as \\* or \\_",
        )
    line = too_many_open_footnotes(body)
    if line is not None:
        return (
            line,
            f"a paragraph has more than {MAX_OPEN_FOOTNOTES} inline footnotes (^[) that are "
            "not plainly closed",
            "close each ^[note] with ], with no nested ^[, escape or | in it, or write it as "
            "[^1] and [^1]: note below; write a literal ^[ as ^\\[",
        )
    line = too_many_headings(body)
    if line is not None:
        return (
            line,
            f"the text has more than {MAX_HEADINGS} headings",
            "split the text, or make some headings bold text",
        )
    return None
