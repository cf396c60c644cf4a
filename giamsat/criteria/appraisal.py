"""The office's preliminary appraisal (thẩm định sơ bộ) of each commune's review results.

Recorded per commune against its current accepted report; the commune is told by e-mail. When the
figures are questioned or the results returned, the questions become a recommendation addressed to
the commune and are followed up like any other until closed; a later "agreed" closes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from giamsat.criteria.findings import unit_on
from giamsat.criteria.model import AppraisalLine
from giamsat.criteria.summary import appraisal_summary
from giamsat.db import audit
from giamsat.db.models import Appraisal, Recommendation, Submission, Unit
from giamsat.domain import clock
from giamsat.domain.errors import Conflict
from giamsat.domain.formatting import in_sentence, short_date
from giamsat.domain.textsafety import clean_line, clean_text
from giamsat.domain.vocabulary import APPRAISAL_FOLLOWED, APPRAISAL_RECORDED, label
from giamsat.followup.raised import close_in, raise_in
from giamsat.messaging.outbox import enqueue, idempotency_key
from giamsat.plan.wording import plan_words, unit_words
from giamsat.runtime import Runtime

MAX_QUESTION = 1000  # characters of one question (a recommendation's row holds them all)
MAX_QUESTIONS = 20


@dataclass(frozen=True)
class Recorded:
    """What recording an appraisal did."""

    unit_name: str
    result: str
    questions: tuple[str, ...]
    recommendation_id: int | None
    due_on: dt.date | None
    changed: bool


def _checked(result: str, questions: list[str], note: str | None) -> tuple[list[str], str | None]:
    if result not in APPRAISAL_RECORDED:
        choices = "; ".join(f"{r} ({label('appraisal_result', r)})" for r in APPRAISAL_RECORDED)
        raise Conflict(f"Kết quả thẩm định không hợp lệ: {result!r}. Chọn một trong: {choices}.")
    cleaned = [q for q in (clean_line(x) for x in questions) if q]
    if len(cleaned) > MAX_QUESTIONS:
        raise Conflict(f"Nhiều nhất {MAX_QUESTIONS} nội dung đề nghị làm rõ cho một xã.")
    if any(len(q) > MAX_QUESTION for q in cleaned):
        raise Conflict(f"Mỗi nội dung đề nghị làm rõ tối đa {MAX_QUESTION} ký tự.")
    if result in APPRAISAL_FOLLOWED and not cleaned:
        raise Conflict(f"Kết quả '{label('appraisal_result', result)}' phải nêu nội dung đề nghị xã "
                       f"giải trình, làm rõ (--question, ghi nhiều lần nếu có nhiều nội dung).")
    if result == "agreed" and cleaned:
        raise Conflict("Đã thống nhất kết quả rà soát thì không ghi nội dung đề nghị làm rõ "
                       "(--question); ý kiến khác ghi vào --note.")
    note = clean_text(note or "").strip() or None
    if note and len(note) > 5000:
        raise Conflict("Ghi chú quá dài (tối đa 5.000 ký tự).")
    return cleaned, note


def record_appraisal(rt: Runtime, unit_code: str, result: str, questions: list[str],
                     note: str | None, actor: str, now: dt.datetime) -> Recorded:
    """Record (or change) the appraisal of a commune's review results; idempotent when unchanged."""
    with rt.db.unit_of_work() as s:
        return _record(rt, s, unit_code, result, questions, note, actor, now)


def record_appraisals(rt: Runtime, entries: list[tuple[str, str, list[str], str | None]],
                      actor: str, now: dt.datetime) -> list[Recorded]:
    """``record_appraisal`` of each (unit code, result, questions, note), in one transaction: all
    recorded or, if one is refused, none (the office's whole sitting at once)."""
    with rt.db.unit_of_work() as s:
        known = _Sitting(rt, s)
        return [_record(rt, s, code, result, questions, note, actor, now, known)
                for code, result, questions, note in entries]


class _Sitting:
    """The cycle's units, current reports and appraisals, read in three queries for a sitting
    (not three per commune: a province's sitting appraises hundreds)."""

    def __init__(self, rt: Runtime, s: Session) -> None:
        self.units = {(u.code, u.valid_from): u for u in s.scalars(select(Unit).where(
            Unit.cycle_id == rt.cycle_id))}
        self.reports = {sub.unit_id: sub for sub in s.scalars(  # not the figures: never needed here
            select(Submission).options(load_only(Submission.id, Submission.unit_id,
                                                 Submission.received_at, Submission.status))
            .where(Submission.cycle_id == rt.cycle_id, Submission.status == "accepted"))}
        self.appraisals = {a.unit_id: a for a in s.scalars(select(Appraisal).where(
            Appraisal.cycle_id == rt.cycle_id))}


def _record(rt: Runtime, s: Session, unit_code: str, result: str, questions: list[str],
            note: str | None, actor: str, now: dt.datetime, known: _Sitting | None = None) -> Recorded:
    cleaned, note = _checked(result, questions, note)
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
        digest = hashlib.sha256(f"{sub.id}|{row.result}|{row.questions}".encode()).hexdigest()[:12]
        questions = "; ".join(f"{i}) {q}" for i, q in enumerate(row.questions, 1))
        content = (f"Thẩm định sơ bộ kết quả rà soát hộ nghèo, hộ cận nghèo: "
                   f"{label('appraisal_result', row.result).lower()}. Đề nghị giải trình, làm rõ: "
                   f"{questions}")
        due = rt.calendar.add_working_days(today, rt.plan.followup.appraisal_answer_working_days)
        rec = raise_in(s, rt, f"{rt.plan.cycle_key}:appraisal:{unit.code}:{digest}", "appraisal",
                       unit, content, unit_words(rt.plan, unit)["unit_body"], unit.email, due,
                       f"Ý kiến thẩm định sơ bộ ngày {short_date(today)}", actor, now)
        row.recommendation_id = rec.id
    if before is not None and (rec is None or before.id != rec.id):
        agreed = row.result == "agreed"
        close_in(s, rt, before, "resolved" if agreed else "withdrawn",
                 f"Đã thống nhất kết quả rà soát (thẩm định sơ bộ ngày {short_date(today)})" if agreed
                 else f"Thay bằng ý kiến thẩm định sơ bộ ngày {short_date(today)}", actor, now)
    return rec


def _notify(rt: Runtime, s: Session, unit: Unit, sub: Submission, row: Appraisal,
            rec: Recommendation | None, today: dt.date, now: dt.datetime) -> None:
    """Tell the commune the appraisal, once per distinct appraisal."""
    facts = hashlib.sha256(f"{sub.id}|{row.result}|{row.questions}|{row.note}".encode()).hexdigest()
    ctx = {**plan_words(rt.plan), **unit_words(rt.plan, unit), "year": rt.plan.year, "unit_name": unit.name,
           "unit_in_sentence": in_sentence(unit.name),
           "office_name": rt.plan.bodies.office.short, "result": row.result,
           "result_label": label("appraisal_result", row.result), "questions": list(row.questions),
           "note": row.note, "appraised_on": today, "reference": f"BC-{sub.id:05d}",
           "received_on": sub.received_at.astimezone(clock.TZ).date(),
           "due_on": rec.due_on if rec else None, "rec_id": rec.id if rec else None}
    enqueue(s, cycle_id=rt.cycle_id, key=idempotency_key(rt.plan.cycle_key, "appraisal",
                                                         "appraisal_notice", unit.code, facts[:16]),
            kind="appraisal_notice", to=[unit.email], template="appraisal_notice", context=ctx,
            now=now, unit_id=unit.id)


def list_appraisals(rt: Runtime) -> list[AppraisalLine]:
    """Every commune that has reported, with its appraisal (``pending`` when not yet appraised)."""
    with rt.db.unit_of_work() as s:
        return appraisal_summary(s, rt.cycle_id)
