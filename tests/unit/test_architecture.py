"""The layering rules, derived from the package layout (new packages are covered automatically).

- `giamsat/domain/` imports only the standard library and pydantic, and nothing from `giamsat`
  outside `giamsat.domain`.
- `giamsat/plan/` imports only the standard library, pydantic, yaml, `giamsat.domain` and
  `giamsat.plan`. Both may use `holidays` (a table of public holidays: data, no framework).
- The shared adapters (`giamsat/db`, `giamsat/messaging`, `giamsat/docx`, `giamsat/files`) import
  no step package, nor `giamsat.cli`, `giamsat.demo`, `flows` or `tasks`.
- The CLI builds no query: it imports neither `giamsat.db.models` nor sqlalchemy (services do).
- The shared top-level modules (`giamsat/runtime.py`, `giamsat/settings.py`, `giamsat/prefect_env.py`)
  follow the adapters' rule: no step, no entry point, no Prefect layer.
- Only the Prefect layer and the entry points import Prefect: `flows/`, `tasks/`, `giamsat/cli/`,
  `giamsat/demo/` and `giamsat/prefect_env.py` (which configures it); a step returns data and
  its task publishes it.
- Nothing imports `giamsat.demo` except `giamsat/cli/demo.py` (tests and bench may).
- Only the entry points import `tasks` and `flows`: `giamsat/cli/`, `flows/` and `giamsat/demo/`.
  The demo is a top-level entry like the CLI (it runs the whole cycle through the flows), so it
  may import `flows` and `tasks`; no product package imports the demo (rule above), so this opens
  no back door into the core.
- No import cycle among product modules (`giamsat`, `flows`, `tasks`), counting imports made
  inside functions too.

GIAMSAT_ARCH_ROOT points the checks at another checkout (e.g. an old worktree).
"""

import ast
import os
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(os.environ.get("GIAMSAT_ARCH_ROOT") or Path(__file__).resolve().parents[2])
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}
STEPS = frozenset({"notify", "remind", "collect", "draw", "visits", "followup", "final_report",
                   "cycle", "archive"})
ADAPTERS = frozenset({"db", "messaging", "docx", "files"})
PYDANTIC = frozenset({"pydantic", "pydantic_core"})
DOMAIN_DATA = frozenset({"holidays"})  # a table of public holidays: data, no framework, no I/O
ENTRIES = frozenset({"cli", "demo"})  # packages of giamsat that may start flows and tasks

# Two breaks another worker fixes; the lead removes them at merge.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    """Dotted module name of a file under ROOT (packages named by their folder)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _product_files() -> Iterator[Path]:
    """Every product source file: giamsat/, flows/, tasks/ (without the Alembic scripts)."""
    for top in ("giamsat", "flows", "tasks"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _imports(path: Path) -> set[str]:
    """Absolute names of every module imported by a file, at any depth (relative ones resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}  # `from pkg import module`
    return names


def _graph() -> dict[str, set[str]]:
    """Module name -> every imported name, for each product file."""
    return {_module_name(path): _imports(path) for path in _product_files()}


def _top(name: str) -> str:
    """First component of a dotted name."""
    return name.split(".")[0]


def _sub(name: str) -> str:
    """The giamsat sub-package (or top module) a giamsat name belongs to: giamsat.db.models -> db."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _breaks(rule) -> list[str]:
    """Every (module, import) pair breaking a rule, minus the known exceptions, as readable lines."""
    found = []
    for module, imported in _graph().items():
        bad = {name for name in imported if rule(module, name) and not _excepted(module, name)}
        found += [f"{module} imports {name}" for name in sorted(bad) if name.rpartition(".")[0] not in bad]
    return found


def _excepted(module: str, name: str) -> bool:
    """True for the pairs of KNOWN_EXCEPTIONS (an exception on a package covers its sub-modules)."""
    return any(module == mod and (name == imp or name.startswith(imp + "."))
               for mod, imp in KNOWN_EXCEPTIONS)


def _domain_break(module: str, name: str) -> bool:
    if _sub(module) != "domain" or _top(module) != "giamsat":
        return False
    if _top(name) == "giamsat":
        return _sub(name) != "domain"
    return _top(name) not in STDLIB | PYDANTIC | DOMAIN_DATA


def _plan_break(module: str, name: str) -> bool:
    if _sub(module) != "plan" or _top(module) != "giamsat":
        return False
    if _top(name) == "giamsat":
        return _sub(name) not in {"domain", "plan"}
    return _top(name) not in STDLIB | PYDANTIC | DOMAIN_DATA | {"yaml"}


def _shared(module: str) -> bool:
    """An adapter, or a top-level module of giamsat that every layer uses (runtime, settings…)."""
    if _top(module) != "giamsat" or module == "giamsat.__main__":
        return False
    top_level_module = module.count(".") == 1 and not (ROOT / module.replace(".", "/")).is_dir()
    return _sub(module) in ADAPTERS or top_level_module


def _adapter_break(module: str, name: str) -> bool:
    if not _shared(module):
        return False
    if _top(name) in {"flows", "tasks"}:
        return True
    return _top(name) == "giamsat" and _sub(name) in STEPS | ENTRIES


def _prefect_break(module: str, name: str) -> bool:
    allowed = (_top(module) in {"flows", "tasks"} or module == "giamsat.prefect_env"
               or (_top(module) == "giamsat" and _sub(module) in ENTRIES))
    return _top(name) == "prefect" and not allowed


def _demo_break(module: str, name: str) -> bool:
    inside = _top(module) == "giamsat" and _sub(module) == "demo"
    return (_top(name) == "giamsat" and _sub(name) == "demo" and not inside
            and module != "giamsat.cli.demo")


def _tasks_break(module: str, name: str) -> bool:
    entry = _top(module) == "flows" or (_top(module) == "giamsat" and _sub(module) in ENTRIES)
    return _top(name) in {"tasks", "flows"} and _top(module) != _top(name) and not entry


def _cli_break(module: str, name: str) -> bool:
    if _top(module) != "giamsat" or _sub(module) != "cli":
        return False
    return name.startswith("giamsat.db.models") or _top(name) == "sqlalchemy"


def test_the_domain_imports_only_the_standard_library_pydantic_and_itself():
    breaks = _breaks(_domain_break)
    assert not breaks, "\n".join(breaks)


def test_the_plan_imports_only_the_standard_library_pydantic_yaml_and_the_domain():
    breaks = _breaks(_plan_break)
    assert not breaks, "\n".join(breaks)


def test_the_shared_adapters_and_runtime_import_no_step_no_entry_point_and_no_prefect_layer():
    breaks = _breaks(_adapter_break)
    assert not breaks, "\n".join(breaks)


def test_only_the_prefect_layer_and_the_entry_points_import_prefect():
    breaks = _breaks(_prefect_break)
    assert not breaks, "\n".join(breaks)


def test_only_the_demo_command_imports_the_demo():
    breaks = _breaks(_demo_break)
    assert not breaks, "\n".join(breaks)


def test_the_cli_queries_no_table_itself_it_calls_services():
    breaks = _breaks(_cli_break)
    assert not breaks, "\n".join(breaks)


def test_only_the_cli_the_demo_and_flows_import_tasks_and_flows():
    breaks = _breaks(_tasks_break)
    assert not breaks, "\n".join(breaks)


def _module_edges() -> dict[str, set[str]]:
    """Module -> product modules it imports, resolved to files that exist (packages included)."""
    graph = _graph()
    edges = {}
    for module, imported in graph.items():
        targets = set()
        for name in imported:
            while name and name not in graph:
                name = name.rpartition(".")[0]
            if name and name != module and not _excepted(module, name):
                targets.add(name)
        edges[module] = targets
    return edges


def _find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle as a list of modules (first == last), or [] when the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = 2
        path.pop()
        return []

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return []


def _package_edges(edges: dict[str, set[str]]) -> set[str]:
    """Module edges that are only a package's __init__ re-exporting its own modules are not cycles."""
    return {m for m in edges if (ROOT / m.replace(".", "/") / "__init__.py").exists()}


def test_no_import_cycle_among_product_modules():
    edges = _module_edges()
    packages = _package_edges(edges)
    for package in packages:  # `import giamsat.x.y` loads giamsat.x first: not a cycle of ours
        edges[package] = {t for t in edges[package] if not t.startswith(package + ".")}
    for module in edges:
        edges[module] = {t for t in edges[module] if t not in packages or not module.startswith(t + ".")}
    cycle = _find_cycle(edges)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_reports_a_cycle_it_is_given():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) == []


MAX_MODULE_LINES = 300
MAX_FOLDER_MODULES = 13  # "about twelve": giamsat/cli/ has one module per command group, 13


def test_no_product_module_is_longer_than_about_three_hundred_lines():
    long = [f"{p.relative_to(ROOT)}: {n} lines" for p in _product_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, "\n".join(long)


def test_no_product_folder_holds_more_than_about_twelve_modules():
    folders = {p.parent for p in _product_files()}
    crowded = [f"{f.relative_to(ROOT)}: {n} modules" for f in sorted(folders)
               if (n := len([p for p in f.glob("*.py") if p.name != "__init__.py"])) > MAX_FOLDER_MODULES]
    assert not crowded, "\n".join(crowded)
