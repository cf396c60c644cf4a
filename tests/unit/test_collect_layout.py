"""The collect modules import each other one way only and use no other module's private names."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "giamsat" / "collect"
ORDER = ["mail", "service", "sweep", "inbox", "recording", "recorder", "workers", "intake", "mail_records",
         "records", "reader", "xml_reader"]


def _collect_imports(path: Path) -> tuple[set[str], set[str]]:
    """The collect modules ``path`` imports, and the private names it takes from them."""
    modules, private, local = set(), set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "giamsat.collect":
            modules |= {a.name for a in node.names}
            local |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("giamsat.collect."):
            modules.add(node.module.rsplit(".", 1)[1])
            private |= {a.name for a in node.names if a.name.startswith("_")}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in local and node.attr.startswith("_")):
            private.add(f"{node.value.id}.{node.attr}")
    return modules, private


def test_every_collect_module_is_placed_in_the_one_way_order():
    assert sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__") == sorted(ORDER)


def test_collect_modules_import_only_modules_below_them_and_no_private_names():
    for name in ORDER:
        modules, private = _collect_imports(PACKAGE / f"{name}.py")
        below = set(ORDER[ORDER.index(name) + 1:])
        assert modules <= below, (name, modules - below)
        assert not private, (name, private)
