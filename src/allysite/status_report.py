"""The translation status as text: a table for people, JSON for scripts (`allysite i18n
status`). The figures themselves come from status.py."""

from __future__ import annotations

import json
import unicodedata

from allysite.status import LanguageStatus, TranslationStatus


def as_json(status: TranslationStatus) -> str:
    languages = []
    for entry in status.languages:
        face = entry.interface
        languages.append(
            {
                "language": entry.code,
                "name": entry.language.native_name,
                "default": entry.language.is_default,
                "coverage": entry.coverage,
                "interface": {
                    "total": face.total,
                    "translated": face.translated,
                    "fuzzy": face.fuzzy,
                    "missing": face.missing,
                    "catalog": face.catalog,
                    "catalog_exists": face.catalog_exists,
                    "fuzzy_messages": list(face.fuzzy_ids),
                    "missing_messages": list(face.missing_ids),
                },
                **{
                    f"{kind}s": {
                        "total": len(group),
                        "translated": entry.count(kind, "translated"),
                        "missing": entry.count(kind, "missing"),
                        "stale": entry.count(kind, "stale"),
                        "machine": entry.count(kind, "machine"),
                        "items": [
                            {
                                "slug": item.slug,
                                "state": item.state,
                                "translation": item.provenance,
                                "file": item.file,
                                "original": item.original,
                                "stale_fields": list(item.stale_fields),
                                "stale_by": item.stale_by,
                                "href": item.href,
                            }
                            for item in group
                        ],
                    }
                    for kind, group in (("partner", entry.partners), ("page", entry.pages))
                },
                "labels": {
                    "total": entry.labels_total,
                    "missing": [
                        {"label": gap.label, "file": str(gap.pos)} for gap in entry.label_gaps
                    ],
                },
            }
        )
    return json.dumps(
        {"default_language": status.default_language.code, "languages": languages},
        ensure_ascii=False,
        indent=2,
    )


# (group, column, width): the table's two header rows.
_COLUMNS = (
    ("", "language", 15),
    ("interface strings", "ok", 5),
    ("", "fuzzy", 5),
    ("", "missing", 7),
    ("partners", "ok", 6),
    ("", "missing", 7),
    ("", "stale", 5),
    ("", "machine", 7),
    ("pages", "ok", 5),
    ("", "missing", 7),
    ("", "stale", 5),
    ("labels", "missing", 7),
    ("", "coverage", 8),
)


def as_table(status: TranslationStatus) -> str:
    """A table of the figures per language, then the files to open, for a terminal."""
    rows = [[group for group, _name, _width in _COLUMNS], [name for _g, name, _w in _COLUMNS]]
    for entry in status.languages:
        face = entry.interface
        rows.append(
            [
                f"{entry.code} {entry.language.native_name}",
                f"{face.translated}/{face.total}",
                str(face.fuzzy),
                str(face.missing),
                f"{entry.count('partner', 'translated')}/{len(entry.partners)}",
                str(entry.count("partner", "missing")),
                str(entry.count("partner", "stale")),
                str(entry.count("partner", "machine")),
                f"{entry.count('page', 'translated')}/{len(entry.pages)}",
                str(entry.count("page", "missing")),
                str(entry.count("page", "stale")),
                f"{len(entry.label_gaps)}/{entry.labels_total}",
                f"{entry.coverage:.1f}%",
            ]
        )
    lines = [f"Translation status (default language: {status.default_language.code})", ""]
    first = max(_COLUMNS[0][2], *(_shown_width(row[0]) for row in rows))
    widths = [first, *(width for _g, _n, width in _COLUMNS[1:])]
    starts = [sum(width + 2 for width in widths[:i]) for i in range(len(widths))]
    groups = ""
    for start, (group, _name, _width) in zip(starts, _COLUMNS, strict=True):
        if group:  # a group's title starts over its first column and runs on
            groups = groups.ljust(start) + group
    lines.append(groups)
    for row in rows[1:]:
        cells = [
            cell + " " * (width - _shown_width(cell)) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    for entry in status.languages:
        details = _details(entry)
        if details:
            lines += ["", f"{entry.code} ({entry.language.native_name}), {entry.coverage:.1f}%:"]
            lines += [f"  {line}" for line in details]
    return "\n".join(lines) + "\n"


def _shown_width(text: str) -> int:
    """The columns a text takes on a terminal: two for a wide character (中文), none for a
    combining one; `ljust` counted characters, and a Chinese row was out of line."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


def _details(entry: LanguageStatus) -> list[str]:
    lines = []
    for item in entry.todo():
        if item.state == "missing":
            lines.append(f"missing  {item.file}  (translate {item.original})")
        elif item.stale_by == "git":
            lines.append(f"stale    {item.file}  ({item.original} was committed later)")
        else:
            fields = ", ".join(item.stale_fields)
            lines.append(f"stale    {item.file}  ({fields} changed in {item.original})")
    for item in (*entry.partners, *entry.pages):
        if item.provenance == "machine":
            lines.append(f"machine  {item.file}  (machine translation, not yet reviewed)")
    face = entry.interface
    if face.fuzzy or face.missing:
        action = "" if face.catalog_exists else " (create it with 'allysite i18n init')"
        lines.append(f"strings  {face.catalog}{action}: {face.fuzzy} fuzzy, {face.missing} missing")
    for gap in entry.label_gaps:
        lines.append(f"label    {gap.pos}  {gap.label}")
    return lines
