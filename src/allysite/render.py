"""Routes into OutputFiles through Jinja2: the site's templates over the packaged theme.

Autoescape is on and undefined names are errors. Interface strings go through gettext with
Jinja's i18n extension (newstyle: substituted values are escaped too); each language gets an
overlay of one environment with its own catalog installed.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
    select_autoescape,
)
from jinja2.bccache import Bucket

from allysite.errors import Diagnostic, SourcePos, error
from allysite.i18n import Catalogs
from allysite.plan import Route

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".j2")


@dataclass(frozen=True, slots=True)
class OutputFile:
    out_path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class TemplateDirs:
    site: Path
    theme: Path

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
    environment loads them instead of parsing and compiling every template again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def make_environment(
    dirs: TemplateDirs, bytecode_cache: BytecodeCache | None = None
) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(dirs.site), FileSystemLoader(dirs.theme)]),
        autoescape=select_autoescape(("html", "xml", "j2"), default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=bytecode_cache,
    )
    env.policies["ext.i18n.trimmed"] = True
    # Set before compiling: {% trans %} compiles differently for newstyle gettext, and the
    # compiled code is shared through the bytecode cache.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    return env


def compile_templates(env: Environment, dirs: TemplateDirs) -> list[Diagnostic]:
    """Compile every template of the theme and the site, so a broken one fails every build."""
    problems = []
    for name in env.list_templates(filter_func=lambda n: n.endswith(TEMPLATE_SUFFIXES)):
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
    return problems


def language_environments(
    dirs: TemplateDirs, catalogs: Catalogs, bytecode_cache: BytecodeCache
) -> dict[str, Environment]:
    """One environment per language: gettext is installed into an environment's globals,
    which every template of that environment binds to (overlays would share them)."""
    result = {}
    for code, translations in catalogs.translations.items():
        env = make_environment(dirs, bytecode_cache)
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        result[code] = env
    return result


def render_routes(
    routes: Iterable[Route], envs: Mapping[str, Environment], dirs: TemplateDirs
) -> tuple[list[OutputFile], list[Diagnostic]]:
    outputs: list[OutputFile] = []
    problems: dict[tuple[str, int | None, str], Diagnostic] = {}
    templates: dict[tuple[str, str], Template] = {}
    for route in routes:
        env = envs[route.lang]
        try:
            key = (route.lang, route.template)
            if key not in templates:
                templates[key] = env.get_template(route.template)
            text = templates[key].render(route.context)
        except Exception as exc:  # a template may raise anything; report it at its line
            diagnostic = _runtime_error(exc, route, dirs)
            assert diagnostic.pos is not None
            problems.setdefault(
                (diagnostic.pos.path, diagnostic.pos.line, diagnostic.message), diagnostic
            )
            continue
        outputs.append(OutputFile(route.out_path, text.encode("utf-8")))
    return outputs, list(problems.values())


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
