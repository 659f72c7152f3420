"""`allysite serve` in a real browser: a tab that shows a page reloads by itself after an
edit, through livereload.js (loaded `async`, so it must still find its port and connect)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from allysite.server import PreviewServer

from .conftest import VNU, need

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 15_000


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PreviewServer]:
    site = tmp_path / "site"
    for name in ("content", "templates", "locales", "site.yaml", "taxonomies.yaml"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, site / name)
        elif source.exists():
            site.mkdir(exist_ok=True)
            shutil.copy2(source, site / name)
    running = PreviewServer(site, tmp_path / "out", port=0)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_a_tab_reloads_itself_after_an_edit(server: PreviewServer, page: object) -> None:
    profile = server.preview.site / "content" / "partners" / "icrc" / "es.md"
    page.goto(f"{server.url}es/partners/icrc/")  # type: ignore[attr-defined]
    script = page.locator("head script[src^='/livereload.js']")  # type: ignore[attr-defined]
    assert script.get_attribute("async") is not None
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not server.tabs:  # (the script loaded, connected and said hello)
        assert time.monotonic() < deadline, "the tab never connected to the reload socket"
        time.sleep(0.02)
    marker = f"Una frase añadida por la prueba {time.time_ns()}."
    with page.expect_navigation(wait_until="domcontentloaded", timeout=TIMEOUT_MS):  # type: ignore[attr-defined]
        profile.write_text(profile.read_text(encoding="utf-8") + f"\n\n{marker}\n", "utf-8")
    assert marker in page.locator("main").inner_text()  # type: ignore[attr-defined]


def served_error_page(server: PreviewServer, path: str) -> bytes:
    """The page a tab gets while the site has errors (HTTP 500), once the update is done."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        try:
            urllib.request.urlopen(server.url.rstrip("/") + path, timeout=10).close()
        except urllib.error.HTTPError as error:
            if error.code == 500:
                return error.read()
        assert time.monotonic() < deadline, "the error page was never served"
        time.sleep(0.05)


def test_the_error_page_passes_the_nu_checker(server: PreviewServer, tmp_path: Path) -> None:
    need(VNU.is_file(), "vnu.jar is not installed in tests/browser/node_modules")
    need(bool(shutil.which("java")), "a Java runtime is not installed")
    profile = server.preview.site / "content" / "partners" / "icrc" / "es.md"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("---\n", "---\nnot_a_field: <b>x</b>\n", 1), "utf-8")
    page = tmp_path / "error.html"
    page.write_bytes(served_error_page(server, "/es/partners/icrc/"))
    assert b"The site has 1 error(s)" in page.read_bytes()
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", str(page)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert [m.get("message") for m in messages if m.get("type") != "info"] == []


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def test_the_error_page_passes_axe_in_light_and_dark(
    server: PreviewServer, browser: object, axe_source: str
) -> None:
    """The page a tab reloads onto is read in the editor's scheme: in dark, its link to the
    last good site kept the browser's default blue, 1.9:1 on its dark background."""
    profile = server.preview.site / "content" / "partners" / "icrc" / "es.md"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("---\n", "---\nnot_a_field: x\n", 1), "utf-8")
    served_error_page(server, "/es/partners/icrc/")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    problems = []
    for scheme in ("light", "dark"):
        for width in (320, 1280):
            context = browser.new_context(  # type: ignore[attr-defined]
                viewport={"width": width, "height": 800}, color_scheme=scheme
            )
            try:
                page = context.new_page()
                page.goto(f"{server.url}es/partners/icrc/", wait_until="load")
                assert page.title().startswith("Site errors")
                page.add_script_tag(content=axe_source)
                found = page.evaluate(
                    "async (o) => (await axe.run(document, o)).violations"
                    ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
                    options,
                )
                wide = page.evaluate(
                    "document.documentElement.scrollWidth > document.documentElement.clientWidth"
                )
                problems += [f"{scheme} {width}px: {v}" for v in found]
                if wide:
                    problems.append(f"{scheme} {width}px: scrolls sideways")
            finally:
                context.close()
    assert not problems, "\n".join(problems)
