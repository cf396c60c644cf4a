"""A sitting's appraisal notices: rendered once per shape, stamped with each commune's words, and
queued in bulk (``ON CONFLICT DO NOTHING`` on the idempotency key)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.criteria.appraisal_facts import notice_context, notice_key
from giamsat.db.models import Message, Submission, Unit
from giamsat.messaging.outbox import insert_pending, pending_row
from giamsat.messaging.templates import StampedEmails, render_email
from giamsat.plan.wording import plan_words, unit_words
from giamsat.runtime import Runtime

# (unit, report, result, questions, note, due date, recommendation id) of one changed appraisal
Notice = tuple[Unit, Submission, str, list[str], str | None, dt.date | None, int | None]
# The words that differ from commune to commune besides the unit's own (``unit_words``): stamped
# into the text rendered once per shape; the questions are stamped one by one, the rest is the shape.
_STAMPED = ("unit_name", "reference", "note")
CHUNK = 1000


def queue_notices(rt: Runtime, s: Session, notices: list[Notice], today: dt.date, now: dt.datetime) -> None:
    """One notice per appraisal not queued yet, in the given order (the queued ones are read first,
    as ``enqueue`` does: no id is spent on them)."""
    keys = [notice_key(rt, unit.code, sub.id, result, questions, note)
            for unit, sub, result, questions, note, _, _ in notices]
    queued: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        queued.update(s.scalars(select(Message.idempotency_key).where(
            Message.idempotency_key.in_(keys[i:i + CHUNK]))))
    emails, plan = StampedEmails(_render), plan_words(rt.plan)
    words = set(unit_words(rt.plan, notices[0][0])) if notices else set()
    rows = []
    for (unit, sub, result, questions, note, due_on, rec_id), key in zip(notices, keys, strict=True):
        if key in queued:
            continue
        ctx = notice_context(rt, unit, sub, result, questions, note, today, due_on, rec_id, plan)
        values = {k: v for k, v in ctx.items() if (k in words or k in _STAMPED) and isinstance(v, str)}
        values |= {f"question_{i}": q for i, q in enumerate(questions)}
        if rec_id is not None:
            values["rec_id"] = str(rec_id)
        shape = (result, ctx["received_on"], due_on, tuple(values))
        fixed = {k: v for k, v in ctx.items() if k not in values} | {"question_count": len(questions)}
        subject, text, html = emails.render(shape, fixed, values)
        rows.append(pending_row(cycle_id=rt.cycle_id, key=key, kind="appraisal_notice", to=[unit.email],
                                cc=[], subject=subject, text=text, html=html, now=now, unit_id=unit.id))
    for i in range(0, len(rows), CHUNK):
        insert_pending(s, rows[i:i + CHUNK])


def _render(ctx: dict) -> tuple[str, str, str]:
    questions = [ctx[f"question_{i}"] for i in range(ctx["question_count"])]
    return render_email("appraisal_notice", ctx | {"questions": questions})
