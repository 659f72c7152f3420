"""Where a page shows each summary: the marks of a traced render, and the forms."""

from __future__ import annotations

import json
import random
from xml.etree import ElementTree

import pytest
from jinja2 import DictLoader, Environment
from markupsafe import escape

from allysite.traced import (
    HTML,
    JSON,
    XML,
    Summary,
    shown_as,
    structured,
    tracing,
    unmark,
)

TEXTS = [
    "Educa.",
    "Paz & <b>\"justicia\"</b> 'siempre' </script><!--",
    "\ue000\ue001 marks of another build: 12:ab:",
    "سلام \u2066عدل\u2069 😀 \u2028 fin",
]


def render(template: str, **context: object) -> str:
    env = Environment(loader=DictLoader({"page": template}), autoescape=True)
    with tracing():
        return env.get_template("page").render(context)


@pytest.mark.parametrize("text", TEXTS)
def test_each_summary_printed_is_found_where_it_is(text: str) -> None:
    first, second = Summary(text, "a/es.md"), Summary("Otra.", "b/es.md")
    page = render(
        '<meta content="{{ a }}">{{ body }}<p>{{ b }}</p><p>{{ a or "" }}</p>',
        a=first,
        b=second,
        body=text,  # (the same words, not the summary: no mark)
    )
    found = unmark(page)
    assert found is not None
    data, spans = found
    plain = Environment(autoescape=True).from_string(
        '<meta content="{{ a }}">{{ body }}<p>{{ b }}</p><p>{{ a or "" }}</p>'
    )
    assert data == plain.render(a=text, b="Otra.", body=text).encode()
    assert [(source, form) for source, form, _, _ in spans] == [
        ("a/es.md", HTML),
        ("b/es.md", HTML),
        ("a/es.md", HTML),
    ]
    for source, _, start, length in spans:
        assert (
            data[start : start + length]
            == str(escape(text if source == "a/es.md" else "Otra.")).encode()
        )


def test_nothing_is_marked_when_not_tracing() -> None:
    env = Environment(autoescape=True)
    text = env.from_string("{{ a }}").render(a=Summary("<b>", "a/es.md"))
    assert text == "&lt;b&gt;"
    assert unmark(text) == (b"&lt;b&gt;", ())


def test_a_mark_cut_or_changed_is_no_place() -> None:
    page = render("<p>{{ a }}</p>", a=Summary("Educa y protege.", "a/es.md"))
    middle = page.index("\ue000", page.index("\ue000") + 1)
    dropped = page[:middle] + page[middle + 1 :]  # (a separator without its first character)
    for cut in (page[:-6], dropped, page[:5] + page[7:], page + page[-21:]):
        assert unmark(cut) is None


def test_the_structured_data_shows_where_its_description_is() -> None:
    chance = random.Random(3)
    for _ in range(200):
        words = ["a", "<", ">", "&", '"', "\\", "\u2028", "ب", ',"description":', "😀"]
        summary = "".join(chance.choices(words, k=chance.randint(1, 8)))
        name = "".join(chance.choices(words, k=chance.randint(1, 8)))
        data = {"@type": "Organization", "name": name, "alternateName": [summary]}
        data["description"] = Summary(summary, "a/es.md")
        data["url"] = "https://a.example/"
        made = structured(data, "description")
        assert json.loads(made.text) == data
        assert made.summary is not None
        _, start, end = made.summary
        assert made.text[start:end].encode() == shown_as(JSON, summary)
        page = render("<script>{{ s }}</script>", s=made)
        found = unmark(page)
        assert found is not None
        assert found[0] == f"<script>{made.text}</script>".encode()
        at = len(b"<script>") + len(made.text[:start].encode())
        assert found[1] == (("a/es.md", JSON, at, len(made.text[start:end].encode())),)


def test_a_summary_in_the_feed_is_its_escaped_text() -> None:
    for text in TEXTS:
        shown = shown_as(XML, text)
        element = ElementTree.fromstring(b"<summary>" + shown + b"</summary>")
        assert element.text == text
