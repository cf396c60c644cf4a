"""Ad-hoc rounds: opened with their units, content and dates; notified, visited, minuted and followed
up through the visits and followup steps; closed by their own report (``giamsat.rounds.report``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from giamsat.db.audit import record
from giamsat.db.models import AdhocRound, Recommendation, Unit, Visit
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.domain.formatting import short_date
from giamsat.domain.textsafety import clean_text
from giamsat.domain.vocabulary import label
from giamsat.runtime import Runtime
from giamsat.visits import service as visits

MAX_CONTENT = 2000


@dataclass(frozen=True)
class RoundVisit:
    """One visit of a round as the CLI and the report show it."""

    visit_id: int
    unit_name: str
    day: dt.date
    status: str
    recommendations: int


@dataclass(frozen=True)
class RoundInfo:
    """A round with its visits."""

    id: int
    number: int
    content: str
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_label: str
    report_path: str | None
    visits: list[RoundVisit]


def _check_scope(rt: Runtime, codes: list[str], content: str, start: dt.date, end: dt.date) -> list[str]:
    """The units' keys, or a Conflict naming what is wrong with the scope."""
    p = rt.plan.period
    if not content:
        raise Conflict("Phải ghi nội dung giám sát của đợt đột xuất (--content).")
    if len(content) > MAX_CONTENT:
        raise Conflict(f"Nội dung giám sát quá dài ({len(content)} ký tự; tối đa {MAX_CONTENT} ký tự).")
    if end < start:
        raise Conflict(f"Ngày kết thúc {short_date(end)} trước ngày bắt đầu {short_date(start)} "
                       "(--from, --to).")
    if not (p.start <= start and end <= p.end):
        raise Conflict(f"Đợt giám sát ({short_date(start)} – {short_date(end)}) phải nằm trong thời gian "
                       f"thực hiện kế hoạch ({short_date(p.start)} – {short_date(p.end)}).")
    codes = [c.strip() for c in codes if c.strip()]
    if not codes:
        raise Conflict("Phải chọn ít nhất một đơn vị (--units, mã đơn vị cách nhau bởi dấu phẩy).")
    keys = []
    for code in dict.fromkeys(codes):
        unit = rt.plan.unit(code, start)
        if unit is None:
            raise NotFound(f"Không có đơn vị mã {code} có hiệu lực ngày {short_date(start)} (--units).")
        keys.append(unit.key)
    return keys


def _days(rt: Runtime, start: dt.date, end: dt.date, needed: int, as_of: dt.date) -> list[dt.date]:
    """Visit days inside the round, the plan's notice period after ``as_of``."""
    earliest = max(start, visits.earliest_visit(rt, as_of))
    per_day = rt.plan.visits.visits_per_day
    slots = [d for d in rt.calendar.working_days(earliest, end) for _ in range(per_day)]
    if len(slots) < needed:
        raise Conflict(f"Không đủ ngày làm việc để giám sát {needed} đơn vị từ {short_date(earliest)} đến "
                       f"{short_date(end)} ({per_day} đơn vị/ngày; thông báo phải gửi trước "
                       f"{rt.plan.visits.notice_working_days} ngày làm việc): kéo dài đợt (--to).")
    return slots[:needed]


def open_round(rt: Runtime, codes: list[str], content: str, start: dt.date, end: dt.date,
               actor: str, now: dt.datetime) -> RoundInfo:
    """Open an ad-hoc round: one visit per unit on the round's working days, each notified."""
    content = " ".join(clean_text(content).split())
    keys = _check_scope(rt, codes, content, start, end)
    days = _days(rt, start, end, len(keys), now.astimezone(clock.TZ).date())
    with rt.db.unit_of_work() as s:
        number = int(s.scalar(select(func.max(AdhocRound.number)).where(
            AdhocRound.cycle_id == rt.cycle_id)) or 0) + 1
        rnd = AdhocRound(cycle_id=rt.cycle_id, number=number, content=content, starts_on=start,
                         ends_on=end, unit_keys=keys, status="open", opened_by=actor, created_at=now)
        s.add(rnd)
        s.flush()
        scope = {"round_number": number, "round_content": content, "round_from": start, "round_to": end}
        for key, day in zip(keys, days, strict=True):
            visits.add_round_visit(rt, s, rnd.id, key, day, scope, actor, now)
        record(s, at=now, actor=actor, action="round.opened", entity="round", entity_id=rnd.id,
               cycle_id=rt.cycle_id, number=number, units=keys, content=content,
               starts_on=start.isoformat(), ends_on=end.isoformat())
        return _info(s, rnd)


def get_round(s: Session, rt: Runtime, number: int) -> AdhocRound:
    """The round numbered ``number`` in this cycle, or NotFound."""
    rnd = s.scalar(select(AdhocRound).where(AdhocRound.cycle_id == rt.cycle_id, AdhocRound.number == number))
    if rnd is None:
        raise NotFound(f"Không có đợt giám sát đột xuất số {number} trong chu kỳ này "
                       f"(xem: giamsat round list).")
    return rnd


def _info(s: Session, rnd: AdhocRound) -> RoundInfo:
    rows = s.execute(select(Visit, Unit.name).join(Unit, Unit.id == Visit.unit_id)
                     .where(Visit.round_id == rnd.id).order_by(Visit.scheduled_on, Visit.id)).all()
    out = []
    for v, name in rows:
        recs = int(s.scalar(select(func.count()).where(Recommendation.visit_id == v.id)) or 0)
        out.append(RoundVisit(v.id, name, v.scheduled_on, label("visit_status", v.status), recs))
    return RoundInfo(rnd.id, rnd.number, rnd.content, rnd.starts_on, rnd.ends_on, rnd.status,
                     label("round_status", rnd.status), rnd.report_path, out)


def list_rounds(rt: Runtime) -> list[RoundInfo]:
    """Every ad-hoc round of the cycle, by number."""
    with rt.db.unit_of_work() as s:
        return [_info(s, r) for r in s.scalars(select(AdhocRound).where(
            AdhocRound.cycle_id == rt.cycle_id).order_by(AdhocRound.number))]


def show_round(rt: Runtime, number: int) -> RoundInfo:
    """One round with its visits."""
    with rt.db.unit_of_work() as s:
        return _info(s, get_round(s, rt, number))
