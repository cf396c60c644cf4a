"""The demo starts Prefect's local server on another thread while it loads its plan.

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
import json, sys, threading
from pathlib import Path
from giamsat import prefect_env
prefect_env.configure(Path(sys.argv[1]).parent)  # as the CLI does first: telemetry off
prefect_env.use_fresh_home(Path(sys.argv[1]), Path(sys.argv[2]))
early = prefect_env.EarlyServer()
busy = sum(range(10**6))  # this thread works meanwhile
early.wait()
from prefect.server.api.server import SubprocessASGIServer
servers = [s for s in SubprocessASGIServer._instances.values() if s.running]
health = None
if servers:
    import httpx
    health = httpx.get(servers[0].api_url + "/health", timeout=10).status_code
print(json.dumps({"servers": len(servers), "health": health,
                  "threads": [t.name for t in threading.enumerate()]}))
"""


def _child(tmp_path: Path, **env: str) -> dict:
    templates = tmp_path / "templates"
    prefect_env.empty_database(Path(os.environ["PREFECT_HOME"]))  # the template make install made
    templates.mkdir()
    for template in Path(os.environ["PREFECT_HOME"]).glob("empty-prefect-*.db"):
        (templates / template.name).write_bytes(template.read_bytes())
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | env
    done = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "home" / "prefect"), str(templates)],
                          cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.prefect
def test_the_local_server_is_up_when_wait_returns(tmp_path):
    seen = _child(tmp_path)
    assert seen["servers"] == 1 and seen["health"] == 200
    assert "prefect-server-start" not in seen["threads"]  # joined


@pytest.mark.prefect
def test_a_configured_server_is_not_replaced_by_a_local_one(tmp_path):
    seen = _child(tmp_path, PREFECT_API_URL="http://127.0.0.1:9/api")  # nothing listens on port 9
    assert seen["servers"] == 0 and seen["health"] is None
