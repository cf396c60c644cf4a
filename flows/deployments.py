"""One deployment per step, each with the schedule the plan gives it and concurrency 1."""

from __future__ import annotations

import importlib
from pathlib import Path

from prefect import Flow
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Schedule

from giamsat.orchestration import step_schedules
from giamsat.plan import Plan
from giamsat.schedule import calendar_for

# step → "module:flow object"; `giamsat run STEP` and `giamsat serve` use the same table.
STEP_FLOWS: dict[str, str] = {
    "notify": "flows.notify:notify_flow",
    "collect": "flows.collect:collect_flow",
    "remind": "flows.remind:remind_flow",
    "draw": "flows.draw:draw_flow",
    "visits": "flows.visits:visits_flow",
    "followup": "flows.followup:followup_flow",
    "final_report": "flows.final_report:final_report_flow",
    "cycle": "flows.cycle:cycle_overview",
}


def load_flow(step: str) -> Flow:
    """The flow object of ``step``."""
    module, attr = STEP_FLOWS[step].split(":")
    return getattr(importlib.import_module(module), attr)


def build_deployments(plan: Plan, config_path: Path) -> list[RunnerDeployment]:
    """Every step's deployment: schedule from the plan (Asia/Ho_Chi_Minh), one run at a time."""
    out = []
    for step, spec in step_schedules(plan, calendar_for(plan)).items():
        out.append(load_flow(step).to_deployment(
            name=f"{plan.cycle_key}-{step}",
            schedules=[Schedule(rrule=spec.rrule, timezone=spec.timezone)],
            concurrency_limit=1,
            parameters={"config": str(config_path)},
            description=spec.description,
            tags=[plan.cycle_key, step],
        ))
    return out
