"""The plan of one cycle as configuration: the YAML loader with path-precise errors.

The models live in ``giamsat.plan.sections`` and ``giamsat.plan.model``; they are re-exported
here so ``from giamsat.plan.schema import Plan, Unit, load_plan`` is the one import callers need.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from pydantic import ValidationError

from giamsat.domain.errors import PlanError
from giamsat.plan.issuer import FinanceOffice, Issuer, Programme
from giamsat.plan.model import Plan
from giamsat.plan.sections import (
    MAX_PLAN_TEXT,
    BasisDocument,
    Bodies,
    Body,
    CalendarRules,
    Content,
    Delivery,
    DocumentsPolicy,
    FinalReport,
    FollowupRules,
    NotificationLetter,
    Period,
    PlanDocument,
    PovertyStandard,
    Recipients,
    ReminderPolicy,
    Reorganisation,
    ReportRules,
    SampleRules,
    Signatories,
    Signatory,
    Stratum,
    Targets,
    TeamMember,
    Unit,
    VisitRules,
)

__all__ = [
    "BasisDocument", "Bodies", "Body", "CalendarRules", "Content", "Delivery", "DocumentsPolicy",
    "FinanceOffice", "Issuer",
    "FinalReport", "FollowupRules", "MAX_PLAN_TEXT", "NotificationLetter", "Period", "Plan",
    "PlanDocument", "PovertyStandard", "Programme", "Recipients", "ReminderPolicy", "Reorganisation",
    "ReportRules", "SampleRules", "Signatories", "Signatory", "Stratum", "Targets",
    "TeamMember", "Unit", "VisitRules", "load_plan", "parse_plan",
]

Date = dt.date


_MESSAGES_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được khai báo trong mẫu kế hoạch",
    "string_pattern_mismatch": "giá trị không đúng định dạng",
    "date_from_datetime_parsing": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_type": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "float_parsing": "phải là số",
    "string_type": "phải là chuỗi ký tự",
    "list_type": "phải là danh sách",
    "bool_parsing": "phải là true hoặc false",
    "literal_error": "giá trị không thuộc các lựa chọn cho phép",
    "greater_than": "giá trị quá nhỏ",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than": "giá trị quá lớn",
    "too_short": "danh sách không được rỗng",
    "model_type": "phải là một khối khóa: giá trị",
    "dict_type": "phải là một khối khóa: giá trị",
}


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problems(exc: ValidationError) -> list[str]:
    problems: list[str] = []
    for err in exc.errors():
        if err["type"] == "value_error" and not err["loc"]:
            problems.extend(str(err["ctx"]["error"]).split("; "))
            continue
        text = _MESSAGES_VI.get(err["type"], err["msg"])
        if err["type"] == "literal_error":
            text += f" ({err['ctx']['expected']})"
        loc = _format_loc(err["loc"]) or "(gốc)"
        got = err.get("input")
        suffix = f" — giá trị: {got!r}" if err["type"] != "missing" and _is_scalar(got) else ""
        problems.append(f"{loc}: {text}{suffix}")
    return problems


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool | Date) and len(str(value)) < 80


def parse_plan(data: object, source: str = "<plan>") -> Plan:
    """Validate raw YAML data as a plan, raising ``PlanError`` with every problem found."""
    if not isinstance(data, dict):
        raise PlanError(source, ["(gốc): tệp kế hoạch phải là một khối khóa: giá trị"])
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(source, _problems(exc)) from None


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~20x faster on big plans
_loaded: dict[tuple[str, int, int], Plan] = {}


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file; every failure is a ``PlanError``, never a traceback.

    A plan is frozen, so a process that loads the same unchanged file again (every flow run of
    the demo does) gets the already validated object back.
    """
    path = Path(path)
    try:
        st = path.stat()
        cache_key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        cache_key = None
    if cache_key in _loaded:
        return _loaded[cache_key]
    plan = _load_plan_file(path)
    if cache_key is not None:
        _loaded.clear()  # one plan per process in practice; never let the cache grow
        _loaded[cache_key] = plan
    return plan


def _load_plan_file(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(str(path), ["không tìm thấy tệp kế hoạch"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(str(path), [f"không đọc được tệp: {exc}"]) from None
    try:
        data = yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "không rõ vị trí"
        raise PlanError(str(path), [f"lỗi cú pháp YAML ({where}): {exc}"]) from None
    return parse_plan(data, str(path))
