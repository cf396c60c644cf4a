"""The demo's local Prefect server runs with ``prefect_env.DEMO_SERVER``: no automations, no event
stream or event table, task runs recorded in batches; the UI still gets every task run with all of
its states.

Run in a child process: this one already imported Prefect under the tests' harness.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from giamsat import prefect_env

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys, time
from pathlib import Path
from giamsat import prefect_env
prefect_env.configure(Path(sys.argv[1]).parent)
prefect_env.use_fresh_home(Path(sys.argv[1]), Path(sys.argv[2]))
prefect_env.EarlyServer().wait()
from prefect import flow, get_client, task
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

@task
def step(i: int) -> int:
    return i

@flow
def steps() -> None:
    for i in range(3):
        step(i)

with prefect_env.without_heartbeats(), prefect_env.one_client():
    state = steps(return_state=True)
with get_client(sync_client=True) as client:
    settings = client._client.get("/admin/settings").json()["server"]
    only = FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
    for _ in range(100):  # the recorder writes once a second
        runs = client.read_task_runs(flow_run_filter=only)
        if len(runs) == 3 and all(r.state_name == "Completed" for r in runs):
            break
        time.sleep(0.1)
    states = [len(client.read_task_run_states(r.id)) for r in runs]
print(json.dumps({"settings": settings, "task_runs": [r.state_name for r in runs], "states": states}))
"""


@pytest.mark.prefect
def test_the_demo_server_runs_only_what_the_demo_needs_and_records_every_task_run(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    prefect_env.empty_database(Path(os.environ["PREFECT_HOME"]))  # the template make install made
    templates.mkdir()
    for template in Path(os.environ["PREFECT_HOME"]).glob("empty-prefect-*.db"):
        (templates / template.name).write_bytes(template.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "home" / "prefect"), str(templates)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "ERROR" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    services = seen["settings"]["services"]
    assert services["triggers"]["enabled"] is False
    assert seen["settings"]["events"]["stream_out_enabled"] is False
    assert services["task_run_recorder"]["enabled"] is True
    assert services["task_run_recorder"]["batch_size"] == 500
    assert services["task_run_recorder"]["flush_interval"] == 1
    assert services["event_persister"]["enabled"] is False
    assert seen["task_runs"] == ["Completed"] * 3
    assert seen["states"] == [3, 3, 3]  # Pending, Running, Completed: every state, not only the last
