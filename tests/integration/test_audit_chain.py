"""The audit log's SHA-256 chain: edits, deletions and concurrent writers, on both databases."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import delete, func, insert, select, update

from giamsat.db import audit
from giamsat.db.migrate import upgrade
from giamsat.db.models import AuditEntry, Obligation
from giamsat.db.session import Database
from giamsat.domain import clock

NOW = clock.at_office_hours(dt.date(2024, 4, 1))


def _write(rt, n: int, actor: str = "tran.lan") -> None:
    for i in range(n):
        with rt.db.unit_of_work() as s:
            audit.record(s, at=NOW + dt.timedelta(minutes=i), actor=actor, action="test.write",
                         entity="test", entity_id=i, cycle_id=rt.cycle_id, n=i, note="Ghi chú có dấu")


def _verify(rt):
    with rt.db.unit_of_work() as s:
        return audit.verify(s)


def test_an_untouched_log_verifies_and_names_its_last_hash(runtime):
    _write(runtime, 5)
    check = _verify(runtime)
    with runtime.db.unit_of_work() as s:
        last = s.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert check.ok and check.count >= 5 and check.head == last.sha256 and last.prev_sha256


def test_an_entry_changed_behind_the_apps_back_is_detected(runtime):
    _write(runtime, 5)
    with runtime.db.engine.begin() as conn:  # raw SQL: what someone with database access could do
        target = conn.scalar(select(AuditEntry.id).where(AuditEntry.entity_id == "2"))
        conn.execute(update(AuditEntry).where(AuditEntry.id == target).values(actor="ai.do"))
    check = _verify(runtime)
    assert not check.ok and check.problems == [f"Mục số {target}: nội dung không khớp mã SHA-256 đã ghi "
                                               "(đã bị sửa)."]


def test_a_deleted_entry_is_detected(runtime):
    _write(runtime, 5)
    with runtime.db.engine.begin() as conn:
        target = conn.scalar(select(AuditEntry.id).where(AuditEntry.entity_id == "2"))
        conn.execute(delete(AuditEntry).where(AuditEntry.id == target))
    check = _verify(runtime)
    assert not check.ok and "không nối với mục liền trước" in check.problems[0]


def test_concurrent_writers_never_fork_the_chain(runtime):
    with runtime.db.unit_of_work() as s:
        before = s.scalar(select(func.count(AuditEntry.id)))
        obligations = [Obligation(cycle_id=runtime.cycle_id, kind="report", key=f"k{n}",
                                  due_on=dt.date(2024, 4, 5), created_at=NOW) for n in range(6)]
        s.add_all(obligations)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(8):
                with runtime.db.unit_of_work() as s:  # odd workers: a change and its entry; even: entry only
                    if n % 2:
                        s.execute(update(Obligation).where(Obligation.id == obligations[n].id)
                                  .values(status=f"s{i}"))
                    audit.record(s, at=clock.now(), actor=f"w{n}", action="test.concurrent", entity="test")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = _verify(runtime)
    assert check.ok, check.problems
    assert check.count == before + 48


def test_the_migration_chains_entries_written_before_it(db_url):
    db = Database(db_url)
    upgrade(db.engine, "0001")
    with db.engine.begin() as conn:
        conn.execute(_old_rows())
    upgrade(db.engine)
    with db.sessions() as s:
        check = audit.verify(s)
    db.dispose()
    assert check.ok and check.count == 3


def _old_rows():
    from sqlalchemy import JSON, Integer, String, column, table

    from giamsat.db.models import AwareDateTime

    old = table("audit_log", column("id", Integer), column("at", AwareDateTime()), column("actor", String),
                column("action", String), column("entity", String), column("detail", JSON))
    return insert(old).values([{"id": i, "at": NOW, "actor": "cu", "action": "old", "entity": "x",
                                "detail": {"i": i}} for i in (1, 2, 3)])
