"""Validation of a filled outline in one place: numbers, balances, rates, funds, texts, identity.

Pure (standard library only): takes the text read from the form and what the plan expects, and
returns figures plus every problem found, each naming section, row and column in Vietnamese.
Cells and rows are read by ``giamsat.domain.cells`` (its public names are re-exported here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from giamsat.domain.cells import (
    MAX_CELL_CHARS,
    MAX_NARRATIVE_CHARS,
    CellError,
    Issue,
    count_text,
    filled,
    parse_percent,
    parse_whole,
    row_cells,
    row_name,
)
from giamsat.domain.completeness import UnitRef
from giamsat.domain.formatting import short_date
from giamsat.domain.outline_spec import (
    SECTION_A,
    SECTION_B,
    SECTION_E,
    SECTIONS,
    CriterionQuestion,
    RawReport,
    RawTable,
    normalise,
)
from giamsat.domain.textsafety import clean_text

__all__ = ["MAX_CELL_CHARS", "MAX_NARRATIVE_CHARS", "CellError", "Expectation", "Issue", "UnitRef",
           "Validation", "check_identity", "parse_percent", "parse_whole", "validate"]


@dataclass(frozen=True)
class Expectation:
    """What intake expects: this cycle, its form versions and units, the date, the sender."""

    cycle_key: str
    form_versions: tuple[str, ...]
    units: tuple[UnitRef, ...]
    received_on: dt.date
    claimed_unit_code: str | None = None
    rate_tolerance_pct: float = 0.05
    text_limits: Mapping[str, int] = field(default_factory=dict)  # "A.name" -> what the column holds
    criteria: tuple[CriterionQuestion, ...] = ()  # what section C asks (none: no criteria table)


def check_identity(raw: RawReport, exp: Expectation) -> tuple[UnitRef | None, list[Issue]]:
    """Which unit the form belongs to, and whether it is this cycle's, known and current."""
    issues: list[Issue] = []
    claimed = _resolve(exp, exp.claimed_unit_code) if exp.claimed_unit_code else None
    marker = raw.marker
    if exp.claimed_unit_code and claimed is None:
        issues.append(Issue(f"mã đơn vị '{exp.claimed_unit_code}' không có trong danh sách đơn vị"))
    if marker is None:
        issues.append(Issue("không nhận dạng được biểu mẫu (thiếu mã nhận dạng ẩn của đề cương): "
                            "vui lòng điền vào đúng tệp đề cương đã gửi cho đơn vị"))
        return claimed, issues
    if raw.marker_conflict:
        issues.append(Issue("mã nhận dạng của biểu mẫu không thống nhất (tệp ghép từ nhiều biểu "
                            "mẫu?): vui lòng điền vào đúng tệp đề cương của đơn vị"))
    if marker.cycle_key != exp.cycle_key:
        issues.append(Issue(f"biểu mẫu thuộc kỳ '{marker.cycle_key}', không phải kỳ báo cáo "
                            f"'{exp.cycle_key}'"))
    if marker.form_version not in exp.form_versions:
        issues.append(Issue(f"phiên bản biểu mẫu '{marker.form_version}' không được sử dụng "
                            f"trong kỳ này (phiên bản hiện hành: {', '.join(exp.form_versions)})"))
    owner = next(iter(_index(exp.units)[1].get(marker.unit_key, ())), None)
    if owner is None:
        issues.append(Issue(f"mã đơn vị '{marker.unit_code}' ghi trên biểu mẫu không có trong "
                            f"danh sách đơn vị"))
    elif claimed is not None and claimed.code != owner.code:
        issues.append(Issue(f"biểu mẫu này là của {owner.name} (mã {owner.code}), không phải của "
                            f"{claimed.name} (mã {claimed.code}): vui lòng dùng đề cương của "
                            f"chính đơn vị"))
    unit = claimed or owner
    if owner is not None and not owner.valid_on(exp.received_on):
        why = (f"đã chấm dứt hoạt động từ {short_date(owner.valid_to + dt.timedelta(days=1))}"
               if owner.valid_to and exp.received_on > owner.valid_to
               else f"chỉ có hiệu lực từ {short_date(owner.valid_from)}")
        issues.append(Issue(f"{owner.name} (mã {owner.code}) không còn là đơn vị báo cáo vào "
                            f"ngày {short_date(exp.received_on)} ({why})"))
    return unit, issues


def _resolve(exp: Expectation, code: str) -> UnitRef | None:
    """The unit with ``code`` on the received date, else the latest one that had it."""
    same = list(_index(exp.units)[0].get(code, ()))
    current = [u for u in same if u.valid_on(exp.received_on)]
    return (current or sorted(same, key=lambda u: u.valid_from))[-1] if same else None


_INDEXES: dict[int, tuple[tuple[UnitRef, ...], dict[str, Any], dict[str, Any]]] = {}


def _index(units: tuple[UnitRef, ...]) -> tuple[dict[str, list[UnitRef]], dict[str, list[UnitRef]]]:
    """The units by code and by key, built once per units tuple (intake reuses one per plan)."""
    found = _INDEXES.get(id(units))
    if found is None or found[0] is not units:
        by_code: dict[str, list[UnitRef]] = {}
        by_key: dict[str, list[UnitRef]] = {}
        for u in units:
            by_code.setdefault(u.code, []).append(u)
            by_key.setdefault(u.key, []).append(u)
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        found = _INDEXES[id(units)] = (units, by_code, by_key)  # keeps ``units`` alive: id stays
    return found[1], found[2]


@dataclass
class Validation:
    """The outcome: the unit the report is attributed to, its figures, and every issue."""

    unit: UnitRef | None
    form_version: str | None
    issues: list[Issue] = field(default_factory=list)
    figures: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """True when the report can be accepted."""
        return not self.issues


def validate(raw: RawReport, exp: Expectation) -> Validation:
    """Check identity, then every section; figures are returned only for a clean report."""
    unit, issues = check_identity(raw, exp)
    result = Validation(unit, raw.marker.form_version if raw.marker else None, issues)
    tables = raw.tables or {}
    figures: dict[str, Any] = {}
    for section in SECTIONS:
        if section.key == "CT" and not exp.criteria:
            continue
        shown = section.key[:1]  # the criteria table is part of section C for the commune
        if section.key in (raw.duplicate_sections or []):
            issues.append(Issue("bảng của mục này xuất hiện nhiều lần; chỉ giữ một bảng", shown))
        table = tables.get(section.key)
        if table is None:
            issues.append(Issue(f"không tìm thấy bảng '{section.title}' (bảng có cột "
                                f"'{section.columns[-1].label}'); không xóa bảng của biểu mẫu",
                                shown))
            continue
        if table.missing_columns:
            issues += [Issue(f"thiếu cột '{label}' (không xóa hoặc đổi tên cột của biểu mẫu)",
                             shown) for label in table.missing_columns]
            continue
        figures[section.key] = _SECTION_RULES[section.key](table, exp, issues)
    _bound(issues)
    if not issues:
        result.figures = {"models": figures["A"], "households": figures["B"],
                          "narratives": {"C": figures["C"], "D": figures["D"]},
                          "recommendations": figures["E"]}
        if "CT" in figures:
            result.figures["criteria"] = figures["CT"]
    return result


MAX_LISTED_ISSUES = 30  # a please-correct e-mail lists these, then says how many more


def _bound(issues: list[Issue]) -> None:
    """Keep the first ``MAX_LISTED_ISSUES`` issues and one line counting the rest."""
    if len(issues) > MAX_LISTED_ISSUES:
        more = len(issues) - MAX_LISTED_ISSUES
        del issues[MAX_LISTED_ISSUES:]
        issues.append(Issue(f"… và còn {count_text(more)} lỗi khác chưa liệt kê: vui lòng "
                            "sửa các lỗi trên, kiểm tra lại toàn bộ biểu mẫu rồi gửi lại"))


def _models(table: RawTable, exp: Expectation, issues: list[Issue]) -> list[dict[str, Any]]:
    out = []
    for row in (r for r in table.rows if filled(SECTION_A, r)):
        values = row_cells(SECTION_A, row, issues, exp.text_limits)
        if values is None:
            continue
        allocated = sum(values[k] for k in ("fund_central", "fund_local", "fund_counterpart",
                                            "fund_credit"))
        if values["disbursed"] > allocated:
            issues.append(Issue(f"số đã giải ngân ({values['disbursed']:,}) lớn hơn tổng kinh phí "
                                f"được bố trí ({allocated:,})".replace(",", "."), "A",
                                row_name(SECTION_A, row), SECTION_A.column("disbursed").label))
        out.append(values)
    return out


def _households(table: RawTable, exp: Expectation, issues: list[Issue]) -> dict[str, Any]:
    label_key = SECTION_B.label_column.key
    by_label = {normalise(r.cells.get(label_key, "")): r for r in table.rows}
    known = {normalise(f.label) for f in SECTION_B.fixed_rows}
    for row in table.rows:
        label = normalise(row.cells.get(label_key, ""))
        if label not in known and (label or filled(SECTION_B, row)):
            issues.append(Issue("dòng không thuộc biểu mẫu (chỉ ghi hai dòng 'Hộ nghèo' và "
                                "'Hộ cận nghèo')", "B", str(row.position)))
    out: dict[str, Any] = {}
    for fixed in SECTION_B.fixed_rows:
        found = by_label.get(normalise(fixed.label))
        if found is None:
            issues.append(Issue(f"thiếu dòng '{fixed.label}'", "B"))
            continue
        if not filled(SECTION_B, found):
            issues.append(Issue("chưa điền số liệu", "B", f"'{fixed.label}'"))
            continue
        values = row_cells(SECTION_B, found, issues, exp.text_limits)
        if values is not None and _balanced(values, fixed.label, exp, issues):
            out[fixed.key] = values
    totals = {v["total_households"] for v in out.values()}
    if len(totals) > 1:
        issues.append(Issue("tổng số hộ dân cư của hai nhóm phải bằng nhau", "B", None,
                            SECTION_B.column("total_households").label))
    return out


def _balanced(v: dict[str, Any], label: str, exp: Expectation, issues: list[Issue]) -> bool:
    row, col = f"'{label}'", SECTION_B.column
    expected_end = v["at_start"] - v["escaped"] + v["fell_back"] + v["newly_poor"] + v["other_changes"]
    before = len(issues)
    if v["at_end"] != expected_end:
        issues.append(Issue(f"số cuối kỳ ({v['at_end']}) không khớp: đầu kỳ − thoát + tái + phát "
                            f"sinh mới ± biến động khác = {expected_end}", "B", row,
                            col("at_end").label))
    if v["total_households"] == 0:
        issues.append(Issue("tổng số hộ dân cư phải lớn hơn 0", "B", row,
                            col("total_households").label))
    elif v["at_end"] > v["total_households"]:
        issues.append(Issue("số hộ cuối kỳ lớn hơn tổng số hộ dân cư", "B", row,
                            col("at_end").label))
    else:
        rate = v["at_end"] / v["total_households"] * 100
        if abs(rate - v["rate_pct"]) > exp.rate_tolerance_pct:
            shown = f"{rate:.2f}".replace(".", ",")
            issues.append(Issue(f"tỷ lệ ghi {str(v['rate_pct']).replace('.', ',')}% nhưng cuối kỳ "
                                f"/ tổng số hộ × 100 = {shown}%", "B", row, col("rate_pct").label))
    return len(issues) == before


def _narrative(key: str) -> Callable[[RawTable, Expectation, list[Issue]], str]:
    def rule(table: RawTable, exp: Expectation, issues: list[Issue]) -> str:
        text = clean_text("\n".join(r.cells.get("text", "").strip() for r in table.rows)).strip()
        if not text:
            issues.append(Issue("chưa có nội dung (mục bắt buộc)", key))
        elif len(text) > MAX_NARRATIVE_CHARS:
            issues.append(Issue(f"nội dung quá dài ({count_text(len(text))} ký tự; tối đa "
                                f"{count_text(MAX_NARRATIVE_CHARS)} ký tự): vui lòng viết gọn lại", key))
        return text
    return rule


def _recommendations(table: RawTable, exp: Expectation, issues: list[Issue]) -> list[dict[str, Any]]:
    rows = (r for r in table.rows if filled(SECTION_E, r))
    return [v for v in (row_cells(SECTION_E, r, issues, exp.text_limits) for r in rows) if v is not None]


def _criteria(table: RawTable, exp: Expectation, issues: list[Issue]) -> dict[str, dict[str, str]]:
    """Section C's criteria: each asked row found by its title, a listed answer and a detail."""
    out, used = {}, set()
    for n, q in enumerate(exp.criteria, 1):
        want = normalise(q.title)
        row = next((r for r in table.rows if want in normalise(r.cells.get("criterion", ""))), None)
        if row is None:
            issues.append(Issue(f"thiếu dòng tiêu chí '{q.title}' (không xóa dòng của bảng)", "C"))
            continue
        used.add(row.position)
        where = f"{n} ('{q.title[:60]}')"
        answer = clean_text(row.cells.get("answer", "")).strip().rstrip(".")
        detail = clean_text(row.cells.get("detail", "")).strip()
        canon = next((a for a in q.answers if normalise(a) == normalise(answer)), None)
        if not answer:
            issues.append(Issue(f"chưa trả lời (ghi một trong: {', '.join(q.answers)})", "C", where,
                                "Trả lời"))
        elif canon is None:
            issues.append(Issue(f"câu trả lời '{answer[:40]}' không thuộc các lựa chọn: "
                                f"{', '.join(q.answers)}", "C", where, "Trả lời"))
        if not detail:
            issues.append(Issue("chưa nêu nội dung cụ thể", "C", where, "Nội dung cụ thể"))
        elif len(detail) > MAX_CELL_CHARS:
            issues.append(Issue(f"nội dung quá dài (tối đa {count_text(MAX_CELL_CHARS)} ký tự)", "C",
                                where, "Nội dung cụ thể"))
        out[q.key] = {"answer": canon or answer, "detail": detail}
    for row in table.rows:
        if row.position not in used and (row.cells.get("answer") or row.cells.get("detail")):
            issues.append(Issue("dòng không thuộc biểu mẫu (chỉ trả lời các tiêu chí đã in sẵn)", "C",
                                f"{row.position} của bảng tiêu chí"))
    return out


_SECTION_RULES = {"A": _models, "B": _households, "CT": _criteria, "C": _narrative("C"),
                  "D": _narrative("D"), "E": _recommendations}
