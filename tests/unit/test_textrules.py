"""textrules: the characters no page may carry, and direction formatting left open."""

from __future__ import annotations

import pytest

from allysite.textrules import (
    describe,
    first_forbidden,
    kind_of,
    may_hold_forbidden,
    unclosed_direction,
)

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"


@pytest.mark.parametrize(
    "character",
    [
        *("\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ud800"),
        *("\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"),
    ],
)
def test_controls_surrogates_and_noncharacters_are_found_where_they_are(character: str) -> None:
    assert first_forbidden(f"Red{character}Cross") == 3


def test_every_code_point_is_judged_as_unicode_defines_it() -> None:
    """Controls (Cc) but tab, line feed and carriage return; surrogates (Cs); the 66
    noncharacters: U+FDD0-FDEF and the last two code points of each of the 17 planes."""
    import unicodedata

    def forbidden(code: int) -> bool:
        category = unicodedata.category(chr(code))
        noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE
        return (category in {"Cc", "Cs"} and chr(code) not in "\t\n\r") or noncharacter

    expected = [code for code in range(0x110000) if forbidden(code)]
    found = [code for code in range(0x110000) if first_forbidden(f"a{chr(code)}") == 1]
    assert found == expected
    # the test of a file's bytes finds the same (surrogates are no UTF-8: decoding refuses them)
    in_bytes = [
        code
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF and may_hold_forbidden(f"a{chr(code)}b".encode())
    ]
    assert in_bytes == [code for code in expected if not 0xD800 <= code <= 0xDFFF]
    assert len([code for code in expected if code >= 0xFDD0 or code & 0xFFFE == 0xFFFE]) == 66


@pytest.mark.parametrize(
    "text",
    [
        "tab\tand\nnew lines\r",
        "شركاؤنا ‏(RLM) ‎(LRM)",  # marks, not embeddings: they open nothing
        "\u00a0no-break\u200bzero width\ufeff",
        "\ufffd replacement, \U0001f600 emoji, \U0010fffd last usable",
    ],
)
def test_text_people_write_is_allowed(text: str) -> None:
    assert first_forbidden(text) is None
    assert unclosed_direction(text) is None


@pytest.mark.parametrize(
    ("text", "opened"),
    [
        (f"a{RLO}b", 1),
        (f"{RLI}name", 0),
        (f"{LRE}a{PDF}{FSI}b", 3),
        (f"{RLI}a{PDF}", 0),  # a PDF cannot close an isolate
        (f"{LRE}{RLI}a{PDF}", 0),  # nor an embedding opened outside the isolate it is in
        (f"{LRO}{RLO}a{PDF}", 0),
    ],
)
def test_formatting_left_open_is_found_at_its_first_opening(text: str, opened: int) -> None:
    assert unclosed_direction(text) == opened


@pytest.mark.parametrize(
    "text",
    [
        f"{RLO}a{PDF}",
        f"{RLI}a{PDI}",
        f"{LRE}{RLE}a{PDF}{PDF}",
        f"{RLI}{LRE}a{PDI}",  # the PDI closes the embedding opened inside its isolate
        f"a{PDF}b{PDI}",  # stray pops close nothing and are ignored
        f"{FSI}{LRI}a{PDI}{PDI}",
    ],
)
def test_closed_formatting_is_allowed(text: str) -> None:
    assert unclosed_direction(text) is None


def test_characters_are_named_as_editors_show_them() -> None:
    assert describe(RLO) == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert describe("\x07") == "U+0007"
    assert describe("\U0010ffff") == "U+10FFFF"


def test_forbidden_characters_are_named_by_kind() -> None:
    assert kind_of("\x07") == "the control character U+0007"
    assert kind_of("\x9f") == "the control character U+009F"
    assert kind_of("\ud800") == "the lone surrogate U+D800"
    assert kind_of("\ufffe") == "the noncharacter U+FFFE"
