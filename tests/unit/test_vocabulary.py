"""The vocabulary: every code has one Vietnamese label, and no other module keeps its own list."""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path
from typing import get_args

from flows.deployments import STEP_FLOWS
from giamsat.domain import vocabulary as voc
from giamsat.domain.reminders import Stage
from giamsat.plan.schedule import step_schedules

ROOT = Path(__file__).resolve().parents[2] / "giamsat"
REC_CODES = set(voc.REC_STATUS)
STEP_CODES = set(voc.STEP_KEYS)
VIETNAMESE_MARKS = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]",
                              re.IGNORECASE)


def test_every_code_has_a_vietnamese_label_with_diacritics():
    for group, labels in voc.GROUPS.items():
        for code, text in labels.items():
            assert text.strip() == text and text, (group, code)
            assert VIETNAMESE_MARKS.search(unicodedata.normalize("NFC", text)), (group, code, text)


def test_no_two_codes_of_a_group_share_a_label():
    for group, labels in voc.GROUPS.items():
        assert len(set(labels.values())) == len(labels), group


def test_the_derived_lists_only_name_codes_the_vocabulary_labels():
    for subset in (voc.REC_CLOSED, voc.REC_ACTIVE, voc.REC_SETTABLE, voc.REC_COUNTED, voc.REC_DONE,
                   voc.REC_NEEDS_NOTE):
        assert set(subset) <= REC_CODES
    for source, targets in voc.REC_TRANSITIONS.items():
        assert {source, *targets} <= REC_CODES
    assert set(voc.REPORT_COUNTED) | set(voc.REPORT_NEEDS_ATTENTION) <= set(voc.REPORT_STATUS)
    assert set(voc.SUBMISSION_COUNTED) <= set(voc.SUBMISSION_STATUS)
    assert set(voc.DRAW_ACTIVE) <= set(voc.DRAW_STATUS)
    assert not set(voc.REC_CLOSED) & set(voc.REC_ACTIVE)


def test_an_unknown_code_is_shown_as_it_is_rather_than_failing():
    assert voc.label("rec_status", "withdrawn") == "Đã rút (không còn trong biên bản)"
    assert voc.label("rec_status", "archived_by_hand") == "archived_by_hand"


def test_every_deployed_step_and_schedule_is_a_step_of_the_vocabulary():
    steps = set(voc.STEP_KEYS) | set(voc.RECURRING_STEPS)
    assert set(STEP_FLOWS) == steps
    assert set(step_schedules.__code__.co_consts) & steps == steps


def _literal_codes(node: ast.AST) -> set[str] | None:
    """The strings of a tuple/list/set display made only of string constants."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) >= 2 and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return {e.value for e in node.elts}  # type: ignore[attr-defined]
    return None


def _status_lists_outside_the_vocabulary() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.name == "vocabulary.py" and path.parent.name == "domain":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            codes = _literal_codes(node)
            if codes and (codes <= REC_CODES or codes <= STEP_CODES):
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} {sorted(codes)}")
            if isinstance(node, ast.Dict) and len(node.keys) >= 3 and all(
                    isinstance(k, ast.Constant) and k.value in REC_CODES for k in node.keys):
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} dict of statuses")
    return found


def test_no_module_but_the_vocabulary_lists_recommendation_statuses_or_step_keys():
    assert _status_lists_outside_the_vocabulary() == []


def _audit_actions_in_code() -> set[str]:
    """Every ``action="…"`` literal the code base records (f-string prefixes end with a dot)."""
    found = set()
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "action":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    found.add(node.value.value)
    return found


def test_every_audit_action_the_code_records_has_a_label():
    actions = _audit_actions_in_code()
    assert len(actions) > 10
    assert actions <= set(voc.AUDIT_ACTION)
    for status in ("accepted", "rejected"):  # action=f"submission.{sub.status}"
        assert f"submission.{status}" in voc.AUDIT_ACTION
    for kind in ("final_report", "interim_report"):  # action=f"{kind}.write"
        assert f"{kind}.write" in voc.AUDIT_ACTION


def test_every_message_the_outbox_can_hold_has_a_kind_label():
    templates = ROOT.parent / "templates" / "email"
    kinds = {p.name.split(".")[0] for p in templates.glob("*.subject.j2")} - {"_probe", "reminder"}
    stages = get_args(Stage)
    assert kinds | {f"reminder_{s}" for s in stages} | {"reminder_escalation"} <= set(voc.MESSAGE_KIND)
