"""`allysite serve` in a real browser: a tab that shows a page reloads by itself after an
edit, through livereload.js (loaded `async`, so it must still find its port and connect)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from allysite.server import PreviewServer

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
