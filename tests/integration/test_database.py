"""The schema on SQLite and PostgreSQL: migrations, round trips, plan sync."""

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from giamsat.cycle.sync import mark_step_done, sync_plan, unit_rows_on
from giamsat.db import models as m
from giamsat.db.migrate import current_revision, head_revision
from giamsat.domain import clock
from tests.conftest import CONFIG, OPENED_AT

NOW = dt.datetime(2024, 4, 1, 8, 0, tzinfo=clock.TZ)


def test_the_migrated_schema_matches_the_models(runtime):
    assert current_revision(runtime.db.engine) == head_revision()
    with runtime.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), m.Base.metadata)
    assert diff == []


def test_syncing_the_plan_creates_units_villages_and_steps_once(runtime, plan):
    with runtime.db.unit_of_work() as s:
        again = sync_plan(s, plan, CONFIG, OPENED_AT)
        assert again.id == runtime.cycle_id
        assert s.scalar(select(func.count(m.Unit.id))) == 19
        assert s.scalar(select(func.count(m.Step.id))) == 7  # with the upper team's visit
        villages = s.scalar(select(func.count(m.Village.id)))
        assert villages == sum(len(u.villages) for u in plan.units)
        assert len(unit_rows_on(s, runtime.cycle_id, dt.date(2024, 9, 1))) == 14


def test_ceased_units_point_at_their_successor(runtime):
    with runtime.db.unit_of_work() as s:
        tan_khanh = s.scalar(select(m.Unit).where(m.Unit.code == "13750",
                                                  m.Unit.valid_to.is_not(None)))
        successor = s.get(m.Unit, tan_khanh.successor_id)
        assert (successor.name, successor.valid_from) == ("Xã Minh Tân", dt.date(2024, 9, 1))


def test_a_message_round_trips_with_json_and_aware_times(runtime):
    with runtime.db.unit_of_work() as s:
        s.add(m.Message(cycle_id=runtime.cycle_id, idempotency_key="k1", kind="notification",
                        to_addrs=["a@x.example"], subject="Thông báo kế hoạch giám sát",
                        body_text="Kính gửi: UBND xã", message_id="<1@giamsat>",
                        attachments=[{"path": "a.docx", "filename": "Kế hoạch.docx"}],
                        created_at=NOW))
    with runtime.db.unit_of_work() as s:
        msg = s.scalar(select(m.Message).where(m.Message.idempotency_key == "k1"))
        assert msg.created_at == NOW
        assert msg.attachments[0]["filename"] == "Kế hoạch.docx"
        assert msg.status == "pending" and msg.attempts == 0


def test_the_idempotency_key_is_unique(runtime):
    def add(session):
        session.add(m.Message(cycle_id=runtime.cycle_id, idempotency_key="same", kind="x",
                              to_addrs=[], subject="s", body_text="b", message_id="<m>",
                              created_at=NOW))
    with runtime.db.unit_of_work() as s:
        add(s)
    with pytest.raises(IntegrityError), runtime.db.unit_of_work() as s:
        add(s)


def test_a_recommendation_keeps_its_dated_history(runtime):
    with runtime.db.unit_of_work() as s:
        rec = m.Recommendation(cycle_id=runtime.cycle_id, key="r1", source_kind="manual",
                               content="Bổ sung hồ sơ", addressed_to="UBND xã Đại An",
                               due_on=dt.date(2024, 6, 1), created_at=NOW, updated_at=NOW)
        s.add(rec)
        s.flush()
        s.add_all([m.RecommendationEvent(recommendation_id=rec.id, at=NOW, status="open",
                                         actor="system"),
                   m.RecommendationEvent(recommendation_id=rec.id, at=NOW, status="resolved",
                                         actor="coordinator", note="Đã bổ sung")])
    with runtime.db.unit_of_work() as s:
        rec = s.scalar(select(m.Recommendation).where(m.Recommendation.key == "r1"))
        assert [e.status for e in rec.events] == ["open", "resolved"]


def test_a_step_is_marked_done_once_and_keeps_its_first_time(runtime):
    later = NOW + dt.timedelta(days=1)
    with runtime.db.unit_of_work() as s:
        mark_step_done(s, runtime.cycle_id, "notify", NOW)
        step = mark_step_done(s, runtime.cycle_id, "notify", later)
        assert step.done_at == NOW


def test_deleting_a_cycle_is_refused_while_foreign_keys_hold_on_sqlite(sqlite_runtime):
    with sqlite_runtime.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_every_sqlite_connection_keeps_a_page_cache_sized_for_a_country(sqlite_runtime):
    from giamsat.db.session import PAGE_CACHE_KIB

    with sqlite_runtime.db.engine.connect() as conn:  # SQLite's default is 2,000 KiB
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -PAGE_CACHE_KIB
        assert PAGE_CACHE_KIB >= 32 * 1024
