"""The office's preliminary appraisal (thẩm định sơ bộ) of each commune's review results.

Recorded per commune against its current accepted report; the commune is told by e-mail. When the
figures are questioned or the results returned, the questions become a recommendation addressed to
the commune and are followed up like any other until closed; a later "agreed" closes it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.criteria import sitting
from giamsat.criteria.appraisal_facts import (
    Recorded,
    Sitting,
    checked,
    closing,
    follow_content,
    follow_due,
    follow_key,
    notice_context,
    notice_key,
    raised_note,
)
from giamsat.criteria.findings import unit_on
from giamsat.criteria.model import AppraisalLine
from giamsat.criteria.summary import appraisal_summary
from giamsat.db import audit
from giamsat.db.models import Appraisal, Recommendation, Submission, Unit
from giamsat.domain import clock
from giamsat.domain.errors import Conflict
from giamsat.domain.vocabulary import APPRAISAL_FOLLOWED
from giamsat.followup.raised import close_in, raise_in
from giamsat.messaging.outbox import enqueue
from giamsat.plan.wording import unit_words
from giamsat.runtime import Runtime

__all__ = ["Recorded", "list_appraisals", "record_appraisal", "record_appraisals"]


def record_appraisal(rt: Runtime, unit_code: str, result: str, questions: list[str],
                     note: str | None, actor: str, now: dt.datetime) -> Recorded:
    """Record (or change) the appraisal of a commune's review results; idempotent when unchanged."""
    with rt.db.unit_of_work() as s:
        return _record(rt, s, unit_code, result, questions, note, actor, now)


def record_appraisals(rt: Runtime, entries: list[tuple[str, str, list[str], str | None]],
                      actor: str, now: dt.datetime) -> list[Recorded]:
    """``record_appraisal`` of each (unit code, result, questions, note), in one transaction: all
    recorded or, if one is refused, none (the office's whole sitting at once).

    Written in a few statements (``sitting.record``); a sitting that names a commune twice is
    recorded one appraisal after the other, each seeing the rows of the one before."""
    with rt.db.unit_of_work() as s:
        known = Sitting(rt, s)
        if sitting.names_a_unit_twice(rt, entries, now):
            return record_each(rt, s, known, entries, actor, now)
        return sitting.record(rt, s, known, entries, actor, now)


def record_each(rt: Runtime, s: Session, known: Sitting,
                entries: list[tuple[str, str, list[str], str | None]], actor: str,
                now: dt.datetime) -> list[Recorded]:
    """The sitting's appraisals recorded one after the other in the caller's transaction."""
    return [_record(rt, s, code, result, questions, note, actor, now, known)
            for code, result, questions, note in entries]


def _record(rt: Runtime, s: Session, unit_code: str, result: str, questions: list[str],
            note: str | None, actor: str, now: dt.datetime, known: Sitting | None = None) -> Recorded:
    cleaned, note = checked(result, questions, note)
    today = now.astimezone(clock.TZ).date()
    unit = unit_on(s, rt, unit_code, today, known.units if known else None)
    sub = known.reports.get(unit.id) if known else s.scalar(select(Submission).where(
        Submission.unit_id == unit.id, Submission.status == "accepted"))
    if sub is None:
        raise Conflict(f"{unit.name} chưa có báo cáo được tiếp nhận: chưa thể thẩm định sơ bộ "
                       f"kết quả rà soát.")
    row = known.appraisals.get(unit.id) if known else s.scalar(select(Appraisal).where(
        Appraisal.cycle_id == rt.cycle_id, Appraisal.unit_id == unit.id))
    if row is not None and (row.result, list(row.questions), row.note, row.submission_id) == (
            result, cleaned, note, sub.id):
        rec = s.get(Recommendation, row.recommendation_id) if row.recommendation_id else None
        return Recorded(unit.name, result, tuple(cleaned), rec.id if rec else None,
                        rec.due_on if rec else None, changed=False)
    before = s.get(Recommendation, row.recommendation_id) if row and row.recommendation_id else None
    if row is None:
        row = Appraisal(cycle_id=rt.cycle_id, unit_id=unit.id)
        s.add(row)
        if known:
            known.appraisals[unit.id] = row
    row.submission_id, row.result, row.questions, row.note = sub.id, result, cleaned, note
    row.recorded_at, row.recorded_by = now, actor
    rec = _follow(rt, s, unit, sub, row, before, today, actor, now)
    audit.record(s, at=now, actor=actor, action="appraisal.record", entity="appraisal",
                 entity_id=lambda: row.id, cycle_id=rt.cycle_id, unit=unit.code, result=result,
                 questions=cleaned, submission=sub.id, recommendation=row.recommendation_id)
    _notify(rt, s, unit, sub, row, rec, today, now)
    return Recorded(unit.name, result, tuple(cleaned), rec.id if rec else None,
                    rec.due_on if rec else None, changed=True)


def _follow(rt: Runtime, s: Session, unit: Unit, sub: Submission, row: Appraisal,
            before: Recommendation | None, today: dt.date, actor: str,
            now: dt.datetime) -> Recommendation | None:
    """The recommendation that follows a questioned appraisal; a superseded one is closed."""
    rec = None
    if row.result in APPRAISAL_FOLLOWED:
        questions = list(row.questions)
        rec = raise_in(s, rt, follow_key(rt, unit.code, sub.id, row.result, questions), "appraisal",
                       unit, follow_content(row.result, questions), unit_words(rt.plan, unit)["unit_body"],
                       unit.email, follow_due(rt, today), raised_note(today), actor, now)
        row.recommendation_id = rec.id
    if before is not None and (rec is None or before.id != rec.id):
        status, note = closing(row.result, today)
        close_in(s, rt, before, status, note, actor, now)
    return rec


def _notify(rt: Runtime, s: Session, unit: Unit, sub: Submission, row: Appraisal,
            rec: Recommendation | None, today: dt.date, now: dt.datetime) -> None:
    """Tell the commune the appraisal, once per distinct appraisal."""
    questions = list(row.questions)
    ctx = notice_context(rt, unit, sub, row.result, questions, row.note, today,
                         rec.due_on if rec else None, rec.id if rec else None)
    enqueue(s, cycle_id=rt.cycle_id, key=notice_key(rt, unit.code, sub.id, row.result, questions, row.note),
            kind="appraisal_notice", to=[unit.email], template="appraisal_notice", context=ctx,
            now=now, unit_id=unit.id)


def list_appraisals(rt: Runtime) -> list[AppraisalLine]:
    """Every commune that has reported, with its appraisal (``pending`` when not yet appraised)."""
    with rt.db.unit_of_work() as s:
        return appraisal_summary(s, rt.cycle_id)
