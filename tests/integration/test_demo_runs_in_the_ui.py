"""What the coordinator sees in the Prefect UI of the demo's runs, driven as the demo drives them
(one shared client that resends a request answered 503 at once): the run with its name, parameters
and states, its task runs (the server records them from events) and its artifacts."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.conftest import CONFIG

pytestmark = pytest.mark.prefect

_TASKS = {"open-runtime", "sweep-reminders", "office-digest", "publish_overview"}


def _task_states(client, flow_run_id, seconds: float = 20) -> dict[str, str]:
    """Task name (without Prefect's random suffix) → state, once the server has recorded them all."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    only_this_run = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    deadline = time.monotonic() + seconds
    while True:
        states = {t.name.rsplit("-", 1)[0]: t.state_name
                  for t in client.read_task_runs(flow_run_filter=only_this_run)}
        done = _TASKS <= set(states) and {states[n] for n in _TASKS} == {"Completed"}
        if done or time.monotonic() > deadline:
            return states
        time.sleep(0.2)


def test_a_demo_run_shows_its_name_states_task_runs_and_artifacts(prefect_harness, tmp_path, monkeypatch):
    from prefect import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterName,
    )

    from flows.deployments import register_local, run_deployed
    from giamsat import prefect_env
    from giamsat.plan.schema import load_plan

    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path / "home"))
    ids = register_local(load_plan(CONFIG), CONFIG)
    with prefect_env.without_heartbeats(), prefect_env.without_suspension_watch(), prefect_env.one_client():
        result = run_deployed("remind", ids["remind"], as_of=dt.date(2024, 6, 15), config=str(CONFIG))
    assert result["working_day"] is False  # a Saturday: nothing owed, the run still publishes

    with get_client(sync_client=True) as client:  # the session's server holds other tests' runs
        named = FlowRunFilter(name=FlowRunFilterName(any_=["Nhắc hạn · 15/6/2024"]))
        run = max(client.read_flow_runs(flow_run_filter=named), key=lambda r: r.created)
        assert (run.state_name, run.deployment_id) == ("Completed", ids["remind"])
        assert run.parameters == {"as_of": "2024-06-15", "config": str(CONFIG)}
        assert [s.name for s in client.read_flow_run_states(run.id)] == ["Scheduled", "Running", "Completed"]
        states = _task_states(client, run.id)
        assert {states.get(n) for n in _TASKS} == {"Completed"}, states
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
        shown = {(a.key, a.type) for a in artifacts}
        assert shown >= {("cycle-status", "table"), ("cycle-timeline", "markdown")}
        assert all(a.data for a in artifacts)
