"""The recommendations' counts made from their due dates ordered once equal the counts made one
recommendation at a time, whatever the cutoff, the day and the statuses."""

from __future__ import annotations

import datetime as dt
import random

from giamsat.cycle import rec_status
from giamsat.cycle.rec_status import counted, walked
from giamsat.domain.vocabulary import REC_CLOSED

UTC = dt.UTC
STATUSES = [None, "open", "in_progress", "overdue", *sorted(REC_CLOSED)]


def _kept(rng: random.Random, n: int) -> dict:
    start = dt.datetime(2024, 4, 1, tzinfo=UTC)
    return {i: (start + dt.timedelta(hours=rng.randrange(0, 24 * 90)),
                dt.date(2024, 4, 1) + dt.timedelta(days=rng.randrange(0, 120)), rng.choice(STATUSES))
            for i in range(n)}


def test_counted_equals_walked_before_during_and_after_the_recommendations_were_made():
    rng = random.Random(20)
    for n in (0, 1, 7, 500):
        recs = _kept(rng, n)
        for days in (-5, 0, 30, 60, 89, 90, 91, 200):
            cutoff = dt.datetime(2024, 4, 1, 17, tzinfo=dt.timezone(dt.timedelta(hours=7))) \
                + dt.timedelta(days=days)
            for as_of in (dt.date(2024, 3, 1), dt.date(2024, 5, 15), dt.date(2024, 7, 30),
                          dt.date(2025, 1, 1)):
                assert counted(recs, cutoff, as_of) == walked(recs, cutoff.astimezone(UTC), as_of)


def test_the_due_dates_are_ordered_once_per_kept_set(monkeypatch):
    rng = random.Random(3)
    recs = _kept(rng, 300)
    after = dt.datetime(2024, 12, 31, tzinfo=UTC)
    monkeypatch.setattr(rec_status, "_ORDERED", [(None, None, ())])
    orders: list[int] = []
    real = sorted
    monkeypatch.setattr(rec_status, "sorted", lambda items: orders.append(1) or real(items), raising=False)
    first = counted(recs, after, dt.date(2024, 6, 1))
    assert counted(recs, after, dt.date(2024, 6, 2)) == walked(recs, after, dt.date(2024, 6, 2))
    assert first == walked(recs, after, dt.date(2024, 6, 1)) and orders == [1]
    other = dict(recs)  # another kept set (a recommendation read again): ordered afresh
    other[0] = (other[0][0], other[0][1], "resolved" if other[0][2] != "resolved" else None)
    assert counted(other, after, dt.date(2024, 6, 1)) == walked(other, after, dt.date(2024, 6, 1))
    assert orders == [1, 1]
