"""Which open recommendations the office itself answers for: each routed once, again only when changed.

A country's register holds tens of thousands of recommendations, nearly all addressed to a
commune, and the office's daily digest lists the few the office answers for. Each recommendation
is routed (``route``) when it first appears and again when an event is added to its history —
the only way its status or addressee changes (``register_mark``) — or when the plan changes
(its units' names and addresses); the others keep the answer they had.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from giamsat.db.models import Cycle, Recommendation, RecommendationEvent, Unit
from giamsat.domain.vocabulary import REC_CLOSED
from giamsat.followup.register_mark import register_mark
from giamsat.remind.routing import route
from giamsat.runtime import Runtime

CHUNK = 500
_COLUMNS = (Recommendation.id, Recommendation.key, Recommendation.addressed_to,
            Recommendation.addressed_email, Recommendation.status, Unit.name.label("unit_name"),
            Unit.email.label("unit_email"), Unit.chairman_email)


def to_commune(rt: Runtime, rec: Any) -> bool:
    """Whether reminders of the recommendation ``rec`` (a row of its and its unit's columns) go to
    its commune."""
    row = SimpleNamespace(kind="recommendation", key=f"rec:{rec.key}", rec_id=rec.id,
                          addressed_to=rec.addressed_to, addressed_email=rec.addressed_email,
                          unit_name=rec.unit_name, unit_email=rec.unit_email,
                          chairman_email=rec.chairman_email)
    return route(rt.plan, row, False).to_commune


@dataclass
class _Routed:
    plan: str | None
    mark: tuple
    office: set[int]  # the open recommendations the office answers for


_LAST: dict[tuple[str, int], _Routed] = {}


def office_ids(rt: Runtime, s: Session) -> set[int]:
    """The ids of the cycle's open recommendations whose reminders go to the office (or another body)."""
    key = (s.get_bind().engine.url.render_as_string(hide_password=False), rt.cycle_id)
    plan = s.scalar(select(Cycle.plan_sha256).where(Cycle.id == rt.cycle_id))
    mark = register_mark(s)  # read first: what is routed after it is at least as new
    last = _LAST.get(key)
    changed = _changed_since(s, last.mark, mark) if last is not None and last.plan == plan else None
    # and nothing committed while the changes were read (PostgreSQL reads each statement afresh)
    if last is not None and changed is not None and register_mark(s) == mark:
        office = _route(rt, s, changed, last.office - changed)
    else:
        office = _route(rt, s, None, set())
    _LAST[key] = _Routed(plan, mark, office)
    return set(office)


def _changed_since(s: Session, then: tuple, now: tuple) -> set[int] | None:
    """The recommendations added or given an event since the mark ``then``; None when rows appeared
    out of id order (a transaction committed after a later one): route everything again."""
    rec_count, rec_max, event_count, event_max = then
    new = set(s.scalars(select(Recommendation.id).where(Recommendation.id > (rec_max or 0))))
    events = s.execute(select(RecommendationEvent.recommendation_id, func.count())
                       .where(RecommendationEvent.id > (event_max or 0))
                       .group_by(RecommendationEvent.recommendation_id)).all()
    if len(new) != now[0] - rec_count or sum(n for _, n in events) != now[2] - event_count:
        return None
    return new | {rec_id for rec_id, _ in events}


def _route(rt: Runtime, s: Session, ids: set[int] | None, office: set[int]) -> set[int]:
    """``office`` with the recommendations ``ids`` (None: all of the cycle's) routed again."""
    where = [Recommendation.cycle_id == rt.cycle_id, Recommendation.status.not_in(REC_CLOSED)]
    chunks: Iterable[list[int] | None] = [None] if ids is None else \
        [sorted(ids)[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        stmt = select(*_COLUMNS).outerjoin(Unit, Recommendation.unit_id == Unit.id).where(*where)
        if chunk is not None:
            stmt = stmt.where(Recommendation.id.in_(chunk))
        office |= {rec.id for rec in s.execute(stmt) if not to_commune(rt, rec)}
    return office
