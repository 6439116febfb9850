"""The house rules of the code base (docs: ARCHITECTURE.md; issue 11), read from the source with ``ast``:

1. no import circle among ``search_coord`` modules (``if TYPE_CHECKING:`` imports do not count);
2. no import inside a function body, except where ``ALLOWED_FUNCTION_IMPORTS`` says why;
3. no use of another module's private name (``module._name``, ``from module import _name``);
4. no Python module in ``search_coord`` and no JavaScript file in ``static/js`` over ``MAX_LINES`` lines.

Each allow-list names its entries and the reason; an entry that no longer offends fails the test, so the lists only
shrink. The lead empties ``IN_PROGRESS`` when issue 11 is done.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "search_coord"
JS = ROOT / "static" / "js"
MAX_LINES = 400

#: Functions that may import inside their body: (file, function, or "*" for the whole file) -> why.
ALLOWED_FUNCTION_IMPORTS: dict[tuple[str, str], str] = {
    ("search_coord/__init__.py", "*"): "the app factory and its register_* helpers: Flask, the adapters and the "
                                       "edges load only when an app is built, so `import search_coord.core` stays "
                                       "pure (tests/core/test_purity.py)",
    ("search_coord/cli.py", "*"): "command-line entry points: each command loads the app and the services it runs",
    ("search_coord/web/__init__.py", "register_web"): "registers the blueprints when the app is built",
    ("search_coord/adapters/geocoder.py", "__init__"): "geopy (network) loads only when the real geocoder is made; "
                                                        "tests never make one",
    ("search_coord/adapters/presence.py", "*"): "redis is an optional extra, loaded only when the message queue is "
                                                "Redis",
}

#: Files that break a rule while another engineer is still working on them (issue 11): file -> why.
#: The lead empties this list at the end of issue 11.
IN_PROGRESS: dict[str, str] = {
}

#: Files over MAX_LINES lines: file -> why. An entry whose file is gone or short again fails
#: ``test_allow_lists_are_current``, so the list only shrinks.
ALLOWED_LONG: dict[str, str] = {
}


def _allowed(path: Path, func: str | None) -> bool:
    rel = _rel(path)
    return func is None or (rel, func) in ALLOWED_FUNCTION_IMPORTS or (rel, "*") in ALLOWED_FUNCTION_IMPORTS


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, tuple[Path, ast.Module]]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:   # Alembic scripts are loaded by Alembic, not imported
            continue
        out[_module_name(path)] = (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.Module):
    """Every import statement with the function it is in (None at module level), outside ``if TYPE_CHECKING:``."""
    def walk(node, func):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    yield from walk(sub, func)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, func
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and func is None \
                else func
            yield from walk(child, inner)
    yield from walk(tree, None)


def _base(module: str, path: Path, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` names."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    package = package[:len(package) - node.level + 1]
    return ".".join(package + ([node.module] if node.module else []))


def _targets(modules, module: str, path: Path, node) -> list[tuple[str, str, str]]:
    """(bound alias, imported search_coord module, imported name or '') for one import statement."""
    out = []
    if isinstance(node, ast.Import):
        for a in node.names:
            if a.name.split(".")[0] == "search_coord" and a.name in modules:
                out.append((a.asname or a.name.split(".")[0], a.name, ""))
        return out
    base = _base(module, path, node)
    if base.split(".")[0] != "search_coord":
        return out
    for a in node.names:
        full = f"{base}.{a.name}"
        if full in modules:
            out.append((a.asname or a.name, full, ""))
        elif base in modules:
            out.append((a.asname or a.name, base, a.name))
    return out


def _graph(modules) -> dict[str, set[str]]:
    graph = {m: set() for m in modules}
    for module, (path, tree) in modules.items():
        for node, func in _imports(tree):
            if func is not None and _allowed(path, func):   # an entry point's lazy load is no dependency
                continue
            for _, target, _ in _targets(modules, module, path, node):
                if target != module:
                    graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _in_progress(offenders: dict[str, str]) -> dict[str, str]:
    return {f: why for f, why in offenders.items() if f not in IN_PROGRESS}


def test_the_rules_see_the_code():
    modules = _sources()
    assert "search_coord.core.probability" in modules and "search_coord.services.events" in modules
    graph = _graph(modules)
    assert "search_coord.core.errors" in graph["search_coord.core.probability"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circle():
    modules = _sources()
    cycles = _cycles(_graph(modules))
    offenders = {_rel(modules[m][0]): " -> ".join(c) for c in cycles for m in c}
    assert not _in_progress(offenders), "import circles:\n" + "\n".join(sorted({" -> ".join(c) for c in cycles}))


def test_no_import_inside_a_function():
    modules = _sources()
    found = {}
    for module, (path, tree) in modules.items():
        for node, func in _imports(tree):
            if not _allowed(path, func):
                found[f"{_rel(path)}:{node.lineno} in {func}()"] = _rel(path)
    offenders = {where: f for where, f in found.items() if f not in IN_PROGRESS}
    assert not offenders, "imports inside a function (move them to the top, or break the circle they dodge):\n" + \
        "\n".join(sorted(offenders))


def test_no_use_of_another_modules_private_names():
    modules = _sources()
    found = {}
    for module, (path, tree) in modules.items():
        aliases = {}
        for node, _ in _imports(tree):
            for alias, target, name in _targets(modules, module, path, node):
                if name.startswith("_") and not name.startswith("__"):
                    found[f"{_rel(path)}:{node.lineno} imports {target}.{name}"] = _rel(path)
                if not name:
                    aliases[alias] = target
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases \
                    and node.attr.startswith("_") and not node.attr.startswith("__") \
                    and aliases[node.value.id] != module:
                found[f"{_rel(path)}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}"] = _rel(path)
    offenders = {where: f for where, f in found.items() if f not in IN_PROGRESS}
    assert not offenders, "another module's private name (publish it without the underscore, or keep it " \
                          "where it is used):\n" + "\n".join(sorted(offenders))


def _long_files() -> dict[str, int]:
    files = [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts] + list(JS.rglob("*.js"))
    return {_rel(p): n for p in files if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}


def test_no_module_over_the_line_limit():
    offenders = {f: n for f, n in _long_files().items() if f not in ALLOWED_LONG and f not in IN_PROGRESS}
    assert not offenders, f"over {MAX_LINES} lines (split along a seam): {offenders}"


def test_allow_lists_are_current():
    """An allowance nothing needs any more is removed, so the lists only shrink."""
    long = _long_files()
    stale = [f for f in ALLOWED_LONG if f not in long and (ROOT / f).exists()]
    assert not stale, f"no longer over {MAX_LINES} lines (remove from ALLOWED_LONG): {stale}"
    used = set()
    for _, (path, tree) in _sources().items():
        for _, func in _imports(tree):
            if func is not None:
                used |= {(_rel(path), func), (_rel(path), "*")}
    unused = [k for k in ALLOWED_FUNCTION_IMPORTS if k not in used]
    assert not unused, f"no import inside those functions any more (remove from ALLOWED_FUNCTION_IMPORTS): {unused}"
    missing = [f for f in IN_PROGRESS if not (ROOT / f).exists()]
    assert not missing, f"IN_PROGRESS names files that are gone (remove them): {missing}"


def test_browser_tests_share_the_process_playwright_driver():
    """Playwright's sync driver cannot be started twice at once in one process: a browser test takes the ``pw`` /
    ``browser`` fixtures (tests/browser/conftest.py) instead of calling ``sync_playwright()``."""
    calls = [p.name for p in (ROOT / "tests" / "browser").glob("test_*.py") if "sync_playwright(" in p.read_text()]
    assert calls == []
