"""Links from the dashboard to each step's runs in the Prefect UI (read over Prefect's REST API).

The web app does not import Prefect: it asks the server named by ``PREFECT_API_URL`` for the
deployments tagged with the cycle's key (``flows.deployments`` tags each with the cycle and its
step) and their latest runs, and links to ``PREFECT_UI_URL`` (by default the API address without
``/api``). No server configured or none answering: the dashboard says so and shows no links.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

# Prefect's state types, as the dashboard names them.
STATE_LABELS = {
    "COMPLETED": "Hoàn thành", "FAILED": "Lỗi", "CRASHED": "Dừng đột ngột", "RUNNING": "Đang chạy",
    "PENDING": "Đang chờ chạy", "SCHEDULED": "Đã lên lịch", "CANCELLED": "Đã hủy",
    "CANCELLING": "Đang hủy", "PAUSED": "Tạm dừng",
}
STARTED = ["COMPLETED", "FAILED", "CRASHED", "RUNNING", "PENDING", "CANCELLED", "CANCELLING", "PAUSED"]
TIMEOUT = 2.0  # seconds: the dashboard must not hang on a slow Prefect server
CACHE_SECONDS = 20.0


@dataclass
class StepRuns:
    """One step's deployment in the Prefect UI: its page, how many runs, and the latest one."""

    deployment_url: str
    runs: int = 0
    latest_url: str | None = None
    latest_name: str = ""
    latest_state: str = ""
    latest_state_type: str = ""


@dataclass
class PrefectLinks:
    """What the dashboard shows: ``ui`` (None: no Prefect configured), runs by step, or a problem."""

    ui: str | None
    steps: dict[str, StepRuns] = field(default_factory=dict)
    problem: str = ""


def addresses() -> tuple[str | None, str | None]:
    """(API URL, UI URL) from ``PREFECT_API_URL`` and ``PREFECT_UI_URL``."""
    api = (os.environ.get("PREFECT_API_URL") or "").rstrip("/") or None
    ui = (os.environ.get("PREFECT_UI_URL") or "").rstrip("/") or None
    if ui is None and api is not None:
        ui = api.removesuffix("/api")
    return api, ui


def _post(api: str, path: str, body: dict) -> Any:
    request = urllib.request.Request(f"{api}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # the configured Prefect server
        return json.loads(response.read())


def _read(api: str, ui: str, cycle_key: str) -> dict[str, StepRuns]:
    deployments = _post(api, "/deployments/filter",
                        {"deployments": {"tags": {"all_": [cycle_key]}}, "limit": 50})
    step_of = {}
    for d in deployments:
        steps = [t for t in d.get("tags", []) if t != cycle_key]
        if steps:
            step_of[d["id"]] = steps[0]
    out = {step: StepRuns(f"{ui}/deployments/deployment/{dep_id}") for dep_id, step in step_of.items()}
    if not step_of:
        return out
    for dep_id, step in step_of.items():  # a handful of deployments: two small queries each
        runs = {"deployments": {"id": {"any_": [dep_id]}},
                "flow_runs": {"state": {"type": {"any_": STARTED}}}}
        entry = out[step]
        entry.runs = int(_post(api, "/flow_runs/count", runs))
        latest = _post(api, "/flow_runs/filter", runs | {"sort": "START_TIME_DESC", "limit": 1})
        if latest:
            run, state = latest[0], latest[0].get("state") or {}
            entry.latest_url = f"{ui}/runs/flow-run/{run['id']}"
            entry.latest_name = run.get("name", "")
            entry.latest_state_type = state.get("type", "")
            entry.latest_state = STATE_LABELS.get(entry.latest_state_type, state.get("name", ""))
    return out


class LinkCache:
    """The links of one cycle, read at most every ``CACHE_SECONDS`` (one lock: one reader at a time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at = -CACHE_SECONDS
        self._value: PrefectLinks | None = None

    def get(self, cycle_key: str) -> PrefectLinks:
        api, ui = addresses()
        if api is None or ui is None:
            return PrefectLinks(None, problem="Chưa cấu hình máy chủ Prefect (PREFECT_API_URL): không có "
                                              "liên kết tới các lượt chạy.")
        with self._lock:
            if self._value is not None and time.monotonic() - self._at < CACHE_SECONDS:
                return self._value
            try:
                value = PrefectLinks(ui, _read(api, ui, cycle_key))
            except (OSError, ValueError, KeyError, TypeError):
                value = PrefectLinks(ui, problem=f"Máy chủ Prefect {ui} chưa trả lời; chưa hiện được "
                                                 "các lượt chạy, thử lại sau.")
            self._value, self._at = value, time.monotonic()
            return value
