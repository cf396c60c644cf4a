"""The register's changes to many recommendations at once, written as plain rows a statement a table.

A country's daily sweep marks thousands of recommendations overdue, and its addressed bodies answer
fifteen thousand in one round: loaded and flushed through the ORM, that was a row object, an
UPDATE and an event object each. Here the same rows are read as columns and written in one
statement per table, in the order the one-by-one path writes them (so every new row gets the id
it would have had); the audit entries are the same ``record`` calls in the same order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from giamsat.db.audit import record
from giamsat.db.models import Obligation, Recommendation, RecommendationEvent
from giamsat.domain.errors import NotFound
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import REC_ACTIVE, REC_CLOSED

CHUNK = 500  # ids per IN (well under every backend's limit of bound parameters)
_COLS = (Recommendation.id, Recommendation.cycle_id, Recommendation.key, Recommendation.unit_id,
         Recommendation.status, Recommendation.due_on, Recommendation.evidence_text)


def _obligation_row(rec: Any, status: str, now: dt.datetime) -> dict[str, Any]:
    """``service._new_obligation``'s row for the recommendation ``rec`` (columns) in ``status``."""
    closed = status in REC_CLOSED
    return {"cycle_id": rec.cycle_id, "kind": "recommendation", "key": f"rec:{rec.key}",
            "unit_id": rec.unit_id, "visit_id": None, "recommendation_id": rec.id, "due_on": rec.due_on,
            "created_at": now, "status": "met" if closed else "open", "met_at": now if closed else None}


def _event_row(rec_id: int, status: str, note: str | None, actor: str, now: dt.datetime) -> dict[str, Any]:
    return {"recommendation_id": rec_id, "at": now, "status": status, "note": note, "actor": actor,
            "evidence_path": None}


def _write(s: Session, obligations: list[dict], events: list[dict]) -> None:
    if obligations:
        s.execute(insert(Obligation.__table__), obligations)
    if events:
        s.execute(insert(RecommendationEvent.__table__), events)


def sweep(s: Session, cycle_id: int, as_of: dt.date, now: dt.datetime) -> tuple[int, int]:
    """``followup_sweep``'s changes in the session: (obligations created, marked overdue)."""
    tracked = set(s.scalars(select(Obligation.key).where(  # one query, not one per rec
        Obligation.cycle_id == cycle_id, Obligation.kind == "recommendation")))
    work = sorted((r for r in s.execute(select(*_COLS).where(Recommendation.cycle_id == cycle_id))
                   if f"rec:{r.key}" not in tracked or (r.status in REC_ACTIVE and r.due_on < as_of)),
                  key=lambda r: r.id)
    obligations = [_obligation_row(r, r.status, now) for r in work if f"rec:{r.key}" not in tracked]
    late = [r for r in work if r.status in REC_ACTIVE and r.due_on < as_of]
    events = []
    for r in late:
        note = f"Quá hạn thực hiện (hạn {short_date(r.due_on)})"
        events.append(_event_row(r.id, "overdue", note, "system", now))
        record(s, at=now, actor="system", action="rec.overdue", entity="recommendation", entity_id=r.id,
               cycle_id=r.cycle_id, status="overdue", note=note, evidence=None)
    _write(s, obligations, events)
    table = Recommendation.__table__
    ids = [r.id for r in late]
    for i in range(0, len(ids), CHUNK):
        s.execute(update(table).where(table.c.id.in_(ids[i:i + CHUNK])).values(status="overdue",
                                                                               updated_at=now))
    return len(obligations), len(late)


class _Rec:
    """A recommendation's columns as a change leaves them (what ``_validate`` reads: id, status)."""

    def __init__(self, row: Any) -> None:
        self.row, self.id, self.status = row, row.id, row.status
        self.evidence_text: str | None = row.evidence_text
        self.closed_ob: int | None = None  # the existing obligation a change closed


def recommendations(s: Session, cycle_id: int, ids: list[int]) -> dict[int, _Rec]:
    wanted = sorted(set(ids))
    return {r.id: _Rec(r) for i in range(0, len(wanted), CHUNK) for r in s.execute(select(*_COLS).where(
        Recommendation.cycle_id == cycle_id, Recommendation.id.in_(wanted[i:i + CHUNK])))}


def update_many(s: Session, cycle_id: int, changes: list[tuple[int, str, str | None]], actor: str,
                now: dt.datetime, today: dt.date, validate: Any) -> int:
    """``service.update_many``'s changes in the session (``validate``: ``service._validate``)."""
    recs = recommendations(s, cycle_id, [c[0] for c in changes])
    keys = sorted({f"rec:{r.row.key}" for r in recs.values()})
    obs: dict[str, int] = {}
    for i in range(0, len(keys), CHUNK):
        obs.update(s.execute(select(Obligation.key, Obligation.id).where(
            Obligation.cycle_id == cycle_id, Obligation.kind == "recommendation",
            Obligation.key.in_(keys[i:i + CHUNK]))).tuples().all())
    obligations, events, met = [], [], []
    for rec_id, status, note in changes:
        if rec_id not in recs:
            raise NotFound(f"Không có kiến nghị số {rec_id}.")
        rec = recs[rec_id]
        validate(rec, status, note, None, None, today)
        key = f"rec:{rec.row.key}"
        # a missing obligation is made as the recommendation stands before the change
        new = None if key in obs else _obligation_row(rec.row, rec.status, now)
        rec.status = status
        if status == "resolved":
            rec.evidence_text = note or rec.evidence_text
        if new is not None:
            if status in REC_CLOSED:
                new["status"], new["met_at"] = "met", now
            obligations.append(new)
        elif status in REC_CLOSED:
            met.append({"_id": obs[key], "met_at": now})
        events.append(_event_row(rec.id, status, note, actor, now))
        record(s, at=now, actor=actor, action="rec.update", entity="recommendation", entity_id=rec.id,
               cycle_id=rec.row.cycle_id, status=status, note=note, evidence=None)
    _write(s, obligations, events)
    rec_table, ob_table = Recommendation.__table__, Obligation.__table__
    changed = list({c[0]: None for c in changes})
    rows = [{"_id": i, "status": recs[i].status, "updated_at": now, "evidence_text": recs[i].evidence_text}
            for i in changed]
    if rows:
        s.execute(update(rec_table).where(rec_table.c.id == bindparam("_id")).values(
            status=bindparam("status"), updated_at=bindparam("updated_at"),
            evidence_text=bindparam("evidence_text")), rows)
    if met:
        s.execute(update(ob_table).where(ob_table.c.id == bindparam("_id")).values(status="met"), met)
    return len(changes)
