"""output: which output folders are safe to replace, and writing through a staging swap."""

from __future__ import annotations

import errno
import subprocess
import sys
import time
from pathlib import Path

import pytest

from allysite import output, swap
from allysite.copies import FileCopy
from allysite.output import MARKER, check_output_dir, output_lock, write_output
from allysite.render import OutputFile
from allysite.swap import previous_dir, recover_interrupted_swap, staging_dir

from .support import write_files


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_files(
        tmp_path / "site",
        {
            "site.yaml": "title: T\n",
            "content/partners/a/es.md": "x",
            "templates/t.html": "x",
            "locales/es/LC_MESSAGES/messages.po": "",
            "static/favicon.ico": "x",
        },
    )


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- check_output_dir: refusals ---------------------------------------------------------------


def refusal(out: Path, site: Path) -> str:
    problems = check_output_dir(out, site)
    assert len(problems) == 1
    assert problems[0].code == "bad-output"
    return problems[0].message


def test_refuses_the_site_itself(site: Path) -> None:
    assert "contains the site itself" in refusal(site, site)
    assert "contains the site itself" in refusal(site / "content" / "..", site)


def test_refuses_a_parent_of_the_site(site: Path) -> None:
    assert "contains the site itself" in refusal(site.parent, site)
    assert "contains the site itself" in refusal(Path("/"), site)


@pytest.mark.parametrize("folder", ["content", "templates", "locales", "static"])
def test_refuses_a_source_folder_or_inside_one(site: Path, folder: str) -> None:
    assert f"inside the site's {folder}/" in refusal(site / folder, site)
    assert f"inside the site's {folder}/" in refusal(site / folder / "build", site)


def test_refuses_a_non_empty_foreign_folder(site: Path, tmp_path: Path) -> None:
    foreign = write_files(tmp_path / "documents", {"thesis.docx": "precious"})
    assert "not empty and was not made by allysite" in refusal(foreign, site)


def test_refuses_a_folder_with_only_hidden_files(site: Path, tmp_path: Path) -> None:
    foreign = write_files(tmp_path / "repo", {".git/HEAD": "ref"})
    assert "not made by allysite" in refusal(foreign, site)


def test_refuses_a_file(site: Path, tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_text("x")
    assert "is not a folder" in refusal(path, site)
    assert "is not a folder" in refusal(site / "site.yaml", site)


def test_refusal_has_a_hint(site: Path) -> None:
    (problem,) = check_output_dir(site, site)
    assert problem.hint and "--out" in problem.hint


# --- check_output_dir: acceptances ------------------------------------------------------------


def test_accepts_a_missing_folder(site: Path, tmp_path: Path) -> None:
    assert check_output_dir(tmp_path / "new" / "out", site) == []


def test_accepts_an_empty_folder(site: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert check_output_dir(tmp_path / "empty", site) == []


def test_accepts_previous_allysite_output(site: Path, tmp_path: Path) -> None:
    out = write_files(tmp_path / "out", {MARKER: "", "es/index.html": "old"})
    assert check_output_dir(out, site) == []


def test_accepts_build_inside_the_site(site: Path) -> None:
    assert check_output_dir(site / "build", site) == []
    assert check_output_dir(site / "content-preview", site) == []


# --- write_output -----------------------------------------------------------------------------


def test_writes_exactly_the_files_and_the_marker(tmp_path: Path) -> None:
    source = write_files(tmp_path / "src", {"logo.svg": "<svg/>"}) / "logo.svg"
    out = tmp_path / "deep" / "out"
    count = write_output(
        out,
        [OutputFile("index.html", b"root"), OutputFile("es/partners/a/index.html", b"a")],
        [FileCopy("es/partners/a/logo.svg", source)],
    )
    assert count == 3
    written = files_under(out)
    assert set(written) == {
        "index.html",
        "es/partners/a/index.html",
        "es/partners/a/logo.svg",
        MARKER,
    }
    assert written["index.html"] == b"root"
    assert written["es/partners/a/logo.svg"] == b"<svg/>"
    assert not staging_dir(out).exists() and not previous_dir(out).exists()


def test_replaces_the_old_output_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, [OutputFile("old.html", b"old"), OutputFile("keep/a.html", b"1")], [])
    (out / "stray.txt").write_text("left by hand")
    write_output(out, [OutputFile("keep/a.html", b"2")], [])
    assert files_under(out) == {"keep/a.html": b"2", MARKER: (out / MARKER).read_bytes()}
    assert not staging_dir(out).exists() and not previous_dir(out).exists()


def test_replaces_without_atomic_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(swap, "exchange", lambda a, b: False)
    out = tmp_path / "out"
    write_output(out, [OutputFile("a.html", b"1")], [])
    write_output(out, [OutputFile("b.html", b"2")], [])
    assert set(files_under(out)) == {"b.html", MARKER}
    assert not staging_dir(out).exists() and not previous_dir(out).exists()


def test_failed_write_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, [OutputFile("a.html", b"1")], [])
    before = files_under(out)
    with pytest.raises(OSError):
        write_output(
            out, [OutputFile("b.html", b"2")], [FileCopy("x.png", tmp_path / "missing.png")]
        )
    assert files_under(out) == before
    assert not staging_dir(out).exists()


def test_marker_says_do_not_edit(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_output(out, [], [])
    assert "allysite" in (out / MARKER).read_text()
    assert check_output_dir(out, tmp_path / "elsewhere") == []


def test_staging_and_previous_are_hidden_siblings(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert staging_dir(out).parent == previous_dir(out).parent == tmp_path
    assert staging_dir(out).name.startswith(".") and previous_dir(out).name.startswith(".")
    assert len({out, staging_dir(out), previous_dir(out)}) == 3


# --- recover_interrupted_swap -----------------------------------------------------------------


def test_recover_puts_back_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_files(previous_dir(out), {MARKER: "", "index.html": "previous"})
    write_files(staging_dir(out), {"half.html": "half"})
    recover_interrupted_swap(out)
    assert (out / "index.html").read_text() == "previous"
    assert not previous_dir(out).exists() and not staging_dir(out).exists()


def test_recover_drops_the_old_copy_when_the_new_output_is_in_place(tmp_path: Path) -> None:
    out = write_files(tmp_path / "out", {"index.html": "new"})
    write_files(previous_dir(out), {"index.html": "previous"})
    recover_interrupted_swap(out)
    assert (out / "index.html").read_text() == "new"
    assert not previous_dir(out).exists()


def test_recover_with_nothing_to_do(tmp_path: Path) -> None:
    recover_interrupted_swap(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_write_output_recovers_first(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_files(staging_dir(out), {"stale.html": "stale"})
    write_output(out, [OutputFile("a.html", b"1")], [])
    assert set(files_under(out)) == {"a.html", MARKER}


def test_the_output_lock_is_exclusive_and_a_file_system_without_locks_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    with output_lock(out, 0) as first:
        assert first
        with output_lock(out, 0.1) as second:  # a second holder (another open file) waits
            assert not second
    with output_lock(out, 0) as again:
        assert again  # released with the block

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(output.fcntl, "flock", no_locks)
    with output_lock(out, 0) as unlocked:
        assert unlocked  # as before locks: the build goes on


@pytest.mark.parametrize(
    "written",
    [
        "build/es/index.html",
        ".build.allysite-staging/es/index.html",
        ".build.allysite-spare/es/index.html",
        ".build.allysite-cache/parsed/00.pickle",
    ],
)
def test_an_error_in_the_builds_own_folders_is_one_of_writing(tmp_path: Path, written: str) -> None:
    """The output and the build's folders beside it may be inside the site (`build/` is the
    default): an error there is still said as one of writing the output."""
    from allysite.build import _write_error

    site = tmp_path / "site"
    full = OSError(errno.ENOSPC, "No space left on device", str(site / written))
    assert _write_error(full, site / "build", site).code == "write"


def test_an_error_reading_the_site_names_its_file(tmp_path: Path) -> None:
    from allysite.build import _write_error

    site = tmp_path / "site"
    loop = OSError(errno.ELOOP, "Too many levels of symbolic links", str(site / "content/pages"))
    found = _write_error(loop, site / "build", site)
    assert (found.code, found.pos.path) == ("read", "content/pages")
    assert found.message == "cannot read the site: Too many levels of symbolic links"


def test_a_background_delete_lets_go_of_the_callers_streams(tmp_path: Path) -> None:
    """A caller that reads the build's output to the end (a pipe, a captured run) is not
    kept waiting while a replaced output is deleted in the background."""
    doomed = tmp_path / "out"
    doomed.mkdir()
    (doomed / "page.html").write_text("x")
    script = (
        "import shutil, sys, time\n"
        "from pathlib import Path\n"
        "from allysite import swap\n"
        "slow = shutil.rmtree\n"
        "shutil.rmtree = lambda *a, **k: (time.sleep(20), slow(*a, **k))\n"
        f"swap.discard(Path({str(doomed)!r}), Path({str(doomed)!r}), background=True)\n"
        "print('swapped')\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=15, check=True
    )
    assert done.stdout == "swapped\n"
    assert time.monotonic() - started < 10  # (the deleter sleeps 20 s before deleting)
    assert not doomed.exists()  # moved aside at once, into the trash the deleter empties
