"""What the sweep must know besides the obligation: reminders already sent, reports returned.

Both are one query per sweep, whatever the number of obligations.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from giamsat.db.models import Message, Obligation, Submission

OVERDUE_KINDS = ("reminder_overdue", "reminder_escalation")


def overdue_reminders_queued(s: Session, cycle_id: int) -> Counter:
    """Obligation id → how many after-deadline reminders were actually queued for it."""
    rows = s.execute(select(Message.obligation_id, func.count())
                     .join(Obligation, Message.obligation_id == Obligation.id)
                     .where(Obligation.cycle_id == cycle_id, Obligation.status == "open",
                            Message.kind.in_(OVERDUE_KINDS))
                     .group_by(Message.obligation_id)).all()
    return Counter({ob_id: n for ob_id, n in rows})


def returned_reports(s: Session, cycle_id: int) -> dict[int, tuple[str, ...]]:
    """Unit id → the open errors of its latest report, for units whose latest report was returned."""
    latest = (select(Submission.unit_id, func.max(Submission.id).label("last"))
              .where(Submission.cycle_id == cycle_id, Submission.unit_id.is_not(None),
                     Submission.status.in_(("accepted", "rejected")))
              .group_by(Submission.unit_id).subquery())
    rows = s.execute(select(Submission.unit_id, Submission.errors)  # the returned ones only: a
                     .join(latest, Submission.id == latest.c.last)      # country's accepted errors
                     .where(Submission.status == "rejected")).all()     # ([]) were read every run
    return {unit_id: tuple(str(e.get("text", e)) if isinstance(e, dict) else str(e) for e in errors or [])
            for unit_id, errors in rows}
