"""The preview server's request handlers: the site's files, livereload's script, socket and
trigger, each checking the Host (and Origin) against the server's own.

They see the server through `Served`, the little of it they use (server.py holds the rest).
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import Protocol

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web

from allysite import mediatypes
from allysite.errors import Diagnostic
from allysite.serverpages import LAST_GOOD, error_page, inject_reload_script


class Served(Protocol):
    """What the handlers ask of the preview server."""

    port: int
    tabs: set[ReloadSocket]

    @property
    def out(self) -> Path: ...

    def touch(self) -> None: ...

    def allows_host(self, host_header: str) -> bool: ...

    def allows_origin(self, origin: str | None, host_header: str) -> bool: ...

    def locate(self, request_path: str) -> tuple[str, str]: ...

    def not_found_page(self, request_path: str) -> str | None: ...

    def problems(self) -> tuple[Diagnostic, ...] | None: ...

    def reload_tabs(self, path: str = "*") -> None: ...


class Handler(web.RequestHandler):
    """Every handler's checks and headers: its Host, no caching, no sniffing."""

    def initialize(self, server: Served) -> None:
        self.server = server

    def prepare(self) -> None:
        self.server.touch()
        if not self.server.allows_host(self.request.host):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("This preview server answers only to the address it listens on.\n")

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.clear_header("Server")


class SiteFiles(Handler):
    """The output folder, with the reload script added to pages; the error page instead of
    pages while the site has errors."""

    def initialize(self, server: Served) -> None:
        super().initialize(server)
        self._data = b""

    def get(self) -> None:
        self._respond(include_body=True)

    def head(self) -> None:
        self._respond(include_body=False)

    def _respond(self, include_body: bool) -> None:
        path = self.request.path
        kind, found = self.server.locate(path)
        if kind == "redirect":  # ('/es?last-good' to '/es/?last-good')
            query = self.request.query
            self.redirect(f"{found}?{query}" if query else found, permanent=False)
            return
        status = 200
        if kind == "missing":
            status = 404
            found = self.server.not_found_page(path) or ""
        problems = self.server.problems()
        is_page = _names_a_page(path) if kind == "missing" else found.endswith(".html")
        if problems is not None and is_page and LAST_GOOD not in self.request.arguments:
            page = inject_reload_script(error_page(problems, path), self.server.port)
            self._send(500, "text/html; charset=utf-8", page, include_body)
            return
        if not found:
            self._send(404, "text/plain; charset=utf-8", b"Not found\n", include_body)
            return
        data = (self.server.out / found).read_bytes()
        if found.endswith(".html"):
            data = inject_reload_script(data, self.server.port)
        elif status == 200 and mediatypes.is_fingerprinted(found):
            # named by its content: a tab that reloads after an edit need not fetch it again
            self.set_header("Cache-Control", mediatypes.IMMUTABLE)
        self._send(status, mediatypes.content_type(found), data, include_body)

    def compute_etag(self) -> str | None:
        """A hash of the data, sent or not: tornado hashes the body written, none for a HEAD,
        whose ETag then differed from the GET's and matched any file's HEAD."""
        return f'"{hashlib.sha1(self._data).hexdigest()}"'

    def _send(self, status: int, kind: str, data: bytes, include_body: bool) -> None:
        self._data = data
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Content-Length", str(len(data)))
        if include_body:
            self.write(data)
        self.finish()


def _names_a_page(request_path: str) -> bool:
    """Whether a path not found would be a page (a folder's, an .html file or a name without
    extension): while the site has errors, the error page is shown instead; a missing style
    sheet or image is simply not found."""
    return PurePosixPath(request_path.rsplit("/", 1)[-1]).suffix in ("", ".html")


class ReloadScript(Handler, LiveReloadJSHandler):
    """livereload.js, the browser side of the reload protocol, as livereload ships it."""


class ReloadTrigger(Handler):
    """POST /forcereload reloads every tab; only pages of this server may ask."""

    def post(self) -> None:
        if not self.server.allows_origin(self.request.headers.get("Origin"), self.request.host):
            raise web.HTTPError(403)
        self.server.reload_tabs(self.get_argument("path", "*"))
        self.finish("ok\n")


class ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket handler, its tabs kept by this server, its origin checked."""

    def initialize(self, server: Served) -> None:
        self.server = server

    def prepare(self) -> None:
        origin = self.request.headers.get("Origin")
        if not self.server.allows_origin(origin, self.request.host):
            raise web.HTTPError(403)

    def check_origin(self, origin: str) -> bool:
        return self.server.allows_origin(origin, self.request.host)

    def on_message(self, message: str | bytes) -> None:
        super().on_message(message)  # livereload's handshake: 'hello', then 'info'
        if self in LiveReloadHandler.waiters:  # it keeps tabs in one set for the process
            LiveReloadHandler.waiters.discard(self)
            self.server.tabs.add(self)

    def on_close(self) -> None:
        self.server.tabs.discard(self)
