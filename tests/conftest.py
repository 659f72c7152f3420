"""Shared fixtures: small sites written inline into temporary folders, built, and parsed."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result

from allysite.cli import cli

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
    '<rect width="96" height="96" fill="#1f5f8b"/></svg>\n'
)

MINIMAL_SITE: Mapping[str, str] = {
    "site.yaml": (
        "title:\n  es: Nuestros aliados\n  en: Our partners\n  ar: شركاؤنا\n"
        "base_url: https://partners.example.org/\n"
        "default_language: es\n"
        "languages: [es, en, ar]\n"
    ),
    "content/partners/alpha/partner.yaml": (
        "website: https://alpha.example.org/\n"
        "logo: logo.svg\n"
        "partner_since: 2015-04\n"
        "kind: ngo\n"
        "regions: [europe]\n"
        "topics: [human-rights, peacebuilding]\n"
    ),
    "content/partners/alpha/logo.svg": LOGO,
    "content/partners/alpha/es.md": (
        "---\nname: Fundación Alfa\nshort_name: FA\nsummary: Trabaja por la paz.\n---\n"
        "## Mandato\n\nTexto en **español**.\n"
    ),
    "content/partners/alpha/en.md": (
        "---\nname: Alpha Foundation\nsummary: Works for peace.\n---\n"
        "## Mandate\n\nText in **English**.\n"
    ),
    "content/pages/about/es.md": "---\nname: Acerca de\n---\nUn directorio.\n",
}


@dataclass(frozen=True)
class Site:
    root: Path
    out: Path

    def build(self, *args: str) -> Result:
        runner = CliRunner()
        return runner.invoke(
            cli,
            ["build", "--site", str(self.root), "--out", str(self.out), *args],
            catch_exceptions=False,
        )

    def write(self, files: Mapping[str, str | bytes]) -> None:
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8", newline="")

    def remove(self, name: str) -> None:
        (self.root / name).unlink()

    def html(self, path: str) -> BeautifulSoup:
        """The parsed output page at a site path ('/es/' or '/es/partners/alpha/')."""
        relative = path.lstrip("/")
        if path.endswith("/"):
            relative += "index.html"
        return BeautifulSoup((self.out / relative).read_text(encoding="utf-8"), "html.parser")

    def output_files(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.out).as_posix(): p.read_bytes()
            for p in sorted(self.out.rglob("*"))
            if p.is_file()
        }


MakeSite = Callable[..., Site]


@pytest.fixture(autouse=True)
def no_progress_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build in a test's own process writes no progress lines, however long it takes: on a
    loaded machine a small build passed the two quiet seconds, and a test that reads its
    messages line by line read 'Rendering pages: 0/13' first (test_progress_lines tests
    them)."""
    from allysite.terminal import Progress

    monkeypatch.setattr(Progress, "QUIET_SECONDS", float("inf"))


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """Write a site from a dict of path -> text (over MINIMAL_SITE unless base={})."""

    def make(
        files: Mapping[str, str | bytes | None] | None = None,
        base: Mapping[str, str] = MINIMAL_SITE,
    ) -> Site:
        merged: dict[str, str | bytes | None] = {**base, **(files or {})}
        site = Site(tmp_path / "site", tmp_path / "out")
        site.root.mkdir(exist_ok=True)
        site.write({name: text for name, text in merged.items() if text is not None})
        return site

    return make


@pytest.fixture
def built_site(make_site: MakeSite) -> Site:
    site = make_site()
    result = site.build()
    assert result.exit_code == 0, result.output
    return site


def without_root_powers() -> list[str] | None:
    """A command prefix under which file modes count (root reads and writes past them);
    None when there is no way to drop those powers here."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        return None
    caps = "-dac_override,-dac_read_search"
    return ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}"]


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(root: Path, *args: str, when: str = "2024-01-01T12:00:00+00:00") -> None:
    """git in `root`, as an editor with a fixed clock (commit times the test chooses)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(root.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.org",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
