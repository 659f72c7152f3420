"""Characters no page may carry: controls, and direction formatting left open.

HTML forbids control characters other than whitespace (the Nu validator reports each one) and
XML 1.0 refuses them outright, so one in a partner's name would make the Atom feed unreadable.
An explicit direction embedding, override or isolate (U+202A-202E, U+2066-2068) that a short
text opens and does not close runs on into what a template writes after it: an unclosed
right-to-left override in a name shown as "Name · Our partners" shows the site's name
reversed. Both are invisible in an editor, so they are refused with their position.
"""

from __future__ import annotations

import re
from types import MappingProxyType

_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe-\U0010ffff]"
)
"""C0 controls but tab, line feed and carriage return; DEL and the C1 controls; surrogates
(a YAML escape can make one); Unicode's noncharacters of the first plane; and every character
beyond it, of which only the last two of each plane are noncharacters. Ranges only: a class
that lists the 32 noncharacters of the other planes one by one makes the regular expression
engine test each character of a text against them, seven times slower over a site's texts."""
_DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE, RLE, LRO, RLO: closed by PDF
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI, RLI, FSI: closed by PDI
_POP_FORMATTING, _POP_ISOLATE = "\u202c", "\u2069"
DIRECTION_NAMES = MappingProxyType(
    {
        "\u202a": "LEFT-TO-RIGHT EMBEDDING",
        "\u202b": "RIGHT-TO-LEFT EMBEDDING",
        "\u202d": "LEFT-TO-RIGHT OVERRIDE",
        "\u202e": "RIGHT-TO-LEFT OVERRIDE",
        "\u2066": "LEFT-TO-RIGHT ISOLATE",
        "\u2067": "RIGHT-TO-LEFT ISOLATE",
        "\u2068": "FIRST STRONG ISOLATE",
    }
)


def first_forbidden(text: str) -> int | None:
    """The index of the first character no page may carry, if any."""
    for found in _SUSPECT.finditer(text):  # nearly always none; beyond the first plane, few
        code = ord(found.group())
        if code < 0x10000 or code & 0xFFFE == 0xFFFE:
            return found.start()
    return None


def unclosed_direction(text: str) -> int | None:
    """The index of the first embedding, override or isolate left open at the end of the
    text, as Unicode's bidirectional algorithm pairs them (UAX #9: a pop directional
    isolate also closes the embeddings opened after its isolate; a stray pop is ignored)."""
    if _DIRECTION.search(text) is None:  # nearly every text: nothing to pair
        return None
    open_marks: list[int] = []
    for found in _DIRECTION.finditer(text):
        mark, index = found.group(), found.start()
        if mark in _EMBEDDINGS or mark in _ISOLATES:
            open_marks.append(index)
        elif mark == _POP_FORMATTING:
            if open_marks and text[open_marks[-1]] in _EMBEDDINGS:
                open_marks.pop()
        elif mark == _POP_ISOLATE and any(text[opened] in _ISOLATES for opened in open_marks):
            while text[open_marks.pop()] not in _ISOLATES:
                pass
    return open_marks[0] if open_marks else None


def describe(character: str) -> str:
    """U+202E RIGHT-TO-LEFT OVERRIDE, U+0007: how a message names an invisible character."""
    name = DIRECTION_NAMES.get(character)
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def kind_of(character: str) -> str:
    """What a forbidden character is, for a message: 'the control character U+0007'."""
    code = ord(character)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "control character"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogate"
    else:
        kind = "noncharacter"
    return f"the {kind} {describe(character)}"
