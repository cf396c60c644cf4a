"""The draw flow pauses for the coordinator's decision; the decision in our database survives a stop."""

import datetime as dt
import threading
import time

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run

from flows.draw import draw_flow
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import SampleDraw
from tests.conftest import CONFIG, OPENED_AT
from tests.integration.test_cli_foundation import run as run_cli

pytestmark = pytest.mark.prefect
DAY = dt.date(2024, 4, 10)


def _paused_run_with_seed(seed: str, timeout: float = 60):
    state = FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(state=state))
        found = [r for r in runs if r.parameters.get("seed") == seed]
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError("the draw flow never paused for input")


def _stored_draws(env):
    rt = open_cycle(CONFIG, OPENED_AT, home=env["GIAMSAT_HOME"], database_url=env["GIAMSAT_DATABASE_URL"])
    with rt.db.unit_of_work() as s:
        rows = s.query(SampleDraw).order_by(SampleDraw.id).all()
    rt.db.dispose()
    return rows


def test_the_draw_pauses_for_input_and_the_approval_resumes_it(prefect_harness, flow_env):
    outcome = {}
    seed = "seed-approve-in-ui"
    worker = threading.Thread(target=lambda: outcome.setdefault(
        "state", draw_flow(as_of=DAY, config=str(CONFIG), seed=seed, poll_seconds=1, return_state=True)))
    worker.start()
    paused = _paused_run_with_seed(seed)
    assert [d.status for d in _stored_draws(flow_env)] == ["proposed"]
    decision = {"approve": True, "redraw_reason": "", "decided_by": "Nguyễn Văn Minh"}
    resume_flow_run(paused.id, run_input=decision)
    worker.join(120)
    state = outcome["state"]
    assert state.is_completed(), state
    result = state.result()
    assert result["status"] == "approved" and len(result["units"]) == 4
    [stored] = _stored_draws(flow_env)
    assert (stored.status, stored.decided_by, stored.seed) == ("approved", "Nguyễn Văn Minh", seed)


def test_a_stopped_run_is_completed_by_the_cli_approval_on_the_next_run(prefect_harness, flow_env):
    seed = "seed-approve-from-cli"
    first = draw_flow(as_of=DAY, config=str(CONFIG), seed=seed, approval_timeout_seconds=2,
                      poll_seconds=1, return_state=True)
    assert not first.is_completed()  # nobody answered: the waiting run gave up
    [proposed] = _stored_draws(flow_env)
    assert proposed.status == "proposed"
    out = run_cli("sample", "approve", str(proposed.id), env=flow_env)
    assert out.returncode == 0, out.stderr
    started = time.monotonic()
    again = draw_flow(as_of=DAY, config=str(CONFIG), seed=seed, poll_seconds=1, return_state=True)
    assert again.is_completed() and time.monotonic() - started < 60
    assert again.result()["id"] == proposed.id and again.result()["status"] == "approved"
    [stored] = _stored_draws(flow_env)
    assert (stored.status, stored.decided_by) == ("approved", "truong.phong")
