"""Validate the rows of filled minutes; every problem is reported with its table and row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from giamsat.domain.errors import BadDocument
from giamsat.domain.formatting import in_sentence, short_date
from giamsat.domain.outline_spec import normalise
from giamsat.domain.vocabulary import FINDING_RESULT
from giamsat.plan.wording import CriterionView
from giamsat.visits.minutes_doc import FilledMinutes

GROUPS = {"nghèo": "poor", "cận nghèo": "near_poor", "thoát nghèo": "escaped", "khác": "other"}
RESULTS = {normalise(text): code for code, text in FINDING_RESULT.items()} | {"không đạt": "not_met"}


@dataclass(frozen=True)
class CriterionRow:
    """The team's finding on one criterion of the plan."""

    criterion: CriterionView
    result: str
    evidence: str
    note: str


@dataclass(frozen=True)
class RecommendationRow:
    """One recommendation as written: its physical row, content, addressee and due date."""

    row: int
    content: str
    addressed_to: str
    due_on: dt.date


@dataclass(frozen=True)
class ConsultationRow:
    """One consultation with a beneficiary."""

    village: str
    beneficiary: str
    group: str | None
    summary: str


@dataclass
class ParsedRows:
    """The validated content of the four tables."""

    findings: list[str] = field(default_factory=list)
    difficulties: list[str] = field(default_factory=list)
    recommendations: list[RecommendationRow] = field(default_factory=list)
    consultations: list[ConsultationRow] = field(default_factory=list)
    criteria: list[CriterionRow] = field(default_factory=list)


def parse_date(text: str) -> dt.date | None:
    """``31/5/2024``, ``31/05/2024`` or ``2024-05-31``; None when not a date."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _group(text: str) -> str | None:
    key = text.lower().removeprefix("hộ ").strip()
    return GROUPS.get(key)


def _criteria(filled: FilledMinutes, criteria: Sequence[CriterionView], out: ParsedRows,
              errors: list[str], worded: Sequence[CriterionView]) -> None:
    as_planned = {c.ref: c for c in criteria}  # a title worded for the unit is stored as the plan's
    by_title = {normalise(c.title): c for c in criteria} | {
        normalise(w.title): as_planned.get(w.ref, w) for w in worded}
    seen: set[str] = set()
    for n, cells in filled.tables.get("criteria", []):
        title, result_text, evidence, note = (cells + ["", "", "", ""])[1:5]
        where = f"Bảng đánh giá theo tiêu chí, dòng {n}"
        criterion = by_title.get(normalise(title))
        result = RESULTS.get(normalise(result_text).rstrip("."))
        if criterion is None:
            errors.append(f"{where}: không nhận ra tiêu chí {title[:80]!r} (không sửa tên tiêu chí in sẵn)")
        elif criterion.ref in seen:
            errors.append(f"{where}: tiêu chí {criterion.title[:80]!r} đã được đánh giá ở dòng khác")
        if not result_text:
            errors.append(f"{where}: đã ghi căn cứ hoặc ghi chú nhưng chưa ghi kết quả (Đạt, Đạt một "
                          f"phần, Chưa đạt)")
        elif result is None:
            errors.append(f"{where}: kết quả {result_text[:40]!r} không hợp lệ (ghi Đạt, Đạt một phần "
                          f"hoặc Chưa đạt)")
        if criterion is not None and result is not None and criterion.ref not in seen:
            seen.add(criterion.ref)
            out.criteria.append(CriterionRow(criterion, result, evidence, note))


def parse_rows(filled: FilledMinutes, visit_day: dt.date, default_due: dt.date,
               unit_name: str, criteria: Sequence[CriterionView] = (), unit_body: str = "",
               worded: Sequence[CriterionView] = ()) -> ParsedRows:
    """Every filled row, validated; raises ``BadDocument`` listing all problems at once.
    ``worded``: the same criteria as the unit's minutes print them (a village's: ``criteria_at``)."""
    out, errors = ParsedRows(), list[str]()
    _criteria(filled, criteria, out, errors, worded)
    out.findings = [cells[1] for _, cells in filled.tables["findings"]]
    out.difficulties = [cells[1] for _, cells in filled.tables["difficulties"]]
    for n, (_, content, to, due_text) in ((n, c[:4]) for n, c in filled.tables["recommendations"]):
        where = f"Bảng kiến nghị, dòng {n}"
        due = default_due if not due_text else parse_date(due_text)
        if not content:
            errors.append(f"{where}: thiếu nội dung kiến nghị")
        if due is None:
            errors.append(f"{where}: hạn thực hiện {due_text!r} không phải ngày hợp lệ (dạng dd/mm/yyyy)")
        elif due <= visit_day:
            errors.append(f"{where}: hạn thực hiện {short_date(due)} phải sau ngày giám sát "
                          f"{short_date(visit_day)}")
        if content and due is not None and due > visit_day:
            to = to or unit_body or f"UBND {in_sentence(unit_name)}"
            out.recommendations.append(RecommendationRow(n, content, to, due))
    for n, (_, village, who, group_text, summary) in ((n, c[:5]) for n, c in filled.tables["consultations"]):
        where = f"Bảng tham vấn, dòng {n}"
        group = _group(group_text) if group_text else None
        if not who:
            errors.append(f"{where}: thiếu tên người được tham vấn")
        if not summary:
            errors.append(f"{where}: thiếu tóm tắt ý kiến")
        if group_text and group is None:
            errors.append(f"{where}: nhóm hộ {group_text!r} không hợp lệ (nghèo, cận nghèo, thoát nghèo, "
                          f"khác)")
        if who and summary and (group is not None or not group_text):
            out.consultations.append(ConsultationRow(village, who, group, summary))
    if errors:
        raise BadDocument("invalid_rows", f"Biên bản có {len(errors)} lỗi, chưa được ghi nhận:\n  - "
                                          + "\n  - ".join(errors))
    return out
