"""The audit log: every state change, who made it and when; append-only from the app's side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import Session

from giamsat.db.models import AuditEntry
from giamsat.errors import GiamsatError


class AuditTampering(GiamsatError):
    """Something tried to change or delete an audit entry."""


def record(session: Session, *, at: dt.datetime, actor: str, action: str, entity: str,
           entity_id: object = None, cycle_id: int | None = None, **detail: Any) -> AuditEntry:
    """Add one audit entry in the caller's transaction."""
    if at.tzinfo is None:
        raise ValueError("audit entries need a timezone-aware time")
    if not actor or not actor.strip():
        raise ValueError("audit entries need an actor")
    entry = AuditEntry(at=at, actor=actor.strip()[:100], action=action, entity=entity,
                       entity_id=None if entity_id is None else str(entity_id),
                       cycle_id=cycle_id, detail=detail)
    session.add(entry)
    return entry


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper: Any, _conn: Any, target: AuditEntry) -> None:
    raise AuditTampering(f"Nhật ký kiểm tra chỉ được ghi thêm; không được sửa mục số {target.id}.")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper: Any, _conn: Any, target: AuditEntry) -> None:
    raise AuditTampering(f"Nhật ký kiểm tra chỉ được ghi thêm; không được xóa mục số {target.id}.")


@dataclass(frozen=True)
class AuditQuery:
    """Filters of ``giamsat audit``: a time window (UTC, end excluded), action, entity, actor."""

    cycle_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    action: str | None = None
    entity: str | None = None
    actor: str | None = None
    limit: int = 200


def entries(session: Session, q: AuditQuery) -> tuple[list[AuditEntry], int]:
    """The newest ``q.limit`` matching entries in time order, and how many matched in all.

    ``action`` matches itself and its sub-actions (``rec`` matches ``rec.update``).
    """
    cond = []
    if q.cycle_id is not None:
        cond.append(or_(AuditEntry.cycle_id == q.cycle_id, AuditEntry.cycle_id.is_(None)))
    if q.since is not None:
        cond.append(AuditEntry.at >= q.since)
    if q.until is not None:
        cond.append(AuditEntry.at < q.until)
    if q.action:
        cond.append(or_(AuditEntry.action == q.action, AuditEntry.action.startswith(q.action + ".")))
    if q.entity:
        cond.append(AuditEntry.entity == q.entity)
    if q.actor:
        cond.append(AuditEntry.actor == q.actor)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*cond)) or 0
    rows = session.scalars(select(AuditEntry).where(*cond)
                           .order_by(AuditEntry.id.desc()).limit(q.limit)).all()
    return list(reversed(rows)), total
