"""A rebuild after edits of Markdown bodies alone, done without loading the pipeline.

Most edits change the words of a profile and nothing else. Such a body is shown, unchanged,
by the pages of its text (its own language's, and the languages it stands in for), and by
nothing else: a card, a list, a feed and the sitemap show no body (bodyreads.py), and a
template that prints a body whole makes the same text around whatever body it gets
(bodyreads.prints_whole). So the last build records where each page shows which text's body
(cache.TextPlaces), and a rebuild whose every changed input is such a text, with the same
front matter, puts the new body in the old one's place in those pages: it reads the file as
the loader does, renders the Markdown with the same function, and stages and swaps the
output as any build, in a few hundredths of a second instead of loading the site.

It gives way to the full build whenever anything else could differ:

- another file changed, was added or removed, or the front matter changed;
- the text has a problem (encoding, limits) or the last build gave a message at one of its
  lines (a line may have moved);
- it is the original of translations stamped with its body's version (stale.py), or its body
  became blank or stopped being blank;
- its body started or stopped linking to its partner's logo file (then the logo's copies
  change: copies.py);
- a page shows the text's body otherwise than whole and alone, or the last build did not
  record where every page shows which body (search was on, or a template could not be
  read; then no places are stored).

What it changes of the manifest is stored as a journal (cache.Journal), applied when the
manifest is read: the states of the files it wrote and of the inputs, the pages it changed
keyed so that they never match, the bases of the partner's pages and views made from its
folder's new hash, and, for a page's text, frames that never match; so the next build, of
any kind, finds what it would after a full one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from allysite import urls
from allysite.cache import BuildCache, Journal, Manifest, Shown, TextPlaces
from allysite.errors import Diagnostic
from allysite.fingerprints import partner_basis
from allysite.inputindex import ITEM_DEPTH, PARTNERS
from allysite.markdownlimits import beyond_limits
from allysite.markup import links_to_name, render_markdown
from allysite.output import Staging, Written, keep_spare
from allysite.textfile import read_text, split_front_matter

if TYPE_CHECKING:
    from allysite.model import Content


@dataclass(frozen=True, slots=True)
class BodyEdit:
    """A rebuild ready to be staged: the new bytes of the pages that show an edited body."""

    pages: Mapping[str, bytes]
    """By output path (each body's place is the same: see cache.Splice)."""
    texts: tuple[str, ...]
    """The edited texts, by source file."""


def prepare_edit(store: BuildCache) -> BodyEdit | None:
    """The rebuild of these changed inputs (`store.changed()`), when they are edits of bodies
    alone; else None, and the full build runs. Reads the output's pages: use it only when
    the output is as the last build wrote it."""
    previous = store.previous
    changed = store.changed()
    if previous is None or not changed or not all(name.endswith(".md") for name in changed):
        return None
    if any(found.pos is not None and found.pos.path in changed for found in previous.diagnostics):
        return None
    places = store.body_places(changed)
    if places is None:
        return None
    bodies: dict[str, bytes] = {}
    for name in changed:
        record = places.get(name)
        if record is None or name not in store.index.files:
            return None
        body = _new_body(store.site / name, name, record)
        if body is None:
            return None
        bodies[name] = body
    pages: dict[str, bytes] = {}
    for source, body in bodies.items():
        for page, head, tail in places[source].pages:
            if head < 0:  # shown otherwise than whole and alone
                return None
            data = _page(store.out, page, previous)
            if data is None or head + tail > len(data):
                return None
            pages[page] = b"".join((data[:head], body, data[len(data) - tail :]))
    return BodyEdit(pages, tuple(sorted(bodies)))


def _new_body(path: Path, name: str, record: TextPlaces) -> bytes | None:
    """The text's new body as HTML, read and rendered as the loader does (itemfiles.py),
    when its front matter is the last build's and the build would find no problem in it."""
    text, problems = read_text(path, name)
    if text is None or problems:
        return None
    parts = split_front_matter(text, name)
    if isinstance(parts, Diagnostic) or parts.digest != record.front:
        return None
    if beyond_limits(parts.body) is not None:
        return None
    if record.original and (record.body_stamped or bool(parts.body.strip()) != record.has_body):
        return None  # the staleness of its translations could change
    body = render_markdown(parts.body)
    if record.logo and links_to_name(body, record.logo) != record.links_logo:
        return None  # the folders that have the logo could change (copies.py)
    return body.encode("utf-8")


def _page(out: Path, page: str, previous: Manifest) -> bytes | None:
    """A page of the output, as the last build wrote it."""
    state = previous.outputs.get(page)
    try:
        data = (out / page).read_bytes()
    except OSError:
        return None
    return data if state is not None and len(data) == state[0] else None


def publish_edit(store: BuildCache, edit: BodyEdit, large: bool, written: Written | None) -> None:
    """Stage the output with the edited pages (every other file kept as it is), swap it in
    and store the manifest (`large`: see output.Staging.complete; `written`: the output as
    the last manifest records it). Raises OSError when the output cannot be written (it is
    then as it was; the cache is dropped)."""
    previous = store.previous
    assert previous is not None
    states = dict(previous.outputs)
    staging = Staging.start(store.out, written)
    try:
        for name, data in edit.pages.items():
            states[name] = staging.write(name, data)
        staging.keep_all(previous.outputs, edit.pages.keys())
        spare = staging.complete(states, large, keep=True)
    except BaseException:
        staging.abandon()
        store.forget()
        raise
    folders = staging.folder_times(previous.folders)
    last = previous.inputs.files
    store.save_journal(  # (what changed of the manifest: a few entries of each table)
        Journal(
            store.journal.base if store.journal is not None else previous.token,
            store.token,
            store.index.scanned_ns,
            {name: state for name, state in store.index.files.items() if last.get(name) != state},
            dict.fromkeys(edit.pages, b""),  # never a page's key
            {name: states[name] for name in edit.pages},
            {name: time for name, time in folders.items() if previous.folders.get(name) != time},
            *_bases(store, previous, edit.texts),
        )
    )
    if spare:
        new = Written(store.token, states, folders)
        keep_spare(store.out, new, previous.outputs, previous.folders)


def _bases(
    store: BuildCache, previous: Manifest, texts: Sequence[str]
) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]]:
    """What the next build reuses by the hashes of the edited texts' folders, made anew: a
    partner's pages and views are kept by their basis (publish.PartnerReuse), and every
    language's frame hashes the texts that are no partner's (their pages), so the frames
    are made never to match. The bases of pages and views, and the frames, that change."""
    bases: dict[str, bytes] = {}
    views: dict[str, bytes] = {}
    partners = [text for text in texts if text.startswith(PARTNERS)]
    changed = dict.fromkeys(previous.frames, b"") if len(partners) < len(texts) else {}
    for text in partners:
        folder = text.rpartition("/")[0]
        digest = store.index.folder_digest(folder + "/", ITEM_DEPTH)
        slug = folder.rpartition("/")[2]
        for code, frame in previous.frames.items():
            basis = partner_basis(changed.get(code, frame), digest or b"")
            bases[urls.output_path(urls.partner(code, slug))] = basis
            views[f"{code}:{folder}"] = basis
    return bases, views, changed


def text_records(content: Content, default: str) -> dict[str, TextPlaces]:
    """Every Markdown text of the content, as a rebuild after an edit of its body must know
    it (cache.TextPlaces), but for the pages that show it."""
    from allysite.model import Partner

    records: dict[str, TextPlaces] = {}
    for item in (*content.partners, *content.pages):
        stamped = any("body" in text.stamps for text in item.translations.values())
        logo = (item.facts.logo or "") if isinstance(item, Partner) else ""
        linked = isinstance(item, Partner) and item.logo_linked  # (some text does: which?)
        for code, text in item.translations.items():
            original = code == default
            records[text.source] = TextPlaces(
                text.front,
                original,
                original and stamped,
                "body" in text.fingerprints,
                logo,
                linked and links_to_name(text.body_html, logo),
            )
    return records


def language_places(
    pages: Iterable[str],
    made: Mapping[str, Shown | None],
    last: object,
) -> dict[str, Shown] | None:
    """Where a language's pages show which texts' bodies: those a build rendered (`made`),
    and the others as the last build stored them (`last`: all of its pages of the language);
    None when some page's are not known."""
    kept = last if isinstance(last, dict) else {}
    found: dict[str, Shown] = {}
    for page in pages:
        shown = made[page] if page in made else kept.get(page)
        if shown is None:
            return None
        found[page] = shown
    return found
