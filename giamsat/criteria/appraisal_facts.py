"""What recording an appraisal writes, worked out once for a single appraisal and for a sitting:
the entry checked, the cycle's rows a sitting reads, the recommendation's key and words, the
notice's key and context."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from giamsat.db.models import Appraisal, Submission, Unit
from giamsat.domain import clock
from giamsat.domain.errors import Conflict
from giamsat.domain.formatting import in_sentence, short_date
from giamsat.domain.textsafety import clean_line, clean_text
from giamsat.domain.vocabulary import APPRAISAL_FOLLOWED, APPRAISAL_RECORDED, label
from giamsat.messaging.outbox import idempotency_key
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


def checked(result: str, questions: list[str], note: str | None) -> tuple[list[str], str | None]:
    """The questions and note as stored; a refused entry raises ``Conflict`` in Vietnamese."""
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


class Sitting:
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


def follow_key(rt: Runtime, unit_code: str, sub_id: int, result: str, questions: list[str]) -> str:
    """The key of the recommendation that follows a questioned appraisal (one per distinct one)."""
    digest = hashlib.sha256(f"{sub_id}|{result}|{questions}".encode()).hexdigest()[:12]
    return f"{rt.plan.cycle_key}:appraisal:{unit_code}:{digest}"


def follow_content(result: str, questions: list[str]) -> str:
    """The recommendation's text: the appraisal and the questions the commune must answer."""
    numbered = "; ".join(f"{i}) {q}" for i, q in enumerate(questions, 1))
    return (f"Thẩm định sơ bộ kết quả rà soát hộ nghèo, hộ cận nghèo: "
            f"{label('appraisal_result', result).lower()}. Đề nghị giải trình, làm rõ: {numbered}")


def follow_due(rt: Runtime, today: dt.date) -> dt.date:
    """The day the commune's answer is due."""
    return rt.calendar.add_working_days(today, rt.plan.followup.appraisal_answer_working_days)


def raised_note(today: dt.date) -> str:
    """The note of the recommendation's first event."""
    return f"Ý kiến thẩm định sơ bộ ngày {short_date(today)}"


def closing(result: str, today: dt.date) -> tuple[str, str]:
    """(status, note) of the earlier recommendation a new appraisal supersedes."""
    if result == "agreed":
        return "resolved", f"Đã thống nhất kết quả rà soát (thẩm định sơ bộ ngày {short_date(today)})"
    return "withdrawn", f"Thay bằng ý kiến thẩm định sơ bộ ngày {short_date(today)}"


def notice_key(rt: Runtime, unit_code: str, sub_id: int, result: str, questions: list[str],
               note: str | None) -> str:
    """The notice's idempotency key: one message per distinct appraisal."""
    facts = hashlib.sha256(f"{sub_id}|{result}|{questions}|{note}".encode()).hexdigest()
    return idempotency_key(rt.plan.cycle_key, "appraisal", "appraisal_notice", unit_code, facts[:16])


def notice_context(rt: Runtime, unit: Unit, sub: Submission, result: str, questions: list[str],
                   note: str | None, today: dt.date, due_on: dt.date | None,
                   rec_id: int | None, words: dict[str, str] | None = None) -> dict:
    """What the ``appraisal_notice`` e-mail says; ``words``: ``plan_words`` when the caller has them."""
    return {**(words or plan_words(rt.plan)), **unit_words(rt.plan, unit), "year": rt.plan.year,
            "unit_name": unit.name, "unit_in_sentence": in_sentence(unit.name),
            "office_name": rt.plan.bodies.office.short, "result": result,
            "result_label": label("appraisal_result", result), "questions": list(questions),
            "note": note, "appraised_on": today, "reference": f"BC-{sub.id:05d}",
            "received_on": sub.received_at.astimezone(clock.TZ).date(),
            "due_on": due_on, "rec_id": rec_id}
