"""The recommendation register: add, update with dated history and evidence, and the daily sweep.

Every recommendation has an Obligation (kind ``recommendation``, key ``rec:<rec.key>``) so the
reminder sweep reminds the addressed body until it is resolved or not accepted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db.audit import record
from giamsat.db.models import Obligation, Recommendation, RecommendationEvent, Unit
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.domain.formatting import own_unit, short_date
from giamsat.domain.textsafety import clean_line, clean_text
from giamsat.domain.vocabulary import (
    REC_ACTIVE,
    REC_CLOSED,
    REC_NEEDS_NOTE,
    REC_SETTABLE,
    REC_STATUS,
    REC_TRANSITIONS,
)
from giamsat.followup import bulk
from giamsat.followup.evidence import store_evidence
from giamsat.runtime import Runtime

MAX_TEXT = 5000  # characters of a recommendation or a note (about two pages)


def _bounded(field: str, text: str, limit: int) -> None:
    """Typed refusal of an over-long text (the database column or the report cannot take it)."""
    if len(text) > limit:
        raise Conflict(f"{field} quá dài ({len(text):,} ký tự; tối đa {limit:,} ký tự).".replace(",", "."))


def label(status: str) -> str:
    """The Vietnamese name of a status."""
    return REC_STATUS.get(status, status)


def due_date(rt: Runtime, start: dt.date) -> dt.date:
    """The due date of a recommendation made on ``start``: N working days later (config)."""
    return rt.calendar.add_working_days(start, rt.plan.followup.recommendation_due_working_days)


def add(rt: Runtime, content: str, addressed_to: str, addressed_email: str | None,
        unit_code: str | None, due_on: dt.date | None, actor: str, now: dt.datetime, *,
        source_kind: str = "coordinator") -> Recommendation:
    """Register a recommendation (idempotent on its content and addressee): the coordinator's, or
    with ``source_kind="provincial"`` one the upper body's monitoring team made."""
    content, addressed_to = clean_text(content).strip(), clean_line(addressed_to)
    _bounded("Nội dung kiến nghị", content, MAX_TEXT)
    _bounded("Cơ quan, đơn vị được kiến nghị", addressed_to, 300)
    if not content:
        raise Conflict("Nội dung kiến nghị không được để trống.")
    if not addressed_to:
        raise Conflict("Phải ghi rõ cơ quan, đơn vị được kiến nghị.")
    today = now.astimezone(clock.TZ).date()
    digest = hashlib.sha256(f"{unit_code}|{addressed_to}|{content}".encode()).hexdigest()[:16]
    key = f"{rt.plan.cycle_key}:{source_kind}:{digest}"
    with rt.db.unit_of_work() as s:
        rec = s.scalar(select(Recommendation).where(Recommendation.key == key))
        if rec is not None:
            return rec
        unit = _unit(s, rt, unit_code, today) if unit_code else None
        if unit is not None:  # "UBND xã" entered for a commune is that commune
            addressed_to = own_unit(addressed_to, unit.name)
        rec = Recommendation(cycle_id=rt.cycle_id, key=key, source_kind=source_kind,
                             unit_id=unit.id if unit else None, content=content,
                             addressed_to=addressed_to, addressed_email=addressed_email,
                             due_on=due_on or due_date(rt, today), status="open",
                             created_at=now, updated_at=now)
        s.add(rec)
        s.flush()
        _event(s, rt, rec, "open", "Ghi nhận kiến nghị", actor, now, None, action="rec.add")
        ensure_obligation(s, rec, now)
        return rec


def _unit(s: Session, rt: Runtime, code: str, day: dt.date) -> Unit:
    pu = rt.plan.unit(code, day)
    row = None if pu is None else s.scalar(select(Unit).where(
        Unit.cycle_id == rt.cycle_id, Unit.code == pu.code, Unit.valid_from == pu.valid_from))
    if row is None:
        raise NotFound(f"Không có đơn vị mã {code} có hiệu lực ngày {short_date(day)}.")
    return row


def ensure_obligation(s: Session, rec: Recommendation, now: dt.datetime) -> tuple[Obligation, bool]:
    """The recommendation's obligation, created if missing; returns (obligation, created)."""
    key = f"rec:{rec.key}"
    ob = s.scalar(select(Obligation).where(Obligation.cycle_id == rec.cycle_id, Obligation.key == key))
    if ob is not None:
        return ob, False
    ob = _new_obligation(rec, now)
    s.add(ob)
    s.flush()
    return ob, True


def _new_obligation(rec: Recommendation, now: dt.datetime) -> Obligation:
    return Obligation(cycle_id=rec.cycle_id, kind="recommendation", key=f"rec:{rec.key}",
                      unit_id=rec.unit_id, recommendation_id=rec.id, due_on=rec.due_on,
                      created_at=now, status="met" if rec.status in REC_CLOSED else "open",
                      met_at=now if rec.status in REC_CLOSED else None)


def _event(s: Session, rt: Runtime, rec: Recommendation, status: str, note: str | None,
           actor: str, now: dt.datetime, evidence: str | None, action: str) -> None:
    s.add(RecommendationEvent(recommendation_id=rec.id, at=now, status=status, note=note,
                              actor=actor, evidence_path=evidence))
    record(s, at=now, actor=actor, action=action, entity="recommendation", entity_id=rec.id,
           cycle_id=rec.cycle_id, status=status, note=note, evidence=evidence)


def update(rt: Runtime, rec_id: int, status: str, note: str | None, evidence: Path | None,
           actor: str, now: dt.datetime, due_on: dt.date | None = None) -> Recommendation:
    """Change a recommendation's status with a note, evidence and/or a new due date (validated)."""
    note = clean_text(note or "").strip() or None
    _bounded("Ghi chú", note or "", MAX_TEXT)
    with rt.db.unit_of_work() as s:
        rec = s.get(Recommendation, rec_id)
        if rec is None or rec.cycle_id != rt.cycle_id:
            raise NotFound(f"Không có kiến nghị số {rec_id}.")
        return _apply(s, rt, rec, status, note, evidence, actor, now, due_on)


def readdress(rt: Runtime, rec_id: int, addressed_to: str, addressed_email: str | None,
              actor: str, now: dt.datetime) -> Recommendation:
    """Correct who a recommendation is addressed to (audited; reminders follow the new addressee)."""
    addressed_to = clean_line(addressed_to)
    _bounded("Cơ quan, đơn vị được kiến nghị", addressed_to, 300)
    if not addressed_to:
        raise Conflict("Phải ghi rõ cơ quan, đơn vị được kiến nghị.")
    with rt.db.unit_of_work() as s:
        rec = s.get(Recommendation, rec_id)
        if rec is None or rec.cycle_id != rt.cycle_id:
            raise NotFound(f"Không có kiến nghị số {rec_id}.")
        if (rec.addressed_to, rec.addressed_email) == (addressed_to, addressed_email):
            return rec
        note = f"Sửa cơ quan được kiến nghị: {rec.addressed_to} → {addressed_to}"
        rec.addressed_to, rec.addressed_email, rec.updated_at = addressed_to, addressed_email, now
        _event(s, rt, rec, rec.status, note, actor, now, None, action="rec.readdressed")
        return rec


def update_many(rt: Runtime, changes: list[tuple[int, str, str]], actor: str, now: dt.datetime) -> int:
    """``update`` for many recommendations (id, status, note) in one transaction, as the addressed
    bodies of a province or the whole country answer; any refused change refuses them all.
    Returns how many changes were recorded (``bulk.update_many`` writes them as plain rows)."""
    today = now.astimezone(clock.TZ).date()
    with rt.db.unit_of_work() as s:
        notes = [(i, st, (note or "").strip() or None) for i, st, note in changes]
        return bulk.update_many(s, rt.cycle_id, notes, actor, now, today, _validate)


def _apply(s: Session, rt: Runtime, rec: Recommendation, status: str, note: str | None,
           evidence: Path | None, actor: str, now: dt.datetime, due_on: dt.date | None,
           ob: Obligation | None = None) -> Recommendation:
    today = now.astimezone(clock.TZ).date()
    _validate(rec, status, note, evidence, due_on, today)
    stored = store_evidence(rt.home, evidence, rt.plan.report.max_file_mb) if evidence else None
    rec.status, rec.updated_at = status, now
    if stored:
        rec.evidence_path = stored
    if status == "resolved":
        rec.evidence_text = note or rec.evidence_text
    if ob is None:
        ob, _ = ensure_obligation(s, rec, now)
    if due_on is not None:
        rec.due_on = ob.due_on = due_on
    if status in REC_CLOSED:
        ob.status, ob.met_at = "met", now
    text = note if due_on is None else f"{note or ''} (hạn mới: {short_date(due_on)})".strip()
    _event(s, rt, rec, status, text, actor, now, stored, action="rec.update")
    return rec


def _validate(rec: Recommendation, status: str, note: str | None, evidence: Path | None,
              due_on: dt.date | None, today: dt.date) -> None:
    """Refuse a change the register must not accept, with a message naming why."""
    if status not in REC_STATUS:
        raise Conflict(f"Trạng thái không hợp lệ: {status!r}; chọn một trong: "
                       f"{', '.join(REC_SETTABLE)}.")
    where = f"Kiến nghị số {rec.id}"
    if status == "overdue":
        raise Conflict(f"{where}: trạng thái 'quá hạn' do hệ thống tự đánh dấu khi quá hạn.")
    if status not in REC_TRANSITIONS.get(rec.status, set()):
        raise Conflict(f"{where} đang ở trạng thái '{label(rec.status)}', không thể chuyển sang "
                       f"'{label(status)}'.")
    if status == "resolved" and not (note or evidence):
        raise Conflict(f"{where}: muốn ghi nhận đã thực hiện phải có nội dung kết quả "
                       f"(--note) hoặc tệp minh chứng (--evidence).")
    if status in REC_NEEDS_NOTE and not note:
        raise Conflict(f"{where}: phải ghi rõ lý do/nội dung (--note) khi chuyển sang "
                       f"'{label(status)}'.")
    if due_on is not None and due_on <= today:
        raise Conflict(f"{where}: hạn mới {short_date(due_on)} phải sau ngày {short_date(today)}.")
    if rec.status == "overdue" and status in REC_ACTIVE and due_on is None:
        raise Conflict(f"{where} đã quá hạn: muốn tiếp tục theo dõi phải gia hạn (--due).")


@dataclass(frozen=True)
class SweepResult:
    """What one follow-up sweep did."""

    obligations_created: int
    marked_overdue: int


def followup_sweep(rt: Runtime, as_of: dt.date) -> SweepResult:
    """Create missing obligations and mark active recommendations past due as overdue (idempotent)."""
    now = clock.at_office_hours(as_of, 17)
    with rt.db.unit_of_work() as s:
        created, overdue = bulk.sweep(s, rt.cycle_id, as_of, now)  # columns read, rows written at once
        if created or overdue:
            record(s, at=now, actor="system", action="followup.sweep", entity="cycle",
                   entity_id=rt.cycle_id, cycle_id=rt.cycle_id, as_of=as_of.isoformat(),
                   obligations_created=created, marked_overdue=overdue)
    return SweepResult(created, overdue)


def list_recommendations(rt: Runtime, statuses: list[str] | None = None) -> list[Recommendation]:
    """The register, optionally filtered by status, in order of registration."""
    with rt.db.unit_of_work() as s:
        q = select(Recommendation).where(Recommendation.cycle_id == rt.cycle_id)
        if statuses:
            q = q.where(Recommendation.status.in_(statuses))
        return list(s.scalars(q.order_by(Recommendation.id)))


def unit_names(rt: Runtime, recs: list[Recommendation]) -> dict[int, str]:
    """The names of the communes these recommendations concern, by unit id (for a register's column)."""
    ids = {r.unit_id for r in recs if r.unit_id is not None}
    if not ids:
        return {}
    with rt.db.unit_of_work() as s:
        return dict(s.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).tuples().all())


def show(rt: Runtime, rec_id: int) -> tuple[Recommendation, list[RecommendationEvent]]:
    """One recommendation and its dated history."""
    with rt.db.unit_of_work() as s:
        rec = s.get(Recommendation, rec_id)
        if rec is None or rec.cycle_id != rt.cycle_id:
            raise NotFound(f"Không có kiến nghị số {rec_id}.")
        events = list(s.scalars(select(RecommendationEvent).where(
            RecommendationEvent.recommendation_id == rec_id).order_by(RecommendationEvent.id)))
        return rec, events
