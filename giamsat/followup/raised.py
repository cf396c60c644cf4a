"""Recommendations raised and closed by another step in its own transaction (e.g. a preliminary
appraisal whose questions the commune must answer): the register's history and obligation alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db.models import Recommendation, Unit
from giamsat.domain.vocabulary import REC_CLOSED
from giamsat.followup.service import _apply, _event, ensure_obligation
from giamsat.runtime import Runtime


def raise_in(s: Session, rt: Runtime, key: str, source_kind: str, unit: Unit | None, content: str,
             addressed_to: str, addressed_email: str | None, due_on: dt.date, note: str, actor: str,
             now: dt.datetime) -> Recommendation:
    """A recommendation raised by another step in its own transaction (idempotent on ``key``)."""
    rec = s.scalar(select(Recommendation).where(Recommendation.key == key))
    if rec is None:
        rec = Recommendation(cycle_id=rt.cycle_id, key=key, source_kind=source_kind,
                             unit_id=unit.id if unit else None, content=content,
                             addressed_to=addressed_to, addressed_email=addressed_email,
                             due_on=due_on, status="open", created_at=now, updated_at=now)
        s.add(rec)
        s.flush()
        _event(s, rt, rec, "open", note, actor, now, None, action="rec.add")
        ensure_obligation(s, rec, now)
    return rec


def close_in(s: Session, rt: Runtime, rec: Recommendation, status: str, note: str, actor: str,
             now: dt.datetime) -> None:
    """Close ``rec`` from another step: ``resolved`` (carried out) or ``withdrawn`` (superseded)."""
    if rec.status in REC_CLOSED:
        return
    if status != "withdrawn":
        _apply(s, rt, rec, status, note, None, actor, now, None)
        return
    rec.status, rec.updated_at = status, now
    ob, _ = ensure_obligation(s, rec, now)
    ob.status, ob.met_at = "met", now
    _event(s, rt, rec, status, note, actor, now, None, action="rec.withdrawn")
