"""The recommendations' counts on a day (the cycle status's follow-up line), kept between flow runs.

A recommendation's status on a day is the one its last event before the end of that day left.
Every flow run publishes the cycle status, and a country has tens of thousands of recommendations
and events: each recommendation's creation, due date and status are kept per database and cycle,
and read again only for those added or given an event since (``register_mark``), or, when the
cutoff moves on, that had an event after the old one; the counts are then made from what is kept.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from giamsat.db.models import Recommendation, RecommendationEvent
from giamsat.domain.vocabulary import REC_CLOSED
from giamsat.followup.register_mark import Mark, changed_since, register_mark, url_key

CHUNK = 500
# Per recommendation: (created at, due on, status before the cutoff, None without an event then)
Kept = dict[int, tuple[dt.datetime, dt.date, str | None]]


@dataclass(frozen=True)
class Recs:
    """The recommendations made before the cutoff: all, open then, and open past their due date."""

    total: int
    open: int
    late: int


@dataclass(frozen=True)
class _State:
    mark: Mark
    cutoff: dt.datetime
    recs: Kept
    later: frozenset[int]  # the recommendations with an event at or after the cutoff


_KEPT: dict[tuple[str, int], _State] = {}


def recommendations_as_of(session: Session, cycle_id: int, cutoff: dt.datetime, as_of: dt.date) -> Recs:
    """Each recommendation's status as its last event before ``cutoff`` left it, counted: all,
    open, and open past their due date on ``as_of`` (see the module docstring)."""
    key = (url_key(session), cycle_id)
    mark = register_mark(session)  # read first: what is read after it is at least as new
    last = _KEPT.get(key)
    ids = _to_read(session, last, mark, cutoff) if last is not None else None
    recs, later = _read(session, cycle_id, cutoff, ids)
    if last is not None and ids == set():  # nothing read again: the kept ones as they are
        recs, later = last.recs, last.later
    elif last is not None and ids is not None:
        recs, later = last.recs | recs, (last.later - ids) | later
    if register_mark(session) != mark:  # a change committed meanwhile (PostgreSQL): count in one go
        _KEPT.pop(key, None)
        return counted_in_sql(session, cycle_id, cutoff, as_of)
    _KEPT[key] = _State(mark, cutoff, recs, later)
    return counted(recs, cutoff, as_of)


# The kept recommendations last ordered (a ``Kept`` is never changed once made), with the latest
# creation among them and the due dates of the open ones, sorted
_ORDERED: list[tuple] = [(None, None, ())]


def counted(recs: Kept, cutoff: dt.datetime, as_of: dt.date) -> Recs:
    """``recs`` made before ``cutoff`` counted: all, open, open past their due date on ``as_of``.
    When all were made before it (every run after they were), the kept ones are counted from their
    due dates ordered once (a country's 19,000 recommendations not walked each run)."""
    limit = cutoff.astimezone(dt.UTC)  # the rows' own zone: compared without converting each
    ordered = _ORDERED[0]  # one tuple: another thread may replace it, never change it
    if ordered[0] is not recs:
        dues = sorted(due_on for _, due_on, status in recs.values()
                      if status is None or status not in REC_CLOSED)
        ordered = (recs, max((c for c, _, _ in recs.values()), default=None), dues)
        _ORDERED[0] = ordered
    _, latest, dues = ordered
    if latest is None or latest < limit:
        return Recs(len(recs), len(dues), bisect_left(dues, as_of))
    return walked(recs, limit, as_of)


def walked(recs: Kept, limit: dt.datetime, as_of: dt.date) -> Recs:
    """``counted`` one recommendation at a time (``limit``: the cutoff in UTC)."""
    total = open_ = late = 0
    for created_at, due_on, status in recs.values():
        if created_at < limit:
            total += 1
            if status is None or status not in REC_CLOSED:
                open_ += 1
                late += due_on < as_of
    return Recs(total, open_, late)


def _to_read(session: Session, last: _State, mark: Mark, cutoff: dt.datetime) -> set[int] | None:
    """The recommendations whose kept status may be stale; None: read them all."""
    if cutoff < last.cutoff:
        return None
    ids = changed_since(session, last.mark, mark) if last.mark != mark else set()
    if ids is not None and cutoff > last.cutoff:  # their events after the old cutoff may count now
        ids |= last.later
    return ids


def _last_events(cycle_id: int, cutoff: dt.datetime) -> Select:
    """Each recommendation's events before ``cutoff``, numbered from the last (``n`` = 1)."""
    return (select(RecommendationEvent.recommendation_id.label("rec_id"),
                   RecommendationEvent.status.label("status"),
                   func.row_number().over(partition_by=RecommendationEvent.recommendation_id,
                                          order_by=(RecommendationEvent.at.desc(),
                                                    RecommendationEvent.id.desc())).label("n"))
            .join(Recommendation, Recommendation.id == RecommendationEvent.recommendation_id)
            .where(Recommendation.cycle_id == cycle_id, RecommendationEvent.at < cutoff))


def _read(session: Session, cycle_id: int, cutoff: dt.datetime,
          ids: set[int] | None) -> tuple[Kept, frozenset[int]]:
    """The kept fields of the cycle's recommendations ``ids`` (None: all of them), and which of
    them have an event at or after ``cutoff``."""
    out: Kept = {}
    later: set[int] = set()
    chunks = [None] if ids is None else [sorted(ids)[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        recs = select(Recommendation.id, Recommendation.created_at, Recommendation.due_on).where(
            Recommendation.cycle_id == cycle_id)
        events = _last_events(cycle_id, cutoff)
        after = select(RecommendationEvent.recommendation_id).distinct().join(
            Recommendation, Recommendation.id == RecommendationEvent.recommendation_id).where(
            Recommendation.cycle_id == cycle_id, RecommendationEvent.at >= cutoff)
        if chunk is not None:
            recs = recs.where(Recommendation.id.in_(chunk))
            events = events.where(RecommendationEvent.recommendation_id.in_(chunk))
            after = after.where(RecommendationEvent.recommendation_id.in_(chunk))
        later.update(session.scalars(after))
        for rec_id, created_at, due_on in session.execute(recs):
            out[rec_id] = (created_at, due_on, None)
        last = events.subquery()
        for rec_id, status in session.execute(select(last.c.rec_id, last.c.status).where(last.c.n == 1)):
            if rec_id in out:
                out[rec_id] = (*out[rec_id][:2], status)
    return out, frozenset(later)


def counted_in_sql(session: Session, cycle_id: int, cutoff: dt.datetime, as_of: dt.date) -> Recs:
    """``recommendations_as_of`` in one statement, nothing kept."""
    last = _last_events(cycle_id, cutoff).subquery()
    is_open = or_(last.c.status.is_(None), last.c.status.not_in(REC_CLOSED))
    total, open_, late = session.execute(
        select(func.count(), func.sum(case((is_open, 1), else_=0)),
               func.sum(case((and_(is_open, Recommendation.due_on < as_of), 1), else_=0)))
        .select_from(Recommendation)
        .outerjoin(last, and_(last.c.rec_id == Recommendation.id, last.c.n == 1))
        .where(Recommendation.cycle_id == cycle_id, Recommendation.created_at < cutoff)).one()
    return Recs(int(total or 0), int(open_ or 0), int(late or 0))
