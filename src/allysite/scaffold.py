"""allysite new: a starter site, a partner's folder, a new language, ready to edit.

What an editor must still write is filled with visible placeholders (`TODO`, the slug
`todo`, the address https://todo.invalid/) that build as they are and that `allysite check`
lists until they are replaced (see lints.PLACEHOLDER).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from allysite.catalogs import (
    TEMPLATE_FILE,
    init_catalog,
    own_catalog,
    read_template,
    replace_file,
    site_template,
    write_template,
)
from allysite.config import SITE_FILE, SiteConfig, load_config
from allysite.errors import Diagnostic, SourcePos, error, relative_path, warning
from allysite.languages import BCP47_PATTERN, make_language, parse_locale
from allysite.schema import SLUG_PATTERN

THEME = Path(__file__).parent / "theme"
PLACEHOLDER_URL = "https://todo.invalid/"

SITE_YAML = """\
# The site's settings. See the README of allysite for every key.
title:
{titles}base_url: https://partners.example.org/   # the address where the site will live
default_language: {default}   # content falls back to it
languages: [{languages}]
"""

TAXONOMIES_YAML = """\
# Labels of the kinds, regions and topics that partners use, in each language.
kinds:
  ngo: {{{labels}}}
"""

PARTNER_YAML = """\
# {slug}: the facts shared by every language. `allysite check` lists what is left to do.
website: {url}   # the partner's website (http or https)
# logo: logo.svg   # a file in this folder (SVG, PNG or JPEG)
# partner_since: 2024-05   # YYYY, YYYY-MM or YYYY-MM-DD
kind: todo   # one of the kinds in taxonomies.yaml, e.g. ngo
regions: []   # e.g. [europe, latin-america]
topics: []   # e.g. [youth, human-rights]
"""

PROFILE_MD = """\
---
name: TODO the organisation's name in {language}
summary: TODO one sentence that presents the organisation, shown on cards and in previews.
---
TODO: the profile in {language}, in Markdown: paragraphs, **bold**, lists and
[links](https://example.org/).
"""

ABOUT_MD = """\
---
name: {name}
---
{text}
"""

GITIGNORE = "/build/\n/.build.allysite-*\n"


@dataclass(frozen=True, slots=True)
class Created:
    """The files a command wrote, relative to the site: made new, or changed in place."""

    root: Path
    files: tuple[str, ...]
    updated: tuple[str, ...] = ()


def _names(codes: Sequence[str]) -> dict[str, str]:
    """Each language's name in English, for placeholders an editor reads."""
    return {
        code: make_language(code, False).locale.get_display_name("en") or code for code in codes
    }


def parse_languages(text: str) -> tuple[list[str], list[Diagnostic]]:
    codes = [code.strip() for code in text.split(",") if code.strip()]
    bad = [code for code in codes if not BCP47_PATTERN.fullmatch(code) or not parse_locale(code)]
    if bad:
        meant = [_canonical(code) for code in bad]
        spelled = [f"{code} as {good}" for code, good in zip(bad, meant, strict=True) if good]
        hint = "use BCP 47 codes such as es, en, fr, ar or pt-BR, separated by commas"
        return [], [
            error(
                "unknown-language",
                f"'{', '.join(bad)}' is not a language code known to CLDR",
                hint=f"write {', '.join(spelled)}" if spelled else hint,
            )
        ]
    if not codes:
        return [], [error("bad-languages", "no language code given", hint="e.g. --langs es,en")]
    if len(set(codes)) != len(codes):
        return [], [error("bad-languages", "give each language once", hint="e.g. --langs es,en")]
    miscased = [(code, conventional_case(code)) for code in codes]
    miscased = [(code, good) for code, good in miscased if good != code]
    if miscased:
        return [], [
            error(
                "language-case",
                f"'{', '.join(code for code, _ in miscased)}' is not in BCP 47's usual case",
                hint=f"write {', '.join(f'{code} as {good}' for code, good in miscased)} "
                "(the site's addresses and lang attributes show a code as site.yaml writes it)",
            )
        ]
    return codes, []


def conventional_case(code: str) -> str:
    """A BCP 47 code in its usual case ('PT-br' -> 'pt-BR', 'zh-hant' -> 'zh-Hant'): the
    language in lower case, a script in title case, a region in upper case, and all after a
    single-letter extension in lower case."""
    parts = code.split("-")
    cased = [parts[0].lower()]
    extension = False
    for part in parts[1:]:
        extension = extension or len(part) == 1
        if not extension and len(part) == 4 and part.isalpha():
            cased.append(part.title())
        elif not extension and ((len(part) == 2 and part.isalpha()) or part.isdigit()):
            cased.append(part.upper())
        else:
            cased.append(part.lower())
    return "-".join(cased)


def _canonical(code: str) -> str | None:
    """The BCP 47 spelling of a code written the gettext way ('pt_BR' -> 'pt-BR'), which
    editors copy from locale folders; None if CLDR knows no such locale either."""
    locale = parse_locale(code) if re.fullmatch(r"[A-Za-z0-9_-]+", code) else None
    if locale is None:
        return None
    good = str(locale).replace("_", "-")
    return good if BCP47_PATTERN.fullmatch(good) and parse_locale(good) else None


def parse_language(
    code: str, site_codes: Sequence[str], *, site_language_ok: bool = False
) -> list[Diagnostic]:
    """One language code, checked as `new language` and `i18n init` both need it: a code
    the build refuses, or a site language in other letters ('EN' for 'en'), would make a
    catalog in a folder the build never reads. `i18n init` may start a site language's
    catalog, written as site.yaml writes it (site_language_ok)."""
    if not code.strip():
        return [error("bad-languages", "no language code given", hint="e.g. fr or pt-BR")]
    same = next((c for c in site_codes if c.lower() == code.lower()), None)
    if same is None:
        codes, problems = parse_languages(code)
        if problems:
            return problems
        if codes != [code]:
            hint = "e.g. pt-BR"
            return [error("bad-languages", f"'{code}' is not one language code", hint=hint)]
        return []
    if site_language_ok and same == code:
        return []
    return [
        error(
            "duplicate-language",
            f"'{code}' is a site language already",
            SourcePos(SITE_FILE),
            f"to translate a partner or page, add {same}.md to its folder in content/"
            if same == code
            else f"site.yaml writes it '{same}'",
        )
    ]


def new_site(folder: Path, languages: Sequence[str]) -> tuple[Created | None, list[Diagnostic]]:
    """A site that builds at once: the languages given (the first is the default), one
    partner to copy, an about page."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        return None, [
            error(
                "folder-exists",
                f"{folder} exists and is " + ("not empty" if folder.is_dir() else "a file"),
                hint="choose a new folder name; allysite new site never overwrites files",
            )
        ]
    names = _names(languages)
    default = languages[0]
    files = {
        SITE_FILE: SITE_YAML.format(
            titles="".join(f"  {code}: TODO title in {names[code]}\n" for code in languages),
            default=default,
            languages=", ".join(languages),
        ),
        "taxonomies.yaml": TAXONOMIES_YAML.format(
            labels=", ".join(f"{code}: NGO" for code in languages)
        ),
        ".gitignore": GITIGNORE,
    }
    for code in languages:
        files[f"content/partners/example-partner/{code}.md"] = PROFILE_MD.format(
            language=names[code]
        )
        files[f"content/pages/about/{code}.md"] = ABOUT_MD.format(
            name="TODO About", text=f"TODO: what this directory is, in {names[code]}."
        )
    files["content/partners/example-partner/partner.yaml"] = PARTNER_YAML.format(
        slug="example-partner", url=PLACEHOLDER_URL
    )
    return _write(folder, files), []


def new_partner(
    site: Path, slug: str, languages: Sequence[str] | None = None
) -> tuple[Created | None, list[Diagnostic]]:
    """content/partners/SLUG/ with partner.yaml and one placeholder profile per language
    (the site's default language when none are given)."""
    config, problems = load_config(site)
    if config is None:
        return None, problems
    if not SLUG_PATTERN.fullmatch(slug):
        return None, [
            error(
                "bad-slug",
                f"'{slug}' is not a valid slug",
                hint="use lowercase ASCII letters, digits and hyphens, e.g. un-women",
            )
        ]
    codes = list(languages or [config.default_language.code])
    unknown = [code for code in codes if code not in config.language_codes]
    if unknown:
        return None, [
            error(
                "unknown-language",
                f"{', '.join(unknown)}: not among the site's languages "
                f"({', '.join(config.language_codes)})",
                SourcePos(SITE_FILE),
                "add a language first with: allysite new language CODE",
            )
        ]
    default = config.default_language.code
    if default not in codes:  # the build refuses a partner without the default's text
        return None, [
            error(
                "no-default-language",
                f"a partner needs {default}.md, the default language's text; "
                f"--langs {','.join(codes)} leaves it out",
                SourcePos(SITE_FILE),
                f"start it too: --langs {','.join([default, *codes])}",
            )
        ]
    folder = Path("content", "partners", slug)
    made = site / folder
    if made.exists() and not _empty_folder(made):  # (an empty one is no item yet: filled)
        return None, [
            error(
                "folder-exists",
                f"{folder.as_posix()}/ exists already",
                SourcePos(folder.as_posix()),
                "choose another slug, or edit the files that are there",
            )
        ]
    outside = _outside(site, made.parent)
    if outside is not None:  # (the build refuses such a link: nothing is written through it)
        return None, [
            error(
                "outside-site",
                f"{outside}/ is a symbolic link that leads outside the site",
                SourcePos(outside),
                "copy the folder into the site instead of linking to it, then run the "
                "command again",
            )
        ]
    names = _names(codes)
    files = {
        f"{folder.as_posix()}/partner.yaml": PARTNER_YAML.format(slug=slug, url=PLACEHOLDER_URL)
    }
    for code in codes:
        files[f"{folder.as_posix()}/{code}.md"] = PROFILE_MD.format(language=names[code])
    return _write(site, files), []


def _outside(site: Path, folder: Path) -> str | None:
    """The first of `folder` and its parents up to the site that is a link leading out of
    the site, as the site names it; None if the folder stays inside."""
    root = site.resolve()
    if folder.resolve().is_relative_to(root):
        return None
    path = folder
    while path != site and not path.is_symlink():
        path = path.parent
    found = path if path.is_symlink() else folder
    return found.relative_to(site).as_posix() if found.is_relative_to(site) else found.as_posix()


def _empty_folder(path: Path) -> bool:
    """A folder (no link to one) that holds nothing: the build ignores it, as git does."""
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


def _with_language(text: str, code: str) -> str | None:
    """site.yaml's text with `code` added at the end of its languages list, every other
    character as it was (comments, quotes, line ends); None if there is no such list. The
    list is found by YAML's own reading of the text, so that it may be in brackets over
    several lines (a comma after the last item), or a block of `- code` lines at any
    indentation, with comments between them."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, yaml.MappingNode):
        return None
    found = [
        value
        for key, value in root.value
        if isinstance(key, yaml.ScalarNode) and key.value == "languages"
    ]
    if len(found) != 1 or not isinstance(found[0], yaml.SequenceNode) or not found[0].value:
        return None
    items = found[0].value
    last = items[-1].end_mark.index
    if found[0].flow_style:
        return f"{text[:last]}, {code}{text[last:]}"
    first = items[0].start_mark
    line_start = text.rfind("\n", 0, first.index) + 1
    prefix = text[line_start : first.index]  # '  - ', the way the first item is written
    if not re.fullmatch(r"[ \t]*-[ \t]+", prefix):
        prefix = " " * found[0].start_mark.column + "- "
    line_end = text.find("\n", last)
    if line_end == -1:  # (the last item ends the file, with no line end)
        ending = "\r\n" if "\r\n" in text else "\n"
        return f"{text}{ending}{prefix}{code}"
    ending = "\r\n" if text[line_end - 1 : line_end] == "\r" else "\n"  # the line's own
    return f"{text[: line_end + 1]}{prefix}{code}{ending}{text[line_end + 1 :]}"


def new_language(site: Path, code: str) -> tuple[Created | None, list[Diagnostic]]:
    """Add a language to site.yaml (keeping its comments) and start its interface catalog."""
    config, problems = load_config(site)
    if config is None:
        return None, problems
    problems = parse_language(code, config.language_codes)
    if problems:
        return None, problems
    path = (site / SITE_FILE).resolve()  # (a link to it stays a link)
    if not os.access(path, os.W_OK):
        return None, [
            error(
                "read-only",
                "site.yaml is read-only",
                SourcePos(SITE_FILE),
                f"allow writing to it (chmod u+w site.yaml), or add '{code}' to languages by hand",
            )
        ]
    before = path.read_bytes()  # (bytes: CRLF line ends and a BOM stay as they are)
    text = _with_language(before.decode("utf-8"), code)
    if text is None:
        return None, [
            error(
                "languages-not-found",
                "cannot find the 'languages' list in site.yaml",
                SourcePos(SITE_FILE),
                f"add '{code}' to languages by hand",
            )
        ]
    try:  # whole or not at all: a disk full must not leave site.yaml cut short
        replace_file(path, text.encode())
    except OSError as exc:
        return None, [_write_error(exc, site)]
    config, problems = load_config(site)
    if config is None or code not in config.language_codes:  # (never left half edited)
        replace_file(path, before)
        return None, problems or [
            error(
                "languages-not-found",
                f"could not add '{code}' to the 'languages' list of site.yaml",
                SourcePos(SITE_FILE),
                f"add '{code}' to languages by hand",
            )
        ]
    try:
        return _language_files(site, config, code)
    except OSError as exc:  # (a file where locales/ should be, a read-only folder...)
        replace_file(path, before)  # not half added: site.yaml as it was
        return None, [_write_error(exc, site)]


def _write_error(exc: OSError, site: Path) -> Diagnostic:
    """An error of the system while writing, at the file it names, with what to do."""
    shown = relative_path(Path(os.fsdecode(exc.filename)) if exc.filename else site, site)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        hint = "free some disk space, then run the command again (site.yaml is as it was)"
    else:
        hint = (
            "make room for the language's catalog there (a file in the way of a folder, "
            "or a folder you may not write to), then run the command again"
        )
    return error(
        "write",
        f"cannot write {shown}: {exc.strerror or exc}",
        SourcePos(shown),
        hint,
    )


def _language_files(
    site: Path, config: SiteConfig, code: str
) -> tuple[Created | None, list[Diagnostic]]:
    """The POT brought up to date and the language's catalog, once site.yaml names the
    language: a POT extracted before held none of the theme's strings that the theme already
    translated into the languages of then, and the new catalog would have lacked them."""
    created: list[str] = []
    updated = [SITE_FILE]
    template, problems = site_template(config, THEME)
    if problems:
        return Created(site, tuple(created), tuple(updated)), problems
    template_path = site / TEMPLATE_FILE
    existed = template_path.is_file()
    if existed:
        _keep_other_messages(config, template)
    if write_template(template, template_path):
        (updated if existed else created).append(TEMPLATE_FILE)
    existing = own_catalog(config, config.language(code))
    if existing is not None:  # (started by `i18n init` before the language was added)
        rel = existing.relative_to(site).as_posix()
        return Created(site, tuple(created), tuple(updated)), [
            warning(
                "catalog-kept",
                f"{rel} exists already: kept as it is",
                SourcePos(rel),
                "run 'allysite i18n update' to merge new messages into it",
            )
        ]
    catalog_path, problems = init_catalog(config, config.language(code))
    if catalog_path is not None:
        created.append(catalog_path.relative_to(site).as_posix())
    return Created(site, tuple(created), tuple(updated)), problems


def _keep_other_messages(config: SiteConfig, template: Catalog) -> None:
    """The old POT's messages that a fresh extract lacks, added to it: one extracted with
    `--include-theme` keeps the theme's strings, as `i18n update` would otherwise make them
    obsolete in every catalog."""
    old, _problems = read_template(config)
    if old is None:  # (an unreadable POT is simply replaced, as `i18n extract` does)
        return
    for message in old:
        if message.id and template.get(message.id, message.context) is None:
            template[message.id] = message


def _write(root: Path, files: dict[str, str]) -> Created:
    """Write every file or none: on an error of the system (a disk full, a path too long),
    the files and folders made so far are removed before the error goes on."""
    made: list[Path] = []  # in the order they were made
    target = root
    try:
        for name, text in files.items():
            target = root / name
            missing = []  # the folders to make, up to the first that exists
            folder = target.parent
            while not folder.exists():
                missing.append(folder)
                folder = folder.parent
            target.parent.mkdir(parents=True, exist_ok=True)
            made.extend(reversed(missing))
            with target.open("x", encoding="utf-8", newline="\n") as handle:  # never overwrite
                made.append(target)
                handle.write(text)
    except BaseException as exc:  # (Ctrl-C too: nothing half made is left behind)
        for path in reversed(made):
            with contextlib.suppress(OSError):
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()
        if isinstance(exc, OSError) and exc.filename is None:  # (a disk full names no file)
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
    return Created(root, tuple(sorted(files)))
