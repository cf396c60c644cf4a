"""Two reminder sweeps at the same time on PostgreSQL: each reminder is queued once, neither fails."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message, Obligation, Unit
from giamsat.domain import clock
from giamsat.remind import service as remind
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT

D = dt.date


@pytest.mark.postgres
def test_two_sweeps_at_once_queue_each_reminder_once(fresh_postgres_url, tmp_path, monkeypatch):
    runtimes = [open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=fresh_postgres_url)
                for _ in range(2)]
    rt = runtimes[0]
    with rt.db.unit_of_work() as s:
        for u in s.scalars(select(Unit).where(Unit.cycle_id == rt.cycle_id, Unit.valid_to.is_(None))):
            s.add(Obligation(cycle_id=rt.cycle_id, kind="report", key=f"report:{u.code}@{u.valid_from}",
                             unit_id=u.id, due_on=D(2024, 4, 6), status="open",
                             created_at=clock.at_office_hours(D(2024, 4, 1))))
    # Both sweeps have looked for reminders already queued before either inserts: the race.
    both_looked = threading.Barrier(2, timeout=30)
    already_queued = remind._already_queued

    def look_then_wait(s, keys):
        found = already_queued(s, keys)
        both_looked.wait()
        return found

    monkeypatch.setattr(remind, "_already_queued", look_then_wait)
    results, errors = [], []

    def run(r: Runtime) -> None:
        try:
            results.append(remind.sweep(r, D(2024, 4, 2)))
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runtimes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with rt.db.unit_of_work() as s:
        per_key = s.execute(select(Message.idempotency_key, func.count())
                            .group_by(Message.idempotency_key)).all()
        units = s.scalar(select(func.count()).select_from(Obligation))
    assert len(per_key) == units > 0 and all(n == 1 for _, n in per_key)
    assert sorted(r.queued for r in results) == [0, units]
    assert sum(r.already_queued for r in results) == units
    for r in runtimes:
        r.db.dispose()
