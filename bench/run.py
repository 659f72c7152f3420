#!/usr/bin/env python3
"""Build-time benchmark of allysite on synthetic partner directories.

    python bench/run.py [--partners 100,1000] [--repeat 3] [--allysite PATH] [--json FILE]

For each N it generates (once, cached under bench/work/) a site of N partners in 6 languages
with the shared corpus generator (../shared/bench/gen_corpus.py from the repository root),
then runs `allysite build --site SITE --out OUT` --repeat times, each in its own child
process, and measures per run:

* wall time     time.perf_counter() around the child, from spawn to reaping;
* CPU time      user + sys of the child, from resource.getrusage(RUSAGE_CHILDREN) deltas;
* peak memory   the child's own ru_maxrss (KiB on Linux), from os.wait4() on that pid, so
                one run's peak cannot leak into the next one's figure;
* pages         the number of .html files in the output folder.

Each build writes into an absent output folder inside a fresh temporary directory under
--out-root (removed at the end).  The default is /dev/shm when it exists, so that the figures
measure allysite rather than the disk's write-back and discard work, which on a VM can add
several seconds of kernel time that depends on what was deleted before; pass
--out-root bench/work to measure writing to disk instead.

It prints a Markdown table (medians over the runs, plus the fastest wall time) and the
machine facts.  Standard library only; not a test.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_GENERATOR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "gen_corpus.py"
DEFAULT_WORK = HERE / "work"
SHM = Path("/dev/shm")
LANGS = "es,en,fr,ar,de,ru"
STAMP = ".bench-stamp"


def die(msg: str, code: int = 1) -> None:
    print(f"run.py: {msg}", file=sys.stderr)
    raise SystemExit(code)


def parse_partners(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a comma-separated list of integers: {text!r}"
        ) from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"partner counts must be positive: {text!r}")
    return values


def filesystem_of(path: Path) -> str:
    """The type of the filesystem holding path (from /proc/mounts), or '?'."""
    best, kind = "", "?"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    target = str(path.resolve())
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) > len(best):
            best, kind = point, fields[2]
    return kind


def find_allysite(explicit: str | None) -> Path:
    if explicit:
        path = Path(explicit)
        if not path.exists():
            found = shutil.which(explicit)
            if not found:
                die(f"allysite executable not found: {explicit}")
            path = Path(found)
        return path.resolve()
    candidates = [
        Path(sys.executable).with_name("allysite"),
        REPO / ".venv" / "bin" / "allysite",
    ]
    for cand in candidates:
        if cand.is_file() and os.access(cand, os.X_OK):
            return cand
    found = shutil.which("allysite")
    if found:
        return Path(found)
    die(
        "no allysite executable found (tried next to this Python, .venv/bin and PATH); "
        "pass --allysite PATH"
    )
    raise AssertionError  # unreachable


# ---------------------------------------------------------------- corpus
def generator_fingerprint(generator: Path) -> str:
    """Hash of the generator and its sibling .py files (langdata.py holds the word pools)."""
    h = hashlib.sha256()
    for path in sorted(generator.parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_corpus(generator: Path, work: Path, n: int, fmt: str = "allysite") -> Path:
    """Generate the N-partner corpus in `fmt` (allysite or hugo) unless a matching stamped one
    exists."""
    site = work / f"{fmt}-{n}"
    args = [
        sys.executable,
        str(generator),
        "--partners",
        str(n),
        "--langs",
        LANGS,
        "--format",
        fmt,
    ]
    want = {"args": args[2:], "generator": generator_fingerprint(generator)}
    stamp = site / STAMP
    if stamp.is_file():
        try:
            have = json.loads(stamp.read_text(encoding="utf-8"))
        except ValueError:
            have = None
        if have == want:
            print(f"corpus {n}: cached in {site}", file=sys.stderr)
            return site
        print(f"corpus {n}: stale stamp, regenerating", file=sys.stderr)
    tmp = work / f"{fmt}-{n}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.run([*args, "--out", str(tmp)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        die(f"corpus generator failed for N={n} (exit {proc.returncode})")
    (tmp / STAMP).write_text(json.dumps(want, indent=1) + "\n", encoding="utf-8")
    shutil.rmtree(site, ignore_errors=True)
    tmp.rename(site)
    print(
        f"corpus {n}: generated in {time.perf_counter() - t0:.1f} s: {proc.stdout.strip()}",
        file=sys.stderr,
    )
    return site


# ---------------------------------------------------------------- one build
def timed_build(allysite: Path, site: Path, out: Path, logs: Path) -> dict:
    """Run one build in a child process; return its wall, CPU and peak-RSS figures."""
    shutil.rmtree(out, ignore_errors=True)  # every run starts from an absent output folder
    # ...and without the build cache, the spare or the lock kept beside it: these are cold
    # builds (a spare left by the run before would be deleted in the background meanwhile)
    for kept in out.parent.glob(f".{out.name}.allysite-*"):
        if kept.is_dir():
            shutil.rmtree(kept, ignore_errors=True)
        else:
            kept.unlink()
    cmd = [str(allysite), "build", "--site", str(site), "--out", str(out)]
    with open(logs / "stdout.txt", "wb") as so, open(logs / "stderr.txt", "wb") as se:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=so, stderr=se)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4: tell Popen so it never waits on the pid again
    if code != 0:
        sys.stderr.write((logs / "stderr.txt").read_text(encoding="utf-8", errors="replace"))
        die(f"allysite build failed (exit {code}): {' '.join(cmd)}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    html = 0
    files = 0
    size = 0
    for path in out.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
            html += path.suffix == ".html"
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "cpu_user_s": after.ru_utime - before.ru_utime,
        "cpu_sys_s": after.ru_stime - before.ru_stime,
        "cpu_wait4_s": usage.ru_utime + usage.ru_stime,  # cross-check of cpu_s
        "maxrss_kib": usage.ru_maxrss,  # Linux: KiB
        "pages": html,
        "files": files,
        "bytes": size,
        "stdout": (logs / "stdout.txt").read_text(encoding="utf-8", errors="replace").strip(),
    }


def bench_one(allysite: Path, site: Path, out: Path, logs: Path, n: int, repeat: int) -> dict:
    runs = []
    for i in range(1, repeat + 1):
        run = timed_build(allysite, site, out, logs)
        runs.append(run)
        print(
            f"N={n} run {i}/{repeat}: {run['wall_s']:.2f} s wall, "
            f"{run['cpu_s']:.2f} s CPU (user {run['cpu_user_s']:.2f}, "
            f"sys {run['cpu_sys_s']:.2f}), {run['maxrss_kib'] / 1024:.0f} MB, "
            f"{run['pages']} pages",
            file=sys.stderr,
        )
    shutil.rmtree(out, ignore_errors=True)
    return summarise(n, runs)


# ---------------------------------------------------------------- machine
def command_output(cmd: list[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    return (proc.stdout or proc.stderr).strip()


def allysite_python(allysite: Path) -> str | None:
    """The interpreter the allysite script runs on, from its shebang, if it is one."""
    try:
        with open(allysite, "rb") as fh:
            first = fh.readline(512).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return None


def ensure_bytecode(allysite: Path) -> None:
    """Compile allysite's modules before timing it, as installing a package does: an editable
    install leaves none, and with PYTHONDONTWRITEBYTECODE set every timed build (and every
    process it forks) would compile them from source again. Only stale files are compiled."""
    python = allysite_python(allysite)
    if python is None:
        return
    where = subprocess.run(
        [python, "-c", "import allysite, os; print(os.path.dirname(allysite.__file__))"],
        capture_output=True,
        text=True,
    )
    if where.returncode == 0 and where.stdout.strip():
        subprocess.run([python, "-m", "compileall", "-q", where.stdout.strip()], check=False)


def machine_facts(allysite: Path) -> dict:
    cpu_model = platform.processor() or "unknown"
    mem = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    interp = allysite_python(allysite)
    py = platform.python_version()
    if interp:
        py = command_output([interp, "-c", "import platform; print(platform.python_version())"])
    return {
        "nproc": nproc,
        "cpu": cpu_model,
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": py,
        # `allysite --version` prints "allysite, version 0.1.0": the number
        "allysite_version": command_output([str(allysite), "--version"]).rpartition(" ")[2],
        "allysite": str(allysite),
    }


# ---------------------------------------------------------------- report
def summarise(n: int, runs: list[dict]) -> dict:
    walls = [r["wall_s"] for r in runs]
    pages = {r["pages"] for r in runs}
    if len(pages) != 1:
        die(f"N={n}: the page count changed between runs: {sorted(pages)}")
    wall_median = statistics.median(walls)
    return {
        "partners": n,
        "pages": runs[0]["pages"],
        "files": runs[0]["files"],
        "output_bytes": runs[0]["bytes"],
        "wall_median_s": wall_median,
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "cpu_median_s": statistics.median(r["cpu_s"] for r in runs),
        "pages_per_s": runs[0]["pages"] / wall_median if wall_median else float("nan"),
        "peak_rss_mb": max(r["maxrss_kib"] for r in runs) / 1024,
        "runs": runs,
    }


def markdown(rows: list[dict], facts: dict, repeat: int) -> str:
    head = ["N", "pages", "wall median (s)", "wall min (s)", "CPU (s)", "pages/s", "peak RSS (MB)"]
    lines = [
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---:" for _ in head) + "|",
    ]
    for r in rows:
        cells = [
            f"{r['partners']:,}",
            f"{r['pages']:,}",
            f"{r['wall_median_s']:.2f}",
            f"{r['wall_min_s']:.2f}",
            f"{r['cpu_median_s']:.2f}",
            f"{r['pages_per_s']:,.0f}",
            f"{r['peak_rss_mb']:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"{repeat} run(s) per N; CPU = median user+sys of the build process; "
        "peak RSS = highest ru_maxrss over the runs.",
        f"Machine: nproc {facts['nproc']}, {facts['cpu']}, {facts['memory']} RAM, "
        f"{facts['os']}; Python {facts['python']}; allysite {facts['allysite_version']}; "
        f"output on {facts['output_fs']}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--partners",
        type=parse_partners,
        default=[100, 1000],
        help="comma-separated partner counts (default: 100,1000)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="builds per N (default: 3)")
    ap.add_argument(
        "--allysite",
        help="the allysite executable (default: next to this "
        "Python, then .venv/bin/allysite, then PATH)",
    )
    ap.add_argument(
        "--corpus-generator",
        type=Path,
        default=DEFAULT_GENERATOR,
        help=f"gen_corpus.py (default: {DEFAULT_GENERATOR})",
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=DEFAULT_WORK,
        help=f"cache for the corpora and the build logs (default: {DEFAULT_WORK})",
    )
    ap.add_argument(
        "--out-root",
        type=Path,
        default=SHM if SHM.is_dir() and os.access(SHM, os.W_OK) else DEFAULT_WORK,
        help="where the build outputs go, in a temporary folder removed at the end "
        "(default: /dev/shm if it exists, else the --work folder)",
    )
    ap.add_argument("--json", type=Path, help="also write the raw figures to this file")
    a = ap.parse_args(argv)
    if a.repeat < 1:
        ap.error("--repeat must be at least 1")
    if not a.corpus_generator.is_file():
        die(f"corpus generator not found: {a.corpus_generator}")

    allysite = find_allysite(a.allysite)
    ensure_bytecode(allysite)
    facts = machine_facts(allysite)
    work = a.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)

    sites = {n: ensure_corpus(a.corpus_generator.resolve(), work, n) for n in a.partners}
    a.out_root.mkdir(parents=True, exist_ok=True)
    facts["output_fs"] = f"{filesystem_of(a.out_root)} ({a.out_root.resolve()})"
    out_tmp = Path(tempfile.mkdtemp(prefix="allysite-bench-", dir=a.out_root))
    rows = []
    try:
        for n in a.partners:
            rows.append(bench_one(allysite, sites[n], out_tmp / f"out-{n}", logs, n, a.repeat))
    finally:
        shutil.rmtree(out_tmp, ignore_errors=True)

    print(markdown(rows, facts, a.repeat))
    if a.json:
        data = {
            "date": datetime.date.today().isoformat(),
            "command": [Path(sys.argv[0]).name, *(sys.argv[1:] if argv is None else argv)],
            "repeat": a.repeat,
            "langs": LANGS.split(","),
            "machine": facts,
            "results": rows,
        }
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"raw figures written to {a.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
