"""The plan's tasks of other bodies (assignments, §V): marked done when the body reports back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from giamsat.db.audit import record
from giamsat.db.models import Obligation
from giamsat.domain.errors import Conflict, NotFound
from giamsat.domain.textsafety import clean_text
from giamsat.runtime import Runtime


def mark_done(rt: Runtime, key: str, note: str, actor: str, now: dt.datetime) -> Obligation:
    """Record that the body carried out the assignment ``key`` (reminders stop); audited."""
    note = clean_text(note or "").strip()
    task = rt.plan.assignment(key)
    if task is None:
        known = ", ".join(a.key for a in rt.plan.assignments) or "không có"
        raise NotFound(f"Kế hoạch không có nhiệm vụ mã {key!r} (các mã: {known}).")
    if not note:
        raise Conflict(f"Phải ghi rõ kết quả thực hiện nhiệm vụ của {task.body} (--note).")
    with rt.db.unit_of_work() as s:
        ob = s.scalar(select(Obligation).where(Obligation.cycle_id == rt.cycle_id,
                                               Obligation.key == f"assignment:{key}"))
        if ob is None:
            raise NotFound(f"Nhiệm vụ {key!r} chưa được giao (chạy bước notify trước).")
        if ob.status != "met":
            ob.status, ob.met_at = "met", now
            record(s, at=now, actor=actor, action="assignment.done", entity="obligation",
                   entity_id=ob.id, cycle_id=rt.cycle_id, key=key, note=note)
        return ob
