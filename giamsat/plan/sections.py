"""The sections of a plan file (bodies, rules, units…) as frozen pydantic models."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from giamsat.domain.outline_spec import UNIT_CODE
from giamsat.domain.textsafety import plain_text, unsafe_characters
from giamsat.plan.places import UnitKind

Date = dt.date

MAX_PLAN_TEXT = 2000
_ONE_LINE = ("name", "short", "title", "position", "role", "code", "email", "chairman_email")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: object, info: ValidationInfo) -> object:
        """Plan texts end up in Word files, e-mail headers and file names: no controls, bounded,
        NFC-normalised without invisible characters (so 'Thôn Một' typed decomposed matches)."""
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
        if isinstance(value, str):
            return plain_text(value)
        if isinstance(value, list):
            return [plain_text(v) if isinstance(v, str) else v for v in value]
        return value


class Body(_Model):
    name: str
    short: str
    parent: str | None = None
    code: str | None = None
    email: str | None = None


class Bodies(_Model):
    committee: Body
    office: Body
    upper_body: Body                # the body the issuer reports to (a Sở, a ministry, a province)


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
    """What the plan states of its poverty standard; nothing: the one in force in its year."""

    decree: str | None = None       # "07/2021/NĐ-CP", "351/2025/NĐ-CP"
    income_rural: int | None = Field(default=None, gt=0)
    income_urban: int | None = Field(default=None, gt=0)
    min_deprivations_poor: int = Field(default=3, ge=1)


class Targets(_Model):
    rate_reduction_min_pts: float = Field(ge=0)
    rate_reduction_max_pts: float = Field(ge=0)


class Stratum(_Model):
    name: str
    kinds: list[UnitKind]
    count: int = Field(ge=0)


class SampleRules(_Model):
    communes: int = Field(gt=0)
    villages_per_commune: int = Field(default=0, ge=0)  # a commune's plan draws no villages below
    households_per_village: int = Field(ge=0)
    draw_on: Date
    unit_noun: str | None = None    # how the plan names a sampled unit ("xã"); default: the kinds
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
    # Working days from the notice to the visit; documents are due the working day before it.
    notice_working_days: int = Field(default=2, ge=2)
    documents_to_prepare: list[str]
    team: list[TeamMember] = Field(min_length=1)
    provincial_visit_on: Date | None = None
    # The upper body's team (Đoàn giám sát của Sở / Bộ): the issuer's report goes to it this many
    # working days before the visit; the office prepares these documents for it.
    provincial_report_working_days: int = Field(default=3, ge=1)
    provincial_documents: list[str] = []


class FollowupRules(_Model):
    recommendation_due_working_days: int = Field(gt=0)
    sweep_every_working_days: int = Field(default=1, gt=0)
    appraisal_answer_working_days: int = Field(default=5, gt=0)  # a commune answers an appraisal


class FinalReport(_Model):
    due: Date
    number: int = Field(gt=0)
    interim_number: int | None = Field(default=None, gt=0)
    # The office's own report to the committee (its number; none: a draft with the number blank).
    office_number: int | None = Field(default=None, gt=0)


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
    final_report_emails: list[str] = []   # an entry may name whom it greets: "Tên <địa chỉ>"
    plan_emails: list[str] = []   # the addresses of the plan's Nơi nhận besides the communes

    @property
    def final_report_addresses(self) -> list[str]:
        """The bare addresses of ``final_report_emails``."""
        return _bare(self.final_report_emails)

    @property
    def plan_addresses(self) -> list[str]:
        """The bare addresses of ``plan_emails``."""
        return _bare(self.plan_emails)


def _bare(entries: list[str]) -> list[str]:
    """``Tên <địa chỉ>`` → ``địa chỉ``; a bare address as it is."""
    return [parseaddr(entry)[1] or entry.strip() for entry in entries]


class Assignment(_Model):
    """A task the plan gives a body other than the communes (its §V), followed up with a due date."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    body: str
    email: str
    task: str
    due: Date


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
    code: str = Field(pattern=rf"^{UNIT_CODE}$")  # a village: ``13741-01`` (see places.py)
    name: str
    kind: UnitKind
    valid_from: Date
    valid_to: Date | None = None
    successor: str | None = None
    email: str
    chairman_email: str
    villages: list[str] = []        # required of a commune (checked in model.py); a village has none
    head: str | None = None         # a village's head as letters greet him ("Trưởng thôn")

    def valid_on(self, day: Date) -> bool:
        """Whether the unit exists on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def key(self) -> str:
        """Stable identity: codes are reused, so code plus the first day of validity."""
        return f"{self.code}@{self.valid_from.isoformat()}"
