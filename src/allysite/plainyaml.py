"""The YAML that nearly every content file holds, read without PyYAML.

A profile's front matter is a few `key: value` lines (`name: ...`, `summary: ...`, and a
translation's `translated_from` stamps), and a `partner.yaml` adds lists of words in brackets
(`topics: [youth, refugees]`). Composing such a text through PyYAML's node tree and building
its values back (sourcefile.py) takes three times as long, and a rebuild after an edited
summary would import PyYAML for it alone. `read_plain` reads these lines itself, and gives up
(None) on anything else: the caller then parses with PyYAML. Where it gives a document, it is
the one sourcefile.parse_yaml would give: the same values (of the same types), in the same
order, at the same positions (a test compares the two over thousands of generated texts).

What it takes, line by line:
- a key of ASCII letters, digits and underscores (not starting with a digit, at most 200)
  that YAML does not read as null or a boolean, then `:`;
- then spaces and a value on that line: a plain one (no quote or other indicator first, no
  `: ` or ` #` inside, no `:` or space last), one in quotes with no quote or backslash
  inside, or a list of plain words in brackets, separated by commas;
- or nothing, and then either no value (null) or a mapping of such lines, each indented
  by the same number of spaces.
No tab, carriage return, other line break or character YAML refuses anywhere; no key
twice; no blank line. Values are read as sourcefile reads them (YAML 1.2's core schema,
numbers other than whole ones as written, the same checks of invisible characters).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from allysite.textrules import first_forbidden, unclosed_direction

Location = tuple[str | int, ...]

_LINE = re.compile(
    # (a key of at most 200 characters: PyYAML refuses a key of over 1,024)
    r"(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_]{0,199}):(?:$| +(?:"
    # a plain value: no indicator first, no ': ' or ' #' inside, no ':' or space last (runs
    # without ':' and '#' between them, each run found one way only: a failed match goes back
    # through the line once; no possessive quantifier, which Python 3.11.2, Debian 12's, gets wrong)
    r"(?P<plain>[^-?:,\[\]{}#&*!|>'\"%@` ][^:#]*(?:(?::(?! )|(?<! )#)[^:#]*)*(?<![: ]))"
    r"|\"(?P<double>[^\"\\]*)\"|'(?P<single>[^']*)'"
    r"|\[(?P<list> *(?:[A-Za-z0-9_][A-Za-z0-9_.-]*(?: *, *[A-Za-z0-9_][A-Za-z0-9_.-]*)*)? *)\]"
    r"))"
)
_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_REFUSED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
"""What such a text may not hold: controls (tab too), line breaks other than the line feed
(CR, NEL, LS, PS), the byte order mark, and what YAML refuses (surrogates, U+FFFE, U+FFFF).
(Listed: the class of the characters allowed takes ten times as long to compile.)"""


def read_plain(
    text: str, line_offset: int, value_of: Callable[[str], Any]
) -> tuple[dict[str, Any], MappingProxyType[Location, tuple[int, int]]] | None:
    """The mapping of `text` and the position of each value (`line_offset`: lines before it
    in its file), when every line is of the kind above; else None. `value_of` reads a plain
    value as the PyYAML path does, or gives PROBLEM where that path reports one."""
    if not text or _REFUSED.search(text):
        return None
    data: dict[str, Any] = {}
    positions: dict[Location, tuple[int, int]] = {(): (line_offset + 1, 1)}
    lines = text.split("\n")
    if not lines[-1]:  # (a text that ends with a line feed)
        lines.pop()
    opened: str | None = None  # the last key of the top level without a value on its line
    block: dict[str, Any] | None = None  # its mapping, once an indented line follows it
    indent = 0
    for number, line in enumerate(lines, line_offset + 1):
        found = _LINE.fullmatch(line)
        if found is None:
            return None
        depth, key = len(found["indent"]), found["key"]
        if type(value_of(key)) is not str:  # (a key read as null or a boolean)
            return None
        if depth:
            if opened is None or (block is not None and depth != indent):
                return None
            if block is None:
                block = data[opened] = {}
                indent = depth
            target, location = block, (opened, key)
        else:
            opened, block = None, None
            target, location = data, (key,)
        if key in target:
            return None
        positions[location] = (number, depth + 1)
        value = _value(found, number, location, positions, value_of)
        if value is PROBLEM or (value is _OPEN and depth):  # (a mapping in one: PyYAML's)
            return None
        if value is _OPEN:
            opened, value = key, None
        target[key] = value
    return data, MappingProxyType(positions)


def _value(
    found: re.Match[str],
    number: int,
    location: Location,
    positions: dict[Location, tuple[int, int]],
    value_of: Callable[[str], Any],
) -> Any:
    """A line's value: PROBLEM where the PyYAML path reports one, _OPEN when there is none."""
    plain = found["plain"]
    if plain is not None:
        return PROBLEM if unclosed_direction(plain) is not None else value_of(plain)
    double, single = found["double"], found["single"]
    if double is not None:  # (sourcefile checks what an escape could make in it: none is)
        problem = first_forbidden(double) is not None or unclosed_direction(double) is not None
        return PROBLEM if problem else double
    if single is not None:
        return PROBLEM if unclosed_direction(single) is not None else single
    if found["list"] is None:
        return _OPEN
    items = []
    for index, word in enumerate(_WORD.finditer(found.string, found.start("list"))):
        item = value_of(word.group())
        if item is PROBLEM:
            return PROBLEM
        positions[(*location, index)] = (number, word.start() + 1)
        items.append(item)
    return items


class _Mark(enum.Enum):
    PROBLEM = "a value that the PyYAML path reports a problem with (what `value_of` gives)"
    OPEN = "a key with nothing after it on its line"


PROBLEM: Any = _Mark.PROBLEM
_OPEN: Any = _Mark.OPEN
