"""The demo's runs are runs of the cycle's deployments, and the dashboard's links find them."""

from __future__ import annotations

import pytest

from flows.deployments import STEP_FLOWS

pytestmark = pytest.mark.prefect


def test_every_demo_run_belongs_to_its_steps_deployment_and_the_dashboard_links_to_it(demo_run, monkeypatch):
    from prefect.settings import PREFECT_API_URL

    from giamsat.web.prefect_links import LinkCache

    _, manifest = demo_run
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    links = LinkCache().get(manifest["cycle"])
    assert links.problem == ""
    assert set(links.steps) == set(STEP_FLOWS)
    ui = PREFECT_API_URL.value().removesuffix("/api")
    for step, entry in links.steps.items():
        assert entry.runs >= 1, step
        assert entry.latest_state == "Hoàn thành", (step, entry)
        assert entry.latest_url and entry.latest_url.startswith(f"{ui}/runs/flow-run/")
        assert entry.deployment_url.startswith(f"{ui}/deployments/deployment/")
    assert links.steps["remind"].runs >= 30 and links.steps["remind"].latest_name.startswith("Nhắc hạn · ")
    assert links.steps["final_report"].runs >= 2  # the interim report and the final one


def test_without_a_prefect_server_the_dashboard_says_so(monkeypatch):
    from giamsat.web.prefect_links import LinkCache

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("PREFECT_UI_URL", raising=False)
    assert LinkCache().get("vu-ban-2024").problem.startswith("Chưa cấu hình máy chủ Prefect")
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens on port 9
    gone = LinkCache().get("vu-ban-2024")
    assert gone.steps == {} and "chưa trả lời" in gone.problem
