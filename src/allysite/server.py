"""allysite serve: a preview server that rebuilds what an edit touched and reloads the tabs.

Tornado serves the output folder; livereload supplies the browser side (livereload.js) and
its WebSocket protocol; watchdog reports file changes as they happen (watching.py).

On a change the open tabs are told to reload at once, and the update runs while they do:
the tabs' requests wait on the same event loop until the update is done, and a page that is
still out of date is rendered as it is asked for. Everything else renders in the background.

Safety, for a server on an editor's machine: it answers only to the Host names it listens
on (no DNS rebinding), serves nothing outside the output folder (no `..`, encoded dots or
symbolic links leading out), and its reload socket and trigger accept only its own origin.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import ipaddress
import re
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tornado import httpserver, netutil, web
from tornado.ioloop import IOLoop, PeriodicCallback

from allysite import urls
from allysite.build import Progress
from allysite.cache import git_signature
from allysite.errors import Diagnostic
from allysite.inputindex import hidden
from allysite.preview import Preview, Update
from allysite.serverhandlers import ReloadScript, ReloadSocket, ReloadTrigger, SiteFiles
from allysite.watching import SourceWatcher

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
DEBOUNCE_SECONDS = 0.005
"""Quiet time after a file event before updating: editors save in a burst of events."""
MAX_WAIT_SECONDS = 0.1
BROWSER_GRACE_SECONDS = 0.3
"""Background work waits this long after a request or an update: the tabs load first."""
RENDER_STEP_SECONDS = 0.01
EXTRAS_QUIET_SECONDS = 1.0
"""The sitemap, feeds and search index wait for a second without edits."""
PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
HISTORY_POLL_SECONDS = 1.0
"""How often git's refs are looked at: a commit, checkout or pull changes no source file,
yet the stale notices of translations without stamps (a few stat calls each time)."""
FULL_COLLECTION_EVERY = 16
"""Of the garbage collections after updates (PreviewServer._collect), one in this many
walks the whole heap: the others leave out what the last ones kept."""


@dataclass(frozen=True, slots=True)
class ServeEvent:
    """What the server tells the terminal: a build or update, or the background work done."""

    kind: str
    """'build', 'update', 'rendered' (pending pages done) or 'extras' (sitemap, search...)."""
    update: Update | None = None
    count: int = 0
    seconds: float = 0.0
    problems: tuple[Diagnostic, ...] = ()
    """For 'rendered': the template errors of the pages, each once."""


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _upper_escapes(request_path: str) -> str:
    """The path with its percent-escapes in capitals, as the base URL's path is written:
    '%c3%b1' and '%C3%B1' are the same letter (RFC 3986, 6.2.2.1)."""
    return PERCENT_ESCAPE.sub(lambda escape: escape.group().upper(), request_path)


def _redirect(location: str) -> tuple[str, str]:
    """A redirect on this server; a location starting with '//' (or '/\\') is refused, as
    browsers read it as another host's address."""
    if location.startswith(("//", "/\\")):
        return "missing", ""
    return "redirect", location


class PreviewServer:
    """Build, serve, watch and reload; `run()` blocks, `start()` runs in a thread (tests)."""

    def __init__(
        self,
        site: Path,
        out: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        report: Callable[[ServeEvent], None] = lambda event: None,
        progress: Progress | None = None,
    ) -> None:
        self.preview = Preview(site, out)
        self.host = host
        self.port = port
        self.report = report
        self.progress = progress
        self.prefix = ""
        self.loop: IOLoop | None = None
        self.tabs: set[ReloadSocket] = set()
        self._changed: set[Path] = set()
        self._flush_at: object | None = None
        self._first_change = 0.0
        self._http: httpserver.HTTPServer | None = None
        self._sockets: list[socket.socket] = []
        self._watcher: SourceWatcher | None = None
        self._history: tuple[object, ...] = ()
        self._history_poll: PeriodicCallback | None = None
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._background_scheduled = False
        self._render_started = 0.0
        self._rendered_from = 0
        self._render_problems: tuple[Diagnostic, ...] = ()
        """The template errors last reported (ServeEvent 'rendered')."""
        self._collect_due = False
        self._interrupted = False
        """Whether Ctrl-C stopped the loop (_stop_on_interrupt)."""
        self._extras_running = False
        """Whether the sitemap, feeds and search index are being made in the executor."""
        self._collections = 0
        self._quiet_at = 0.0
        self._last_update = 0.0

    # --- life cycle ------------------------------------------------------------------------

    @property
    def out(self) -> Path:
        """The output folder the server serves."""
        return self.preview.out

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{self.port}{self.prefix}/"

    def run(self, ready: Callable[[PreviewServer], None] = lambda server: None) -> None:
        """Build, listen and serve until the loop is stopped (Ctrl-C in the terminal)."""
        events = asyncio.new_event_loop()
        asyncio.set_event_loop(events)
        self.loop = IOLoop.current()
        handled = False
        try:
            self._begin()
            ready(self)
            self._ready.set()
            handled = self._stop_on_interrupt(events)
            self.loop.start()
            if handled:  # a second Ctrl-C, while the output is finished: stop at once
                events.remove_signal_handler(signal.SIGINT)
                handled = False
            self._finish()
            if self._interrupted:
                raise KeyboardInterrupt
        finally:
            if handled:
                events.remove_signal_handler(signal.SIGINT)
            self._ready.set()
            self._end()

    def start(self) -> None:
        """Run in a background thread; returns once the site is built and served."""
        self._thread = threading.Thread(target=self.run, name="allysite-serve", daemon=True)
        self._thread.start()
        self._ready.wait()

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.add_callback(self.loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _begin(self) -> None:
        # The port first: one in use fails at once (OSError), not after a whole build.
        # Browsers that connect meanwhile wait in the socket's queue until it is served.
        sockets = self._sockets = netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._watch()  # before the build: an edit made during it is not lost
        self._history = git_signature(self.preview.site)  # (likewise a commit)
        update = self.preview.build(self.progress)
        # The site now held in memory lives as long as the server: leave it out of the
        # garbage collector's full passes, which would otherwise cost ~0.1 s per edit.
        gc.collect()
        gc.freeze()
        self.report(ServeEvent("build", update))
        self._set_prefix()
        self._http = httpserver.HTTPServer(self._application(), xheaders=False)
        self._http.add_sockets(sockets)
        self._history_poll = PeriodicCallback(self._history_moved, HISTORY_POLL_SECONDS * 1000)
        self._history_poll.start()

    def _stop_on_interrupt(self, events: asyncio.AbstractEventLoop) -> bool:
        """Ctrl-C stops the loop between two of its callbacks, not amid an update (as a
        KeyboardInterrupt raised wherever it comes would): the output can then be finished.
        Only in the main thread (the terminal's; the tests run servers in others)."""
        if threading.current_thread() is not threading.main_thread():
            return False

        def stop() -> None:
            self._interrupted = True
            assert self.loop is not None
            self.loop.stop()

        events.add_signal_handler(signal.SIGINT, stop)
        return True

    def _finish(self) -> None:
        """Before stopping: the pages still pending and the sitemap, feeds and search index
        written, so that the output left is what a build makes (nothing would write them once
        the server stops). Only after a successful start; a second Ctrl-C stops at once."""
        if self._http is None:
            return
        if self._flush_at is not None:  # (an edit saved just before: not left out)
            assert self.loop is not None
            self.loop.remove_timeout(self._flush_at)
            self._flush()
        if self._extras_running:  # (its result would be dropped: made again here)
            self.preview.extras_due = True
        self.preview.finish()

    def _end(self) -> None:
        if self._collect_due:
            gc.enable()
        if self._history_poll is not None:
            self._history_poll.stop()
        if self._watcher is not None:
            self._watcher.stop()
        if self._http is not None:
            self._http.stop()
        else:  # (the first build failed: nothing serves the sockets)
            for sock in self._sockets:
                sock.close()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _set_prefix(self) -> None:
        prepared = self.preview.prepared
        if prepared is not None:
            self.prefix = urls.Urls(prepared.config.base_url).prefix

    def _application(self) -> web.Application:
        options = {"server": self}
        return web.Application(
            [
                (r"/livereload", ReloadSocket, options),
                (r"/livereload\.js", ReloadScript, options),
                (r"/forcereload", ReloadTrigger, options),
                (r"/.*", SiteFiles, options),
            ],
            compress_response=False,
            log_function=lambda handler: None,  # the terminal shows builds, not requests
        )

    # --- watching --------------------------------------------------------------------------

    def _watch(self) -> None:
        def changed(paths: list[Path]) -> None:  # on watchdog's thread: over to the loop
            if self.loop is not None:
                self.loop.add_callback(self.changed, paths)

        self._watcher = SourceWatcher(self.preview.site, changed)

    def _history_moved(self) -> None:
        """On the loop, every HISTORY_POLL_SECONDS: after a commit, checkout or pull, the
        translations that git now finds stale, or no longer, are updated as if edited."""
        signature = git_signature(self.preview.site)
        if signature != self._history:
            self._history = signature
            moved = self.preview.history_moved()
            if moved:
                self.changed(moved)

    def changed(self, paths: list[Path]) -> None:
        """Called on the loop for each relevant file event; updates after a short quiet time."""
        assert self.loop is not None
        now = self.loop.time()
        if not self._changed:
            self._first_change = now
        self._changed.update(paths)
        for path in paths:
            if self._watcher is not None:
                self._watcher.new_folder(path)
        if self._flush_at is not None:
            self.loop.remove_timeout(self._flush_at)
        when = min(now + DEBOUNCE_SECONDS, self._first_change + MAX_WAIT_SECONDS)
        self._flush_at = self.loop.call_at(when, self._flush)

    def _flush(self) -> None:
        self._flush_at = None
        changed, self._changed = self._changed, set()
        if not changed:
            return
        css_only = all(path.suffix == ".css" for path in changed)
        # Tell the tabs first: their reload requests queue behind the update on this loop.
        self.reload_tabs(next(iter(changed)).name if css_only else "*")
        self._hold_collections()
        update = self.preview.update(changed)
        self._set_prefix()
        self.report(ServeEvent("update", update))
        self._last_update = self.loop.time() if self.loop else 0.0
        self.touch()
        self._schedule_background()

    # --- background work -------------------------------------------------------------------

    def touch(self) -> None:
        """A browser is loading something: background work waits until it has been quiet."""
        if self.loop is not None:
            self._quiet_at = self.loop.time() + BROWSER_GRACE_SECONDS

    def _schedule_background(self, delay: float = 0.0) -> None:
        if not self._background_scheduled and self.loop is not None:
            self._background_scheduled = True
            self.loop.call_later(delay, self._background)

    def _background(self) -> None:
        """Pending pages, then the sitemap, feeds and search index: in small steps, and only
        while no browser is loading (a reloading tab's requests come first)."""
        self._background_scheduled = False
        assert self.loop is not None
        now = self.loop.time()
        if now < self._quiet_at:
            self._schedule_background(self._quiet_at - now)
            return
        preview = self.preview
        if (preview.pending or preview.later) and not self._render_started:
            self._render_started, self._rendered_from = now, preview.renders
        if preview.render_pending(RENDER_STEP_SECONDS):
            self._schedule_background()
            return
        self._report_rendered()
        self._collect()
        if now < self._last_update + EXTRAS_QUIET_SECONDS:
            self._schedule_background(self._last_update + EXTRAS_QUIET_SECONDS - now)
            return
        job = preview.extras()
        if job is None:
            return
        generation = preview.generation
        self._extras_running = True
        future = self.loop.run_in_executor(self._executor, job)
        future.add_done_callback(lambda done: self._extras_done(done, generation))

    def _report_rendered(self) -> None:
        """Once the pending pages are rendered: how many, and their template errors. Also
        when the errors changed though the browsers' requests rendered every page. The tabs
        reload when the pages had no error and now have some: a tab that reloaded onto a
        page that rendered (an error only in another language's pages) shows the error."""
        assert self.loop is not None
        problems = self.preview.render_problems
        if not self._render_started and problems == self._render_problems:
            return
        seconds = self.loop.time() - self._render_started if self._render_started else 0.0
        count = self.preview.renders - self._rendered_from if self._render_started else 0
        self.report(ServeEvent("rendered", count=count, seconds=seconds, problems=problems))
        if problems and not self._render_problems:  # the tabs reloaded onto pages that
            self.reload_tabs()  # rendered: an error found since is shown to them too
        self._render_started = 0.0
        self._render_problems = problems

    def _extras_done(self, done: asyncio.Future[list], generation: int) -> None:  # type: ignore[type-arg]
        self._extras_running = False
        if done.cancelled() or done.exception() is not None:
            return
        failed = self.preview.failed
        count = self.preview.write_extras(done.result(), generation)
        if self.preview.failed and not failed:  # (a file of static/ in a sitemap's place)
            self.report(ServeEvent("update", Update(False, self.preview.diagnostics)))
            self.reload_tabs()
        elif generation == self.preview.generation:
            self.report(ServeEvent("extras", count=count))
        else:
            self._schedule_background()

    def _hold_collections(self) -> None:
        """No garbage collection from an update until its pages are rendered (_collect). An
        edit that changes every page plans a few hundred thousand objects anew, and a full
        collection in its midst walked all of them: a tenth of a second of the reload."""
        gc.disable()
        self._collect_due = True

    def _collect(self) -> None:
        """Once the pages are rendered: the garbage of the updates collected, and what stays
        moved out of later collections' way (gc.freeze), as after the first build. What was
        kept and becomes garbage later is freed by its reference counts; a cycle of such
        objects waits for the next full collection (FULL_COLLECTION_EVERY)."""
        if not self._collect_due:
            return
        self._collect_due = False
        self._collections += 1
        if self._collections % FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
        gc.enable()

    # --- reloading -------------------------------------------------------------------------

    def reload_tabs(self, path: str = "*") -> None:
        message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
        for tab in list(self.tabs):
            try:
                tab.write_message(message)
            except Exception:  # a tab that went away
                self.tabs.discard(tab)

    # --- who may ask -----------------------------------------------------------------------

    def allows_host(self, host_header: str) -> bool:
        """Only the names this server listens on: a page of another site that made its own
        name resolve to 127.0.0.1 (DNS rebinding) is refused."""
        parts = urlsplit(f"//{host_header}")
        try:
            port = parts.port or 80
        except ValueError:
            return False
        name = (parts.hostname or "").lower()
        if port != self.port or not name:
            return False
        if name in LOOPBACK_NAMES or name == self.host.lower():
            return True
        if self.host in ("0.0.0.0", "::", ""):
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return name in (socket.gethostname().lower(), socket.getfqdn().lower())
        return False

    def allows_origin(self, origin: str | None, host_header: str) -> bool:
        """The page's origin must be this server, as the browser reached it."""
        return bool(origin) and (
            origin.lower() == f"http://{host_header.lower()}" and self.allows_host(host_header)
        )

    # --- files -----------------------------------------------------------------------------

    def locate(self, request_path: str) -> tuple[str, str]:
        """('file', output path), ('redirect', URL) or ('missing', '') for a request path.

        Escapes are compared in capitals (the base URL's path is written so); each segment
        is percent-decoded once; '.', '..', hidden names (but .well-known/: inputindex.hidden),
        empty ones (but the last) and anything that decodes to a separator are refused, and
        the file's real path (links resolved) must be inside the output folder. An empty
        segment would make the path absolute ('//tmp/x' is '/tmp/x') and a redirect to it
        one to another host.
        """
        prefix = self.prefix
        request_path = _upper_escapes(request_path)
        if prefix and request_path in ("/", prefix):
            return _redirect(prefix + "/")
        if not request_path.startswith(prefix + "/"):
            return "missing", ""
        segments = request_path[len(prefix) + 1 :].split("/")
        if "" in segments[:-1]:
            return "missing", ""
        names = []
        for segment in segments:
            try:
                name = unquote(segment, errors="strict")
            except UnicodeDecodeError:
                return "missing", ""
            if any(c in name for c in "/\\\x00"):
                return "missing", ""
            names.append(name)
        out_path = "/".join(names)
        if hidden(out_path):  # (but .well-known/, which a build publishes)
            return "missing", ""
        if out_path == "" or out_path.endswith("/"):
            out_path += "index.html"
        elif f"{out_path}/index.html" in self.preview.routes:
            return _redirect(f"{request_path}/")
        self.preview.render(out_path)  # a page still out of date: render it now
        try:
            return self._find(out_path, request_path)
        except OSError:  # a name the file system refuses (too long...): no such file
            return "missing", ""

    def _find(self, out_path: str, request_path: str) -> tuple[str, str]:
        """`locate` in the output folder; the file system may raise OSError."""
        out = self.preview.out.resolve()
        target = (out / out_path).resolve()
        if not target.is_relative_to(out) or target == out:
            return "missing", ""
        if target.is_dir():
            if (target / "index.html").is_file():
                return _redirect(f"{request_path}/")
            return "missing", ""
        if not target.is_file():
            return "missing", ""
        return "file", target.relative_to(out).as_posix()

    def not_found_page(self, request_path: str) -> str | None:
        """The 404 page of the language the path is in, else the root one."""
        first = _upper_escapes(request_path)[len(self.prefix) :].lstrip("/").split("/", 1)[0]
        for candidate in (f"{first}/404.html", "404.html"):
            kind, found = self.locate(f"{self.prefix}/{candidate}")
            if kind == "file":
                return found
        return None

    def problems(self) -> tuple[Diagnostic, ...] | None:
        return self.preview.problems if self.preview.failed else None
