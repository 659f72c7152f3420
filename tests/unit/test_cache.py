"""inputindex, cache (parse cache), fingerprints of views, workers (forked jobs)."""

from __future__ import annotations

import dataclasses
import gc
import os
import weakref
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest
from markupsafe import Markup

from allysite import cache, inputindex
from allysite.cache import ParseCache, dumps
from allysite.fingerprints import Fingerprints, Unfingerprintable, digest
from allysite.inputindex import InputIndex, index_inputs, scan_changes
from allysite.workers import SharedCounts, in_workers

from .support import write_files


@dataclass(frozen=True, slots=True)
class Card:
    name: str
    tags: tuple[str, ...]
    extra: object = None


# --- fingerprints --------------------------------------------------------------------------------


def test_equal_values_have_equal_fingerprints() -> None:
    first = Card("a", ("x", "y"), MappingProxyType({"k": 1}))
    second = Card("a", ("x", "y"), MappingProxyType({"k": 1}))
    assert first is not second
    assert Fingerprints().of(first) == Fingerprints().of(second)


@pytest.mark.parametrize(
    "other",
    [
        Card("b", ("x", "y")),
        Card("a", ("y", "x")),
        Card("a", ("x", "y"), 1),
        Card("a", ("x", "y"), "1"),
        Card("a", ("xy",)),
        Card("a", ("x", "y"), Markup("")),
        Card("a", ("x", "y"), date(2020, 1, 1)),
    ],
)
def test_any_difference_changes_the_fingerprint(other: Card) -> None:
    assert Fingerprints().of(Card("a", ("x", "y"))) != Fingerprints().of(other)


@dataclass(frozen=True)
class Shown:  # (no slots: a weak reference tells when nothing holds it)
    name: str


def test_forgotten_fingerprints_let_their_objects_go_and_hash_them_alike() -> None:
    """A build's process forgets a language's views once its pages are made: the views are
    let go, and hashed again they give the same fingerprints."""
    prints = Fingerprints()
    shown = Shown("a")
    first = prints.object_digest(shown)
    held = weakref.ref(shown)
    del shown
    gc.collect()
    assert held() is not None  # (kept while its hash is known: its id stays its own)
    prints.forget()
    gc.collect()
    assert held() is None
    assert prints.object_digest(Shown("a")) == first


def test_text_and_markup_differ_and_nothing_runs_together() -> None:
    prints = Fingerprints()
    assert prints.of("<b>") != prints.of(Markup("<b>"))
    assert prints.of(("ab", "c")) != prints.of(("a", "bc"))
    assert prints.of({"a": "b"}) != prints.of({"ab": ""})


def test_a_shared_object_is_hashed_once() -> None:
    shared = Card("shared", ())
    prints = Fingerprints()
    prints.of((shared, shared))
    assert sum(1 for _ in prints._known) == 1  # the tuple is inlined, the card memoized


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    current: bool = False


def test_fields_left_out_change_no_fingerprint_but_are_not_mistaken_for_absent() -> None:
    bodiless = Fingerprints(leave_out=frozenset({"extra"}))
    assert bodiless.of(Card("a", (), "body")) == Fingerprints(leave_out=frozenset({"extra"})).of(
        Card("a", (), "another body")
    )
    assert bodiless.of(Card("a", (), "body")) != bodiless.of(Card("b", (), "body"))
    assert Fingerprints().of(Card("a", (), "body")) != Fingerprints().of(Card("a", (), "x"))
    # a type without the field hashes as it did; with it left out, it is tagged apart
    assert bodiless.of(Link("/x")) == Fingerprints().of(Link("/x"))
    assert bodiless.of(Card("a", ())) != Fingerprints().of(Card("a", ()))


def test_a_views_repr_leaves_its_body_out() -> None:
    """A template that prints a view whole must not show its body (bodyreads.py)."""
    from allysite.views import ItemView

    view = ItemView(
        "s",
        "/es/s/",
        "Name",
        None,
        None,
        Markup("<p>secret body</p>"),
        None,
        False,
        "x.md",  # type: ignore[arg-type]
    )
    assert "secret body" not in repr(view) and "secret body" not in str(view)
    assert "Name" in repr(view)


def test_an_unknown_type_cannot_be_fingerprinted() -> None:
    with pytest.raises(Unfingerprintable):
        Fingerprints().of(Card("a", (), object()))


# --- the input index -----------------------------------------------------------------------------


def test_index_sees_edits_additions_and_removals(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"site.yaml": "a", "content/pages/x/es.md": "1"})
    theme = write_files(tmp_path / "theme", {"templates/base.html": "t"})
    first = index_inputs(site, theme, None)
    assert set(first.files) == {"site.yaml", "content/pages/x/es.md", "<theme>/templates/base.html"}
    assert index_inputs(site, theme, first).changed(first) == set()
    (site / "content/pages/x/es.md").write_text("2")
    (site / "content/pages/x/.es.md.swp").write_text("an editor's file")
    (site / "static").mkdir()
    (site / "static/a.txt").write_text("new")
    (site / "site.yaml").unlink()
    edited = {"content/pages/x/es.md", "static/a.txt", "site.yaml"}
    assert index_inputs(site, theme, first).changed(first) == edited
    index, changed = scan_changes(site, theme, first)  # (the scan tells them as it goes)
    assert changed == edited == index.changed(first)
    assert scan_changes(site, theme, index)[1] == set()
    assert scan_changes(site, theme, None)[1] == set(index.files)


def test_a_racy_file_is_hashed_again_even_with_the_same_size_and_time(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"site.yaml": "aaaa"})
    theme = tmp_path / "theme"
    first = index_inputs(site, theme, None)
    stat = (site / "site.yaml").stat()
    (site / "site.yaml").write_text("bbbb")  # same size; the time put back as it was
    os.utime(site / "site.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert index_inputs(site, theme, first).changed(first) == {"site.yaml"}
    assert scan_changes(site, theme, first)[1] == {"site.yaml"}


def test_an_old_file_with_the_same_signature_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Size, change time and inode unchanged long after the last scan: trusted without
    reading. An edit that puts the modification time back (`cp -p`) moves the inode's
    change time all the same, and is read."""
    site = write_files(tmp_path / "site", {"site.yaml": "aaaa"})
    theme = tmp_path / "theme"
    first = index_inputs(site, theme, None)
    later = dataclasses.replace(first, scanned_ns=first.scanned_ns + 10 * 10**9)  # (long after)
    read: list[str] = []
    file_digest = inputindex.file_digest
    monkeypatch.setattr(
        inputindex, "file_digest", lambda path: read.append(path) or file_digest(path)
    )
    assert index_inputs(site, theme, later).changed(later) == set()
    assert read == []
    stat = (site / "site.yaml").stat()
    (site / "site.yaml").write_text("bbbb")
    os.utime(site / "site.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert index_inputs(site, theme, later).changed(later) == {"site.yaml"}
    assert read == [str(site / "site.yaml")]


def test_a_link_in_a_loop_is_an_input(tmp_path: Path) -> None:
    site = write_files(tmp_path / "site", {"site.yaml": "a"})
    (site / "content").mkdir()
    os.symlink("loop", site / "content" / "loop")
    assert "content/loop" in index_inputs(site, tmp_path / "theme", None).files


# --- the parse cache -----------------------------------------------------------------------------


def _index(files: dict[str, bytes]) -> InputIndex:
    return InputIndex(
        MappingProxyType({name: (1, 1, 1, digest(data)) for name, data in files.items()}),
        0,
    )


def test_parse_cache_reuses_a_folder_until_one_of_its_files_changes() -> None:
    files = {"content/partners/a/es.md": b"1", "content/partners/b/es.md": b"2"}
    calls: list[str] = []

    def load(name: str) -> object:
        calls.append(name)
        return f"loaded {name}"

    first = ParseCache({}, _index(files))
    first.folder("content/partners/a", "es", lambda: load("a"))
    first.folder("content/partners/b", "es", lambda: load("b"))
    files["content/partners/b/es.md"] = b"changed"
    second = ParseCache(dict(first.used), _index(files))
    assert second.folder("content/partners/a", "es", lambda: load("a")) == "loaded a"
    second.folder("content/partners/b", "es", lambda: load("b"))
    second.folder("content/partners/b", "en", lambda: load("b"))  # another extra key
    assert calls == ["a", "b", "b", "b"]
    assert second.made == {"content/partners/b"}
    dirty = [number for number, shard in enumerate(second.shards()) if shard is not None]
    assert dirty == [cache.shard_of("content/partners/b")]


def test_markup_comes_back_markup_and_the_same_text() -> None:
    import pickle

    from markupsafe import Markup

    value = [Markup("<p>A &amp; B</p>"), Markup(""), "<p>plain</p>", Markup("\u0627\u062e")]
    back = pickle.loads(dumps(value))
    assert back == value
    assert [type(item) for item in back] == [Markup, Markup, str, Markup]


def test_read_only_mappings_pickle() -> None:
    import pickle

    value = MappingProxyType({"a": MappingProxyType({"b": 1})})
    assert pickle.loads(dumps(value)) == value


def test_text_records_are_stored_plain_and_read_back_whole() -> None:
    import pickle

    record = cache.TextPlaces(b"front", True, False, True, "logo.svg", True, rest=b"rest")
    stored = pickle.loads(dumps(cache.plain_records({"content/a/es.md": record})))
    assert type(stored["content/a/es.md"]) is tuple  # (what unpickles fast)
    back = cache.text_record(stored["content/a/es.md"])
    assert back == record and type(back) is cache.TextPlaces
    # a record of another shape (an older allysite's) or none at all is no record
    assert cache.text_record(tuple(record)[:-1]) is None
    assert cache.text_record(None) is None
    assert cache.text_record(list(record)) is None


# --- workers ------------------------------------------------------------------------------------


def test_jobs_run_in_forked_processes_in_order() -> None:
    here = os.getpid()
    results = in_workers(3, lambda worker: (worker, os.getpid() == here))
    assert results == [(0, True), (1, False), (2, False)]
    assert [r[0] for r in in_workers(3, lambda worker: (worker, 0), here=False)] == [0, 1]


def test_a_failing_worker_is_reported_with_its_traceback() -> None:
    def job(worker: int) -> int:
        if worker == 1:
            raise ValueError("broken in the worker")
        return worker

    with pytest.raises(RuntimeError, match="broken in the worker"):
        in_workers(2, job)


def test_shared_counts_cross_the_fork() -> None:
    counts = SharedCounts(2)

    def job(worker: int) -> int:
        counts.set(worker, 10 + worker)
        return worker

    in_workers(2, job)
    assert counts.total(range(2)) == 21


def test_page_metadata_is_hashed_as_text_that_tells_every_value_apart() -> None:
    from allysite.languages import make_language
    from allysite.pagemeta import Alternate, PageMeta, SwitchLink

    es, en = make_language("es", True), make_language("en", False)

    def meta(**changed: object) -> PageMeta:
        values: dict[str, object] = {
            "path": "/es/p/",
            "href": "/es/p/",
            "canonical": "https://x.org/es/p/",
            "alternates": (Alternate("es", "https://x.org/es/p/"), Alternate("en", "/en/p/")),
            "switcher": (
                SwitchLink(es, "/es/p/", True, True),
                SwitchLink(en, "/en/p/", False, True),
            ),
            "robots": None,
        }
        return PageMeta(**{**values, **changed})  # type: ignore[arg-type]

    first = Fingerprints().of(meta())
    assert Fingerprints().of(meta()) == first
    others = [
        meta(path="/es/q/"),
        meta(canonical="https://x.org/es/q/"),
        meta(robots="noindex"),
        meta(alternates=()),
        meta(alternates=(Alternate("es", "https://x.org/es/p/"),)),
        meta(alternates=(Alternate("en", "/en/p/"), Alternate("es", "https://x.org/es/p/"))),
        meta(switcher=(SwitchLink(es, "/es/p/", True, True),)),
        meta(
            switcher=(SwitchLink(es, "/es/p/", True, False), SwitchLink(en, "/en/p/", False, True))
        ),
        meta(
            switcher=(SwitchLink(es, "/es/p/", False, True), SwitchLink(en, "/en/p/", True, True))
        ),
        meta(
            switcher=(SwitchLink(en, "/es/p/", True, True), SwitchLink(es, "/en/p/", False, True))
        ),
        meta(href="/es/p/x", canonical="https://x.org/es/p/"),
    ]
    prints = [Fingerprints().of(other) for other in others]
    assert first not in prints and len(set(prints)) == len(prints)


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 65537])
def test_read_regular_gives_every_byte_with_one_read_when_the_size_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    (tmp_path / "f").write_bytes(data)
    reads: list[int] = []
    real_read = os.read

    def counted(fd: int, length: int) -> bytes:
        reads.append(length)
        return real_read(fd, length)

    monkeypatch.setattr(os, "read", counted)
    status, read = inputindex.read_regular(tmp_path / "f")
    assert read == data and status.st_size == size
    assert reads == [size + 1]


def test_read_regular_reads_on_when_the_file_gives_more_than_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that grew after its status was taken is read to its end."""
    (tmp_path / "f").write_bytes(b"abc")
    real_fstat = os.fstat

    def older(fd: int) -> os.stat_result:
        status = real_fstat(fd)
        return os.stat_result((*status[:6], 1, *status[7:]))  # (its size as 1 byte)

    monkeypatch.setattr(os, "fstat", older)
    _, read = inputindex.read_regular(tmp_path / "f")
    assert read == b"abc"


def test_a_page_is_keyed_by_the_files_of_the_bodies_it_shows() -> None:
    """A body is rendered from its file alone: pages are keyed by the files' hashes, and by
    the bodies themselves when a text's file is not among the inputs."""
    from types import SimpleNamespace

    from allysite.publish import _bodies_key

    prints = Fingerprints(leave_out=frozenset({"body_html"}))
    files = {
        "content/partners/a/es.md": (3, 0, 1, digest(b"one")),
        "content/partners/b/es.md": (3, 0, 2, digest(b"two")),
    }

    def text(source: str, body: str) -> object:
        return SimpleNamespace(source=source, body_html=Markup(body))

    a, b = "content/partners/a/es.md", "content/partners/b/es.md"
    assert _bodies_key([text(a, "<p>x</p>")], files, prints) == _bodies_key(
        [text(a, "<p>y</p>")], files, prints
    )  # (the same file: the same body, by how bodies are made)
    assert _bodies_key([text(a, "<p>x</p>")], files, prints) != _bodies_key(
        [text(b, "<p>x</p>")], files, prints
    )
    edited = {**files, a: (11, 0, 1, digest(b"one, edited"))}
    assert _bodies_key([text(a, "<p>x</p>")], files, prints) != _bodies_key(
        [text(a, "<p>x</p>")], edited, prints
    )
    unknown = "content/pages/about/es.md"
    assert _bodies_key([text(unknown, "<p>x</p>")], files, prints) != _bodies_key(
        [text(unknown, "<p>y</p>")], files, prints
    )
    assert _bodies_key([text(unknown, "<p>x</p>")], files, prints) == _bodies_key(
        [text(unknown, "<p>x</p>")], files, prints
    )
