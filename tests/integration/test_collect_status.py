"""Completeness and timeliness: on time, late, corrected, rejected and missing units, via CLI and flow."""

import json
import os
import subprocess
import sys

from giamsat.collect.service import submit
from giamsat.cycle.status import report_status_rows, summarise
from tests.conftest import CONFIG, ROOT
from tests.fixtures.collect import at


def _mix(rt, forms):
    u = rt.plan.units
    submit(rt, forms(u[0], seed=1)[0], at("2024-04-02"))                       # on time
    submit(rt, forms(u[1], seed=2)[0], at("2024-04-08"))                       # late
    submit(rt, forms(u[2], seed=3, fault="rate")[0], at("2024-04-03"))         # rejected ...
    submit(rt, forms(u[2], seed=3)[0], at("2024-04-04"))                       # ... then corrected
    submit(rt, forms(u[3], seed=4, fault="overspent")[0], at("2024-04-05"))    # awaiting fix


def test_the_status_table_shows_each_kind_of_unit(runtime, forms):
    _mix(runtime, forms)
    day_before = runtime.plan.report.deadline.replace(day=5)
    rows = {r["unit_code"]: r for r in report_status_rows(runtime, day_before)}
    u = runtime.plan.units
    assert [rows[x.code]["status"] for x in u[:5]] == [
        "on_time", "pending", "on_time", "rejected", "pending"]
    assert rows[u[2].code]["corrected"] and rows[u[3].code]["open_errors"] == 1
    later = summarise(report_status_rows(runtime, runtime.plan.report.deadline.replace(day=10)))
    assert later == {"expected": 18, "received": 3, "outstanding": 15, "on_time": 2, "late": 1, "missing": 14,
                     "pending": 0, "rejected_awaiting_correction": 1, "completeness_pct": 16.7,
                     "timeliness_pct": 11.1}


def _cli(home, *args):
    env = {**os.environ, "GIAMSAT_HOME": str(home), "GIAMSAT_CONFIG": str(CONFIG)}
    env.pop("GIAMSAT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "giamsat", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=180)


def test_the_cli_submits_a_file_and_reports_status_as_json(tmp_path, forms, plan):
    home = tmp_path / "cli-home"
    good, _ = forms(plan.units[0], seed=1)
    bad, _ = forms(plan.units[1], seed=2, fault="balance")
    ok = _cli(home, "submit", str(good), "--at", "2024-04-02 10:00")
    assert ok.returncode == 0, ok.stderr
    assert "Đã tiếp nhận" in ok.stdout and "Thị trấn Gôi" in ok.stdout
    refused = _cli(home, "submit", str(bad), "--unit", plan.units[1].code, "--at", "2024-04-03")
    assert refused.returncode == 3 and "Mục B, dòng 'Hộ nghèo'" in refused.stdout
    assert "Traceback" not in refused.stderr
    out = _cli(home, "status", "--as-of", "2024-04-10", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["summary"]["on_time"] == 1 and report["summary"]["rejected_awaiting_correction"] == 1
    assert {s["key"]: s["state"] for s in report["steps"]}["collect"] == "overdue"


def test_the_collect_flow_sweeps_the_inbox_and_publishes_the_status_artifact(
        prefect_harness, tmp_path, forms, plan, monkeypatch):
    import datetime as dt

    from prefect.client.orchestration import get_client

    from flows.collect import collect_flow

    home = tmp_path / "flow-home"
    (home / "inbox").mkdir(parents=True)
    good, _ = forms(plan.units[0], seed=1)
    (home / "inbox" / "gôi.docx").write_bytes(good.read_bytes())
    monkeypatch.setenv("GIAMSAT_HOME", str(home))
    monkeypatch.delenv("GIAMSAT_DATABASE_URL", raising=False)
    result = collect_flow(as_of=dt.date(2024, 4, 3), config=str(CONFIG))
    assert result["sweep"]["accepted"] == 1
    assert [r["status"] for r in result["status"]][:2] == ["on_time", "pending"]
    assert len(result["status"]) == 18 and result["mail"]["details"] == []
    from prefect.utilities.collections import visit_collection

    visited = []  # what Prefect walks in the flow's return value looking for futures
    visit_collection(result, visit_fn=lambda expr: visited.append(expr), return_data=False)
    rows = {id(row) for row in result["status"]}
    assert not any(id(v) in rows for v in visited)  # no unit's row
    assert len(visited) < 60, len(visited)  # the summaries, not one node per unit

    async def latest():
        async with get_client() as client:
            return await client.read_latest_artifacts()
    import asyncio
    artifacts = [a for a in asyncio.run(latest()) if a.key == "report-status"]
    assert artifacts and "1/18 đã nhận" in artifacts[0].description
