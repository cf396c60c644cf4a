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

PERIOD_START = dt.datetime(2024, 4, 1, tzinfo=clock.TZ)
PERIOD_END = dt.datetime(2024, 12, 1, tzinfo=clock.TZ)  # through 30/11/2024, Vietnam time
# The outbox's claims are taken on the real clock (a lease between live drainers), not the cycle's.
REAL_CLOCK_COLUMNS = {("messages", "claimed_at")}


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
            for value in s.scalars(select(getattr(model, attr))):
                if value is None:
                    continue
                checked += 1
                if not PERIOD_START <= value < PERIOD_END:
                    key = f"{model.__tablename__}.{attr}"
                    outside[key] = outside.get(key, 0) + 1
    assert outside == {}
    assert checked > 500


def test_the_demo_audit_log_is_in_time_order(demo_run):
    with demo_db(demo_run) as s:
        stamps = list(s.scalars(select(AuditEntry.at).order_by(AuditEntry.id)))
    backwards = sum(1 for a, b in zip(stamps, stamps[1:], strict=False) if b < a)
    assert len(stamps) > 100
    assert backwards == 0
