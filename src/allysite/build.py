"""The build, top to bottom: settings, content, plan, pages, output.

Every stage returns its diagnostics; nothing is rendered while an input is in error and
nothing is written while anything is, so one run reports every problem at once and a failed
build leaves the previous output as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from allysite import urls
from allysite.config import load_config
from allysite.errors import (
    Diagnostic,
    Level,
    SourcePos,
    error,
    has_errors,
    sorted_diagnostics,
)
from allysite.i18n import load_catalogs
from allysite.loader import load_content
from allysite.output import check_output_dir, write_output
from allysite.plan import make_plan
from allysite.render import (
    MemoryBytecodeCache,
    TemplateDirs,
    compile_templates,
    language_environments,
    make_environment,
    render_routes,
)
from allysite.sitemap import make_robots, make_sitemap

THEME = Path(__file__).parent / "theme"


@dataclass(frozen=True, slots=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    pages: int = 0
    files: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def build_site(site: Path, out: Path, *, strict: bool = False, write: bool = True) -> BuildResult:
    site = site.resolve()
    out = out.resolve()
    problems: list[Diagnostic] = check_output_dir(out, site) if write else []

    config, found = load_config(site)
    problems += found
    if config is None:
        return _result(problems, strict)
    content, found = load_content(config)
    problems += found
    catalogs, found = load_catalogs(config, THEME / "locales")
    problems += found
    dirs = TemplateDirs(site / "templates", THEME / "templates")
    bytecode = MemoryBytecodeCache()
    problems += compile_templates(make_environment(dirs, bytecode), dirs)
    if _failed(problems, strict):
        return _result(problems, strict)

    plan, found = make_plan(config, content, THEME / "static")
    problems += found
    pages, found = render_routes(plan.routes, language_environments(dirs, catalogs, bytecode), dirs)
    problems += found
    if _failed(problems, strict):
        return _result(problems, strict)

    site_urls = urls.Urls(config.base_url)
    outputs = [*pages, make_sitemap(plan.routes, site_urls), make_robots(site_urls)]
    if not write:
        return _result(problems, strict, pages=len(pages))
    try:
        files = write_output(out, outputs, plan.copies)
    except OSError as exc:
        problems.append(
            error(
                "write",
                f"cannot write the output: {exc.strerror or exc}",
                SourcePos(str(exc.filename or out)),
                "check the folder's permissions and free disk space",
            )
        )
        return _result(problems, strict)
    return _result(problems, strict, pages=len(pages), files=files, written=True)


def _failed(problems: list[Diagnostic], strict: bool) -> bool:
    return has_errors(problems) or (strict and bool(problems))


def _result(problems: list[Diagnostic], strict: bool, **figures: int | bool) -> BuildResult:
    diagnostics = sorted_diagnostics(problems)
    if strict:
        diagnostics = tuple(
            Diagnostic(Level.ERROR, d.code, d.message, d.pos, d.hint) for d in diagnostics
        )
    return BuildResult(diagnostics, **figures)  # type: ignore[arg-type]
