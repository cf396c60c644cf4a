"""Flow runs are named by step and day, so the Prefect UI's run list reads as the cycle."""

import datetime as dt

import pytest

from flows.naming import day_of
from tests.conftest import CONFIG

pytestmark = pytest.mark.prefect


def test_a_reminder_run_is_named_nhac_han_and_its_day(prefect_harness, tmp_path, monkeypatch):
    from prefect import get_client

    from flows.remind import remind_flow

    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path / "home"))
    state = remind_flow(as_of=dt.date(2024, 4, 8), config=str(CONFIG), return_state=True)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == "Nhắc hạn · 08/4/2024"


def test_the_day_of_a_run_comes_from_its_as_of_parameter_in_any_form():
    assert day_of("2024-04-08") == day_of(dt.date(2024, 4, 8)) == dt.date(2024, 4, 8)
    assert day_of("2024-04-08T07:30:00+07:00") == dt.date(2024, 4, 8)
