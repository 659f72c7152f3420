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
# The same characters in UTF-8, looked for in bytes at memory speed: C0 controls and DEL by
# deleting them (bytes.translate), the others only where their first byte is in the text.
_C0_AND_DEL = (
    b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
    b"\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"
)
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_BMP_NONCHARACTER_UTF8 = re.compile(b"\xef(?:\xb7[\x90-\xaf]|\xbf[\xbe\xbf])")
_FOUR_BYTE_LEADS = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")
_PLANE_NONCHARACTER_UTF8 = re.compile(b"[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]")
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


def may_hold_forbidden(data: bytes) -> bool:
    """False when UTF-8 text holds none of the characters first_forbidden finds (a cheap
    test of a file's bytes, before its text is searched: a site's texts are megabytes)."""
    if len(data.translate(None, _C0_AND_DEL)) != len(data):
        return True
    if b"\xc2" in data and _C1_UTF8.search(data):
        return True
    if b"\xef" in data and _BMP_NONCHARACTER_UTF8.search(data):
        return True
    four_bytes = any(lead in data for lead in _FOUR_BYTE_LEADS)  # (emoji; rare in text)
    return four_bytes and bool(_PLANE_NONCHARACTER_UTF8.search(data))


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
