#!/usr/bin/env python3
"""Save-to-reload time of `allysite serve` on a generated site.

    python bench/serve_latency.py [--partners 1000] [--repeat 10] [--no-browser]
                                  [--edit body|summary|name|topic|partner]

It copies the cached corpus bench/work/allysite-N (generated with the shared generator when
missing) to a temporary folder, starts `allysite serve --port 0` on it as a child process,
and waits for the first build. Then, --repeat times, it edits one partner's Spanish profile
(`--edit`: appends a unique line to its body, the default; or adds a unique word to its
summary or its name, in the front matter, which its language's lists show; or, `topic`,
adds a topic to its partner.yaml and takes it away again in turn, which changes the terms'
counts on every page; or, `partner`, adds a new partner, a copy of that one's folder with a
unique word in its Spanish name, moved into content/partners whole, and deletes it again
(`rm -r`) in turn, with the tab on the Spanish page of its first topic: the home page lists
all 1,000 and takes Chromium 0.4-0.6 s to load, whatever serves it) and measures the time
from just before the file is written (or the folder moved) until:

* browser   a headless Chromium (Playwright with Debian's chromium) showing the partner's
            page has reloaded by itself and its DOM holds the new line (or has the topic's
            link or the new partner's card, or has it no more: "domcontentloaded" of the
            navigation that livereload starts);
* polling   a plain HTTP client asking for the page every 2 ms gets the new line (or link).

Each edit waits until the server has settled (its background rendering done) before the
next. It prints the median, the fastest and the slowest of each, and the server's own
report lines. Standard library plus Playwright (for the browser figure); not a test.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from run import ensure_bytecode  # noqa: E402

GENERATOR = REPO.parent / "shared" / "bench" / "gen_corpus.py"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def corpus(partners: int) -> Path:
    site = HERE / "work" / f"allysite-{partners}"
    if not (site / "site.yaml").is_file():
        print(f"generating {site} ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR),
                "--partners",
                str(partners),
                "--format",
                "allysite",
                "--out",
                str(site),
            ],
            check=True,
        )
    return site


def allysite() -> str:
    local = Path(sys.executable).with_name("allysite")
    if local.exists():
        return str(local)
    return str(REPO / ".venv" / "bin" / "allysite")


class Server:
    """`allysite serve` as a child process; its output lines are collected."""

    def __init__(self, site: Path, out: Path) -> None:
        env = {**os.environ, "NO_COLOR": "1", "CI": "1"}
        self.process = subprocess.Popen(
            [allysite(), "serve", "--site", str(site), "--out", str(out), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self.port = 0
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            match = re.search(r"Serving http://127\.0\.0\.1:(\d+)/", line)
            if match:
                self.port = int(match[1])
                self.ready.set()

    def get(self, path: str) -> bytes:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path)
        body = connection.getresponse().read()
        connection.close()
        return body

    def settled(self, count: int, timeout: float = 60) -> None:
        """Wait until the server reported the background work of `count` updates done."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum("rendered" in line for line in self.lines) >= count:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def summary(name: str, values: list[float]) -> str:
    ms = sorted(value * 1000 for value in values)
    return f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {ms[0]:.0f} | {ms[-1]:.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between edits")
    parser.add_argument(
        "--edit", choices=("body", "summary", "name", "topic", "partner"), default="body"
    )
    args = parser.parse_args()

    ensure_bytecode(Path(allysite()))
    source = corpus(args.partners)
    work = Path(tempfile.mkdtemp(prefix="allysite-serve-bench-", dir="/dev/shm"))
    site, out = work / "site", work / "out"
    shutil.copytree(source, site)
    partners = sorted(p.name for p in (site / "content" / "partners").iterdir())
    slug = partners[len(partners) // 2]
    profile = site / "content" / "partners" / slug / "es.md"
    if args.edit == "topic":
        profile = profile.with_name("partner.yaml")
    original = profile.read_text(encoding="utf-8")
    url = f"/es/partners/{slug}/"
    if args.edit == "partner":  # (a list the new partner is in: its first topic's)
        url = f"/es/topics/{_first_topic(profile.with_name('partner.yaml').read_text())}/"
    topic = _topic_to_add(site, original) if args.edit == "topic" else ""
    added = site / "content" / "partners" / f"{slug}-copy"
    last_name = ""

    started = time.perf_counter()
    server = Server(site, out)
    browser_times: list[float] = []
    poll_times: list[float] = []
    added_times: list[float] = []  # (the browser's, for --edit partner)
    deleted_times: list[float] = []
    try:
        if not server.ready.wait(timeout=600):
            raise SystemExit("the server did not start:\n" + "\n".join(server.lines))
        print(f"first build and start: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        edits = 0

        def edit(marker: str) -> tuple[float, str, bool]:
            """The time just before the file is written, and what the page then shows:
            `marker` (or, for a topic edit, the topic's link), or does not show."""
            nonlocal edits, last_name
            edits += 1
            shows = True
            if args.edit == "partner":
                at, last_name, shows = _added_or_deleted(profile.parent, added, marker, last_name)
                return at, last_name, shows
            if args.edit == "topic":
                shows = edits % 2 == 1  # added, then taken away again
                marker = f'href="/es/topics/{topic}/"'
                line = re.compile(r"^topics: \[(.*)\]$", re.MULTILINE)
                text = line.sub(lambda m: f"topics: [{m[1]}, {topic}]", original, count=1)
                text = text if shows else original
            elif args.edit == "body":
                text = f"{original}\n\n{marker}\n"
            else:  # (the generator writes plain scalars: a word appended stays one)
                field = re.compile(rf"^{args.edit}: (?![\"'|>])(.*)$", re.MULTILINE)
                if not field.search(original):
                    raise SystemExit(f"{profile} has no plain `{args.edit}:` line")
                text = field.sub(lambda m: f"{args.edit}: {m[1]} {marker}", original, count=1)
            at = time.perf_counter()
            profile.write_text(text, encoding="utf-8")
            return at, marker, shows

        if not args.no_browser:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True
                )
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.port}{url}")
                page.wait_for_function("window.LiveReload !== undefined")
                time.sleep(1.0)  # the reload socket's handshake
                for number in range(args.repeat):
                    marker = f"browser-{number}-{time.time_ns()}"
                    with page.expect_navigation(wait_until="domcontentloaded", timeout=30000):
                        at, shown, shows = edit(marker)
                    elapsed = time.perf_counter() - at
                    if (shown in page.content()) != shows:
                        raise SystemExit(f"the reloaded page is not as edited: {shown}")
                    browser_times.append(elapsed)
                    (added_times if shows else deleted_times).append(elapsed)
                    server.settled(edits)
                    time.sleep(args.pause)
                browser.close()
        for number in range(args.repeat):
            at, shown, shows = edit(f"polling-{number}-{time.time_ns()}")
            while (shown.encode() in server.get(url)) != shows:
                time.sleep(0.002)
            poll_times.append(time.perf_counter() - at)
            server.settled(edits)
            time.sleep(args.pause)
    finally:
        profile.write_text(original, encoding="utf-8")
        shutil.rmtree(added, ignore_errors=True)
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    print(f"\nSave-to-reload on {args.partners} partners (ms), page {url}, {args.edit} edits:\n")
    print("| measure | edits | median | fastest | slowest |")
    print("|---|---:|---:|---:|---:|")
    if browser_times:
        print(summary("browser (livereload, DOM ready)", browser_times))
    if args.edit == "partner" and added_times and deleted_times:
        print(summary("browser, a partner added", added_times))
        print(summary("browser, a partner deleted", deleted_times))
    print(summary("HTTP polling every 2 ms", poll_times))
    updates = [line for line in server.lines if "updated in" in line]
    print("\nThe server's own lines (time to bring the site up to date, before rendering):")
    for line in updates[: args.repeat * 2]:
        print("   ", line)


def _added_or_deleted(model: Path, added: Path, marker: str, last: str) -> tuple[float, str, bool]:
    """A copy of the model partner's folder moved into place whole, with `marker` in its
    Spanish name; or, when it is there, deleted in place as `rm -r` does (its card had
    `last`). A folder moved out of the site instead is told by watchdog half a second late:
    it waits that long for a move into the site to pair it with."""
    if added.exists():
        at = time.perf_counter()
        shutil.rmtree(added)
        return at, last, False
    aside = added.parent.parent.parent.parent / added.name
    shutil.copytree(model, aside)
    text = (aside / "es.md").read_text(encoding="utf-8")
    text = re.sub(r"^name: (?![\"'|>])(.*)$", rf"name: \1 {marker}", text, count=1, flags=re.M)
    (aside / "es.md").write_text(text, encoding="utf-8")
    at = time.perf_counter()
    aside.rename(added)
    return at, marker, True


def _first_topic(partner_yaml: str) -> str:
    found = re.search(r"^topics: \[([^,\]]+)", partner_yaml, re.MULTILINE)
    if found is None:
        raise SystemExit("the partner's partner.yaml has no `topics: [...]` line")
    return found[1].strip()


def _topic_to_add(site: Path, partner_yaml: str) -> str:
    """A topic some other partner has and this one has not."""
    found = re.search(r"^topics: \[(.*)\]$", partner_yaml, re.MULTILINE)
    if found is None:
        raise SystemExit("the partner's partner.yaml has no `topics: [...]` line")
    own = {name.strip() for name in found[1].split(",")}
    for other in sorted((site / "content" / "partners").glob("*/partner.yaml")):
        listed = re.search(r"^topics: \[(.*)\]$", other.read_text(encoding="utf-8"), re.M)
        for name in listed[1].split(",") if listed else ():
            if name.strip() and name.strip() not in own:
                return name.strip()
    raise SystemExit("no other topic to add")


if __name__ == "__main__":
    main()
