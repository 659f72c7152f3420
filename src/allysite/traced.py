"""Where each text's summary is shown: what lets a rebuild put an edited summary in place.

A summary is shown by many pages (its profile, its language's lists, the lists of the
languages it stands in for) and in three forms: HTML text (`{{ item.summary }}`, in a
paragraph or an attribute), a JSON string (the profile's structured data) and XML text (the
feed). When every template prints summaries as they are (bodyreads.prints_summaries_plainly),
a page rendered while `tracing` marks each summary where it lands (`Summary.__html__`,
`Structured.__html__`); `unmark` takes the marks out again and tells where they were, in the
page's bytes. A rebuild after an edit of a summary alone (bodyedit.py) then writes the new
one, in each form (`shown_as`), into those places of the last build's pages.

The marks carry a random token of the process: no text of the site can forge or break one.
They are made only while a page is rendered by a build that keeps the places, which a
context variable tells (the summary is printed deep inside Jinja2, which passes nothing of
ours along): a page rendered otherwise (the dev server, a template that does not print
summaries plainly) gets the plain escaped text.
"""

from __future__ import annotations

import functools
import itertools
import operator
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
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
        return Markup(self.printed(str(escape(str(self)))))

    def printed(self, escaped: str) -> str:
        """Its escaped text as a page prints it: marked while `tracing`."""
        return _mark(self.source, HTML, escaped) if _TRACING.get() else escaped


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
    at = text.find(f',"{key}":')
    found = _JSON_STRING.match(text, at + len(key) + 4) if at >= 0 else None
    if found is None:
        return Structured(text)
    return Structured(text, (value.source, *found.span()))


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
"""A JSON string: quotes and backslashes in it are escaped."""


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


tracing_now = _TRACING.get
"""Whether the page being rendered marks its summaries (an output remembered while it did
is not one for a page that does not: rendermemo.py)."""


@dataclass(frozen=True, slots=True)
class _Marks:
    """The marks of this process, which hold a random token that no text of the site can:
    a summary's, in a page, is its separator (U+E000 and the token), its form and text
    (source file), the separator, the summary as printed, the separator."""

    token: str
    separator: bytes
    """U+E000 and the token, in UTF-8: a page's bytes are split at it (bytes.split, which
    finds one string faster than a pattern finds any of several)."""

    def mark(self, source: str, form: str, shown: str) -> str:
        token = self.token
        return f"\ue000{token}{form}{source}\ue000{token}{shown}\ue000{token}"


@functools.cache
def _marks() -> _Marks:
    token = os.urandom(8).hex()
    return _Marks(token, f"\ue000{token}".encode())


def _mark(source: str, form: str, shown: str) -> str:
    return _marks().mark(source, form, shown)


def unmark(text: str) -> tuple[bytes, tuple[Span, ...]] | None:
    """A page rendered while `tracing`, as UTF-8 without its marks, and where each marked
    summary is in those bytes; None when a mark is not whole (a template changed it)."""
    marks = _marks()
    data = text.encode("utf-8")
    if marks.token not in text:
        return data, ()
    parts = data.split(marks.separator)  # (between, head, summary, between, ..., after)
    if len(parts) % 3 != 1 or data.count(marks.token.encode()) != len(parts) - 1:
        return None  # (a part of a mark is left)
    heads = list(map(_head, parts[1::3]))
    if None in heads:
        return None
    shown = parts[2::3]
    del parts[1::3]  # (between, summary, between, summary, ..., after)
    ends = list(itertools.accumulate(map(len, parts)))
    spans = zip(
        map(operator.itemgetter(0), heads),  # type: ignore[arg-type]
        map(operator.itemgetter(1), heads),  # type: ignore[arg-type]
        ends[0::2],
        map(len, shown),
        strict=False,
    )
    return b"".join(parts), tuple(spans)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=100_000)
def _head(head: bytes) -> tuple[str, str] | None:
    """A mark's text (source file) and form, if its form is known; remembered (a list page
    holds a thousand marks, of texts that the other pages mark again)."""
    form = _FORMS.get(head[0]) if head else None
    return None if form is None else (sys.intern(head[1:].decode("utf-8")), form)


_FORMS = MappingProxyType({ord(HTML): HTML, ord(JSON): JSON})
"""The forms a mark may have, by its first byte."""
