"""A flow run opens its Runtime afresh: the next run on the same database takes up the process's
engine, so its queries are not compiled again, and the database works as before after dispose."""

from __future__ import annotations

import datetime as dt
import sqlite3

from sqlalchemy import event, func, select
from sqlalchemy.engine.default import DefaultExecutionContext

from giamsat.cycle.overview import cycle_status
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message, Obligation, Unit
from giamsat.db.session import KEPT_ENGINES, Database
from giamsat.domain import clock
from giamsat.remind.service import sweep
from tests.conftest import CONFIG, OPENED_AT

D = dt.date


def _run(url: str, home, day: dt.date) -> list[str]:
    """One remind-like run (open, sweep, overview, dispose); the cache outcome of each statement."""
    rt = open_cycle(CONFIG, OPENED_AT, home=home, database_url=url)
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, context, _many) -> None:
        if isinstance(context, DefaultExecutionContext) and context.compiled is not None:
            seen.append(context._get_cache_stats().split(" ")[0])  # "cached", "generated"…

    event.listen(rt.db.engine, "after_cursor_execute", note)
    try:
        sweep(rt, day)
        cycle_status(rt, day)
    finally:
        event.remove(rt.db.engine, "after_cursor_execute", note)
        rt.db.dispose()
    return seen


def test_a_second_run_on_the_same_database_compiles_no_statement_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'giamsat.db'}"
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=url)
    with rt.db.unit_of_work() as s:
        for u in s.scalars(select(Unit).where(Unit.cycle_id == rt.cycle_id, Unit.valid_to.is_(None))):
            s.add(Obligation(cycle_id=rt.cycle_id, kind="report", key=f"report:{u.code}@{u.valid_from}",
                             unit_id=u.id, due_on=D(2024, 4, 8), status="open",
                             created_at=clock.at_office_hours(D(2024, 4, 1))))
    rt.db.dispose()
    first = _run(url, tmp_path / "home", D(2024, 4, 3))  # queues the day's reminders
    second = _run(url, tmp_path / "home", D(2024, 4, 3))  # finds them queued
    assert "generated" in first  # the first run of the process compiles its statements
    assert second and set(second) == {"cached"}
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=url)
    with rt.db.unit_of_work() as s:  # the reminders queued once, read after dispose as before
        assert s.scalar(select(func.count()).select_from(Message)) > 0
    rt.db.dispose()


def test_other_databases_get_engines_of_their_own_and_the_oldest_is_let_go(tmp_path):
    urls = [f"sqlite:///{tmp_path / f'db{i}.db'}" for i in range(KEPT_ENGINES + 1)]
    engines = [Database(u).engine for u in urls]
    assert len({id(e) for e in engines}) == len(urls)
    assert Database(urls[-1]).engine is engines[-1]
    assert Database(urls[0]).engine is not engines[0]  # more databases than kept: made afresh


def test_a_database_made_again_at_the_same_path_is_the_one_a_new_runtime_opens(tmp_path):
    db = tmp_path / "giamsat.db"
    url = f"sqlite:///{db}"
    first = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=url)
    with first.db.unit_of_work() as s:  # a connection left idle in the pool, never disposed
        assert s.scalar(select(func.count()).select_from(Unit)) > 0
    for path in tmp_path.glob("giamsat.db*"):  # a fresh home at the same path (``demo`` does so)
        path.unlink()
    second = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=url)
    with second.db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Unit)) > 0
    second.db.dispose()
    with sqlite3.connect(db) as conn:  # migrated and filled on disk, not in the removed file
        assert conn.execute("SELECT count(*) FROM units").fetchone()[0] > 0
