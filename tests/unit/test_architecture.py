"""Architecture: a one-way pipeline of modules, only the CLI prints, no module-level state.

Each module of src/allysite is parsed with `ast` (never imported for this), so the rules hold
for code paths that tests do not run, such as imports inside functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import allysite

PACKAGE = Path(allysite.__file__).parent

# Lower layers first: a module may import only modules listed before it.
LAYERS: tuple[str, ...] = (
    "errors",
    "fingerprints",
    "memo",
    "inputindex",
    "cache",
    "workers",
    "mediatypes",
    "traced",
    "urls",
    "textrules",
    "textfile",
    "plainyaml",
    "sourcefile",
    "model",
    "languages",
    "catalog_checks",
    "schema",
    "config",
    "markdownlimits",
    "markup",
    "itemfiles",
    "loader",
    "i18n",
    "catalogs",
    "stale",
    "svgclean",
    "images",
    "collation",
    "views",
    "status",
    "status_report",
    "sharing",
    "assets",
    "pagemeta",
    "copies",
    "routes",
    "siteroutes",
    "plan",
    "bodyreads",
    "rendermemo",
    "render",
    "sitemap",
    "feeds",
    "hosting",
    "search",
    "swap",
    "output",
    "bodyedit",
    "publish",
    "pipeline",
    "sitefiles",
    "buildwork",
    "build",
    "preview",
    "watching",
    "serverpages",
    "serverhandlers",
    "server",
    "lints",
    "check",
    "scaffold",
    "deploy",
    "terminal",
    "cli_i18n",
    "cli_editor",
    "cli",
    "launch",
)
# The package itself holds only metadata (__version__): below every layer. `python -m
# allysite` runs the command line: above every layer.
RANK: dict[str, int] = {"__init__": -1, **{name: i for i, name in enumerate(LAYERS)}}
RANK["__main__"] = len(LAYERS)

MODULES = sorted(path.stem for path in PACKAGE.glob("*.py"))

# Module-level values that hold no mutable state.
ALLOWED_CALLS = frozenset(
    {
        "frozenset",
        "tuple",
        "MappingProxyType",
        "types.MappingProxyType",
        "re.compile",
        "TypeVar",
        "typing.TypeVar",
        "Path",  # pathlib paths are immutable values
        "pathlib.Path",
        "version",  # importlib.metadata.version: a str, for __version__
        "ContextVar",  # set and reset around one call, as a `with` (traced.tracing)
    }
)


def parse(module: str) -> ast.Module:
    path = PACKAGE / f"{module}.py"
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def imported_modules(module: str) -> set[str]:
    """The allysite modules a module imports, anywhere in it (function bodies included)."""
    found: set[str] = set()
    for node in ast.walk(parse(module)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "allysite":
                    found.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x / from .x import y
                base = node.module.split(".")[0] if node.module else None
            elif node.module and node.module.split(".")[0] == "allysite":
                parts = node.module.split(".")
                base = parts[1] if len(parts) > 1 else None
            else:
                continue
            if base is not None:
                found.add(base)
            else:  # from allysite import x: x is a module or a name of __init__
                for alias in node.names:
                    found.add(alias.name if alias.name in RANK else "__init__")
    found.discard(module)
    return found


def test_every_module_has_a_layer() -> None:
    assert set(MODULES) == set(RANK), "place new modules in LAYERS"


def test_import_scanner_sees_lazy_and_package_imports() -> None:
    # terminal imports build inside a function, and cli __version__ from the package.
    assert {"build", "errors"} <= imported_modules("terminal")
    assert "__init__" in imported_modules("cli")
    assert imported_modules("views") >= {"urls", "config", "i18n", "languages", "model"}


@pytest.mark.parametrize("module", MODULES)
def test_imports_go_one_way(module: str) -> None:
    upward = sorted(
        name for name in imported_modules(module) if RANK.get(name, len(RANK)) >= RANK[module]
    )
    assert upward == [], f"{module} imports modules of its own or a higher layer: {upward}"


# --- printing ------------------------------------------------------------------------------------


def output_calls(tree: ast.Module) -> Iterator[tuple[int, str]]:
    click_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "click":
            click_names |= {alias.asname or alias.name for alias in node.names}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func) or ""
        last = name.rsplit(".", 1)[-1]
        if (
            name in ("print", "pprint", "pprint.pprint")
            or last in ("echo", "secho")
            or name in ("sys.stdout.write", "sys.stderr.write", "os.write")
            or (name in click_names and name in ("echo", "secho", "echo_via_pager"))
        ):
            yield node.lineno, name


# The command line: the root command, its command groups and what they show.
CLI_MODULES = frozenset({"cli", "cli_i18n", "cli_editor", "terminal", "launch"})


@pytest.mark.parametrize("module", MODULES)
def test_only_cli_prints(module: str) -> None:
    calls = list(output_calls(parse(module)))
    if module in CLI_MODULES:
        assert calls, "the scanner should find the CLI's own output calls"
    else:
        assert calls == [], f"{module} writes to the terminal: {calls}"


def test_rich_and_click_only_in_cli() -> None:
    for module in MODULES:
        if module in CLI_MODULES:
            continue
        for node in ast.walk(parse(module)):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert name.split(".")[0] not in ("rich", "click"), f"{module} imports {name}"


# --- module-level state -------------------------------------------------------------------------


def immutable_value(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return immutable_value(node.operand)
    if isinstance(node, ast.BinOp):  # 5 * 1024, str | None, Path(...) / "theme"
        return immutable_value(node.left) and immutable_value(node.right)
    if isinstance(node, ast.Tuple):
        return all(immutable_value(element) for element in node.elts)
    if isinstance(node, ast.Name | ast.Attribute):
        # A reference (yaml.CSafeLoader, Path(...).parent): an attribute of a call is only
        # as immutable as the call.
        if isinstance(node, ast.Attribute) and not isinstance(node.value, ast.Name | ast.Attribute):
            return immutable_value(node.value)
        return True
    if isinstance(node, ast.Subscript):  # type aliases: tuple[str, ...], Annotated[...]
        return True
    if isinstance(node, ast.Call):
        return dotted(node.func) in ALLOWED_CALLS
    return False  # list, dict, set literals, comprehensions, lambdas...


def module_level_assignments(body: list[ast.stmt]) -> Iterator[tuple[int, str, ast.expr]]:
    """Assignments run at import time: the module body and its if/try/with/loop blocks."""
    for statement in body:
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                yield statement.lineno, ast.unparse(target), statement.value
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
            if statement.value is not None:  # `name: int` alone assigns nothing
                yield statement.lineno, ast.unparse(statement.target), statement.value
        elif isinstance(statement, ast.If | ast.For | ast.While):
            yield from module_level_assignments(statement.body)
            yield from module_level_assignments(statement.orelse)
        elif isinstance(statement, ast.With):
            yield from module_level_assignments(statement.body)
        elif isinstance(statement, ast.Try):
            yield from module_level_assignments(statement.body)
            for handler in statement.handlers:
                yield from module_level_assignments(handler.body)
            yield from module_level_assignments(statement.orelse)
            yield from module_level_assignments(statement.finalbody)


def mutable_state(module: str) -> list[str]:
    tree = parse(module)
    found = [
        f"line {line}: {target} = {ast.unparse(value)[:60]}"
        for line, target, value in module_level_assignments(tree.body)
        if not immutable_value(value)
    ]
    found += [
        f"line {node.lineno}: global {', '.join(node.names)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Global)
    ]
    return found


def test_state_scanner_flags_mutable_values() -> None:
    samples = {
        "A = []": False,
        "A: dict[str, int] = {}": False,
        "A = {1}": False,
        "A = dict(x=1)": False,
        "A = [x for x in 'ab']": False,
        "A = (1, 'a', -2, 5 * 1024)": True,
        "A = frozenset({'a'})": True,
        "A = re.compile('x')": True,
        "A = MappingProxyType({'a': 1})": True,
        "A = tuple[str | int, ...]": True,
        "A = Path(__file__).parent / 'theme'": True,
        "A = Path(__file__).parent / make()": False,
        "A = make().attribute": False,
    }
    for source, expected in samples.items():
        value = ast.parse(source).body[0]
        assert isinstance(value, ast.Assign | ast.AnnAssign) and value.value is not None
        assert immutable_value(value.value) is expected, source


@pytest.mark.parametrize("module", MODULES)
def test_no_module_level_mutable_state(module: str) -> None:
    assert mutable_state(module) == []
