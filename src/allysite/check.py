"""allysite check: every problem an editor should fix before publishing, without writing.

It runs the build's own stages (so everything the build validates is checked the same way)
and renders every page in memory, then adds the lints of lints.py: links and anchors,
logos and alternative text, image sizes, untranslated and stale texts, placeholders left
from `allysite new`, and files nothing uses.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from allysite.build import Prepared, prepare_site, render_pages, site_extras
from allysite.copies import copy_collisions
from allysite.errors import Diagnostic, Level, printable
from allysite.lints import (
    IMAGE_BUDGET_KB,
    Notice,
    SourceText,
    check_images,
    check_links,
    placeholders,
    unpublished_files,
    untranslated,
    unused_files,
)

NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Finding:
    path: str | None
    line: int | None
    column: int | None
    level: str
    """'error', 'warning' or 'notice' (notices never fail a check)."""
    code: str
    message: str
    hint: str | None = None

    def format(self) -> str:
        where = ""
        if self.path:
            where = self.path + "".join(
                f":{value}" for value in (self.line, self.column) if value is not None
            )
            where += ": "
        text = f"{printable(where)}{self.level}: {printable(self.message)}"
        return text + (f"\n  hint: {printable(self.hint)}" if self.hint else "")

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "level": self.level,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: tuple[Finding, ...]
    pages: int = 0

    def count(self, level: str) -> int:
        return sum(finding.level == level for finding in self.findings)

    @property
    def ok(self) -> bool:
        return self.count(Level.ERROR.value) == 0

    def as_json(self) -> str:
        return json.dumps(
            {
                "ok": self.ok,
                "errors": self.count("error"),
                "warnings": self.count("warning"),
                "notices": self.count(NOTICE),
                "findings": [finding.as_dict() for finding in self.findings],
            },
            ensure_ascii=False,
            indent=2,
        )


def check_site(
    site: Path, *, strict: bool = False, image_budget_kb: int = IMAGE_BUDGET_KB
) -> CheckResult:
    """Check the site in `site`; with `strict`, warnings count as errors."""
    site = site.resolve()
    with tempfile.TemporaryDirectory(prefix="allysite-check-") as cache:
        prepared, problems = prepare_site(site, Path(cache), verify_stamps=True)
        notices: list[Notice] = []
        pages = 0
        if prepared is not None:
            rendered, found = render_pages(prepared)
            problems += found
            pages = len(rendered)
            problems += _lints(prepared, {page.out_path: page.data for page in rendered})
            problems += _lints_without_pages(prepared, image_budget_kb)
            notices += untranslated(prepared)
    findings = [_finding(problem, strict) for problem in problems]
    findings += [
        Finding(n.pos.path, n.pos.line, n.pos.column, NOTICE, n.code, n.message, n.hint)
        for n in notices
    ]
    unique = {(f.path or "", f.line or 0, f.column or 0, f.code, f.message): f for f in findings}
    return CheckResult(tuple(unique[key] for key in sorted(unique)), pages)


def _lints(prepared: Prepared, pages: dict[str, bytes]) -> list[Diagnostic]:
    extras = [extra.out_path for extra in site_extras(prepared)]
    outputs = frozenset([*pages, *(copy.out_path for copy in prepared.plan.copies), *extras])
    # (the copies were planned before the sitemap's numbered parts were known: as the build
    # does once it has made them, a file of static/ in their place is an error)
    return [
        *copy_collisions(prepared.config, prepared.content, extras),
        *check_links(prepared, pages, outputs, SourceText(prepared.config.root)),
    ]


def _lints_without_pages(prepared: Prepared, image_budget_kb: int) -> list[Diagnostic]:
    text = SourceText(prepared.config.root)
    return [
        *check_images(prepared, text, image_budget_kb),
        *placeholders(prepared, text),
        *unused_files(prepared),
        *unpublished_files(prepared),
    ]


def _finding(problem: Diagnostic, strict: bool) -> Finding:
    pos = problem.pos
    level = problem.level.value
    if strict and problem.level is Level.WARNING:
        level = Level.ERROR.value
    return Finding(
        pos.path if pos else None,
        pos.line if pos else None,
        pos.column if pos else None,
        level,
        problem.code,
        problem.message,
        problem.hint,
    )
