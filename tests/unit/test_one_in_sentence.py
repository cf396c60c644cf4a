"""A unit's name inside a sentence ("xã Đại An") is one rule, ``domain.formatting.in_sentence``:
no module keeps its own copy of the one-liner, and the modules that did now give the same text."""

from __future__ import annotations

import ast
from pathlib import Path

from giamsat.domain.formatting import in_sentence

PACKAGE = Path(__file__).resolve().parents[2] / "giamsat"


def _lowers_the_first_letter(fn: ast.FunctionDef) -> bool:
    """``return x[:1].lower() + x[1:]`` of the function's only argument, as the copies were written."""
    body = [n for n in fn.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
    if len(fn.args.args) != 1 or len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    arg = fn.args.args[0].arg
    return ast.unparse(body[0].value).replace(" ", "") == f"{arg}[:1].lower()+{arg}[1:]"


def test_no_module_keeps_its_own_copy_of_in_sentence():
    copies = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and _lowers_the_first_letter(node):
                copies.append(f"{path.relative_to(PACKAGE.parent)}:{node.name}")
    assert copies == ["giamsat/domain/formatting.py:in_sentence"], copies


def test_the_rule_lowers_only_the_kind_word():
    assert in_sentence("Xã Đại An") == "xã Đại An"
    assert in_sentence("Thị trấn Gôi") == "thị trấn Gôi"
    assert in_sentence("Đặc khu Cồn Cỏ") == "đặc khu Cồn Cỏ"
    assert in_sentence("") == ""
