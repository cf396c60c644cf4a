"""The visits flow schedules the approved sample, queues the notices and writes the minutes."""

import datetime as dt
from pathlib import Path

import pytest

from flows.visits import visits_flow
from giamsat.draw import service as sample
from giamsat.runtime import Runtime
from tests.conftest import CONFIG

pytestmark = pytest.mark.prefect


def test_the_visits_flow_prepares_every_visit_of_the_approved_sample(prefect_harness, flow_env):
    rt = Runtime.load(CONFIG)
    row = sample.draw(rt, dt.date(2024, 4, 10), "luồng giám sát", "tran.lan")
    sample.approve(rt, row.id, "truong.phong")
    planned = visits_flow(as_of=dt.date(2024, 5, 2), config=str(CONFIG))
    again = visits_flow(as_of=dt.date(2024, 5, 2), config=str(CONFIG))
    assert [p["id"] for p in again] == [p["id"] for p in planned] and len(planned) == 4
    assert all(Path(p["minutes"]).is_file() for p in planned)
    rt.db.dispose()
