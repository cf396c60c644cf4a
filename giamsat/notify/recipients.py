"""Nơi nhận served: the plan e-mailed to every configured recipient address, and the plan's tasks of
other bodies (its §V) created as obligations with their due dates, so the reminder sweep follows them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db.models import Obligation
from giamsat.messaging.outbox import Attachment, enqueue, idempotency_key
from giamsat.notify.letter import common_context
from giamsat.plan.model import Plan
from giamsat.plan.wording import greeting
from giamsat.runtime import Runtime


def assignment_obligations(s: Session, rt: Runtime, now: dt.datetime) -> dict[str, Obligation]:
    """The obligation of every assignment of the plan (created when missing), by e-mail address."""
    out: dict[str, Obligation] = {}
    for a in rt.plan.assignments:
        key = f"assignment:{a.key}"
        ob = s.scalar(select(Obligation).where(Obligation.cycle_id == rt.cycle_id, Obligation.key == key))
        if ob is None:
            ob = Obligation(cycle_id=rt.cycle_id, kind="assignment", key=key, due_on=a.due,
                            status="open", created_at=now)
            s.add(ob)
            s.flush()
        out[a.email] = ob
    return out


def _addressees(plan: Plan) -> dict[str, str | None]:
    """Each recipient address (``plan_emails``, then the assignees') with the body its e-mail greets."""
    addresses = [*plan.recipients.plan_addresses, *(a.email for a in plan.assignments)]
    return {address: greeting(plan, [address]) for address in dict.fromkeys(addresses)}


def queue_recipients(s: Session, rt: Runtime, plan_doc: Attachment, now: dt.datetime) -> int:
    """Queue the plan once to each address of ``recipients.plan_emails`` and of the assignments;
    an assignee's e-mail states its task and due date. Returns how many were queued now."""
    plan = rt.plan
    obligations = assignment_obligations(s, rt, now)
    base = {**common_context(plan, rt.calendar), "office_name": plan.bodies.office.short,
            "office_email": plan.bodies.office.email or "", "attachment": plan_doc.filename}
    queued = 0
    for address, addressee in _addressees(plan).items():
        tasks = [a for a in plan.assignments if a.email == address]
        key = idempotency_key(plan.cycle_key, "notify", "plan_recipient", address)
        ob = obligations.get(address)
        _, created = enqueue(s, cycle_id=rt.cycle_id, key=key, kind="notify_recipient", to=[address],
                             template="notify_recipient", now=now, attachments=[plan_doc],
                             context=base | {"tasks": tasks, "addressee": addressee},
                             obligation_id=ob.id if ob is not None else None)
        queued += created
    return queued
