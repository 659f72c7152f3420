"""The bundled site, built once, served on 127.0.0.1, and one Chromium for the session.

Debian's chromium is driven by Python Playwright (no browser download); axe-core and the Nu
checker come from npm into tests/browser/node_modules (scripts/test.sh installs all three).
Without them the tests skip with the reason, except under CI, where they fail.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from allysite.build import build_site

REPO = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def need(condition: bool, reason: str) -> None:
    """Skip on a developer machine that lacks a tool; fail in CI, where it must be there."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (scripts/test.sh installs it)")
        pytest.skip(f"{reason}: run scripts/test.sh, which installs it")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled") / "build"
    result = build_site(REPO, out)
    assert result.ok, "\n".join(d.format() for d in result.diagnostics)
    assert (out / "pagefind" / "pagefind.js").is_file(), "the bundled site should have search"
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # a load the browser gave up
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = shutil.which("chromium")
    need(executable is not None, "Debian's chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Python playwright is not installed")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    need(AXE.is_file(), "axe-core is not installed in tests/browser/node_modules")
    return AXE.read_text(encoding="utf-8")
