#!/usr/bin/env python3
"""Peak memory of a whole build, every process of it counted: allysite against Hugo.

    python bench/tree_memory.py [--partners 1000] [--repeat 3]

compare_hugo.py reports each tool's peak as the largest resident set of any one process
(the build's, or one it forked), as `time -v` and `wait4` give it. allysite renders in
forked processes, which share much of the memory they start with, so the peak of all of
them together is more than the largest one's and less than the sum of their resident sets.
This counts it as Linux's proportional set size (PSS: each page shared by n processes
counted 1/n in each), summed over the process tree and sampled every 10 ms during a cold
build of each tool in turn, outputs on tmpfs (whose files are not counted: /proc's
PSS holds no tmpfs page that a process has not mapped). The sum of resident sets (each shared
page counted in every process) and the largest single one are printed beside it.

Sampling reads /proc for every process 100 times a second: it slows the builds a little,
so their times are not reported here. Linux only; standard library only.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compare_hugo import pair_parser, prepared_pair  # noqa: E402
from run import SHM, machine_facts  # noqa: E402

SAMPLE_SECONDS = 0.01


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (those alive now)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as listing:
                    todo += [int(child) for child in listing.read().split()]
        except OSError:  # (it ended meanwhile)
            continue
    return found


def memory_of(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in KiB; zeros when it has ended."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except OSError:
        pass
    return pss, rss


def sampled(cmd: list[str]) -> dict[str, float]:
    """Run `cmd`; its peaks in MB: the tree's summed PSS and RSS, and the largest process."""
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_pss = peak_rss = largest = processes = 0
    while process.poll() is None:
        tree = [memory_of(pid) for pid in process_tree(process.pid)]
        pss = sum(p for p, _ in tree)
        if pss > peak_pss:
            peak_pss, processes = pss, sum(1 for p, _ in tree if p)
        peak_rss = max(peak_rss, sum(r for _, r in tree))
        largest = max([largest, *(r for _, r in tree)])
        time.sleep(SAMPLE_SECONDS)
    if process.returncode:
        sys.stderr.write(process.stderr.read().decode(errors="replace") if process.stderr else "")
        raise SystemExit(f"failed (exit {process.returncode}): {' '.join(cmd)}")
    return {
        "tree_pss_mb": peak_pss / 1024,
        "tree_rss_mb": peak_rss / 1024,
        "largest_mb": largest / 1024,
        "processes": processes,
    }


def main(argv: list[str] | None = None) -> int:
    args = pair_parser(__doc__.split("\n")[0]).parse_args(argv)
    if not Path("/proc/self/smaps_rollup").exists():
        raise SystemExit("tree_memory.py needs Linux's /proc/<pid>/smaps_rollup")
    allysite, hugo, site_a, site_h = prepared_pair(args)
    root = Path(tempfile.mkdtemp(prefix="allysite-tree-memory-", dir=SHM if SHM.is_dir() else None))
    out_a, out_h = root / "allysite", root / "hugo"
    commands = {
        "allysite": [str(allysite), "build", "--site", str(site_a), "--out", str(out_a)],
        "hugo": [str(hugo), "--source", str(site_h), "--destination", str(out_h), "--quiet"],
    }
    runs: dict[str, list[dict[str, float]]] = {"allysite": [], "hugo": []}
    try:
        for index in range(args.repeat):
            for tool, cmd in commands.items():
                for path in (out_a, out_h, site_h / "resources", *root.glob(".allysite*")):
                    shutil.rmtree(path, ignore_errors=True)  # (cold builds: no cache)
                figures = sampled(cmd)
                runs[tool].append(figures)
                print(
                    f"run {index + 1}/{args.repeat} {tool:8} tree PSS "
                    f"{figures['tree_pss_mb']:5.0f} MB ({figures['processes']:.0f} processes), "
                    f"tree RSS {figures['tree_rss_mb']:5.0f} MB, "
                    f"largest {figures['largest_mb']:5.0f} MB",
                    file=sys.stderr,
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(site_h / "resources", ignore_errors=True)

    def median(tool: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[tool])

    print(
        f"Peak memory of a cold build, every process counted: {args.partners} partners x 6 "
        f"languages, median of {args.repeat} (sampled every {SAMPLE_SECONDS * 1000:.0f} ms)\n"
    )
    print("| peak | allysite (MB) | Hugo (MB) | ratio |")
    print("|---|---:|---:|---:|")
    for key, label in (
        ("tree_pss_mb", "all processes, PSS summed"),
        ("tree_rss_mb", "all processes, RSS summed"),
        ("largest_mb", "the largest process (RSS)"),
    ):
        a, h = median("allysite", key), median("hugo", key)
        print(f"| {label} | {a:.0f} | {h:.0f} | {a / h:.2f} |")
    facts = machine_facts(allysite)
    print("\nMachine: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
