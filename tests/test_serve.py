"""allysite serve against a real server on 127.0.0.1: edits, errors, reloads, safety."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import logging
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, TypeVar
from unittest.mock import ANY
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

import allysite
from allysite.errors import error
from allysite.server import PreviewServer, ServeEvent, _redirect, is_loopback
from allysite.serverpages import error_page
from allysite.watching import SourceWatcher
from conftest import LOGO, MINIMAL_SITE, MakeSite, Site, git, needs_git

TIMEOUT = 10.0

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: the browser tests' Playwright (sync API) keeps an
    event loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Running:
    def __init__(self, server: PreviewServer, site: Site, events: list[ServeEvent]) -> None:
        self.server = server
        self.site = site
        self.events = events

    @property
    def port(self) -> int:
        return self.server.port

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
        return self.request("GET", path, headers)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        result = response.status, dict(response.getheaders()), response.read()
        connection.close()
        return result

    def raw(self, request: bytes) -> bytes:
        """A request sent as bytes, so that nothing normalises the path on the way."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as sock:
            sock.sendall(request)
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def wait_for(self, path: str, test: Callable[[int, bytes], bool]) -> tuple[int, bytes]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            status, _headers, body = self.get(path)
            if test(status, body) or time.monotonic() > deadline:
                return status, body
            time.sleep(0.02)

    def settle(self) -> None:
        """Wait until every pending page is rendered."""
        deadline = time.monotonic() + TIMEOUT
        while self.server.preview.pending and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def serve(make_site: MakeSite) -> Iterator[Callable[..., Running]]:
    servers: list[PreviewServer] = []

    def start(files: dict[str, str | None] | None = None) -> Running:
        site = make_site(files)
        events: list[ServeEvent] = []
        server = PreviewServer(site.root, site.out, port=0, report=events.append)
        server.start()
        servers.append(server)
        return Running(server, site, events)

    yield start
    for server in servers:
        server.stop()


def text(body: bytes) -> str:
    return BeautifulSoup(body, "html.parser").get_text(" ", strip=True)


def test_serves_the_built_site_with_the_reload_script(serve: Callable[..., Running]) -> None:
    running = serve()
    status, headers, body = running.get("/es/partners/alpha/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    page = BeautifulSoup(body, "html.parser")
    assert page.find("h1").get_text(" ", strip=True).startswith("Fundación Alfa")
    scripts = {s.get("src"): s for s in page.head.find_all("script")}
    reload = scripts[f"/livereload.js?port={running.port}"]
    assert reload.has_attr("async")  # (never stops the parser: the page shows at once)
    status, headers, _ = running.get(f"/livereload.js?port={running.port}")
    assert status == 200 and "javascript" in headers["Content-Type"]
    assert running.events[0].kind == "build" and running.events[0].update.ok


def test_only_files_named_by_their_content_may_be_kept_by_the_browser(
    serve: Callable[..., Running],
) -> None:
    """A tab that reloads after an edit fetches the page (and the logo) again, not the
    theme's fingerprinted style sheet and script, whose names change with their content."""
    running = serve()
    _, headers, body = running.get("/es/partners/alpha/")
    assert headers["Cache-Control"] == "no-store"
    head = BeautifulSoup(body, "html.parser").head
    assets = [link["href"] for link in head.select("link[rel=stylesheet]")]
    assets += [s["src"] for s in head.select("script[src^='/assets/']")]
    assert len(assets) >= 2
    for asset in assets:
        status, headers, _ = running.get(asset)
        assert status == 200
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable", asset
    for path in ("/es/partners/alpha/logo.svg", "/sitemap.xml", "/assets/missing.0123456789.css"):
        _, headers, _ = running.get(path)
        assert headers["Cache-Control"] == "no-store", path


def test_an_edit_reaches_the_served_page(serve: Callable[..., Running]) -> None:
    running = serve()
    running.site.write(
        {
            "content/partners/alpha/en.md": "---\nname: Alpha Renamed\nsummary: New.\n---\n"
            "A fresh paragraph.\n"
        }
    )
    status, body = running.wait_for("/en/partners/alpha/", lambda s, b: b"Alpha Renamed" in b)
    assert status == 200 and "A fresh paragraph." in text(body)
    status, body = running.wait_for("/en/", lambda s, b: b"Alpha Renamed" in b)
    assert b"Alpha Renamed" in body
    running.settle()
    # the Spanish pages do not show the English text: they were not rendered again
    update = next(e.update for e in running.events if e.kind == "update")
    assert update is not None and update.ok
    assert 0 < update.stale < update.pages


def test_only_routes_whose_data_changed_are_rendered(serve: Callable[..., Running]) -> None:
    running = serve()
    preview = running.server.preview
    before = dict(preview.written)
    # the body only: the English profile shows it, no other page does
    running.site.write(
        {
            "content/partners/alpha/en.md": "---\nname: Alpha Foundation\nsummary: Works for "
            "peace.\n---\n## Mandate\n\nOther words.\n"
        }
    )
    running.wait_for("/en/partners/alpha/", lambda s, b: b"Other words." in b)
    running.settle()
    update = next(e.update for e in running.events if e.kind == "update")
    # the page that shows the body: the lists only show the partner's card (bodyreads.py)
    assert update is not None and update.stale == 1
    changed = {
        path
        for path, digest in preview.written.items()
        if path.endswith(".html") and before.get(path) != digest
    }
    assert changed == {"en/partners/alpha/index.html"}
    running.site.write(  # the summary: the lists show it too, in English only
        {
            "content/partners/alpha/en.md": "---\nname: Alpha Foundation\nsummary: Works for "
            "justice.\n---\n## Mandate\n\nOther words.\n"
        }
    )
    running.wait_for("/en/", lambda s, b: b"Works for justice." in b)
    running.settle()
    update = [e.update for e in running.events if e.kind == "update"][-1]
    assert update is not None and update.stale > 2
    before = {path: digest for path, digest in before.items() if path.startswith("es/")}
    assert {path: preview.written[path] for path in before} == before  # no Spanish page


def test_a_template_edit_renders_the_pages_that_use_it(serve: Callable[..., Running]) -> None:
    running = serve()
    theme = Path(allysite.__file__).parent / "theme" / "templates"
    page = (theme / "page.html").read_text(encoding="utf-8")
    assert "{% block main %}" in page

    def first_update(since: int) -> Any:
        """The update the edit started (a loaded machine may see a write as two events: the
        second leaves only what the first left to render)."""
        return next(e.update for e in running.events[since:] if e.kind == "update")

    def quiet() -> int:
        """The number of events once none came for half a second (a late second event of
        the last write must not pass for the next edit's)."""
        count = -1
        while count != len(running.events):
            count = len(running.events)
            time.sleep(0.5)
        return count

    since = len(running.events)
    running.site.write(
        {"templates/page.html": page.replace("{% block main %}", "{% block main %}<i>new</i>")}
    )
    running.wait_for("/es/about/", lambda s, b: b"<i>new</i>" in b)
    running.settle()
    update = first_update(since)
    users = [r for r in running.server.preview.routes.values() if r.template == "page.html"]
    assert update is not None and update.stale == len(users) > 0
    card = (theme / "partials" / "card.html").read_text(encoding="utf-8")
    since = quiet()
    running.site.write({"templates/partials/card.html": "<!-- ours -->" + card})
    running.wait_for("/es/", lambda s, b: b"<!-- ours -->" in b)
    running.settle()
    update = first_update(since)
    routes = running.server.preview.routes.values()
    assert update is not None
    assert 0 < update.stale < len(routes)  # the lists, not the profiles
    assert update.stale == sum(r.template in ("home.html", "term.html") for r in routes)


def test_the_output_after_edits_equals_a_fresh_build(
    serve: Callable[..., Running], tmp_path: Path
) -> None:
    running = serve()
    site = running.site
    site.write(
        {
            "content/partners/alpha/ar.md": "---\nname: ألفا\nsummary: سلام.\n---\nنص.\n",
            "content/partners/beta/partner.yaml": "website: https://beta.example.org/\n"
            "kind: foundation\ntopics: [youth]\n",
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Jóvenes.\n---\nHola.\n",
            "content/partners/alpha/partner.yaml": "website: https://alpha.example.org/\n"
            "logo: logo.svg\nkind: ngo\nregions: [africa]\ntopics: [youth]\n",
        }
    )
    running.wait_for("/es/partners/beta/", lambda s, b: s == 200)
    site.remove("content/partners/alpha/en.md")
    running.wait_for("/en/partners/alpha/", lambda s, b: b"Text in" not in b)
    time.sleep(0.3)
    running.settle()
    deadline = time.monotonic() + TIMEOUT
    while running.server.preview.extras_due and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    fresh = Site(site.root, tmp_path / "fresh")
    assert fresh.build().exit_code == 0
    served, built = site.output_files(), fresh.output_files()
    assert sorted(served) == sorted(built)
    assert [name for name in built if served[name] != built[name]] == []


def test_files_a_build_copies_are_watched_whatever_their_names(
    serve: Callable[..., Running], tmp_path: Path
) -> None:
    """A build copies every file of static/ that is not hidden, an editor's backup
    (`notes~`) too; once the backup is deleted, its copy goes. A partner's folder named by
    digits and moved out of the site (to the trash) takes its pages with it. An editor's
    backup in a partner's folder is left out, as a build leaves it out. (The watcher left
    out such names: the output kept what a build no longer made.)"""
    running = serve(
        {
            "content/partners/2030/partner.yaml": "website: https://y.example.org/\nkind: ngo\n",
            "content/partners/2030/es.md": "---\nname: Año 2030\nsummary: Futuro.\n---\nHola.\n",
        }
    )
    site = running.site
    site.write(
        {
            "content/partners/alpha/es.md~": "---\nname: Fundación Alfa\n---\nViejo.\n",
            "content/partners/alpha/es.md": "---\nname: Fundación Alfa\nshort_name: FA\n"
            "summary: Trabaja por la paz.\n---\n## Mandato\n\nTexto nuevo.\n",
        }
    )
    running.wait_for("/es/partners/alpha/", lambda s, b: b"Texto nuevo." in b)
    assert list(site.out.rglob("es.md~")) == []  # as a build leaves it out
    site.write({"static/notes~": "kept"})
    assert running.wait_for("/notes~", lambda s, b: s == 200)[1] == b"kept"
    site.remove("static/notes~")
    running.wait_for("/notes~", lambda s, b: s == 404)
    assert not (site.out / "notes~").exists()
    assert running.get("/es/partners/2030/")[0] == 200
    shutil.move(site.root / "content/partners/2030", tmp_path / "trash")
    status, _ = running.wait_for("/es/partners/2030/", lambda s, b: s == 404)
    assert status == 404
    running.settle()
    assert "Año 2030" not in text(running.get("/es/")[2])
    assert not (site.out / "es/partners/2030/index.html").exists()


def test_editors_leftovers_in_content_are_not_watched_as_a_build_leaves_them_out(
    make_site: MakeSite,
) -> None:
    """Saving a profile leaves an editor's backup, autosave or temporary file beside it; a
    build does not read them (inputindex.editor_leftover), so the watcher does not report
    them: no update for nothing. A temporary file renamed onto the profile (a JetBrains
    IDE's safe write) is the profile's edit. static/'s backups are copied, so reported."""
    site = make_site({"static/notes.txt": "n"})
    reported: queue.Queue[str] = queue.Queue()

    def changed(paths: list[Path]) -> None:
        for path in paths:
            reported.put(path.relative_to(site.root).as_posix())

    def seen_until(name: str) -> list[str]:
        seen: list[str] = []
        while name not in seen:
            seen.append(reported.get(timeout=TIMEOUT))
        return seen

    watcher = SourceWatcher(site.root, changed)
    try:
        site.write({"static/notes.txt~": "old"})
        assert "static/notes.txt~" in seen_until("static/notes.txt~")
        alpha = site.root / "content/partners/alpha"
        leftovers = ["es.md~", "#es.md#", "es.md.kate-swp", "es.md.swp", "4913"]
        for name in leftovers:
            (alpha / name).write_text("x", encoding="utf-8")
        for name in leftovers[2:]:
            (alpha / name).unlink()
        (alpha / "es.md___jb_tmp___").write_text(
            MINIMAL_SITE["content/partners/alpha/es.md"] + "\nNuevo.\n", encoding="utf-8"
        )
        os.replace(alpha / "es.md", alpha / "es.md___jb_old___")
        os.replace(alpha / "es.md___jb_tmp___", alpha / "es.md")
        (alpha / "es.md___jb_old___").unlink()
        (alpha / "2024").write_text("figures", encoding="utf-8")  # an ordinary file
        seen = seen_until("content/partners/alpha/2024")
    finally:
        watcher.stop()
    assert {name for name in seen if name.startswith("content/")} == {
        "content/partners/alpha/es.md",
        "content/partners/alpha/2024",
    }


def test_a_bad_edit_shows_the_error_page_and_a_fix_recovers(
    serve: Callable[..., Running],
) -> None:
    running = serve()
    good = running.get("/es/partners/alpha/")[2]
    running.site.write(
        {
            "content/partners/alpha/es.md": "---\nname: Fundación Alfa\nsummary: Paz.\n"
            "<script>: x\n---\n"
        }
    )
    status, body = running.wait_for("/es/partners/alpha/", lambda s, b: s == 500)
    assert status == 500
    page = BeautifulSoup(body, "html.parser")
    assert page.find("h1").get_text(strip=True).startswith("The site has 1 error")
    item = page.find("li")
    assert item.find("code").get_text() == "content/partners/alpha/es.md:4:1"
    assert "unknown field '<script>'" in item.get_text()
    assert page.find("script", src=True) is not None  # the reload script, to recover
    assert not [s for s in page.find_all("script") if not s.get("src")]  # escaped
    # the last good site is still served
    assert running.get("/es/partners/alpha/?last-good")[2] == good
    # and the terminal was told
    failed = [e.update for e in running.events if e.update and not e.update.ok]
    assert failed and failed[-1].diagnostics[0].pos.path == "content/partners/alpha/es.md"
    running.site.write(
        {"content/partners/alpha/es.md": "---\nname: Fundación Omega\nsummary: Paz.\n---\n"}
    )
    status, body = running.wait_for("/es/partners/alpha/", lambda s, b: s == 200)
    assert status == 200 and "Fundación Omega" in text(body)


@pytest.mark.parametrize("path", ["//evil.example/x", "///evil.example/", "/\\evil.example/"])
def test_the_error_pages_link_to_the_last_good_page_stays_on_the_server(path: str) -> None:
    """The link was the request's path as it came: `//evil.example/x` linked to another host
    (a link to the preview server's address sent editors there from its error page)."""
    page = BeautifulSoup(error_page([error("e", "broken")], path), "html.parser")
    link = page.find("a", string=lambda text: text and "as it was" in text)
    href = link["href"]
    # (a browser reads "/" followed by "/" or "\\" as the start of another host's address)
    assert href.startswith("/") and href[1] not in "/\\"
    target = urlsplit(urljoin("http://127.0.0.1:8000/es/", href))
    assert (target.netloc, target.path, target.query) == (
        "127.0.0.1:8000",
        "/" + path.lstrip("/\\"),
        "last-good",
    )


THEME_FOOTER = Path(allysite.__file__).parent / "theme" / "templates" / "partials" / "footer.html"
BROKEN_FOOTER = {
    "templates/partials/footer.html": THEME_FOOTER.read_text(encoding="utf-8")
    + "{{ nosuchvar.x }}\n"
}
"""A partial every page includes, with an error only rendering finds."""


def build_errors(site: Site, out: Path) -> list[str]:
    """The error lines (and hints) `allysite build` prints for the site."""
    result = Site(site.root, out).build()
    assert result.exit_code == 1
    lines = result.output.splitlines()
    return [line for line in lines if ": error: " in line or line.startswith("  hint: ")]


def test_a_template_error_of_every_page_is_listed_once_as_a_build_lists_it(
    serve: Callable[..., Running], tmp_path: Path
) -> None:
    running = serve()
    running.site.write(BROKEN_FOOTER)
    assert running.wait_for("/es/", lambda s, b: s == 500)[0] == 500
    running.settle()
    expected = build_errors(running.site, tmp_path / "fresh")
    assert len(expected) == 2  # one error, its hint
    # the browser's error page
    status, _, body = running.get("/en/partners/alpha/")
    page = BeautifulSoup(body, "html.parser")
    assert status == 500 and page.find("h1").get_text() == "The site has 1 error(s)"
    assert len(page.find_all("li")) == 1
    item = page.find("li")
    code, message = item.find("code").get_text(), item.find("p").get_text()
    hint = item.find(class_="hint").get_text()
    assert [f"{code}: error: {message}", f"  hint: {hint}"] == expected
    # and what the terminal is told once the pages are rendered
    assert len(running.server.preview.render_errors) > 30  # every page failed: one error
    deadline = time.monotonic() + TIMEOUT
    while not [e for e in running.events if e.kind == "rendered"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    rendered = [e for e in running.events if e.kind == "rendered"][-1]
    assert rendered.count > 30
    told = [line for problem in rendered.problems for line in problem.format().split("\n")]
    assert told == expected


def test_while_the_site_has_errors_a_missing_file_that_is_no_page_is_not_found(
    serve: Callable[..., Running],
) -> None:
    running = serve()
    running.site.write({"content/partners/alpha/es.md": "---\nname: Alfa\nbad: x\n---\n"})
    assert running.wait_for("/es/", lambda s, b: s == 500)[0] == 500
    for path in ("/assets/nope.css", "/es/partners/alpha/nope.svg", "/es/feed.json"):
        status, _, body = running.get(path)
        assert status == 404, path
        assert b"The site has" not in body
    for path in ("/es/nothing-here/", "/es/nothing-here", "/es/nothing.html"):  # pages
        status, _, body = running.get(path)
        assert status == 500 and b"The site has" in body, path


@pytest.mark.parametrize(
    "target",
    [
        b"/../../../../etc/passwd",
        b"/es/../../../../etc/passwd",
        b"/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        b"/es/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        b"/es/..%2f..%2f..%2fetc%2fpasswd",
        b"/..%5c..%5cetc%5cpasswd",
        b"/%2e%2e%2f%2e%2e%2fsite.yaml",
        b"/.allysite-output",
        b"/es/%00index.html",
    ],
)
def test_paths_outside_the_output_are_not_served(
    serve: Callable[..., Running], target: bytes
) -> None:
    running = serve()
    response = running.raw(
        b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
        b"Connection: close\r\n\r\n" % running.port
    )
    assert response.startswith(b"HTTP/1.1 404"), response[:200]
    assert b"root:" not in response and b"base_url" not in response


def test_the_well_known_folder_is_served_and_other_dot_names_are_not(
    serve: Callable[..., Running], tmp_path: Path
) -> None:
    """static/.well-known/ is published (security.txt, apple-app-site-association), so the
    dev server serves it with the types a deploy sets, and an edit of it, and takes it away
    once the folder is moved out whole (a dot-name the watcher ignored); any other name
    that starts with a dot is still refused, inside .well-known/ too."""
    association = '{"applinks": {"details": []}}\n'
    running = serve(
        {
            "static/.well-known/security.txt": "Contact: mailto:security@example.org\n",
            "static/.well-known/apple-app-site-association": association,
            "static/.well-known/.secret": "not for visitors\n",
            "static/.env": "SECRET=1\n",
        }
    )
    status, headers, body = running.get("/.well-known/security.txt")
    assert status == 200 and body == b"Contact: mailto:security@example.org\n"
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    status, headers, body = running.get("/.well-known/apple-app-site-association")
    assert status == 200 and json.loads(body) == json.loads(association)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    (running.site.out / ".well-known/.by-hand").write_text("not for visitors\n")
    (running.site.out / ".by-hand").write_text("not for visitors\n")
    for path in ("/.well-known/.secret", "/.env", "/.well-known/.by-hand", "/.by-hand"):
        status, _, body = running.get(path)
        assert status == 404 and b"not for visitors" not in body and b"SECRET" not in body
    running.site.write({"static/.well-known/security.txt": "Contact: mailto:new@example.org\n"})
    status, body = running.wait_for("/.well-known/security.txt", lambda _, body: b"new@" in body)
    assert status == 200 and body == b"Contact: mailto:new@example.org\n"
    (running.site.root / "static/.well-known").rename(tmp_path / "moved-out")
    status, _ = running.wait_for("/.well-known/security.txt", lambda status, _: status == 404)
    assert status == 404


def test_a_symbolic_link_in_the_output_is_not_followed(
    serve: Callable[..., Running], tmp_path: Path
) -> None:
    running = serve()
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret\n")
    (running.site.out / "leak.txt").symlink_to(secret)
    (running.site.out / "leakdir").symlink_to(tmp_path)
    for path in (b"/leak.txt", b"/leakdir/secret.txt"):
        response = running.raw(
            b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
            % (path, running.port)
        )
        assert response.startswith(b"HTTP/1.1 404") and b"top secret" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/{out}/es",  # the output folder's own absolute path: a redirect to '//tmp/...'
        "/{out}/es/",
        "/{out}/es/index.html",
        "/es//partners/alpha/",
        "/es/partners//alpha",
        "/es//",
    ],
)
def test_an_empty_path_segment_is_not_found_nor_redirected_to_another_host(
    serve: Callable[..., Running], path: str
) -> None:
    running = serve()
    target = path.format(out=running.site.out.resolve()).encode()
    response = running.raw(
        b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
        % (target, running.port)
    )
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    assert head.startswith("http/1.1 404"), head
    assert "\r\nlocation:" not in head
    # the same pages at their own addresses are served
    assert running.get("/es")[1]["Location"] == "/es/"
    assert running.get("/es/partners/alpha/")[0] == 200


def test_a_redirect_never_names_another_host(serve: Callable[..., Running]) -> None:
    """A base URL whose path starts with '//' (the site under '//evil.example/') is refused
    (config.base_path_problem): no page is served under it, and '/' redirects nowhere. The
    server's own guard stays: a location starting with '//' or '/\\' is no redirect, which
    browsers read as another host's address."""
    site_yaml = MINIMAL_SITE["site.yaml"].replace(
        "https://partners.example.org/", "https://partners.example.org//evil.example/"
    )
    running = serve({"site.yaml": site_yaml})
    assert running.server.preview.failed and running.server.prefix == ""
    for path in ("/", "//evil.example", "//evil.example/es"):
        _, headers, _ = running.get(path)
        assert not headers.get("Location", "").startswith("//"), (path, headers["Location"])
    for location in ("//evil.example/es/", "/\\evil.example/es/"):
        assert _redirect(location) == ("missing", "")
    assert _redirect("/es/") == ("redirect", "/es/")


def test_a_head_request_has_the_headers_of_a_get(serve: Callable[..., Running]) -> None:
    running = serve()
    _, _, body = running.get("/es/")
    style = BeautifulSoup(body, "html.parser").head.select_one("link[rel=stylesheet]")["href"]
    empty = f'"{hashlib.sha1(b"").hexdigest()}"'  # (what a HEAD's ETag was: no body)
    for path in ("/es/", "/es/partners/alpha/logo.svg", style, "/es/nothing-here/"):
        got = running.get(path)
        head = running.request("HEAD", path)
        assert head[0] == got[0] and head[2] == b""
        for name in ("Etag", "Content-Type", "Content-Length"):
            assert head[1].get(name) == got[1].get(name), (path, name)
        assert int(got[1]["Content-Length"]) == len(got[2])
    for path in ("/es/", style):
        etag = running.get(path)[1]["Etag"]
        assert etag != empty
        for method in ("GET", "HEAD"):
            assert running.request(method, path, {"If-None-Match": etag})[0] == 304
            assert running.request(method, path, {"If-None-Match": empty})[0] == 200


def test_a_redirect_to_the_folder_keeps_the_query(serve: Callable[..., Running]) -> None:
    running = serve()
    for path, query in (("/es", "?last-good"), ("/es/partners/alpha", "?a=1&b=%C3%A9")):
        status, headers, _ = running.get(path + query)
        assert status == 302 and headers["Location"] == f"{path}/{query}"
    assert running.get("/es")[1]["Location"] == "/es/"  # (no '?' without a query)


LONG = "a" * 300
"""A path segment longer than any file name the file system allows (255 bytes)."""


@pytest.mark.parametrize("path", [f"/{LONG}", f"/es/{LONG}/", f"/es/{LONG}.css", f"/{LONG}/x"])
def test_a_name_too_long_for_the_file_system_is_not_found(
    serve: Callable[..., Running], caplog: pytest.LogCaptureFixture, path: str
) -> None:
    running = serve()
    language = path.split("/")[1]
    expected = running.get(f"/{language}/nothing-here/")  # the not-found page of that path
    assert expected[0] == 404
    with caplog.at_level(logging.ERROR):
        status, headers, body = running.get(path)
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == expected[2]
    assert [record.getMessage() for record in caplog.records] == []  # no traceback


def test_another_host_name_is_refused(serve: Callable[..., Running]) -> None:
    running = serve()
    status, _, body = running.get("/es/", {"Host": f"attacker.example:{running.port}"})
    assert status == 403 and b"answers only" in body
    assert running.get("/es/", {"Host": f"localhost:{running.port}"})[0] == 200


def test_the_reload_trigger_accepts_only_the_servers_own_origin(
    serve: Callable[..., Running],
) -> None:
    running = serve()
    own = f"http://127.0.0.1:{running.port}"

    def post(origin: str | None) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=TIMEOUT)
        headers = {"Origin": origin} if origin else {}
        connection.request("POST", "/forcereload", body=b"", headers=headers)
        status = connection.getresponse().status
        connection.close()
        return status

    assert post(None) == 403
    assert post("http://attacker.example") == 403
    assert post(f"http://localhost:{running.port}") == 403  # not the Host it was asked on
    assert post(own) == 200
    assert running.get("/forcereload")[0] == 405


async def _socket(port: int, origin: str | None) -> WebSocketClientConnection:
    headers = {"Origin": origin} if origin else {}
    request = HTTPRequest(
        f"ws://127.0.0.1:{port}/livereload", headers=headers, connect_timeout=TIMEOUT
    )
    return await websocket_connect(request)


def test_the_reload_socket_accepts_only_the_servers_own_origin(
    serve: Callable[..., Running],
) -> None:
    running = serve()

    async def refused(origin: str | None) -> int:
        try:
            await _socket(running.port, origin)
        except HTTPClientError as exc:
            return exc.code
        return 101

    assert run_async(refused("http://attacker.example")) == 403
    assert run_async(refused(None)) == 403


def test_an_edit_reloads_the_open_tabs(serve: Callable[..., Running]) -> None:
    running = serve()

    async def session() -> dict:
        socket = await _socket(running.port, f"http://127.0.0.1:{running.port}")
        await socket.write_message(json.dumps({"command": "hello", "protocols": []}))
        hello = json.loads(await asyncio.wait_for(socket.read_message(), TIMEOUT))
        assert hello["command"] == "hello"
        await socket.write_message(json.dumps({"command": "info", "url": "/es/"}))
        await asyncio.sleep(0.2)
        running.site.write({"content/partners/alpha/es.md": "---\nname: Otra\n---\nTexto.\n"})
        message = json.loads(await asyncio.wait_for(socket.read_message(), TIMEOUT))
        socket.close()
        return message

    message = run_async(session())
    assert message["command"] == "reload"
    assert message["path"] == "*"


def test_a_new_source_folder_is_watched(serve: Callable[..., Running]) -> None:
    running = serve()
    running.site.write({"templates/partials/footer.html": "<footer>Our own footer</footer>\n"})
    _status, body = running.wait_for("/es/", lambda s, b: b"Our own footer" in b)
    assert b"Our own footer" in body


def test_host_names_it_answers_to() -> None:
    local = PreviewServer(Path("."), Path("out"), host="127.0.0.1", port=8123)
    assert local.allows_host("127.0.0.1:8123") and local.allows_host("localhost:8123")
    assert local.allows_host("[::1]:8123")
    assert not local.allows_host("127.0.0.1:8124")  # another port
    assert not local.allows_host("rebind.attacker.example:8123")
    assert not local.allows_host("192.168.1.20:8123")
    everywhere = PreviewServer(Path("."), Path("out"), host="0.0.0.0", port=8123)
    assert everywhere.allows_host("192.168.1.20:8123")  # reached by its address on the LAN
    assert not everywhere.allows_host("rebind.attacker.example:8123")
    assert everywhere.url == "http://127.0.0.1:8123/"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.20")


def serve_process(site: Site) -> subprocess.Popen[str]:
    """`allysite serve` of the site on a free port, its output read as text, uncoloured."""
    return subprocess.Popen(
        [sys.executable, "-m", "allysite", "serve", "--site", str(site.root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_the_command_builds_serves_and_stops_on_ctrl_c(make_site: MakeSite) -> None:
    site = make_site()
    process = serve_process(site)
    assert process.stdout is not None
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Serving "):
                break
        port = int(lines[-1].split(":")[2].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        connection.request("GET", "/es/")
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0
    assert lines[0].split(" ", 1)[1].startswith("built 35 pages in ")
    assert lines[-1] == f"Serving http://127.0.0.1:{port}/  (Ctrl-C to stop)\n"
    assert "Stopped the preview server." in rest
    assert "\x1b[" not in "".join(lines) + rest  # NO_COLOR
    assert (site.root / "build" / "es" / "index.html").is_file()


def test_ctrl_c_right_after_a_save_leaves_the_output_a_build_makes(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The pages an edit left to render in the background, and the feeds and sitemap (made
    after a second without edits), are written before the server stops: stopped at once
    after a save, it left them as they were before it."""
    site = make_site()
    served = Site(site.root, site.root / "build")
    process = serve_process(site)
    lines = Lines(process)
    try:
        lines.until(lambda line: line.startswith("Serving "))
        site.write(
            {
                "content/partners/alpha/en.md": "---\nname: Alpha Foundation\nsummary: Works "
                "for justice.\n---\n## Mandate\n\nText in **English**.\n"
            }
        )
        lines.until(lambda line: " updated in " in line)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=TIMEOUT)
    assert process.returncode == 0
    assert "Stopped the preview server." in lines.until(lambda line: "Stopped" in line)[-1]
    feed = BeautifulSoup(served.output_files()["en/feed.xml"], "xml")
    assert "Works for justice." in feed.get_text(" ")
    assert "Works for justice." in text(served.output_files()["en/index.html"])
    fresh = Site(site.root, tmp_path / "fresh")
    assert fresh.build("--no-cache").exit_code == 0
    left, built = served.output_files(), fresh.output_files()
    assert sorted(left) == sorted(built)
    assert [name for name in built if left[name] != built[name]] == []


class Lines:
    """The lines a process prints (standard output and error), read in a thread of their
    own so that waiting for one can time out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)

    def until(self, test: Callable[[str], bool]) -> list[str]:
        """The lines up to the first that passes `test` (fails after TIMEOUT without one)."""
        start = len(self.seen)
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no such line; the process printed: {self.seen[start:]}")
            self.seen.append(line)
            if test(line):
                return self.seen[start:]


def test_the_terminal_shows_a_template_error_once_and_when_it_is_fixed(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = make_site()
    process = serve_process(site)
    lines = Lines(process)
    try:
        lines.until(lambda line: line.startswith("Serving "))
        site.write(BROKEN_FOOTER)
        told = lines.until(lambda line: line.startswith("The site has errors"))
        assert [line.rstrip("\n") for line in told[-3:-1]] == build_errors(site, tmp_path / "fresh")
        assert sum(": error: " in line for line in told) == 1
        assert told[-4].startswith("  rendered ")
        site.write({"templates/partials/footer.html": THEME_FOOTER.read_text("utf-8")})
        told = lines.until(lambda line: " fixed: " in line)
        # (since the fix: a loaded machine may see the first write as two events)
        told = told[max(i for i, line in enumerate(told) if " changed: " in line) :]
        assert not [line for line in told if ": error: " in line or "has errors" in line]
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=TIMEOUT)


def test_a_port_in_use_fails_at_once_before_building(make_site: MakeSite) -> None:
    site = make_site()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        command = [sys.executable, "-m", "allysite", "serve", "--site", str(site.root)]
        result = subprocess.run(
            [*command, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1"},
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""  # no 'built ... pages' first
    assert not (site.root / "build").exists()
    message = result.stderr.strip()
    assert f"127.0.0.1 port {port}" in message and "--port" in message
    assert message.endswith(
        "Is another 'allysite serve' using it? Stop that one, or choose another port with --port."
    )
    assert "Traceback" not in message and len(message.splitlines()) == 1


def calls_of(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    """A list that grows by one item at each call of `owner.name` (still called)."""
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def served_and_built(
    preview: Any, site: Site, fresh: Path
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The dev server's output once its pending pages and its extras are written, and a
    `--no-cache` build's of the same site into `fresh`."""
    while preview.render_pending(1.0):
        pass
    extras = preview.extras()
    if extras is not None:
        preview.write_extras(extras(), preview.generation)
    built = Site(site.root, fresh)
    assert built.build("--no-cache").exit_code == 0
    return site.output_files(), built.output_files()


def test_a_page_translation_machine_made_leaves_the_others_alternates_as_a_build_does(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A page's translation marked as machine-made (with `machine_translations: noindex`)
    changes that language's site view, and also the alternates of the page in the other
    languages, which are settled otherwise: the dev server plans them again too."""
    from allysite.preview import Preview

    site = make_site(
        {
            "site.yaml": MINIMAL_SITE["site.yaml"] + "machine_translations: noindex\n",
            "content/pages/about/en.md": "---\nname: About\n---\nA directory.\n",
        }
    )
    preview = Preview(site.root, site.out)
    assert preview.build().ok
    page = site.root / "content/pages/about/en.md"
    page.write_text("---\nname: About\ntranslation: machine\n---\nA directory.\n")
    assert preview.update([page]).ok
    served, built = served_and_built(preview, site, tmp_path / "fresh")
    alternates = BeautifulSoup(built["es/about/index.html"], "html.parser").select(
        'link[rel="alternate"][hreflang]'
    )
    assert [link["hreflang"] for link in alternates] == ["es", "x-default"]
    assert [name for name in built if served.get(name) != built[name]] == []
    assert sorted(served) == sorted(built)


def test_an_edit_of_an_originals_name_reads_the_templates_messages_no_more(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The translation status lists each original by name, so the dev server makes it again
    after an edit of one; it keeps the messages of the templates by their files' hashes, as
    the build cache does (extracting them took 0.1 s of such an update on a site of 1,000
    partners), and extracts them again when a template changes."""
    from allysite import status
    from allysite.preview import Preview

    extracted = calls_of(monkeypatch, status, "extract_messages")
    site = make_site({"site.yaml": MINIMAL_SITE["site.yaml"] + "translation_dashboard: true\n"})
    preview = Preview(site.root, site.out)
    assert preview.build().ok
    (dashboard,) = (p for p, r in preview.routes.items() if r.template == "translations.html")

    def updated(name: str, old: str, new: str, *others: Path) -> str:
        path = site.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
        assert preview.update([path, *others]).ok
        while preview.render_pending(1.0):
            pass
        return (site.out / dashboard).read_text(encoding="utf-8")

    extracted.clear()
    page = updated("content/partners/alpha/es.md", "Fundación Alfa", "Fundación Alfa y Omega")
    assert "Fundación Alfa y Omega" in page
    assert extracted == []
    site.write({"templates/partials/extra.html": "{{ _('A sentence of our own') }}\n"})
    template = site.root / "templates/partials/extra.html"
    updated("content/partners/alpha/es.md", "Alfa y Omega", "Alfa y Beta", template)
    assert extracted == [1]


def test_an_edited_text_does_not_plan_the_files_copied_again(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dev server plans the files it copies (logos, an item's files, static/) again when
    an item's files or the static files change, not when a text does (30 ms of an update on
    a site of 1,000 partners)."""
    from allysite import plan
    from allysite.preview import Preview

    planned = calls_of(monkeypatch, plan, "plan_copies")
    site = make_site()
    preview = Preview(site.root, site.out)
    preview.build()
    text = site.root / "content/partners/alpha/es.md"
    text.write_text(text.read_text() + "\nMás texto.\n")
    planned.clear()
    preview.update([text])
    while preview.render_pending(1.0):
        pass
    assert planned == []
    assert "Más texto." in (site.out / "es/partners/alpha/index.html").read_text()
    site.write({"content/partners/alpha/informe.txt": "un informe"})
    preview.update([site.root / "content/partners/alpha/informe.txt"])
    assert planned == [1]
    assert (site.out / "en/partners/alpha/informe.txt").read_text() == "un informe"


def test_an_edit_of_a_profiles_words_plans_no_list_and_gives_a_builds_output(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """After an edit of a profile's body, the dev server plans again the edited partner's
    pages alone: every other page keeps its route of the last plan, the very object (no
    view of another partner is made, no list planned). An edit that changes what a list or
    a notice shows plans again every page of the languages that show it, and no other.
    After each edit, the output is a build's."""
    from click.testing import CliRunner

    from allysite.cli import cli
    from allysite.preview import Preview

    site = make_site(
        {
            "content/partners/beta/partner.yaml": "website: https://beta.example.org/\n"
            "kind: foundation\ntopics: [youth]\n",
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Jóvenes.\n---\nHola.\n",
        }
    )
    stamped = CliRunner().invoke(cli, ["i18n", "stamp", "--site", str(site.root), "alpha", "en"])
    assert stamped.exit_code == 0, stamped.output
    preview = Preview(site.root, site.out)
    assert preview.build().ok
    alpha = {f"{code}/partners/alpha/index.html" for code in ("es", "en", "ar")}
    beta = {f"{code}/partners/beta/index.html" for code in ("es", "en", "ar")}
    dashboard = {path for path, r in preview.routes.items() if r.template == "translations.html"}
    root = {"index.html", "404.html", *dashboard}

    def edit(name: str, old: str, new: str) -> tuple[dict[str, object], dict[str, object]]:
        path = site.root / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        before = dict(preview.routes)
        path.write_text(text.replace(old, new), encoding="utf-8")
        assert preview.update([path]).ok
        served, built = served_and_built(preview, site, tmp_path / "fresh")
        assert sorted(served) == sorted(built)
        assert [name for name in built if served[name] != built[name]] == []
        return before, dict(preview.routes)

    def replanned(before: dict[str, object], after: dict[str, object]) -> set[str]:
        assert before.keys() == after.keys()
        return {path for path in after if after[path] is not before[path]}

    # a Spanish body edit: beta's pages in every language show it (en and ar fall back to es)
    assert replanned(*edit("content/partners/beta/es.md", "Hola.", "Hola, mundo.")) == {
        *beta,
        *root,
    }
    assert "Hola, mundo." in (site.out / "ar/partners/beta/index.html").read_text()
    # an English body edit of a translation that no other translation depends on
    assert replanned(*edit("content/partners/alpha/en.md", "Text in", "Words in")) == {
        *alpha,
        *root,
    }
    english = {path for path, route in preview.routes.items() if route.lang == "en"}
    # the Spanish body that the English translation is stamped with: the English page's
    # notice changes (the translation is now out of date), so the English pages are planned
    # again (the lists among them); of the others, only alpha's and the root's
    after = replanned(*edit("content/partners/alpha/es.md", "Texto en", "Palabras en"))
    assert "en/index.html" in after
    assert after - english == (alpha | root) - english
    # an English summary: the English lists show it, and no other language's
    after = replanned(*edit("content/partners/alpha/en.md", "for peace.", "for peace, too."))
    assert {"en/index.html", "en/kinds/ngo/index.html"} <= after
    assert after - english == (alpha | root) - english
    assert "for peace, too." in (site.out / "en/index.html").read_text()
    # a summary that every language shows (beta has its Spanish text only): the lists of
    # every language are planned again
    after = replanned(*edit("content/partners/beta/es.md", "Jóvenes.", "Juventud."))
    assert {"es/index.html", "en/index.html", "ar/kinds/foundation/index.html"} <= after
    assert "Juventud." in (site.out / "ar/index.html").read_text()
    # and a body edit after it is settled again, against the new plan
    assert replanned(*edit("content/partners/beta/es.md", "mundo.", "mundo entero.")) == {
        *beta,
        *root,
    }


BETA_FACTS = "website: https://beta.example.org/\nkind: {kind}\ntopics: [youth]\n"


@pytest.mark.parametrize("tab", [None, "es/index.html"])
def test_a_sequence_of_random_edits_always_serves_a_cold_builds_bytes(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tab: str | None
) -> None:
    """Edits of every part of a profile and of a page, in a random order: after each, the
    dev server's output is a `--no-cache` build's, byte for byte, whether it kept its plan,
    planned the languages the edit unsettled or planned the whole site (each happens).
    With a tab open on a Spanish page, the other languages are planned later, and some
    edits follow the last one before they are (they are then planned with it). The
    translation dashboard is on: each item's status is kept while the item is the same."""
    import random

    from allysite import preview as preview_module
    from allysite.preview import Preview

    chance = random.Random(20261130)
    site = make_site(
        {
            "site.yaml": MINIMAL_SITE["site.yaml"]
            + "machine_translations: noindex\ntranslation_dashboard: true\n",
            "content/partners/beta/partner.yaml": BETA_FACTS.format(kind="foundation"),
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Jóvenes.\n---\nHola.\n",
            "content/pages/about/en.md": "---\nname: About\n---\nA directory.\n",
        }
    )
    texts = [
        "content/partners/alpha/es.md",
        "content/partners/alpha/en.md",
        "content/partners/beta/es.md",
        "content/pages/about/es.md",
        "content/pages/about/en.md",
    ]

    def words() -> str:
        return " ".join(chance.choice(("paz", "diálogo", "derechos", "agua")) for _ in range(4))

    def field(name: str, value: str) -> Callable[[], str]:
        def edit() -> str:
            path = chance.choice(texts)
            text = (site.root / path).read_text(encoding="utf-8")
            head, _, body = text.partition("\n---\n")
            lines = [line for line in head.split("\n") if not line.startswith(f"{name}:")]
            head = "\n".join([*lines, f"{name}: {value or words()}"])
            site.write({path: f"{head}\n---\n{body}"})
            return path

        return edit

    def body() -> str:
        path = chance.choice(texts)
        text = (site.root / path).read_text(encoding="utf-8")
        site.write({path: text.rpartition("\n---\n")[0] + f"\n---\n{words()}\n"})
        return path

    def arabic() -> str:
        path = "content/partners/beta/ar.md"
        if (site.root / path).exists():
            (site.root / path).unlink()
        else:
            site.write({path: f"---\nname: بيتا\nsummary: {words()}.\n---\nمرحبا.\n"})
        return path

    def kind() -> str:
        path = "content/partners/beta/partner.yaml"
        site.write({path: BETA_FACTS.format(kind=chance.choice(("ngo", "foundation")))})
        return path

    def partner() -> str:
        folder = site.root / "content/partners/gamma"
        if folder.exists():
            shutil.rmtree(folder)
        else:
            site.write(
                {
                    "content/partners/gamma/partner.yaml": "logo: logo.svg\n"
                    + BETA_FACTS.format(kind="ngo"),
                    "content/partners/gamma/logo.svg": LOGO,
                    "content/partners/gamma/es.md": f"---\nname: Gamma\nsummary: {words()}.\n"
                    "---\nHola.\n",
                }
            )
        return "content/partners/gamma"

    def label() -> str:  # (each card shows its kind's label: a partner's view holds it)
        kinds = chance.choice(("Fundación", "Fondo", "Obra"))
        site.write({"taxonomies.yaml": f"kinds:\n  foundation: {{es: {kinds}, en: Fund}}\n"})
        return "taxonomies.yaml"

    edits: dict[str, Callable[[], str]] = {
        "body": body,
        "label": label,
        "summary": field("summary", ""),
        "name": field("name", ""),
        "machine": field("translation", "machine"),
        "human": field("translation", "human"),
        "arabic": arabic,
        "kind": kind,
        "partner": partner,
    }
    plans: list[str] = []
    replan, plan_site = Preview._replan, preview_module.plan_site

    def counted_replan(self: Preview, inputs: Any) -> Any:
        kept = replan(self, inputs)
        plans.append("site" if kept is None else plans.pop() if plans[-1:] == ["part"] else "kept")
        return kept

    def counted_plan_site(*args: Any, **kwargs: Any) -> Any:
        plans.append("part")
        return plan_site(*args, **kwargs)

    monkeypatch.setattr(Preview, "_replan", counted_replan)
    monkeypatch.setattr(preview_module, "plan_site", counted_plan_site)
    preview = Preview(site.root, site.out)
    assert preview.build().ok
    rounds = 4 if tab is None else 2  # (the suite's time: the paths are the same)
    sequence = chance.sample(sorted(edits) * rounds, k=len(edits) * rounds)
    later = 0
    for number, name in enumerate(sequence):
        if tab is not None:
            preview.render(tab)
        path = edits[name]()
        assert preview.update([site.root / path]).ok, (number, name, path)
        later += preview.later is not None
        if tab is not None and number < len(sequence) - 1 and chance.random() < 0.3:
            continue  # the next edit comes before the languages left for later are planned
        served, built = served_and_built(preview, site, tmp_path / f"fresh{number}")
        assert sorted(served) == sorted(built), (number, name, path)
        assert [page for page in built if served[page] != built[page]] == [], (number, name, path)
    assert (later > 0) == (tab is not None)
    if tab is None:  # (with one, no edit here plans the whole site at once)
        assert {"site", "part", "kept"} <= set(plans)


def test_a_new_site_view_makes_no_unchanged_partners_structured_data_again(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A topic added to one partner changes every page's site view (the terms and their
    counts), so every profile is planned again; the server keeps each profile's structured
    data and page metadata while the partner and its view are the same objects (they took
    0.3 s of such an update on a site of 1,000 partners), and its output is a build's."""
    from allysite import pagemeta, plan
    from allysite.preview import Preview

    site = make_site(
        {
            "content/partners/beta/partner.yaml": BETA_FACTS.format(kind="foundation"),
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Jóvenes.\n---\nHola.\n",
        }
    )
    preview = Preview(site.root, site.out)
    assert preview.build().ok
    described: list[str] = []
    paths: list[str] = []
    organization, page_metas = plan.organization, pagemeta.page_metas

    def recorded(partner: Any, *args: Any) -> Any:
        described.append(partner.slug)
        return organization(partner, *args)

    def recorded_metas(
        config: Any, site_urls: Any, languages: Any, path_in: Any, *args: Any
    ) -> Any:
        paths.append(path_in("es"))
        return page_metas(config, site_urls, languages, path_in, *args)

    monkeypatch.setattr(plan, "organization", recorded)
    monkeypatch.setattr(pagemeta, "page_metas", recorded_metas)
    before = {path: route.context.get("site") for path, route in preview.routes.items()}
    facts = site.root / "content/partners/beta/partner.yaml"
    facts.write_text(BETA_FACTS.format(kind="foundation").replace("[youth]", "[youth, water]"))
    assert preview.update([facts]).ok
    assert all(
        route.context.get("site") != before[path]
        for path, route in preview.routes.items()
        if route.template == "partner.html"
    )
    assert set(described) == {"beta"}
    assert {path for path in paths if "/partners/" in path} == {"/es/partners/beta/"}
    served, built = served_and_built(preview, site, tmp_path / "fresh")
    assert served == built


def test_the_languages_no_tab_shows_are_planned_after_the_reload(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """While a tab shows a Spanish page, an edit that changes every page (a topic added to a
    partner: every page's terms) plans the Spanish pages before the tabs reload, and the
    other languages after (in the background, or at once for a page a browser asks for).
    The output is a build's once they are planned."""
    from allysite.preview import Preview

    site = make_site(
        {
            "content/partners/beta/partner.yaml": BETA_FACTS.format(kind="foundation"),
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Jóvenes.\n---\nHola.\n",
        }
    )
    preview = Preview(site.root, site.out)
    assert preview.build().ok
    facts = site.root / "content/partners/beta/partner.yaml"
    facts.write_text(BETA_FACTS.format(kind="foundation").replace("[youth]", "[youth, water]"))
    assert preview.update([facts]).ok
    assert preview.later is None  # no tab: every language planned at once
    served, built = served_and_built(preview, site, tmp_path / "fresh")
    assert served == built

    preview.render("es/partners/alpha/index.html")  # a tab shows a Spanish page
    facts.write_text(BETA_FACTS.format(kind="foundation"))  # the topic taken away again
    update = preview.update([facts])
    assert update.ok
    assert preview.later is not None and preview.later.languages == ("en", "ar")
    assert {route.lang for route in preview.pending.values()} == {"es"}
    topics, water = "en/topics/index.html", "en/topics/water/index.html"
    assert "/en/topics/water/" in (site.out / topics).read_text()
    assert water in preview.routes and "es/topics/water/index.html" not in preview.routes
    assert preview.extras() is None  # (the feeds and the sitemap wait for every language)
    preview.render(topics)  # a browser asks for an English page: planned and rendered now
    assert preview.later is not None and preview.later.languages == ("ar",)
    assert "/en/topics/water/" not in (site.out / topics).read_text()
    assert water not in preview.routes and not (site.out / water).exists()
    served, built = served_and_built(preview, site, tmp_path / "fresh2")
    assert preview.later is None
    assert sorted(served) == sorted(built)
    assert [name for name in built if served[name] != built[name]] == []

    # an edit while languages wait: they are planned with it (never kept as settled)
    facts.write_text(BETA_FACTS.format(kind="ngo"))
    assert preview.update([facts]).ok and preview.later is not None
    beta = site.root / "content/partners/beta/es.md"
    beta.write_text("---\nname: Beta\nsummary: Jóvenes.\n---\nHola de nuevo.\n")
    assert preview.update([beta]).ok
    served, built = served_and_built(preview, site, tmp_path / "fresh3")
    assert sorted(served) == sorted(built)
    assert [name for name in built if served[name] != built[name]] == []

    # a page that only the new plan has (a new term's): planned when a browser asks for it
    facts.write_text(BETA_FACTS.format(kind="ngo").replace("[youth]", "[youth, water]"))
    assert preview.update([facts]).ok
    assert preview.later is not None and preview.later.languages == ("ar",)  # (en was asked for)
    arabic = "ar/topics/water/index.html"
    assert arabic not in preview.routes
    preview.render(arabic)
    assert arabic in preview.routes and "Beta" in (site.out / arabic).read_text()

    served, built = served_and_built(preview, site, tmp_path / "fresh4")
    assert [name for name in built if served.get(name) != built[name]] == []


def test_a_partner_added_cleans_no_other_partners_logo_again(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server keeps each partner's prepared logo by its file's signature, from its first
    build on: a partner added makes its own logo only (a thousand SVGs were cleaned again
    for each, and for the first after the server started), and a logo edited is made again.
    The output is a build's."""
    from allysite import images
    from allysite.preview import Preview

    logo_facts = "logo: logo.svg\n" + BETA_FACTS.format(kind="foundation")
    site = make_site(
        {
            "content/partners/beta/partner.yaml": logo_facts,
            "content/partners/beta/logo.svg": LOGO,
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Jóvenes.\n---\nHola.\n",
        }
    )
    preview = Preview(site.root, site.out)
    assert preview.build().ok
    prepared: list[str] = []
    real = images.prepare_logo

    def recorded(config: Any, partner: Any, cache: Any) -> Any:
        prepared.append(partner.slug)
        return real(config, partner, cache)

    monkeypatch.setattr(images, "prepare_logo", recorded)
    gamma = {
        "content/partners/gamma/partner.yaml": logo_facts,
        "content/partners/gamma/logo.svg": LOGO,
        "content/partners/gamma/es.md": "---\nname: Gamma\nsummary: Agua.\n---\nHola.\n",
    }
    for number, (change, made) in enumerate(
        [
            (gamma, "gamma"),  # (the first build's, from the build cache, are kept too)
            ({"content/partners/beta/logo.svg": LOGO.replace("#1f5f8b", "#8b1f1f")}, "beta"),
            (
                {
                    "content/partners/delta/" + name.rpartition("/")[2]: text
                    for name, text in gamma.items()
                },
                "delta",
            ),
        ]
    ):
        prepared.clear()
        site.write(change)
        assert preview.update([site.root / name for name in change]).ok
        assert prepared == [made]  # (before the build below, which prepares every logo)
        served, built = served_and_built(preview, site, tmp_path / f"fresh{number}")
        assert served == built
    assert any("#8b1f1f" in path.read_text() for path in site.out.rglob("beta/logo.svg"))


def test_an_edit_behind_a_link_to_a_folder_reaches_the_pages_read_through_it(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """The watcher reports a file by its own path, not by the link through which the loader
    also reads it (a partner's folder under a second name, the partners' folder kept
    elsewhere in the site): such folders are checked, not taken as unchanged."""
    from allysite.preview import Preview

    site = make_site(
        {
            "content/partners/beta/partner.yaml": BETA_FACTS.format(kind="foundation"),
            "content/partners/beta/es.md": "---\nname: Beta\nsummary: Jóvenes.\n---\nHola.\n",
        }
    )
    partners = site.root / "content/partners"
    (partners / "gamma").symlink_to("beta")
    preview = Preview(site.root, site.out)
    assert preview.build().ok

    def edited(path: Path, old: str, new: str) -> dict[str, bytes]:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        assert preview.update([path]).ok
        served, built = served_and_built(preview, site, tmp_path / "fresh")
        assert served == built
        return served

    served = edited(partners / "beta/es.md", "Hola.", "Hola, mundo.")
    assert "Hola, mundo." in served["es/partners/gamma/index.html"].decode()
    (site.root / "kept").mkdir()
    partners.rename(site.root / "kept/partners")
    partners.symlink_to("../kept/partners")
    assert preview.update([partners, site.root / "kept/partners"]).ok
    served = edited(site.root / "kept/partners/beta/es.md", "mundo.", "mundo entero.")
    assert "mundo entero." in served["es/partners/beta/index.html"].decode()


def test_an_update_holds_the_cycle_collector_until_its_pages_are_rendered(
    serve: Callable[..., Running], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection in the middle of an update walked the few hundred thousand objects
    it planned; the server collects once the update's pages are rendered instead, and the
    cycles the update left are gone then."""
    import gc
    import weakref

    from allysite.preview import Preview

    running = serve()
    during: list[bool] = []
    cycles: list[weakref.ref[object]] = []
    original = Preview.update

    class Node:
        me: object = None

    def update(self: Preview, changed: Any) -> Any:
        during.append(gc.isenabled())
        node = Node()
        node.me = node  # garbage that only the cycle collector frees
        cycles.append(weakref.ref(node))
        return original(self, changed)

    monkeypatch.setattr(Preview, "update", update)
    running.site.write(
        {"content/partners/alpha/en.md": "---\nname: Alpha Held\nsummary: New.\n---\nText.\n"}
    )
    running.wait_for("/en/", lambda s, b: b"Alpha Held" in b)
    # (one write may be told as two events further apart than the debounce, on a busy
    # machine: then two updates, each with the collector held)
    assert during and not any(during)
    deadline = time.monotonic() + TIMEOUT
    while not gc.isenabled() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gc.isenabled() and not running.server.preview.pending
    assert [ref() for ref in cycles] == [None] * len(cycles)


def run_command(*args: str) -> subprocess.CompletedProcess[str]:
    """An allysite command run to its end, uncoloured (one that serves fails the test)."""
    return subprocess.run(
        [sys.executable, "-m", "allysite", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )


@pytest.mark.parametrize("where", ["no site", "output in content"])
def test_a_bad_site_or_output_option_fails_as_a_build_does(
    make_site: MakeSite, tmp_path: Path, where: str
) -> None:
    """No save can fix an option: serving and waiting for one would never end well."""
    site = make_site()
    if where == "no site":
        options = ["--site", str(tmp_path / "nonexistent")]
    else:
        options = ["--site", str(site.root), "--out", str(site.root / "content")]
    served = run_command("serve", *options, "--port", "0")
    built = run_command("build", *options)
    assert served.returncode == built.returncode == 1
    assert served.stdout == ""  # no 'built ... pages', no 'Serving ...'
    errors = built.stderr.splitlines()[:-1]  # (without 'Build failed: ...')
    assert len(errors) == 2 and "error: " in errors[0] and errors[1].startswith("  hint: ")
    assert served.stderr.splitlines() == [
        *errors,
        "Nothing is served: fix the --site or --out given.",
    ]
    assert not (site.root / "build").exists()


def test_a_site_yaml_with_an_error_is_served_until_a_save_fixes_it(make_site: MakeSite) -> None:
    site = make_site()
    good = (site.root / "site.yaml").read_text("utf-8")
    site.write({"site.yaml": "title: [unclosed\n"})
    process = serve_process(site)
    lines = Lines(process)
    try:
        told = lines.until(lambda line: line.startswith("Serving "))
        assert any(line.startswith("The site has errors") for line in told)
        site.write({"site.yaml": good})
        lines.until(lambda line: " built " in line)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=TIMEOUT)


def test_a_host_that_cannot_be_listened_on_names_the_options(make_site: MakeSite) -> None:
    site = make_site()
    result = run_command(
        "serve", "--site", str(site.root), "--host", "nonexistent.invalid", "--port", "0"
    )
    assert result.returncode == 1
    assert result.stdout == ""
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Cannot listen on nonexistent.invalid port 0: ")
    assert last.endswith(". Check the --host and --port given.")
    assert "another 'allysite serve'" not in result.stderr


def wait_until(test: Callable[[], bool]) -> bool:
    """Wait without requests (a request holds the server's background work back)."""
    deadline = time.monotonic() + TIMEOUT
    while not test() and time.monotonic() < deadline:
        time.sleep(0.05)
    return test()


def test_a_static_file_where_a_numbered_sitemap_goes_is_an_error_as_in_a_build(
    serve: Callable[..., Running], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A site whose sitemap is an index of numbered sitemaps: a file of static/ in the place
    of one is refused by a build; the dev server shows the error too, keeps the sitemap it
    made, and serves the site again once the file is gone. Its first build refuses it too."""
    from allysite import sitemap as sitemap_module
    from allysite.preview import Preview

    monkeypatch.setattr(sitemap_module, "MAX_URLS", 2)
    running = serve()
    assert running.get("/sitemap-2.xml")[0] == 200
    made = (running.site.out / "sitemap-2.xml").read_bytes()
    running.site.write({"static/sitemap-2.xml": "<mine/>\n"})
    assert wait_until(lambda: running.server.preview.failed)
    status, _, body = running.get("/es/")
    assert status == 500 and b"static/sitemap-2.xml" in body
    assert running.get("/sitemap-2.xml")[2] == made
    assert "static/sitemap-2.xml" in build_errors(running.site, tmp_path / "cold")[0]

    running.site.remove("static/sitemap-2.xml")
    assert running.wait_for("/es/", lambda s, b: s == 200)[0] == 200
    assert running.get("/sitemap-2.xml")[2] == made

    running.site.write({"static/sitemap-2.xml": "<mine/>\n"})
    first = Preview(running.site.root, tmp_path / "second").build()
    assert not first.ok
    assert [str(problem.pos) for problem in first.diagnostics] == ["static/sitemap-2.xml"]


def test_a_template_error_found_in_the_background_reloads_the_tabs_onto_the_error_page(
    serve: Callable[..., Running],
) -> None:
    """A template that fails only on the English pages: a tab on a Spanish page reloads
    after the save onto its page, which renders; once the background rendering finds the
    error, the tab is told to reload again and gets the error page (as the terminal does)."""
    running = serve()
    footer = "<footer>{% if site.language.code == 'en' %}{{ nothing.at.all }}{% endif %}</footer>"

    async def session() -> list[dict]:
        socket = await _socket(running.port, f"http://127.0.0.1:{running.port}")
        await socket.write_message(json.dumps({"command": "hello", "protocols": []}))
        await asyncio.wait_for(socket.read_message(), TIMEOUT)  # (hello)
        await socket.write_message(json.dumps({"command": "info", "url": "/es/"}))
        while not running.server.tabs:
            await asyncio.sleep(0.02)
        running.site.write({"templates/partials/footer.html": footer + "\n"})
        messages = []  # (a busy machine may tell the save in two updates: each reloads)
        while len(messages) < 2 or running.get("/es/")[0] != 500:
            messages.append(json.loads(await asyncio.wait_for(socket.read_message(), TIMEOUT)))
        socket.close()
        return messages

    messages = run_async(session())  # (without a reload once the error is found: a timeout)
    assert {message["command"] for message in messages} == {"reload"}
    status, _, body = running.get("/es/")
    assert status == 500 and b"templates/partials/footer.html" in body


def test_a_base_path_is_found_whatever_the_case_of_its_percent_escapes(
    serve: Callable[..., Running],
) -> None:
    """'%c3%b1' is '%C3%B1' (RFC 3986): a base URL's non-ASCII path typed or pasted with
    small letters in its escapes serves the same pages, not the 404 page."""
    site_yaml = MINIMAL_SITE["site.yaml"].replace(
        "https://partners.example.org/", "https://example.org/aliados-ñ/"
    )
    running = serve({"site.yaml": site_yaml})
    assert running.server.prefix == "/aliados-%C3%B1"
    status, _, page = running.get("/aliados-%C3%B1/es/")
    assert status == 200
    assert running.get("/aliados-%c3%b1/es/") == (200, ANY, page)
    status, headers, _ = running.get("/aliados-%c3%b1/es")
    assert (status, headers["Location"]) == (302, "/aliados-%C3%B1/es/")


def stale_notice(body: bytes) -> str | None:
    found = BeautifulSoup(body, "html.parser").select_one(".notice-stale")
    return found.get_text(" ", strip=True) if found else None


@needs_git
def test_a_commit_shows_the_stale_notices_it_changes_without_another_edit(
    serve: Callable[..., Running], tmp_path: Path
) -> None:
    """A commit changes no source file, yet it makes a translation without stamps stale when
    it holds its original's change (or up to date, when it holds the translation's): the
    served pages show it as a build would, without waiting for the next edit of a file."""
    running = serve()
    site, es, en = running.site, "content/partners/alpha/es.md", "content/partners/alpha/en.md"
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "first")
    site.write({es: MINIMAL_SITE[es] + "\nMás texto.\n"})
    running.wait_for("/es/partners/alpha/", lambda s, b: "Más texto." in text(b))
    assert stale_notice(running.get("/en/partners/alpha/")[2]) is None  # (not committed)

    git(site.root, "commit", "-q", "-am", "the original grows", when="2024-02-01T12:00:00+00:00")
    _, body = running.wait_for("/en/partners/alpha/", lambda s, b: stale_notice(b) is not None)
    assert stale_notice(body) == (
        "The Spanish original was updated after this translation. Read the original"
    )
    site.write({en: MINIMAL_SITE[en] + "\nMore text.\n"})
    running.wait_for("/en/partners/alpha/", lambda s, b: "More text." in text(b))
    assert stale_notice(running.get("/en/partners/alpha/")[2]) is not None  # (not committed)
    git(site.root, "commit", "-q", "-am", "translated", when="2024-03-01T12:00:00+00:00")
    _, body = running.wait_for("/en/partners/alpha/", lambda s, b: stale_notice(b) is None)
    assert stale_notice(body) is None

    running.settle()
    fresh = Site(site.root, tmp_path / "fresh")
    assert fresh.build().exit_code == 0
    served, built = site.output_files(), fresh.output_files()
    pages = [name for name in built if name.endswith(".html")]
    assert [name for name in pages if served.get(name) != built[name]] == []
