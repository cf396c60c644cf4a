"""Field visits: the schedule from an approved draw, notices to communes, reschedules, ad-hoc visits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db import audit
from giamsat.db.models import AdhocRound, Obligation, Unit, Visit
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.domain.formatting import in_sentence, short_date
from giamsat.draw.service import approved_draw
from giamsat.messaging.outbox import enqueue, idempotency_key
from giamsat.plan.wording import plan_words, unit_words
from giamsat.runtime import Runtime


@dataclass(frozen=True)
class VisitInfo:
    """A visit as the CLI and the demo show it."""

    id: int
    unit_key: str
    unit_code: str
    unit_name: str
    kind: str
    scheduled_on: dt.date
    status: str
    villages: list[str]
    note: str | None


def _unit_by_key(session: Session, cycle_id: int, key: str) -> Unit:
    code, valid_from = key.split("@")
    return session.scalars(select(Unit).where(Unit.cycle_id == cycle_id, Unit.code == code,
                                              Unit.valid_from == dt.date.fromisoformat(valid_from))).one()


def _team(rt: Runtime) -> list[dict[str, str]]:
    return [m.model_dump() for m in rt.plan.visits.team]


def earliest_visit(rt: Runtime, as_of: dt.date) -> dt.date:
    """The first day a visit notified on ``as_of`` may take place: the plan's notice in working
    days, so the documents (due the working day before) are asked for after the notice."""
    return rt.calendar.add_working_days(as_of, rt.plan.visits.notice_working_days)


def _check_notice(rt: Runtime, day: dt.date, now: dt.datetime) -> None:
    sent_on = now.astimezone(clock.TZ).date()
    earliest = earliest_visit(rt, sent_on)
    if day < earliest:
        raise Conflict(f"Ngày {short_date(day)} quá gần: thông báo gửi ngày {short_date(sent_on)} phải "
                       f"trước buổi giám sát {rt.plan.visits.notice_working_days} ngày làm việc để xã "
                       f"kịp gửi tài liệu; chọn từ ngày {short_date(earliest)}.")


def _slots(rt: Runtime, as_of: dt.date, needed: int) -> list[dt.date]:
    """Visit days: working days of the window, the plan's notice period after ``as_of``."""
    v = rt.plan.visits
    earliest = max(v.window_start, earliest_visit(rt, as_of))
    slots = [d for d in rt.calendar.working_days(earliest, v.window_end) for _ in range(v.visits_per_day)]
    if len(slots) < needed:
        raise Conflict(f"Không đủ ngày làm việc để xếp {needed} cuộc giám sát từ {short_date(earliest)} "
                       f"đến {short_date(v.window_end)} ({v.visits_per_day} cuộc/ngày).")
    return slots[:needed]


def schedule_visits(rt: Runtime, as_of: dt.date, actor: str,
                    now: dt.datetime) -> list[VisitInfo]:
    """Schedule one visit per unit of the approved draw and notify each commune (idempotent)."""
    with rt.db.unit_of_work() as s:
        draw = approved_draw(s, rt.cycle_id)
        if draw is None:
            noun = plan_words(rt.plan)["unit_noun"]
            raise Conflict("Mẫu chưa được duyệt: duyệt lượt chọn mẫu (giamsat draw approve) "
                           f"trước khi xếp lịch giám sát và thông báo cho các {noun}.")
        existing = s.scalars(select(Visit).where(Visit.draw_id == draw.id)).all()
        if not existing:
            units = draw.result["units"]
            for picked, day in zip(units, _slots(rt, as_of, len(units)), strict=True):
                unit = _unit_by_key(s, rt.cycle_id, picked["key"])
                visit = Visit(cycle_id=rt.cycle_id, unit_id=unit.id, draw_id=draw.id, kind="sampled",
                              scheduled_on=day, status="scheduled", villages=list(picked["villages"]),
                              team=_team(rt))
                s.add(visit)
                s.flush()
                _notify(rt, s, visit, unit, now)
                audit.record(s, at=now, actor=actor, action="visit.scheduled", entity="visit",
                             entity_id=visit.id, cycle_id=rt.cycle_id, unit=unit.code,
                             on=day.isoformat())
    return list_visits(rt)


def _notify(rt: Runtime, s: Session, visit: Visit, unit: Unit, now: dt.datetime,
            previous: dt.date | None = None, reason: str | None = None, scope: dict | None = None) -> None:
    """The visit_documents obligation (due a working day before) and the notice in the outbox."""
    due = rt.calendar.add_working_days(visit.scheduled_on, -1)
    key = f"visitdocs:{visit.id}"
    ob = s.scalar(select(Obligation).where(Obligation.cycle_id == rt.cycle_id, Obligation.key == key))
    if ob is None:
        ob = Obligation(cycle_id=rt.cycle_id, kind="visit_documents", key=key, unit_id=unit.id,
                        visit_id=visit.id, due_on=due, status="open", created_at=now)
        s.add(ob)
        s.flush()
    elif ob.status == "open":
        ob.due_on = due
    plan = rt.plan
    context = {
        **plan_words(plan), **unit_words(plan, unit),
        "office_name": plan.bodies.office.short, "office_email": plan.bodies.office.email or "",
        "unit_place": in_sentence(unit.name), "committee": unit_words(plan, unit)["unit_addressee_long"],
        "day": visit.scheduled_on, "documents_due": due,
        "team": visit.team, "villages": visit.villages, "documents": plan.visits.documents_to_prepare,
        "adhoc": visit.kind == "adhoc", "previous": previous, "reason": reason,
        "villages_synthetic": plan.villages_synthetic, "year": plan.year,
        **(scope or _round_scope(s, visit)),
    }
    enqueue(s, cycle_id=rt.cycle_id, kind="visit_notice", to=[unit.email], cc=[unit.chairman_email],
            key=idempotency_key(plan.cycle_key, "visits", "visit_notice", visit.id,
                                visit.scheduled_on.isoformat()),
            template="visit_notice", context=context, now=now, unit_id=unit.id, obligation_id=ob.id)


def _round_scope(s: Session, visit: Visit) -> dict:
    """The ad-hoc round a visit belongs to, as its notice names it (a reschedule too)."""
    rnd = s.get(AdhocRound, visit.round_id) if visit.round_id is not None else None
    if rnd is None:
        return {"round_number": None, "round_content": None, "round_from": None, "round_to": None}
    return {"round_number": rnd.number, "round_content": rnd.content, "round_from": rnd.starts_on,
            "round_to": rnd.ends_on}


def _check_in_round(s: Session, visit: Visit, day: dt.date) -> None:
    """A round's visit stays within the round's dates (its notice announced them)."""
    rnd = s.get(AdhocRound, visit.round_id) if visit.round_id is not None else None
    if rnd is not None and not rnd.starts_on <= day <= rnd.ends_on:
        raise Conflict(f"Ngày {short_date(day)} nằm ngoài thời gian của đợt giám sát đột xuất số "
                       f"{rnd.number} ({short_date(rnd.starts_on)} – {short_date(rnd.ends_on)}).")


def _check_day(rt: Runtime, day: dt.date) -> None:
    if not rt.calendar.is_working_day(day):
        raise Conflict(f"Ngày {short_date(day)} không phải ngày làm việc; chọn ngày khác.")
    p = rt.plan.period
    if not p.start <= day <= p.end:
        raise Conflict(f"Ngày {short_date(day)} nằm ngoài thời gian thực hiện kế hoạch "
                       f"({short_date(p.start)} – {short_date(p.end)}).")


def reschedule(rt: Runtime, visit_id: int, day: dt.date, reason: str, actor: str,
               now: dt.datetime) -> VisitInfo:
    """Move a visit to another working day, keep the reason, and notify the commune again."""
    if not reason or not reason.strip():
        raise Conflict("Phải ghi lý do đổi lịch (--reason).")
    _check_day(rt, day)
    with rt.db.unit_of_work() as s:
        visit = get_visit(s, rt.cycle_id, visit_id)
        if visit.status == "done":
            raise Conflict(f"Cuộc giám sát số {visit.id} đã thực hiện, không đổi lịch được.")
        if visit.scheduled_on != day:
            _check_in_round(s, visit, day)
            _check_notice(rt, day, now)
            previous, visit.scheduled_on = visit.scheduled_on, day
            line = f"{short_date(previous)} → {short_date(day)}: {reason.strip()}"
            visit.note = f"{visit.note}\n{line}" if visit.note else line
            unit = s.get_one(Unit, visit.unit_id)
            _notify(rt, s, visit, unit, now, previous=previous, reason=reason.strip())
            audit.record(s, at=now, actor=actor, action="visit.rescheduled", entity="visit",
                         entity_id=visit.id, cycle_id=rt.cycle_id, previous=previous.isoformat(),
                         on=day.isoformat(), reason=reason.strip())
        return _info(s, visit)


def add_adhoc(rt: Runtime, unit_code: str, day: dt.date, actor: str, reason: str | None = None, *,
              now: dt.datetime) -> VisitInfo:
    """Add an ad-hoc (đột xuất) visit to any unit valid on ``day``; the same unit and day is reused.

    Its notice gives the sampled visits' notice period; it names no village (none was drawn)."""
    _check_day(rt, day)
    plan_unit = rt.plan.unit(unit_code, day)
    if plan_unit is None:
        raise NotFound(f"Không có đơn vị mã {unit_code} có hiệu lực ngày {short_date(day)}.")
    with rt.db.unit_of_work() as s:
        unit = _unit_by_key(s, rt.cycle_id, plan_unit.key)
        visit = s.scalar(select(Visit).where(Visit.cycle_id == rt.cycle_id, Visit.unit_id == unit.id,
                                             Visit.kind == "adhoc", Visit.scheduled_on == day))
        if visit is None:
            _check_notice(rt, day, now)
            visit = Visit(cycle_id=rt.cycle_id, unit_id=unit.id, kind="adhoc", scheduled_on=day,
                          status="scheduled", villages=[], team=_team(rt),
                          note=reason.strip() if reason and reason.strip() else None)
            s.add(visit)
            s.flush()
            _notify(rt, s, visit, unit, now)
            audit.record(s, at=now, actor=actor, action="visit.adhoc_added", entity="visit",
                         entity_id=visit.id, cycle_id=rt.cycle_id, unit=unit.code, on=day.isoformat())
        return _info(s, visit)


def add_round_visit(rt: Runtime, s: Session, round_id: int, unit_key: str, day: dt.date,
                    scope: dict, actor: str, now: dt.datetime) -> Visit:
    """An ad-hoc round's visit to one unit on ``day``, notified with the round's content and dates
    (``scope``: round_number, round_content, round_from, round_to) like any ad-hoc visit."""
    _check_day(rt, day)
    _check_notice(rt, day, now)
    unit = _unit_by_key(s, rt.cycle_id, unit_key)
    visit = Visit(cycle_id=rt.cycle_id, unit_id=unit.id, round_id=round_id, kind="adhoc",
                  scheduled_on=day, status="scheduled", villages=[], team=_team(rt),
                  note=f"Đợt giám sát đột xuất số {scope['round_number']}")
    s.add(visit)
    s.flush()
    _notify(rt, s, visit, unit, now, scope=scope)
    audit.record(s, at=now, actor=actor, action="visit.adhoc_added", entity="visit", entity_id=visit.id,
                 cycle_id=rt.cycle_id, unit=unit.code, on=day.isoformat(), round=round_id)
    return visit


def get_visit(s: Session, cycle_id: int, visit_id: int) -> Visit:
    """The visit ``visit_id`` of the cycle, or ``NotFound``."""
    visit = s.get(Visit, visit_id)
    if visit is None or visit.cycle_id != cycle_id:
        raise NotFound(f"Không có cuộc giám sát số {visit_id} trong chu kỳ này.")
    return visit


def _info(s: Session, visit: Visit) -> VisitInfo:
    unit = s.get_one(Unit, visit.unit_id)
    return VisitInfo(visit.id, f"{unit.code}@{unit.valid_from.isoformat()}", unit.code, unit.name,
                     visit.kind, visit.scheduled_on, visit.status, list(visit.villages), visit.note)


def list_visits(rt: Runtime) -> list[VisitInfo]:
    """Every visit of the cycle by date."""
    with rt.db.unit_of_work() as s:
        rows = s.scalars(select(Visit).where(Visit.cycle_id == rt.cycle_id)
                         .order_by(Visit.scheduled_on, Visit.id))
        return [_info(s, v) for v in rows]
