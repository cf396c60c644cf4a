"""`giamsat serve` starts a local Prefect server and the web app, serves every step, stops cleanly."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from flows.deployments import STEP_FLOWS
from tests.conftest import CONFIG, ROOT

pytestmark = pytest.mark.prefect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def wait_for_deployments(api, expected, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = api_post(f"{api}/deployments/filter", {})
            if len(found) >= expected:
                return found
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"deployments not served within {timeout}s")


def test_serve_publishes_every_step_with_its_schedule_and_stops_cleanly(tmp_path):
    port, web_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(GIAMSAT_HOME=str(tmp_path), GIAMSAT_CONFIG=str(CONFIG))
    # Started as from a terminal: a suite run in the background (``make test &``) ignores SIGINT,
    # and the child would inherit that and never see the Ctrl+C this test sends.
    proc = subprocess.Popen([sys.executable, "-m", "giamsat", "serve", "--port", str(port),
                             "--web-port", str(web_port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        found = wait_for_deployments(f"http://127.0.0.1:{port}/api", len(STEP_FLOWS))
        by_name = {d["name"]: d for d in found}
        assert {name.split("-", 4)[-1] for name in by_name} == set(STEP_FLOWS)
        for dep in found:
            assert not dep["paused"]
            assert dep["global_concurrency_limit"]["limit"] == 1
            (sched,) = dep["schedules"]
            assert sched["schedule"]["timezone"] == "Asia/Ho_Chi_Minh"
            assert dep["parameters"]["config"] == str(CONFIG)
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/dang-nhap", timeout=10) as resp:
            assert "Đăng nhập" in resp.read().decode()
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert f"Giao diện Prefect: http://127.0.0.1:{port}" in out
    assert f"Trang web giamsat: http://127.0.0.1:{web_port}/" in out
    assert "Traceback" not in out and "ERROR" not in out
