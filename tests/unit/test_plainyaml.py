"""plainyaml: plain `key: value` lines read without PyYAML, exactly as the PyYAML path reads
them (sourcefile.parse_with_pyyaml), or not at all."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from allysite.plainyaml import read_plain
from allysite.sourcefile import _plain_value, parse_with_pyyaml, parse_yaml
from allysite.textfile import split_front_matter

ROOT = Path(__file__).resolve().parents[2]

# Pieces of values: words of several scripts, and every character that YAML reads apart
# somewhere (indicators, comments, separators, quotes, escapes, spaces, line breaks and
# invisible characters), numbers and the words YAML 1.1 and 1.2 read as null or booleans.
PIECES = (
    "Asociación",
    "Diálogo",
    "مركز",
    "Центр",
    "日本",
    "\U0001f30d",
    "x",
    "ab",
    "2023-05",
    "1.50",
    "0x1F",
    "007",
    "12",
    "-3",
    "+4",
    "9" * 4001,
    "null",
    "Null",
    "~",
    "true",
    "False",
    "yes",
    "no",
    "on",
    "<<",
    "=",
    " ",
    "  ",
    ":",
    ": ",
    "::",
    "#",
    " #",
    "# ",
    "-",
    "- ",
    "?",
    ",",
    "[",
    "]",
    "{",
    "}",
    "&",
    "*",
    "!",
    "|",
    ">",
    "'",
    '"',
    "%",
    "@",
    "`",
    "\\",
    "\t",
    "\r",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufdd0",
    "\xa0",
    "\u3000",
    "\u200b",
    "\U0001fffe",
    "\x07",
    "\u202e",
    "\u202c",
    "\u2068",
    "\u2069",
    "https://example.org/a#b",
    "a:b",
    "...",
    "---",
)
WORDS = (*PIECES[:14], " ", " ", "\xa0", "a:b", "https://example.org/a#b", "\u202e", "\u202c")
KEYS = ("name", "summary", "kind", "short_name", "_x", "a1", "null", "True", "NO", "1", "-a", "a b")
KEYS += ("k" * 200, "k" * 1025)


def random_value(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.2:  # a list of words
        words = [rng.choice(("youth", "refugees", "a-b", "1", "0.5", "null", "x_y", "-a", ""))]
        words += [rng.choice(("asia", "true", "007", "a.b")) for _ in range(rng.randint(0, 3))]
        joiner = rng.choice((", ", ",", " , ", ",  "))
        return rng.choice(("[", "[ ")) + joiner.join(words) + rng.choice(("]", " ]", "],"))
    pieces = WORDS if rng.random() < 0.7 else PIECES  # (mostly text of words)
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
    if shape < 0.35:
        quote = rng.choice(("'", '"'))
        return quote + text + quote
    return text


def random_text(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 4)):
        key = rng.choice(KEYS[:6] if rng.random() < 0.8 else KEYS)
        if rng.random() < 0.15:  # a key without a value on its line, perhaps a mapping's
            lines.append(key + rng.choice((":", ":", ": ")))
            depth = rng.choice((2, 2, 4, 1))
            for _ in range(rng.randint(0, 3)):
                indent = depth if rng.random() < 0.9 else rng.choice((0, 1, 3, 4))
                sub = rng.choice(KEYS[:6]) + rng.choice((": ", ": ", ":"))
                lines.append(" " * indent + sub + random_value(rng))
            continue
        separator = ": " if rng.random() < 0.8 else rng.choice((":  ", ":", " : ", ":\t"))
        lines.append(key + separator + random_value(rng))
    ending = rng.choice(("", "\n", "", "\n", "\n\n", "\n# note"))
    return "\n".join(lines) + ending


def test_plain_lines_read_as_pyyaml_reads_them() -> None:
    rng = random.Random(20261201)
    read = 0
    for _ in range(10000):
        text = random_text(rng)
        offset = rng.choice((0, 1, 5))
        expected = parse_with_pyyaml(text, "f.yaml", offset)
        got = parse_yaml(text, "f.yaml", offset)
        assert got == expected, repr(text)
        if got[0] is not None and expected[0] is not None:  # (== takes True for 1: the types,
            assert repr(got[0].data) == repr(expected[0].data)  # and the order of the keys)
        read += expected[0] is not None and got[0] is not None and _plainly(text, offset)
    assert read > 1000  # (the generator makes many texts of the kind read without PyYAML)


def _plainly(text: str, offset: int) -> bool:
    return read_plain(text, offset, _plain_value) is not None


@pytest.mark.parametrize(
    "text",
    [
        "name: Asociación Almeida\nsummary: Una red: de diálogo.",  # (': ' inside)
        "name: A #1",  # a comment
        "name: -dash",
        "name: trailing ",
        "name: ends with:",
        "name: a\tb",
        "name: a\nname: b",  # the same key twice: PyYAML's error
        "null: x",
        "topics: [a, b,]",
        "topics: [a, 'b']",
        'name: "escaped\\u0041"',
        "name: 'it''s'",
        "translated_from:\n  name: a\n   body: b",  # (two indentations)
        "translated_from:\n  name:\n    body: b",  # (a mapping in a mapping)
        "  name: a",
        "name: x\n\nsummary: y",  # (a blank line)
        "name: \u202eopen",  # an override left open: PyYAML's error
        "n: " + "9" * 4001,  # too many digits: PyYAML's error
        "k" * 1100 + ": x",  # a key too long for PyYAML: its error
        "k:\n  " + "k" * 1100 + ": x",
    ],
)
def test_other_texts_are_left_to_pyyaml(text: str) -> None:
    assert read_plain(text, 0, _plain_value) is None
    assert parse_yaml(text, "f.yaml") == parse_with_pyyaml(text, "f.yaml")


def test_the_bundled_sites_content_is_read_without_pyyaml() -> None:
    files = sorted((ROOT / "content").rglob("*.md")) + sorted((ROOT / "content").rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        offset = 0
        if path.suffix == ".md":
            parts = split_front_matter(text, path.name)
            assert not isinstance(parts, type(None))
            text, offset = parts.front, 1  # type: ignore[union-attr]
        if path.name == "taxonomies.yaml":  # (nested mappings: PyYAML's)
            continue
        assert read_plain(text, offset, _plain_value) is not None, path
        assert parse_yaml(text, path.name, offset) == parse_with_pyyaml(text, path.name, offset)


def test_quoted_values_and_stamps_are_read_without_pyyaml() -> None:
    text = (
        'name: "Centre: #1"\nsummary: \'x\'\ntranslated_from:\n  name: 82cf19df\n  body: "7"\n'
        "short:"
    )
    found = read_plain(text, 1, _plain_value)
    assert found is not None
    assert found[0] == {
        "name": "Centre: #1",
        "summary": "x",
        "translated_from": {"name": "82cf19df", "body": "7"},
        "short": None,
    }
    assert found[1][("translated_from", "body")] == (6, 3)
    assert parse_yaml(text, "f.md", 1) == parse_with_pyyaml(text, "f.md", 1)


def test_positions_are_those_of_the_keys_and_list_items() -> None:
    text = "kind: ngo\ntopics: [youth,  refugees]\n"
    doc, problems = parse_yaml(text, "p.yaml", 3)
    assert problems == [] and doc is not None
    assert doc.data == {"kind": "ngo", "topics": ["youth", "refugees"]}
    assert doc.pos(("topics", 1)).line == 5 and doc.pos(("topics", 1)).column == 18
    assert doc.pos(("kind",)).line == 4
    assert (doc, problems) == parse_with_pyyaml(text, "p.yaml", 3)


def test_a_summary_is_read_without_importing_pyyaml() -> None:
    code = (
        "import sys\n"
        "from allysite.sourcefile import parse_yaml\n"
        "doc, _ = parse_yaml('name: A\\nsummary: B', 'es.md', 1)\n"
        "assert doc.data == {'name': 'A', 'summary': 'B'}\n"
        "print('yaml' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
