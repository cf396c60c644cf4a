"""Runs of the cycle's deployments made one after the other (the demo) share one Prefect client:
a client costs about 0.1 s to make (its SSL context), and the runs are the same."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import CONFIG

pytestmark = pytest.mark.prefect


def test_deployed_runs_inside_one_client_make_no_client_of_their_own(prefect_harness, tmp_path, monkeypatch):
    from prefect import get_client
    from prefect.client.orchestration import SyncPrefectClient

    from flows.deployments import register_local, run_deployed
    from giamsat import prefect_env
    from giamsat.plan.schema import load_plan

    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path / "home"))
    ids = register_local(load_plan(CONFIG), CONFIG)
    made: list[int] = []
    real = SyncPrefectClient.__init__

    def counted(self, *args, **kwargs):
        made.append(1)
        real(self, *args, **kwargs)
    monkeypatch.setattr(SyncPrefectClient, "__init__", counted)
    days = (dt.date(2024, 4, 6), dt.date(2024, 4, 7), dt.date(2024, 4, 13))  # no reminder is owed
    with prefect_env.one_client():
        results = [run_deployed("remind", ids["remind"], as_of=d, config=str(CONFIG)) for d in days]
    assert len(made) == 1  # the one held open; without it two a run (create the run, drive it)
    assert [r["working_day"] for r in results] == [False, False, False]
    made.clear()
    alone = run_deployed("remind", ids["remind"], as_of=dt.date(2024, 4, 14), config=str(CONFIG))
    assert len(made) == 1 and alone["queued"] == 0  # a run on its own: one client, not two
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    wanted = ["Nhắc hạn · 06/4/2024", "Nhắc hạn · 07/4/2024", "Nhắc hạn · 13/4/2024", "Nhắc hạn · 14/4/2024"]
    with get_client(sync_client=True) as client:  # by name: the session's server holds many runs
        names = {r.name for r in client.read_flow_runs(
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=wanted)))}
    assert set(wanted) <= names
