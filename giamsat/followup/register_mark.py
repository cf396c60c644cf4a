"""A cheap mark of the recommendation register, for views read far more often than it changes.

Every change to a recommendation (its status, due date, addressee, content) is written with an
event of its history in the same transaction, events are only ever added and recommendations are
never deleted. So the number and the highest id of the recommendations and of their events move
whenever anything changes, and the recommendations added or given an event since a mark are the
only ones whose rows changed: a view kept per recommendation (the cycle status's counts, the
office's digest) reads those again and keeps the rest.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from giamsat.db.models import Recommendation, RecommendationEvent

Mark = tuple[int, int | None, int, int | None]


def register_mark(s: Session) -> Mark:
    """(number, highest id) of the recommendations and of their events, in one statement."""
    row = s.execute(select(
        select(func.count()).select_from(Recommendation).scalar_subquery(),  # count(*): an index's pages
        select(func.max(Recommendation.id)).scalar_subquery(),
        select(func.count()).select_from(RecommendationEvent).scalar_subquery(),
        select(func.max(RecommendationEvent.id)).scalar_subquery())).one()
    return int(row[0]), row[1], int(row[2]), row[3]


def changed_since(s: Session, then: Mark, now: Mark) -> set[int] | None:
    """The recommendations added or given an event between the marks ``then`` and ``now``; None
    when that cannot be told (a row committed out of id order, or after ``now`` was read): the
    caller reads everything again."""
    rec_count, rec_max, event_count, event_max = then
    new = set(s.scalars(select(Recommendation.id).where(Recommendation.id > (rec_max or 0))))
    events = s.execute(select(RecommendationEvent.recommendation_id, func.count())
                       .where(RecommendationEvent.id > (event_max or 0))
                       .group_by(RecommendationEvent.recommendation_id)).all()
    if len(new) != now[0] - rec_count or sum(n for _, n in events) != now[2] - event_count \
            or register_mark(s) != now:  # PostgreSQL reads each statement afresh
        return None
    return new | {rec_id for rec_id, _ in events}


def url_key(s: Session) -> str:
    """The database a session reads (views kept per database)."""
    return s.get_bind().engine.url.render_as_string(hide_password=False)
