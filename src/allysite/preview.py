"""The dev server's site: built once, then kept up to date one edit at a time.

After the first (atomic) build, an edit costs what it touches. The memo keeps parsed content
and views in memory, so only the edited file is parsed again and the plan returns the very
same Route objects for everything the edit did not touch. A route is rendered again only when
it is new, differs from the previous one, uses a template that changed or shows a catalog
that changed; and a file is written only when its bytes differ from what is on disk. Pending
routes render in the background, or at once when a browser asks for them.

Nothing here serves HTTP or prints: server.py does the first, cli.py the second.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from allysite import urls
from allysite.bodyreads import BodyPaths, bodies_at, same_but_bodies
from allysite.build import (
    THEME,
    Prepared,
    Progress,
    cache_dir,
    prepare_site,
    render_pages,
    site_extras,
)
from allysite.cache import BuildCache
from allysite.copies import copy_collisions
from allysite.errors import (
    Diagnostic,
    SourcePos,
    error,
    has_errors,
    relative_path,
    sorted_diagnostics,
)
from allysite.fingerprints import digest
from allysite.memo import FileSignature, Memo, file_signature, folder_signature
from allysite.model import Content
from allysite.output import LOCK_WAIT_SECONDS, check_output_dir, output_lock, write_output
from allysite.pagemeta import PageMeta
from allysite.pipeline import SiteInputs, plan_site, settled_languages
from allysite.plan import with_copies
from allysite.publish import lists_show_no_body
from allysite.render import OutputFile, Problems, read_templates, render_routes
from allysite.routes import Route, SitePlan, SiteView
from allysite.search import index_pages
from allysite.views import PartnerView


@dataclass(frozen=True, slots=True)
class Update:
    """What one build or update did, for the terminal."""

    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    changed: tuple[str, ...] = ()
    """The edited files that started it, relative to the site."""
    pages: int = 0
    """Routes of the site."""
    stale: int = 0
    """Routes to render again."""
    removed: int = 0
    seconds: float = 0.0
    full: bool = False


@dataclass(frozen=True, slots=True)
class Later:
    """Languages whose pages an update did not plan yet: no open tab shows them (as Hugo's
    fast render mode renders the pages a browser shows first). Each is planned from the
    update's inputs in the background, or at once when a browser asks for one of its pages."""

    inputs: SiteInputs
    languages: tuple[str, ...]


VIEWED_SECONDS = 600.0
"""A language is being viewed while a browser asked for one of its pages this recently."""


class Preview:
    """The state of a previewed site; every method runs on the server's one event loop."""

    def __init__(self, site: Path, out: Path) -> None:
        self.site = site.resolve()
        self.out = out.resolve()
        self.memo = Memo()
        self.prepared: Prepared | None = None
        self.routes: dict[str, Route] = {}
        self.pending: dict[str, Route] = {}
        """Routes whose file is out of date, in the order they will be rendered."""
        self.written: dict[str, bytes] = {}
        """Digest of every generated file on disk, by output path."""
        self.copied: dict[str, FileSignature] = {}
        self.diagnostics: tuple[Diagnostic, ...] = ()
        self.render_errors: dict[str, Diagnostic] = {}
        self.extras_due = False
        self.extra_paths: set[str] = set()
        self.generation = 0
        self._templates: dict[str, FileSignature] = {}
        self._bodies: Mapping[str, BodyPaths | None] | None = None
        """The bodies each template's pages show (bodyreads.py), found again when one changes."""
        self._viewed: dict[str, float] = {}
        """When a browser last asked for a page of each language (time.monotonic)."""
        self.later: Later | None = None
        """Languages an update left to plan in the background (their routes are the last
        plan's until then)."""
        self._replanned_later: Later | None = None
        self.renders = 0
        """Pages rendered since the server started (for its reports)."""

    # --- state -----------------------------------------------------------------------------

    @property
    def failed(self) -> bool:
        return has_errors(self.diagnostics) or bool(self.render_errors)

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        return sorted_diagnostics((*self.diagnostics, *self.render_problems))

    @property
    def render_problems(self) -> tuple[Diagnostic, ...]:
        """The pages' template errors, each once as a build reports them: an error in a
        partial every page includes is one error, named by the first of its pages in the
        site's order (render.Problems), not one for each page."""
        distinct = Problems()
        distinct.update(self.render_errors.values())
        return sorted_diagnostics(distinct.found())

    def route_for(self, out_path: str) -> Route | None:
        return self.routes.get(out_path)

    # --- building --------------------------------------------------------------------------

    def build(self, progress: Progress | None = None) -> Update:
        """Everything, written into the output folder in one atomic swap."""
        started = time.perf_counter()
        problems = check_output_dir(self.out, self.site)
        if problems:
            return self._failed(problems, (), started)
        if progress:
            progress("load", 0, 0)
        # The build cache's parsed content (what `allysite build` left): only changed files
        # are parsed again; and what this build parsed is left for the next one.
        store = BuildCache.open(cache_dir(self.out), self.site, self.out, THEME)
        store.scan()
        prepared, found = prepare_site(
            self.site, cache_dir(self.out), memo=self.memo, parsed=store.load_parsed()
        )
        if prepared is None or has_errors(found):
            return self._failed(found, (), started)
        store.save_parsed()
        pages, rendered = render_pages(prepared, progress)
        if has_errors(rendered):
            return self._failed([*found, *rendered], (), started)
        extras = site_extras(prepared)
        # (the copies were planned before the sitemap's numbered parts were known: a file of
        # static/ in their place is an error, as in a build)
        found += copy_collisions(
            prepared.config, prepared.content, [extra.out_path for extra in extras]
        )
        if has_errors(found):
            return self._failed(found, (), started)
        outputs = [*pages, *extras]
        if prepared.config.search:
            if progress:
                progress("search", 0, 0)
            search_files, searched = index_pages(pages)
            outputs += search_files
            found += searched
        if progress:
            progress("write", 0, 0)
        try:
            write_output(self.out, outputs, prepared.plan.copies)
        except OSError as exc:
            problem = error(
                "write",
                f"cannot write the output: {exc.strerror or exc}",
                SourcePos(str(exc.filename or self.out)),
                "check the folder's permissions and free disk space",
            )
            return self._failed([problem], (), started)
        self.written = {output.out_path: digest(output.data) for output in outputs}
        self.extra_paths = {output.out_path for output in outputs[len(pages) :]}
        self.copied = {copy.out_path: file_signature(copy.source) for copy in prepared.plan.copies}
        self._adopt(prepared, found)
        self.pending = {}
        self.later = None
        self.extras_due = False
        self._templates = self._template_signatures(prepared)
        self._bodies = read_templates(next(iter(prepared.envs.values()))).bodies  # (not on an edit)
        return Update(
            True,
            self.diagnostics,
            pages=len(self.routes),
            stale=len(pages),
            seconds=time.perf_counter() - started,
            full=True,
        )

    def update(self, changed: Iterable[Path]) -> Update:
        """Bring the site up to date after edits; renders nothing yet (see `render_pending`)."""
        started = time.perf_counter()
        edited = tuple(sorted({relative_path(path, self.site) for path in changed}))
        self._forget(changed)
        if self.prepared is None:  # nothing good was ever built: build it all
            result = self.build()
            return Update(
                result.ok,
                result.diagnostics,
                edited,
                result.pages,
                result.stale,
                0,
                result.seconds,
                True,
            )
        self._replanned_later = None
        prepared, found = prepare_site(
            self.site, cache_dir(self.out), memo=self.memo, replan=self._replan
        )
        if prepared is None or has_errors(found):
            return self._failed(found, edited, started)
        later = self._replanned_later
        deferred = frozenset(later.languages if later else ())
        templates = self._template_signatures(prepared)
        changed_templates = {
            name
            for name in templates.keys() | self._templates.keys()
            if templates.get(name) != self._templates.get(name)
        }
        languages = self._changed_languages(prepared, edited)
        closures: Mapping[str, tuple[str, ...]] = {}
        if self._bodies is None or changed_templates:
            reads = read_templates(next(iter(prepared.envs.values())))
            closures, self._bodies = reads.closures, reads.bodies
        routes = {route.out_path: route for route in prepared.plan.routes}
        pending = {}
        sites: dict[tuple[int, int], bool] = {}
        for out_path, route in routes.items():
            if route.lang in deferred:  # (the last plan's route: compared once planned)
                if out_path in self.pending or out_path in self.render_errors:
                    pending[out_path] = route
                continue
            if (
                _shows_other(self.routes.get(out_path), route, self._bodies, sites)
                or out_path in self.pending
                or out_path in self.render_errors
                or route.lang in languages
                or not changed_templates.isdisjoint(closures.get(route.template, (route.template,)))
            ):
                pending[out_path] = route
        removed = [path for path in self.routes if path not in routes]
        self._sync_copies(prepared)
        for out_path in removed:
            self._delete(out_path)
        self._adopt(prepared, found)
        self.pending = pending
        self.later = later
        self.render_errors = {}
        self._templates = templates
        return Update(
            True,
            self.diagnostics,
            edited,
            len(routes),
            len(pending),
            len(removed),
            time.perf_counter() - started,
        )

    def _replan(self, inputs: SiteInputs) -> tuple[SitePlan, list[Diagnostic]] | None:
        """The last plan brought up to date language by language, as a build does with its
        settled languages (routes.Settle): in a settled language only the pages of the
        partners whose folders changed are planned again (an edit of a profile's words makes
        no other partner's view and plans no list); every page of another language is
        planned again (an edit of a summary or a name, shown in its language's lists, plans
        that language, not the five others). No language is settled when the partners are
        not those of the last plan, a page's texts, a logo or the theme's files changed.
        None (the whole site is planned) when no language is settled and none is left for
        later (below), or when the settings, templates or catalogs changed.

        While a browser shows pages of some languages (`_viewed_languages`), the other
        languages that are not settled are left to plan later (`Later`, `plan_later`): an
        edit that changes every page (a topic added to a partner) plans one language before
        the tabs reload, not six."""
        kept, bodies = self.prepared, self._bodies
        if (
            kept is None
            or bodies is None
            or not lists_show_no_body(bodies)
            or inputs.config is not kept.config
            or inputs.envs is not kept.envs
            or inputs.catalogs is not kept.catalogs
        ):
            return None
        settle = KeptSettle(kept.plan, self.routes, kept.content, inputs.content)
        codes = [language.code for language in inputs.config.languages]
        unplanned = set(self.later.languages) if self.later else set()  # (never settled)
        settled = (
            settled_languages(inputs, [c for c in codes if c not in unplanned], settle)
            if settle.same_partners
            and settle.same_pages
            and inputs.assets is kept.assets
            and inputs.logos is kept.logos
            else {}
        )
        viewed = self._viewed_languages()
        later = [c for c in codes if c not in settled and c not in viewed] if viewed else []
        if not settled and not later:
            return None
        unsettled = {code for code in codes if code not in settled and code not in later}
        replaced = {route.out_path: route for routes in settled.values() for route in routes}
        routes = [  # (the root's pages and the dashboard are the default language's)
            replaced.pop(route.out_path, route)
            for route in kept.plan.routes
            if route.lang not in unsettled
        ]
        if replaced:  # (a page the last plan did not have)
            return None
        # (the feeds' views: in a settled language, the edited partners' are the last ones,
        # whose cards are the same, bodies aside; a feed shows no body, as the build's
        # settled languages assume too: feeds.py)
        views = {view.language.code: view for view in kept.plan.views}
        if unsettled:
            fresh, _ = plan_site(inputs, self.memo, languages=unsettled, copies=False)
            routes += fresh.routes
            views.update((view.language.code, view) for view in fresh.views)
        self._replanned_later = Later(inputs, tuple(later)) if later else None
        return with_copies(
            inputs.config,
            inputs.content,
            THEME / "static",
            tuple(routes),
            tuple(views[code] for code in codes),
            inputs.assets,
            inputs.logos,
            self.memo,
        )

    def _adopt(self, prepared: Prepared, found: list[Diagnostic]) -> None:
        self.prepared = prepared
        self.routes = {route.out_path: route for route in prepared.plan.routes}
        self.diagnostics = sorted_diagnostics(found)
        self.render_errors = {}
        self.extras_due = True
        self.generation += 1

    def _failed(
        self, problems: Iterable[Diagnostic], edited: tuple[str, ...], started: float
    ) -> Update:
        """Keep the last good site; remember the problems for the error page."""
        self.diagnostics = sorted_diagnostics(problems)
        self.generation += 1
        return Update(False, self.diagnostics, edited, seconds=time.perf_counter() - started)

    def history_moved(self) -> list[Path]:
        """The translations whose staleness by git's history is no longer what the pages
        show (a commit, checkout or pull changes no source file): to update as if edited."""
        from allysite.stale import find_stale

        prepared = self.prepared
        if prepared is None or prepared.staleness is None:
            return []
        shown = prepared.staleness
        now, _ = find_stale(prepared.config, prepared.content)
        moved = {
            source for source in shown.keys() | now.keys() if shown.get(source) != now.get(source)
        }
        return [self.site / source for source in sorted(moved)]

    def _forget(self, changed: Iterable[Path]) -> None:
        """Drop memo entries of edited files even if their size and time look unchanged, and
        let the loader reuse the folders where nothing changed without listing them again."""
        folders = set()
        for path in changed:
            folders.add(path)  # a folder moved or made again
            folders.update(path.parents)
        names = {relative_path(path, self.site).split("/", 1)[0] for path in changed}
        if names & {"site.yaml", "locales", "templates"}:
            self.memo.unchanged = lambda folder: False  # check every folder
        else:  # (a folder read through a link is checked all the same: loader._subfolders)
            self.memo.unchanged = lambda folder: folder not in folders
        self.memo.drop(*(("folder", folder) for folder in folders))  # (loader._cached_folder)
        if "site.yaml" in names:
            self.memo.drop("config")
        if "locales" in names:
            self.memo.drop("catalogs", "templates")
        if "templates" in names:
            self.memo.drop("templates")

    def _changed_languages(self, prepared: Prepared, edited: tuple[str, ...]) -> set[str]:
        old = self.prepared.catalogs if self.prepared else None
        new = prepared.catalogs
        if old is new:
            return set()
        return {
            code
            for code, inputs in new.inputs.items()
            if old is None
            or tuple(old.inputs.get(code, ())) != tuple(inputs)
            or any(path in edited for path in inputs)
        }

    def _template_signatures(self, prepared: Prepared) -> dict[str, FileSignature]:
        signatures: dict[str, FileSignature] = {}
        for root in (prepared.dirs.theme, prepared.dirs.site):  # the site's override the theme's
            if root.is_dir():
                for entry in folder_signature(root):
                    signatures[Path(entry[0]).relative_to(root).as_posix()] = entry
        return signatures

    # --- rendering and writing -------------------------------------------------------------

    def render(self, out_path: str) -> None:
        """A browser asked for a file: if it is a page, its language is being viewed, and the
        page is planned (if its language was left for later) and rendered now if pending."""
        waiting = self._left_for_later(out_path)
        if waiting is not None:
            self.plan_later(waiting)
        known = self.routes.get(out_path)
        if known is not None:
            self._viewed[known.lang] = time.monotonic()
        self._render(out_path)

    def _left_for_later(self, out_path: str) -> str | None:
        """The language left for later that a file is of: by its route, or by its folder (a
        page that only the language's new plan has)."""
        if self.later is None:
            return None
        last = self.routes.get(out_path)
        folder = out_path.partition("/")[0]
        for code in self.later.languages:
            if folder == urls.lang_segment(code) or (last is not None and last.lang == code):
                return code
        return None

    def _viewed_languages(self) -> set[str]:
        recent = time.monotonic() - VIEWED_SECONDS
        return {code for code, when in self._viewed.items() if when >= recent}

    def plan_later(self, code: str | None = None) -> None:
        """Plan a language an update left for later (`code`, else the first): its routes
        replace the last plan's, and those that show something else become pending."""
        later, prepared = self.later, self.prepared
        if later is None or prepared is None:
            return
        code = code if code is not None else later.languages[0]
        remaining = tuple(language for language in later.languages if language != code)
        self.later = Later(later.inputs, remaining) if remaining else None
        fresh, found = plan_site(later.inputs, self.memo, languages=[code], copies=False)
        bodies = self._bodies or {}
        sites: dict[tuple[int, int], bool] = {}
        planned = {route.out_path: route for route in fresh.routes}
        for out_path, route in planned.items():
            if out_path in self.pending or _shows_other(
                self.routes.get(out_path), route, bodies, sites
            ):
                self.pending[out_path] = route
            self.routes[out_path] = route
        for out_path, old in list(self.routes.items()):
            if old.lang == code and out_path not in planned:  # (a term no partner has now)
                del self.routes[out_path]
                self.pending.pop(out_path, None)
                self._delete(out_path)
        views = {view.language.code: view for view in (*prepared.plan.views, *fresh.views)}
        plan = prepared.plan
        known = {route.out_path for route in plan.routes}
        routes = (
            *(
                self.routes[route.out_path]
                for route in plan.routes
                if route.out_path in self.routes
            ),
            *(route for route in fresh.routes if route.out_path not in known),
        )
        ordered = tuple(views[view.language.code] for view in plan.views)
        self.prepared = replace(prepared, plan=replace(plan, routes=routes, views=ordered))
        if found:
            self.diagnostics = sorted_diagnostics((*self.diagnostics, *found))

    def _render(self, out_path: str) -> None:
        """Render one pending route now and write it if it changed."""
        route = self.pending.pop(out_path, None)
        if route is None or self.prepared is None:
            return
        self.renders += 1
        pages, problems = render_routes([route], self.prepared.envs, self.prepared.dirs)
        if problems:
            self.render_errors[out_path] = problems[0]
            return
        self.render_errors.pop(out_path, None)
        for page in pages:
            self._write(page.out_path, page.data)

    def render_pending(self, seconds: float = 0.02) -> bool:
        """Render pending routes for about `seconds`; True while some remain."""
        if self.later is not None:  # (a step of its own: a language takes longer)
            self.plan_later()
            return True
        deadline = time.perf_counter() + seconds
        while self.pending and time.perf_counter() < deadline:
            self._render(next(iter(self.pending)))
        return bool(self.pending)

    def finish(self) -> None:
        """Everything still pending rendered and the extras written at once, as the server
        stops: the output left is then a build's (errors aside, as while serving)."""
        while self.render_pending(1.0):
            pass
        job = self.extras()
        if job is not None:
            self.write_extras(job(), self.generation)

    def extras(self) -> Callable[[], list[OutputFile]] | None:
        """A function (safe to run in a worker thread) giving the sitemap, feeds and the other
        files that are no pages, and the search index; None when they are up to date."""
        if not self.extras_due or self.pending or self.later or self.prepared is None:
            return None
        if self.failed:
            return None
        self.extras_due = False
        prepared, out = self.prepared, self.out

        def make() -> list[OutputFile]:
            files = site_extras(prepared)
            if prepared.config.search:
                pages = [
                    OutputFile(route.out_path, (out / route.out_path).read_bytes())
                    for route in prepared.plan.routes
                    if route.out_path.endswith(".html") and (out / route.out_path).is_file()
                ]
                files += index_pages(pages)[0]
            return files

        return make

    def write_extras(self, files: list[OutputFile], generation: int) -> int:
        """Write the extras made for `generation` (older ones are dropped); files the last
        extras had and these do not (an old search index part) are removed. A file of static/
        where a numbered sitemap goes is an error, as in a build: nothing is written."""
        if generation != self.generation:
            self.extras_due = True
            return 0
        made = {file.out_path for file in files}
        prepared = self.prepared
        if prepared is not None:  # (a file of static/ where a numbered sitemap now goes)
            collisions = copy_collisions(prepared.config, prepared.content, made)
            if collisions:  # (as a build, nothing written: the last good files stay)
                self.diagnostics = sorted_diagnostics((*self.diagnostics, *collisions))
                self.generation += 1
                return 0
        count = sum(self._write(file.out_path, file.data) for file in files)
        for out_path in self.extra_paths - made:
            if out_path not in self.routes:
                self._delete(out_path)
        self.extra_paths = made
        if prepared is not None and any(
            copy.out_path not in self.copied for copy in prepared.plan.copies
        ):  # (a copy held back while the last extras had its place: _sync_copies)
            self._sync_copies(prepared)
        return count

    def _write(self, out_path: str, data: bytes) -> bool:
        data_digest = digest(data)
        if self.written.get(out_path) == data_digest:
            return False
        target = self.out / out_path
        with output_lock(self.out, LOCK_WAIT_SECONDS):  # not while a build swaps it
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.allysite-tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)
        self.written[out_path] = data_digest
        return True

    def _sync_copies(self, prepared: Prepared) -> None:
        wanted = {copy.out_path: copy for copy in prepared.plan.copies}
        for out_path in [path for path in self.copied if path not in wanted]:
            self._delete(out_path)
        signatures: dict[Path, FileSignature] = {}
        for out_path, copy in wanted.items():
            if out_path in self.extra_paths:  # (a numbered sitemap made: write_extras says)
                continue
            if copy.source not in signatures:
                signatures[copy.source] = file_signature(copy.source)
            signature = signatures[copy.source]
            if self.copied.get(out_path) != signature:
                target = self.out / out_path
                temporary = target.with_name(f".{target.name}.allysite-tmp")
                with output_lock(self.out, LOCK_WAIT_SECONDS), contextlib.suppress(OSError):
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(copy.source, temporary)
                    os.replace(temporary, target)
                self.copied[out_path] = signature

    def _delete(self, out_path: str) -> None:
        self.written.pop(out_path, None)
        self.copied.pop(out_path, None)
        target = self.out / out_path
        with output_lock(self.out, LOCK_WAIT_SECONDS), contextlib.suppress(OSError):
            target.unlink()
        parent = target.parent
        while parent != self.out and parent.is_relative_to(self.out):
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break
            parent = parent.parent


class KeptSettle:
    """routes.Settle from the dev server's last plan, held in memory. A partner is known
    while the loader gives the very object of the last plan for its folder (the memo's); a
    changed partner's view must be the last one, bodies aside (the lists show none); and
    the site view of each language must be the last one."""

    def __init__(
        self, plan: SitePlan, routes: Mapping[str, Route], before: Content, now: Content
    ) -> None:
        """`routes`: the last plan's, by output path (Preview.routes)."""
        last = {partner.folder: partner for partner in before.partners}
        self.same_partners = [p.folder for p in before.partners] == [p.folder for p in now.partners]
        """The same partners' folders, in the same order."""
        self.same_pages = len(before.pages) == len(now.pages) and all(
            page is last_page for page, last_page in zip(now.pages, before.pages, strict=True)
        )
        """The very pages of the last plan (the memo's): no settled language plans a page
        again, and a page's translation is in the alternates of the others' (as a build's
        frame hashes every input that is no partner's: publish.PartnerReuse.frame)."""
        self._changed = {p.folder for p in now.partners if last.get(p.folder) is not p}
        self._slugs = {partner.folder: partner.slug for partner in now.partners}
        self._plan = plan
        self._routes = routes
        self._sites = {
            route.lang: route.context.get("site")
            for route in routes.values()
            if route.template == "home.html"
        }
        self._views: dict[tuple[str, str], PartnerView] | None = None

    def settles(self, site: SiteView, partners: int) -> bool:
        # (the number of partners: same_partners holds the very folders, in order)
        return self.same_partners and self._sites.get(site.language.code) == site

    def known(self, site: SiteView, folder: str) -> bool:
        return folder not in self._changed

    def same_card(self, site: SiteView, folder: str, view: PartnerView) -> bool:
        if self._views is None:
            self._views = {
                (language.language.code, partner.item.slug): partner
                for language in self._plan.views
                for partner in language.partners
            }
        last = self._views.get((site.language.code, self._slugs[folder]))
        return last is not None and same_but_bodies(last, view)

    def same_entries(self, metas: Iterable[PageMeta]) -> bool:
        for meta in metas:
            last = self._routes.get(urls.output_path(meta.path))
            if last is None or last.context.get("page") != meta:
                return False
        return True


def _shows_other(
    old: Route | None,
    new: Route,
    bodies: Mapping[str, BodyPaths | None],
    sites: dict[tuple[int, int], bool],
) -> bool:
    """Whether a page must be rendered again: it is new, or its route changed in what its
    template shows."""
    return old is None or (
        old is not new and old != new and not _shows_the_same(old, new, bodies, sites)
    )


def _shows_the_same(
    old: Route,
    new: Route,
    bodies: Mapping[str, BodyPaths | None],
    sites: dict[tuple[int, int], bool],
) -> bool:
    """Whether a page whose route changed still shows the same: its context differs only in
    bodies its template does not show (a partner's card on a list, after a body edit).
    `sites`: whether two site views are the same, bodies aside, by their ids (a language's
    pages share theirs, compared once: a topic added to a partner makes every page's new,
    and comparing it deeply for each of 6,000 pages took 0.3 s)."""
    if old.template != new.template or old.lang != new.lang:
        return False
    paths = bodies.get(new.template)
    shown = bodies_at(new.context, paths)
    if shown is None or shown != bodies_at(old.context, paths):
        return False
    old_site, new_site = old.context.get("site"), new.context.get("site")
    pair = (id(old_site), id(new_site))  # (both alive meanwhile: their ids stay theirs)
    same = sites.get(pair)
    if same is None:
        same = sites[pair] = same_but_bodies(old_site, new_site)
    return same and same_but_bodies(_but_site(old.context), _but_site(new.context))


def _but_site(context: Mapping[str, object]) -> dict[str, object]:
    return {name: value for name, value in context.items() if name != "site"}
