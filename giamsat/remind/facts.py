"""What the sweep must know besides the obligation: reminders already sent, reports returned.

Both are one query per sweep, whatever the number of obligations.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from giamsat.db.models import Message, Obligation, Submission

OVERDUE_KINDS = ("reminder_overdue", "reminder_escalation")
DECIDED = ("accepted", "rejected")  # a report checked: counted, or returned for correction


def overdue_reminders_queued(s: Session, cycle_id: int) -> Counter:
    """Obligation id → how many after-deadline reminders were actually queued for it."""
    # ``+ 0``: the open obligations through the status index (not the cycle's every obligation);
    # their messages are counted from the (obligation, kind) index, never read.
    rows = s.execute(select(Message.obligation_id, func.count())
                     .join(Obligation, Message.obligation_id == Obligation.id)
                     .where(Obligation.cycle_id + 0 == cycle_id, Obligation.status == "open",
                            Message.kind.in_(OVERDUE_KINDS))
                     .group_by(Message.obligation_id)).all()
    return Counter({ob_id: n for ob_id, n in rows})


def returned_reports(s: Session, cycle_id: int) -> dict[int, tuple[str, ...]]:
    """Unit id → the open errors of its latest report, for units whose latest report was returned."""
    # The returned reports with no later decided report of their unit: the rejected few are read,
    # found and checked through the indexes, instead of every unit's latest report row.
    later = aliased(Submission)
    rows = s.execute(select(Submission.unit_id, Submission.errors).where(
        Submission.cycle_id == cycle_id, Submission.status == "rejected",
        Submission.unit_id.is_not(None),
        ~select(later.id).where(later.cycle_id == cycle_id, later.unit_id == Submission.unit_id,
                                later.status.in_(DECIDED), later.id > Submission.id).exists())).all()
    return {unit_id: tuple(str(e.get("text", e)) if isinstance(e, dict) else str(e) for e in errors or [])
            for unit_id, errors in rows}
