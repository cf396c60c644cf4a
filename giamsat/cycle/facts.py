"""The cycle's facts as they stood at a moment: a row recorded after it is not there yet.

``giamsat status --as-of`` and the dashboard read the cycle on a day; a final report written in
November must not make June's status "done". Every count here takes ``cutoff`` (the first moment
after the day asked for) and reads each row's own date: when it was created, sent, decided,
recorded or registered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from giamsat.db.models import (
    Document,
    Message,
    Obligation,
    PrepItem,
    SampleDraw,
    Visit,
)
from giamsat.issuance.kinds import ISSUED


def cutoff_after(day: dt.date, timezone: str) -> dt.datetime:
    """The first moment after ``day`` in ``timezone``: what was recorded before it existed on ``day``."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(timezone))


def _count(session: Session, stmt) -> int:
    return int(session.scalar(stmt) or 0)


@dataclass(frozen=True)
class Draw:
    """The latest draw made before the cutoff, with its decision as it stood then."""

    id: int
    status: str
    sample: int


def draw_as_of(session: Session, cycle_id: int, cutoff: dt.datetime) -> Draw | None:
    """The latest draw drawn before ``cutoff``; still "proposed" if decided only after it."""
    # Columns only: the row's frame holds every unit of the plan (a country's 10,600), never needed here.
    row = session.execute(select(SampleDraw.id, SampleDraw.status, SampleDraw.decided_at, SampleDraw.result)
                          .where(SampleDraw.cycle_id == cycle_id, SampleDraw.drawn_at < cutoff)
                          .order_by(SampleDraw.id.desc()).limit(1)).first()
    if row is None:
        return None
    decided = row.decided_at is not None and row.decided_at < cutoff
    return Draw(row.id, row.status if decided else "proposed", len((row.result or {}).get("units", [])))


def assigned_reports(session: Session, cycle_id: int, cutoff: dt.datetime) -> int:
    """The report obligations given to the units before ``cutoff``."""
    return _count(session, select(func.count()).where(
        Obligation.cycle_id == cycle_id, Obligation.kind == "report", Obligation.created_at < cutoff))


@dataclass(frozen=True)
class Visits:
    """The visits scheduled before the cutoff, by kind, and those without minutes by then."""

    sampled: int
    sampled_open: int
    adhoc: int
    adhoc_open: int


def visits_as_of(session: Session, cycle_id: int, cutoff: dt.datetime) -> Visits:
    """Visits whose notice (their documents' obligation) was made before ``cutoff``; a visit is
    open until its minutes were recorded before it. A visit without that obligation counts."""
    rows = session.execute(
        select(Visit.kind, Visit.status, Visit.recorded_at)
        .outerjoin(Obligation, and_(Obligation.visit_id == Visit.id, Obligation.kind == "visit_documents"))
        .where(Visit.cycle_id == cycle_id, Visit.status != "cancelled",
               or_(Obligation.id.is_(None), Obligation.created_at < cutoff))
        .distinct()).all()
    count = {"sampled": 0, "adhoc": 0}
    open_ = {"sampled": 0, "adhoc": 0}
    for kind, status, recorded_at in rows:
        group = "sampled" if kind == "sampled" else "adhoc"
        count[group] += 1
        if status != "done" or recorded_at is None or recorded_at >= cutoff:
            open_[group] += 1
    return Visits(count["sampled"], open_["sampled"], count["adhoc"], open_["adhoc"])


def documents_made(session: Session, cycle_id: int, kind: str, cutoff: dt.datetime) -> int:
    """The documents of ``kind`` written before ``cutoff``."""
    return _count(session, select(func.count()).where(
        Document.cycle_id == cycle_id, Document.kind == kind, Document.created_at < cutoff))


def messages_sent(session: Session, cycle_id: int, kind: str, cutoff: dt.datetime) -> int:
    """The messages of ``kind`` sent before ``cutoff``."""
    return _count(session, select(func.count()).where(
        Message.cycle_id == cycle_id, Message.kind == kind, Message.status == "sent",
        Message.sent_at < cutoff))


def findings_recorded(session: Session, cycle_id: int, cutoff: dt.datetime) -> int:
    """The upper team's findings recorded before ``cutoff``."""
    return _count(session, select(func.count()).where(
        PrepItem.cycle_id == cycle_id, PrepItem.kind == "finding",
        or_(PrepItem.done_at.is_(None), PrepItem.done_at < cutoff)))


def unsigned_as_of(session: Session, cycle_id: int, kinds: tuple[str, ...],
                   cutoff: dt.datetime | None) -> dict[str, list[int]]:
    """The drafts of ``kinds`` written before ``cutoff`` and not registered by then, by kind."""
    where = [Document.cycle_id == cycle_id, Document.kind.in_(kinds)]
    if cutoff is None:
        where.append(Document.status != ISSUED)
    else:
        where += [Document.created_at < cutoff,
                  or_(Document.status != ISSUED, Document.registered_at >= cutoff)]
    out: dict[str, list[int]] = {}
    rows = session.execute(select(Document.id, Document.kind).where(*where).order_by(Document.id))
    for doc_id, kind in rows:
        out.setdefault(kind, []).append(doc_id)
    return out
