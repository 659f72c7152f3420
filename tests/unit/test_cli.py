"""cli: the command line, its messages, exit codes and colours."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from allysite import __version__, build, cli, launch
from allysite.output import MARKER

from .support import SMALL_SITE, write_files

ANSI = "\x1b["


def run(*args: str, color: bool = False, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(
        cli.cli, list(args), prog_name="allysite", color=color, env=env, catch_exceptions=False
    )


# SMALL_SITE with a title and labels in every language: a build without any warning.
COMPLETE_LABELS = {
    "site.yaml": SMALL_SITE["site.yaml"].replace(
        "  en: Our partners\n", "  en: Our partners\n  ar: شركاؤنا\n  pt-BR: Nossos parceiros\n"
    ),
    "taxonomies.yaml": "kinds:\n  ngo: {es: ONG, en: NGO, ar: منظمة, pt-BR: ONG}\n"
    "topics:\n  peace: {es: Paz, en: Peace, ar: السلام, pt-BR: Paz}\n",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return write_files(tmp_path / "site", {**SMALL_SITE, **COMPLETE_LABELS})


@pytest.fixture
def broken_site(tmp_path: Path) -> Path:
    return write_files(tmp_path / "broken", {"site.yaml": "title: [unclosed\n"})


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"allysite, version {__version__}\n"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_group_help(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0
    assert result.output.startswith("Usage: allysite [OPTIONS] COMMAND [ARGS]...")
    assert "build a static multilingual partner directory" in result.output
    assert re.search(r"^\s+build\s+Build the site", result.output, re.MULTILINE)
    assert "--version" in result.output


def test_build_help() -> None:
    result = run("build", "--help")
    assert result.exit_code == 0
    assert result.output.startswith("Usage: allysite build [OPTIONS]")
    for option in ("--site DIRECTORY", "--out PATH", "--strict", "-h, --help"):
        assert option in result.output
    assert "Treat warnings as errors." in result.output


def test_unknown_command_is_a_usage_error() -> None:
    result = run("serve-everything")
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_failed_build(broken_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", "--site", str(broken_site), "--out", str(out))
    assert result.exit_code == 1
    assert re.search(r"^site\.yaml:\d+:\d+: error: invalid YAML", result.stderr, re.MULTILINE)
    assert re.search(
        r"^Build failed: 1 error\(s\), 0 warning\(s\)\. Nothing was written; "
        r"the previous output is unchanged\.$",
        result.stderr,
        re.MULTILINE,
    )
    assert "Built" not in result.output
    assert not out.exists()


def test_missing_site(tmp_path: Path) -> None:
    result = run("build", "--site", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "no site.yaml" in result.stderr
    assert "hint: run allysite in a site folder, or pass --site DIR" in result.stderr


def test_successful_build(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("build", "--site", str(site), "--out", str(out))
    assert result.exit_code == 0, result.output
    match = re.fullmatch(
        r"Built (\d+) pages \((\d+) files\) into (.+) in \d+\.\d\d s\.\n", result.stdout
    )
    assert match, result.stdout
    written = [p for p in out.rglob("*") if p.is_file() and p.name != MARKER]
    assert int(match[1]) == sum(p.suffix == ".html" for p in written)
    assert int(match[2]) == len(written)
    assert match[3] == str(out)
    assert result.stderr == ""


def test_a_rebuild_says_what_it_took_from_the_last(site: Path, tmp_path: Path) -> None:
    """Nothing changed, or how many pages an edit rendered again: an editor sees when an
    edit made the whole site render (the benchmark records it too)."""
    out = tmp_path / "out"
    assert run("build", "--site", str(site), "--out", str(out)).exit_code == 0
    again = run("build", "--site", str(site), "--out", str(out))
    assert again.exit_code == 0 and again.stdout.endswith(" s: nothing changed.\n")
    profile = next((site / "content" / "partners").glob("*/es.md"))
    before = {path: path.read_bytes() for path in out.rglob("*.html")}
    profile.write_text(profile.read_text(encoding="utf-8") + "\nOtra frase.\n", encoding="utf-8")
    edited = run("build", "--site", str(site), "--out", str(out))
    assert edited.exit_code == 0, edited.output
    changed = sum(path.read_bytes() != data for path, data in before.items())
    match = re.search(
        r" s: (\d+) rendered, the others kept from the last build\.\n$", edited.stdout
    )
    assert match and int(match[1]) == changed > 0, edited.stdout


def test_default_output_is_build_inside_the_site(site: Path) -> None:
    result = run("build", "--site", str(site))
    assert result.exit_code == 0, result.output
    assert (site / "build" / MARKER).is_file()
    assert f"into {site / 'build'} in" in result.stdout


def test_warnings_are_counted_and_strict_fails(site: Path, tmp_path: Path) -> None:
    write_files(site, {"content/partners/stray.txt": "not in a folder"})
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "warning: " in result.stderr
    assert result.stdout.endswith(", 1 warning(s).\n")
    strict = run("build", "--site", str(site), "--out", str(tmp_path / "out2"), "--strict")
    assert strict.exit_code == 1
    assert "Build failed: 1 error(s), 0 warning(s)." in strict.stderr
    assert not (tmp_path / "out2").exists()


def build_broken(site: Path, tmp_path: Path, env: dict[str, str | None]) -> Result:
    """A failing build on a terminal that supports colour."""
    out = tmp_path / "o"
    return run("build", "--site", str(site), "--out", str(out), color=True, env=env)


def test_colour_is_used_when_allowed(broken_site: Path, tmp_path: Path) -> None:
    result = build_broken(broken_site, tmp_path, {"NO_COLOR": None})
    assert result.exit_code == 1
    assert ANSI in result.stderr


def test_no_color_keeps_diagnostics_plain(broken_site: Path, tmp_path: Path) -> None:
    result = build_broken(broken_site, tmp_path, {"NO_COLOR": "1"})
    diagnostic_lines = [line for line in result.stderr.splitlines() if "error: " in line]
    assert diagnostic_lines
    assert all(ANSI not in line for line in diagnostic_lines)


def test_no_color_means_no_ansi_escape_at_all(broken_site: Path, tmp_path: Path) -> None:
    result = build_broken(broken_site, tmp_path, {"NO_COLOR": "1"})
    assert result.exit_code == 1
    assert ANSI not in result.output


# --- main(): the entry point ------------------------------------------------------------------


def call_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """The entry point's exit status: launch.main, which runs `build` with its own options
    itself and gives anything else to click (cli.main)."""
    monkeypatch.setattr(sys, "argv", ["allysite", *args])  # (what click parses)
    if "PYDANTIC_DISABLE_PLUGINS" not in os.environ:  # (main sets it: undone after the test)
        monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    try:
        launch.main(list(args))
    except SystemExit as exit_info:
        code = exit_info.code
        return code if isinstance(code, int) else 0
    return 0


# The same build, run by launch.py itself and by click: a flag given twice is click's alone.
QUICK_AND_CLICK = pytest.mark.parametrize("twice", [(), ("--no-cache",)], ids=["quick", "click"])


class PanicException(BaseException):
    """As pyo3 raises for a Rust library's panic: a BaseException, not an Exception."""


@QUICK_AND_CLICK
@pytest.mark.parametrize(
    ("failure", "shown"),
    [
        (RuntimeError("kaboom"), "RuntimeError: kaboom"),
        (PanicException("index out of bounds"), "PanicException: index out of bounds"),
    ],
)
def test_main_reports_internal_errors_without_traceback(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    site: Path,
    failure: BaseException,
    shown: str,
    twice: tuple[str, ...],
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(build, "build_site", explode)
    monkeypatch.delenv("ALLYSITE_DEBUG", raising=False)
    assert call_main(monkeypatch, "build", "--site", str(site), *twice, *twice) == 70
    err = capsys.readouterr().err
    assert f"allysite: internal error: {shown}" in err
    assert "ALLYSITE_DEBUG=1" in err
    assert "Traceback" not in err


@QUICK_AND_CLICK
def test_main_debug_shows_the_exception(
    monkeypatch: pytest.MonkeyPatch, site: Path, twice: tuple[str, ...]
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(build, "build_site", explode)
    monkeypatch.setenv("ALLYSITE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="kaboom"):
        call_main(monkeypatch, "build", "--site", str(site), *twice, *twice)


@QUICK_AND_CLICK
def test_main_interrupted(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    site: Path,
    twice: tuple[str, ...],
) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "build_site", interrupt)
    assert call_main(monkeypatch, "build", "--site", str(site), *twice, *twice) == 130
    assert "Interrupted; the previous output is unchanged." in capsys.readouterr().err


def test_main_version(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert call_main(monkeypatch, "--version") == 0
    assert capsys.readouterr().out == f"allysite, version {__version__}\n"


@pytest.mark.parametrize("given", [None, "", "logfire"])
def test_main_turns_pydantics_plugin_search_off_unless_told(
    monkeypatch: pytest.MonkeyPatch, given: str | None
) -> None:
    """Pydantic's search for plugins through every installed package costs each build some
    30 ms: the command turns it off, but keeps a value the user set."""
    if given is None:
        monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    else:
        monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", given)
    assert call_main(monkeypatch, "--version") == 0
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == ("__all__" if given is None else given)


# --- run(): the installed command, which leaves without the interpreter's teardown ----------


@pytest.mark.parametrize(
    ("args", "code", "stream", "expected"),
    [
        (["--version"], 0, "stdout", f"allysite, version {__version__}"),
        (["build", "--site", "no-such-site"], 1, "stderr", "no site.yaml in"),
        (["no-such-command"], 2, "stderr", "No such command"),
    ],
)
def test_the_command_keeps_its_output_and_exit_code(
    tmp_path: Path, args: list[str], code: int, stream: str, expected: str
) -> None:
    done = subprocess.run(  # (pipes: buffered, so output left unflushed would be lost)
        [sys.executable, "-m", "allysite", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == code
    assert expected in getattr(done, stream)


# --- launch.quick_build: `allysite build` parsed without click, exactly as click would ---------


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The current folder holds the folders `s` and `sïte ñ`, and the file `file.txt`."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s").mkdir()
    (tmp_path / "sïte ñ").mkdir()
    (tmp_path / "file.txt").write_text("x")


def click_parse(arguments: list[str]) -> tuple[Path, Path | None, bool, bool]:
    context = cli.build.make_context("build", arguments[1:])
    params = context.params
    return params["site"], params["out"], params["strict"], params["no_cache"]


@pytest.mark.parametrize(
    "arguments",
    [
        ["build"],
        ["build", "--site", "s"],
        ["build", "--site=s", "--out=o"],
        ["build", "--out", "o", "--strict", "--no-cache", "--site", "s"],
        ["build", "--site", "not-there", "--out", "s/build"],
        ["build", "--site", "s/", "--out", "o=p"],
        ["build", "--site=s=t", "--strict"],
        ["build", "--site", "sïte ñ"],
    ],
)
@pytest.mark.usefixtures("in_folder")
def test_quick_build_reads_the_options_as_click_does(arguments: list[str]) -> None:
    quick = launch.quick_build(arguments)
    assert quick is not None
    assert quick == click_parse(arguments)


@pytest.mark.parametrize(
    "arguments",
    [
        [],
        ["--version"],
        ["check"],
        ["build", "--help"],
        ["build", "-h"],
        ["build", "--site"],
        ["build", "--site="],
        ["build", "--site", "file.txt"],  # click: "is a file"
        ["build", "--site", "s", "--site", "s"],
        ["build", "--strict", "--strict"],
        ["build", "--strict=yes"],
        ["build", "--out", "-o"],
        ["build", "extra"],
        ["build", "--", "--site", "s"],
        ["build", "--sit", "s"],
        ["build", "-s", "s"],
    ],
)
@pytest.mark.usefixtures("in_folder")
def test_quick_build_leaves_anything_else_to_click(arguments: list[str]) -> None:
    assert launch.quick_build(arguments) is None


def test_a_build_with_its_own_options_never_imports_click(site: Path, tmp_path: Path) -> None:
    """What the quick start is for: neither click nor rich is loaded (their import was 15 ms
    of a build with nothing to do); the build and its line are the same."""
    script = (
        "import sys\n"
        "from allysite import launch\n"
        "launch.main(sys.argv[1:])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'rich')))\n"
    )
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", script, "build", "--site", str(site), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    built, loaded = done.stdout.splitlines()
    assert re.fullmatch(
        rf"Built \d+ pages \(\d+ files\) into {re.escape(str(out))} in [\d.]+ s\.", built
    )
    assert loaded == "[]"
    assert (out / "es" / "index.html").is_file()


def test_a_ctrl_c_while_the_command_still_imports_shows_no_traceback() -> None:
    """Ctrl-C in the command's first milliseconds (Python still importing what a build
    needs) ends it with the usual status and a line, as later: it showed a traceback."""
    script = (
        "import sys\n"
        "from allysite import launch\n"
        "def importing(arguments):\n"
        "    raise KeyboardInterrupt\n"
        "launch.quick_build = importing\n"
        "launch.run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "build"], capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout) == (130, "")
    assert done.stderr == "\nInterrupted before anything was done.\n"


def shown(done: subprocess.CompletedProcess[str], out: Path) -> tuple[int, str, str]:
    """What a build showed, its output folder and its time left out."""

    def masked(text: str) -> str:
        return re.sub(r" in \d+\.\d\d s", " in T s", text.replace(str(out), "OUT"))

    return done.returncode, masked(done.stdout), masked(done.stderr)


@pytest.mark.parametrize("case", ["warnings", "failure", "strict failure"])
def test_the_quick_build_shows_what_click_shows(tmp_path: Path, case: str) -> None:
    """The same site built by launch.py itself and by click (a flag given twice is click's
    alone): the same exit status, lines and messages."""
    files = dict(SMALL_SITE)  # (its labels are missing in some languages: warnings)
    if case == "failure":
        files["content/partners/alpha/partner.yaml"] = "kind: [unclosed\n"
    site = write_files(tmp_path / "site", files)
    strict = ("--strict",) if case == "strict failure" else ()
    results = []
    for twice in ((), ("--no-cache",)):
        out = tmp_path / f"out{len(twice)}"
        command = ["build", "--site", str(site), "--out", str(out), "--no-cache", *twice, *strict]
        assert (launch.quick_build(command) is None) == bool(twice)
        done = subprocess.run(
            [sys.executable, "-m", "allysite", *command],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "NO_COLOR": "1"},
        )
        results.append(shown(done, out))
    assert results[0] == results[1]
    code, stdout, stderr = results[0]
    if case == "warnings":
        assert code == 0 and "warning(s)." in stdout and "warning" in stderr
    else:
        assert code == 1 and "Build failed" in stderr


def test_progress_lines() -> None:
    """Off a terminal, long work writes a plain line as a stage starts and at each tenth of
    it, without importing click: a build slowed by a busy machine imported it to write
    'Rendering pages: 0/13', against launch.py's promise."""
    script = (
        "import sys\n"
        "from allysite.terminal import Progress\n"
        "Progress.QUIET_SECONDS = 0\n"
        "with Progress() as told:\n"
        "    for done in range(0, 21):\n"
        "        told('render', done, 20)\n"
        "    told('write', 0, 0)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('click', 'rich')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CI": "1"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "Rendering pages: 0/20"
    assert lines[1:11] == [f"Rendering pages: {n}/20" for n in range(2, 21, 2)]
    assert lines[11:] == ["Writing the output..."]
    assert done.stdout.strip() == "[]"
