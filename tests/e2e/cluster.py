"""A Prefect server, a work pool and its workers as child processes, driven over the REST API.

Every process starts in its own session (process group); ``Cluster.stop`` ends the groups it
started, workers first, with SIGTERM and then SIGKILL, then the sessions of the flow runs the
workers had started, so nothing outlives a test, even a failed one.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import ROOT

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class Cluster:
    """The processes of one scaled-out installation on loopback, and how to reach its API."""

    port: int
    workdir: Path
    env: dict[str, str]
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)  # name -> URL, for the test's checks

    @property
    def api(self) -> str:
        """The server's API URL."""
        return f"http://127.0.0.1:{self.port}/api"

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start ``python ARGS`` in its own process group, output to ``<workdir>/<name>.log``."""
        with open(self.workdir / f"{name}.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env or self.env,
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        """What process ``name`` printed so far."""
        return (self.workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def wait_healthy(self, timeout: float = 120) -> None:
        """Wait until the server answers /health (fails early if it exits)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs["server"].poll() is not None:
                raise AssertionError("Prefect server exited:\n" + self.log("server")[-3000:])
            try:
                self.get("/health")
                return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"Prefect server not healthy within {timeout}s")

    def get(self, path: str) -> object:
        """GET an API path, decoded."""
        with urllib.request.urlopen(self.api + path, timeout=15) as resp:
            return json.loads(resp.read())

    def post(self, path: str, body: dict) -> object:
        """POST JSON to an API path, decoded."""
        req = urllib.request.Request(self.api + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=15) as resp:
            return json.loads(resp.read())

    def deployments(self) -> dict[str, dict]:
        """Every deployment by name."""
        return {d["name"]: d for d in self.post("/deployments/filter", {})}

    def start_run(self, deployment_id: str, **parameters: object) -> str:
        """Create a flow run of a deployment now; its id."""
        run = self.post(f"/deployments/{deployment_id}/create_flow_run", {"parameters": parameters})
        return run["id"]

    def wait_runs(self, run_ids: list[str], timeout: float) -> dict[str, dict]:
        """Wait until every run reached a terminal state; the runs by id."""
        deadline, runs = time.monotonic() + timeout, {}
        while time.monotonic() < deadline:
            runs = {rid: self.get(f"/flow_runs/{rid}") for rid in run_ids}
            if all(r["state_type"] in TERMINAL for r in runs.values()):
                return runs
            time.sleep(1)
        states = {rid: r["state_type"] for rid, r in runs.items()}
        raise AssertionError(f"flow runs not finished within {timeout}s: {states}\n"
                             + "\n".join(self.log(n)[-2000:] for n in self.procs if n != "server"))

    def ran(self, worker: str) -> set[str]:
        """The flow runs that began in a subprocess of ``worker`` (their output goes to its log).

        "submitting flow run" is not enough: every worker tries, the server lets one through."""
        return set(re.findall(r"View at \S+/flow-run/([0-9a-f-]+)", self.log(worker)))

    def stop(self) -> None:
        """End every process group started, workers before the server."""
        for name in sorted(self.procs, key=lambda n: n == "server"):
            _end_group(self.procs[name])


def _end_group(proc: subprocess.Popen, grace: float = 20) -> None:
    flow_runs = _children(proc.pid)  # a worker starts each flow run in a session of its own
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    for pgid in [proc.pid, *flow_runs]:  # whatever the group leader left behind
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    proc.wait(timeout=grace)


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc; none where there is no /proc)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids
