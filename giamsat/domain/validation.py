"""Validation of a filled outline in one place: numbers, balances, rates, funds, texts, identity.

Pure (standard library only): takes the text read from the form and what the plan expects, and
returns figures plus every problem found, each naming section, row and column in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from giamsat.domain.outline_spec import (
    SECTION_A,
    SECTION_B,
    SECTION_E,
    SECTIONS,
    Column,
    RawReport,
    RawRow,
    RawTable,
    Section,
    normalise,
)
from giamsat.domain.textsafety import clean_text
from giamsat.domain.units import UnitRef  # noqa: F401 - part of this module's API

_DIGITS = re.compile(r"^\d+$")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_DECIMAL = re.compile(r"^\d+([.,]\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
MINUS = ("-", "\u2212", "\u2013")
MAX_DIGITS = 15            # 999.999.999.999.999 đồng; more cannot be a real figure (or fit a BIGINT)
MAX_CELL_CHARS = 1000      # a name, a place, a recommendation
MAX_NARRATIVE_CHARS = 20000  # sections C and D: about eight typed pages


@dataclass(frozen=True)
class Issue:
    """One problem; ``text`` reads ``Mục B, dòng 'Hộ nghèo', cột 'Số hộ cuối kỳ': …``."""

    message: str
    section: str | None = None
    row: str | None = None
    column: str | None = None

    @property
    def text(self) -> str:
        """The full Vietnamese line shown to the commune."""
        where = [f"Mục {self.section}"] if self.section else []
        where += [f"dòng {self.row}"] if self.row else []
        where += [f"cột '{self.column}'"] if self.column else []
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_json(self) -> dict:
        """The form stored on the submission row."""
        return {"section": self.section, "row": self.row, "column": self.column,
                "message": self.message, "text": self.text}


class CellError(ValueError):
    """A cell's text is not the number the column expects (message in Vietnamese)."""


def parse_whole(text: str, signed: bool = False) -> int:
    """``1.234`` → 1234; ``-3`` when ``signed``; anything else raises ``CellError``."""
    raw = _SPACES.sub("", text)
    negative = signed and raw[:1] in (*MINUS, "+") and raw[:1] != "+"
    body = raw[1:] if signed and raw[:1] in (*MINUS, "+") else raw
    if not body:
        raise CellError("chưa điền số liệu (ô không có số liệu ghi 0)")
    if raw[:1] in MINUS and not signed:
        raise CellError(f"không được là số âm ('{text.strip()}')")
    if _DIGITS.match(body) or _GROUPED.match(body):
        if len(body.replace(".", "")) > MAX_DIGITS:
            raise CellError(f"số quá lớn (tối đa {MAX_DIGITS} chữ số)")
        value = int(body.replace(".", ""))
        return -value if negative else value
    if _DECIMAL.match(body):
        raise CellError(f"phải là số nguyên ('{text.strip()}')")
    raise CellError(f"phải ghi bằng chữ số, không ghi chữ ('{text.strip()[:40]}')")


def parse_percent(text: str) -> float:
    """``2,35`` / ``2.35`` / ``2,35%`` → 2.35; raises ``CellError`` otherwise."""
    raw = _SPACES.sub("", text).removesuffix("%")
    if not raw:
        raise CellError("chưa điền tỷ lệ")
    if raw[:1] in MINUS:
        raise CellError(f"tỷ lệ không được âm ('{text.strip()}')")
    if not _DECIMAL.match(raw):
        raise CellError(f"phải ghi bằng chữ số, ví dụ 2,35 ('{text.strip()[:40]}')")
    value = float(raw.replace(",", "."))
    if value > 100:
        raise CellError(f"tỷ lệ không thể lớn hơn 100% ('{text.strip()}')")
    return value


@dataclass(frozen=True)
class Expectation:
    """What intake expects: this cycle, its form versions and units, the date, the sender."""

    cycle_key: str
    form_versions: tuple[str, ...]
    units: tuple[UnitRef, ...]
    received_on: dt.date
    claimed_unit_code: str | None = None
    rate_tolerance_pct: float = 0.05


@dataclass
class Validation:
    """The outcome: the unit the report is attributed to, its figures, and every issue."""

    unit: UnitRef | None
    form_version: str | None
    issues: list[Issue] = field(default_factory=list)
    figures: dict | None = None

    @property
    def ok(self) -> bool:
        """True when the report can be accepted."""
        return not self.issues


def validate(raw: RawReport, exp: Expectation) -> Validation:
    """Check identity, then every section; figures are returned only for a clean report."""
    unit, issues = check_identity(raw, exp)
    result = Validation(unit, raw.marker.form_version if raw.marker else None, issues)
    tables = raw.tables or {}
    figures: dict = {}
    for section in SECTIONS:
        if section.key in (raw.duplicate_sections or []):
            issues.append(Issue("bảng của mục này xuất hiện nhiều lần; chỉ giữ một bảng",
                                section.key))
        table = tables.get(section.key)
        if table is None:
            issues.append(Issue(f"không tìm thấy bảng '{section.title}' (bảng có cột "
                                f"'{section.columns[-1].label}'); không xóa bảng của biểu mẫu",
                                section.key))
            continue
        if table.missing_columns:
            issues += [Issue(f"thiếu cột '{label}' (không xóa hoặc đổi tên cột của biểu mẫu)",
                             section.key) for label in table.missing_columns]
            continue
        figures[section.key] = _SECTION_RULES[section.key](table, exp, issues)
    if not issues:
        result.figures = {"models": figures["A"], "households": figures["B"],
                          "narratives": {"C": figures["C"], "D": figures["D"]},
                          "recommendations": figures["E"]}
    return result


def check_identity(raw: RawReport, exp: Expectation) -> tuple[UnitRef | None, list[Issue]]:
    """Which unit the form belongs to, and whether it is this cycle's, known and current."""
    issues: list[Issue] = []
    claimed = _resolve(exp, exp.claimed_unit_code) if exp.claimed_unit_code else None
    marker = raw.marker
    if exp.claimed_unit_code and claimed is None:
        issues.append(Issue(f"mã đơn vị '{exp.claimed_unit_code}' không có trong danh sách đơn vị"))
    if marker is None:
        issues.append(Issue("không nhận dạng được biểu mẫu (thiếu mã nhận dạng ẩn của đề cương): "
                            "vui lòng điền vào đúng tệp đề cương huyện đã gửi cho đơn vị"))
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
        day = f"{exp.received_on:%d/%m/%Y}"
        why = (f"đã chấm dứt hoạt động từ {owner.valid_to + dt.timedelta(days=1):%d/%m/%Y}"
               if owner.valid_to and exp.received_on > owner.valid_to
               else f"chỉ có hiệu lực từ {owner.valid_from:%d/%m/%Y}")
        issues.append(Issue(f"{owner.name} (mã {owner.code}) không còn là đơn vị báo cáo vào "
                            f"ngày {day} ({why})"))
    return unit, issues


def _resolve(exp: Expectation, code: str) -> UnitRef | None:
    """The unit with ``code`` on the received date, else the latest one that had it."""
    same = list(_index(exp.units)[0].get(code, ()))
    current = [u for u in same if u.valid_on(exp.received_on)]
    return (current or sorted(same, key=lambda u: u.valid_from))[-1] if same else None


_INDEXES: dict[int, tuple[tuple[UnitRef, ...], dict, dict]] = {}


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


def _filled(section: Section, row: RawRow) -> bool:
    """Whether the officer wrote anything in the row (its printed label does not count)."""
    data = [c for c in section.columns if c.kind != "ordinal"
            and not (section.fixed_rows and c is section.label_column)]
    return any(row.cells.get(c.key, "").strip() for c in data)


def _row_name(section: Section, row: RawRow) -> str:
    label = row.cells.get(section.label_column.key, "").strip()
    if section.fixed_rows and label:
        return f"'{label}'"
    return str(row.position)


def _cells(section: Section, row: RawRow, issues: list[Issue]) -> dict | None:
    """Convert one row's cells by column kind; None when any cell is wrong."""
    out: dict = {"row_index": row.position}
    ok = True
    for col in section.columns:
        if col.kind == "ordinal" or (section.fixed_rows and col is section.label_column):
            continue
        try:
            out[col.key] = _convert(col, clean_text(row.cells.get(col.key, "")))
        except CellError as exc:
            issues.append(Issue(str(exc), section.key, _row_name(section, row), col.label))
            ok = False
    return out if ok else None


def _convert(col: Column, text: str) -> int | float | str:
    if col.kind in ("count", "money"):
        return parse_whole(text)
    if col.kind == "signed":
        return parse_whole(text, signed=True)
    if col.kind == "percent":
        return parse_percent(text)
    value = " ".join(text.split())
    if col.required and not value:
        raise CellError("chưa điền nội dung")
    if len(value) > MAX_CELL_CHARS:
        raise CellError(f"nội dung quá dài ({_count(len(value))} ký tự; tối đa "
                        f"{_count(MAX_CELL_CHARS)} ký tự)")
    return value


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _models(table: RawTable, exp: Expectation, issues: list[Issue]) -> list[dict]:
    out = []
    for row in (r for r in table.rows if _filled(SECTION_A, r)):
        values = _cells(SECTION_A, row, issues)
        if values is None:
            continue
        allocated = sum(values[k] for k in ("fund_central", "fund_local", "fund_counterpart",
                                            "fund_credit"))
        if values["disbursed"] > allocated:
            issues.append(Issue(f"số đã giải ngân ({values['disbursed']:,}) lớn hơn tổng kinh phí "
                                f"được bố trí ({allocated:,})".replace(",", "."), "A",
                                _row_name(SECTION_A, row), SECTION_A.column("disbursed").label))
        out.append(values)
    return out


def _households(table: RawTable, exp: Expectation, issues: list[Issue]) -> dict:
    label_key = SECTION_B.label_column.key
    by_label = {normalise(r.cells.get(label_key, "")): r for r in table.rows}
    known = {normalise(f.label) for f in SECTION_B.fixed_rows}
    for row in table.rows:
        label = normalise(row.cells.get(label_key, ""))
        if label not in known and (label or _filled(SECTION_B, row)):
            issues.append(Issue("dòng không thuộc biểu mẫu (chỉ ghi hai dòng 'Hộ nghèo' và "
                                "'Hộ cận nghèo')", "B", str(row.position)))
    out: dict = {}
    for fixed in SECTION_B.fixed_rows:
        row = by_label.get(normalise(fixed.label))
        if row is None:
            issues.append(Issue(f"thiếu dòng '{fixed.label}'", "B"))
            continue
        if not _filled(SECTION_B, row):
            issues.append(Issue("chưa điền số liệu", "B", f"'{fixed.label}'"))
            continue
        values = _cells(SECTION_B, row, issues)
        if values is not None and _balanced(values, fixed.label, exp, issues):
            out[fixed.key] = values
    totals = {v["total_households"] for v in out.values()}
    if len(totals) > 1:
        issues.append(Issue("tổng số hộ dân cư của hai nhóm phải bằng nhau", "B", None,
                            SECTION_B.column("total_households").label))
    return out


def _balanced(v: dict, label: str, exp: Expectation, issues: list[Issue]) -> bool:
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


def _narrative(key: str):  # noqa: ANN202 - a section rule
    def rule(table: RawTable, exp: Expectation, issues: list[Issue]) -> str:
        text = clean_text("\n".join(r.cells.get("text", "").strip() for r in table.rows)).strip()
        if not text:
            issues.append(Issue("chưa có nội dung (mục bắt buộc)", key))
        elif len(text) > MAX_NARRATIVE_CHARS:
            issues.append(Issue(f"nội dung quá dài ({_count(len(text))} ký tự; tối đa "
                                f"{_count(MAX_NARRATIVE_CHARS)} ký tự): vui lòng viết gọn lại", key))
        return text
    return rule


def _recommendations(table: RawTable, exp: Expectation, issues: list[Issue]) -> list[dict]:
    rows = (r for r in table.rows if _filled(SECTION_E, r))
    return [v for v in (_cells(SECTION_E, r, issues) for r in rows) if v is not None]


_SECTION_RULES = {"A": _models, "B": _households, "C": _narrative("C"), "D": _narrative("D"),
                  "E": _recommendations}
