"""One deployment per step, each with the schedule the plan gives it and concurrency 1.

``giamsat serve`` serves them from its own process; ``giamsat deploy`` registers them, plus the
unscheduled ``deliver`` deployment, to a work pool whose workers run the installed package.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import Flow
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Schedule

from giamsat.domain.formatting import short_date
from giamsat.plan.milestones import calendar_for
from giamsat.plan.schedule import step_schedules
from giamsat.plan.schema import Plan

# step → "module:flow object"; `giamsat run STEP` and `giamsat serve` use the same table.
STEP_FLOWS: dict[str, str] = {
    "notify": "flows.notify:notify_flow",
    "collect": "flows.collect:collect_flow",
    "remind": "flows.remind:remind_flow",
    "draw": "flows.draw:draw_flow",
    "visits": "flows.visits:visits_flow",
    "followup": "flows.followup:followup_flow",
    "provincial_visit": "flows.provincial_visit:provincial_visit_flow",
    "final_report": "flows.final_report:final_report_flow",
    "cycle": "flows.cycle:cycle_overview",
}


# Deployed to work pools only: no schedule and no concurrency limit, so an operator can start as
# many runs as there are workers (outbox claims keep concurrent drainers on disjoint messages).
POOL_FLOWS: dict[str, str] = {"deliver": "flows.deliver:deliver_flow"}


def deployment_name(plan: Plan, step: str) -> str:
    """``vu-ban-2024-1-notify``: the number makes the UI's A–Z list read in cycle order."""
    order = ["cycle", *[s for s in STEP_FLOWS if s != "cycle"], *POOL_FLOWS]
    return f"{plan.cycle_key}-{order.index(step)}-{step}"


def load_flow(step: str) -> Flow:
    """The flow object of ``step``."""
    module, attr = (STEP_FLOWS | POOL_FLOWS)[step].split(":")
    return getattr(importlib.import_module(module), attr)


def build_deployments(plan: Plan, config_path: Path, *,
                      work_pool: str | None = None) -> list[RunnerDeployment]:
    """Every step's deployment: schedule from the plan (Asia/Ho_Chi_Minh), one run at a time.

    With ``work_pool``, the deployments name their flows by module path (workers import them from
    the installed package, nothing is uploaded) and ``deliver`` is added.
    """
    pooled: dict[str, Any] = {"work_pool_name": work_pool, "entrypoint_type": EntrypointType.MODULE_PATH}
    out: list[Any] = []  # to_deployment is sync_compatible: called here, each is a RunnerDeployment
    for step, spec in step_schedules(plan, calendar_for(plan)).items():
        out.append(load_flow(step).to_deployment(
            name=deployment_name(plan, step),
            schedules=[Schedule(rrule=spec.rrule, timezone=spec.timezone)],
            concurrency_limit=1,
            parameters={"config": str(config_path)},
            description=spec.description,
            tags=[plan.cycle_key, step],
            **(pooled if work_pool else {}),
        ))
    if work_pool:
        out.append(load_flow("deliver").to_deployment(
            name=deployment_name(plan, "deliver"), parameters={"config": str(config_path)},
            description="Gửi các thư đang chờ trong hộp thư đi (chạy song song được)",
            tags=[plan.cycle_key, "deliver"], **pooled))
    return out


def ensure_process_pool(name: str) -> bool:
    """Create the ``process`` work pool ``name`` unless it exists; True when it was created."""
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
            return False
        except ObjectNotFound:
            pass
        try:  # a worker started with the same pool name may create it at the same moment
            client.create_work_pool(WorkPoolCreate(
                name=name, type="process",
                base_job_template=ProcessWorker.get_default_base_job_template()))
            return True
        except ObjectAlreadyExists:
            return False


def register_to_pool(plan: Plan, config_path: Path, work_pool: str) -> list[tuple[str, UUID]]:
    """Create or update every deployment on the Prefect server, pulled by ``work_pool``'s workers."""
    return [(d.name, d.apply(work_pool_name=work_pool))  # type: ignore[misc]  # sync call: a UUID
            for d in build_deployments(plan, config_path, work_pool=work_pool)]


def register_local(plan: Plan, config_path: Path) -> dict[str, UUID]:
    """Create or update every step's deployment (as ``giamsat serve`` does) and return their ids.

    The demo runs its flows through these, so its runs show under the cycle's deployments when the
    demo home is served.
    """
    return {_step_of(plan, d.name): d.apply()  # type: ignore[misc]  # sync call: a UUID
            for d in build_deployments(plan, config_path)}


def _step_of(plan: Plan, name: str) -> str:
    """``vu-ban-2024-1-notify`` → ``notify`` (step keys may hold underscores, never dashes)."""
    return name.removeprefix(f"{plan.cycle_key}-").split("-", 1)[1]


def run_deployed(step: str, deployment_id: UUID, **parameters: Any) -> Any:
    """Run ``step`` in this process as a flow run of its deployment; return the flow's result."""
    from prefect.context import SyncClientContext
    from prefect.flow_engine import run_flow

    from flows.naming import RUN_TITLES, day_of

    # One client creates the run and drives it (the engine takes the open one): a client costs
    # about 0.1 s to make. A caller holding one open (the demo: ``prefect_env.one_client``) lends it.
    with SyncClientContext.get_or_create() as ctx:
        flow_run = ctx.client.create_flow_run_from_deployment(
            deployment_id, parameters=parameters,
            name=f"{RUN_TITLES[step]} · {short_date(day_of(parameters.get('as_of')))}")
        return run_flow(load_flow(step), flow_run=flow_run, parameters=parameters)
