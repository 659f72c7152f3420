"""Stale translations: stamps written by `allysite i18n stamp`, field by field; the git
fallback on a temporary repository; the notice on the page and the status report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from allysite.build import build_site
from allysite.cli import cli
from allysite.config import load_config
from allysite.loader import load_content
from allysite.model import fingerprint
from allysite.stale import content_history, find_stale
from conftest import MINIMAL_SITE, MakeSite, Site, git, needs_git

REPO = Path(__file__).resolve().parent.parent
ES = "content/partners/alpha/es.md"
EN = "content/partners/alpha/en.md"
NOTICE_EN = "The Spanish original was updated after this translation."


def run(site: Site, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["i18n", *args, "--site", str(site.root)], catch_exceptions=False
    )


def notice(site: Site, path: str) -> str | None:
    found = site.html(path).select_one(".notice-stale")
    return found.get_text(" ", strip=True) if found else None


def status_json(site: Site) -> dict:  # type: ignore[type-arg]
    result = run(site, "status", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def language(report: dict, code: str) -> dict:  # type: ignore[type-arg]
    return next(entry for entry in report["languages"] if entry["language"] == code)


def test_stamp_records_the_originals_fingerprints_and_keeps_the_rest(make_site: MakeSite) -> None:
    site = make_site()
    before = (site.root / EN).read_text(encoding="utf-8")
    result = run(site, "stamp", "alpha", "en")
    assert result.exit_code == 0, result.output
    assert result.output == f"Stamped {EN} (name, short_name, summary, body)\n"
    after = (site.root / EN).read_text(encoding="utf-8")
    front, body = before.split("---\n")[1:3]
    assert after == (
        f"---\n{front}translated_from:\n"
        f"  name: {fingerprint('Fundación Alfa')}\n"
        f"  short_name: {fingerprint('FA')}\n"
        f"  summary: {fingerprint('Trabaja por la paz.')}\n"
        f"  body: {fingerprint('## Mandato' + chr(10) + chr(10) + 'Texto en **español**.')}\n"
        f"---\n{body}"
    )
    assert run(site, "stamp", "alpha", "en").output == f"Up to date: {EN}\n"
    assert site.build().exit_code == 0  # the stamped file is valid front matter


def test_stamp_keeps_crlf_a_bom_and_replaces_an_old_stamp(make_site: MakeSite) -> None:
    text = (
        "---\r\nname: Alpha\r\ntranslated_from:\r\n  name: 0000aaaa\r\n# note\r\n"
        "summary: S.\r\n---\r\nBody.\r\n"
    )
    site = make_site({EN: b"\xef\xbb\xbf" + text.encode("utf-8")})
    assert run(site, "stamp", "alpha", "en").exit_code == 0
    data = (site.root / EN).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\nname: Alpha\r\n# note\r\nsummary: S.\r\n")
    assert b"0000aaaa" not in data and b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    assert data.endswith(b"---\r\nBody.\r\n")
    assert data.count(b"translated_from:") == 1


def test_stamp_errors_are_reported(make_site: MakeSite) -> None:
    site = make_site()
    result = run(site, "stamp", "nobody", "en")
    assert result.exit_code == 1
    assert "error: no partner or page 'nobody' in content/" in result.stderr
    result = run(site, "stamp", "alpha", "ar")
    assert result.exit_code == 1
    assert "content/partners/alpha: error: content/partners/alpha/ has no ar.md to stamp" in (
        result.stderr
    )
    result = run(site, "stamp", "alpha", "es")
    assert result.exit_code == 1 and "'es' is the default language" in result.stderr
    assert run(site, "stamp", "alpha").exit_code == 2


def test_stamp_all_with_a_target_is_refused_and_stamps_nothing(make_site: MakeSite) -> None:
    """`stamp alpha --all` reads as "every language of alpha"; it must not stamp the site."""
    site = make_site()
    before = (site.root / EN).read_bytes()
    for args in (("alpha", "--all"), ("alpha", "en", "--all")):
        result = run(site, "stamp", *args)
        assert result.exit_code == 2, result.output
        assert "give TARGET and LANG, or --all alone" in result.stderr
    assert (site.root / EN).read_bytes() == before


def site_with_dashboard(site: Site) -> Site:
    """The site built again with its translation dashboard on."""
    text = (site.root / "site.yaml").read_text(encoding="utf-8")
    if "translation_dashboard" not in text:
        site.write({"site.yaml": text + "translation_dashboard: true\n"})
    assert site.build().exit_code == 0
    return site


def test_a_changed_original_makes_its_stamped_translation_stale(make_site: MakeSite) -> None:
    site = make_site()
    assert run(site, "stamp", "alpha", "en").exit_code == 0
    assert site.build().exit_code == 0
    assert notice(site, "/en/partners/alpha/") is None
    site.write({ES: MINIMAL_SITE[ES].replace("Trabaja por la paz.", "Trabaja por la paz y más.")})

    result = site.build()
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:2] == [
        f"{EN}: warning: the Spanish original {ES} changed after this translation: summary",
        "  hint: bring the translation up to date, then run 'allysite i18n stamp alpha en'",
    ]
    page = site.html("/en/partners/alpha/")
    assert notice(site, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"
    link = page.select_one(".notice-stale a")
    assert (link["href"], link["hreflang"]) == ("/es/partners/alpha/", "es")
    assert notice(site, "/es/partners/alpha/") is None  # the original itself
    assert notice(site, "/ar/partners/alpha/") is None  # a fallback shows the original
    items = language(status_json(site), "en")["partners"]["items"]
    assert items[0] | {"href": None} == {
        "slug": "alpha",
        "state": "stale",
        "translation": "human",
        "file": EN,
        "original": ES,
        "stale_fields": ["summary"],
        "stale_by": "stamp",
        "href": None,
    }

    dashboard = site_with_dashboard(site).html("/es/translations/")
    changed = dashboard.select_one('#status-en li[data-state="stale"]')
    # the fields as the file's keys, marked as such (they read as English words in Spanish)
    assert [code.get_text() for code in changed.select("code")] == [EN, "summary"]
    assert "(Cambiado: summary)" in " ".join(changed.get_text().split())

    assert run(site, "stamp", "alpha", "en").exit_code == 0  # the translator caught up
    result = site.build()
    assert result.stderr == ""
    assert notice(site, "/en/partners/alpha/") is None


def test_the_hint_of_a_stale_page_names_it_as_stamp_takes_it(make_site: MakeSite) -> None:
    """A page and a partner of the same name: the hint's command is the one that works."""
    page_en = "content/pages/alpha/en.md"
    site = make_site(
        {
            "content/pages/alpha/es.md": "---\nname: Alfa\n---\nUna página.\n",
            page_en: "---\nname: Alpha\ntranslated_from: {name: 0123abcd}\n---\nA page.\n",
        }
    )
    lines = site.build().stderr.splitlines()
    hint = lines[lines.index(next(line for line in lines if line.startswith(page_en))) + 1]
    command = hint.split("'")[1].split()
    assert command[:3] == ["allysite", "i18n", "stamp"]
    assert run(site, *command[2:]).exit_code == 0
    assert site.build().stderr == ""


def test_stamp_all_skips_stale_translations(make_site: MakeSite) -> None:
    site = make_site({"content/pages/about/en.md": "---\nname: About\n---\nA directory.\n"})
    assert run(site, "stamp", "alpha", "en").exit_code == 0
    site.write({ES: MINIMAL_SITE[ES] + "\nMás texto.\n"})
    stamped = (site.root / EN).read_bytes()
    result = run(site, "stamp", "--all")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Skipped {EN}: stale: body changed",
        "Stamped content/pages/about/en.md (name, body)",
    ]
    assert (site.root / EN).read_bytes() == stamped


def test_the_bundled_site_shows_a_stale_french_profile(tmp_path: Path) -> None:
    """Done when: editing a Spanish profile after its French translation was stamped makes
    the French page show the notice and the status list it as stale."""
    root = tmp_path / "site"
    root.mkdir()
    for name in ("site.yaml", "taxonomies.yaml", "content", "locales", "templates"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        elif source.exists():
            shutil.copy2(source, root / name)
    site = Site(root, tmp_path / "out")
    french = "content/partners/unaoc/fr.md"
    assert "translated_from:" in (root / french).read_text(encoding="utf-8")
    assert site.build().exit_code == 0
    assert notice(site, "/fr/partners/unaoc/") is None
    assert language(status_json(site), "fr")["partners"]["stale"] == 0

    spanish = root / "content/partners/unaoc/es.md"
    spanish.write_text(
        spanish.read_text(encoding="utf-8") + "\nUn párrafo nuevo.\n", encoding="utf-8"
    )
    result = site.build()
    assert result.exit_code == 0
    assert f"{french}: warning: the Spanish original content/partners/unaoc/es.md changed" in (
        result.stderr
    )
    assert notice(site, "/fr/partners/unaoc/") == (
        "L’original en espagnol a été mis à jour après cette traduction. Lire l’original"
    )
    assert site.html("/fr/partners/unaoc/").select_one(".notice-stale a")["href"] == (
        "/es/partners/unaoc/"
    )
    assert notice(site, "/ar/partners/unaoc/") == (
        "حُدِّث النص الأصلي باللغة الإسبانية بعد هذه الترجمة. اقرأ النص الأصلي"
    )
    fr = language(status_json(site), "fr")["partners"]
    assert fr["stale"] == 1
    assert [i["file"] for i in fr["items"] if i["state"] == "stale"] == [french]
    table = run(site, "status").output
    assert f"  stale    {french}  (body changed in content/partners/unaoc/es.md)" in table


# --- without stamps: git history ----------------------------------------------------------------


@needs_git
def test_without_stamps_git_history_tells_a_stale_translation(make_site: MakeSite) -> None:
    site = make_site()
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "first")
    assert site.build().exit_code == 0
    assert notice(site, "/en/partners/alpha/") is None

    site.write({ES: MINIMAL_SITE[ES] + "\nMás texto.\n"})
    git(site.root, "commit", "-q", "-am", "the original grows", when="2024-02-01T12:00:00+00:00")
    result = site.build()
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"{EN}: warning: the Spanish original {ES} was committed after this translation "
        "(git history)"
    )
    assert notice(site, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"
    item = language(status_json(site), "en")["partners"]["items"][0]
    assert (item["state"], item["stale_by"], item["stale_fields"]) == ("stale", "git", [])

    site.write({EN: MINIMAL_SITE[EN] + "\nMore text.\n"})
    git(site.root, "commit", "-q", "-am", "translated too", when="2024-03-01T12:00:00+00:00")
    assert site.build().stderr == ""
    assert notice(site, "/en/partners/alpha/") is None


@needs_git
def test_a_stamp_that_no_version_of_the_original_had_is_told_at_its_line(
    make_site: MakeSite,
) -> None:
    """A stamp edited by hand (or copied from another partner's translation) matches no
    version of the original in its history: the translation is stale, and the warning says
    why at the stamp's line, not 'the original changed' (it never did)."""
    site = make_site()
    assert run(site, "stamp", "alpha", "en").exit_code == 0
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "first")
    text = (site.root / EN).read_text(encoding="utf-8")
    real = fingerprint("Trabaja por la paz.")
    site.write({EN: text.replace(f"summary: {real}", "summary: 0badf00d")})
    line = next(
        number
        for number, found in enumerate((site.root / EN).read_text(encoding="utf-8").splitlines(), 1)
        if "0badf00d" in found
    )
    told = [
        f"{EN}:{line}:3: warning: translated_from of summary matches no version of the "
        f"original {ES} in its git history (written by hand, or copied from another "
        "translation?): the translation is shown as stale",
        f"  hint: check the translation against {ES}, then run 'allysite i18n stamp alpha en'",
    ]
    checked = CliRunner().invoke(cli, ["check", "--site", str(site.root)])
    assert checked.exit_code == 0, checked.output
    lines = checked.stdout.splitlines()  # (check writes its findings out, sorted by file)
    assert lines[lines.index(told[0]) + 1] == told[1]
    assert "changed after this translation" not in checked.stdout
    status = run(site, "status").output.splitlines()
    assert status[status.index(told[0]) + 1] == told[1]
    # a build shows the translation as stale, without reading every version of the original
    # (seconds on a large site: stale.check_translations)
    result = site.build()
    assert result.exit_code == 0
    assert "matches no version" not in result.stderr
    assert f"{ES} changed after this translation: summary" in result.stderr
    assert notice(site, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"

    # a stamp of an older version of the original is a known one: stale, nothing more
    site.write({EN: text})
    site.write({ES: MINIMAL_SITE[ES].replace("Trabaja por la paz.", "Trabaja por la paz y más.")})
    git(site.root, "commit", "-q", "-am", "the original changes")
    result = CliRunner().invoke(cli, ["check", "--site", str(site.root)])
    assert "matches no version" not in result.stdout
    assert f"{ES} changed after this translation: summary" in result.stdout


@needs_git
def test_a_shallow_clone_deepened_to_its_first_commit_has_its_whole_history(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """`git fetch --deepen` that reaches the first commit exactly leaves it in
    `.git/shallow` (marked grafted) until a fetch goes past it: the history is whole, and
    no translation is left unchecked."""
    origin = make_site()
    git(origin.root, "init", "-q")
    git(origin.root, "add", "-A")
    git(origin.root, "commit", "-q", "-m", "first")
    (origin.root / "NOTES").write_text("x\n", encoding="utf-8")
    git(origin.root, "add", "NOTES")
    git(origin.root, "commit", "-q", "-m", "second")
    clone = Site(tmp_path / "clone", tmp_path / "clone-out")
    git(tmp_path, "clone", "-q", "--depth", "1", origin.root.as_uri(), str(clone.root))
    assert "shallow clone" in clone.build().stderr
    git(clone.root, "fetch", "-q", "--deepen", "1")
    assert (clone.root / ".git" / "shallow").exists()  # (git's, as it stands)
    result = clone.build()
    assert result.exit_code == 0
    assert "shallow" not in result.stderr
    assert run(clone, "stamp", "--all").output.startswith("Stamped ")


@needs_git
def test_commits_of_the_same_second_count_in_their_order(make_site: MakeSite) -> None:
    """A rebase gives every commit it moves the same time: the translation committed before
    its original's change is still stale (by their times, it looked up to date)."""
    site = make_site()
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "first")
    site.write({EN: MINIMAL_SITE[EN] + "\nMore text.\n"})
    git(site.root, "commit", "-q", "-am", "translated")
    site.write({ES: MINIMAL_SITE[ES] + "\nMás texto.\n"})
    git(site.root, "commit", "-q", "-am", "the original grows")
    assert "was committed after this translation" in site.build().stderr
    assert notice(site, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"


def committed_then_the_original_grown(site: Site) -> None:
    """The site committed in a new repository, then its Spanish original edited and
    committed a month later: the English translation without stamps is stale by git."""
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "first")
    site.write({ES: MINIMAL_SITE[ES] + "\nMás texto.\n"})
    git(site.root, "commit", "-q", "-am", "the original grows", when="2024-02-01T12:00:00+00:00")


@needs_git
def test_a_renamed_folder_keeps_its_history(make_site: MakeSite) -> None:
    """`git mv` of a partner's folder changes no text: a translation stale before is stale
    after (the rename was the last commit of every file, and cleared it); a translation
    changed in the rename's commit is up to date."""
    site = make_site()
    committed_then_the_original_grown(site)
    git(site.root, "mv", "content/partners/alpha", "content/partners/alfa")
    git(site.root, "commit", "-q", "-m", "renamed", when="2024-03-01T12:00:00+00:00")
    result = site.build()
    assert result.stderr.splitlines()[0] == (
        "content/partners/alfa/en.md: warning: the Spanish original "
        "content/partners/alfa/es.md was committed after this translation (git history)"
    )
    assert notice(site, "/en/partners/alfa/") == f"{NOTICE_EN} Read the original"
    git(site.root, "mv", "content/partners/alfa", "content/partners/alpha")
    site.write({EN: MINIMAL_SITE[EN] + "\nMore text.\n"})
    git(site.root, "commit", "-q", "-am", "back, translated", when="2024-04-01T12:00:00+00:00")
    assert site.build().stderr == ""
    assert notice(site, "/en/partners/alpha/") is None


@needs_git
def test_a_commit_renders_again_only_the_pages_whose_notice_it_changed(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A commit changes no file of the site, yet can make a translation without stamps stale:
    the next build finds it as a cold build does, rendering again only the pages it changed
    (it rendered every page). `git add` or `git status` (the index) changes no commit: the
    build after it has nothing to do (it rendered every page)."""
    site = make_site()
    git(site.root, "init", "-q")
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", "first")
    assert build_site(site.root, site.out).ok
    (site.root / "NOTES.txt").write_text("for the editors\n", encoding="utf-8")
    git(site.root, "add", "NOTES.txt")
    assert build_site(site.root, site.out).cached

    site.write({ES: MINIMAL_SITE[ES] + "\nMás texto.\n"})
    assert build_site(site.root, site.out).ok  # (not committed yet: not stale)
    assert notice(site, "/en/partners/alpha/") is None
    git(site.root, "commit", "-q", "-am", "the original grows", when="2024-02-01T12:00:00+00:00")
    result = build_site(site.root, site.out)
    assert result.ok and not result.cached
    assert "en/partners/alpha/index.html" in result.rendered
    assert len(result.rendered) < result.pages  # (not a build from nothing)
    assert notice(site, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"
    cold = tmp_path / "cold"
    assert build_site(site.root, cold, cache=False).ok

    def tree(folder: Path) -> dict[str, bytes]:
        files = (path for path in folder.rglob("*") if path.is_file())
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in files}

    assert tree(site.out) == tree(cold)


@needs_git
def test_a_commit_in_a_linked_worktree_is_seen_by_the_next_build(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A linked worktree's `.git` is a file naming its folder in the repository: a commit
    there (no file of the site changed) still makes the next build find the translation
    stale, as a build without its cache does."""
    repository = make_site()
    git(repository.root, "init", "-q")
    git(repository.root, "add", "-A")
    git(repository.root, "commit", "-q", "-m", "first")
    git(repository.root, "worktree", "add", "-q", str(tmp_path / "worktree"))
    site = Site(tmp_path / "worktree", tmp_path / "worktree-out")
    assert (site.root / ".git").is_file()
    assert site.build().exit_code == 0
    site.write({ES: MINIMAL_SITE[ES] + "\nMás texto.\n"})
    assert site.build().stderr == ""  # (not committed yet)
    git(site.root, "commit", "-q", "-am", "the original grows", when="2024-02-01T12:00:00+00:00")
    assert "was committed after this translation" in site.build().stderr
    assert notice(site, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"


def shallow_clone_after_an_edit(make_site: MakeSite, tmp_path: Path) -> Site:
    """A clone of one commit of a site whose second commit edited the Spanish original (the
    English translation is stale, which its history before the cut tells)."""
    origin = make_site()
    committed_then_the_original_grown(origin)
    clone = Site(tmp_path / "clone", tmp_path / "clone-out")
    git(tmp_path, "clone", "-q", "--depth", "1", origin.root.as_uri(), str(clone.root))
    return clone


@needs_git
def test_a_shallow_clone_deepened_is_seen_by_the_next_build(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """`git fetch --unshallow` brings the commits a shallow clone cut, moving no ref: the
    next build finds the translation stale, as a build without its cache does (it kept the
    pages of the shallow history: 'nothing changed')."""
    clone = shallow_clone_after_an_edit(make_site, tmp_path)
    assert clone.build().exit_code == 0
    assert notice(clone, "/en/partners/alpha/") is None  # (one commit: nothing is newer)
    git(clone.root, "fetch", "-q", "--unshallow")
    assert "was committed after this translation" in clone.build().stderr
    assert notice(clone, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"
    cold = Site(clone.root, tmp_path / "cold")
    assert cold.build("--no-cache").exit_code == 0
    assert clone.output_files() == cold.output_files()


@needs_git
def test_a_shallow_clone_says_which_translations_it_cannot_check(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """A clone of one commit (actions/checkout's default) shows every file changed in it:
    a stale translation looked up to date, with no word, and `stamp --all` stamped it so.
    One commit deeper, the original's change is after the cut, and the translation stale."""
    clone = shallow_clone_after_an_edit(make_site, tmp_path)
    result = clone.build()
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"{EN}: warning: the git history is cut (a shallow clone): 1 translation(s) without "
        f"translated_from cannot be compared with their originals and show no stale notice: {EN}"
    )
    assert clone.build("--strict").exit_code == 1
    stamped = run(clone, "stamp", "--all")
    assert stamped.exit_code == 0
    assert stamped.output == (
        f"Skipped {EN}: not checked: the git history is cut (a shallow clone)\n"
    )
    assert "translated_from" not in (clone.root / EN).read_text(encoding="utf-8")
    assert "shallow clone" in run(clone, "status").stderr
    git(clone.root, "fetch", "-q", "--deepen", "1")
    result = clone.build()
    assert "shallow" not in result.stderr
    assert "was committed after this translation" in result.stderr
    assert notice(clone, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"


@needs_git
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository away (chown)")
def test_a_repository_git_refuses_is_told_and_not_stamped_as_up_to_date(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A container job of GitHub Actions runs as root in a checkout the runner's user owns:
    git refuses it ('dubious ownership'). The stale translation looked up to date without a
    word, and `stamp --all` stamped it so. Git's own remedy is named, and the next build
    after it reads the history."""
    site = make_site()
    committed_then_the_original_grown(site)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    (tmp_path / "home").mkdir()
    for path in [site.root, *site.root.rglob("*")]:
        os.lchown(path, 4321, 4321)
    result = site.build()
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"{EN}: warning: git refuses to read this repository, which another user owns "
        "('dubious ownership'): 1 translation(s) without translated_from cannot be compared "
        f"with their originals and show no stale notice: {EN}"
    )
    command = f"git config --global --add safe.directory {site.root}"
    assert command in result.stderr
    assert site.build("--strict").exit_code == 1
    stamped = run(site, "stamp", "--all")
    assert stamped.exit_code == 0
    assert f"Skipped {EN}: not checked: git refuses to read the repository" in stamped.output
    assert "translated_from" not in (site.root / EN).read_text(encoding="utf-8")
    subprocess.run(command.split(), check=True)
    result = site.build()
    assert "git refuses" not in result.stderr
    assert "was committed after this translation" in result.stderr
    assert notice(site, "/en/partners/alpha/") == f"{NOTICE_EN} Read the original"


@needs_git
def test_content_history_of_a_site_in_a_subfolder_of_its_repository(tmp_path: Path) -> None:
    site = tmp_path / "repo" / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "a.md").write_text("a\n", encoding="utf-8")
    git(tmp_path / "repo", "init", "-q")
    git(tmp_path / "repo", "add", "-A")
    git(tmp_path / "repo", "commit", "-q", "-m", "one", when="2024-01-01T00:00:00+00:00")
    (site / "content" / "b.md").write_text("b\n", encoding="utf-8")
    git(tmp_path / "repo", "add", "-A")
    git(tmp_path / "repo", "commit", "-q", "-m", "two", when="2024-01-02T00:00:00+00:00")
    assert dict(content_history(site).changes) == {"content/b.md": 0, "content/a.md": 1}


def test_no_git_repository_or_no_git_means_no_git_staleness(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site()
    assert dict(content_history(site.root).changes) == {}  # a plain folder
    monkeypatch.setenv("PATH", str(site.root / "no-such-bin"))  # git is not installed
    assert dict(content_history(site.root).changes) == {}
    config, _ = load_config(site.root)
    assert config is not None
    content, _ = load_content(config)
    staleness, problems = find_stale(config, content)
    assert dict(staleness) == {} and problems == []
