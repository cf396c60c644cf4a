"""The audit log: every state change, who made it and when; append-only, chained by SHA-256.

Entries are chained when their transaction commits: after everything else is flushed, the
writer takes the chain lock (PostgreSQL: a transaction-level advisory lock; SQLite: the database
write lock), reads the last entry's hash and links its own entries to it. The lock is the last
one the transaction takes and is released at commit, so concurrent writers queue briefly and the
chain never forks.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, insert, or_, select, text
from sqlalchemy.orm import Session

from giamsat.db.audit_chain import ChainCheck, check_chain, entry_hash
from giamsat.db.models import AuditEntry
from giamsat.domain import clock
from giamsat.domain.errors import GiamsatError

_PENDING = "giamsat_audit_pending"
_LATER = "giamsat_audit_ids_later"  # (entry, function giving its entity id) resolved at commit
CHAIN_LOCK_KEY = 0x61756469  # "audi": PostgreSQL advisory lock of the audit chain


class AuditTampering(GiamsatError):
    """Something tried to change or delete an audit entry."""


def record(session: Session, *, at: dt.datetime, actor: str, action: str, entity: str,
           entity_id: object = None, cycle_id: int | None = None, **detail: Any) -> None:
    """Add one audit entry in the caller's transaction (written, chained, when it commits).

    ``entity_id`` may be a function giving it (a row's id not flushed yet): it is called at
    commit, after the last flush, so a caller need not flush for the id alone."""
    if at.tzinfo is None:
        raise ValueError("audit entries need a timezone-aware time")
    if not actor or not actor.strip():
        raise ValueError("audit entries need an actor")
    later = callable(entity_id)
    entry = {"at": at, "actor": actor.strip()[:100], "action": action, "entity": entity,
             "entity_id": None if entity_id is None or later else str(entity_id),
             "cycle_id": cycle_id, "detail": json.loads(json.dumps(detail, default=str))}
    session.info.setdefault(_PENDING, []).append(entry)  # chained and written at commit
    if later:
        session.info.setdefault(_LATER, []).append((entry, entity_id))


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    later = session.info.pop(_LATER, [])
    if not pending:
        return
    session.flush()  # every other change first: the chain lock is the transaction's last lock
    for entry, entity_id in later:  # ids known now
        value = entity_id()
        entry["entity_id"] = None if value is None else str(value)
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    elif conn.dialect.name == "sqlite":  # take the write lock before reading the chain's head
        conn.execute(text("UPDATE audit_log SET id = id WHERE 0"))
    prev = session.scalar(select(AuditEntry.sha256).order_by(AuditEntry.id.desc()).limit(1))
    for entry in pending:
        entry["prev_sha256"], entry["sha256"] = prev, entry_hash(entry, prev)
        prev = entry["sha256"]
    # Plain rows in one statement, in order (ids ascending as the chain runs): no ORM object each.
    session.execute(insert(AuditEntry.__table__), pending)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_LATER, None)


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


def verify(session: Session) -> ChainCheck:
    """Walk the whole log in id order and check every link and hash."""
    rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000))
    return check_chain(rows)


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


def entry_json(e: AuditEntry) -> dict[str, Any]:
    """One entry as JSON (time in ISO 8601 with its UTC offset, Vietnam time)."""
    return {"id": e.id, "at": e.at.astimezone(clock.TZ).isoformat(), "actor": e.actor,
            "action": e.action, "entity": e.entity, "entity_id": e.entity_id, "cycle_id": e.cycle_id,
            "detail": e.detail}
