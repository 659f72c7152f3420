"""The work of a build's forked processes: the site loaded, its pages planned and rendered
over the cores (each process some languages), the other files staged meanwhile, and what
they made sent back to the build (build.py) as `Made`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from allysite.cache import BuildCache, LanguagePages
from allysite.errors import Diagnostic, failed
from allysite.inputindex import DIGEST, THEME_PREFIX
from allysite.memo import file_signature
from allysite.output import SpareLinks, Staging
from allysite.pipeline import (
    THEME,
    SiteInputs,
    cache_dir,
    load_site,
    plan_site,
    settled_languages,
    template_keys,
)
from allysite.sitefiles import site_files

if TYPE_CHECKING:
    from allysite.cache import Manifest
    from allysite.fingerprints import Fingerprints
    from allysite.publish import PageKeys, PartnerReuse, Published
    from allysite.render import OutputFile
    from allysite.sitemap import SitemapEntry
    from allysite.views import LanguageView
    from allysite.workers import SharedCounts


@dataclass(frozen=True, slots=True)
class Made:
    """What loading the site and rendering its pages gave the build's own process."""

    problems: list[Diagnostic]
    published: Published | None = None
    """None when a problem stopped it before rendering."""
    pages: tuple[str, ...] = ()
    """The output path of every page."""
    search: bool = False


def make_pages(
    site: Path,
    out: Path,
    store: BuildCache,
    strict: bool,
    count: int,
    freeze: Callable[[], None],
    staging: Staging,
    counts: SharedCounts,
    waiting: Callable[[], None],
    links: SpareLinks | None = None,
) -> Made:
    """The site loaded, its pages rendered over `count` processes (the other files staged
    here meanwhile), its static files checked against every page, and the sitemap.
    `links`: sent the files staged once the pages are (output.SpareLinks)."""
    from allysite import urls
    from allysite.copies import copy_collisions
    from allysite.fingerprints import combine
    from allysite.publish import stage_sitemap
    from allysite.sitemap import limits, sitemap_files
    from allysite.workers import Deal, in_workers

    inputs, problems = load_site(
        site, cache_dir(out), strict=strict, parsed=store.load_parsed(), workers=count
    )
    if inputs is None or failed(problems, strict):
        return Made(problems)
    freeze()  # the site stays loaded to the end: the cycle collector need not walk it
    languages = [lang.code for lang in inputs.config.languages]
    keys = _page_keys(inputs, store)

    def told_by(slot: int) -> Callable[[int, int], None]:
        def told(done: int, total: int) -> None:
            counts.set(2 * slot, done)
            counts.set(2 * slot + 1, total)
            if count == 1:
                waiting()

        return told

    def job(worker: int) -> Published:
        share = (languages[number] for number in deal)
        if worker == 0:
            part = _side(inputs, staging, store)
            if count > 1:  # (see below)
                part.merge(_publish_share(inputs, share, keys, staging, store, told_by(count)))
            return part
        own = staging if count == 1 else staging.attach()
        return _publish_share(inputs, share, keys, own, store, told_by(worker - 1))

    # A language at a time, to whichever process is free. This process takes some too once
    # it has staged the other files: it owns the site, so its pages cost no copies of the
    # memory that a forked process writes to (reference counts). In a first build it forks
    # one process fewer than there are cores, for the cores are busy throughout: a process
    # more would cost its copies of the site (the whole build's memory, every process
    # counted: 245 → 216 MB on the 1,000-partner site) for no time. In a rebuild it forks one
    # per core, to render at once the languages that changed while it stages the rest.
    forked = count if store.previous is not None else count - 1
    with Deal(len(languages)) as deal:
        parts = [job(0), job(1)] if count == 1 else in_workers(forked + 1, job)
    published = _merged(parts)
    if links is not None:  # (linked while the sitemap is made and the output swapped in,
        links.send(published.states)  # when a core is free: none is while pages render)
    problems += published.problems
    pages = tuple(published.pages)
    most = limits()  # keyed by what it shows of every page, and how much a file may hold
    shown = sorted(published.sitemap.items())
    fixed = (keys.code, inputs.config.base_url.encode(), repr(most).encode())
    key = combine((*fixed, *(n.encode() + d for n, d in shown)))

    def make() -> list[OutputFile]:
        entries = published.listed
        if published.settled:  # (a safeguard: a language is settled only when no page's
            # entry changed, in any language: the sitemap is then kept, not made)
            entries = [*entries, *_entries(inputs, published.settled)]
        unique = {entry[0]: entry for entry in entries}.values()  # (some planned twice)
        return sitemap_files(unique, urls.Urls(inputs.config.base_url), most)

    sitemaps = stage_sitemap(key, make, staging, store.previous, published)
    # (its numbered parts are known once made: a static file may not take their place)
    problems += copy_collisions(inputs.config, inputs.content, (*pages, *sitemaps))
    published.pages, published.listed = [], []  # sent back lighter: `pages` is enough
    return Made(problems, published, pages, inputs.config.search)


def _entries(inputs: SiteInputs, languages: list[str]) -> list[SitemapEntry]:
    """The sitemap entries of every page of these languages, planned again whole."""
    from allysite.sitemap import sitemap_entry

    plan, _ = plan_site(inputs, languages=languages, copies=False)
    return [sitemap_entry(route) for route in plan.routes if route.in_sitemap]


def _publish_share(
    inputs: SiteInputs,
    languages: Iterable[str],
    keys: PageKeys,
    staging: Staging,
    store: BuildCache,
    told: Callable[[int, int], None],
) -> Published:
    """The pages of some languages planned, rendered where they changed, and their feeds.

    The languages are taken one at a time (from workers.Deal), so that after an edit shown
    in a few languages' lists, the processes share those languages' planning and rendering
    instead of one of them doing it all while the other keeps settled languages."""
    from allysite.publish import PartnerReuse, Published, page_prints
    from allysite.rendermemo import forget_outputs

    previous = store.previous
    prints = page_prints(keys)  # (see bodyreads.py)
    folders = store.load_parsed().folders
    reuse = PartnerReuse(keys, folders, previous, staging.out, prints)
    part = Published()
    for code in languages:
        told_after = _counted_after(len(part.pages), told)
        _publish_language(inputs, code, keys, staging, previous, reuse, prints, part, told_after)
        if _keeps_places(inputs):
            _store_places(part, code, store)
        part.places, part.summaries = {}, {}  # (stored, language by language: not sent back)
        prints.forget()  # (the language's views: no other language's pages show them)
        forget_outputs(inputs.envs[code])
    part.views = reuse.views
    part.listed = _shared_alternates(part.listed)
    return part


def _shared_alternates(entries: list[SitemapEntry]) -> list[SitemapEntry]:
    """Sitemap entries whose equal alternates are one object: a page's translations have the
    same, made by each language's plan, and pickled once each they are sent back in half the
    bytes (1.8 → 0.8 MB from each process on the 1,000-partner site)."""
    same: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
    return [(path, same.setdefault(alternates, alternates)) for path, alternates in entries]


def _publish_language(
    inputs: SiteInputs,
    code: str,
    keys: PageKeys,
    staging: Staging,
    previous: Manifest | None,
    reuse: PartnerReuse,
    prints: Fingerprints,
    part: Published,
    told: Callable[[int, int], None],
) -> None:
    """One language's pages into `part`: those of a settled language (routes.Settle) that
    must be planned again, else all of them planned anew; then its feed."""
    from allysite import urls
    from allysite.feeds import traced_feed
    from allysite.fingerprints import combine
    from allysite.publish import keep_settled, publish_slice, stage_made

    settled = {} if previous is None else settled_languages(inputs, [code], reuse)
    if settled:
        planned, views = settled[code], ()
    else:  # (_side plans the files copied as they are)
        plan, _ = plan_site(inputs, languages=[code], reuse=reuse, copies=False)
        planned, views = plan.routes, plan.views
    told(0, len(planned))
    made = publish_slice(
        planned, inputs.envs, inputs.dirs, keys, staging, previous, told, prints, reuse.sites
    )
    part.merge(made)
    part.places.update(made.places)
    part.summaries.update(made.summaries)
    config = inputs.config
    for view in views:  # a feed shows the language's views: keyed by them
        key = combine((keys.code, prints.of((config.title, config.base_url, view))))
        name = urls.output_path(urls.feed(view.language.code))

        def feed(view: LanguageView = view, name: str = name) -> bytes:
            file, part.summaries[name] = traced_feed(config, view)
            return file.data

        stage_made(name, key, feed, staging, previous, part)
    if settled:
        assert previous is not None
        keep_settled(code, [route.out_path for route in planned], previous, staging, part)
    else:
        part.languages[code] = LanguagePages(reuse.frames[code], tuple(made.pages))


def _counted_after(before: int, told: Callable[[int, int], None]) -> Callable[[int, int], None]:
    """A language's progress, told as the process's: after the pages of its other languages."""
    return lambda done, total: told(before + done, before + total)


def _keeps_places(inputs: SiteInputs) -> bool:
    """Whether the build stores where its pages show which texts (for rebuilds after edits of
    texts alone: bodyedit.py): not on a site with search, whose rebuild must index the pages
    again."""
    return not inputs.config.search


def _store_places(part: Published, code: str, store: BuildCache) -> None:
    """Where the pages of a language show which texts' bodies, and where they and its feed
    show which summaries: those rendered now, and the others as the last build found them
    (for rebuilds after edits of texts alone: bodyedit.py)."""
    from allysite import urls
    from allysite.bodyedit import language_places
    from allysite.cache import SHOWN, SUMMARIES

    pages = part.languages[code].pages
    places = language_places(pages, part.places, store.last_places(code))
    if places is not None and store.save_places(code, places):
        part.stored.append(code)
    shown = (*pages, urls.output_path(urls.feed(code)))
    summaries = language_places(shown, part.summaries, store.last_places(SUMMARIES + code))
    if summaries is not None and store.save_places(SUMMARIES + code, summaries):
        sources = frozenset(span[0] for spans in summaries.values() for span in spans)
        if store.save_places(SHOWN + code, sources):
            part.stored.append(SUMMARIES + code)


def _side(inputs: SiteInputs, staging: Staging, store: BuildCache) -> Published:
    """What is neither a page nor a feed, staged while the pages render; the parse cache."""
    from allysite.bodyedit import text_records
    from allysite.cache import TEXTS, plain_records
    from allysite.publish import Published, stage, stage_copies

    part = Published()
    if _keeps_places(inputs):
        texts = text_records(inputs.content, inputs.config.default_language.code)
        if store.save_places(TEXTS, plain_records(texts)):
            part.stored.append(TEXTS)
    for file in site_files(inputs.config, inputs.assets):
        stage(staging, file.out_path, file.data, part)
    copies, part.problems = plan_site(inputs, languages=())
    stage_copies(copies.copies, staging, store.previous, lambda p: _source_key(p, store), part)
    store.save_parsed()
    return part


def _merged(parts: list[Published]) -> Published:
    from allysite.publish import Published
    from allysite.render import Problems

    result = Published()
    problems = Problems()
    for part in parts:
        problems.update(part.problems)
        part.problems = []
        result.merge(part)
    result.problems = problems.found()
    return result


def _history(inputs: SiteInputs) -> bytes:
    """The translations that git's history alone finds stale (stale.py): its commits are no
    input file, yet they show on those pages, so they are in every page's key (with the
    inputs that are no partner's). Stamps are in the folders' files, keyed with them."""
    stale = sorted(found.source for found in inputs.staleness.values() if found.by == "git")
    return b"git\0" + "\0".join(stale).encode()


def _page_keys(inputs: SiteInputs, store: BuildCache) -> PageKeys:
    """The keys' parts shared by many pages: every template's, each catalog's, the code's,
    and every input's that is no partner's; and the templates whose pages are rendered with
    their summaries' places (none on a site with search)."""
    from allysite.bodyreads import TERMS, WEBSITE
    from allysite.fingerprints import combine
    from allysite.inputindex import PARTNERS
    from allysite.publish import PARTNER_TEMPLATE, PageKeys

    env = next(iter(inputs.envs.values()))
    reads = template_keys(env, store.load_parsed())
    catalogs = {
        code: b"".join(store.index.file_digest(name) for name in names)
        for code, names in inputs.catalogs.inputs.items()
    }
    shared = combine(  # once here, not in every rendering process
        (
            *(
                name.encode() + b"\0" + digest
                for name, digest in sorted(
                    (name, state[DIGEST])
                    for name, state in store.index.files.items()
                    if not name.startswith(PARTNERS)
                )
            ),
            _history(inputs),
        )
    )
    # (no page is rendered with its summaries marked on a site with search)
    plain = reads.plain if _keeps_places(inputs) else frozenset()
    termless = frozenset(name for name, fields in reads.unread.items() if TERMS in fields)
    others = (fields for name, fields in reads.unread.items() if name != PARTNER_TEMPLATE)
    apart = frozenset({WEBSITE}) if all(WEBSITE in fields for fields in others) else frozenset()
    return PageKeys(
        store.environment[0],
        reads.digests,
        catalogs,
        reads.bodies,
        shared,
        reads.whole,
        plain,
        store.index.files,
        termless,
        apart,
    )


def _source_key(source: Path, store: BuildCache) -> bytes:
    """A copied file's hash from the input index, or its size and times (derived logos)."""
    # (called in the side process: the index is the one the build started with)
    for root, prefix in ((store.site, ""), (THEME, THEME_PREFIX)):
        if source.is_relative_to(root):
            name = prefix + source.relative_to(root).as_posix()
            if name in store.index.files:
                return store.index.file_digest(name)
    signature = file_signature(source)
    return repr(signature).encode()
