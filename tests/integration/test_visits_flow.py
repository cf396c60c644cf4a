"""The visits flow schedules the approved sample, queues the notices and writes the minutes."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.visits import visits_flow
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import AuditEntry
from giamsat.domain import clock
from giamsat.draw import service as sample
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT

pytestmark = pytest.mark.prefect


def test_the_visits_flow_prepares_every_visit_of_the_approved_sample(prefect_harness, flow_env,
                                                                      monkeypatch):
    rt = open_cycle(CONFIG, OPENED_AT)
    drawn_at = clock.at_office_hours(dt.date(2024, 4, 10), 9)
    row = sample.draw(rt, dt.date(2024, 4, 10), "luồng giám sát", "tran.lan", now=drawn_at)
    sample.approve(rt, row.id, "truong.phong", drawn_at)
    loads = []
    real_load = Runtime.load.__func__
    monkeypatch.setattr(Runtime, "load", classmethod(
        lambda cls, *a, **k: loads.append(a) or real_load(cls, *a, **k)))
    planned = visits_flow(as_of=dt.date(2024, 5, 2), config=str(CONFIG))
    assert len(loads) == 1  # one Runtime for the whole run, however many visits
    again = visits_flow(as_of=dt.date(2024, 5, 2), config=str(CONFIG))
    assert [p["id"] for p in again] == [p["id"] for p in planned] and len(planned) == 4
    assert all(Path(p["minutes"]).is_file() for p in planned)
    with rt.db.unit_of_work() as s:
        stamps = list(s.scalars(select(AuditEntry.at).where(AuditEntry.action.like("visit.%"))))
    assert stamps and {at.astimezone(clock.TZ).date() for at in stamps} == {dt.date(2024, 5, 2)}
    rt.db.dispose()
