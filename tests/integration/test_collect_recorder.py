"""A chunk of reports is written a statement per table, with ids given ahead that never collide."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import event, func, insert, select

from giamsat.collect.service import sweep_inbox
from giamsat.cycle.sync import open_cycle
from giamsat.db.ids import Ids
from giamsat.db.models import Message, Obligation, Unit
from giamsat.messaging.outbox import pending_row
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at


def _inserts(rt) -> dict[str, int]:
    """Counts, by table, the INSERT statements sent to the database from now on."""
    counts: dict[str, int] = {}

    def seen(_conn, _cursor, statement, _params, _context, _many):
        if statement.startswith("INSERT INTO "):
            table = statement.split()[2].strip('"')
            counts[table] = counts.get(table, 0) + 1
    event.listen(rt.db.engine, "before_cursor_execute", seen)
    return counts


def test_five_reports_of_a_chunk_are_written_with_one_statement_per_table(sqlite_runtime, forms, plan):
    rt = sqlite_runtime
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True)
    for i, unit in enumerate(plan.units_on(plan.report.deadline)[:5]):
        path, _ = forms(unit, seed=700 + i, name=f"bao-cao-{i}.docx")
        shutil.copyfile(path, inbox / path.name)
        (inbox / f"{path.name}.arrived").write_text(
            (at("2024-04-02", 8) + dt.timedelta(minutes=i)).isoformat(), encoding="utf-8")
    with rt.db.unit_of_work() as s:  # opened by notify, as in a cycle
        s.execute(insert(Obligation), [
            {"cycle_id": rt.cycle_id, "kind": "report", "key": f"report:{u.code}@{u.valid_from.isoformat()}",
             "unit_id": u.id, "due_on": plan.report.deadline, "status": "open",
             "created_at": at("2024-04-01")}
            for u in s.scalars(select(Unit).where(Unit.cycle_id == rt.cycle_id))])
    counts = _inserts(rt)
    summary = sweep_inbox(rt, at("2024-04-02", 17))
    assert [r.status for r in summary.results] == ["accepted"] * 5
    # one flush for the chunk: no report waits for its own id (the old way: one INSERT a report)
    assert {table: counts[table] for table in ("submissions", "household_figures", "poverty_models",
                                               "recommendations", "recommendation_events", "messages",
                                               "audit_log")} == dict.fromkeys(counts, 1)
    assert "obligations" not in counts
    ids = [r.submission_id for r in summary.results]
    assert ids == sorted(ids) and len(set(ids)) == 5  # given in arrival order


def _message(rt, key: str, new_id: int | None = None) -> Message:
    row = pending_row(cycle_id=rt.cycle_id, key=key, kind="test", to=["a@xa.example"], cc=(),
                      subject="S", text="T", html=None, now=at("2024-04-02", 8))
    msg = Message(**row)
    if new_id is not None:
        msg.id = new_id
    return msg


def test_ids_given_ahead_never_meet_a_row_written_without_one(runtime):
    rt = runtime
    with rt.db.unit_of_work() as s:
        ids = Ids(s, Message, block=2)
        first = ids.next()
        s.add(_message(rt, "ahead-1", first))
        s.add(_message(rt, "plain-1"))
        s.flush()  # the row without an id takes the next one the database gives
        plain = s.scalar(select(Message.id).where(Message.idempotency_key == "plain-1"))
        given = [ids.next() for _ in range(3)]  # beyond the first block on PostgreSQL
        for n, new_id in enumerate(given):
            s.add(_message(rt, f"ahead-{n + 2}", new_id))
    assert len({first, plain, *given}) == 5 and first < given[0] < given[1] < given[2]
    with rt.db.unit_of_work() as s:
        assert s.scalar(select(func.count(Message.id))) == 5
        s.add(_message(rt, "plain-2"))  # and the database's own ids go on after them
        s.flush()
        assert s.scalar(select(Message.id).where(Message.idempotency_key == "plain-2")) > max(given)


@pytest.mark.postgres
def test_on_postgresql_a_writer_elsewhere_never_takes_an_id_given_ahead(fresh_postgres_url, tmp_path):
    """(SQLite gives the ids under its write lock: no other writer can insert meanwhile.)"""
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=fresh_postgres_url)
    with rt.db.unit_of_work() as s:
        ids = Ids(s, Message, block=10)
        mine = [ids.next() for _ in range(3)]
        with rt.db.unit_of_work() as other:  # another connection commits while mine are unwritten
            other.add(_message(rt, "elsewhere"))
        for n, new_id in enumerate(mine):
            s.add(_message(rt, f"mine-{n}", new_id))
    with rt.db.unit_of_work() as s:
        elsewhere = s.scalar(select(Message.id).where(Message.idempotency_key == "elsewhere"))
        assert elsewhere not in mine and s.scalar(select(func.count(Message.id))) == 4
    rt.db.dispose()


def test_a_chunk_looks_its_reports_up_by_index_never_by_walking_every_report(sqlite_runtime, forms, plan):
    """Each chunk reads the reports it needs by index: a query walking the cycle's reports costs a
    little more with every report taken, so the national intake grew quadratic."""
    rt = sqlite_runtime
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True)
    for i, unit in enumerate(plan.units_on(plan.report.deadline)[:3]):
        path, _ = forms(unit, seed=720 + i, name=f"bao-cao-{i}.docx")
        shutil.copyfile(path, inbox / path.name)
        shutil.copyfile(path, inbox / f"lan-2-{path.name}")  # the same content again: a duplicate
    selects: list[tuple[str, object]] = []

    def seen(_conn, _cursor, statement, params, _context, _many):
        if statement.startswith("SELECT") and "FROM submissions" in statement:
            selects.append((statement, params))
    event.listen(rt.db.engine, "before_cursor_execute", seen)
    sweep_inbox(rt, at("2024-04-02", 17))
    event.remove(rt.db.engine, "before_cursor_execute", seen)
    assert selects
    with rt.db.engine.connect() as conn:
        for statement, params in selects:
            plan_rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            steps = [row[-1] for row in plan_rows if "submissions" in row[-1]]
            assert steps and all(step.startswith("SEARCH") and "(cycle_id=?)" not in step
                                 for step in steps), (statement, steps)
