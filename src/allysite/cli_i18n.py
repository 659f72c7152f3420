"""`allysite i18n`: the gettext cycle, stamps and the translation status, for translators."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from allysite.terminal import (
    color,
    echo_diagnostics,
    fail,
    site_config,
    site_content,
    site_option,
)

if TYPE_CHECKING:
    from allysite.catalogs import CatalogFigures
    from allysite.errors import Diagnostic


@click.group()
def i18n() -> None:
    """Translators' tools: gettext catalogs, stamps and the translation status."""


@i18n.command()
@site_option
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
        config = site_config(site)
        catalog, problems = site_template(config, THEME, include_theme)
        target, shown = config.root / TEMPLATE_FILE, TEMPLATE_FILE
    if problems:
        fail(problems, "Nothing was written.")
    count = sum(1 for message in catalog if message.id)
    changed = write_template(catalog, target)
    state = "Wrote" if changed else "Unchanged:"
    click.echo(f"{state} {shown}: {count} message(s).")


@i18n.command()
@site_option
@click.argument("lang")
def init(site: Path, lang: str) -> None:
    """Start the catalog of language LANG from locales/messages.pot."""
    from allysite.catalog_checks import cldr_plural_forms
    from allysite.catalogs import init_catalog, site_language
    from allysite.scaffold import parse_language

    config = site_config(site)
    problems = parse_language(lang, config.language_codes, site_language_ok=True)
    if problems:  # as `allysite new language` refuses it: else a catalog the build never reads
        fail(problems, "Nothing was written.")
    language = site_language(config, lang)
    if language is None:
        raise click.BadParameter(
            f"'{lang}' is not a language code known to CLDR", param_hint="LANG"
        )
    path, problems = init_catalog(config, language)
    if path is None:
        fail(problems, "Nothing was written.")
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
            f"{item.missing} missing{_themed(item.themed)}, {item.obsolete} obsolete ({state})"
        )


def _themed(count: int) -> str:
    """Empty entries the theme translates: the pages show its text, so they are not missing
    (as `i18n status` counts them)."""
    return f" ({count} more left empty: the theme translates them)" if count else ""


def _fail_or_warn(problems: list[Diagnostic], what: str) -> None:
    """Errors stop the command; warnings (a catalog's header) are shown, and it goes on."""
    from allysite.errors import has_errors, sorted_diagnostics

    if has_errors(problems):
        fail(problems, what)
    echo_diagnostics(sorted_diagnostics(problems))


@i18n.command()
@site_option
def update(site: Path) -> None:
    """Merge locales/messages.pot into the catalog of every site language.

    New strings come in empty; changed ones keep their old translation, marked fuzzy; removed
    ones are kept as obsolete (#~) for the day they come back.
    """
    from allysite.build import THEME
    from allysite.catalogs import update_catalogs

    config = site_config(site)
    figures, problems = update_catalogs(config, THEME)
    _fail_or_warn(problems, "Some catalogs were not updated.")
    if not figures:
        click.echo("No catalog yet: start one with 'allysite i18n init LANG'.")
    _echo_figures(figures, "updated")


@i18n.command(name="compile")
@site_option
def compile_(site: Path) -> None:
    """Write .mo files beside the catalogs (optional: the build compiles by itself)."""
    from allysite.build import THEME
    from allysite.catalogs import compile_catalogs

    config = site_config(site)
    figures, problems = compile_catalogs(config, THEME)
    _fail_or_warn(problems, "Some catalogs were not compiled.")
    if not figures:
        click.echo("No catalog to compile.")
    _echo_figures(figures, "written; fuzzy and broken entries left out")


@i18n.command()
@site_option
@click.argument("target", required=False)
@click.argument("lang", required=False)
@click.option("--all", "all_", is_flag=True, help="Every translation that is not stale.")
def stamp(site: Path, target: str | None, lang: str | None, all_: bool) -> None:
    """Record that a translation matches its original as it is now.

    Run it when a translation is finished: 'allysite i18n stamp unaoc fr'. TARGET is a
    partner's or page's folder name (or partners/<slug>, pages/<slug>). With --all, every
    translation without a known change of its original is stamped (stale ones are listed).
    """
    from allysite.stale import check_translations, find_item, stamp_all, stamp_translation

    # --all with a TARGET too is refused: run, it would stamp every translation of the site.
    if (all_ and (target is not None or lang is not None)) or (
        not all_ and (target is None or lang is None)
    ):
        raise click.UsageError("give TARGET and LANG, or --all alone")
    config = site_config(site)
    content = site_content(config)
    if all_:
        staleness, unchecked, warnings = check_translations(config, content)
        refused = [p for p in warnings if p.code == "git-refused"]
        echo_diagnostics(tuple(refused))
        results, problems = stamp_all(config, content, staleness, unchecked, bool(refused))
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
        fail(problems, "Some translations were not stamped.")


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
@site_option
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
    from allysite.errors import has_errors, sorted_diagnostics
    from allysite.stale import find_stale
    from allysite.status import catalog_problems, translation_status
    from allysite.status_report import as_json, as_table

    limits = [_threshold(value) for value in thresholds]
    config = site_config(site)
    for lang, _percent in limits:
        if lang != "*" and lang not in config.language_codes:
            raise click.BadParameter(
                f"'{lang}' is not one of the site's languages ({', '.join(config.language_codes)})",
                param_hint="--fail-under",
            )
    content = site_content(config)
    staleness, found = find_stale(config, content, verify_stamps=True)
    report, problems = translation_status(config, content, THEME, staleness)
    problems += [  # (the table has the rest)
        p for p in found if p.code in ("shallow-history", "git-refused", "unknown-stamp")
    ]
    problems += catalog_problems(config)
    click.echo(as_json(report) if format_ == "json" else as_table(report), nl=False)
    echo_diagnostics(sorted_diagnostics(problems))
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
            color=color(),
        )
    if has_errors(problems):
        click.secho(
            "The status is incomplete: some files cannot be read, and the build fails until "
            "they are fixed.",
            err=True,
            fg="red",
            bold=True,
            color=color(),
        )
    if failed or has_errors(problems):
        sys.exit(1)
