"""The replayed 2024 demo writes every timestamp inside the simulated cycle, the audit log in order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from giamsat.db.models import AuditEntry, AwareDateTime, Base
from giamsat.domain import clock

pytestmark = pytest.mark.prefect

# The plan is signed and registered on 26–27/3/2024, as the seed was, before the period opens.
PERIOD_START = dt.datetime(2024, 3, 26, tzinfo=clock.TZ)
PERIOD_END = dt.datetime(2024, 12, 1, tzinfo=clock.TZ)  # through 30/11/2024, Vietnam time
# The outbox's claims are taken on the real clock (a lease between live drainers), not the cycle's.
REAL_CLOCK_COLUMNS = {("messages", "claimed_at")}
# tests/e2e/test_archive_demo.py reads the same home afterwards, as "kiem.tra", with the shipped plan
# (not the demo's signing copy): its plan change is stamped on the real clock.
LATER_TEST_ACTOR = "kiem.tra"


def demo_db(demo_run) -> Session:
    """A session on the demo's SQLite database."""
    _, manifest = demo_run
    (path,) = [o["path"] for o in manifest["outputs"] if o["kind"] == "db"]
    return Session(create_engine(f"sqlite:///{Path(path)}"))


def stamped_columns() -> list[tuple[type, str]]:
    """Every (model, attribute) holding a moment."""
    out = []
    for mapper in Base.registry.mappers:
        for col in mapper.columns:
            if isinstance(col.type, AwareDateTime) and (col.table.name, col.name) not in REAL_CLOCK_COLUMNS:
                out.append((mapper.class_, col.key))
    return out


def test_every_timestamp_the_demo_writes_falls_inside_the_2024_cycle(demo_run):
    columns = stamped_columns()
    tables = {model.__tablename__ for model, _ in columns}
    assert {"audit_log", "messages", "visits", "obligations", "submissions", "recommendations",
            "recommendation_events", "sample_draws", "documents", "cycles"} <= tables
    outside: dict[str, int] = {}
    checked = 0
    with demo_db(demo_run) as s:
        for model, attr in columns:
            query = select(getattr(model, attr))
            if model is AuditEntry:
                query = query.where(AuditEntry.actor != LATER_TEST_ACTOR)
            for value in s.scalars(query):
                if value is None:
                    continue
                checked += 1
                if not PERIOD_START <= value < PERIOD_END:
                    key = f"{model.__tablename__}.{attr}"
                    outside[key] = outside.get(key, 0) + 1
    assert outside == {}
    assert checked > 500


def test_the_demo_audit_log_is_in_time_order(demo_run):
    """In time order, but for the văn thư's registrations: the demo stamps one with the signing
    times it gives the document (the plan's are the seed's, 26–27/3), and a step whose document
    waited for it runs again at the step's own hour of the same simulated day."""
    with demo_db(demo_run) as s:
        entries = [(e.at, e.action) for e in s.scalars(select(AuditEntry).where(
            AuditEntry.actor != LATER_TEST_ACTOR).order_by(AuditEntry.id))]
    steps = [e for e in entries if e[1] != "document.register"]
    backwards = [(a, b) for a, b in zip(steps, steps[1:], strict=False) if b[0] < a[0]]
    registered = [e for e in entries if e[1] == "document.register"]
    assert len(steps) > 100 and len(registered) >= 20
    assert backwards == []
    assert all(PERIOD_START <= at < PERIOD_END for at, _ in registered)
