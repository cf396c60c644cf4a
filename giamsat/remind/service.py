"""The reminder sweep: one set-based query over every open obligation, reminders queued as due.

Reminders are computed once per (due date, creation day), their texts rendered once per shape
and stamped with each unit's name, and inserted in bulk with ``ON CONFLICT DO NOTHING`` on the
idempotency key, so two sweeps running at once queue each reminder once and neither fails.

Kinds: ``report`` (a unit's report not received), ``visit_documents`` (documents not prepared for
a visit), ``recommendation`` (a recommendation not resolved). The policy is ``giamsat.domain.reminders``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from giamsat.db import audit
from giamsat.db.models import Message, Obligation, Recommendation, Unit, Visit
from giamsat.domain import clock
from giamsat.domain.formatting import in_sentence
from giamsat.domain.reminders import Policy, Reminder, reminder_on
from giamsat.links.service import urls_for
from giamsat.messaging.outbox import idempotency_key, insert_pending, pending_row
from giamsat.messaging.templates import StampedEmails, environment, render_email
from giamsat.notify.letter import plan_number
from giamsat.plan.wording import rec_source_label, unit_words_by_name
from giamsat.remind.facts import overdue_reminders_queued, returned_reports
from giamsat.remind.routing import Route, route
from giamsat.runtime import Runtime

BODY_TEMPLATE = "_reminder_body.txt.j2"
CHUNK = 1000
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
    closed: bool = False  # the cycle's period has ended: nothing is reminded any more


def policy_of(rt: Runtime) -> Policy:
    """The plan's reminder policy as the pure policy object."""
    r = rt.plan.reminders
    return Policy(tuple(r.before_working_days), r.on_due_date, r.after_every_working_days,
                  r.escalate_after_overdue, r.max_overdue_reminders)


def _open_obligations(s: Session, cycle_id: int) -> list:
    """Every open obligation with its unit, visit and recommendation fields: one query, plain rows."""
    def unit(col: str):
        return func.coalesce(getattr(ObUnit, col), getattr(VisitUnit, col), getattr(RecUnit, col))
    return list(s.connection().execute(
        select(Obligation.id, Obligation.kind, Obligation.key, Obligation.due_on, Obligation.created_at,
               unit("id").label("unit_id"), unit("name").label("unit_name"),
               unit("email").label("unit_email"), unit("chairman_email").label("chairman_email"),
               Visit.scheduled_on, Recommendation.id.label("rec_id"), Recommendation.addressed_to,
               Recommendation.addressed_email, Recommendation.content, Recommendation.source_kind)
        .outerjoin(ObUnit, Obligation.unit_id == ObUnit.id)
        .outerjoin(Visit, Obligation.visit_id == Visit.id)
        .outerjoin(VisitUnit, Visit.unit_id == VisitUnit.id)
        .outerjoin(Recommendation, Obligation.recommendation_id == Recommendation.id)
        .outerjoin(RecUnit, Recommendation.unit_id == RecUnit.id)
        .where(Obligation.cycle_id == cycle_id, Obligation.status == "open",
               Obligation.met_at.is_(None))
        .order_by(Obligation.due_on, Obligation.id)).all())


def _context(rt: Runtime, row, r: Reminder, way: Route, errors: tuple[str, ...] | None) -> dict:
    """What the reminder's text depends on besides the unit's name and the greeting (``_values``)."""
    plan = rt.plan
    return {
        "kind": row.kind, "stage": r.slot.stage, "escalated": r.slot.escalated,
        "to_commune": way.to_commune, "to_office": way.to_office,
        "source_label": rec_source_label(plan, row.source_kind or "coordinator"),
        "source_kind": row.source_kind or "", "returned": errors is not None,
        "open_errors": list(errors or ()), "assignment_task": _task(rt, row),
        "plan_number": plan_number(plan), "plan_date": plan.plan_document.issued_on,
        "overdue_index": r.slot.overdue_index, "days_left": r.working_days_left,
        "days_late": r.working_days_late, "due_on": row.due_on,
        "addressed_to": row.addressed_to or "", "recommendation": row.content or "",
        "visit_on": row.scheduled_on, "documents_to_prepare": plan.visits.documents_to_prepare,
        "office_name": plan.bodies.office.short, "office_email": plan.bodies.office.email or "",
        "report_rule_before": plan.report.deadline_rule == "before",
    }


class _Words(dict[str, dict[str, str]]):
    """``unit_words_by_name`` of ``plan`` by unit name, each computed once (read only);
    ``where``: the database and cycle they are kept for."""

    def __init__(self, plan: Any, where: tuple[str, int] = ("", 0)) -> None:
        super().__init__()
        self.plan, self.where = plan, where

    def __missing__(self, name: str) -> dict[str, str]:
        self[name] = words = unit_words_by_name(self.plan, name)
        return words


_KEPT_WORDS: list[_Words] = []


def _words(rt: Runtime) -> _Words:
    """The units' words of the plan, kept while the plan is the same object (and the database and
    cycle the same): a plan is frozen and ``load_plan`` hands the same object back while its file
    is unchanged, so a country's 10,600 units are worded once a process, not once a sweep (another
    plan, database or cycle starts afresh)."""
    where = (rt.db.url, rt.cycle_id)
    kept = _KEPT_WORDS[0] if _KEPT_WORDS else None
    if kept is None or kept.plan is not rt.plan or kept.where != where:
        kept = _Words(rt.plan, where)
        _KEPT_WORDS[:] = [kept]
    return kept


def _values(row, way: Route, link: str, words: _Words) -> dict[str, str]:
    """The values stamped into the rendered shape: the unit's names, the greeting, the link."""
    name = row.unit_name or ""
    return {"unit_name": name, "unit_in_sentence": in_sentence(name),
            "unit_body": words[name]["unit_body"] if name else "", "greeting": way.greeting,
            "commune_link": link}


def _task(rt: Runtime, row) -> str:
    task = rt.plan.assignment(row.key.removeprefix("assignment:")) if row.kind == "assignment" else None
    return task.task if task else ""


def _renderer() -> StampedEmails:
    body = environment("email").get_template(BODY_TEMPLATE)

    def render(ctx: dict) -> tuple[str, str, str]:
        # The body is rendered once as plain text; the HTML template autoescapes it as a whole.
        return render_email("reminder", ctx | {"body": body.render(ctx).strip()})
    return StampedEmails(render)


def _owed(rt: Runtime, rows: list[Any], as_of: dt.date) -> list[tuple[str, Any, Reminder]]:
    """(idempotency key, row, reminder) of every obligation owed a reminder today."""
    policy, owed, memo = policy_of(rt), [], {}
    for row in rows:
        created = row.created_at.astimezone(clock.TZ).date()
        if (row.due_on, created) not in memo:
            memo[row.due_on, created] = reminder_on(policy, rt.calendar, row.due_on, as_of,
                                                    not_before=created)
        r = memo[row.due_on, created]
        if r is not None:
            owed.append((idempotency_key(rt.plan.cycle_key, "remind", row.kind, row.key, r.slot.stage,
                                         r.slot.day.isoformat()), row, r))
    return owed


def _counted(rt: Runtime, row, r: Reminder, sent: int, words: _Words) -> tuple[Reminder, Route]:
    """The reminder numbered by the overdue reminders actually sent, and where it goes.

    Only the commune's own obligations escalate (to its chairman); the rest go to their addressee."""
    if r.slot.stage == "overdue":
        index = sent + 1
        r = replace(r, slot=replace(r.slot, overdue_index=index,
                                    escalated=index > rt.plan.reminders.escalate_after_overdue))
    way = route(rt.plan, row, r.slot.escalated, words.__getitem__)
    if r.slot.escalated and not way.to_commune:
        r = replace(r, slot=replace(r.slot, escalated=False))
    return r, way


def _already_queued(s: Session, keys: list[str]) -> set[str]:
    done: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        done.update(s.scalars(select(Message.idempotency_key)
                              .where(Message.idempotency_key.in_(keys[i:i + CHUNK]))))
    return done


def sweep(rt: Runtime, as_of: dt.date) -> RemindSummary:
    """Queue every reminder owed on ``as_of`` (none on non-working days nor after the cycle's
    period; each at most once, even when two sweeps run at the same time)."""
    summary = RemindSummary(as_of, rt.calendar.is_working_day(as_of),
                            closed=as_of > rt.plan.period.end)
    if not summary.working_day or summary.closed:
        return summary
    now, emails = clock.at_office_hours(as_of), _renderer()
    with rt.db.unit_of_work() as s:
        rows = _open_obligations(s, rt.cycle_id)
        summary.open_obligations = len(rows)
        owed = _owed(rt, rows, as_of)
        done = _already_queued(s, [key for key, _, _ in owed])
        links = urls_for(rt, s, [row.unit_id for _, row, _ in owed if row.unit_id is not None], now)
        pending: list[tuple[dict, str]] = []
        contexts: dict[tuple, dict] = {}
        words = _words(rt)
        sent, returned = overdue_reminders_queued(s, rt.cycle_id), returned_reports(s, rt.cycle_id)
        for key, row, r in owed:
            if key in done:
                summary.already_queued += 1
                continue
            r, way = _counted(rt, row, r, sent[row.id], words)
            if not way.to:
                summary.without_address.append(row.key)
                continue
            kind = "reminder_escalation" if r.slot.escalated else \
                "reminder_assignment" if row.kind == "assignment" else f"reminder_{r.slot.stage}"
            errors = returned.get(row.unit_id) if row.kind == "report" else None
            # the commune's own page only in what the commune itself reads
            link = links.get(row.unit_id, "") if row.unit_id is not None and way.to_commune else ""
            # Everything the text depends on except the stamped values: the addresses are not part
            # of the text, so every commune owed the same reminder shares one shape (one render).
            shape = (row.kind, r, row.due_on, row.scheduled_on, row.addressed_to, row.content,
                     bool(row.unit_name), way.to_commune, way.to_office, row.source_kind, errors,
                     bool(link))
            if shape not in contexts:
                contexts[shape] = _context(rt, row, r, way, errors) | {"has_link": bool(link)}
            subject, text, html = emails.render(shape, contexts[shape], _values(row, way, link, words))
            pending.append((pending_row(cycle_id=rt.cycle_id, key=key, kind=kind, to=list(way.to),
                                        cc=list(way.cc), subject=subject, text=text, html=html, now=now,
                                        unit_id=row.unit_id, obligation_id=row.id), row.kind))
        for i in range(0, len(pending), CHUNK):
            chunk = pending[i:i + CHUNK]
            inserted = insert_pending(s, [p for p, _ in chunk])
            for p, label in chunk:
                if p["idempotency_key"] in inserted:
                    summary.queued += 1
                    summary.by_kind[f"{label}:{p['kind']}"] += 1
                else:  # a concurrent sweep queued it first
                    summary.already_queued += 1
        audit.record(s, at=now, actor=rt.actor, action="remind.sweep", entity="step", entity_id="remind",
                     cycle_id=rt.cycle_id, as_of=as_of.isoformat(), open=summary.open_obligations,
                     queued=summary.queued, by_kind=dict(summary.by_kind),
                     without_address=summary.without_address)
    return summary
