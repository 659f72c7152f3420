"""The build, top to bottom: settings, content, plan, pages, output.

Every stage returns its diagnostics; nothing is rendered while an input is in error and
nothing is written while anything is, so one run reports every problem at once and a failed
build leaves the previous output as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment

from allysite import urls
from allysite.assets import Assets, build_assets
from allysite.config import SITE_FILE, SiteConfig, load_config
from allysite.errors import (
    Diagnostic,
    Level,
    SourcePos,
    error,
    has_errors,
    sorted_diagnostics,
)
from allysite.feeds import make_feeds
from allysite.hosting import make_host_files
from allysite.i18n import Catalogs, load_catalogs
from allysite.images import prepare_logos
from allysite.loader import load_content
from allysite.memo import Memo, file_signature, folder_signature
from allysite.model import Content
from allysite.output import check_output_dir, write_output
from allysite.plan import SitePlan, make_plan
from allysite.render import (
    MemoryBytecodeCache,
    OutputFile,
    TemplateDirs,
    compile_templates,
    language_environments,
    make_environment,
    render_routes,
)
from allysite.search import index_pages
from allysite.sitemap import make_robots, make_sitemap
from allysite.stale import Staleness, find_stale
from allysite.status import TranslationStatus, status_warnings, translation_status

THEME = Path(__file__).parent / "theme"
T = TypeVar("T")
Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) during long work; total 0 when it is not known."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    diagnostics: tuple[Diagnostic, ...]
    pages: int = 0
    files: int = 0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def build_site(
    site: Path,
    out: Path,
    *,
    strict: bool = False,
    write: bool = True,
    progress: Progress | None = None,
) -> BuildResult:
    """`progress(stage, done, total)` is told how far the long stages are (total 0: unknown)."""
    site = site.resolve()
    out = out.resolve()
    problems: list[Diagnostic] = check_output_dir(out, site) if write else []

    if progress:
        progress("load", 0, 0)
    prepared, found = prepare_site(site, cache_dir(out), strict=strict)
    problems += found
    if prepared is None or _failed(problems, strict):
        return _result(problems, strict)
    pages, found = render_pages(prepared, progress)
    problems += found
    if _failed(problems, strict):
        return _result(problems, strict)

    outputs = [*pages, *site_extras(prepared)]
    if prepared.config.search:  # last: it indexes the finished pages
        if progress:
            progress("search", 0, 0)
        found_files, found = index_pages(pages)
        problems += found
        outputs += found_files
        if _failed(problems, strict):
            return _result(problems, strict)
    if not write:
        return _result(problems, strict, pages=len(pages))
    if progress:
        progress("write", 0, 0)
    try:
        files = write_output(out, outputs, prepared.plan.copies)
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


@dataclass(frozen=True, slots=True)
class Prepared:
    """A site loaded, checked and planned: what rendering and writing it need.

    `check` renders it without writing; the dev server keeps one between edits and renders
    only the routes that changed.
    """

    config: SiteConfig
    content: Content
    plan: SitePlan
    assets: Assets
    envs: Mapping[str, Environment]
    """One Jinja environment per language, its catalog installed."""
    dirs: TemplateDirs
    catalogs: Catalogs


def prepare_site(
    site: Path, cache: Path, *, strict: bool = False, memo: Memo | None = None
) -> tuple[Prepared | None, list[Diagnostic]]:
    """Settings, content, catalogs, templates and the plan; None when an error stops it.

    `cache`: the folder for derived files kept between builds (resized logos). `memo` (the
    dev server's): every stage whose inputs did not change returns its previous result.
    """
    problems: list[Diagnostic] = []
    config, found = _kept(
        memo, "config", lambda: file_signature(site / SITE_FILE), lambda: load_config(site)
    )
    problems += found
    if config is None:
        return None, problems
    content, found = load_content(config, memo)
    problems += found
    catalogs, found = _kept(
        memo,
        "catalogs",
        lambda: (config, _tree_signature(site / "locales"), _tree_signature(THEME / "locales")),
        lambda: load_catalogs(config, THEME / "locales"),
    )
    problems += found
    dirs = TemplateDirs(site / "templates", THEME / "templates")

    def environments() -> tuple[Mapping[str, Environment], list[Diagnostic]]:
        bytecode = MemoryBytecodeCache()
        found = compile_templates(make_environment(dirs, bytecode), dirs)
        return language_environments(dirs, catalogs, bytecode), found

    envs, found = _kept(
        memo,
        "templates",
        lambda: (catalogs, _tree_signature(dirs.site), _tree_signature(dirs.theme)),
        environments,
    )
    problems += found
    if _failed(problems, strict):
        return None, problems

    logos, found = _kept(
        memo,
        "logos",
        lambda: (config, _logo_signature(config.root, content)),
        lambda: prepare_logos(config, content, cache),
    )
    problems += found
    assets = _kept(
        memo,
        "assets",
        lambda: (config.base_url, _tree_signature(THEME / "static")),
        lambda: build_assets(THEME / "static", config.base_url),
    )
    # Two slots, so that an edit of a text redoes only the cheap part: the status (templates
    # and catalogs read again) depends on which translations exist, not on their words.
    staleness, found = _kept(
        memo, "staleness", lambda: (config, content), lambda: find_stale(config, content)
    )
    problems += found
    status, found = _kept(
        memo,
        "status",
        lambda: (
            config,
            catalogs,
            _tree_signature(dirs.site),
            _tree_signature(dirs.theme),
            file_signature(site / "taxonomies.yaml"),
            content.taxonomies,
            _translation_shape(content, config.default_language.code),
            staleness,
        ),
        lambda: _status(config, content, staleness),
    )
    problems += found
    plan, found = make_plan(
        config,
        content,
        THEME / "static",
        assets=assets,
        logos=logos,
        memo=memo,
        staleness=staleness,
        status=status,
    )
    problems += found
    if memo is not None:
        memo.sweep()
    return Prepared(config, content, plan, assets, envs, dirs, catalogs), problems


def _status(
    config: SiteConfig, content: Content, staleness: Staleness
) -> tuple[TranslationStatus, list[Diagnostic]]:
    status, found = translation_status(config, content, THEME, staleness)
    return status, [*found, *status_warnings(config, status)]


def _translation_shape(content: Content, default: str) -> tuple[object, ...]:
    """What the translation status reads of the content: which texts exist (and the
    original's name), not their words."""
    return tuple(
        (
            item.slug,
            item.folder,
            tuple((code, text.source, text.provenance) for code, text in item.translations.items()),
            item.translations[default].name,
        )
        for item in (*content.partners, *content.pages)
    )


def translation_state(
    config: SiteConfig, content: Content
) -> tuple[Staleness, TranslationStatus, list[Diagnostic]]:
    """Stale translations and the translation status, with their warnings: stale texts,
    missing labels, interface strings no catalog has (catalog entries are checked in i18n)."""
    staleness, problems = find_stale(config, content)
    status, found = translation_status(config, content, THEME, staleness)
    return staleness, status, [*problems, *found, *status_warnings(config, status)]


def render_pages(
    prepared: Prepared, progress: Progress | None = None, chunk: int = 250
) -> tuple[list[OutputFile], list[Diagnostic]]:
    """Every route rendered, telling `progress` after each chunk."""
    routes = prepared.plan.routes
    pages: list[OutputFile] = []
    problems: list[Diagnostic] = []
    for start in range(0, len(routes), chunk):
        found_pages, found = render_routes(
            routes[start : start + chunk], prepared.envs, prepared.dirs
        )
        pages += found_pages
        problems += found
        if progress:
            progress("render", min(start + chunk, len(routes)), len(routes))
    return pages, problems


def site_extras(prepared: Prepared) -> list[OutputFile]:
    """The outputs that are no pages: built assets, feeds, host files, sitemap, robots.txt."""
    config, plan = prepared.config, prepared.plan
    site_urls = urls.Urls(config.base_url)
    return [
        *(OutputFile(asset.out_path, asset.data) for asset in prepared.assets.files),
        *make_feeds(config, plan.views),
        *make_host_files(config),
        make_sitemap(plan.routes, site_urls),
        make_robots(site_urls),
    ]


def _kept(memo: Memo | None, slot: str, key: Callable[[], object], make: Callable[[], T]) -> T:
    """`make()`, or with the dev server's memo its last result while `key()` is unchanged."""
    if memo is None:
        return make()
    return memo.get(slot, key(), make)


def _tree_signature(folder: Path) -> object:
    return folder_signature(folder) if folder.is_dir() else None


def _logo_signature(root: Path, content: Content) -> tuple[object, ...]:
    """What prepared logos depend on: each partner's logo file, not its texts."""
    return tuple(
        (p.slug, p.folder, p.facts.logo, file_signature(root / p.folder / p.facts.logo))
        for p in content.partners
        if p.facts.logo
    )


def cache_dir(out: Path) -> Path:
    """Derived files kept between builds (resized logos), beside the output folder."""
    return out.parent / f".{out.name}.allysite-cache"


def _failed(problems: list[Diagnostic], strict: bool) -> bool:
    return has_errors(problems) or (strict and bool(problems))


def _result(problems: list[Diagnostic], strict: bool, **figures: int | bool) -> BuildResult:
    diagnostics = sorted_diagnostics(problems)
    if strict:
        diagnostics = tuple(
            Diagnostic(Level.ERROR, d.code, d.message, d.pos, d.hint) for d in diagnostics
        )
    return BuildResult(diagnostics, **figures)  # type: ignore[arg-type]
