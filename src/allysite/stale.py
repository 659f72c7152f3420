"""Out-of-date translations, field by field, and the stamps that tell them apart.

A translation records the version of the original it was made from: `translated_from` in its
front matter maps each field (name, short_name, summary, body) to the fingerprint of the
default language's value, written by `allysite i18n stamp` when a translator finishes. A
field whose original no longer has that fingerprint is stale. A translation without stamps
falls back to git: it is stale when the original's last commit comes after its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from allysite.catalogs import replace_file
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error, warning
from allysite.model import (
    STAMPED_FIELDS,
    Content,
    Page,
    Partner,
    Translation,
    field_fingerprints,
)
from allysite.sourcefile import parse_yaml, read_markdown_file
from allysite.textfile import split_front_matter

STAMP_KEY = "translated_from"
_STAMP_LINE = re.compile(rf"{STAMP_KEY}\s*:")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class StaleTranslation:
    source: str
    """The translation's file."""
    original: str
    """The default language's file it was translated from."""
    fields: tuple[str, ...]
    """The fields that changed since (empty when only git history tells)."""
    by: str
    """'stamp' or 'git'."""


Staleness = Mapping[str, StaleTranslation]
"""Stale translations by their file (site-relative)."""


def items(content: Content) -> Iterable[Partner | Page]:
    yield from content.partners
    yield from content.pages


def changed_fields(translation: Translation, original: Translation) -> tuple[str, ...]:
    """The fields whose original changed since the stamp (or appeared, or went away)."""
    return tuple(
        name
        for name in STAMPED_FIELDS
        if translation.stamps.get(name) != original.fingerprints.get(name)
    )


@dataclass(frozen=True, slots=True)
class History:
    """What git's history tells of the files under content/ (site-relative paths)."""

    changes: Mapping[str, int]
    """How many commits ago each file last changed (0: the newest that changed any)."""
    cut: frozenset[str]
    """The files whose last change shown is a shallow clone's cut: they changed there or
    before, which git cannot tell without the history the clone left out."""
    versions: Mapping[str, tuple[tuple[str, str], ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Of the files asked for: each commit that changed one (newest first) with the file's
    name in it, for `git cat-file` (the whole history: none of them at a cut)."""
    refused: str = ""
    """The command that lets git read a repository it refuses as another user's ('dubious
    ownership': a container job of GitHub Actions runs as root in the runner's checkout),
    else ''."""


def find_stale(
    config: SiteConfig, content: Content, verify_stamps: bool = False
) -> tuple[Staleness, list[Diagnostic]]:
    staleness, _unchecked, problems = check_translations(config, content, verify_stamps)
    return staleness, problems


def check_translations(
    config: SiteConfig, content: Content, verify_stamps: bool = False
) -> tuple[Staleness, frozenset[str], list[Diagnostic]]:
    """The stale translations, and those that git could not check (without stamps, in a
    shallow clone whose cut holds the last change of both the translation and its original:
    `stamp --all` must not call them up to date).

    `verify_stamps` (`check`, `i18n status`): a stamp that no committed version of its
    original had is told (unknown-stamp). That reads every version of the originals of the
    stale translations: seconds on a large site with a long history (8 s for 1,000 partners
    with 4,000 stale translations and 16 commits), so a build, which shows a stale translation
    as stale either way, and the dev server leave it out."""
    default = config.default_language
    unchecked: list[str] = []
    found: dict[str, StaleTranslation] = {}
    problems: list[Diagnostic] = []
    shared = {p.slug for p in content.partners} & {p.slug for p in content.pages}
    unstamped: list[tuple[Translation, Translation]] = []
    mismatched: list[tuple[Translation, Translation, tuple[str, ...]]] = []
    for item in items(content):
        original = item.translations[default.code]
        if original.stamps:
            problems.append(
                warning(
                    "stamp-in-original",
                    f"{STAMP_KEY} is ignored in the original text ({default.code})",
                    SourcePos(original.source),
                    "remove it; only translations record the version of the original",
                )
            )
        for translation in item.translations.values():
            if translation.lang == default.code:
                continue
            if not translation.stamps:
                unstamped.append((translation, original))
                continue
            fields = changed_fields(translation, original)
            if fields:
                found[translation.source] = StaleTranslation(
                    translation.source, original.source, fields, "stamp"
                )
                mismatched.append((translation, original, fields))
    unknown: dict[str, tuple[str, ...]] = {}
    verified = mismatched if verify_stamps else []
    history = (  # (one reading of git's history for both: `git log` of every commit)
        content_history(config.root, frozenset(original.source for _, original, _ in verified))
        if verified or unstamped
        else None
    )
    if history is not None and verified:
        known = _known_fingerprints(config.root, history)
        for translation, original, fields in verified:
            versions = known.get(original.source)
            if versions is None:  # (no history that tells every version of it)
                continue
            made_up = tuple(
                name
                for name in fields
                if name in translation.stamps and translation.stamps[name] not in versions[name]
            )
            if made_up:
                unknown[translation.source] = made_up
                target = _stamp_target(translation.source, shared)
                problems.append(
                    _unknown_stamp_warning(config, translation, original, made_up, target)
                )
    if history is not None and unstamped:
        if history.refused:  # (nothing told: no translation is known to be up to date)
            unchecked.extend(translation.source for translation, _original in unstamped)
            problems.append(_refused_warning(sorted(unchecked), history.refused))
        for translation, original in unstamped if not history.refused else ():
            mine = history.changes.get(translation.source)
            theirs = history.changes.get(original.source)
            if mine is None or theirs is None:
                continue
            if theirs < mine:
                found[translation.source] = StaleTranslation(
                    translation.source, original.source, (), "git"
                )
            elif {translation.source, original.source} <= history.cut:
                unchecked.append(translation.source)
        if unchecked:
            problems.append(_shallow_warning(sorted(unchecked)))
    language_name = default.locale.get_display_name("en") or default.code
    for item in sorted(found.values(), key=lambda s: s.source):
        told = unknown.get(item.source, ())
        if item.fields and set(item.fields) <= set(told):
            continue  # (its warning says it: the stamps match no version of the original)
        what = (
            f"changed after this translation: {', '.join(f for f in item.fields if f not in told)}"
            if item.by == "stamp"
            else "was committed after this translation (git history)"
        )
        slug, lang = _stamp_target(item.source, shared)
        problems.append(
            warning(
                "stale-translation",
                f"the {language_name} original {item.original} {what}",
                SourcePos(item.source),
                f"bring the translation up to date, then run 'allysite i18n stamp {slug} {lang}'",
            )
        )
    staleness = MappingProxyType(dict(sorted(found.items())))
    return staleness, frozenset(unchecked), problems


def _unknown_stamp_warning(
    config: SiteConfig,
    translation: Translation,
    original: Translation,
    fields: tuple[str, ...],
    target: tuple[str, str],
) -> Diagnostic:
    """A stamp that no committed version of the original had: written by hand, or copied
    from another translation; the text may or may not match the original."""
    doc, _ = read_markdown_file(config.root / translation.source, translation.source)
    where = (
        doc.front.pos((STAMP_KEY, fields[0])) if doc is not None else SourcePos(translation.source)
    )
    return warning(
        "unknown-stamp",
        f"{STAMP_KEY} of {', '.join(fields)} matches no version of the original "
        f"{original.source} in its git history (written by hand, or copied from another "
        "translation?): the translation is shown as stale",
        where,
        f"check the translation against {original.source}, then run "
        f"'allysite i18n stamp {target[0]} {target[1]}'",
    )


def _known_fingerprints(root: Path, history: History) -> dict[str, Mapping[str, frozenset[str]]]:
    """Each field's fingerprints in every committed version of the files `history` has the
    versions of (one `git cat-file --batch` for them all); {} when git cannot tell."""
    specs = [
        (path, f"{commit}:./{name}")
        for path, versions in history.versions.items()
        for commit, name in versions
    ]
    objects = _cat_file(root, [spec for _, spec in specs]) if specs else None
    if objects is None:
        return {}
    found: dict[str, dict[str, set[str]]] = {}
    for (path, _spec), found_object in zip(specs, objects, strict=True):
        fields = found.setdefault(path, {name: set() for name in STAMPED_FIELDS})
        if found_object is not None and found_object[0] == b"blob":  # (not a submodule, a link)
            for name, value in _fingerprints_of(found_object[1]).items():
                fields[name].add(value)
    return {
        path: MappingProxyType({name: frozenset(values) for name, values in fields.items()})
        for path, fields in found.items()
    }


def _cat_file(root: Path, names: list[str]) -> list[tuple[bytes, bytes] | None] | None:
    """The type and content of each object `git cat-file --batch` is asked for by name
    (None for one it does not have); None when git cannot tell."""
    try:
        result = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=root,
            input="".join(f"{name}\n" for name in names).encode("utf-8"),
            capture_output=True,
            timeout=120,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    objects: list[tuple[bytes, bytes] | None] = []
    out, at = result.stdout, 0
    for _name in names:
        end = out.find(b"\n", at)
        header = out[at:end].split(b" ")  # '<id> <type> <size>', or '<name> missing'
        at = end + 1
        if len(header) != 3:
            objects.append(None)
            continue
        size = int(header[2])
        objects.append((header[1], out[at : at + size]))
        at += size + 1
    return objects


def _fingerprints_of(raw: bytes) -> dict[str, str]:
    """The fingerprints of a committed version of an original, read as the loader reads
    the file (a version it could not read has none)."""
    text = raw.removeprefix(_BOM).decode("utf-8", "replace")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    parts = split_front_matter(text, "")
    if isinstance(parts, Diagnostic):
        return {}
    doc, _ = parse_yaml(parts.front, "")
    data = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    return field_fingerprints(data, parts.body)


def _listed(sources: list[str]) -> str:
    """The first three, and how many more."""
    return ", ".join(sources[:3]) + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")


def _shallow_warning(unchecked: list[str]) -> Diagnostic:
    listed = _listed(unchecked)
    return warning(
        "shallow-history",
        f"the git history is cut (a shallow clone): {len(unchecked)} translation(s) without "
        f"{STAMP_KEY} cannot be compared with their originals and show no stale notice: "
        f"{listed}",
        SourcePos(unchecked[0]),
        "fetch the whole history ('git fetch --unshallow'; in GitHub Actions, "
        "actions/checkout with 'fetch-depth: 0'), or stamp the translations that are up to "
        "date ('allysite i18n stamp SLUG LANG')",
    )


def _refused_warning(unchecked: list[str], command: str) -> Diagnostic:
    listed = _listed(unchecked)
    return warning(
        "git-refused",
        "git refuses to read this repository, which another user owns ('dubious ownership'): "
        f"{len(unchecked)} translation(s) without {STAMP_KEY} cannot be compared with their "
        f"originals and show no stale notice: {listed}",
        SourcePos(unchecked[0]),
        f"let git read it ('{command}'; in a GitHub Actions container job, as a step after "
        "actions/checkout), or stamp the translations that are up to date",
    )


def _refusal(stderr: str) -> str:
    """The command git suggests when it refuses a repository owned by another user."""
    if "dubious ownership" not in stderr:
        return ""
    lines = [line.strip() for line in stderr.splitlines()]
    return next(
        (line for line in lines if "safe.directory" in line and line.startswith("git ")),
        "git config --global --add safe.directory <the repository's folder>",
    )


def _stamp_target(source: str, shared: set[str]) -> tuple[str, str]:
    """What `allysite i18n stamp` takes for a translation's file: its folder's name, with
    its kind when a partner and a page share it (the bare name is then refused)."""
    parts = source.split("/")
    slug = parts[-2] if parts[-2] not in shared else f"{parts[-3]}/{parts[-2]}"
    return slug, parts[-1].removesuffix(".md")


def content_history(root: Path, wanted: frozenset[str] = frozenset()) -> History:
    """How many commits ago each file under content/ last changed (0: the newest commit that
    changed any), by site-relative path; empty when the site is no git repository or git is
    not installed.

    Commits count in git's order, not by their times: a rebase gives every commit it moves
    the same second, and a translation committed before its original's change then looked
    up to date. A rename that changes nothing (a partner's folder renamed) is no change:
    the files keep the history of their old names, and a stale translation stays stale.
    `wanted`: the files whose every version `History.versions` lists."""
    command = [
        "git",
        "log",
        "--date-order",  # (no parent before its children, whatever the clocks said)
        "--format=%x01%H %D",  # ('grafted' alone, refs left out: a shallow clone's cut)
        "--decorate-refs-exclude=refs/*",
        "--decorate-refs-exclude=HEAD",
        "--name-status",
        "-M",
        "-z",
        "--relative",
        "--",
        "content",
    ]
    try:
        result = subprocess.run(
            command,
            cwd=root,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=120,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return History(MappingProxyType({}), frozenset())
    if result.returncode != 0:
        return History(MappingProxyType({}), frozenset(), refused=_refusal(result.stderr))
    return _last_changes(result.stdout.split("\0"), wanted, lambda ids: _roots(root, ids))


def _roots(root: Path, commits: Iterable[str]) -> frozenset[str]:
    """The commits among a shallow clone's cut that have no parent: the first commits, a
    history that `git fetch --deepen` reached in full (git keeps them in `.git/shallow`,
    and marks them grafted, until a fetch goes past them or `--unshallow`)."""
    asked = list(commits)
    objects = _cat_file(root, asked) or []
    return frozenset(
        commit
        for commit, found in zip(asked, objects, strict=False)
        if found is not None and found[0] == b"commit" and not _has_parent(found[1])
    )


def _has_parent(commit: bytes) -> bool:
    """Whether a commit object names a parent (its own: a graft hides them from `git log`)."""
    head = commit.split(b"\n\n", 1)[0]
    return any(line.startswith(b"parent ") for line in head.split(b"\n"))


def _last_changes(
    tokens: list[str],
    wanted: frozenset[str] = frozenset(),
    roots: Callable[[Iterable[str]], frozenset[str]] = lambda _ids: frozenset(),
) -> History:
    """`git log --name-status -z` read newest first: each file's first change, under the
    name it has now (`later`: an old name, by the name a rename gave it); every change of
    the `wanted` files; a cut that is a first commit is none (`roots`)."""
    changes: dict[str, int] = {}
    later: dict[str, str] = {}
    grafted: dict[int, str] = {}
    ids: list[str] = []
    versions: dict[str, list[tuple[str, str]]] = {}
    commit = -1
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip("\n")
        index += 1
        if token.startswith("\x01"):
            commit += 1
            head, _, refs = token[1:].partition(" ")
            ids.append(head)
            if "grafted" in refs.split(", "):
                grafted[commit] = head
            continue
        if not token:
            continue
        if token[0] in "RC" and index + 1 < len(tokens):  # a rename (or copy): old, new
            old, new = tokens[index], tokens[index + 1]
            index += 2
            now = later.get(new, new)
            if token[1:] != "100":  # (its text changed too)
                changes.setdefault(now, commit)
            if now in wanted:
                versions.setdefault(now, []).append((ids[commit], new))
            if token[0] == "R":
                later[old] = now
        elif index < len(tokens):
            path = tokens[index]
            index += 1
            now = later.get(path, path)
            changes.setdefault(now, commit)
            if now in wanted and token[0] != "D":
                versions.setdefault(now, []).append((ids[commit], path))
    if grafted:
        first = roots(grafted.values())
        grafted = {number: head for number, head in grafted.items() if head not in first}
    cut = frozenset(path for path, commit in changes.items() if commit in grafted)
    cuts = set(grafted.values())
    whole = {
        path: tuple(found)
        for path, found in versions.items()
        if not any(head in cuts for head, _ in found)
    }
    return History(MappingProxyType(changes), cut, MappingProxyType(whole))


# --- stamping -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StampResult:
    source: str
    stamps: Mapping[str, str]
    changed: bool
    skipped: str | None = None
    """Why `--all` left it alone (it is stale: only a translator can say it is up to date)."""


def find_item(content: Content, target: str) -> tuple[Partner | Page | None, list[Diagnostic]]:
    """A partner or page by 'slug', 'partners/slug' or 'pages/slug'."""
    kind, _, slug = target.rpartition("/")
    partners = [p for p in content.partners if p.slug == slug and kind in ("", "partners")]
    pages = [p for p in content.pages if p.slug == slug and kind in ("", "pages")]
    if len(partners) + len(pages) == 1:
        return (partners or pages)[0], []
    if partners and pages:
        return None, [
            error(
                "ambiguous-item",
                f"'{slug}' is both a partner and a page",
                None,
                f"write partners/{slug} or pages/{slug}",
            )
        ]
    return None, [
        error(
            "unknown-item",
            f"no partner or page '{target}' in content/",
            None,
            "give the folder name of the partner (content/partners/<slug>/) or page",
        )
    ]


def stamp_translation(
    config: SiteConfig, item: Partner | Page, lang: str
) -> tuple[StampResult | None, list[Diagnostic]]:
    """Record in a translation the version of the original it now matches."""
    default = config.default_language.code
    if lang == default:
        return None, [
            error(
                "stamp-original",
                f"'{lang}' is the default language: its text is the original",
                None,
                "stamp a translation, e.g. 'allysite i18n stamp <slug> <lang>'",
            )
        ]
    translation = item.translations.get(lang)
    if translation is None:
        return None, [
            error(
                "no-translation",
                f"{item.folder}/ has no {lang}.md to stamp",
                SourcePos(item.folder),
                f"translate {item.folder}/{default}.md into {item.folder}/{lang}.md first",
            )
        ]
    stamps = dict(item.translations[default].fingerprints)
    changed = dict(translation.stamps) != stamps
    if changed:
        problems = write_stamps(config.root / translation.source, translation.source, stamps)
        if problems:
            return None, problems
    return StampResult(translation.source, MappingProxyType(stamps), changed), []


def stamp_all(
    config: SiteConfig,
    content: Content,
    staleness: Staleness,
    unchecked: frozenset[str] = frozenset(),
    refused: bool = False,
) -> tuple[list[StampResult], list[Diagnostic]]:
    """Stamp every translation that is not known to be stale, nor left unchecked by a
    shallow clone's history or a repository git refuses (it stamped stale translations as
    up to date)."""
    results: list[StampResult] = []
    problems: list[Diagnostic] = []
    default = config.default_language.code
    for item in items(content):
        for lang, translation in item.translations.items():
            if lang == default:
                continue
            stale = staleness.get(translation.source)
            if stale is not None:
                reason = (
                    f"stale: {', '.join(stale.fields)} changed"
                    if stale.fields
                    else "stale by git history"
                )
                results.append(
                    StampResult(translation.source, translation.stamps, False, skipped=reason)
                )
                continue
            if translation.source in unchecked:
                reason = (
                    "not checked: git refuses to read the repository (dubious ownership)"
                    if refused
                    else "not checked: the git history is cut (a shallow clone)"
                )
                results.append(
                    StampResult(translation.source, translation.stamps, False, skipped=reason)
                )
                continue
            result, found = stamp_translation(config, item, lang)
            problems += found
            if result is not None:
                results.append(result)
    return results, problems


def write_stamps(path: Path, shown: str, stamps: Mapping[str, str]) -> list[Diagnostic]:
    """Replace the translated_from block of a file's front matter, keeping everything else
    (comments, order, line endings, a BOM) as it was."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [error("unreadable", f"cannot read file: {exc.strerror}", SourcePos(shown))]
    bom = _BOM if raw.startswith(_BOM) else b""
    text = raw[len(bom) :].decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if not lines or lines[0].rstrip() != "---" or end is None:
        return [
            error(
                "front-matter",
                "the file has no front matter between two '---' lines",
                SourcePos(shown, 1),
                "fix the file; the build reports the same problem",
            )
        ]
    kept: list[str] = []
    skipping = False
    for line in lines[1:end]:
        if skipping and (line[:1] in (" ", "\t") or not line.strip()):
            continue
        skipping = bool(_STAMP_LINE.match(line))
        if not skipping:
            kept.append(line)
    if kept and not kept[-1].endswith(("\n", "\r")):
        kept[-1] += newline
    block = [f"{STAMP_KEY}:{newline}"] + [
        f"  {name}: {_yaml_text(value)}{newline}" for name, value in stamps.items()
    ]
    result = "".join([lines[0], *kept, *block, *lines[end:]])
    replace_file(path, bom + result.encode("utf-8"))
    return []


def _yaml_text(value: str) -> str:
    """A fingerprint as YAML text: quoted when YAML could read it as a number."""
    return f'"{value}"' if re.fullmatch(r"[0-9e]+", value) else value
