"""Reading YAML files and Markdown front matter strictly, keeping the line of every value.

PyYAML's C parser does the parsing (but of the plain `key: value` lines that nearly every
content file holds: plainyaml.py); the values are built here from its node tree, so that:
- plain scalars follow YAML 1.2 (`no` and `NO` stay strings; `01234` stays a string, not 668;
  dates stay strings and are checked by the schema, with a line); numbers other than whole
  ones stay as written (`1.50` is not turned into 1.5),
- a duplicate key is an error instead of silently keeping the last one,
- aliases are refused (no alias bombs), and unknown tags are refused,
- every key and item keeps its position for messages,
- a line end that a double-quoted escape writes (`"a\\rb"`, `"a\\r\\nb"`) is a line feed,
  as the file's own line ends are (textfile.read_text): XML (1.0 §2.11) and HTML parsers
  read a carriage return as one, so a summary would not come back from the feed or a
  page's description as it was, and its JSON-LD would differ from both.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from allysite.errors import Diagnostic, SourcePos, error
from allysite.plainyaml import PROBLEM, read_plain
from allysite.textfile import read_text, split_front_matter
from allysite.textrules import describe, first_forbidden, kind_of, unclosed_direction

if TYPE_CHECKING:
    import yaml

Location = tuple[str | int, ...]

_MAX_DEPTH = 50
_TAG = "tag:yaml.org,2002:"
_IMPLICIT_TAGS = frozenset(
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "value")
)
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
MAX_INT_DIGITS = 4000
"""Digits of a whole number read as one (Python refuses to convert more than 4,300)."""
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """Plain data (dict, list, str, int, float, bool, None) plus the position of each value."""

    data: Any
    path: str
    positions: Mapping[Location, tuple[int, int]]

    def pos(self, location: Location = ()) -> SourcePos:
        """The position of a value, or of its nearest enclosing value that has one."""
        loc = tuple(location)
        while loc and loc not in self.positions:
            loc = loc[:-1]
        line, column = self.positions.get(loc, (1, 1))
        return SourcePos(self.path, line, column)


@dataclass(frozen=True, slots=True)
class MarkdownDoc:
    front: YamlDoc
    body: str
    body_line: int
    front_digest: bytes = b""
    """The front matter's hash (textfile.split_front_matter)."""


class _AliasFound(Exception):
    pass


class _YamlProblem(Exception):
    def __init__(self, message: str, line: int, column: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.column, self.hint = message, line, column, hint


def parse_yaml(
    text: str, rel: str, line_offset: int = 0
) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """Parse one YAML document; `line_offset` is the number of lines before it in its file."""
    plain = read_plain(text, line_offset, _plain_value)
    if plain is not None:
        return YamlDoc(plain[0], rel, plain[1]), []
    return parse_with_pyyaml(text, rel, line_offset)


def parse_with_pyyaml(
    text: str, rel: str, line_offset: int = 0
) -> tuple[YamlDoc | None, list[Diagnostic]]:
    """parse_yaml through PyYAML, whatever the text (imported here: a rebuild after an
    edited summary reads plain lines only)."""
    import yaml

    positions: dict[Location, tuple[int, int]] = {}
    hint = None
    try:
        node = _compose(text)
        data = {} if node is None else _construct(node, (), positions, line_offset, set(), 0)
        if node is None:
            positions[()] = (line_offset + 1, 1)
        return YamlDoc(data, rel, MappingProxyType(positions)), []
    except _AliasFound:
        message = "YAML aliases (*name) are not allowed"
        line, column = _first_alias(text, line_offset)
        hint = "write the value out in full instead of referring to an anchor"
    except _YamlProblem as problem:
        message, line, column, hint = problem.message, problem.line, problem.column, problem.hint
    except yaml.MarkedYAMLError as exc:
        detail = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        message = f"invalid YAML: {detail}"
        line, column = _error_position(exc, text, line_offset)
        hint = (
            "check the indentation and quoting on this line; quote values that "
            "contain ': ' or start with a special character"
        )
    except yaml.YAMLError as exc:
        message, line, column = f"invalid YAML: {exc}", line_offset + 1, None
    return None, [error("yaml", message, SourcePos(rel, line, column), hint)]


def _error_position(
    exc: yaml.MarkedYAMLError, text: str, line_offset: int
) -> tuple[int | None, int | None]:
    """Where an editor should look: PyYAML's problem mark, unless that lies past the end of
    the text (an unclosed bracket) or after an unfinished key, where the context mark is."""
    mark = exc.problem_mark
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    context = exc.context_mark
    if context is not None and (
        mark is None or mark.line >= lines or "simple key" in str(exc.context)
    ):
        mark = context
    if mark is None:
        return None, None
    return mark.line + 1 + line_offset, mark.column + 1


def _first_alias(text: str, line_offset: int) -> tuple[int, int]:
    """The position of the first alias, which composed nodes no longer know."""
    import yaml

    for event in yaml.parse(text, Loader=_loader()):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1 + line_offset, event.start_mark.column + 1
    return line_offset + 1, 1  # pragma: no cover - only called when an alias exists


@functools.cache
def _loader() -> type:
    import yaml

    try:
        return yaml.CSafeLoader  # type: ignore[no-any-return]
    except AttributeError:  # pragma: no cover - PyYAML built without libyaml
        return yaml.SafeLoader


def _compose(text: str) -> yaml.Node | None:
    loader = _loader()(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise _YamlProblem("YAML is nested too deeply", 1, 1) from None
    finally:
        loader.dispose()
    return node


def _construct(
    node: yaml.Node,
    loc: Location,
    positions: dict[Location, tuple[int, int]],
    offset: int,
    seen: set[int],
    depth: int,
) -> Any:
    line, column = node.start_mark.line + 1 + offset, node.start_mark.column + 1
    positions.setdefault(loc, (line, column))
    if id(node) in seen:
        raise _AliasFound
    seen.add(id(node))
    if depth > _MAX_DEPTH:
        raise _YamlProblem("YAML is nested too deeply", line, column)
    if node.id == "scalar":  # (PyYAML's node kinds, told without importing it)
        return _scalar(node, line, column)
    if node.id == "sequence":
        _check_tag(node, _TAG + "seq", line, column)
        return [
            _construct(item, (*loc, index), positions, offset, seen, depth + 1)
            for index, item in enumerate(node.value)
        ]
    if node.id == "mapping":
        _check_tag(node, _TAG + "map", line, column)
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + offset
            key_column = key_node.start_mark.column + 1
            if key_node.id != "scalar":
                raise _YamlProblem(
                    "a mapping key must be a plain word, not a list or mapping",
                    key_line,
                    key_column,
                )
            key = _scalar(key_node, key_line, key_column)
            key = "" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
            if key in result:
                raise _YamlProblem(
                    f"duplicate key '{key}' (first given at line {first_line[key]})",
                    key_line,
                    key_column,
                    "remove one of the two; YAML keeps only one value",
                )
            first_line[key] = key_line
            positions[(*loc, key)] = (key_line, key_column)
            result[key] = _construct(value_node, (*loc, key), positions, offset, seen, depth + 1)
        return result
    raise _YamlProblem("unsupported YAML node", line, column)  # pragma: no cover


def _check_tag(node: yaml.Node, expected: str, line: int, column: int) -> None:
    if node.tag not in (expected, None):
        raise _YamlProblem(
            f"unsupported YAML tag '{node.tag}'",
            line,
            column,
            "remove the tag; allysite reads plain YAML only",
        )


def _scalar(node: yaml.ScalarNode, line: int, column: int) -> Any:
    value: str = node.value
    escaped = node.style == '"'
    _check_characters(value, escaped, line, column)
    if escaped and "\r" in value:  # (only an escape makes one: read_text took the others)
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if node.style:  # quoted or block scalars are always strings (plain style is '' or None)
        if node.tag not in _IMPLICIT_TAGS:
            _check_tag(node, _TAG + "str", line, column)
        return value
    if node.tag == _TAG + "str":
        # explicit `!!str`, or text that no YAML version reads as anything else
        return value
    if node.tag not in _IMPLICIT_TAGS:
        _check_tag(node, _TAG + "str", line, column)
        return value
    found = _plain_value(value)
    if found is PROBLEM:
        digits = len(value.lstrip("+-"))
        raise _YamlProblem(
            f"this number has {digits} digits: allysite reads at most {MAX_INT_DIGITS}",
            line,
            column,
            "quote it if it is meant as text",
        )
    return found


def _plain_value(value: str) -> Any:
    """A plain scalar's value (YAML 1.2's core schema); PROBLEM for a whole number of more
    digits than Python converts."""
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.fullmatch(value):
        if len(value.lstrip("+-")) > MAX_INT_DIGITS:  # (int() refuses them, as Python limits it)
            return PROBLEM
        return int(value)
    return value  # floats too: no field is a number, and `1.50` should stay as written


def _check_characters(value: str, escaped: bool, line: int, column: int) -> None:
    """What a double-quoted escape can make (`escaped`: read_text refuses the characters
    written as they are), and direction formatting left open (textrules.py)."""
    index = first_forbidden(value) if escaped else None
    if index is not None:
        raise _YamlProblem(
            f"the text makes {kind_of(value[index])}, which is invisible",
            line,
            column,
            "remove the escape (\\x.., \\u....) that writes it: no web page or feed may carry it",
        )
    index = unclosed_direction(value)
    if index is not None:
        raise _YamlProblem(
            f"the text opens {describe(value[index])} and does not close it",
            line,
            column,
            "end the text with U+202C POP DIRECTIONAL FORMATTING (after an embedding or "
            "override) or U+2069 POP DIRECTIONAL ISOLATE (after an isolate), or remove it: "
            "left open, it turns around what the page shows after the text",
        )


def read_yaml_file(path: str | Path, rel: str) -> tuple[YamlDoc | None, list[Diagnostic]]:
    text, problems = read_text(path, rel)
    if text is None:
        return None, problems
    doc, problems = parse_yaml(text, rel)
    if doc is not None and not isinstance(doc.data, dict):
        return None, [
            error(
                "yaml",
                "expected a mapping of 'key: value' lines at the top level",
                doc.pos(),
                "see CONTENT-FORMAT for this file's fields",
            )
        ]
    return doc, problems


def read_markdown_file(path: str | Path, rel: str) -> tuple[MarkdownDoc | None, list[Diagnostic]]:
    """A Markdown file with YAML front matter between two '---' lines."""
    text, problems = read_text(path, rel)
    if text is None:
        return None, problems
    split = split_front_matter(text, rel)
    if isinstance(split, Diagnostic):
        return None, [split]
    doc, problems = parse_yaml(split.front, rel, line_offset=1)
    if doc is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, [
            error("front-matter", "front matter must be 'key: value' lines", SourcePos(rel, 2))
        ]
    return MarkdownDoc(doc, split.body, split.body_line, split.digest), []
