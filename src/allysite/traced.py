"""Where each text's summary is shown: what lets a rebuild put an edited summary in place.

A summary is shown by many pages (its profile, its language's lists, the lists of the
languages it stands in for) and in three forms: HTML text (`{{ item.summary }}`, in a
paragraph or an attribute), a JSON string (the profile's structured data) and XML text (the
feed). When every template prints summaries as they are (bodyreads.prints_summaries_plainly),
a page rendered while `tracing` marks each summary where it lands (`Summary.__html__`,
`Structured.__html__`); `unmark` takes the marks out again and tells where they were, in the
page's bytes. A rebuild after an edit of a summary alone (textedit.py) then writes the new
one, in each form (`shown_as`), into those places of the last build's pages.

The marks carry a random token of the process: no text of the site can forge or break one.
They are made only while a page is rendered by a build that keeps the places, which a
context variable tells (the summary is printed deep inside Jinja2, which passes nothing of
ours along): a page rendered otherwise (the dev server, a template that does not print
summaries plainly) gets the plain escaped text.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

if TYPE_CHECKING:
    import json

HTML, JSON, XML = "h", "j", "x"
"""The forms a summary is shown in: `shown_as`."""
Span = tuple[str, str, int, int]
"""Where a page shows a summary: (its text's source file, its form, the offset of its bytes
in the page, their length)."""

_TRACING: ContextVar[bool] = ContextVar("allysite_tracing", default=False)

# Pairs, replaced in turn: str.translate through a read-only mapping took 50 µs a profile.
_SCRIPT_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


class Summary(str):
    """A text's summary, as views show it: it knows its text, to mark where it is printed."""

    source: str

    def __new__(cls, text: str, source: str) -> Summary:
        made = super().__new__(cls, text)
        made.source = source
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return str(self), self.source

    def __html__(self) -> Markup:
        shown = escape(str(self))
        return Markup(_mark(self.source, HTML, shown)) if _TRACING.get() else shown


@dataclass(frozen=True, slots=True)
class Structured:
    """JSON for a <script> element (`script_json`), with where a summary is in it."""

    text: str
    summary: tuple[str, int, int] | None = None
    """The summary's text (source file) and where its JSON string is in `text`."""

    def __html__(self) -> Markup:
        if self.summary is None or not _TRACING.get():
            return Markup(self.text)
        source, start, end = self.summary
        text = self.text
        return Markup(text[:start] + _mark(source, JSON, text[start:end]) + text[end:])

    def __str__(self) -> str:
        return self.text


def script_json(data: object) -> str:
    """JSON that is safe inside <script>: it can never close the element."""
    text = _encoder().encode(data)
    for character, escaped in _SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    return text


def structured(data: dict[str, object], key: str) -> Structured:
    """`data` as script JSON, with where its `key`'s value (a Summary) is: the top-level
    key's JSON string follows `,"key":`, which no string holds (its quotes are escaped)."""
    text = script_json(data)
    value = data.get(key)
    if not isinstance(value, Summary):
        return Structured(text)
    shown = script_json(str(value))
    start = text.find(f',"{key}":') + len(key) + 4
    if start < len(key) + 4 or not text.startswith(shown, start):
        return Structured(text)
    return Structured(text, (value.source, start, start + len(shown)))


@functools.cache
def _encoder() -> json.JSONEncoder:
    """json.dumps(ensure_ascii=False, separators=(",", ":")) without a new encoder each time
    (once per profile and language)."""
    import json  # (a rebuild after an edit of a summary imports this module, not always it)

    return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def shown_as(form: str, text: str) -> bytes:
    """A summary's bytes as a page shows it in `form`."""
    if form == HTML:
        return str(escape(text)).encode("utf-8")
    if form == JSON:
        return script_json(text).encode("utf-8")
    return feed_text(text)


def feed_text(text: str) -> bytes:
    """XML text as the feed writes it (ElementTree's escaping)."""
    from xml.etree.ElementTree import _escape_cdata  # type: ignore[attr-defined]

    return _escape_cdata(text).encode("utf-8", "xmlcharrefreplace")  # type: ignore[no-any-return]


@contextmanager
def tracing() -> Iterator[None]:
    """Pages rendered meanwhile mark each summary where it is printed (`unmark`)."""
    token = _TRACING.set(True)
    try:
        yield
    finally:
        _TRACING.reset(token)


def tracing_now() -> bool:
    """Whether the page being rendered marks its summaries (an output remembered while it
    did is not one for a page that does not: rendermemo.py)."""
    return _TRACING.get()


@functools.cache
def _marks() -> tuple[str, str, str]:
    """The opening and closing marks, and the random token of the process that both hold,
    which no text of the site can."""
    token = os.urandom(8).hex()
    return f"\ue000{token}", f"\ue001{token}", token


def _mark(source: str, form: str, shown: str) -> str:
    opening, closing, _ = _marks()
    return f"{opening}{form}{len(source)}:{source}{len(shown)}:{shown}{closing}"


def unmark(text: str) -> tuple[bytes, tuple[Span, ...]] | None:
    """A page rendered while `tracing`, as UTF-8 without its marks, and where each marked
    summary is in those bytes; None when a mark is not whole (a template changed it)."""
    opening, closing, token = _marks()
    tokens = text.count(token)
    if not tokens:
        return text.encode("utf-8"), ()
    at = text.find(opening)
    parts: list[bytes] = []
    spans: list[Span] = []
    size = done = 0
    try:
        while at >= 0:
            before = text[done:at].encode("utf-8")
            parts.append(before)
            size += len(before)
            at += len(opening)
            form = text[at]
            source, at = _counted(text, at + 1)
            shown, at = _counted(text, at)
            if form not in (HTML, JSON) or not text.startswith(closing, at):
                return None
            data = shown.encode("utf-8")
            spans.append((sys.intern(source), form, size, len(data)))  # (stored once a file)
            parts.append(data)
            size += len(data)
            done = at + len(closing)
            at = text.find(opening, done)
    except (ValueError, IndexError):
        return None
    if tokens != 2 * len(spans):  # (a part of a mark is left)
        return None
    parts.append(text[done:].encode("utf-8"))
    return b"".join(parts), tuple(spans)


def _counted(text: str, at: int) -> tuple[str, int]:
    """The text after a count and a colon ('12:...'), and where it ends."""
    colon = text.index(":", at)
    digits = text[at:colon]
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("no count")
    end = colon + 1 + int(digits)
    if end > len(text):
        raise ValueError("cut short")
    return text[colon + 1 : end], end
