"""The pipeline's stages, from the site's files to a plan of every page.

`prepare_site` does all of them (check and the dev server use it); a build loads the site
with `load_site` and plans the pages of each language in the process that renders them
(`plan_site`). The stages' modules are imported inside the functions that use them, so that
importing this module (and a build with nothing to do) stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from allysite.cache import ParseCache, git_signature
from allysite.errors import Diagnostic, failed, has_errors
from allysite.inputindex import DIGEST, THEME_PREFIX, scan_inputs, undecodable_names
from allysite.memo import Keeps, KeptValues, Memo, file_signature, folder_signature

if TYPE_CHECKING:
    from jinja2 import Environment

    from allysite.assets import Assets
    from allysite.config import SiteConfig
    from allysite.i18n import Catalogs
    from allysite.images import Logos
    from allysite.loader import Derive
    from allysite.model import Content, Page, Partner
    from allysite.render import TemplateDirs, TemplateReads
    from allysite.routes import Reuse, Route, Settle, SitePlan
    from allysite.stale import Staleness
    from allysite.status import TranslationStatus

THEME = Path(__file__).parent / "theme"
T = TypeVar("T")
Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) during long work; total 0 when it is not known."""


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
    logos: Logos | None = None
    staleness: Staleness | None = None
    """The stale translations its pages show (the dev server compares them after a commit)."""


@dataclass(frozen=True, slots=True)
class SiteInputs:
    """A site loaded and checked, with all that planning its pages needs."""

    config: SiteConfig
    content: Content
    assets: Assets
    envs: Mapping[str, Environment]
    """One Jinja environment per language, its catalog installed."""
    dirs: TemplateDirs
    catalogs: Catalogs
    logos: Logos
    staleness: Staleness
    status: TranslationStatus
    """Each item's status in it only when the site shows the dashboard (nothing else reads
    them: the warnings read the labels and the interface strings)."""


def prepare_site(
    site: Path,
    cache: Path,
    *,
    strict: bool = False,
    memo: Memo | None = None,
    parsed: ParseCache | None = None,
    workers: int = 1,
    replan: Callable[[SiteInputs], tuple[SitePlan, list[Diagnostic]] | None] | None = None,
    verify_stamps: bool = False,
) -> tuple[Prepared | None, list[Diagnostic]]:
    """Settings, content, catalogs, templates and the plan; None when an error stops it.

    `cache`: the folder for derived files kept between builds (resized logos, compiled
    templates). `memo` (the dev server's): every stage whose inputs did not change returns its
    previous result. `parsed` (the build cache's): content folders loaded by the last build;
    those it lacks are parsed over `workers` processes. `replan` (the dev server's): the last
    plan brought up to date, when it can be (else None: the whole site is planned); the memo
    is then not swept, since it kept what the plan did not ask for. `verify_stamps`
    (check's): stamps that no version of their original had are told (stale.py).
    """
    if memo is None and parsed is None:  # (a build checks the names it indexed already)
        problems = undecodable_names(scan_inputs(site, THEME))
        if problems:
            return None, problems
    inputs, problems = load_site(
        site,
        cache,
        strict=strict,
        memo=memo,
        parsed=parsed,
        workers=workers,
        verify_stamps=verify_stamps,
    )
    if inputs is None:
        return None, problems
    replanned = replan(inputs) if replan is not None else None
    if replanned is None:
        plan, found = plan_site(inputs, memo)
        if memo is not None:
            memo.sweep()
    else:
        plan, found = replanned
    problems += found
    prepared = Prepared(
        inputs.config,
        inputs.content,
        plan,
        inputs.assets,
        inputs.envs,
        inputs.dirs,
        inputs.catalogs,
        inputs.logos,
        inputs.staleness,
    )
    return prepared, problems


def plan_site(
    inputs: SiteInputs,
    memo: Memo | None = None,
    languages: Collection[str] | None = None,
    reuse: Reuse | None = None,
    copies: bool = True,
) -> tuple[SitePlan, list[Diagnostic]]:
    """Every page to render (of `languages` only, when given), with its context (but for the
    partner pages `reuse` keeps), and with `copies` the files copied as they are."""
    from allysite.plan import make_plan

    return make_plan(
        inputs.config,
        inputs.content,
        THEME / "static",
        assets=inputs.assets,
        logos=inputs.logos,
        memo=memo,
        staleness=inputs.staleness,
        status=inputs.status,
        languages=languages,
        reuse=reuse,
        copies=copies,
    )


def settled_languages(
    inputs: SiteInputs, languages: Collection[str], settle: Settle
) -> dict[str, list[Route]]:
    """Of these languages, the settled ones, each with the pages that must be planned again
    (plan.settled_routes)."""
    from allysite.plan import settled_routes

    return settled_routes(
        inputs.config,
        inputs.content,
        THEME / "static",
        languages,
        settle,
        assets=inputs.assets,
        logos=inputs.logos,
        staleness=inputs.staleness,
        status=inputs.status,
    )


def load_site(
    site: Path,
    cache: Path,
    *,
    strict: bool = False,
    memo: Memo | None = None,
    parsed: ParseCache | None = None,
    workers: int = 1,
    verify_stamps: bool = False,
) -> tuple[SiteInputs | None, list[Diagnostic]]:
    """Settings, content, catalogs, templates, logos and translation state; None when an
    error stops it. `verify_stamps`: see stale.check_translations."""
    from allysite.assets import build_assets
    from allysite.config import SITE_FILE, load_config
    from allysite.images import prepare_logos
    from allysite.loader import load_content
    from allysite.render import TemplateDirs
    from allysite.stale import find_stale

    problems: list[Diagnostic] = []
    config, found = _kept(
        memo, "config", lambda: file_signature(site / SITE_FILE), lambda: load_config(site)
    )
    problems += found
    if config is None:
        return None, problems
    dirs = TemplateDirs(site / "templates", THEME / "templates")
    made: list[tuple[Catalogs, Mapping[str, Environment], list[Diagnostic]]] = []
    content, found = load_content(  # the catalogs and templates need no content: meanwhile
        config,
        memo,
        parsed,
        workers,
        lambda: made.append(_meanwhile(site, config, dirs, cache, memo, parsed)),
        _logo_of(config, cache, parsed),
    )
    problems += found
    catalogs, envs, found = made[0]
    problems += found
    if failed(problems, strict):
        return None, problems

    logos, found = _kept(
        memo,
        "logos",
        lambda: (config, _logo_signature(config.root, content)),
        lambda: prepare_logos(config, content, cache, parsed, memo),
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
    staleness, found = _kept(  # (git's history too: a commit can make a translation stale)
        memo,
        "staleness",
        lambda: (config, content, git_signature(config.root)),
        lambda: find_stale(config, content, verify_stamps),
    )
    problems += found
    keeps: Keeps | None = parsed
    if memo is not None:  # (the dev server's; asked for in every update: never swept)
        keeps = memo.get("kept-values", None, KeptValues).over(parsed)
    shown = config.translation_dashboard  # (the items' part: the dashboard's alone)
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
            _translation_shape(content, config.default_language.code) if shown else None,
            staleness if shown else None,
        ),
        lambda: _status(config, content, staleness, keeps, memo),
    )
    problems += found
    return SiteInputs(
        config, content, assets, envs, dirs, catalogs, logos, staleness, status
    ), problems


def _meanwhile(
    site: Path,
    config: SiteConfig,
    dirs: TemplateDirs,
    cache: Path,
    memo: Memo | None,
    parsed: ParseCache | None,
) -> tuple[Catalogs, Mapping[str, Environment], list[Diagnostic]]:
    """What needs no content, done while other processes parse it: the catalogs and
    templates, and what the build cache keeps of them (the translation status' part, each
    template's digest)."""
    made = _catalogs_and_templates(site, config, dirs, cache, memo)
    if parsed is not None and not has_errors(made[2]):  # (a broken template stops the build)
        from allysite.status import prepare_status

        prepare_status(config, THEME, parsed)
        if made[1]:
            env = next(iter(made[1].values()))
            template_keys(env, parsed)
            _template_reads(env, parsed)
    return made


def _logo_of(config: SiteConfig, cache: Path, parsed: ParseCache | None) -> Derive | None:
    """A partner's logo prepared as soon as its folder is parsed, for the build cache to keep
    (so a first build cleans and resizes logos over the cores too)."""
    if parsed is None:
        return None
    from allysite.images import logo_slot, prepare_logo
    from allysite.model import Partner

    def derive(item: Partner | Page) -> list[tuple[str, object, object]]:
        if not isinstance(item, Partner) or item.facts.logo is None:
            return []
        name, key = logo_slot(config, item, parsed)
        if parsed.holds(name, key):  # its folder changed, not its logo
            return []
        return [(name, key, prepare_logo(config, item, cache))]

    return derive


def template_keys(env: Environment, parsed: ParseCache) -> TemplateReads:
    """What every template uses and shows (render.read_templates: each one's digest, the
    bodies its pages show, whether they print them whole and summaries plainly, the fields
    they never read), kept by the templates' hashes: finding it parses every template."""
    from allysite.render import read_templates

    return parsed.kept("template-keys", _template_sources(parsed), lambda: read_templates(env))


def _template_reads(env: Environment, parsed: ParseCache) -> None:
    """The names each template reads (rendermemo.memo_names), kept by the templates' hashes
    and given to the bytecode cache that every language's environment shares: a template
    loaded from that cache was not parsed, and each rendering process would parse it."""
    from allysite.render import TEMPLATE_SUFFIXES
    from allysite.rendermemo import memo_names

    def make() -> dict[str, tuple[str, ...] | None]:
        names = env.list_templates(filter_func=lambda name: name.endswith(TEMPLATE_SUFFIXES))
        return {name: memo_names(env.get_template(name)) for name in names}

    reads = getattr(env.bytecode_cache, "reads", None)
    if reads is not None:
        reads.update(parsed.kept("template-reads", _template_sources(parsed), make))


def _template_sources(parsed: ParseCache) -> tuple[tuple[str, bytes], ...]:
    """Every template's name and hash (the site's and the theme's)."""
    return tuple(
        sorted(
            (name, state[DIGEST])
            for name, state in parsed.index.files.items()
            if name.startswith(("templates/", f"{THEME_PREFIX}templates/"))
        )
    )


def _catalogs_and_templates(
    site: Path, config: SiteConfig, dirs: TemplateDirs, cache: Path, memo: Memo | None
) -> tuple[Catalogs, Mapping[str, Environment], list[Diagnostic]]:
    """The catalogs, and every language's Jinja environment with its templates compiled."""
    from allysite.i18n import load_catalogs
    from allysite.render import (
        MemoryBytecodeCache,
        compile_templates,
        language_environments,
        make_environment,
    )

    catalogs, problems = _kept(
        memo,
        "catalogs",
        lambda: (config, _tree_signature(site / "locales"), _tree_signature(THEME / "locales")),
        lambda: load_catalogs(config, THEME / "locales"),
    )

    def environments() -> tuple[Mapping[str, Environment], list[Diagnostic]]:
        bytecode = MemoryBytecodeCache(cache / "templates")
        found = compile_templates(make_environment(dirs, bytecode), dirs)
        return language_environments(dirs, catalogs, bytecode), found

    envs, found = _kept(
        memo,
        "templates",
        lambda: (catalogs, _tree_signature(dirs.site), _tree_signature(dirs.theme)),
        environments,
    )
    return catalogs, envs, [*problems, *found]


def _status(
    config: SiteConfig,
    content: Content,
    staleness: Staleness,
    keeps: Keeps | None,
    memo: Memo | None = None,
) -> tuple[TranslationStatus, list[Diagnostic]]:
    from allysite.status import status_warnings, translation_status

    dashboard = config.translation_dashboard
    status, found = translation_status(config, content, THEME, staleness, keeps, memo, dashboard)
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
    from allysite.stale import find_stale
    from allysite.status import status_warnings, translation_status

    staleness, problems = find_stale(config, content)
    status, found = translation_status(config, content, THEME, staleness)
    return staleness, status, [*problems, *found, *status_warnings(config, status)]


def _kept(memo: Memo | None, slot: str, key: Callable[[], object], make: Callable[[], T]) -> T:
    """`make()`, or with the dev server's memo its last result while `key()` is unchanged."""
    if memo is None:
        return make()
    return memo.get(slot, key(), make)


def _tree_signature(folder: Path) -> object:
    return folder_signature(folder) if folder.is_dir() else None


def _logo_signature(root: Path, content: Content) -> tuple[object, ...]:
    """What prepared logos depend on: each partner's logo file, not its texts. (Paths as
    text: the dev server asks after every edit, and pathlib took most of the time.)"""
    return tuple(
        (p.slug, p.folder, p.facts.logo, file_signature(f"{root}/{p.folder}/{p.facts.logo}"))
        for p in content.partners
        if p.facts.logo
    )


def cache_dir(out: Path) -> Path:
    """Derived files kept between builds (resized logos, the build cache), beside the output."""
    return out.parent / f".{out.name}.allysite-cache"
