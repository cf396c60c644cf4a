"""The audit log: every state change, who made it and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from giamsat.db.models import AuditEntry


def record(session: Session, *, at: dt.datetime, actor: str, action: str, entity: str,
           entity_id: object = None, cycle_id: int | None = None, **detail: Any) -> AuditEntry:
    """Add one audit entry in the caller's transaction."""
    entry = AuditEntry(at=at, actor=actor, action=action, entity=entity,
                       entity_id=None if entity_id is None else str(entity_id),
                       cycle_id=cycle_id, detail=detail)
    session.add(entry)
    return entry
