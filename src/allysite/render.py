"""Routes into OutputFiles through Jinja2: the site's templates over the packaged theme.

Autoescape is on and undefined names are errors. Interface strings go through gettext with
Jinja's i18n extension (newstyle: substituted values are escaped too); each language gets an
overlay of one environment with its own catalog installed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from jinja2 import (
    BytecodeCache,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
)
from jinja2.bccache import Bucket

from allysite.bodyreads import BodyPaths, closures_body_paths
from allysite.errors import Diagnostic, SourcePos, error, uncompilable_template
from allysite.fingerprints import digest
from allysite.i18n import Catalogs
from allysite.inputindex import NOT_A_FILE
from allysite.languages import parse_locale
from allysite.rendermemo import MemoTemplate, install_translations
from allysite.routes import Route
from allysite.traced import Span, tracing, unmark
from allysite.views import format_count

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".j2")


@dataclass(frozen=True, slots=True)
class OutputFile:
    out_path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class TemplateDirs:
    site: Path
    theme: Path

    def file(self, name: str) -> Path:
        """Where a template's file is: the site's where it has one, else the theme's."""
        return self.site / name if (self.site / name).exists() else self.theme / name

    def shown(self, filename: str | None) -> str:
        """A template's path as messages show it."""
        if not filename:
            return "<template>"
        path = Path(filename)
        for root, prefix in ((self.site, "templates/"), (self.theme, "<theme>/templates/")):
            if path.is_relative_to(root):
                return prefix + path.relative_to(root).as_posix()
        return filename


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates shared by the environments of one build: each language's
    environment loads them instead of parsing and compiling every template again.

    With a `folder` (the build cache's) they are kept on disk too, so the next build skips
    compiling; Jinja checks each against its template's source and its own version."""

    def __init__(self, folder: Path | None = None) -> None:
        self._code: dict[str, bytes] = {}
        self._folder = folder
        self.reads: dict[str, tuple[str, ...] | None] = {}
        """`memo_names` of each template, by name, found once for every environment (a
        build finds them all before its rendering processes fork: pipeline._template_reads)."""

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is None and self._folder is not None:
            with contextlib.suppress(OSError):
                code = _verified((self._folder / bucket.key).read_bytes())
            if code is not None:
                self._code[bucket.key] = code
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = self._code[bucket.key] = bucket.bytecode_to_string()
        if self._folder is not None:
            with contextlib.suppress(OSError):
                self._folder.mkdir(parents=True, exist_ok=True)
                temporary = self._folder / f".{bucket.key}.{os.getpid()}.tmp"
                temporary.write_bytes(_code_digest(code) + code)
                os.replace(temporary, self._folder / bucket.key)


def _code_digest(code: bytes) -> bytes:
    return hashlib.blake2b(code, digest_size=16).digest()


def _verified(stored: bytes) -> bytes | None:
    """A compiled template as the cache's file holds it, or None when the file is not
    whole (cut short by a crash of the machine, or its bytes changed on the disk): Jinja
    checks the code's source and version, not its bytes, so such a file raised an internal
    error or failed every later build, --no-cache ones too, at a theme template's line."""
    digest, code = stored[:16], stored[16:]
    return code if len(digest) == 16 and _code_digest(code) == digest else None


@functools.cache
def _autoescape(name: str | None) -> bool:
    """Jinja's select_autoescape(("html", "xml", "j2")), remembered: Jinja asks it for every
    include of every page (a card on a list page is one), and it lowercased the name each time."""
    return name is None or name.lower().endswith((".html", ".xml", ".j2"))


def make_environment(
    dirs: TemplateDirs, bytecode_cache: BytecodeCache | None = None, locale_id: str = "und"
) -> Environment:
    """The templates' environment, whose `number` filter writes a count as the language of
    `locale_id` does (views.format_count), for `ngettext("%(num)s partner", "%(num)s
    partners", n, num=n|number)`: the words and the number of one language."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(dirs.site), FileSystemLoader(dirs.theme)]),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,  # a dict: Jinja looks a template up for every include (each card)
        bytecode_cache=bytecode_cache,
    )
    env.template_class = MemoTemplate
    env.policies["ext.i18n.trimmed"] = True
    # Set before compiling: {% trans %} compiles differently for newstyle gettext, and the
    # compiled code is shared through the bytecode cache.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.filters["number"] = functools.partial(format_count, locale_id=locale_id)
    return env


def compile_templates(env: Environment, dirs: TemplateDirs) -> list[Diagnostic]:
    """Compile every template of the theme and the site, so a broken one fails every build."""
    problems = []
    for name in env.list_templates(filter_func=lambda n: n.endswith(TEMPLATE_SUFFIXES)):
        own = dirs.site / name
        if not own.is_file() and os.path.lexists(own):  # (Jinja would pass over it for the
            problems.append(_no_template_file(own, dirs))  # theme's, without a word)
            continue
        try:
            env.get_template(name)
        except TemplateSyntaxError as exc:
            problems.append(
                error(
                    "template",
                    f"template syntax error: {exc.message}",
                    SourcePos(dirs.shown(exc.filename), exc.lineno),
                    "fix the tag on this line; see the Jinja2 template docs",
                )
            )
        except TemplateNotFound:  # listed, but no regular file (Jinja reads only those)
            problems.append(
                error(
                    "template",
                    f"template cannot be read: {NOT_A_FILE}",
                    SourcePos(dirs.shown(str(dirs.file(name)))),
                    "replace it with a regular file",
                )
            )
        except UnicodeDecodeError as exc:  # (Jinja's loader reads templates as UTF-8)
            line = exc.object[: exc.start].count(b"\n") + 1
            problems.append(
                error(
                    "encoding",
                    f"template is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} cannot "
                    "be decoded)",
                    SourcePos(dirs.shown(str(dirs.file(name))), line),
                    "save the file as UTF-8 in your editor",
                )
            )
        except (RecursionError, ValueError, OverflowError, MemoryError) as exc:
            problems.append(uncompilable_template(exc, dirs.shown(str(dirs.file(name)))))
    return problems


def _no_template_file(path: Path, dirs: TemplateDirs) -> Diagnostic:
    """The error for a site template that is a named pipe or a device, or a link to
    nowhere or in a loop."""
    if path.is_symlink() and not path.exists():
        return error(
            "template",
            "symbolic link leads nowhere or in a loop",
            SourcePos(dirs.shown(str(path))),
            "point it at a template file, or remove it",
        )
    return error(
        "template",
        f"template cannot be read: {NOT_A_FILE}",
        SourcePos(dirs.shown(str(path))),
        "replace it with a regular file",
    )


def language_environments(
    dirs: TemplateDirs, catalogs: Catalogs, bytecode_cache: BytecodeCache
) -> dict[str, Environment]:
    """One environment per language: gettext is installed into an environment's globals,
    which every template of that environment binds to (overlays would share them), as is
    its `number` filter."""
    result = {}
    for code, translations in catalogs.translations.items():
        env = make_environment(dirs, bytecode_cache, str(parse_locale(code) or code))
        install_translations(env, translations)
        result[code] = env
    return result


def render_routes(
    routes: Iterable[Route], envs: Mapping[str, Environment], dirs: TemplateDirs
) -> tuple[list[OutputFile], list[Diagnostic]]:
    outputs: list[OutputFile] = []
    problems = Problems()
    for route in routes:
        data = render_route(route, envs, dirs, problems)
        if data is not None:
            outputs.append(OutputFile(route.out_path, data))
    return outputs, problems.found()


class Problems:
    """Template errors of many pages, each reported once (at its template's line)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, int | None, str], Diagnostic] = {}

    def add(self, diagnostic: Diagnostic) -> None:
        """Of the pages an error is found on, the first in the site's order is named (the
        processes that render take the languages in no fixed order)."""
        assert diagnostic.pos is not None
        key = (diagnostic.pos.path, diagnostic.pos.line, diagnostic.message)
        kept = self._found.get(key)
        if kept is None or diagnostic.order < kept.order:
            self._found[key] = diagnostic

    def update(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def found(self) -> list[Diagnostic]:
        return list(self._found.values())


def render_route(
    route: Route, envs: Mapping[str, Environment], dirs: TemplateDirs, problems: Problems
) -> bytes | None:
    """The page's bytes, or None with its error added to `problems`."""
    try:
        template: Template = envs[route.lang].get_template(route.template)
        return template.render(route.context).encode("utf-8")
    except Exception as exc:  # a template may raise anything; report it at its line
        _report(exc, route, envs, dirs, problems)
        return None


def render_page(
    route: Route,
    envs: Mapping[str, Environment],
    dirs: TemplateDirs,
    problems: Problems,
    traced: bool,
) -> tuple[bytes, tuple[Span, ...] | None] | None:
    """The page's bytes and, when `traced` (its templates print summaries plainly), where
    it shows which summaries (traced.py; else None); None with its error added to
    `problems`."""
    if not traced:
        data = render_route(route, envs, dirs, problems)
        return None if data is None else (data, None)
    try:
        template: Template = envs[route.lang].get_template(route.template)
        with tracing():
            text = template.render(route.context)
        found = unmark(text)
        if found is None:  # (a mark changed: not when the templates print summaries plainly)
            return template.render(route.context).encode("utf-8"), None
        return found
    except Exception as exc:
        _report(exc, route, envs, dirs, problems)
        return None


def _report(
    exc: Exception,
    route: Route,
    envs: Mapping[str, Environment],
    dirs: TemplateDirs,
    problems: Problems,
) -> None:
    """A template may raise anything: report it at its line."""
    found = _runtime_error(exc, route, dirs)
    order = (list(envs).index(route.lang) if route.lang in envs else len(envs), route.path)
    problems.add(replace(found, order=order))


@dataclass(frozen=True, slots=True)
class TemplateReads:
    """What every template of an environment uses and shows, from one reading of them all."""

    closures: dict[str, tuple[str, ...]]
    """Each template with every template it extends, includes or imports."""
    digests: dict[str, bytes]
    """A hash of each template's source and of every template it uses, so that a page's key
    changes when any of them does (all templates count when a reference is a name in a
    variable, which Jinja cannot resolve before rendering)."""
    bodies: dict[str, BodyPaths | None]
    """The bodies each template's pages show (bodyreads.py)."""
    whole: frozenset[str] = frozenset()
    """The templates whose pages print each body they show unchanged (bodyreads.py)."""
    plain: frozenset[str] = frozenset()
    """The templates whose pages print summaries plainly (bodyreads.py, traced.py)."""
    unread: dict[str, frozenset[str]] = field(default_factory=dict)
    """The fields each template's pages never read, of those they may be keyed without
    (bodyreads.APART)."""


def read_templates(env: Environment) -> TemplateReads:
    sources: dict[str, bytes] = {}
    closures = template_closures(env, env.list_templates(), sources)
    digests = {}
    for name, used in closures.items():
        h = hashlib.blake2b(digest_size=16)
        for other in used:
            h.update(other.encode() + b"\0" + sources[other])
        digests[name] = h.digest()
    return TemplateReads(closures, digests, *closures_body_paths(env, closures))


def template_closures(
    env: Environment, names: Iterable[str], sources: dict[str, bytes] | None = None
) -> dict[str, tuple[str, ...]]:
    """For each template name: it and every template it extends, includes or imports, in
    order of their names (all templates when a reference is a name in a variable).
    `sources` is filled with the hash of each template's source."""
    assert env.loader is not None
    loader = env.loader
    hashes: dict[str, bytes] = {} if sources is None else sources
    references: dict[str, tuple[str | None, ...]] = {}

    def read(name: str) -> None:
        if name in hashes:
            return
        try:
            source = loader.get_source(env, name)[0]
            found = tuple(meta.find_referenced_templates(env.parse(source)))
        except Exception:  # missing or broken: rendering reports it; the key only must differ
            source, found = f"<unreadable {name}>", ()
        hashes[name] = digest(source.encode("utf-8"))
        references[name] = found
        for reference in found:
            if reference is not None:
                read(reference)

    def closure(name: str) -> set[str]:
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            read(current)
            for reference in references[current]:
                if reference is None:  # dynamic: every template may be used
                    return set(env.list_templates(filter_func=_is_template))
                pending.append(reference)
        return seen

    result = {}
    for name in dict.fromkeys(names):
        used = closure(name)
        for other in used:
            read(other)
        result[name] = tuple(sorted(used))
    return result


def _is_template(name: str) -> bool:
    return name.endswith(TEMPLATE_SUFFIXES)


def _runtime_error(exc: Exception, route: Route, dirs: TemplateDirs) -> Diagnostic:
    if isinstance(exc, TemplateSyntaxError):
        return error(
            "template",
            f"template syntax error: {exc.message}",
            SourcePos(dirs.shown(exc.filename), exc.lineno),
        )
    where = SourcePos(dirs.shown(None))
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix in TEMPLATE_SUFFIXES and (
            path.is_relative_to(dirs.site) or path.is_relative_to(dirs.theme)
        ):
            where = SourcePos(dirs.shown(frame.filename), frame.lineno)
            break
    else:
        where = SourcePos(f"templates/{route.template}")
    return error(
        "template",
        f"template error: {_readable(exc)}",
        where,
        f"first seen on {route.path}, rendered with {route.template}",
    )


def _readable(exc: Exception) -> str:
    """Jinja names objects by their Python class; editors know the names of views."""
    if isinstance(exc, TemplateNotFound):
        return f"'{exc.name}' does not exist (check the name in include/extends/import)"
    return re.sub(r"'allysite\.\w+\.(\w+) object'", r"\1", str(exc))
