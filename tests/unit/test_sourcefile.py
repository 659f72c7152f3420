"""sourcefile: strict YAML 1.2 reading with positions, text decoding, Markdown front matter."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from allysite.errors import Level, SourcePos
from allysite.sourcefile import YamlDoc, parse_yaml, read_markdown_file, read_yaml_file
from allysite.textfile import read_text


def value_of(text: str) -> Any:
    doc, problems = parse_yaml(f"a: {text}\n", "f.yaml")
    assert problems == [] and doc is not None
    return doc.data["a"]


def yaml_problem(text: str, line_offset: int = 0) -> tuple[str, SourcePos]:
    doc, problems = parse_yaml(text, "f.yaml", line_offset=line_offset)
    assert doc is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.level is Level.ERROR and problem.code == "yaml"
    assert problem.pos is not None
    return problem.message, problem.pos


# --- YAML 1.2 scalars ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", "no"),
        ("NO", "NO"),
        ("yes", "yes"),
        ("Yes", "Yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("01234", "01234"),  # YAML 1.1 would read octal 668
        ("0o17", "0o17"),
        ("0x1F", "0x1F"),
        ("1_000", "1_000"),
        ("2015-04-01", "2015-04-01"),  # no date object: the schema checks dates
        ("2015-04", "2015-04"),
        (".inf", ".inf"),
        ("nan", "nan"),
        ("1.5", "1.5"),  # no field is a number: decimals stay as written
        ("1.50", "1.50"),
        (".5", ".5"),
        ("1e3", "1e3"),
        ("hello world", "hello world"),
        ("'2015'", "2015"),  # quoted scalars are always strings
        ('"true"', "true"),
        ("'~'", "~"),
    ],
)
def test_scalars_that_stay_strings(text: str, expected: str) -> None:
    value = value_of(text)
    assert type(value) is str
    assert value == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2015", 2015),
        ("0", 0),
        ("-3", -3),
        ("+5", 5),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("FALSE", False),
    ],
)
def test_scalars_that_are_numbers_or_booleans(text: str, expected: object) -> None:
    value = value_of(text)
    assert type(value) is type(expected)
    assert value == expected


@pytest.mark.parametrize("text", ["~", "", "null", "Null", "NULL"])
def test_null_scalars(text: str) -> None:
    assert value_of(text) is None


def test_block_scalar_is_a_string() -> None:
    doc, _ = parse_yaml("a: |\n  12\n", "f.yaml")
    assert doc is not None and doc.data == {"a": "12\n"}


def test_nested_data() -> None:
    doc, problems = parse_yaml("a:\n  b: [x, 2]\n  c:\n    - d: e\n", "f.yaml")
    assert problems == [] and doc is not None
    assert doc.data == {"a": {"b": ["x", 2], "c": [{"d": "e"}]}}


def test_keys_are_always_strings() -> None:
    doc, _ = parse_yaml("1: a\ntrue: b\n2015-04-01: c\n", "f.yaml")
    assert doc is not None
    assert doc.data == {"1": "a", "true": "b", "2015-04-01": "c"}


def test_explicit_str_tag_makes_a_string() -> None:
    assert value_of("!!str 3") == "3"


# --- empty documents ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_empty_document_is_an_empty_mapping(text: str) -> None:
    doc, problems = parse_yaml(text, "f.yaml", line_offset=4)
    assert problems == [] and doc is not None
    assert doc.data == {}
    assert doc.pos() == SourcePos("f.yaml", 5, 1)


# --- refusals ---------------------------------------------------------------------------------


def test_duplicate_key_names_both_lines() -> None:
    message, pos = yaml_problem("name: A\nsummary: S\nname: B\n")
    assert "duplicate key 'name'" in message
    assert "first given at line 1" in message
    assert (pos.path, pos.line, pos.column) == ("f.yaml", 3, 1)


def test_duplicate_key_in_nested_mapping_with_offset() -> None:
    message, pos = yaml_problem("title:\n  es: A\n  es: B\n", line_offset=1)
    assert "duplicate key 'es'" in message and "first given at line 3" in message
    assert (pos.line, pos.column) == (4, 3)


def test_keys_differing_only_in_boolean_spelling_are_duplicates() -> None:
    message, _ = yaml_problem("true: 1\nTrue: 2\n")
    assert "duplicate key 'true'" in message


def test_alias_is_refused() -> None:
    message, pos = yaml_problem("a: &x [1, 2]\nb: *x\n")
    assert "aliases" in message
    assert pos.line == 2


def test_merge_key_with_alias_is_refused() -> None:
    message, _ = yaml_problem("base: &b {x: 1}\nother:\n  <<: *b\n")
    assert "aliases" in message


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"l{level}: &l{level} [{refs}]")
    started = time.perf_counter()
    message, _ = yaml_problem("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1.0
    assert "aliases" in message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system x\n",
        "a: !custom x\n",
        "a: !!set {x}\n",
        "a: !!binary aGk=\n",
        "a: !!omap [x: 1]\n",
        "a: !custom 'quoted'\n",
        "a: !custom [1]\n",
    ],
)
def test_unknown_tags_are_refused(text: str) -> None:
    message, pos = yaml_problem(text)
    assert "unsupported YAML tag" in message
    assert pos.line == 1


def test_mapping_as_key_is_refused() -> None:
    message, pos = yaml_problem("? [a, b]\n: 1\n")
    assert "mapping key" in message
    assert pos.line == 1


def test_too_deep_nesting_is_refused() -> None:
    message, _ = yaml_problem("a: " + "[" * 60 + "]" * 60 + "\n")
    assert "nested too deeply" in message


def test_syntax_error_has_line_with_offset() -> None:
    message, pos = yaml_problem("a: 1\nb: [1, 2\nc: 3\n", line_offset=10)
    assert message.startswith("invalid YAML:")
    assert pos.line is not None and pos.line > 10


def test_tab_indentation_error_points_at_its_line() -> None:
    message, pos = yaml_problem("name: a\n\tbad: b\n")
    assert message.startswith("invalid YAML:")
    assert pos.line == 2


def test_several_documents_are_refused() -> None:
    message, pos = yaml_problem("a: 1\n---\nb: 2\n")
    assert "single document" in message
    assert pos.line == 2


# --- positions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('summary: "cr\\rhere"', "cr\nhere"),
        ('summary: "a\\r\\nb\\n\\rc"', "a\nb\n\nc"),
        ('summary: "a\\x0d\\u000Db"', "a\n\nb"),
        ('names: ["a\\rb"]', ["a\nb"]),
        ("summary: 'a\\rb'", "a\\rb"),  # (no escapes in single quotes)
    ],
)
def test_an_escaped_carriage_return_is_a_line_feed(text: str, expected: object) -> None:
    """As read_text makes the file's own line ends: XML and HTML read one as a line feed."""
    doc, problems = parse_yaml(text, "x.yaml")
    assert problems == [] and doc is not None
    assert next(iter(doc.data.values())) == expected


def test_positions_of_keys_and_list_items() -> None:
    text = "title:\n  es: Hola\nlanguages:\n  - es\n  - en\nflow: [a, b]\n"
    doc, _ = parse_yaml(text, "site.yaml")
    assert doc is not None
    assert doc.positions[("title",)] == (1, 1)
    assert doc.positions[("title", "es")] == (2, 3)
    assert doc.positions[("languages",)] == (3, 1)
    assert doc.positions[("languages", 0)] == (4, 5)
    assert doc.positions[("languages", 1)] == (5, 5)
    assert doc.positions[("flow", 0)] == (6, 8)
    assert doc.positions[("flow", 1)] == (6, 11)


def test_positions_with_line_offset() -> None:
    doc, _ = parse_yaml("name: A\nregions:\n  - x\n", "a.md", line_offset=1)
    assert doc is not None
    assert doc.pos(("name",)) == SourcePos("a.md", 2, 1)
    assert doc.pos(("regions", 0)) == SourcePos("a.md", 4, 5)


def test_pos_falls_back_to_nearest_enclosing_value() -> None:
    doc, _ = parse_yaml("a: 1\nb:\n  c: 2\n", "f.yaml")
    assert doc is not None
    assert doc.pos(("b", "c", "missing", 3)) == SourcePos("f.yaml", 3, 3)
    assert doc.pos(("nothing",)) == SourcePos("f.yaml", 1, 1)
    assert doc.pos() == SourcePos("f.yaml", 1, 1)


def test_yamldoc_positions_are_read_only() -> None:
    doc, _ = parse_yaml("a: 1\n", "f.yaml")
    assert isinstance(doc, YamlDoc)
    with pytest.raises(TypeError):
        doc.positions[("b",)] = (1, 1)  # type: ignore[index]


# --- read_text ---------------------------------------------------------------------------------


def read_bytes_as_text(tmp_path: Path, data: bytes) -> tuple[str | None, list[Any]]:
    path = tmp_path / "file.md"
    path.write_bytes(data)
    return read_text(path, "content/file.md")


def test_read_text_drops_bom_and_normalises_newlines(tmp_path: Path) -> None:
    text, problems = read_bytes_as_text(tmp_path, b"\xef\xbb\xbfa\r\nb\rc\nd")
    assert problems == []
    assert text == "a\nb\nc\nd"


def test_read_text_normalises_to_nfc(tmp_path: Path) -> None:
    decomposed = "Espan\u0303a Cafe\u0301"
    assert unicodedata.is_normalized("NFD", decomposed)
    text, problems = read_bytes_as_text(tmp_path, decomposed.encode("utf-8"))
    assert problems == []
    assert text == "España Café"
    assert len(text or "") == len("España Café")


def test_invalid_utf8_reports_line_and_column_of_bad_byte(tmp_path: Path) -> None:
    text, problems = read_bytes_as_text(tmp_path, b"first\nsecond\nab\xffcd\n")
    assert text is None
    assert len(problems) == 1
    problem = problems[0]
    assert problem.code == "encoding"
    assert "0xff" in problem.message
    assert problem.pos == SourcePos("content/file.md", 3, 3)


def test_invalid_utf8_line_counts_crlf_lines(tmp_path: Path) -> None:
    _, problems = read_bytes_as_text(tmp_path, b"a\r\nb\r\n\xc3\r\n")
    assert problems[0].pos == SourcePos("content/file.md", 3, 1)


def test_invalid_utf8_line_counts_lone_cr_lines(tmp_path: Path) -> None:
    _, problems = read_bytes_as_text(tmp_path, b"a\rb\r\xff\r")
    assert problems[0].pos == SourcePos("content/file.md", 3, 1)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_refused(tmp_path: Path, encoding: str) -> None:
    data = "name: x\n".encode(encoding)
    if encoding != "utf-16":
        data = ("\ufeff" + "name: x\n").encode(encoding)
    text, problems = read_bytes_as_text(tmp_path, data)
    assert text is None
    assert problems[0].code == "encoding"
    assert "UTF-16" in problems[0].message
    assert problems[0].pos == SourcePos("content/file.md", 1)


def test_nul_character_is_refused_with_its_line(tmp_path: Path) -> None:
    text, problems = read_bytes_as_text(tmp_path, b"a\nb\nc\x00d\n")
    assert text is None
    assert problems[0].code == "encoding" and "NUL" in problems[0].message
    assert problems[0].pos == SourcePos("content/file.md", 3)


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    text, problems = read_text(tmp_path / "nope.md", "nope.md")
    assert text is None
    assert problems[0].code == "unreadable"
    assert problems[0].pos == SourcePos("nope.md")


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    with path.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)  # sparse: nothing is really written
    text, problems = read_text(path, "big.md")
    assert text is None
    assert problems[0].code == "file-too-large"


def test_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "limit.md"
    path.write_bytes(b"a" * (5 * 1024 * 1024))
    text, problems = read_text(path, "limit.md")
    assert problems == []
    assert text is not None and len(text) == 5 * 1024 * 1024


# --- read_yaml_file ----------------------------------------------------------------------------


def test_read_yaml_file_ok(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: T\r\nbase_url: https://x.org/\r\n")
    doc, problems = read_yaml_file(path, "site.yaml")
    assert problems == [] and doc is not None
    assert doc.data == {"title": "T", "base_url": "https://x.org/"}
    assert doc.pos(("base_url",)) == SourcePos("site.yaml", 2, 1)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_read_yaml_file_requires_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(text)
    doc, problems = read_yaml_file(path, "site.yaml")
    assert doc is None
    assert problems[0].code == "yaml" and "mapping" in problems[0].message
    assert problems[0].pos == SourcePos("site.yaml", 1, 1)


def test_read_yaml_file_passes_on_encoding_errors(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_bytes(b"a: \xff\n")
    doc, problems = read_yaml_file(path, "site.yaml")
    assert doc is None and problems[0].code == "encoding"


# --- read_markdown_file ------------------------------------------------------------------------


def markdown(tmp_path: Path, text: str) -> tuple[Any, list[Any]]:
    path = tmp_path / "es.md"
    path.write_text(text, encoding="utf-8", newline="")
    return read_markdown_file(path, "content/partners/a/es.md")


def test_markdown_front_matter_and_body(tmp_path: Path) -> None:
    doc, problems = markdown(tmp_path, "---\nname: A\nsummary: no\n---\n## Body\n\nmore\n")
    assert problems == []
    assert doc.front.data == {"name": "A", "summary": "no"}
    assert doc.front.pos(("summary",)) == SourcePos("content/partners/a/es.md", 3, 1)
    assert doc.body == "## Body\n\nmore\n"
    assert doc.body_line == 5


def test_markdown_with_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "es.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\nname: A\r\n---\r\nBody\r\n")
    doc, problems = read_markdown_file(path, "es.md")
    assert problems == [] and doc is not None
    assert doc.front.data == {"name": "A"}
    assert doc.body == "Body\n"
    assert doc.body_line == 4


def test_markdown_closing_dots_and_trailing_spaces(tmp_path: Path) -> None:
    doc, problems = markdown(tmp_path, "---  \nname: A\n...\nBody")
    assert problems == []
    assert doc.front.data == {"name": "A"} and doc.body == "Body"


def test_markdown_empty_front_matter(tmp_path: Path) -> None:
    doc, problems = markdown(tmp_path, "---\n---\nBody\n")
    assert problems == []
    assert doc.front.data == {}
    assert doc.body_line == 3


def test_markdown_thematic_break_in_body_is_kept(tmp_path: Path) -> None:
    doc, _ = markdown(tmp_path, "---\nname: A\n---\none\n\n---\n\ntwo\n")
    assert doc.body == "one\n\n---\n\ntwo\n"


@pytest.mark.parametrize("text", ["name: A\n---\n", "", "\n---\nname: A\n---\n", "--- \t x\n"])
def test_markdown_missing_front_matter(tmp_path: Path, text: str) -> None:
    doc, problems = markdown(tmp_path, text)
    assert doc is None
    assert problems[0].code == "front-matter"
    assert "missing front matter" in problems[0].message
    assert problems[0].pos == SourcePos("content/partners/a/es.md", 1)


def test_markdown_unclosed_front_matter(tmp_path: Path) -> None:
    doc, problems = markdown(tmp_path, "---\nname: A\nsummary: B\n")
    assert doc is None
    assert problems[0].code == "front-matter"
    assert "not closed" in problems[0].message
    assert problems[0].pos == SourcePos("content/partners/a/es.md", 1)


def test_markdown_front_matter_must_be_a_mapping(tmp_path: Path) -> None:
    doc, problems = markdown(tmp_path, "---\n- a\n- b\n---\n")
    assert doc is None
    assert problems[0].code == "front-matter"
    assert problems[0].pos == SourcePos("content/partners/a/es.md", 2)


def test_markdown_yaml_errors_have_file_lines(tmp_path: Path) -> None:
    doc, problems = markdown(tmp_path, "---\nname: A\nsummary: S\nname: B\n---\n")
    assert doc is None
    assert "duplicate key 'name' (first given at line 2)" in problems[0].message
    assert problems[0].pos == SourcePos("content/partners/a/es.md", 4, 1)


def test_markdown_encoding_error_is_passed_on(tmp_path: Path) -> None:
    path = tmp_path / "es.md"
    path.write_bytes(b"---\nname: \xe9\n---\n")
    doc, problems = read_markdown_file(path, "es.md")
    assert doc is None
    assert problems[0].code == "encoding" and problems[0].pos == SourcePos("es.md", 2, 7)


def test_a_number_too_long_to_read_is_a_problem_at_its_line() -> None:
    """Python refuses to convert more than 4,300 digits: it was an internal error."""
    message, pos = yaml_problem("name: x\nkind: " + "9" * 50_000 + "\n", line_offset=1)
    assert message == "this number has 50000 digits: allysite reads at most 4000"
    assert pos == SourcePos("f.yaml", 3, 7)
    assert value_of("9" * 4000) == int("9" * 4000)
    assert value_of('"' + "9" * 50_000 + '"') == "9" * 50_000
