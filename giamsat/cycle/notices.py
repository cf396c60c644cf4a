"""The plan notices' counts on a day (the cycle status's notify line), kept between flow runs.

A country's notify step queues one notice per commune (10,603), and every flow run asks how many
were queued, and sent, by the end of a day: reading them all read every notice's row (its bodies
before its dates). A sent message stays sent, with the moment it was sent (``outbox retry``
refuses it), and messages are never deleted: so each notice's creation and sending are kept per
database and cycle, and only the notices added since, or not sent when last read, are read again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from giamsat.db.models import Message
from giamsat.followup.register_mark import url_key

CHUNK = 500
KIND = "notify_plan"
# Per notice: (created at, sent at; None when it was not sent when read)
Times = dict[int, tuple[dt.datetime, dt.datetime | None]]


@dataclass(frozen=True)
class Notices:
    """The plan notices queued before the cutoff and those of them not sent by then."""

    queued: int
    unsent: int
    error: str | None


_KEPT: dict[tuple[str, int], Times] = {}


def notices_as_of(session: Session, cycle_id: int, cutoff: dt.datetime) -> Notices:
    """The ``notify_plan`` messages queued before ``cutoff``; unsent = not sent before it."""
    key = (url_key(session), cycle_id)
    mine = (Message.cycle_id == cycle_id) & (Message.kind == KIND)
    count = session.scalar(select(func.count()).where(mine))  # the (cycle, kind) index alone
    times = _read(session, cycle_id, dict(_KEPT.get(key, {})))
    if len(times) != count:  # a notice committed out of id order: read them all again
        times = _read(session, cycle_id, {})
    if len(times) != count or session.scalar(select(func.count()).where(mine)) != count:
        _KEPT.pop(key, None)  # notices queued meanwhile (PostgreSQL): count them in one go
        return counted_in_sql(session, cycle_id, cutoff)
    _KEPT[key] = times
    limit = cutoff.astimezone(dt.UTC)  # the rows' own zone: compared without converting each
    queued = sent = 0
    for created_at, sent_at in times.values():
        if created_at < limit:
            queued += 1
            sent += sent_at is not None and sent_at < limit
    return Notices(queued, queued - sent, _error(session, cycle_id, cutoff) if queued > sent else None)


def _read(session: Session, cycle_id: int, times: Times) -> Times:
    """``times`` with the notices added since (higher ids) and those not sent then read again."""
    cols = (Message.id, Message.created_at, Message.status, Message.sent_at)
    mine = (Message.cycle_id == cycle_id) & (Message.kind == KIND)
    stale = sorted(i for i, (_, sent_at) in times.items() if sent_at is None)
    reads = [select(*cols).where(mine, Message.id > max(times, default=0))]
    reads += [select(*cols).where(mine, Message.id.in_(stale[i:i + CHUNK]))
              for i in range(0, len(stale), CHUNK)]
    for stmt in reads:
        for msg_id, created_at, status, sent_at in session.execute(stmt):
            times[msg_id] = (created_at, sent_at if status == "sent" else None)
    return times


def _error(session: Session, cycle_id: int, cutoff: dt.datetime) -> str | None:
    """Why a notice queued before ``cutoff`` and not sent by then was not sent (one of them)."""
    mine = (Message.cycle_id == cycle_id) & (Message.kind == KIND) & (Message.created_at < cutoff)
    sent = (Message.status == "sent") & (Message.sent_at < cutoff)
    return session.scalar(select(Message.last_error).where(mine, ~sent, Message.last_error.is_not(None))
                          .limit(1))


def counted_in_sql(session: Session, cycle_id: int, cutoff: dt.datetime) -> Notices:
    """``notices_as_of`` in one statement, nothing kept."""
    mine = (Message.cycle_id == cycle_id) & (Message.kind == KIND) & (Message.created_at < cutoff)
    sent = (Message.status == "sent") & (Message.sent_at < cutoff)
    queued, sent_count = session.execute(select(func.count(), func.sum(case((sent, 1), else_=0)))
                                         .where(mine)).one()
    unsent = int(queued or 0) - int(sent_count or 0)
    return Notices(int(queued or 0), unsent, _error(session, cycle_id, cutoff) if unsent else None)
