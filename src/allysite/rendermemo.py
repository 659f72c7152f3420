"""Jinja made cheaper for a build: included templates remembered, escaping and gettext
without their layers of calls. The results are Jinja's own; only the work is saved (but for
translations, which are escaped unless their source is markup: install_translations).

This leans on Jinja's internals (its code generator, template class and context): the
dependency is held below Jinja 3.2 (pyproject.toml), and tests/unit/test_render_memo.py
checks every result against Jinja's plain rendering.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import is_dataclass
from typing import Any

from jinja2 import Environment, Template, meta, nodes, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Macro, missing
from jinja2.utils import _PassArg
from markupsafe import Markup, escape

from allysite.traced import Summary, tracing_now

try:  # markupsafe's own escaping of a str, the C version when it is built
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:  # pragma: no cover
    try:
        from markupsafe._native import _escape_inner as _escape_text
    except ImportError:  # a markupsafe without them: its public escape, the same text

        def _escape_text(text: str) -> str:
            return str(escape(text))


MEMO_LIMIT = 100_000
"""Outputs one template keeps (an include's memo); past it, the memo starts again (memory)."""
PER_PAGE_NAMES = frozenset({"page", "self", "loop", "caller", "varargs", "kwargs"})
"""Names whose value differs on every page or call: a template that reads one is never
reused (`page` is each route's own; the others are Jinja's own, and change as it runs)."""


class MemoTemplate(Template):
    """A template whose output is remembered when it reads only immutable values.

    On a list page every partner's card is an include of partials/card.html, and the same
    cards are on every term page and the home page: rendered once per language, each card is
    reused on all of them. A template qualifies when it extends, includes and imports nothing
    and defines no macro or block (see `memo_names`); its output is then a function of the
    values of the names it reads, which are the key, by identity. Only frozen values key
    (views, strings, numbers, macros, functions): an edited partner is a new view object, an
    edited template a new environment, so a stale output is never served. A value of any
    other type (a list, a loop) renders the template as usual."""

    _memo: dict[tuple[object, ...], tuple[tuple[object, ...], str, dict[str, Any]]]
    _memo_keys: tuple[str, ...] | None

    @classmethod
    def _from_namespace(cls, environment: Environment, namespace: Any, globals: Any) -> Template:
        namespace["escape"] = _escape  # the compiled code's, for every {{ value }}
        # A dict, not Jinja's ChainMap over the environment's globals: every context (an
        # include, an import) takes a set of its keys, and a ChainMap's are slow to list.
        # The environments' globals are all set before a template loads, as Jinja asks.
        globals = dict(globals)
        template = super()._from_namespace(environment, namespace, globals)
        assert isinstance(template, MemoTemplate)
        template._memo = {}
        template._memo_keys = None
        original = template.root_render_func
        template.root_render_func = functools.partial(_first_render, template, original)
        return template

    def _get_default_module(self, ctx: Context | None = None) -> Any:
        """The module an import without context gives. Its macros are made once, in a
        context that is finished when the import returns: they give the same output for the
        same arguments, so a remembered template may key by them (see `_keyable`)."""
        module = super()._get_default_module(ctx)
        if module is self._module:
            _finished_macros(self.environment).update(
                value for value in vars(module).values() if type(value) is Macro
            )
        return module

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Mapping[str, Any] | None = None,
    ) -> Context:
        """For a remembered template, a context made only when the output is not known yet
        (an include makes one per card: most of a remembered card's cost)."""
        if self._memo_keys is None:
            return super().new_context(vars, shared, locals)
        return _Pending(self, vars or {}, shared, locals)  # type: ignore[return-value]


class _Pending:
    """The context Jinja would make for a template, not made yet: what `_remembered` needs
    of it (the values of some names) is read from what it would be made of."""

    __slots__ = ("_locals", "_real", "_shared", "_template", "_vars", "exported")

    def __init__(self, template: Template, vars: dict[str, Any], shared: bool, locals: Any) -> None:
        self._template, self._vars, self._shared, self._locals = template, vars, shared, locals
        self._real: Context | None = None
        self.exported: dict[str, Any] = {}

    def value(self, name: str) -> Any:
        """What the context's resolve_or_missing(name) would give."""
        if self._locals:
            found = self._locals.get(name, missing)
            if found is not missing:
                return found
        found = self._vars.get(name, missing)
        if found is missing and not self._shared:
            return self._template.globals.get(name, missing)
        return found

    @property
    def environment(self) -> Environment:
        return self._template.environment

    def made(self) -> Context:
        if self._real is None:
            self._real = Template.new_context(
                self._template, self._vars, self._shared, self._locals
            )
        return self._real

    def get_exported(self) -> dict[str, Any]:
        """What an import of the template finds (TemplateModule asks it)."""
        if self._real is None:
            return dict(self.exported)
        return self._real.get_exported()


def _first_render(
    template: MemoTemplate, original: Callable[[Context], Iterator[str]], context: Context
) -> Iterator[str]:
    """Decide once whether the template qualifies, then render it the way that fits."""
    names = memo_names(template)
    if names is None:
        template.root_render_func = original
    else:
        template._memo_keys = names
        template.root_render_func = functools.partial(_remembered, template, original)
    return template.root_render_func(context)


def memo_names(template: Template) -> tuple[str, ...] | None:
    """The names a template reads from its context, or None if it may not be remembered."""
    env = template.environment
    if env.loader is None or template.name is None:
        return None
    # found once for all the language environments, which share their bytecode cache
    reads: dict[str, tuple[str, ...] | None] | None = getattr(env.bytecode_cache, "reads", None)
    if reads is not None and template.name in reads:
        return reads[template.name]
    try:
        source = env.loader.get_source(env, template.name)[0]
    except Exception:  # rendered as usual: its own error is reported there
        return None
    names = _source_names(env, source)
    if reads is not None:
        reads[template.name] = names
    return names


def _source_names(env: Environment, source: str) -> tuple[str, ...] | None:
    try:
        tree = env.parse(source)
    except Exception:
        return None
    if next(meta.find_referenced_templates(tree), False) is not False:
        return None
    if tree.find(nodes.Macro) or tree.find(nodes.Block) or tree.find(nodes.CallBlock):
        return None
    reads = _Reads(env)
    reads.visit(tree)
    if reads.names & PER_PAGE_NAMES:
        return None
    return tuple(sorted(reads.names))


class _Reads(CodeGenerator):
    """Every name a template looks up in its context (globals too: a page may hide one),
    found the way Jinja's meta.find_undeclared_variables does."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment, "<reads>", "<reads>")
        self.names: set[str] = set()

    def write(self, x: str) -> None:
        """Nothing is written: only the names are wanted."""

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        for action, param in frame.symbols.loads.values():
            if action == "resolve":
                self.names.add(param)


def _remembered(
    template: MemoTemplate,
    original: Callable[[Context], Iterator[str]],
    context: Context | _Pending,
) -> Iterator[str]:
    names = template._memo_keys
    assert names is not None
    if type(context) is _Pending:
        values = tuple(map(context.value, names))
    else:
        local, parent = context.vars, context.parent
        values = tuple([local[n] if n in local else parent.get(n, missing) for n in names])
    key = (tracing_now(), *map(id, values))  # (a traced output holds marks: traced.py)
    memo = template._memo
    kept = memo.get(key)
    if kept is not None:  # the entry holds its values: their ids are not reused meanwhile
        if kept[2]:  # what an import of it would find
            if type(context) is _Pending:
                context.exported = kept[2]
            else:
                context.vars.update(kept[2])
                context.exported_vars.update(kept[2])
        yield kept[1]
        return
    made = context.made() if type(context) is _Pending else context
    finished = _finished_macros(template.environment)
    if not all(_keyable(value, finished) for value in values):
        yield from original(made)
        return
    output = "".join(original(made))
    exported = {name: made.vars[name] for name in made.exported_vars}
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = (values, output, exported)
    yield output


def forget_outputs(env: Environment) -> None:
    """Drop the outputs that the environment's templates remember, with the values that key
    them (a build's process, once the environment's language is done: its views key no
    other language's pages, and kept they held every language's cards and views)."""
    for template in env.cache.values() if env.cache is not None else ():
        if isinstance(template, MemoTemplate):
            template._memo.clear()


def _escape(value: object) -> str:
    """markupsafe.escape, the same text, for the compiled code's output of a value only: it
    yields the result, or appends it to a buffer that is joined and then made Markup (a
    block assigned, a macro's or a filter block's body). So plain text comes back escaped as
    plain text, not copied into a Markup (a page escapes a few hundred values)."""
    kind = type(value)
    if kind is str:
        return _escape_text(value)  # type: ignore[no-any-return]
    if kind is Markup:
        return value  # type: ignore[return-value]
    if kind is Summary:  # (its __html__ without its Markups)
        return value.printed(_escape_text(str(value)))  # type: ignore[attr-defined]
    return escape(value)


def _finished_macros(env: Environment) -> set[Macro]:
    """The macros of the environment's cached modules."""
    found: set[Macro] | None = getattr(env, "allysite_finished_macros", None)
    if found is None:
        found = set()
        env.extend(allysite_finished_macros=found)
    return found


def _keyable(value: object, finished: set[Macro]) -> bool:
    """Whether a value's identity stands for what a template shows of it: a frozen value, a
    finished macro, a function that is not given the caller's context (it could read any
    name of it, not only the template's own)."""
    kind = type(value)
    if kind is Macro:  # a macro of the page itself reads the page's context as it changes
        return value in finished
    if not _is_frozen(kind):
        return False
    return getattr(value, "jinja_pass_arg", None) is not _PassArg.context


@functools.cache
def _is_frozen(kind: type) -> bool:
    """Whether values of a type never change."""
    if kind in (str, int, float, bool, type(None), type(missing), Markup, type):
        return True
    if kind in (types.FunctionType, types.BuiltinFunctionType):
        return True
    if is_dataclass(kind):
        return bool(kind.__dataclass_params__.frozen)  # type: ignore[attr-defined]
    return False


def install_translations(env: Environment, translations: Any) -> None:
    """Jinja's newstyle gettext, with `_`, `gettext` and `ngettext` made cheaper: a page
    calls them a dozen times, and Jinja's own go through three calls each (`_` looks up
    `gettext`, which calls the catalog's through the context). A message without values is
    translated once per environment.

    One difference from Jinja's, where autoescape is on: Jinja takes every translation as
    markup, so a translator's `<script>`, or a quote in a translation shown in an attribute,
    went into the page as written. Here a translation is markup only when its source text
    is (catalog_checks.is_markup, whose check leaves out a translation with other tags than
    its source's); any other is escaped, as a value would be."""
    from allysite.catalog_checks import is_markup  # (here: only a build that renders needs it)

    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    # the catalog's functions that Jinja's install picks
    gettext = _gettext_function(getattr(translations, "ugettext", translations.gettext), is_markup)
    env.globals.update(_=gettext, gettext=gettext)
    ngettext = getattr(translations, "ungettext", translations.ngettext)
    env.globals["ngettext"] = _ngettext_function(ngettext, is_markup)


def _gettext_function(
    translate: Callable[[str], str], is_markup: Callable[[str], bool]
) -> Callable[..., str]:
    done: dict[tuple[bool, str], str] = {}

    @pass_eval_context
    def gettext(__eval: EvalContext, __string: str, **variables: Any) -> str:
        autoescape = __eval.autoescape
        if not variables:
            found = done.get((autoescape, __string))
            if found is not None:
                return found
        text = translate(__string)
        if autoescape:
            text = Markup(text) if is_markup(__string) else escape(text)
        result: str = text % variables
        if not variables:
            done[(autoescape, __string)] = result
        return result

    return gettext


def _ngettext_function(
    translate: Callable[[str, str, int], str], is_markup: Callable[[str], bool]
) -> Callable[..., str]:
    @pass_eval_context
    def ngettext(
        __eval: EvalContext, __singular: str, __plural: str, __num: int, **variables: Any
    ) -> str:
        variables.setdefault("num", __num)
        text = translate(__singular, __plural, __num)
        if __eval.autoescape:
            markup = is_markup(__singular) or is_markup(__plural)
            text = Markup(text) if markup else escape(text)
        return text % variables  # type: ignore[no-any-return]

    return ngettext
