"""The reminder sweep: one set-based query over every open obligation, reminders queued as due.

Kinds: ``report`` (a unit's report not received), ``visit_documents`` (documents not prepared for
a visit), ``recommendation`` (a recommendation not resolved). The policy is ``giamsat.reminders``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from giamsat import clock
from giamsat.db import audit
from giamsat.db.models import Message, Obligation, Recommendation, Unit, Visit
from giamsat.messaging.outbox import enqueue, idempotency_key
from giamsat.messaging.templates import environment
from giamsat.reminders import Policy, Reminder, reminder_on
from giamsat.runtime import Runtime

BODY_TEMPLATE = "_reminder_body.txt.j2"
ObUnit, VisitUnit, RecUnit = aliased(Unit), aliased(Unit), aliased(Unit)


@dataclass
class RemindSummary:
    """What one sweep did."""

    as_of: dt.date
    working_day: bool
    open_obligations: int = 0
    queued: int = 0
    already_queued: int = 0
    by_kind: Counter = field(default_factory=Counter)
    without_address: list[str] = field(default_factory=list)


def policy_of(rt: Runtime) -> Policy:
    """The plan's reminder policy as the pure policy object."""
    r = rt.plan.reminders
    return Policy(tuple(r.before_working_days), r.on_due_date, r.after_every_working_days,
                  r.escalate_after_overdue, r.max_overdue_reminders)


def _open_obligations(s: Session, cycle_id: int) -> list:
    """Every open obligation with its unit, visit and recommendation: one query."""
    return list(s.execute(
        select(Obligation, ObUnit, Visit, VisitUnit, Recommendation, RecUnit)
        .outerjoin(ObUnit, Obligation.unit_id == ObUnit.id)
        .outerjoin(Visit, Obligation.visit_id == Visit.id)
        .outerjoin(VisitUnit, Visit.unit_id == VisitUnit.id)
        .outerjoin(Recommendation, Obligation.recommendation_id == Recommendation.id)
        .outerjoin(RecUnit, Recommendation.unit_id == RecUnit.id)
        .where(Obligation.cycle_id == cycle_id, Obligation.status == "open",
               Obligation.met_at.is_(None))
        .order_by(Obligation.due_on, Obligation.id)).all())


def _addresses(rt: Runtime, ob: Obligation, unit: Unit | None, rec: Recommendation | None,
               escalated: bool) -> tuple[list[str], list[str]]:
    office = [rt.plan.bodies.office.email] if rt.plan.bodies.office.email else []
    first = (rec.addressed_email if rec is not None and rec.addressed_email else None) or \
        (unit.email if unit is not None else None)
    if escalated and unit is not None:
        return [unit.chairman_email], office
    return ([first] if first else []), (office if escalated else [])


def _context(rt: Runtime, ob: Obligation, unit: Unit | None, visit: Visit | None,
             rec: Recommendation | None, r: Reminder) -> dict:
    plan = rt.plan
    ctx = {
        "kind": ob.kind, "stage": r.slot.stage, "escalated": r.slot.escalated,
        "overdue_index": r.slot.overdue_index, "days_left": r.working_days_left,
        "days_late": r.working_days_late, "due_on": ob.due_on,
        "unit_name": unit.name if unit else "", "addressed_to": rec.addressed_to if rec else "",
        "recommendation": rec.content if rec else "", "visit_on": visit.scheduled_on if visit else None,
        "documents_to_prepare": plan.visits.documents_to_prepare,
        "office_name": plan.bodies.office.short, "office_email": plan.bodies.office.email or "",
        "report_rule_before": plan.report.deadline_rule == "before",
    }
    # The body is rendered once as plain text; the HTML template autoescapes it as a whole.
    return ctx | {"body": environment("email").get_template(BODY_TEMPLATE).render(ctx).strip()}


def sweep(rt: Runtime, as_of: dt.date) -> RemindSummary:
    """Queue every reminder owed on ``as_of`` (none on non-working days; each at most once)."""
    summary = RemindSummary(as_of, rt.calendar.is_working_day(as_of))
    if not summary.working_day:
        return summary
    now, policy = clock.at_office_hours(as_of), policy_of(rt)
    with rt.db.unit_of_work() as s:
        rows = _open_obligations(s, rt.cycle_id)
        summary.open_obligations = len(rows)
        owed = []
        for ob, ob_unit, visit, visit_unit, rec, rec_unit in rows:
            r = reminder_on(policy, rt.calendar, ob.due_on, as_of,
                            not_before=ob.created_at.astimezone(clock.TZ).date())
            if r is not None:
                key = idempotency_key(rt.plan.cycle_key, "remind", ob.kind, ob.key, r.slot.stage,
                                      r.slot.day.isoformat())
                owed.append((key, ob, ob_unit or visit_unit or rec_unit, visit, rec, r))
        done = set(s.scalars(select(Message.idempotency_key)
                             .where(Message.idempotency_key.in_([o[0] for o in owed])))) if owed else set()
        for key, ob, unit, visit, rec, r in owed:
            if key in done:
                summary.already_queued += 1
                continue
            to, cc = _addresses(rt, ob, unit, rec, r.slot.escalated)
            if not to:
                summary.without_address.append(ob.key)
                continue
            kind = "reminder_escalation" if r.slot.escalated else f"reminder_{r.slot.stage}"
            enqueue(s, cycle_id=rt.cycle_id, key=key, kind=kind, to=to, cc=cc, template="reminder",
                    context=_context(rt, ob, unit, visit, rec, r), now=now,
                    unit_id=unit.id if unit else None, obligation_id=ob.id)
            summary.queued += 1
            summary.by_kind[f"{ob.kind}:{kind}"] += 1
        audit.record(s, at=now, actor=rt.actor, action="remind.sweep", entity="step", entity_id="remind",
                     cycle_id=rt.cycle_id, as_of=as_of.isoformat(), open=summary.open_obligations,
                     queued=summary.queued, by_kind=dict(summary.by_kind),
                     without_address=summary.without_address)
    return summary
