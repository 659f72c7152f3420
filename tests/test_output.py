"""Safe output: staged and swapped in whole, deterministic, never half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from allysite import build as build_module
from allysite.cli import cli
from allysite.output import MARKER, output_lock
from allysite.swap import staging_dir
from conftest import MakeSite, without_root_powers


def test_two_builds_are_byte_identical(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site()
    assert site.build().exit_code == 0
    first = site.output_files()
    assert site.build().exit_code == 0
    assert site.output_files() == first
    assert MARKER in first


def test_removed_content_does_not_survive(make_site: MakeSite) -> None:
    site = make_site()
    assert site.build().exit_code == 0
    assert (site.out / "es/about/index.html").exists()
    (site.root / "content/pages/about/es.md").unlink()
    (site.root / "content/pages/about").rmdir()
    (site.out / "stray.html").write_text("left by hand")
    assert site.build().exit_code == 0
    assert not (site.out / "es/about").exists()
    assert not (site.out / "stray.html").exists()


def test_failed_build_leaves_previous_output(make_site: MakeSite) -> None:
    site = make_site()
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write({"site.yaml": "title: [broken\n"})
    result = site.build()
    assert result.exit_code == 1
    assert site.output_files() == before
    assert not staging_dir(site.out).exists()


# Runs allysite with the output stage paused after its 20th file, so the test can kill -9 it
# at a known point of writing. Only the test patches; the code under test is unchanged.
PAUSED_BUILD = """
import sys, time, pathlib
import allysite.output as output
ready = pathlib.Path(sys.argv[1])
original = output._make_parent
written = []
def pausing(target, made):
    written.append(target)
    if len(written) == 20:
        ready.write_text("paused")
        time.sleep(600)
    original(target, made)
output._make_parent = pausing
from allysite.cli import main
sys.argv = ["allysite", "build", "--site", sys.argv[2], "--out", sys.argv[3]]
main()
"""


def test_killed_build_leaves_previous_output(make_site: MakeSite, tmp_path: Path) -> None:
    """kill -9 in the middle of writing: the old output stays whole; the next build works."""
    site = make_site()
    assert site.build().exit_code == 0
    before = site.output_files()
    site.write({"content/partners/alpha/es.md": "---\nname: Cambiado\nsummary: S.\n---\n"})

    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, "-c", PAUSED_BUILD, str(ready), str(site.root), str(site.out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never reached its 20th file"
        time.sleep(0.01)
    assert any(staging_dir(site.out).rglob("*.html"))  # killed while really writing
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert site.output_files() == before

    assert site.build().exit_code == 0
    assert not staging_dir(site.out).exists()
    assert "Cambiado" in site.html("/es/partners/alpha/").find("h1").get_text()


def test_interrupted_swap_is_repaired(make_site: MakeSite) -> None:
    """A build killed between the two renames of the fallback swap loses nothing."""
    site = make_site()
    assert site.build().exit_code == 0
    before = site.output_files()
    previous = site.out.parent / f".{site.out.name}.allysite-old"
    site.out.rename(previous)  # what such a kill leaves behind
    assert site.build().exit_code == 0
    assert site.output_files() == before
    assert not previous.exists()


def test_unwritable_output_is_a_message_not_a_traceback(make_site: MakeSite) -> None:
    site = make_site()
    blocker = site.root.parent / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(
        cli, ["build", "--site", str(site.root), "--out", str(blocker / "out")]
    )
    assert result.exit_code == 1
    assert "cannot write the output" in result.stderr
    assert "Traceback" not in result.output


def test_a_build_waits_for_another_writing_the_same_output(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process writes an output at a time (another build, or the dev server writing)."""
    site = make_site()
    assert site.build().exit_code == 0
    before = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    monkeypatch.setattr(build_module, "LOCK_WAIT_SECONDS", 0.3)
    with output_lock(site.out, 0) as held:  # as another process would hold it
        assert held
        started = time.monotonic()
        result = site.build()
        assert time.monotonic() - started >= 0.3  # it waited
    assert result.exit_code == 1
    assert "another allysite process has been writing" in result.stderr
    assert str(site.out) in result.stderr and "Traceback" not in result.output
    assert {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()} == before
    assert site.build("--no-cache").exit_code == 0  # released with the block


def test_two_builds_at_once_take_turns(make_site: MakeSite, tmp_path: Path) -> None:
    """Started together on the same output: each builds whole, one after the other."""
    site = make_site()
    command = [sys.executable, "-m", "allysite", "build", "--site", str(site.root)]
    runs = [
        subprocess.Popen(
            [*command, "--out", str(site.out), "--no-cache"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stderr.decode()
    cold = tmp_path / "cold"
    assert subprocess.run([*command, "--out", str(cold)], capture_output=True).returncode == 0
    files = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert files == {p.relative_to(cold): p.read_bytes() for p in cold.rglob("*") if p.is_file()}
    assert not staging_dir(site.out).exists()


def test_an_output_made_read_only_is_replaced_and_leaves_no_folder_behind(
    make_site: MakeSite,
) -> None:
    """An output folder made read-only by hand is replaced as any other (its parent is
    writable); the replaced one, a folder of allysite's now, is made writable to be
    deleted, so that it is not left in the way of every later build."""
    prefix = without_root_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to count")
    site = make_site()
    command = [
        *prefix,
        sys.executable,
        "-m",
        "allysite",
        "build",
        "--site",
        str(site.root),
        "--out",
        str(site.out),
    ]
    assert subprocess.run(command, capture_output=True).returncode == 0
    site.out.chmod(0o555)
    (site.out / "es").chmod(0o555)
    text = site.root / "content/partners/alpha/es.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nPrimera.\n", encoding="utf-8")
    first = subprocess.run(command, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert not staging_dir(site.out).exists()
    text.write_text(text.read_text(encoding="utf-8") + "\nSegunda.\n", encoding="utf-8")
    second = subprocess.run(command, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "Segunda." in (site.out / "es/partners/alpha/index.html").read_text(encoding="utf-8")


def test_a_text_made_unreadable_fails_the_next_build_as_a_build_from_scratch(
    make_site: MakeSite,
) -> None:
    """`chmod 000` leaves a file's size and time as they were: the build cache sees it by
    the inode's change time, and the next build reports it, as one without a cache does."""
    prefix = without_root_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to count")
    site = make_site()
    text = site.root / "content/partners/alpha/en.md"
    long_ago = time.time_ns() - 60 * 10**9  # (not "racily clean": see inputindex.py)
    os.utime(text, ns=(long_ago, long_ago))
    command = [*prefix, sys.executable, "-m", "allysite", "build", "--site", str(site.root)]
    assert subprocess.run([*command, "--out", str(site.out)], capture_output=True).returncode == 0
    text.chmod(0)
    built = subprocess.run([*command, "--out", str(site.out)], capture_output=True, text=True)
    cold = subprocess.run(
        [*command, "--out", str(site.root.parent / "cold"), "--no-cache"],
        capture_output=True,
        text=True,
    )
    assert cold.returncode == built.returncode == 1
    assert "content/partners/alpha/en.md: error: cannot read file" in built.stderr
    assert built.stderr == cold.stderr
