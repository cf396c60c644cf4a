"""Smoke test: every deployment definition loads, with the plan's schedule and concurrency 1; the
work-pool variant, and ``giamsat deploy`` refusing to run without a reachable Prefect server."""

import datetime as dt
import importlib
import os
import subprocess
import sys

import pytest
from prefect.client.schemas.schedules import RRuleSchedule

from flows.deployments import STEP_FLOWS, build_deployments, load_flow
from giamsat.plan.schedule import step_schedules
from tests.conftest import CONFIG, ROOT


def test_every_step_has_a_flow_and_a_deployment(plan):
    assert set(STEP_FLOWS) == set(step_schedules(plan, _cal(plan)))
    deployments = build_deployments(plan, CONFIG)
    names = [d.name for d in deployments]
    assert sorted(names) == ["vu-ban-2024-0-cycle", "vu-ban-2024-1-notify", "vu-ban-2024-2-collect",
                             "vu-ban-2024-3-remind", "vu-ban-2024-4-draw", "vu-ban-2024-5-visits",
                             "vu-ban-2024-6-followup", "vu-ban-2024-7-provincial_visit",
                             "vu-ban-2024-8-final_report"]
    for dep in deployments:
        assert dep.concurrency_limit == 1
        assert dep.parameters == {"config": str(CONFIG)}
        (sched,) = dep.schedules
        assert sched.schedule.timezone == "Asia/Ho_Chi_Minh"


def test_every_flow_takes_the_simulated_day_and_the_plan(plan):
    for step in STEP_FLOWS:
        params = load_flow(step).parameters.properties
        assert {"as_of", "config"} <= set(params), step


def test_the_deployed_reminder_schedule_skips_holidays(plan):
    (remind,) = [d for d in build_deployments(plan, CONFIG) if d.name.endswith("-remind")]
    rule = RRuleSchedule(rrule=remind.schedules[0].schedule.rrule,
                         timezone="Asia/Ho_Chi_Minh").to_rrule()
    days = {d.date() for d in rule.between(dt.datetime(2024, 4, 26, tzinfo=dt.UTC),
                                           dt.datetime(2024, 5, 7, tzinfo=dt.UTC))}
    assert days == {dt.date(2024, 4, 26), dt.date(2024, 5, 2), dt.date(2024, 5, 3),
                    dt.date(2024, 5, 4), dt.date(2024, 5, 6)}


def _cal(plan):
    from giamsat.plan.milestones import calendar_for

    return calendar_for(plan)


def test_pool_deployments_name_their_flows_by_module_and_add_a_parallel_deliver(plan):
    deployments = {d.name: d for d in build_deployments(plan, CONFIG, work_pool="giamsat")}
    assert {n.split("-", 4)[-1] for n in deployments} == {*STEP_FLOWS, "deliver"}
    for name, dep in deployments.items():
        assert dep.work_pool_name == "giamsat"
        module, attr = dep.entrypoint.rsplit(".", 1)
        assert getattr(importlib.import_module(module), attr).name == dep.flow_name
        assert dep.concurrency_limit == (None if name.endswith("-deliver") else 1), name
    assert not deployments["vu-ban-2024-9-deliver"].schedules


@pytest.mark.parametrize("api, says", [
    (None, "Chưa đặt PREFECT_API_URL"),
    ("http://127.0.0.1:9/api", "Không kết nối được máy chủ Prefect http://127.0.0.1:9/api"),
])
def test_deploy_without_a_reachable_prefect_server_says_so_without_a_traceback(tmp_path, api, says):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"GIAMSAT_HOME": str(tmp_path)} | ({"PREFECT_API_URL": api} if api else {})
    out = subprocess.run([sys.executable, "-m", "giamsat", "deploy", "--work-pool", "giamsat"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 1
    assert says in out.stderr and "Traceback" not in out.stderr + out.stdout


def test_each_deployment_says_in_vietnamese_what_it_does_and_when_it_runs(plan):
    by_step = {d.name.split("-", 4)[-1]: d.description for d in build_deployments(plan, CONFIG)}
    assert by_step["remind"] == ("Nhắc hạn, đôn đốc mỗi ngày làm việc (mỗi ngày làm việc lúc 07:30, "
                                 "từ 01/4/2024 đến 30/11/2024, trừ ngày nghỉ lễ).")
    assert by_step["notify"].endswith("(một lần, lúc 08:00 ngày 01/4/2024).")
