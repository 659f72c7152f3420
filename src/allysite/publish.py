"""Pages into the staging folder: each rendered only when its key changed, on every core.

A page's key hashes everything it is made from: the view values of its context, its template
with those it extends, includes or imports, its language's catalog, and the code. A page
whose key is the last build's, and whose file in the output is still as it was written, is
linked from the output instead of rendered again.

Routes are independent, so a build renders them over processes (build.py): each plans and
renders the pages of some languages straight into the staging folder, and sends back only
the keys, the files' states and the messages (`Published`).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from jinja2 import Environment

from allysite import urls
from allysite.bodyreads import BODY, BodyPaths, texts_at
from allysite.cache import LanguagePages, Manifest, OutputState, Shown
from allysite.copies import FileCopy
from allysite.errors import Diagnostic
from allysite.fingerprints import Fingerprints, Unfingerprintable, combine, partner_basis
from allysite.inputindex import DIGEST, FileState
from allysite.output import Staging
from allysite.pagemeta import PageMeta
from allysite.render import OutputFile, Problems, TemplateDirs, render_page
from allysite.routes import Route, SiteView
from allysite.search import INDEX_MARK, index_pages
from allysite.sitemap import SitemapEntry, entry_key, entry_of, sitemap_entry
from allysite.traced import Span
from allysite.views import PartnerView

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PageKeys:
    """The parts of a page's key that many pages share."""

    code: bytes
    templates: Mapping[str, bytes]
    catalogs: Mapping[str, bytes]
    bodies: Mapping[str, BodyPaths | None] = field(default_factory=lambda: MappingProxyType({}))
    """The texts whose bodies each template's pages show (None: unknown; bodyreads.py)."""
    shared: bytes = b""
    """The hash of every input that is no partner's (settings, templates, catalogs, pages,
    the theme): part of every partner page's basis (PartnerReuse)."""
    whole: frozenset[str] = frozenset()
    """The templates whose pages print each body they show unchanged (bodyreads.py)."""
    plain: frozenset[str] = frozenset()
    """The templates whose pages print summaries plainly: their summaries' places are kept
    (traced.py)."""
    inputs: Mapping[str, FileState] = field(default_factory=lambda: MappingProxyType({}))
    """The input index's files: a body is rendered from its text's file alone (itemfiles.py;
    the Markdown libraries' versions are in `code`), so a page is keyed by the hashes of the
    files of the bodies it shows instead of hashing the bodies again."""
    termless: frozenset[str] = frozenset()
    """The templates whose pages read no taxonomy's terms (bodyreads.reads_none_of): keyed
    with the site view's taxonomies without them (`SiteKeys`)."""
    apart: frozenset[str] = frozenset()
    """Fields of the partner views that only a partner's own page reads, where every other
    template reads none of them (bodyreads.WEBSITE): left out of every view's fingerprint
    (`page_prints`), and keyed on the partner's pages by their own view's (`route_key`). A
    website edit then changes no list's key: its languages are settled."""


def page_prints(keys: PageKeys) -> Fingerprints:
    """The fingerprints that key pages: without the texts' bodies (bodyreads.py) and the
    fields kept apart."""
    apart = {f"{PartnerView.__qualname__}.{name}" for name in keys.apart}
    return Fingerprints(leave_out=frozenset({BODY, *apart}))


@dataclass
class Published:
    """What filling the staging folder with pages did."""

    keys: dict[str, bytes] = field(default_factory=dict)
    states: dict[str, OutputState] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)
    """Output paths of the pages rendered anew (the others were linked)."""
    problems: list[Diagnostic] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    """The output path of every page published (for search), in order."""
    listed: list[SitemapEntry] = field(default_factory=list)
    """Every page in the sitemap, as it shows it (plain tuples: sent between processes)."""
    sitemap: dict[str, bytes] = field(default_factory=dict)
    """The fingerprint of what the sitemap shows of each page in it."""
    bases: dict[str, bytes] = field(default_factory=dict)
    """The basis of each partner page (see routes.Reuse), by output path."""
    views: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)
    """The basis and fingerprint of each partner view (see PartnerReuse)."""
    languages: dict[str, LanguagePages] = field(default_factory=dict)
    """Each language's frame and pages, for the next build (see routes.Settle)."""
    settled: list[str] = field(default_factory=list)
    """The languages found settled: of their pages, only those planned are in `listed`."""
    places: dict[str, Shown | None] = field(default_factory=dict)
    """Where each page rendered shows which texts' bodies (None: not known; body_places):
    stored by the process that rendered it, not sent back."""
    summaries: dict[str, tuple[Span, ...] | None] = field(default_factory=dict)
    """Where each page rendered and feed made shows which texts' summaries (None: not
    known; traced.py): stored as `places`."""
    stored: list[str] = field(default_factory=list)
    """The body places stored (cache.BuildCache.save_places): the texts', languages'."""

    def merge(self, other: Published) -> None:
        self.keys.update(other.keys)
        self.states.update(other.states)
        self.rendered += other.rendered
        self.problems += other.problems
        self.pages += other.pages
        self.listed += other.listed
        self.sitemap.update(other.sitemap)
        self.bases.update(other.bases)
        self.views.update(other.views)
        self.languages.update(other.languages)
        self.settled += other.settled
        self.stored += other.stored


def route_key(
    route: Route,
    keys: PageKeys,
    prints: Fingerprints,
    whole: Callable[[], Fingerprints],
    sites: SiteKeys | None = None,
) -> bytes | None:
    """The page's key, or None when its context holds a value with no stable fingerprint.

    `prints` leave the bodies of texts out (see bodyreads.py): the bodies the page's template
    shows are hashed on their own; when they are not known, its context is hashed whole by
    `whole()`. `sites`: the site views keyed without their terms, for the templates that
    read none."""
    try:
        paths = keys.bodies.get(route.template)
        texts = None if paths is None else texts_at(route.context, paths)
        shown = (sites or SiteKeys(keys.termless)).context(route)
        if texts is None:
            context = b"whole" + whole().of(shown)
        else:
            context = prints.of(shown) + _bodies_key(texts, keys.inputs, prints)
        context += _apart_key(route, keys)
    except Unfingerprintable:
        return None
    return combine(
        (
            keys.code,
            keys.templates.get(route.template, b"?"),
            keys.catalogs.get(route.lang, b"?"),
            route.lang.encode(),
            route.template.encode(),
            context,
        )
    )


class SiteKeys:
    """The site view that keys a page: as it is, or without its taxonomies' terms for the
    pages of templates that read none (PageKeys.termless). The terms' counts of partners
    change with every partner added, deleted or moved to another term, and every page holds
    the site view: every profile page was keyed and planned anew (its basis: PartnerReuse)
    for what only the lists show. Made once per site view (a language's), so that its
    fingerprint is made once too."""

    def __init__(self, termless: frozenset[str]) -> None:
        self._termless = termless
        self._made: dict[int, tuple[SiteView, SiteView]] = {}

    def site(self, template: str, site: SiteView) -> SiteView:
        if template not in self._termless:
            return site
        made = self._made.get(id(site))
        if made is None or made[0] is not site:  # (the site is kept: its id stays its own)
            taxonomies = tuple(replace(taxonomy, terms=()) for taxonomy in site.taxonomies)
            made = self._made[id(site)] = (site, replace(site, taxonomies=taxonomies))
        return made[1]

    def context(self, route: Route) -> Mapping[str, object]:
        site = route.context.get("site")
        if route.template not in self._termless or not isinstance(site, SiteView):
            return route.context
        return {**route.context, "site": self.site(route.template, site)}


def _apart_key(route: Route, keys: PageKeys) -> bytes:
    """A partner page's own view's fields kept apart (PageKeys.apart): its template is the
    only one that may read them, and its context holds no other partner's view."""
    partner = route.context.get("partner")
    if not keys.apart or route.template != PARTNER_TEMPLATE or not isinstance(partner, PartnerView):
        return b""
    values = (
        str(getattr(partner, name)).encode("utf-8", "surrogatepass") for name in sorted(keys.apart)
    )
    return b"apart" + b"".join(b"%d:" % len(value) + value for value in values)


def _bodies_key(
    texts: Sequence[object], inputs: Mapping[str, FileState], prints: Fingerprints
) -> bytes:
    """The bodies these texts (views) show: by their files' hashes when each is an input (the
    body of a 400-word profile is 4-8 KB to hash on every page that shows it), else by the
    bodies themselves."""
    states = [inputs.get(getattr(text, "source", None)) for text in texts]  # type: ignore[arg-type]
    if None in states:
        return prints.of(tuple(getattr(text, BODY) for text in texts))
    return b"files" + b"".join(state[DIGEST] for state in states)  # type: ignore[index]


def publish_slice(
    routes: Sequence[Route],
    envs: Mapping[str, Environment],
    dirs: TemplateDirs,
    keys: PageKeys,
    staging: Staging,
    previous: Manifest | None,
    progress: Progress | None,
    prints: Fingerprints | None = None,
    sites: SiteKeys | None = None,
) -> Published:
    """Render (or link) these routes into the staging folder, in this process.

    `prints`: the fingerprints to use (and fill), to key other files by the same views;
    `sites`: the site views without their terms made so far (PartnerReuse.sites), so that
    each is made and hashed once."""
    result = Published()
    problems = Problems()
    prints = prints or page_prints(keys)
    made: list[Fingerprints] = []
    sites = sites or SiteKeys(keys.termless)

    def whole() -> Fingerprints:  # (made once, when a page's template needs it)
        if not made:
            made.append(Fingerprints())
        return made[0]

    result.pages = [route.out_path for route in routes]
    entries = {route.out_path: sitemap_entry(route) for route in routes if route.in_sitemap}
    result.listed = list(entries.values())
    for done, route in enumerate(routes, 1):
        name = route.out_path
        if route.basis is not None:
            result.bases[name] = route.basis
        if route.reused and previous is not None:  # the plan checked its basis and its file
            key: bytes | None = previous.keys[name]
            shown = previous.sitemap.get(name)  # (its alternates are the last build's)
            if shown is not None:
                result.sitemap[name] = shown
            kept = True
        else:
            key = route_key(route, keys, prints, whole, sites)
            kept = (
                key is not None
                and previous is not None
                and previous.reusable(staging.out, name, key)
            )
        if kept and previous is not None:
            result.states[name] = previous.outputs[name]
            staging.keep(name, previous.outputs[name])
        else:
            page = render_page(route, envs, dirs, problems, route.template in keys.plain)
            if page is None:
                continue
            data, spans = page
            result.states[name] = staging.write(name, data)
            result.rendered.append(name)
            result.places[name] = body_places(route, data, keys)
            result.summaries[name] = spans
        result.keys[name] = key or b""
        if route.in_sitemap and name not in result.sitemap:  # what the sitemap shows of it
            result.sitemap[name] = entry_key(entries[name])
        if progress and done % 100 == 0:
            progress(done, len(routes))
    result.problems = problems.found()
    return result


def body_places(route: Route, data: bytes, keys: PageKeys) -> Shown | None:
    """Where a rendered page shows which texts' bodies (cache.Shown); None when that is
    not known. A body is placed (its offset) when it is the only one the page shows, its
    template prints it unchanged (bodyreads.prints_whole), and it is in the page once
    (`_once`)."""
    paths = keys.bodies.get(route.template)
    texts = None if paths is None else texts_at(route.context, paths)
    if texts is None:
        return None
    sources = [getattr(text, "source", None) for text in texts]
    if not all(isinstance(source, str) for source in sources):
        return None
    if len(texts) == 1 and route.template in keys.whole:
        body = getattr(texts[0], BODY).encode("utf-8")
        at = _once(data, body) if body else None
        if at is not None:
            return ((sources[0], at, len(data) - at - len(body)),)
    return tuple((source, -1, -1) for source in sources)  # type: ignore[misc]


def _once(data: bytes, body: bytes) -> int | None:
    """Where `body` is in the page, when it is there exactly once: the page is the same text
    around it, so that is its place. Found from where its first bytes are, when they are
    in the page once (most pages); else by looking for the whole body twice (a body that
    repeats its first sentence, as the generated sites' about page: it was left unplaced,
    and its edits loaded the site)."""
    start = body[:64]
    at = data.find(start)
    if at < 0:
        return None
    if data.find(start, at + 1) < 0:
        return at if data.startswith(body, at) else None
    at = data.find(body)
    return at if at >= 0 and data.find(body, at + 1) < 0 else None


class PartnerReuse:
    """routes.Reuse from the last build's manifest: a partner page's basis hashes its
    language's site view (without its terms when the partner template reads none:
    SiteKeys), its template and catalog, the code, its folder's files and every input that
    is no partner's (settings, templates, catalogs, pages, the theme)."""

    def __init__(
        self,
        keys: PageKeys,
        folders: Mapping[str, bytes],
        previous: Manifest | None,
        out: Path,
        prints: Fingerprints,
    ) -> None:
        self._keys = keys
        self._previous = previous
        self._out = out
        self._folders = folders  # (ParseCache.folders: hashed once, before the fork)
        self._prints = prints
        self.sites = SiteKeys(keys.termless)
        """The site views that key partner pages (and, through publish_slice, the others)."""
        self._counts: Counter[str] | None = None
        self.frames: dict[str, bytes] = {}
        """Each language's frame (see routes.Settle), by code, for the next build."""
        self.views: dict[str, tuple[bytes, bytes]] = {}
        """The basis and fingerprint of each partner view seen, for the next build."""

    def frame(self, site: SiteView) -> bytes:
        code = site.language.code
        frame = self.frames.get(code)
        if frame is None:
            frame = self.frames[code] = combine(
                (
                    self._keys.code,
                    self._keys.templates.get(PARTNER_TEMPLATE, b"?"),
                    self._keys.catalogs.get(code, b"?"),
                    self._keys.shared,
                    self._prints.of(self.sites.site(PARTNER_TEMPLATE, site)),
                    code.encode(),
                )
            )
        return frame

    def basis(self, site: SiteView, folder: str, view: PartnerView) -> bytes | None:
        """The page's basis; the view's fingerprint is taken from the last build while the
        basis is the same (a list page of every partner is keyed without hashing them)."""
        found = self._basis(site, folder)
        if found is None:
            return None
        basis, name, last = found
        if last is not None and last[0] == basis:
            self._prints.remember(view, last[1])
            self.views[name] = last
        else:
            self.views[name] = (basis, self._prints.object_digest(view))
        return basis

    def _basis(
        self, site: SiteView, folder: str
    ) -> tuple[bytes, str, tuple[bytes, bytes] | None] | None:
        """The basis of the partner's pages in the site view's language (its frame and its
        folder's files), the name of its view and the view's basis and fingerprint in the
        last build; None when the folder is not indexed."""
        folder_digest = self._folders.get(folder + "/")
        if folder_digest is None:
            return None
        name = f"{site.language.code}:{folder}"
        last = self._previous.views.get(name) if self._previous is not None else None
        return partner_basis(self.frame(site), folder_digest), name, last

    # --- routes.Settle ---

    def settles(self, site: SiteView, partners: int) -> bool:
        previous = self._previous
        code = site.language.code
        if previous is None or not lists_show_no_body(self._keys.bodies):
            return False
        record = previous.languages.get(code)
        if record is None or record.frame != self.frame(site):
            return False
        if self._partners_in(previous).get(code, 0) != partners:
            return False
        names = (*record.pages, urls.output_path(urls.feed(code)))
        return all(
            previous.reusable(self._out, name, previous.keys.get(name, b"")) for name in names
        )

    def known(self, site: SiteView, folder: str) -> bool:
        found = self._basis(site, folder)
        if found is None:
            return False
        basis, name, last = found
        if last is None or last[0] != basis:
            return False
        self.views[name] = last
        return True

    def same_card(self, site: SiteView, folder: str, view: PartnerView) -> bool:
        found = self._basis(site, folder)
        if found is None:
            return False
        basis, name, last = found
        fingerprint = self._prints.object_digest(view)
        self.views[name] = (basis, fingerprint)
        return last is not None and last[1] == fingerprint

    def same_entries(self, metas: Iterable[PageMeta]) -> bool:
        previous = self._previous
        if previous is None:
            return False
        for meta in metas:  # (a partner page is in the sitemap when it has alternates: route())
            shown = previous.sitemap.get(urls.output_path(meta.path))
            entry = entry_key(entry_of(meta.path, meta.alternates)) if meta.alternates else None
            if shown != entry:
                return False
        return True

    def _partners_in(self, previous: Manifest) -> dict[str, int]:
        """How many partners each language had in the last build."""
        if self._counts is None:
            self._counts = Counter(name.partition(":")[0] for name in previous.views)
        return self._counts

    def reusable(self, out_path: str, basis: bytes) -> bool:
        previous = self._previous
        if previous is None:  # a cold build: the bases are only recorded, for the next one
            return False
        key = previous.keys.get(out_path)
        return (
            key is not None
            and previous.bases.get(out_path) == basis
            and previous.reusable(self._out, out_path, key)
        )


PARTNER_TEMPLATE = "partner.html"
LIST_TEMPLATES = ("home.html", "taxonomy.html", "term.html")
"""The templates of the pages that list partners' views (plan.py)."""


def lists_show_no_body(bodies: Mapping[str, BodyPaths | None]) -> bool:
    """The pages that list partners show none of their bodies (bodyreads.py): a list then
    shows the same after an edit of a body alone (its key hashes views without bodies)."""
    return all(bodies.get(name) == () for name in LIST_TEMPLATES)


def keep_settled(
    code: str, planned: Sequence[str], previous: Manifest, staging: Staging, part: Published
) -> None:
    """The pages of a settled language that were not planned again, and its feed, kept as
    the last build made them (routes.Settle: the plan checked that each is still as written)."""
    record = previous.languages[code]
    made = set(planned)
    kept = [name for name in record.pages if name not in made]
    part.pages += kept
    for name in (*kept, urls.output_path(urls.feed(code))):
        state = previous.outputs[name]
        staging.keep(name, state)
        part.states[name] = state
        part.keys[name] = previous.keys[name]
        if name in previous.sitemap:
            part.sitemap[name] = previous.sitemap[name]
        if name in previous.bases:
            part.bases[name] = previous.bases[name]
    part.languages[code] = record
    part.settled.append(code)


def stage(staging: Staging, name: str, data: bytes, part: Published, key: bytes = b"") -> None:
    """A file made in memory (a feed, the sitemap), written into the staging folder."""
    part.states[name] = staging.write(name, data)
    part.keys[name] = key


def stage_copies(
    copies: Iterable[FileCopy],
    staging: Staging,
    previous: Manifest | None,
    source_key: Callable[[Path], bytes],
    part: Published,
) -> None:
    """Files copied as they are (logos, static/): linked from the output when unchanged."""
    keys: dict[Path, bytes] = {}
    copied: dict[Path, str] = {}  # a source copied once, linked for its other places
    for copy in copies:
        key = keys.get(copy.source)
        if key is None:
            key = keys[copy.source] = source_key(copy.source)
        if previous is not None and previous.reusable(staging.out, copy.out_path, key):
            part.states[copy.out_path] = previous.outputs[copy.out_path]
            staging.keep(copy.out_path, previous.outputs[copy.out_path])
        elif copy.source in copied:
            first = copied[copy.source]
            part.states[copy.out_path] = staging.link(first, copy.out_path, part.states[first])
        else:
            part.states[copy.out_path] = staging.copy(copy.out_path, copy.source)
            copied[copy.source] = copy.out_path
        part.keys[copy.out_path] = key


def stage_search(
    pages: Sequence[str], staging: Staging, previous: Manifest | None, published: Published
) -> list[Diagnostic]:
    """Pagefind's index of the staged pages; the last one, linked, when no page changed."""
    bundle = urls.SEARCH_BUNDLE.lstrip("/")
    old = [name for name in (previous.outputs if previous else {}) if name.startswith(bundle)]
    if (
        previous is not None
        and old
        and not published.rendered
        and all(previous.reusable(staging.out, name, previous.keys[name]) for name in old)
    ):
        for name in old:
            published.states[name] = previous.outputs[name]
            staging.keep(name, previous.outputs[name])
            published.keys[name] = previous.keys[name]
        return []

    def indexed() -> Iterable[OutputFile]:
        for name in pages:
            if name.endswith(".html") and name in published.states:
                data = staging.path(name).read_bytes()
                if INDEX_MARK in data:
                    yield OutputFile(name, data)

    files, problems = index_pages(indexed())
    for file in files:
        stage(staging, file.out_path, file.data, published, b"search")
    return problems


def stage_sitemap(
    key: bytes,
    make: Callable[[], list[OutputFile]],
    staging: Staging,
    previous: Manifest | None,
    part: Published,
) -> list[str]:
    """The sitemap's files (sitemap.xml, and the numbered sitemaps it lists on a large
    site), all keyed alike: the output's own when the key is the last build's and each is
    still as written, else made anew. Their output paths; the last build's parts that are
    not made again are not staged, so they leave the output."""
    main = urls.output_path(urls.SITEMAP)
    if previous is not None and previous.keys.get(main) == key:
        numbered = (urls.output_path(urls.sitemap_part(n)) for n in itertools.count(1))
        names = [main, *itertools.takewhile(lambda name: previous.keys.get(name) == key, numbered)]
        if all(previous.reusable(staging.out, name, key) for name in names):
            for name in names:
                _keep(name, key, staging, previous, part)
            return names
    files = make()
    for file in files:
        stage(staging, file.out_path, file.data, part, key)
    return [file.out_path for file in files]


def stage_made(
    name: str,
    key: bytes,
    make: Callable[[], bytes],
    staging: Staging,
    previous: Manifest | None,
    part: Published,
) -> None:
    """A file made from views (a feed): the output's own when its key is the last build's,
    else made anew."""
    if previous is not None and previous.reusable(staging.out, name, key):
        _keep(name, key, staging, previous, part)
    else:
        stage(staging, name, make(), part, key)


def _keep(name: str, key: bytes, staging: Staging, previous: Manifest, part: Published) -> None:
    """The last build's file, kept in the output under its key."""
    part.states[name] = previous.outputs[name]
    staging.keep(name, previous.outputs[name])
    part.keys[name] = key
