"""errors: positions, diagnostics, their text and their order."""

from __future__ import annotations

from pathlib import Path

import pytest

from allysite.errors import (
    Diagnostic,
    Level,
    SourcePos,
    error,
    has_errors,
    relative_path,
    sorted_diagnostics,
    warning,
)


@pytest.mark.parametrize(
    ("pos", "text"),
    [
        (SourcePos("site.yaml"), "site.yaml"),
        (SourcePos("site.yaml", 3), "site.yaml:3"),
        (SourcePos("site.yaml", 3, 7), "site.yaml:3:7"),
        # A column without a line is meaningless and not shown.
        (SourcePos("site.yaml", None, 7), "site.yaml"),
    ],
)
def test_source_pos_text(pos: SourcePos, text: str) -> None:
    assert str(pos) == text


def test_error_and_warning_constructors_set_level_and_fields() -> None:
    pos = SourcePos("a.md", 2)
    e = error("code-e", "bad", pos, "fix it")
    w = warning("code-w", "odd")
    assert (e.level, e.code, e.message, e.pos, e.hint) == (
        Level.ERROR,
        "code-e",
        "bad",
        pos,
        "fix it",
    )
    assert (w.level, w.code, w.message, w.pos, w.hint) == (
        Level.WARNING,
        "code-w",
        "odd",
        None,
        None,
    )


def test_format_with_position_and_hint() -> None:
    d = error("x", "something is wrong", SourcePos("content/a/es.md", 4, 2), "do this")
    assert d.format() == "content/a/es.md:4:2: error: something is wrong\n  hint: do this"


def test_format_without_position_or_hint() -> None:
    assert warning("x", "careful").format() == "warning: careful"


def test_has_errors_ignores_warnings() -> None:
    assert not has_errors([])
    assert not has_errors([warning("w", "a"), warning("w", "b")])
    assert has_errors([warning("w", "a"), error("e", "b")])
    assert has_errors(iter([error("e", "b")]))  # any iterable


def test_sorted_diagnostics_orders_by_path_line_column_message() -> None:
    items = [
        error("e", "b", SourcePos("b.yaml", 1)),
        error("e", "z", SourcePos("a.yaml", 10)),
        error("e", "a", SourcePos("a.yaml", 2, 5)),
        error("e", "x", SourcePos("a.yaml", 2, 1)),
        error("e", "m", SourcePos("a.yaml", 2, 1)),
        error("e", "no position"),
    ]
    result = sorted_diagnostics(items)
    assert isinstance(result, tuple)
    assert [d.message for d in result] == ["no position", "m", "x", "a", "z", "b"]


def test_sorted_diagnostics_drops_exact_duplicates_only() -> None:
    one = error("e", "same", SourcePos("a.yaml", 1))
    again = error("e", "same", SourcePos("a.yaml", 1))
    other_level = warning("e", "same", SourcePos("a.yaml", 1))
    assert len(sorted_diagnostics([one, again])) == 1
    assert len(sorted_diagnostics([one, other_level])) == 2


def test_line_none_sorts_before_line_one() -> None:
    whole_file = error("e", "z", SourcePos("a.yaml"))
    line_one = error("e", "a", SourcePos("a.yaml", 1))
    assert sorted_diagnostics([line_one, whole_file]) == (whole_file, line_one)


def test_diagnostics_are_immutable_values() -> None:
    d = error("e", "m")
    with pytest.raises(AttributeError):
        d.message = "other"  # type: ignore[misc]
    assert d == Diagnostic(Level.ERROR, "e", "m")
    assert Level.ERROR.value == "error" and Level.WARNING.value == "warning"


def test_relative_path_inside_root_uses_forward_slashes(tmp_path: Path) -> None:
    inner = tmp_path / "content" / "partners" / "a" / "es.md"
    assert relative_path(inner, tmp_path) == "content/partners/a/es.md"


def test_relative_path_resolves_dot_dot(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    assert relative_path(tmp_path / "x" / ".." / "site.yaml", tmp_path) == "site.yaml"


def test_relative_path_outside_root_is_returned_as_is(tmp_path: Path) -> None:
    outside = Path("/somewhere/else/file.txt")
    assert relative_path(outside, tmp_path) == "/somewhere/else/file.txt"


def test_format_shows_the_characters_a_terminal_would_act_on_as_escapes() -> None:
    """Controls (an escape sequence, a line break) and direction overrides in a file's name
    or a quoted value are shown as escapes; a tab and other text stay as they are."""
    name = "a\x1b[31mb\u202ec\nd\x9be\u2066f\x7f"
    diagnostic = warning("w", f"name '{name}'\tquoted", SourcePos(name, 2), f"rename {name}")
    escaped = "a\\x1b[31mb\\u202ec\\nd\\x9be\\u2066f\\x7f"
    assert diagnostic.format() == (
        f"{escaped}:2: warning: name '{escaped}'\tquoted\n  hint: rename {escaped}"
    )
    plain = error("e", "Fundación «Alfa» شركاؤنا", SourcePos("es.md", 1), "fix it")
    assert plain.format() == "es.md:1: error: Fundación «Alfa» شركاؤنا\n  hint: fix it"
