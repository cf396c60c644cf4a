"""Conventions: pure modules import no framework; nothing in the core imports flows/."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = ["calendar.py", "formatting.py", "schedule.py", "clock.py", "fsutil.py", "sampling.py",
        "indicators.py", "completeness.py", "report_model.py", "validation.py", "outline_spec.py",
        "reminders.py", "safetar.py", "db/audit_chain.py", "textsafety.py", "spreadsheet.py"]
FORBIDDEN = ("prefect", "sqlalchemy", "jinja2", "docx")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_pure_modules_import_no_framework():
    for name in PURE:
        assert not _imports(ROOT / "giamsat" / name) & set(FORBIDDEN), name


def test_the_core_package_never_imports_flows_or_tasks():
    for path in (ROOT / "giamsat").rglob("*.py"):
        if path.parts[-2] == "cli":
            continue  # the CLI's serve/demo commands start flows
        assert not _imports(path) & {"flows", "tasks"}, path
