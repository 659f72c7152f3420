"""A rebuild after edits of Markdown bodies or summaries alone, done without loading the
pipeline.

Most edits change the words of a profile and nothing else. Such a body is shown, unchanged,
by the pages of its text (its own language's, and the languages it stands in for), and by
nothing else: a card, a list, a feed and the sitemap show no body (bodyreads.py), and a
template that prints a body whole makes the same text around whatever body it gets
(bodyreads.prints_whole). A summary is shown by more pages (the lists too) and the feed,
but, where the templates print it as it is (bodyreads.prints_summaries_plainly), in one of
three forms and nowhere else (traced.py). So the last build records where each page shows
which text's body (cache.TextPlaces) and where each page and feed shows which summary
(traced.Span); a rebuild whose every changed input is such a text, with the same front
matter but perhaps its summary, puts the new body and summary in the old ones' places: it
reads the file as the loader does, renders the Markdown with the same function, and stages
and swaps the output as any build, in a few hundredths of a second instead of loading the
site.

It gives way to the full build whenever anything else could differ:

- another file changed, was added or removed, or the front matter changed in another field
  than the summary, or the summary is added, removed or not plain text;
- the text has a problem (encoding, YAML, limits) or the last build gave a message at one
  of its lines (a line may have moved);
- it is the original of translations stamped with its body's or its summary's version
  (stale.py), or its body became blank or stopped being blank;
- its body started or stopped linking to its partner's logo file (then the logo's copies
  change: copies.py);
- a page shows the text's body otherwise than whole and alone, a template does not print
  summaries plainly, or the last build did not record where every page shows which body
  and summary (search was on, or a template could not be read; then no places are stored).

What it changes of the manifest is stored as a journal (cache.Journal), applied when the
manifest is read: the states of the files it wrote and of the inputs, the pages it changed
keyed so that they never match, the bases of the partner's pages and views made from its
folder's new hash (a view whose summary changed made never to match, with its print), for a
page's text frames that never match, and the places of the pages it wrote as they now are;
so the next build, of any kind, finds what it would after a full one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from allysite import urls
from allysite.cache import (
    SHOWN,
    SUMMARIES,
    TEXTS,
    BuildCache,
    Journal,
    Manifest,
    Shown,
    TextPlaces,
    plain_records,
    text_record,
)
from allysite.errors import Diagnostic
from allysite.fingerprints import partner_basis
from allysite.inputindex import ITEM_DEPTH, PARTNERS
from allysite.markdownlimits import beyond_limits
from allysite.markup import links_to_name, render_markdown
from allysite.output import Staging, Written, keep_spare
from allysite.textfile import front_rest, read_text, split_front_matter
from allysite.traced import Span, shown_as

if TYPE_CHECKING:
    from allysite.model import Content

_Place = TypeVar("_Place")
Change = tuple[int, int, bytes]
"""Bytes of a page replaced: their offset, their length, the new bytes."""


@dataclass(frozen=True, slots=True)
class BodyEdit:
    """A rebuild ready to be staged: the new bytes of the pages that show an edited text."""

    pages: Mapping[str, bytes]
    """By output path."""
    texts: tuple[str, ...]
    """The edited texts, by source file."""
    summaries: tuple[str, ...] = ()
    """Those of them whose summary changed."""
    places: Mapping[str, dict[str, object] | None] = field(default_factory=dict)
    """What changed of the stored places (cache.Journal.places)."""


@dataclass(frozen=True, slots=True)
class _Edit:
    """An edited text, as the rebuild reads it."""

    body: bytes
    summary: str | None
    """Its new summary, when its front matter changed (in that alone)."""
    record: TextPlaces
    """What the next rebuild must know of it."""


@dataclass
class _Page:
    """What changes in one page: its bodies, from head to tail, and its summaries."""

    code: str
    bodies: list[tuple[int, int, bytes]] = field(default_factory=list)
    summaries: list[tuple[str, str, int, int, bytes]] = field(default_factory=list)
    """(source, form, offset, length, new bytes)."""


def prepare_edit(store: BuildCache) -> BodyEdit | None:
    """The rebuild of these changed inputs (`store.changed()`), when they are edits of bodies
    and summaries alone; else None, and the full build runs. Reads the output's pages: use
    it only when the output is as the last build wrote it."""
    previous = store.previous
    changed = store.changed()
    if previous is None or not changed or not all(name.endswith(".md") for name in changed):
        return None
    if any(found.pos is not None and found.pos.path in changed for found in previous.diagnostics):
        return None
    texts = store.last_places(TEXTS)
    if not isinstance(texts, dict):
        return None
    edits: dict[str, _Edit] = {}
    for name in changed:
        record = text_record(texts.get(name))
        if record is None or name not in store.index.files:
            return None
        edit = _read_edit(store.site / name, name, record)
        if edit is None:
            return None
        edits[name] = edit
    bodies = _tables(store, previous)
    if bodies is None:
        return None
    found: dict[str, _Page] = {}
    for code, table in bodies.items():
        for page, shown in table.items():
            for source, head, tail in shown:
                if source in edits:
                    if head < 0:  # shown otherwise than whole and alone
                        return None
                    change = (head, tail, edits[source].body)
                    found.setdefault(page, _Page(code)).bodies.append(change)
    retitled = {source: edit.summary for source, edit in edits.items() if edit.summary}
    titled = _showing(store, bodies, retitled)
    if titled is None:
        return None
    codes = sorted({page.code for page in found.values()} | titled)
    summaries = {code: store.last_places(SUMMARIES + code) for code in codes}
    for code in titled:
        table = summaries[code]
        if not isinstance(table, dict):
            return None
        for page, spans in table.items():
            for source, form, start, length in spans:
                if source in retitled:
                    new = shown_as(form, retitled[source])
                    change = (source, form, start, length, new)
                    found.setdefault(page, _Page(code)).summaries.append(change)
    pages: dict[str, bytes] = {}
    records = {source: edit.record for source, edit in edits.items()}
    places: dict[str, dict[str, object] | None] = {TEXTS: plain_records(records)}
    olds: dict[tuple[str, str], bytes] = {}
    for page, changes in found.items():
        data = _page(store.out, page, previous)
        if data is None:
            return None
        made = _edited_page(data, changes, olds)
        if made is None:
            return None
        pages[page], moves = made
        stored = bodies.get(changes.code, {}).get(page)
        if stored is not None:  # (a feed is in no table of bodies)
            shown = _moved_bodies(stored, moves, len(data), len(pages[page]))
            if shown is None:
                return None
            _put(places, changes.code, page, shown)
        table = summaries.get(changes.code)
        spans = table.get(page) if isinstance(table, dict) else None
        moved = None if spans is None else _moved_spans(spans, moves)  # type: ignore[arg-type]
        if moved is None:  # (not known: not kept)
            places[SUMMARIES + changes.code] = None
        else:
            _put(places, SUMMARIES + changes.code, page, moved)
    return BodyEdit(pages, tuple(sorted(edits)), tuple(sorted(retitled)), places)


def _put(places: dict[str, dict[str, object] | None], name: str, page: str, value: object) -> None:
    table = places.setdefault(name, {})
    if table is not None:
        table[page] = value


def _showing(
    store: BuildCache, languages: Iterable[str], sources: Collection[str]
) -> set[str] | None:
    """The languages whose pages or feed show these texts' summaries (by the index of each
    language's places: a language that shows none of them is not read); None when an
    index is not stored."""
    found: set[str] = set()
    for code in languages if sources else ():
        shown = store.last_places(SHOWN + code)
        if not isinstance(shown, frozenset):
            return None
        if not shown.isdisjoint(sources):
            found.add(code)
    return found


def _tables(store: BuildCache, previous: Manifest) -> dict[str, dict[str, object]] | None:
    """Each language's stored body places; None unless each is stored."""
    tables = {}
    for code in previous.frames:
        table = store.last_places(code)
        if not isinstance(table, dict):
            return None
        tables[code] = table
    return tables


def _edited_page(
    data: bytes, changes: _Page, olds: dict[tuple[str, str], bytes]
) -> tuple[bytes, list[Change]] | None:
    """The page with its changes made, and them as offsets in the old page; None when they
    do not fit it (or a summary's old bytes are not the same everywhere: `olds`)."""
    moves = [(head, len(data) - head - tail, new) for head, tail, new in changes.bodies]
    for source, form, start, length, new in changes.summaries:
        old = data[start : start + length]
        if olds.setdefault((source, form), old) != old:
            return None
        moves.append((start, length, new))
    moves.sort(key=lambda move: move[0])
    parts: list[bytes] = []
    done = 0
    for start, length, new in moves:
        if start < done or length < 0 or start + length > len(data):
            return None
        parts += (data[done:start], new)
        done = start + length
    parts.append(data[done:])
    return b"".join(parts), moves


def _moved(start: int, length: int, moves: Sequence[Change]) -> tuple[int, int] | None:
    """Where bytes of a page are once `moves` are made (replaced, if one of them); None when
    a change overlaps them."""
    shift = 0
    for at, size, new in moves:
        if at == start and size == length:
            return start + shift, len(new)
        if at + size <= start:
            shift += len(new) - size
        elif at >= start + length:
            break
        else:
            return None
    return start + shift, length


def _moved_bodies(shown: object, moves: Sequence[Change], before: int, after: int) -> Shown | None:
    """A page's body places (cache.Shown) once `moves` are made."""
    found = []
    for source, head, tail in shown:  # type: ignore[attr-defined]
        if head >= 0:
            place = _moved(head, before - head - tail, moves)
            if place is None:
                return None
            head, tail = place[0], after - place[0] - place[1]
        found.append((source, head, tail))
    return tuple(found)


def _moved_spans(spans: Sequence[Span], moves: Sequence[Change]) -> tuple[Span, ...] | None:
    """A page's summary places (traced.Span) once `moves` are made: in one walk through
    both, in the order of the page (a home page holds a thousand); None when a change
    overlaps one, or they are out of order."""
    found: list[Span] = []
    shift = done = last = 0
    for span in spans:
        source, form, start, length = span
        if start < last:
            return None
        last = start
        while done < len(moves) and moves[done][0] + moves[done][1] <= start:
            if moves[done][0] == start and moves[done][1] == length:
                break  # (an empty span is not a summary: none is empty)
            shift += len(moves[done][2]) - moves[done][1]
            done += 1
        if done < len(moves) and moves[done][0] < start + length:
            at, size, new = moves[done]
            if at != start or size != length:
                return None  # (a change overlaps it)
            found.append((source, form, start + shift, len(new)))
            shift += len(new) - size
            done += 1
        else:
            found.append((source, form, start + shift, length) if shift else span)
    return tuple(found)


def _read_edit(path: Path, name: str, record: TextPlaces) -> _Edit | None:
    """The text as the loader reads it (itemfiles.py): its body rendered and its new summary,
    when its front matter is the last build's but perhaps for the summary, and the build
    would find no problem in it."""
    text, problems = read_text(path, name)
    if text is None or problems:
        return None
    parts = split_front_matter(text, name)
    if isinstance(parts, Diagnostic):
        return None
    summary = None
    if parts.digest != record.front:
        summary = _new_summary(parts.front, name, record)
        if summary is None:
            return None
    if beyond_limits(parts.body) is not None:
        return None
    if record.original and (record.body_stamped or bool(parts.body.strip()) != record.has_body):
        return None  # the staleness of its translations could change
    body = render_markdown(parts.body)
    if record.logo and links_to_name(body, record.logo) != record.links_logo:
        return None  # the folders that have the logo could change (copies.py)
    return _Edit(body.encode("utf-8"), summary, record._replace(front=parts.digest))


def _new_summary(front: str, name: str, record: TextPlaces) -> str | None:
    """The summary of a changed front matter, when that is all that changed and the schema
    takes it as the loader would (plain text, not blank, stripped: schema.RequiredText)."""
    if not record.has_summary or record.summary_stamped:
        return None
    from allysite.sourcefile import parse_yaml  # (PyYAML: only for such an edit)

    doc, problems = parse_yaml(front, name, line_offset=1)
    if doc is None or problems or not isinstance(doc.data, dict):
        return None
    value = doc.data.get("summary")
    if type(value) is not str or not value.strip() or front_rest(doc.data) != record.rest:
        return None
    return value.strip()


def _page(out: Path, page: str, previous: Manifest) -> bytes | None:
    """A page of the output, as the last build wrote it."""
    state = previous.outputs.get(page)
    try:
        data = (out / page).read_bytes()
    except OSError:
        return None
    return data if state is not None and len(data) == state[0] else None


def publish_edit(
    store: BuildCache,
    edit: BodyEdit,
    large: bool,
    written: Written | None,
    spare: bool | None = None,
) -> None:
    """Stage the output with the edited pages (every other file kept as it is), swap it in
    and store the manifest (`large`: see output.Staging.complete; `written`: the output as
    the last manifest records it; `spare`: see Staging.start's `checked`). Raises OSError
    when the output cannot be written (it is then as it was; the cache is dropped)."""
    previous = store.previous
    assert previous is not None
    states = dict(previous.outputs)
    staging = Staging.start(store.out, written, spare)
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
            *_bases(store, previous, edit.texts, edit.summaries),
            places=dict(edit.places),
        )
    )
    if spare:
        new = Written(store.token, states, folders)
        keep_spare(store.out, new, previous.outputs, previous.folders)


def _bases(
    store: BuildCache, previous: Manifest, texts: Sequence[str], summaries: Sequence[str]
) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]]:
    """What the next build reuses by the hashes of the edited texts' folders, made anew: a
    partner's pages and views are kept by their basis (publish.PartnerReuse), and every
    language's frame hashes the texts that are no partner's (their pages), so the frames
    are made never to match. A view holds its summary, and its print (which tells whether
    lists change) is the last build's: after a new summary, it never matches. The bases of
    pages and views, and the frames, that change."""
    bases: dict[str, bytes] = {}
    views: dict[str, bytes] = {}
    partners = [text for text in texts if text.startswith(PARTNERS)]
    changed = dict.fromkeys(previous.frames, b"") if len(partners) < len(texts) else {}
    retitled = {text.rpartition("/")[0] for text in summaries}
    for text in partners:
        folder = text.rpartition("/")[0]
        digest = store.index.folder_digest(folder + "/", ITEM_DEPTH)
        slug = folder.rpartition("/")[2]
        for code, frame in previous.frames.items():
            basis = partner_basis(changed.get(code, frame), digest or b"")
            bases[urls.output_path(urls.partner(code, slug))] = basis
            views[f"{code}:{folder}"] = b"" if folder in retitled else basis
    return bases, views, changed


def text_records(content: Content, default: str) -> dict[str, TextPlaces]:
    """Every Markdown text of the content, as a rebuild after an edit of its body or summary
    must know it (cache.TextPlaces), but for the pages that show it."""
    from allysite.model import Partner

    records: dict[str, TextPlaces] = {}
    for item in (*content.partners, *content.pages):
        stamps = {name for text in item.translations.values() for name in text.stamps}
        logo = (item.facts.logo or "") if isinstance(item, Partner) else ""
        linked = isinstance(item, Partner) and item.logo_linked  # (some text does: which?)
        for code, text in item.translations.items():
            original = code == default
            records[text.source] = TextPlaces(
                front=text.front,
                original=original,
                body_stamped=original and "body" in stamps,
                has_body="body" in text.fingerprints,
                logo=logo,
                links_logo=linked and links_to_name(text.body_html, logo),
                rest=text.rest,
                summary_stamped=original and "summary" in stamps,
                has_summary=bool(text.summary),
            )
    return records


def language_places(
    pages: Iterable[str],
    made: Mapping[str, _Place | None],
    last: object,
) -> dict[str, _Place] | None:
    """Where a language's pages show which texts' bodies (or summaries): those a build
    rendered (`made`), and the others as the last build stored them (`last`: all of its
    pages of the language); None when some page's are not known."""
    kept = last if isinstance(last, dict) else {}
    found: dict[str, _Place] = {}
    for page in pages:
        shown = made[page] if page in made else kept.get(page)
        if shown is None:
            return None
        found[page] = shown
    return found
