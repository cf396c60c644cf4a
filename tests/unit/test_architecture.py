"""Conventions: pure modules import no framework; nothing in the core imports flows/."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = ["domain/calendar.py", "domain/formatting.py", "plan/milestones.py", "domain/clock.py",
        "files/fsutil.py", "domain/sampling.py", "domain/indicators.py", "domain/completeness.py",
        "final_report/model.py", "domain/validation.py", "domain/outline_spec.py", "domain/reminders.py",
        "files/safetar.py", "db/audit_chain.py", "domain/textsafety.py", "files/spreadsheet.py"]
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
        if path.parts[-2] in ("cli", "demo"):
            continue  # the CLI (serve) and the demo start flows
        assert not _imports(path) & {"flows", "tasks"}, path


def test_only_the_cli_starts_the_web_app_and_the_web_app_reaches_steps_only_through_their_services():
    for path in (ROOT / "giamsat").rglob("*.py"):
        if path.parts[-2] in ("cli", "web"):
            continue
        assert not any(name.startswith("giamsat.web") for name in _modules(path)), path


def _modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
        a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
