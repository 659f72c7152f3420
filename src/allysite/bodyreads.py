"""Which texts' bodies a template shows: what lets a page be keyed by what it shows.

A profile's body is most of what it weighs, and few pages show it: its own page does, but
the home page and the term pages only show its card (name, summary, terms, logo). So a
page's key hashes its context without the bodies of the texts in it (fingerprints.py:
`leave_out`), then the bodies its template reads, found here by reading the template with
all it extends, includes and imports: `partner.item.body_html`, say. An edit of a profile's
body then renders its own pages again, not every list that carries its card.

The answer must never miss a read, so anything this cannot follow makes it give up (None),
and the page is keyed with every body in its context, as before:

- `body_html` anywhere but at the end of a plain chain of names (a filter's argument, a
  string, a comment...);
- a chain whose first name a template binds in any other way than one top-level
  `{% set %}` to another plain chain (a loop variable, a macro's argument, `with`);
- an attribute or item that is looked up by a computed name (`x[name]`, `attr(name)`,
  `map(attribute=name)`): except in the site view's own text mappings, which hold no texts;
- a name that starts with an underscore (Python's own attributes).

A view printed whole (`{{ partner.item }}`) does not show its body: it is left out of the
view's repr (views.ItemView).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

from jinja2 import Environment, nodes

BODY = "body_html"
"""The field of views.ItemView that holds a text's body."""
BodyPaths = tuple[tuple[str, ...], ...]
"""Context paths of the texts whose bodies a page shows: (('partner', 'item'),)."""

SITE_MAPPINGS = frozenset({"homes", "language_names", "og_locales", "asset_hrefs"})
"""Mappings of routes.SiteView from language codes or file names to text: looked up by a
computed key (`site.language_names[item.text_lang.code]`), they can give no view."""
NAME_FILTERS = frozenset(
    {"attr", "map", "selectattr", "rejectattr", "sort", "groupby", "unique", "sum", "min", "max"}
)
"""Filters and tests that look attributes up by a name given as an argument."""


class Unknown(Exception):
    """A read this analysis cannot follow."""


def body_paths(
    env: Environment, templates: Iterable[str], known: dict[str, _Reading | None] | None = None
) -> BodyPaths | None:
    """The context paths whose bodies `templates` (a page's template with every template it
    uses) read, or None when that cannot be known. `known`: each template's reading, kept
    from one call to the next (a partial is in the closure of every page)."""
    readings = []
    known = {} if known is None else known
    for name in templates:
        if name not in known:
            known[name] = _read(env, name)
        reading = known[name]
        if reading is None:
            return None
        readings.append(reading)
    bindings: dict[str, list[Binding]] = {}
    for reading in readings:
        for name, found in reading.bindings.items():
            bindings.setdefault(name, []).extend(found)
    if "site" in bindings:  # (its text mappings are only known while it is the site view)
        return None
    paths: dict[tuple[str, ...], None] = {}
    try:
        for reading in readings:
            for read in reading.reads:
                paths[_resolve(_chain(read.node), bindings, reading.tree, read)] = None
    except Unknown:
        return None
    return tuple(paths)


def closures_body_paths(
    env: Environment, closures: Mapping[str, Iterable[str]]
) -> tuple[dict[str, BodyPaths | None], frozenset[str], frozenset[str], dict[str, frozenset[str]]]:
    """`body_paths` of each template, with what it uses, the templates whose closures print
    bodies whole (`prints_whole`), those whose closures print summaries plainly
    (`prints_summaries_plainly`) and the fields of APART that each closure never reads
    (`reads_none_of`): each template read once, for every closure."""
    known: dict[str, _Reading | None] = {}
    paths = {name: body_paths(env, used, known) for name, used in closures.items()}
    whole = frozenset(  # (only where pages show bodies: most show none)
        name
        for name, used in closures.items()
        if paths[name] and prints_whole([known[other] for other in used])
    )

    def reading(name: str) -> _Reading | None:
        if name not in known:
            known[name] = _read(env, name)
        return known[name]

    plain: set[str] = set()
    unread = {}
    for name, used in closures.items():
        readings = [reading(other) for other in used]
        if all(_escaped(env, other) for other in used) and prints_summaries_plainly(readings):
            plain.add(name)
        unread[name] = frozenset(field for field in APART if reads_none_of(field, readings))
    return paths, whole, frozenset(plain), unread


TERMS = "terms"
"""The field of views.TaxonomyView that holds its terms, with how many partners have each."""
WEBSITE = "website"
"""The field of views.PartnerView that holds its website, which its own page alone shows."""
APART = (TERMS, WEBSITE)
"""Fields that a page is keyed without when its templates never read them (their views
leave them out of their repr): the counts of partners by term, which change with every
partner added, deleted or moved to another term, are shown by the lists alone; a website
by its partner's page alone (publish.py: SiteKeys, PageKeys.apart)."""


def reads_none_of(field: str, readings: Iterable[_Reading | None]) -> bool:
    """Whether these templates (a page's with all it uses) never read the field: its name is
    in none of their expressions (not as an attribute, an item, a filter's argument, a name
    or in a string: `_mentions`; text around the tags reads nothing), and no attribute or
    item is looked up by a computed name (`_read`). A view printed whole does not show it
    (the field is left out of the view's repr)."""
    return all(reading is not None and field not in reading.mentions for reading in readings)


def _mentions(tree: nodes.Template) -> frozenset[str]:
    """The fields of APART that the template's expressions name, in any way."""
    found: set[str] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Const, nodes.Name, nodes.Keyword, nodes.NSRef)):
        if isinstance(node, nodes.Getattr | nodes.NSRef):
            text = node.attr
        elif isinstance(node, nodes.Const):
            text = node.value if isinstance(node.value, str) else ""
        elif isinstance(node, nodes.Name):
            text = node.name
        else:
            text = node.key
        found.update(field for field in APART if field in text)
    return frozenset(found)


SUMMARY = "summary"
"""The field of views.ItemView that holds a text's summary (a traced.Summary)."""
STRUCTURED = "structured_data"
"""The name of a profile's structured data in its page's context, which holds its summary."""


def prints_summaries_plainly(readings: Iterable[_Reading | None]) -> bool:
    """Whether these templates (a page's with all it uses) show summaries only where they
    print them as they are. Every read of a `summary` attribute is either printed
    (`{{ item.summary }}`, `{{ item.summary or "" }}`) or only tested for being empty (`{%
    if item.summary %}`, with `and`, `or`, `not`), every read of `structured_data` is
    printed, none is in a capture (CAPTURES) or in a block rendered into a value, no string
    names either (`attr("summary")`, `map(attribute="summary")`), and autoescaping is never
    turned off in a template. Then each summary a page shows is in it in one of the forms
    of traced.py, exactly where its mark was, and an edit that keeps it non-empty changes
    nothing else of the page (views leave it out of their repr)."""
    return _printed_throughout(None if r is None else r.summaries for r in readings)


def _escaped(env: Environment, name: str) -> bool:
    """Whether Jinja escapes what a template prints (the marks: traced.Summary.__html__)."""
    choice = env.autoescape
    return bool(choice(name) if callable(choice) else choice)


def _summary_reads(tree: nodes.Template) -> list[nodes.Node] | None:
    """The template's reads of summaries and structured data; None when a string names
    them, or autoescaping is turned off."""
    reads: list[nodes.Node] = []
    keys: set[int] = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        if isinstance(node, nodes.Getattr) and node.attr == SUMMARY:
            reads.append(node)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if node.arg.value == SUMMARY:
                reads.append(node)
                keys.add(id(node.arg))
        elif isinstance(node, nodes.Name) and node.name == STRUCTURED:
            if node.ctx != "load":
                return None
            reads.append(node)
    for const in tree.find_all(nodes.Const):
        named = isinstance(const.value, str) and id(const) not in keys
        if named and (SUMMARY in const.value or STRUCTURED in const.value):
            return None
    if any(True for _ in tree.find_all(nodes.EvalContextModifier)):
        return None
    return reads


def _summaries_printing(tree: nodes.Template) -> _Printing:
    reads = _summary_reads(tree)
    if reads is None:
        return _Printing(False, frozenset(), frozenset())
    parents: dict[int, nodes.Node] = {}
    for node in (tree, *tree.find_all(nodes.Node)):
        for child in node.iter_child_nodes():
            parents[id(child)] = node
    return _printing(tree, reads, lambda read: _plainly_used(read, parents))


def _plainly_used(read: nodes.Node, parents: Mapping[int, nodes.Node]) -> bool:
    """Printed as it is (alone, or before `or` and a string), or only tested for being
    empty by an `if`."""
    parent = parents.get(id(read))
    if isinstance(parent, nodes.Output):
        return True
    if (
        isinstance(parent, nodes.Or)
        and parent.left is read
        and isinstance(parent.right, nodes.Const)
        and isinstance(parent.right.value, str)
        and isinstance(parents.get(id(parent)), nodes.Output)
    ):
        return True
    if isinstance(read, nodes.Name):  # (structured data: printed only)
        return False
    node = read
    while isinstance(parent, nodes.And | nodes.Or | nodes.Not):
        node, parent = parent, parents.get(id(parent))
    return isinstance(parent, nodes.If) and parent.test is node


CAPTURES = (nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.AssignBlock)
"""What renders template code into a value that the template may then change (`{% set x
%}...{% endset %}`, `{% filter upper %}`, a macro or a call block)."""


def prints_whole(readings: Iterable[_Reading | None]) -> bool:
    """Whether these templates (a page's with all it uses) put each body they read into the
    page unchanged: every read is printed as it is (`{{ item.body_html }}`, no filter, no
    test, no condition), and no code that reads a body, includes a template or holds a block
    is rendered into a value (CAPTURES; a block called as `self.name()`, or whose parent's
    version is called with `super()`). A page of such templates is the same text around
    each body it shows: bodyedit.py puts an edited body in its place."""
    return _printed_throughout(None if r is None else r.printing for r in readings)


def _printed_throughout(printings: Iterable[_Printing | None]) -> bool:
    """Whether each template prints what it reads as its printing says (None: unknown), and
    no block that holds a read, an include or a block is rendered into a value."""
    captured: set[str] = set()
    holding: set[str] = set()
    for printing in printings:
        if printing is None or not printing.printed:
            return False
        captured |= printing.captured
        holding |= printing.holding
    return not captured & holding


def _printing(
    tree: nodes.Template,
    reads: Iterable[nodes.Node],
    plainly: Callable[[nodes.Node], bool] | None = None,
) -> _Printing:
    """How a template prints what it reads: each read used `plainly` (by default, printed
    as it is: `{{ item.body_html }}`), none in a capture, and its blocks' captures."""
    printed = {id(child) for output in tree.find_all(nodes.Output) for child in output.nodes}

    def as_it_is(read: nodes.Node) -> bool:
        return id(read) in printed

    reads = list(reads)
    inside = {
        id(node) for holder in tree.find_all(CAPTURES) for node in holder.find_all(nodes.Node)
    }
    held = (*reads, *tree.find_all((nodes.Include, nodes.Block)))
    captured = {
        call.node.attr
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Getattr) and _named(call.node.node, "self")
    }
    holding = set()
    for block in tree.find_all(nodes.Block):
        if any(_named(call.node, "super") for call in block.find_all(nodes.Call)):
            captured.add(block.name)
        within = {id(node) for node in block.find_all(nodes.Node)}
        if any(id(node) in within for node in held):
            holding.add(block.name)
    return _Printing(
        all(map(plainly or as_it_is, reads)) and not any(id(node) in inside for node in held),
        frozenset(captured),
        frozenset(holding),
    )


def _named(node: nodes.Node, name: str) -> bool:
    return isinstance(node, nodes.Name) and node.name == name


@dataclass(frozen=True)
class _Reading:
    """What one template reads: its tree, the names it binds, its reads of a body."""

    tree: nodes.Template
    bindings: dict[str, list[Binding]]
    reads: tuple[nodes.Getattr | nodes.Getitem, ...]
    mentions: frozenset[str] = frozenset(APART)
    """The fields of APART its expressions name (reads_none_of)."""

    @cached_property
    def printing(self) -> _Printing:
        """How it prints bodies: found once, when a page shows one (prints_whole)."""
        return _printing(self.tree, self.reads)

    @cached_property
    def summaries(self) -> _Printing:
        """How it prints summaries (prints_summaries_plainly)."""
        return _summaries_printing(self.tree)


@dataclass(frozen=True)
class _Printing:
    """How one template prints bodies (see prints_whole), found once for every closure."""

    printed: bool
    """Every body read is printed as it is, and none is in a capture (CAPTURES)."""
    captured: frozenset[str]
    """The blocks it renders into a value (`self.name()`, or holding a `super()` call)."""
    holding: frozenset[str]
    """Its blocks that hold a body read, an include or another block."""


def _read(env: Environment, name: str) -> _Reading | None:
    """The template's reading; None when it has a read this cannot follow."""
    try:
        assert env.loader is not None
        source = env.loader.get_source(env, name)[0]
        tree = env.parse(source)
        reads = tuple(_body_reads(tree))
        if source.count(BODY) != len(reads):  # in a string, a comment, a filter's argument
            return None
        _check_lookups(tree)
        return _Reading(tree, _bindings([tree]), reads, _mentions(tree))
    except Unknown:
        return None
    except Exception:  # an unreadable template: rendering reports it; the key must be exact
        return None


def _body_reads(tree: nodes.Template) -> Iterator[nodes.Getattr | nodes.Getitem]:
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            if node.attr == BODY:
                yield node
        elif isinstance(node.arg, nodes.Const) and node.arg.value == BODY:
            yield node


def _chain(node: nodes.Node) -> tuple[str, ...]:
    """`partner.item` as ('partner', 'item'); anything else is Unknown."""
    names: list[str] = []
    while True:
        if isinstance(node, nodes.Name):
            return (node.name, *reversed(names))
        if isinstance(node, nodes.Getattr):
            names.append(node.attr)
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if not isinstance(node.arg.value, str):
                raise Unknown("an item looked up by a number")
            names.append(node.arg.value)
        else:
            raise Unknown(f"a body read from {type(node).__name__}")
        node = node.node


Binding = tuple[nodes.Template, "nodes.Node | None", "nodes.Node | None"]
"""Where a name is bound: its template, the loop, macro, block or `with` it is local to
(None: the template's own names), and the value of a top-level `{% set %}` (None: any
other binding)."""
SCOPES = (nodes.Macro, nodes.CallBlock, nodes.For, nodes.With, nodes.Block)
"""Nodes whose names are their own: a name bound in one is unknown outside it."""


def _scopes(tree: nodes.Template) -> dict[int, nodes.Node]:
    """The innermost scope each node is in, by the node's id."""
    inside: dict[int, nodes.Node] = {}
    for scope in tree.find_all(SCOPES):  # outer ones first: inner ones then overwrite
        for node in scope.find_all(nodes.Node):
            inside[id(node)] = scope
    return inside


def _bindings(trees: Iterable[nodes.Template]) -> dict[str, list[Binding]]:
    """Every name the templates bind, and where."""
    found: dict[str, list[Binding]] = {}
    for tree in trees:
        inside = _scopes(tree)
        top = {id(node.target): node.node for node in tree.body if isinstance(node, nodes.Assign)}
        for node in tree.find_all(nodes.Name):
            if node.ctx in ("store", "param"):
                binding = (tree, inside.get(id(node)), top.get(id(node)))
                found.setdefault(node.name, []).append(binding)
    return found


def _resolve(
    chain: tuple[str, ...],
    bindings: Mapping[str, list[Binding]],
    tree: nodes.Template,
    read: nodes.Node,
    depth: int = 0,
) -> tuple[str, ...]:
    """The chain as a path from the page's context: its first name followed to what a
    top-level `set` gave it, when that is the only binding of the name where it is read
    (the names of a loop, macro, block or `with` count only inside it)."""
    bound = [
        binding
        for binding in bindings.get(chain[0], [])
        if binding[1] is None or (binding[0] is tree and _within(read, binding[1]))
    ]
    if not bound:
        return chain  # a name of the page's context
    if len(bound) > 1 or bound[0][0] is not tree or bound[0][2] is None or depth > 8:
        raise Unknown(f"'{chain[0]}' is bound in a way this cannot follow")
    value = bound[0][2]
    return _resolve((*_chain(value), *chain[1:]), bindings, tree, value, depth + 1)


def _within(node: nodes.Node, scope: nodes.Node) -> bool:
    return any(inner is node for inner in scope.find_all(type(node)))


def _check_lookups(tree: nodes.Template) -> None:
    """Unknown for any lookup by a computed or private name that could reach a body."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Test)):
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise Unknown("a private attribute")
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Const):
                if isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
                    raise Unknown("a private attribute")
            elif not _site_mapping(node.node):
                raise Unknown("an item looked up by a computed name")
        if isinstance(node, nodes.Filter | nodes.Test) and node.name in NAME_FILTERS:
            values = [*node.args, *(pair.value for pair in node.kwargs)]
            if node.dyn_args is not None or node.dyn_kwargs is not None:
                raise Unknown(f"'{node.name}' with computed arguments")
            if not all(isinstance(value, nodes.Const) for value in values):
                raise Unknown(f"'{node.name}' with a computed attribute name")
            if any(str(value.value).startswith("_") for value in values):  # type: ignore[attr-defined]
                raise Unknown("a private attribute")  # (`attr("__getattribute__")`)


def _site_mapping(node: nodes.Node) -> bool:
    """`site.language_names` and the site view's other text mappings."""
    return (
        isinstance(node, nodes.Getattr)
        and node.attr in SITE_MAPPINGS
        and isinstance(node.node, nodes.Name)
        and node.node.name == "site"
    )


def bodies_at(context: Mapping[str, object], paths: BodyPaths | None) -> tuple[str, ...] | None:
    """The bodies at `paths` in a page's context (None when one is not there to be found, or
    the paths are not known)."""
    texts = None if paths is None else texts_at(context, paths)
    return None if texts is None else tuple(getattr(text, BODY) for text in texts)


def texts_at(context: Mapping[str, object], paths: BodyPaths) -> tuple[object, ...] | None:
    """The values at `paths` in a page's context whose bodies it shows (views.ItemView), or
    None when one is not there."""
    found = []
    for path in paths:
        value = context.get(path[0])
        for name in path[1:]:
            value = getattr(value, name, None)
        if not isinstance(getattr(value, BODY, None), str):
            return None
        found.append(value)
    return tuple(found)


def same_but_bodies(old: object, new: object) -> bool:
    """Whether two values (a page's contexts) are equal but for the bodies of their texts:
    the same objects, or values of the same types with the same fields, items and text."""
    if old is new:
        return True
    kind = type(old)
    if kind is not type(new):
        return False
    if kind is tuple or kind is list:
        return len(old) == len(new) and all(map(same_but_bodies, old, new))  # type: ignore[arg-type]
    if kind is dict or kind is MappingProxyType:
        return old.keys() == new.keys() and all(  # type: ignore[attr-defined]
            same_but_bodies(old[key], new[key])  # type: ignore[index]
            for key in old  # type: ignore[attr-defined]
        )
    if dataclasses.is_dataclass(old):
        return all(
            field.name == BODY
            or same_but_bodies(getattr(old, field.name), getattr(new, field.name))
            for field in dataclasses.fields(old)
        )
    return bool(old == new)
