"""A cheap mark of the recommendation register, for views that are read far more than it changes.

Every change to a recommendation (its status, due date, addressee, content) is written with an
event of its history in the same transaction, events are only ever added and recommendations are
never deleted: so the number and the highest id of the recommendations and of their events change
whenever anything those views read changes. The cycle status's counts and the office's digest are
computed again only when the mark moved (every flow run asks; a day's reminders change nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from giamsat.db.models import Recommendation, RecommendationEvent

T = TypeVar("T")
# The last value computed per (database, view, cycle): (its mark and arguments, the value).
_LAST: dict[tuple[str, str, int], tuple[tuple, Any]] = {}


def register_mark(s: Session) -> tuple:
    """(number, highest id) of the recommendations and of their events, in one statement."""
    return tuple(s.execute(select(
        select(func.count(Recommendation.id)).scalar_subquery(),
        select(func.max(Recommendation.id)).scalar_subquery(),
        select(func.count(RecommendationEvent.id)).scalar_subquery(),
        select(func.max(RecommendationEvent.id)).scalar_subquery())).one())


def reused(s: Session, view: str, cycle_id: int, args: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its last value for this database, view and cycle when the register's mark
    and ``args`` (everything else the value depends on) are what they were then. The mark is read
    first, in the caller's transaction: a value computed after it is at least as new."""
    key = (s.get_bind().engine.url.render_as_string(hide_password=False), view, cycle_id)
    mark = (register_mark(s), args)
    last = _LAST.get(key)
    if last is not None and last[0] == mark:
        return last[1]
    value = compute()
    _LAST[key] = (mark, value)
    return value
