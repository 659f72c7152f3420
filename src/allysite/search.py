"""Search with Pagefind: one index per `<html lang>`, made from the rendered pages.

Only pages that mark their content with `data-pagefind-body` are indexed: real profiles and
pages. A stand-in page (a fallback showing another language's text) has no such mark, so
Spanish text never lands in the Arabic index. The binary comes with the `pagefind[bin]`
package; without it the build warns and the site works without search (the theme's script
shows the search box only once the index has loaded).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from allysite import urls
from allysite.errors import Diagnostic, error, warning
from allysite.render import OutputFile

INDEX_MARK = b"data-pagefind-body"
UNUSED_PREFIXES = (
    "pagefind-ui.",
    "pagefind-modular-ui.",
    "pagefind-component-ui.",
    "pagefind-highlight.",
)
"""Pagefind's ready-made interfaces: the theme has its own search box."""
TIMEOUT_SECONDS = 600
ENTRY_FILE = "pagefind-entry.json"


def pagefind_executable() -> Path | None:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        found = shutil.which("pagefind")
        return Path(found) if found else None
    path = Path(get_executable())
    return path if path.is_file() else None


def index_pages(pages: Iterable[OutputFile]) -> tuple[list[OutputFile], list[Diagnostic]]:
    """The Pagefind bundle for the pages, as files under /pagefind/."""
    executable = pagefind_executable()
    if executable is None:
        return [], [
            warning(
                "no-search",
                "search is on in site.yaml, but the Pagefind program is not installed: "
                "the site is built without search",
                hint="install it with: pip install 'pagefind[bin]' (or set search: false)",
            )
        ]
    bundle = urls.SEARCH_BUNDLE.lstrip("/")
    with tempfile.TemporaryDirectory(prefix="allysite-search-") as work:
        site = Path(work, "site")
        count = 0
        for page in pages:
            if page.out_path.endswith(".html") and INDEX_MARK in page.data:
                target = site / page.out_path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(page.data)
                count += 1
        if count == 0:
            return [], []
        out = Path(work, "bundle")
        try:
            result = subprocess.run(
                [str(executable), "--site", str(site), "--output-path", str(out), "--silent"],
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return [], [_failed(str(exc))]
        if result.returncode != 0:
            return [], [_failed((result.stderr or result.stdout).strip()[-500:])]
        files = [
            OutputFile(bundle + path.relative_to(out).as_posix(), _stable(path))
            for path in sorted(out.rglob("*"))
            if path.is_file() and not path.name.startswith(UNUSED_PREFIXES)
        ]
    return files, []


def _stable(path: Path) -> bytes:
    """The file's bytes; Pagefind's entry file with its languages in order of their codes.

    Pagefind writes them in the order of a hash map, which changes from run to run: two
    builds of the same site would differ (and a deploy would upload the file every time)."""
    data = path.read_bytes()
    if path.name != ENTRY_FILE:
        return data
    try:
        entry = json.loads(data)
        entry["languages"] = dict(sorted(entry["languages"].items()))
    except (ValueError, KeyError, TypeError, AttributeError):
        return data  # another shape than Pagefind 1.x's: kept as it is
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode()


def _failed(detail: str) -> Diagnostic:
    return error(
        "search",
        f"Pagefind could not index the site: {detail or 'no message'}",
        hint="set search: false in site.yaml to build without search, and report the problem",
    )
