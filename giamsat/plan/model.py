"""The whole plan of one cycle (``Plan``) and the rules that span several of its sections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import Field, PrivateAttr, model_validator

from giamsat.domain.formatting import short_date
from giamsat.plan import places, poverty
from giamsat.plan.criteria import CriteriaGroup, default_criteria
from giamsat.plan.issuer import FinanceOffice, Issuer, Programme
from giamsat.plan.places import UnitKind
from giamsat.plan.sections import (
    Assignment,
    BasisDocument,
    Bodies,
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
    Targets,
    Unit,
    VisitRules,
    _Model,
)

Date = dt.date


class Plan(_Model):
    """The whole plan of one cycle; another place, level or year is another YAML file."""

    cycle_key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    year: int
    synthetic_notice: str
    issuer: Issuer
    programme: Programme
    bodies: Bodies
    finance_office: FinanceOffice | None = None
    signatories: Signatories
    plan_document: PlanDocument
    notification_letter: NotificationLetter | None = None
    basis: list[BasisDocument]
    period: Period
    contents: list[Content] = Field(min_length=1)
    criteria: tuple[CriteriaGroup, ...] | None = None  # None: the defaults of its contents
    report: ReportRules
    poverty_standard: PovertyStandard = PovertyStandard()
    targets: Targets
    sample: SampleRules
    visits: VisitRules
    followup: FollowupRules
    final_report: FinalReport
    reminders: ReminderPolicy
    recipients: Recipients
    assignments: list[Assignment] = []
    delivery: Delivery
    documents: DocumentsPolicy = DocumentsPolicy()
    calendar: CalendarRules
    reorganisation: Reorganisation | None = None
    villages_synthetic: bool = True
    # How letters greet the head of each kind of village when not "Trưởng thôn" etc. (places.py)
    village_heads: dict[UnitKind, str] = {}
    units: list[Unit] = Field(min_length=1)
    _units_by_code: dict[str, list[Unit]] | None = PrivateAttr(default=None)
    _units_by_name: dict[str, Unit] | None = PrivateAttr(default=None)
    # (the units list it was computed from, the kinds): a copy with other units recomputes
    _kinds: tuple[list[Unit], list[str]] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Plan:
        problems = list(_cross_checks(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def standard(self) -> poverty.Standard:
        """The poverty standard the plan applies: the one it states, else the one in force in its year."""
        ps = self.poverty_standard
        found, _ = poverty.check(self.year, ps.decree, ps.income_rural, ps.income_urban)
        assert found is not None  # a plan without one does not load (``_cross_checks``)
        return found

    def unit_kinds(self) -> list[str]:
        """The kinds of units the plan has (xa, phuong, …), for phrases like "các xã, phường"."""
        cached = self._kinds
        if cached is None or cached[0] is not self.units:  # every letter and answer asks: once
            cached = self._kinds = (self.units, sorted({u.kind for u in self.units}))
        return list(cached[1])

    def unit_head(self, unit: Unit) -> str | None:
        """A village's head as the plan names him (the unit's, else its kind's); None: the default."""
        return unit.head or self.village_heads.get(unit.kind)

    def unit_named(self, name: str) -> Unit | None:
        """The (last configured) unit called ``name``: how a stored row finds its kind and head."""
        if self._units_by_name is None:
            self._units_by_name = {u.name: u for u in self.units}
        return self._units_by_name.get(name)

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

    def criteria_groups(self) -> tuple[CriteriaGroup, ...]:
        """The monitoring criteria: as the plan lists them, else the defaults of its contents."""
        if self.criteria is not None:
            return self.criteria
        return default_criteria({c.key for c in self.contents})

    def assignment(self, key: str) -> Assignment | None:
        """The assignment with ``key`` (see ``assignments``)."""
        return next((a for a in self.assignments if a.key == key), None)

    def successor_of(self, unit: Unit) -> Unit | None:
        """The unit that absorbed ``unit`` when it ceased to exist, if any."""
        if unit.successor is None or unit.valid_to is None:
            return None
        return self.unit(unit.successor, unit.valid_to + dt.timedelta(days=1))


def _cross_checks(plan: Plan) -> Iterable[str]:
    """Rules spanning several fields; each message starts with the path it is about."""
    p = plan.period
    if p.end <= p.start:
        yield f"period.end: ngày kết thúc {short_date(p.end)} phải sau ngày bắt đầu {short_date(p.start)}"
    dated = {
        "report.deadline": plan.report.deadline,
        "sample.draw_on": plan.sample.draw_on,
        "visits.window_start": plan.visits.window_start,
        "visits.window_end": plan.visits.window_end,
        "final_report.due": plan.final_report.due,
        **{f"assignments.{a.key}.due": a.due for a in plan.assignments},
        **({"visits.provincial_visit_on": plan.visits.provincial_visit_on}
           if plan.visits.provincial_visit_on else {}),
    }
    for path, day in dated.items():
        if not p.start <= day <= p.end:
            yield (f"{path}: ngày {short_date(day)} nằm ngoài thời gian thực hiện kế hoạch "
                   f"({short_date(p.start)} – {short_date(p.end)})")
    if plan.visits.window_end < plan.visits.window_start:
        yield "visits.window_end: phải sau visits.window_start"
    if plan.targets.rate_reduction_max_pts < plan.targets.rate_reduction_min_pts:
        yield "targets.rate_reduction_max_pts: phải lớn hơn hoặc bằng rate_reduction_min_pts"
    yield from _criteria_checks(plan)
    ps = plan.poverty_standard
    yield from poverty.check(plan.year, ps.decree, ps.income_rural, ps.income_urban)[1]
    yield from _unit_checks(plan)


def _criteria_checks(plan: Plan) -> Iterable[str]:
    contents = {c.key for c in plan.contents}
    seen: set[tuple[str, str]] = set()
    for i, group in enumerate(plan.criteria or ()):
        if group.content not in contents:
            yield (f"criteria[{i}].content: nội dung '{group.content}' không có trong contents "
                   f"({', '.join(sorted(contents))})")
        if (group.content, group.level) in seen:
            yield f"criteria[{i}]: nội dung '{group.content}', cấp '{group.level}' đã khai báo ở trên"
        seen.add((group.content, group.level))
        keys = [c.key for c in group.items]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            yield f"criteria[{i}].items: mã tiêu chí '{key}' trùng lặp"


def _kind_checks(plan: Plan, i: int, u: Unit) -> Iterable[str]:
    """A commune's plan covers its villages; a province's or district's plan its communes."""
    where, level = f"units[{i}]", plan.issuer.level
    allowed = places.unit_kinds_of(level)
    if u.kind not in allowed:
        yield (f"{where}.kind: {places.LEVEL_WORD[level]} ban hành kế hoạch không có đơn vị loại "
               f"'{places.KIND_WORD[u.kind]}' ({u.name}): đơn vị của kế hoạch cấp "
               f"{places.LEVEL_WORD[level]} là {', '.join(places.KIND_WORD[k] for k in allowed)}")
    elif places.is_village(u.kind):
        if "-" not in u.code:
            yield (f"{where}.code: thôn, tổ dân phố không có mã thống kê, dùng "
                   f"{places.VILLAGE_CODE_HINT} — giá trị: {u.code!r}")
        elif u.code.split("-")[0] != plan.issuer.code:
            yield (f"{where}.code: mã {u.code} phải bắt đầu bằng mã của xã ban hành "
                   f"({plan.issuer.code}-…)")
        if u.villages:
            yield f"{where}.villages: {u.name} là đơn vị cấp thôn, không khai báo thôn bên dưới"
    else:
        if "-" in u.code:
            yield (f"{where}.code: mã đơn vị cấp xã là mã thống kê 5 chữ số — giá trị: {u.code!r}")
        if not u.villages:
            yield f"{where}.villages: danh sách thôn của {u.name} không được rỗng"
    if u.head is not None and not places.is_village(u.kind):
        yield f"{where}.head: chỉ thôn, tổ dân phố có trưởng thôn, tổ trưởng (head)"


def _sample_level_checks(plan: Plan) -> Iterable[str]:
    """A commune's sample is its villages, one level; above it villages are drawn in each unit."""
    n = plan.sample.villages_per_commune
    if plan.issuer.level == "commune" and n:
        yield ("sample.villages_per_commune: kế hoạch cấp xã chọn mẫu trực tiếp các thôn, tổ dân "
               "phố, không chọn thôn bên dưới: bỏ trường này")
    if plan.issuer.level != "commune" and not n:
        yield "sample.villages_per_commune: số thôn chọn tại mỗi xã phải lớn hơn 0"
    for kind in plan.village_heads:
        if not places.is_village(kind):
            yield f"village_heads.{kind}: chỉ khai báo cho thôn, xóm, tổ dân phố, ấp, bản"


def _unit_checks(plan: Plan) -> Iterable[str]:
    seen: dict[str, list[int]] = {}
    yield from _sample_level_checks(plan)
    for i, u in enumerate(plan.units):
        where = f"units[{i}]"
        yield from _kind_checks(plan, i, u)
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
                       f"có hiệu lực ngày {short_date(day)}")
    if not plan.units_on(plan.period.start):
        yield "units: không có đơn vị nào có hiệu lực vào ngày bắt đầu kế hoạch"
    if plan.sample.communes > len(plan.units_on(plan.sample.draw_on)):
        yield (f"sample.communes: số {places.kinds_phrase(plan.unit_kinds())} cần chọn lớn hơn số "
               f"đơn vị có hiệu lực vào ngày chọn mẫu")


def _overlaps(a: Unit, b: Unit) -> bool:
    far = Date.max
    return a.valid_from <= (b.valid_to or far) and b.valid_from <= (a.valid_to or far)
