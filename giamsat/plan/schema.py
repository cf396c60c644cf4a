"""The plan of one cycle as configuration: pydantic schema and a loader with path-precise errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from giamsat.domain.errors import PlanError
from giamsat.domain.textsafety import unsafe_characters

Date = dt.date


MAX_PLAN_TEXT = 2000
_ONE_LINE = ("name", "short", "title", "position", "role", "code", "email", "chairman_email")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: object, info: ValidationInfo) -> object:
        """Plan texts end up in Word files, e-mail headers and file names: no controls, bounded."""
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue
            bad = unsafe_characters(text)
            if info.field_name in _ONE_LINE:
                bad += [f"U+{ord(c):04X}" for c in "\t\n\r" if c in text]
            if bad:
                raise PydanticCustomError("unsafe_text", "có ký tự điều khiển ({bad}): xóa ký tự này",
                                          {"bad": ", ".join(bad)})
            if len(text) > MAX_PLAN_TEXT:
                raise PydanticCustomError("text_too_long", "quá dài ({n} ký tự; tối đa {max})",
                                          {"n": len(text), "max": MAX_PLAN_TEXT})
        return value


class District(_Model):
    name: str
    province: str
    code: str
    province_code: str
    place_name: str


class Body(_Model):
    name: str
    short: str
    parent: str | None = None
    code: str | None = None
    email: str | None = None


class Bodies(_Model):
    committee: Body
    office: Body
    province_department: Body


class Signatory(_Model):
    title: str
    name: str
    capacity: str | None = None
    delegation: str | None = None


class Signatories(_Model):
    committee: Signatory
    office: Signatory


class PlanDocument(_Model):
    number: int = Field(gt=0)
    issued_on: Date
    summary: str


class NotificationLetter(_Model):
    """The office's letter (công văn) announcing the plan to each unit."""

    number: int = Field(gt=0)
    summary: str


class BasisDocument(_Model):
    kind: str
    number: str
    date: Date
    issuer: str
    summary: str
    funds_project: str | None = None


class Period(_Model):
    start: Date
    end: Date


class Content(_Model):
    key: str
    title: str


class ReportRules(_Model):
    deadline: Date
    deadline_rule: Literal["before", "on_or_before"] = "before"
    form_version: str
    max_file_mb: float = Field(default=20, gt=0)
    max_uncompressed_mb: float = Field(default=100, gt=0)
    rate_tolerance_pct: float = Field(default=0.05, ge=0)


class PovertyStandard(_Model):
    income_rural: int = Field(gt=0)
    income_urban: int = Field(gt=0)
    min_deprivations_poor: int = Field(ge=1)


class Targets(_Model):
    rate_reduction_min_pts: float = Field(ge=0)
    rate_reduction_max_pts: float = Field(ge=0)


class Stratum(_Model):
    name: str
    kinds: list[Literal["xa", "thi_tran", "phuong"]]
    count: int = Field(ge=0)


class SampleRules(_Model):
    communes: int = Field(gt=0)
    villages_per_commune: int = Field(gt=0)
    households_per_village: int = Field(ge=0)
    draw_on: Date
    exclude_previous_cycle: list[str] = []
    strata: list[Stratum] = []


class TeamMember(_Model):
    name: str
    position: str
    role: str


class VisitRules(_Model):
    window_start: Date
    window_end: Date
    visits_per_day: int = Field(default=1, gt=0)
    documents_to_prepare: list[str]
    team: list[TeamMember] = Field(min_length=1)
    provincial_visit_on: Date | None = None


class FollowupRules(_Model):
    recommendation_due_working_days: int = Field(gt=0)
    sweep_every_working_days: int = Field(default=1, gt=0)


class FinalReport(_Model):
    due: Date
    number: int = Field(gt=0)
    interim_number: int | None = Field(default=None, gt=0)


class ReminderPolicy(_Model):
    before_working_days: list[int] = [3, 1]
    on_due_date: bool = True
    after_every_working_days: int = Field(default=2, gt=0)
    escalate_after_overdue: int = Field(default=1, ge=0)
    max_overdue_reminders: int = Field(default=8, ge=0)


class Recipients(_Model):
    plan: list[str]
    plan_archive: str
    letter: list[str]
    letter_archive: str
    final_report: list[str]
    final_report_archive: str
    final_report_emails: list[str] = []


class DocumentsPolicy(_Model):
    """Whether drafts (unsigned Word documents, numbers from this file) may go out before registration."""

    allow_drafts: bool = False


class Delivery(_Model):
    channel: Literal["file", "smtp"] = "file"
    mail_from: str
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_security: Literal["none", "starttls", "ssl"] = "none"


class CalendarRules(_Model):
    timezone: str = "Asia/Ho_Chi_Minh"
    extra_days_off: list[Date] = []
    makeup_working_days: list[Date] = []


class Reorganisation(_Model):
    effective: Date
    resolution: str
    note: str | None = None


class Unit(_Model):
    code: str = Field(pattern=r"^\d{5}$")
    name: str
    kind: Literal["xa", "thi_tran", "phuong"]
    valid_from: Date
    valid_to: Date | None = None
    successor: str | None = None
    email: str
    chairman_email: str
    villages: list[str] = Field(min_length=1)

    def valid_on(self, day: Date) -> bool:
        """Whether the unit exists on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def key(self) -> str:
        """Stable identity: codes are reused, so code plus the first day of validity."""
        return f"{self.code}@{self.valid_from.isoformat()}"


class Plan(_Model):
    """The whole plan of one cycle; another district or year is another YAML file."""

    cycle_key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    year: int
    synthetic_notice: str
    district: District
    bodies: Bodies
    signatories: Signatories
    plan_document: PlanDocument
    notification_letter: NotificationLetter | None = None
    basis: list[BasisDocument]
    period: Period
    contents: list[Content] = Field(min_length=1)
    report: ReportRules
    poverty_standard: PovertyStandard
    targets: Targets
    sample: SampleRules
    visits: VisitRules
    followup: FollowupRules
    final_report: FinalReport
    reminders: ReminderPolicy
    recipients: Recipients
    delivery: Delivery
    documents: DocumentsPolicy = DocumentsPolicy()
    calendar: CalendarRules
    reorganisation: Reorganisation | None = None
    villages_synthetic: bool = True
    units: list[Unit] = Field(min_length=1)
    _units_by_code: dict[str, list[Unit]] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        problems = list(_cross_checks(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def units_on(self, day: Date) -> list[Unit]:
        """The reporting units that exist on ``day``, in configuration order."""
        return [u for u in self.units if u.valid_on(day)]

    def unit(self, code: str, on: Date) -> Unit | None:
        """The unit with ``code`` valid on ``on`` (codes are reused over time)."""
        return next((u for u in self._by_code().get(code, ()) if u.valid_on(on)), None)

    def _by_code(self) -> dict[str, list[Unit]]:
        # the model is frozen, so the index built on first use stays right
        if self._units_by_code is None:
            index: dict[str, list[Unit]] = {}
            for u in self.units:
                index.setdefault(u.code, []).append(u)
            self._units_by_code = index
        return self._units_by_code

    def successor_of(self, unit: Unit) -> Unit | None:
        """The unit that absorbed ``unit`` when it ceased to exist, if any."""
        if unit.successor is None or unit.valid_to is None:
            return None
        return self.unit(unit.successor, unit.valid_to + dt.timedelta(days=1))


def _cross_checks(plan: Plan) -> Iterable[str]:
    """Rules spanning several fields; each message starts with the path it is about."""
    p = plan.period
    if p.end <= p.start:
        yield f"period.end: ngày kết thúc {p.end:%d/%m/%Y} phải sau ngày bắt đầu {p.start:%d/%m/%Y}"
    dated = {
        "report.deadline": plan.report.deadline,
        "sample.draw_on": plan.sample.draw_on,
        "visits.window_start": plan.visits.window_start,
        "visits.window_end": plan.visits.window_end,
        "final_report.due": plan.final_report.due,
    }
    for path, day in dated.items():
        if not p.start <= day <= p.end:
            yield (f"{path}: ngày {day:%d/%m/%Y} nằm ngoài thời gian thực hiện kế hoạch "
                   f"({p.start:%d/%m/%Y} – {p.end:%d/%m/%Y})")
    if plan.visits.window_end < plan.visits.window_start:
        yield "visits.window_end: phải sau visits.window_start"
    if plan.targets.rate_reduction_max_pts < plan.targets.rate_reduction_min_pts:
        yield "targets.rate_reduction_max_pts: phải lớn hơn hoặc bằng rate_reduction_min_pts"
    yield from _unit_checks(plan)


def _unit_checks(plan: Plan) -> Iterable[str]:
    seen: dict[str, list[int]] = {}
    for i, u in enumerate(plan.units):
        where = f"units[{i}]"
        if u.valid_to is not None and u.valid_to < u.valid_from:
            yield f"{where}.valid_to: ngày hết hiệu lực trước ngày có hiệu lực"
        for j in seen.get(u.code, ()):  # only same-code units can clash: O(n), not O(n²)
            other = plan.units[j]
            if _overlaps(u, other):
                yield (f"{where}.code: mã đơn vị {u.code} trùng với units[{j}] "
                       f"({other.name}) trong cùng thời gian hiệu lực")
        seen.setdefault(u.code, []).append(i)
        if u.successor is not None:
            if u.valid_to is None:
                yield f"{where}.successor: chỉ đơn vị đã chấm dứt (có valid_to) mới có đơn vị kế thừa"
            elif plan.successor_of(u) is None:
                day = u.valid_to + dt.timedelta(days=1)
                yield (f"{where}.successor: không có đơn vị mã {u.successor} "
                       f"có hiệu lực ngày {day:%d/%m/%Y}")
    if not plan.units_on(plan.period.start):
        yield "units: không có đơn vị nào có hiệu lực vào ngày bắt đầu kế hoạch"
    if plan.sample.communes > len(plan.units_on(plan.sample.draw_on)):
        yield "sample.communes: số xã cần chọn lớn hơn số đơn vị có hiệu lực vào ngày chọn mẫu"


def _overlaps(a: Unit, b: Unit) -> bool:
    far = Date.max
    return a.valid_from <= (b.valid_to or far) and b.valid_from <= (a.valid_to or far)


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


def _format_loc(loc: tuple) -> str:
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
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "không rõ vị trí"
        raise PlanError(str(path), [f"lỗi cú pháp YAML ({where}): {exc}"]) from None
    return parse_plan(data, str(path))
