"""The command line: the only module that prints."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from allysite import __version__
from allysite.errors import Diagnostic, Level

if TYPE_CHECKING:  # loaded lazily below, so that 'allysite --help' starts fast
    from allysite.catalogs import CatalogFigures
    from allysite.config import SiteConfig
    from allysite.model import Content


def _color() -> bool | None:
    """Colour only on a terminal (click's default), and never with NO_COLOR set."""
    return False if os.environ.get("NO_COLOR") else None


def _echo_diagnostics(diagnostics: tuple[Diagnostic, ...]) -> None:
    for diagnostic in diagnostics:
        style = "red" if diagnostic.level is Level.ERROR else "yellow"
        click.secho(diagnostic.format(), err=True, fg=style, color=_color())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="allysite")
def cli() -> None:
    """allysite: build a static multilingual partner directory from YAML and Markdown."""


@cli.command()
@click.option(
    "--site",
    "site",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default="the current folder",
    help="The site folder (with site.yaml).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    show_default="build/ inside the site folder",
    help="The output folder.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def build(site: Path, out: Path | None, strict: bool) -> None:
    """Build the site into the output folder (replaced whole, only when the build succeeds)."""
    from allysite.build import build_site

    started = time.perf_counter()
    with _Progress() as progress:
        result = build_site(
            site, out if out is not None else site / "build", strict=strict, progress=progress
        )
    _echo_diagnostics(result.diagnostics)
    errors = sum(d.level is Level.ERROR for d in result.diagnostics)
    warnings = len(result.diagnostics) - errors
    if not result.ok:
        click.secho(
            f"Build failed: {errors} error(s), {warnings} warning(s). "
            "Nothing was written; the previous output is unchanged.",
            err=True,
            fg="red",
            bold=True,
            color=_color(),
        )
        sys.exit(1)
    elapsed = time.perf_counter() - started
    target = out if out is not None else site / "build"
    click.echo(
        f"Built {result.pages} pages ({result.files} files) into {target} "
        f"in {elapsed:.2f} s" + (f", {warnings} warning(s)" if warnings else "") + "."
    )


# --- allysite i18n: the gettext cycle, stamps and the translation status ------------------------


def _site_option(function: Callable[..., None]) -> Callable[..., None]:
    return click.option(
        "--site",
        "site",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default="the current folder",
        help="The site folder (with site.yaml).",
    )(function)


@cli.group()
def i18n() -> None:
    """Translators' tools: gettext catalogs, stamps and the translation status."""


def _fail(diagnostics: list[Diagnostic], what: str) -> NoReturn:
    from allysite.errors import sorted_diagnostics

    _echo_diagnostics(sorted_diagnostics(diagnostics))
    click.secho(what, err=True, fg="red", bold=True, color=_color())
    sys.exit(1)


def _config(site: Path) -> SiteConfig:
    from allysite.config import load_config

    config, problems = load_config(site.resolve())
    if config is None:
        _fail(problems, "Cannot read the site's settings.")
    return config


def _content(config: SiteConfig) -> Content:
    from allysite.errors import has_errors
    from allysite.loader import load_content

    content, problems = load_content(config)
    if has_errors(problems):
        _fail(problems, "Fix the content first: the build reports the same problems.")
    return content


@i18n.command()
@_site_option
@click.option(
    "--include-theme",
    is_flag=True,
    help="Also the theme's strings that its own catalogs translate already.",
)
@click.option("--theme", "theme_only", is_flag=True, hidden=True, help="The theme's own POT.")
def extract(site: Path, include_theme: bool, theme_only: bool) -> None:
    """Write locales/messages.pot from the templates the site uses.

    It holds the site's own template strings, and the theme's strings that the theme does not
    translate into one of the site's languages. Taxonomy labels and the title are translated in
    taxonomies.yaml and site.yaml; 'allysite i18n status' lists the missing ones.
    """
    from allysite.build import THEME
    from allysite.catalogs import (
        TEMPLATE_FILE,
        TemplateFile,
        extract_messages,
        site_template,
        write_template,
    )

    if theme_only:
        files = [
            TemplateFile(path, f"src/allysite/theme/{path.relative_to(THEME).as_posix()}")
            for path in sorted((THEME / "templates").rglob("*.html"))
        ]
        catalog, problems = extract_messages(files, "allysite theme")
        target, shown = THEME / "locales" / "messages.pot", "<theme>/locales/messages.pot"
    else:
        config = _config(site)
        catalog, problems = site_template(config, THEME, include_theme)
        target, shown = config.root / TEMPLATE_FILE, TEMPLATE_FILE
    if problems:
        _fail(problems, "Nothing was written.")
    count = sum(1 for message in catalog if message.id)
    changed = write_template(catalog, target)
    state = "Wrote" if changed else "Unchanged:"
    click.echo(f"{state} {shown}: {count} message(s).")


@i18n.command()
@_site_option
@click.argument("lang")
def init(site: Path, lang: str) -> None:
    """Start the catalog of language LANG from locales/messages.pot."""
    from allysite.catalog_checks import cldr_plural_forms
    from allysite.catalogs import init_catalog, site_language

    config = _config(site)
    language = site_language(config, lang)
    if language is None:
        raise click.BadParameter(
            f"'{lang}' is not a language code known to CLDR", param_hint="LANG"
        )
    path, problems = init_catalog(config, language)
    if path is None:
        _fail(problems, "Nothing was written.")
    rel = path.relative_to(config.root).as_posix()
    click.echo(
        f"Created {rel} ({language.locale.english_name}, "
        f"{cldr_plural_forms(language)} plural form(s) from CLDR)."
    )
    if lang not in config.language_codes:
        click.echo(f"Note: add '{lang}' to languages in site.yaml to build it.")


def _echo_figures(figures: list[CatalogFigures], verb: str) -> None:
    for item in figures:
        state = verb if item.changed else "unchanged"
        click.echo(
            f"{item.path}: {item.translated} translated, {item.fuzzy} fuzzy, "
            f"{item.missing} missing, {item.obsolete} obsolete ({state})"
        )


@i18n.command()
@_site_option
def update(site: Path) -> None:
    """Merge locales/messages.pot into the catalog of every site language.

    New strings come in empty; changed ones keep their old translation, marked fuzzy; removed
    ones are kept as obsolete (#~) for the day they come back.
    """
    from allysite.catalogs import update_catalogs

    config = _config(site)
    figures, problems = update_catalogs(config)
    if problems:
        _fail(problems, "Some catalogs were not updated.")
    if not figures:
        click.echo("No catalog yet: start one with 'allysite i18n init LANG'.")
    _echo_figures(figures, "updated")


@i18n.command(name="compile")
@_site_option
def compile_(site: Path) -> None:
    """Write .mo files beside the catalogs (optional: the build compiles by itself)."""
    from allysite.catalogs import compile_catalogs

    config = _config(site)
    figures, problems = compile_catalogs(config)
    if problems:
        _fail(problems, "Some catalogs were not compiled.")
    if not figures:
        click.echo("No catalog to compile.")
    _echo_figures(figures, "written; fuzzy and broken entries left out")


@i18n.command()
@_site_option
@click.argument("target", required=False)
@click.argument("lang", required=False)
@click.option("--all", "all_", is_flag=True, help="Every translation that is not stale.")
def stamp(site: Path, target: str | None, lang: str | None, all_: bool) -> None:
    """Record that a translation matches its original as it is now.

    Run it when a translation is finished: 'allysite i18n stamp unaoc fr'. TARGET is a
    partner's or page's folder name (or partners/<slug>, pages/<slug>). With --all, every
    translation without a known change of its original is stamped (stale ones are listed).
    """
    from allysite.stale import find_item, find_stale, stamp_all, stamp_translation

    if all_ == bool(target and lang) or (not all_ and (target is None or lang is None)):
        raise click.UsageError("give TARGET and LANG, or --all alone")
    config = _config(site)
    content = _content(config)
    if all_:
        staleness, _warnings = find_stale(config, content)
        results, problems = stamp_all(config, content, staleness)
    else:
        assert target is not None and lang is not None
        item, problems = find_item(content, target)
        result = None
        if item is not None:
            result, problems = stamp_translation(config, item, lang)
        results = [result] if result else []
    for result in results:
        if result.skipped:
            click.echo(f"Skipped {result.source}: {result.skipped}")
        elif result.changed:
            click.echo(f"Stamped {result.source} ({', '.join(result.stamps)})")
        else:
            click.echo(f"Up to date: {result.source}")
    if problems:
        _fail(problems, "Some translations were not stamped.")


def _threshold(value: str) -> tuple[str, float]:
    lang, sep, percent = value.partition("=")
    try:
        number = float(percent.rstrip("%"))
    except ValueError:
        number = -1.0
    if not sep or not lang or not 0 <= number <= 100:
        raise click.BadParameter(f"'{value}': write LANG=PERCENT, e.g. fr=90 (or '*=80')")
    return lang, number


@i18n.command()
@_site_option
@click.option(
    "--format",
    "format_",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, or JSON for scripts.",
)
@click.option(
    "--fail-under",
    "thresholds",
    multiple=True,
    metavar="LANG=PERCENT",
    help="Exit 1 when a language's coverage is below PERCENT ('*' for every language).",
)
def status(site: Path, format_: str, thresholds: tuple[str, ...]) -> None:
    """What is translated in each language, and which files to open for the rest."""
    from allysite.build import THEME
    from allysite.stale import find_stale
    from allysite.status import translation_status
    from allysite.status_report import as_json, as_table

    limits = [_threshold(value) for value in thresholds]
    config = _config(site)
    for lang, _percent in limits:
        if lang != "*" and lang not in config.language_codes:
            raise click.BadParameter(
                f"'{lang}' is not one of the site's languages ({', '.join(config.language_codes)})",
                param_hint="--fail-under",
            )
    content = _content(config)
    staleness, _warnings = find_stale(config, content)
    report, _problems = translation_status(config, content, THEME, staleness)
    click.echo(as_json(report) if format_ == "json" else as_table(report), nl=False)
    failed = []
    for lang, percent in limits:
        for entry in report.languages:
            if lang in ("*", entry.code) and entry.coverage < percent:
                failed.append(f"{entry.code}: {entry.coverage:.1f}% is under {percent:g}%")
    if failed:
        click.secho(
            "Translation coverage too low: " + "; ".join(failed),
            err=True,
            fg="red",
            color=_color(),
        )
        sys.exit(1)


# --- progress: a bar on a terminal, plain lines in CI and pipes ---------------------------------


class _Progress:
    """Told (stage, done, total) by long work. On a terminal it draws a rich progress bar on
    stderr (colour only there, never with NO_COLOR); elsewhere (CI, a pipe) it writes a plain
    line when a stage starts and at every tenth of it. Work done within two seconds shows
    nothing: only long work needs telling about."""

    QUIET_SECONDS = 2.0

    LABELS = {  # noqa: RUF012 - read-only, inside the only printing module
        "load": "Reading the site",
        "render": "Rendering pages",
        "search": "Indexing for search",
        "write": "Writing the output",
        "compare": "Comparing with the bucket",
        "upload": "Uploading",
    }

    def __init__(self) -> None:
        self.live = sys.stderr.isatty() and not os.environ.get("CI")
        self.stage = ""
        self.shown = -1
        self.bar: object | None = None
        self.task: object | None = None
        self.started = time.monotonic()

    def __enter__(self) -> _Progress:
        self.started = time.monotonic()
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            console = Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")))
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            self.bar.start()  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()  # type: ignore[attr-defined]
            self.bar = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        label = self.LABELS.get(stage, stage)
        if self.bar is not None:
            bar = self.bar
            if stage != self.stage:
                self.task = bar.add_task(label, total=total or None)  # type: ignore[attr-defined]
            bar.update(self.task, completed=done, total=total or None)  # type: ignore[attr-defined]
        elif time.monotonic() - self.started >= self.QUIET_SECONDS:
            tenth = done * 10 // total if total else 0
            if stage != self.stage or tenth > self.shown:
                count = f": {done}/{total}" if total else "..."
                click.echo(f"{label}{count}", err=True)
                self.shown = tenth
        self.stage = stage


# --- allysite serve ------------------------------------------------------------------------------


@cli.command()
@_site_option
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    show_default="build/ inside the site folder",
    help="The output folder, kept up to date as you edit.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="The address to listen on; only this machine can connect unless you change it.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in your browser.")
def serve(site: Path, out: Path | None, port: int, host: str, open_browser: bool) -> None:
    """Preview the site: build it, serve it, rebuild what you edit and reload the browser."""
    from allysite.server import PreviewServer, ServeEvent, is_loopback

    if not is_loopback(host):
        click.secho(
            f"Warning: listening on {host}: other machines can reach this preview server. "
            "It is for previewing only; publish with 'allysite build' or 'allysite deploy'.",
            err=True,
            fg="yellow",
            color=_color(),
        )
    shown: list[tuple[Diagnostic, ...]] = [()]

    progress = _Progress().__enter__()

    def report(event: ServeEvent) -> None:
        progress.__exit__()  # the first build is done
        update = event.update
        if event.kind == "rendered":
            click.echo(f"  rendered {event.count} page(s) in {event.seconds:.2f} s")
            return
        if event.kind == "extras":
            if event.count:
                click.echo(f"  updated {event.count} other file(s) (sitemap, feeds, search)")
            return
        assert update is not None
        stamp = time.strftime("%H:%M:%S")
        if update.changed:
            names = ", ".join(update.changed[:3]) + (" ..." if len(update.changed) > 3 else "")
            click.echo(f"{stamp} changed: {names}")
        if not update.ok:
            _echo_diagnostics(update.diagnostics)
            click.secho(
                "The site has errors; the browser shows them too. Fix the file and save: "
                "the last good site stays served until then.",
                err=True,
                fg="red",
                bold=True,
                color=_color(),
            )
            shown[0] = update.diagnostics
            return
        if update.diagnostics != shown[0]:
            _echo_diagnostics(update.diagnostics)
            shown[0] = update.diagnostics
        if update.full:
            click.echo(f"{stamp} built {update.pages} pages in {update.seconds:.2f} s")
        else:
            click.echo(
                f"{stamp} updated in {update.seconds * 1000:.0f} ms: {update.stale} page(s) "
                f"to render" + (f", {update.removed} removed" if update.removed else "")
            )

    def ready(server: PreviewServer) -> None:
        click.secho(f"Serving {server.url}  (Ctrl-C to stop)", bold=True, color=_color())
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)

    server = PreviewServer(
        site,
        out if out is not None else site / "build",
        host=host,
        port=port,
        report=report,
        progress=progress,
    )
    try:
        server.run(ready)
    except OSError as exc:
        progress.__exit__()
        _fail([], f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Try another --port.")
    except KeyboardInterrupt:
        click.echo("Stopped the preview server.", err=True)


# --- allysite check ------------------------------------------------------------------------------


@cli.command()
@_site_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Lines for people, or JSON (path, line, column, level, code, message) for tools.",
)
@click.option(
    "--image-budget",
    default=300,
    show_default=True,
    type=click.IntRange(1),
    metavar="KB",
    help="Warn about images larger than this.",
)
def check(site: Path, strict: bool, format_: str, image_budget: int) -> None:
    """Check the site without writing anything: everything the build validates, plus links,
    anchors, logos, alternative text, image sizes, translations, placeholders, unused files."""
    from allysite.check import check_site

    result = check_site(site, strict=strict, image_budget_kb=image_budget)
    if format_ == "json":
        click.echo(result.as_json())
    else:
        styles = {"error": "red", "warning": "yellow"}
        for finding in result.findings:
            click.secho(finding.format(), fg=styles.get(finding.level), color=_color())
        counts = (
            f"{result.count('error')} error(s), {result.count('warning')} warning(s), "
            f"{result.count('notice')} notice(s) in {result.pages} pages"
        )
        if result.ok:
            click.secho(f"Check passed: {counts}.", fg="green", color=_color())
        else:
            click.secho(
                f"Check failed: {counts}. Fix the errors above, then run 'allysite check' again.",
                err=True,
                fg="red",
                bold=True,
                color=_color(),
            )
    sys.exit(0 if result.ok else 1)


# --- allysite new --------------------------------------------------------------------------------


@cli.group()
def new() -> None:
    """Start a site, a partner or a language from ready-made files."""


def _languages_option(value: str | None) -> list[str] | None:
    from allysite.scaffold import parse_languages

    if value is None:
        return None
    codes, problems = parse_languages(value)
    if problems:
        raise click.BadParameter(problems[0].message + f" ({problems[0].hint})")
    return codes


def _created(created: object, problems: list[Diagnostic], next_step: str) -> None:
    from allysite.errors import has_errors

    if created is None or has_errors(problems):
        _fail(problems, "Nothing was created." if created is None else "Not finished.")
    for name in created.files:  # type: ignore[attr-defined]
        click.echo(f"  created {name}")
    _echo_diagnostics(tuple(problems))
    click.echo(next_step)


@new.command(name="site")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--langs",
    default="en,es",
    show_default=True,
    help="The site's languages, the default first.",
)
def new_site_command(folder: Path, langs: str) -> None:
    """A starter site in FOLDER: the languages, one partner, an about page."""
    from allysite.scaffold import new_site

    created, problems = new_site(folder, _languages_option(langs) or [])
    _created(
        created,
        problems,
        f"Next: cd {folder} && allysite serve — then replace every TODO "
        "('allysite check' lists them).",
    )


@new.command(name="partner")
@_site_option
@click.argument("slug")
@click.option(
    "--langs", default=None, help="Languages to start, e.g. es,en (default: the default)."
)
def new_partner_command(site: Path, slug: str, langs: str | None) -> None:
    """A partner's folder content/partners/SLUG/ with placeholders to fill in."""
    from allysite.scaffold import new_partner

    created, problems = new_partner(site.resolve(), slug, _languages_option(langs))
    _created(
        created,
        problems,
        f"Next: fill in content/partners/{slug}/ and add its logo; 'allysite check' lists "
        "what is left.",
    )


@new.command(name="language")
@_site_option
@click.argument("code")
def new_language_command(site: Path, code: str) -> None:
    """Add language CODE to site.yaml and start its interface catalog."""
    from allysite.scaffold import new_language

    created, problems = new_language(site.resolve(), code)
    _created(
        created,
        problems,
        f"Next: translate locales/{code}/LC_MESSAGES/messages.po (Poedit, Weblate) and add "
        f"{code}.md files to partners; until then pages show the default language's text.",
    )


# --- allysite deploy -----------------------------------------------------------------------------


@cli.command()
@_site_option
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    show_default="build/ inside the site folder",
    help="The built site to upload.",
)
@click.option("--bucket", required=True, envvar="ALLYSITE_BUCKET", help="The bucket's name.")
@click.option("--prefix", default="", envvar="ALLYSITE_PREFIX", help="A folder in the bucket.")
@click.option(
    "--endpoint-url",
    default=None,
    envvar="AWS_ENDPOINT_URL",
    help="For storage other than AWS S3 (Cloudflare R2, MinIO...).",
)
@click.option("--region", default=None, help="The bucket's region (else AWS's usual sources).")
@click.option("--profile", default=None, help="A profile of ~/.aws/credentials.")
@click.option("--delete", is_flag=True, help="Delete objects that are no longer in the build.")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
def deploy(
    site: Path,
    out: Path | None,
    bucket: str,
    prefix: str,
    endpoint_url: str | None,
    region: str | None,
    profile: str | None,
    delete: bool,
    dry_run: bool,
) -> None:
    """Upload the built site to S3-compatible storage: only files whose content changed."""
    from allysite.deploy import deploy_site

    started = time.perf_counter()
    with _Progress() as progress:
        result = deploy_site(
            (out if out is not None else site / "build").resolve(),
            bucket,
            prefix=prefix,
            delete=delete,
            dry_run=dry_run,
            endpoint_url=endpoint_url,
            region=region,
            profile=profile,
            progress=progress,
        )
    if not result.ok:
        _fail(list(result.diagnostics), "Nothing more was uploaded.")
    plan = result.plan
    stale = len(plan.stale)
    if dry_run:
        click.echo(
            f"Dry run: would upload {len(plan.uploads)} file(s) ({plan.unchanged} unchanged)"
            + (f" and delete {stale} object(s)" if delete and stale else "")
            + "."
        )
        for file in plan.uploads:
            click.echo(f"  upload {file.key}")
        for key in plan.stale if delete else ():
            click.echo(f"  delete {key}")
        return
    click.echo(
        f"Uploaded {result.uploaded} file(s), {plan.unchanged} unchanged"
        + (f", deleted {result.deleted}" if result.deleted else "")
        + f" ({time.perf_counter() - started:.1f} s)."
    )
    if stale and not delete:
        click.echo(
            f"{stale} object(s) in the bucket are no longer in the build; "
            "run again with --delete to remove them."
        )


def main() -> None:
    try:
        code = cli.main(prog_name="allysite", standalone_mode=False)
    except click.exceptions.Abort:  # click's form of Ctrl-C
        click.echo("Interrupted; the previous output is unchanged.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:  # never show a traceback to an editor
        if os.environ.get("ALLYSITE_DEBUG"):
            raise
        click.echo(
            f"allysite: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in allysite; set ALLYSITE_DEBUG=1 to see the traceback "
            "and report it.",
            err=True,
        )
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
