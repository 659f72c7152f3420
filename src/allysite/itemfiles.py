"""One content folder's files read and checked: partner.yaml's facts, each translation's
front matter and Markdown, the item's own files, and links that would lead out of the site.
Every problem is collected (Collector), none stops the load."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from allysite.cache import ParseCache
from allysite.config import SiteConfig
from allysite.errors import Diagnostic, SourcePos, error, outside_link, warning
from allysite.inputindex import NOT_A_FILE, editor_leftover, leaves
from allysite.languages import parse_locale
from allysite.markdownlimits import beyond_limits
from allysite.markup import render_markdown
from allysite.memo import Memo
from allysite.model import PartnerFacts, Translation, field_fingerprints
from allysite.schema import PageTextSchema, PartnerSchema, PartnerTextSchema, validate
from allysite.sourcefile import read_markdown_file, read_yaml_file
from allysite.textfile import front_rest

PARTNER_FILE = "partner.yaml"


@dataclass
class Collector:
    """What one load gathers: problems and the files read."""

    root: Path
    problems: list[Diagnostic] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    memo: Memo | None = None
    parsed: ParseCache | None = None

    def rel(self, path: Path) -> str:
        return relative(path, self.root)


def relative(path: Path, root: Path) -> str:
    """`path.relative_to(root).as_posix()`, by the strings where it can (a load asks it for
    every file, and pathlib's took a tenth of loading)."""
    text, prefix = str(path), str(root)
    if os.sep == "/" and text.startswith(prefix) and text[len(prefix) : len(prefix) + 1] == "/":
        return text[len(prefix) + 1 :]
    return path.relative_to(root).as_posix()


def load_facts(folder: Path, found: Collector) -> PartnerFacts | None:
    path = folder / PARTNER_FILE
    rel = found.rel(path)
    if path.is_symlink() and leaves(path, found.root):
        return None  # not read: reported with the folder's other files
    if not path.exists():  # (a folder or a named pipe in its place is refused by reading it)
        found.problems.append(
            error(
                "missing-file",
                f"{found.rel(folder)}/ has no {PARTNER_FILE}",
                SourcePos(found.rel(folder)),
                f"create {rel} with website and kind",
            )
        )
        return None
    found.sources.append(rel)
    doc, problems = read_yaml_file(path, rel)
    found.problems.extend(problems)
    if doc is None:
        return None
    data, problems = validate(PartnerSchema, doc)
    found.problems.extend(problems)
    if data is None:
        return None
    if data.logo is not None:
        logo = data.logo
        if not _is_plain_relative(logo):
            found.problems.append(
                error(
                    "bad-logo",
                    f"logo: '{logo}' must be a file inside the partner's folder",
                    doc.pos(("logo",)),
                    "put the file beside partner.yaml and give its name only",
                )
            )
            return None
        if any(part.startswith(".") for part in Path(logo).parts):
            found.problems.append(  # (the page would show a logo that is not there)
                error(
                    "bad-logo",
                    f"logo: '{logo}' names a hidden file: names that start with a dot are "
                    "never published",
                    doc.pos(("logo",)),
                    "rename the file (and its folders) without the leading dot",
                )
            )
            return None
        if editor_leftover(Path(logo).name):
            found.problems.append(  # (not copied: the page would show no logo)
                error(
                    "bad-logo",
                    f"logo: '{logo}' is named as an editor's backup or temporary file "
                    "(#name, name~, name.swp...), which is never published",
                    doc.pos(("logo",)),
                    "give the logo an ordinary name, such as logo.svg",
                )
            )
            return None
        if not (folder / logo).is_file():
            if (folder / logo).exists() and not (folder / logo).is_dir():
                return None  # a pipe or a device: reported with the folder's other files
            found.problems.append(
                error(
                    "missing-logo",
                    f"logo: file '{logo}' does not exist in {found.rel(folder)}/",
                    doc.pos(("logo",)),
                    "add the file or fix its name (names are case-sensitive)",
                )
            )
            return None
        # a link leaving the whole site is reported with the folder's other files
        if _has_link(folder, logo) and _leads_out(folder / logo, folder, found.root):
            found.problems.append(
                error(
                    "bad-logo",
                    f"logo: '{logo}' is a link that leads outside the partner's folder",
                    doc.pos(("logo",)),
                    "copy the file into the folder instead of linking to it",
                )
            )
            return None
    return PartnerFacts(
        website=data.website,
        logo=data.logo,
        partner_since=data.partner_since,
        kind=data.kind,
        regions=tuple(dict.fromkeys(data.regions)),
        topics=tuple(dict.fromkeys(data.topics)),
    )


def _has_link(folder: Path, name: str) -> bool:
    """Whether a file's path inside `folder` passes a symbolic link (without one, the file
    is inside the folder, wherever the folder itself is)."""
    path = folder
    for part in Path(name).parts:
        path = path / part
        if path.is_symlink():
            return True
    return False


def _leads_out(path: Path, folder: Path, root: Path) -> bool:
    """A link to a file of the site outside `folder` (one outside the site is reported
    with the folder's other files)."""
    target = path.resolve()
    return not target.is_relative_to(folder.resolve()) and target.is_relative_to(root)


def _is_plain_relative(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and "\\" not in name


def load_translations(
    config: SiteConfig,
    folder: Path,
    schema: type[PartnerTextSchema] | type[PageTextSchema],
    found: Collector,
) -> tuple[MappingProxyType[str, Translation] | None, tuple[str, ...]]:
    translations: dict[str, Translation] = {}
    assets: list[str] = []
    failed = False
    base = found.rel(folder)
    entries, unreadable = folder_entries(os.fspath(folder))
    for inner, exc in unreadable:
        if not any(part.startswith(".") for part in inner.split("/")):
            found.problems.append(unreadable_folder(f"{base}/{inner}".rstrip("/"), exc))
            failed = True
    for inner, entry in entries:  # 'es.md', 'img/logo.png'
        if any(part.startswith(".") for part in inner.split("/")):
            continue
        if editor_leftover(entry.name) and not is_folder(entry):
            continue  # ('es.md~', '#es.md#': never published, as Hugo leaves them out)
        rel = f"{base}/{inner}"
        if entry.is_symlink() and leaves(Path(entry.path), config.root):
            found.problems.append(outside_link(rel, "copy the file into the folder instead"))
            failed = True
            continue
        if is_folder(entry):
            if entry.is_symlink():
                found.problems.append(unfollowed_link(rel))
            elif "/" not in inner and _text_name(entry.name, config.language_codes):
                found.problems.append(_folder_for_text(rel))  # (its files were published
                failed = True  # as the item's, and the text taken for missing)
            continue
        if entry.name == PARTNER_FILE:
            continue
        if not entry.name.endswith(".md") or "/" in inner:  # (a name '.md' is hidden)
            if entry.is_file():
                assets.append(inner)
            else:  # (copying one would wait on a pipe, or read a device without end)
                found.problems.append(not_a_file(rel))
                failed = True
            continue
        lang = entry.name[:-3]
        if lang not in config.language_codes:
            found.problems.append(_unknown_language(entry.name, rel, config.language_codes))
            failed = True
            continue
        found.sources.append(rel)
        original = lang == config.default_language.code
        translation = _load_translation(entry.path, rel, lang, schema, found, original)
        if translation is None:
            failed = True
        else:
            translations[lang] = translation
    default = config.default_language.code
    if default not in translations and not failed:
        found.problems.append(
            error(
                "missing-default",
                f"{found.rel(folder)}/ has no {default}.md, the default language's text",
                SourcePos(found.rel(folder)),
                f"create {found.rel(folder)}/{default}.md; other languages fall back to it",
            )
        )
        failed = True
    if failed:
        return None, ()
    ordered = {code: translations[code] for code in config.language_codes if code in translations}
    return MappingProxyType(ordered), tuple(assets)


def _unknown_language(name: str, rel: str, codes: Sequence[str]) -> Diagnostic:
    """The error for a `<lang>.md` of no site language. One that writes a site language's
    code in other letters (`EN.md`, `pt-br.md` or `pt_BR.md` for pt-BR) names that language:
    adding it to site.yaml, as for a new language, would list it twice."""
    lang = name[:-3]
    same = next((code for code in codes if _code_key(code) == _code_key(lang)), None)
    if same is not None:
        return error(
            "unknown-language",
            f"'{name}' is not named as site.yaml writes its language, '{same}'",
            SourcePos(rel),
            f"rename the file to {same}.md",
        )
    if parse_locale(lang) is not None:
        return error(
            "unknown-language",
            f"'{lang}' is not one of the site's languages ({', '.join(codes)})",
            SourcePos(rel),
            "add the language to site.yaml",
        )
    return error(
        "unknown-language",
        f"'{name}' is not named after a language code",
        SourcePos(rel),
        "name translations <lang>.md, e.g. es.md or ar.md",
    )


def _code_key(code: str) -> str:
    """A language code as BCP 47 compares it: letter case ignored ('_' is gettext's '-')."""
    return code.lower().replace("_", "-")


def _text_name(name: str, codes: Collection[str]) -> bool:
    """Whether a name is that of a text of the item: `<lang>.md`, of a site language."""
    return name.endswith(".md") and name[:-3] in codes


def _folder_for_text(rel: str) -> Diagnostic:
    return error(
        "read",
        "is a folder, not the translation's Markdown file",
        SourcePos(rel),
        "put the text in a file of that name, beside the item's other texts",
    )


def not_a_file(rel: str) -> Diagnostic:
    """The error for a file of an item or of static/ that is a named pipe, a socket or a
    device: it cannot be copied (`check`, which copies nothing, said nothing of it)."""
    return error(
        "read",
        f"cannot read the site: {NOT_A_FILE}",
        SourcePos(rel),
        "replace it with a regular file",
    )


def unreadable_folder(rel: str, exc: OSError) -> Diagnostic:
    """The error for a folder that cannot be listed: skipped in silence, its files (a whole
    partner) would be left out of the site with no word."""
    return error(
        "unreadable",
        f"cannot read the folder: {exc.strerror or exc}",
        SourcePos(rel),
        "check the folder's permissions: allysite must be able to list and enter it",
    )


def unfollowed_link(rel: str) -> Diagnostic:
    """A link to a folder inside an item or static/: not entered (a link may lead back to a
    folder above it, and the output would have no end), so its files are not published;
    said, not left out without a word."""
    return warning(
        "linked-folder",
        "this symbolic link to a folder is not followed: the files in it are not published",
        SourcePos(rel),
        "copy the folder here instead, or link each of its files",
    )


def folder_entries(
    folder: str,
) -> tuple[list[tuple[str, os.DirEntry[str]]], list[tuple[str, OSError]]]:
    """Everything below a folder, as `Path.rglob("*")` lists it (links to folders listed,
    not entered), by the path inside it, in the order sorted paths have: by os.scandir,
    whose entries know their type without a call per file (pathlib's objects took a seventh
    of loading a site). Then the folders that could not be listed (their path inside it,
    '' for the folder itself), with the error, to be reported."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    unreadable: list[tuple[str, OSError]] = []

    def walk(directory: str, prefix: str) -> None:
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            unreadable.append((prefix.rstrip("/"), exc))
            return
        for entry in entries:
            inner = prefix + entry.name
            found.append((inner, entry))
            if is_folder(entry) and not entry.is_symlink():
                walk(entry.path, inner + "/")

    walk(folder, "")
    found.sort(key=lambda pair: pair[0].split("/"))
    return found, unreadable


def is_folder(entry: os.DirEntry[str]) -> bool:
    """Path.is_dir: a link to a folder counts, a broken link or an unreadable one does not."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _load_translation(
    path: str,
    rel: str,
    lang: str,
    schema: type[PartnerTextSchema] | type[PageTextSchema],
    found: Collector,
    original: bool,
) -> Translation | None:
    """`original`: the text is the default language's, the one translations are stamped
    against; only its fields are fingerprinted (a fingerprint of a translation's own
    fields is never read, and hashing every body took a twentieth of loading a site)."""
    doc, problems = read_markdown_file(path, rel)
    found.problems.extend(problems)
    if doc is None:
        return None
    data, problems = validate(schema, doc.front)
    found.problems.extend(problems)
    excess = beyond_limits(doc.body)
    if excess is not None:
        line, message, hint = excess
        where = SourcePos(rel, doc.body_line + line - 1)
        found.problems.append(error("markdown-limit", message, where, hint))
        return None
    if data is None:
        return None
    short_name = data.short_name
    fingerprints: dict[str, str] = {}
    if original:
        front = {"name": data.name, "short_name": short_name, "summary": data.summary}
        fingerprints = field_fingerprints(front, doc.body)
    return Translation(
        lang=lang,
        name=data.name,
        short_name=short_name,
        summary=data.summary,
        body_html=render_markdown(doc.body),
        source=rel,
        provenance=data.translation,
        stamps=MappingProxyType(dict(data.translated_from or {})),
        fingerprints=MappingProxyType(fingerprints),
        front=doc.front_digest,
        rest=front_rest(doc.front.data),
    )
