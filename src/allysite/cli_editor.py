"""`allysite serve`, `check`, `new` and `deploy`: the editors' commands."""

from __future__ import annotations

import errno
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from allysite.errors import Diagnostic, printable
from allysite.terminal import Progress, color, echo_diagnostics, fail, out_option, site_option

if TYPE_CHECKING:
    from allysite.deploy import DeployResult

# --- allysite serve ------------------------------------------------------------------------------


@click.command()
@site_option
@out_option("The output folder, kept up to date as you edit.")
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
    from allysite.output import check_arguments
    from allysite.server import PreviewServer, ServeEvent, is_loopback

    out = out if out is not None else site / "build"
    problems = check_arguments(site.resolve(), out.resolve())
    if problems:  # a bad --site or --out, which no save can fix: as `allysite build` does
        fail(problems, "Nothing is served: fix the --site or --out given.")
    if not is_loopback(host):
        click.secho(
            f"Warning: listening on {host}: other machines can reach this preview server. "
            "It is for previewing only; publish with 'allysite build' or 'allysite deploy'.",
            err=True,
            fg="yellow",
            color=color(),
        )
    shown: list[tuple[Diagnostic, ...]] = [()]
    shown_render: list[tuple[Diagnostic, ...]] = [()]

    progress = Progress().__enter__()

    def rendered(event: ServeEvent) -> None:
        if event.count:
            click.echo(f"  rendered {event.count} page(s) in {event.seconds:.2f} s")
        if event.problems:
            echo_diagnostics(event.problems)
            _site_has_errors()
        elif shown_render[0]:
            stamp = time.strftime("%H:%M:%S")
            click.echo(f"{stamp} fixed: the pages render without template errors")
        shown_render[0] = event.problems

    def report(event: ServeEvent) -> None:
        progress.__exit__()  # the first build is done
        update = event.update
        if event.kind == "rendered":
            rendered(event)
            return
        if event.kind == "extras":
            if event.count:
                click.echo(f"  updated {event.count} other file(s) (sitemap, feeds, search)")
            return
        assert update is not None
        stamp = time.strftime("%H:%M:%S")
        if update.changed:
            names = ", ".join(update.changed[:3]) + (" ..." if len(update.changed) > 3 else "")
            click.echo(f"{stamp} changed: {printable(names)}")
        if not update.ok:
            echo_diagnostics(update.diagnostics)
            _site_has_errors()
            shown[0] = update.diagnostics
            return
        if update.diagnostics != shown[0]:
            echo_diagnostics(update.diagnostics)
            shown[0] = update.diagnostics
        if update.full:
            click.echo(f"{stamp} built {update.pages} pages in {update.seconds:.2f} s")
        else:
            click.echo(
                f"{stamp} updated in {update.seconds * 1000:.0f} ms: {update.stale} page(s) "
                f"to render" + (f", {update.removed} removed" if update.removed else "")
            )

    def ready(server: PreviewServer) -> None:
        click.secho(f"Serving {server.url}  (Ctrl-C to stop)", bold=True, color=color())
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)

    server = PreviewServer(
        site,
        out,
        host=host,
        port=port,
        report=report,
        progress=progress,
    )
    try:
        server.run(ready)
    except OSError as exc:
        progress.__exit__()
        if exc.errno == errno.EADDRINUSE:
            what = (
                "Is another 'allysite serve' using it? Stop that one, or choose another "
                "port with --port."
            )
        else:  # (a --host that names no address of this machine, a port not allowed...)
            what = "Check the --host and --port given."
        fail([], f"Cannot listen on {host} port {port}: {exc.strerror or exc}. {what}")
    except KeyboardInterrupt:
        click.echo("Stopped the preview server.", err=True)


def _site_has_errors() -> None:
    """After the errors of a build, an update or the pages' rendering: what to do."""
    click.secho(
        "The site has errors; the browser shows them too. Fix the file and save: "
        "the last good site stays served until then.",
        err=True,
        fg="red",
        bold=True,
        color=color(),
    )


# --- allysite check ------------------------------------------------------------------------------


@click.command()
@site_option
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
            click.secho(finding.format(), fg=styles.get(finding.level), color=color())
        counts = (
            f"{result.count('error')} error(s), {result.count('warning')} warning(s), "
            f"{result.count('notice')} notice(s) in {result.pages} pages"
        )
        if result.ok:
            click.secho(f"Check passed: {counts}.", fg="green", color=color())
        else:
            click.secho(
                f"Check failed: {counts}. Fix the errors above, then run 'allysite check' again.",
                err=True,
                fg="red",
                bold=True,
                color=color(),
            )
    sys.exit(0 if result.ok else 1)


# --- allysite new --------------------------------------------------------------------------------


@click.group()
def new() -> None:
    """Start a site, a partner or a language from ready-made files."""


def _languages_option(value: str | None) -> list[str] | None:
    from allysite.scaffold import parse_languages

    if value is None:
        return None
    codes, problems = parse_languages(value)
    if problems:
        raise click.BadParameter(
            problems[0].message + f" ({problems[0].hint})", param_hint="'--langs'"
        )
    return codes


def _created(created: object, problems: list[Diagnostic], next_step: str) -> None:
    from allysite.errors import has_errors

    if created is None or has_errors(problems):
        fail(problems, "Nothing was created." if created is None else "Not finished.")
    for name in created.files:  # type: ignore[attr-defined]
        click.echo(f"  created {name}")
    for name in created.updated:  # type: ignore[attr-defined]
        click.echo(f"  updated {name}")
    echo_diagnostics(tuple(problems))
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
        f"Next: cd {_shell_word(folder)} && allysite serve — then replace every TODO "
        "('allysite check' lists them).",
    )


def _shell_word(path: Path) -> str:
    """A path as a shell reads it back when pasted: quoted if it has spaces, not taken for
    an option, and no character a terminal would act on."""
    import shlex

    word = shlex.quote(str(path))
    return printable(f"./{word}" if word.startswith("-") else word)


@new.command(name="partner")
@site_option
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
@site_option
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


@click.command()
@site_option
@out_option("The built site to upload.")
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
    with Progress() as progress:
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
    plan = result.plan
    if not result.ok:
        fail(list(result.diagnostics), _deploy_stopped(result, delete))
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
    else:
        click.echo(
            f"Uploaded {result.uploaded} file(s), {plan.unchanged} unchanged"
            + (f", deleted {result.deleted}" if result.deleted else "")
            + f" ({time.perf_counter() - started:.1f} s)."
        )
    if stale and not delete:  # (a dry run tells it too: it shows what the deploy would say)
        click.echo(
            f"{stale} object(s) in the bucket are no longer in the build; "
            "run again with --delete to remove them."
        )


def _deploy_stopped(result: DeployResult, delete: bool) -> str:
    """What a failed deploy had done: the bucket may hold part of the build."""
    plan = result.plan
    if not result.uploaded and not result.deleted:
        return "Nothing was uploaded or deleted."
    done = []
    if plan.uploads:
        done.append(f"uploaded {result.uploaded} of {len(plan.uploads)} file(s)")
    if result.uploaded < len(plan.uploads):
        pages = sum(file.is_page for file in plan.uploads)
        assets = len(plan.uploads) - pages
        done[-1] += f" ({max(0, result.uploaded - assets)} of {pages} page(s))"
    elif delete:
        done.append(f"deleted {result.deleted} of {len(plan.stale)} object(s)")
    text = " and ".join(done)
    return f"{text[0].upper()}{text[1:]} before the error; deploy again once it is fixed."
