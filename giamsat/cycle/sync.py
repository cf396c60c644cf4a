"""Keep the database's cycle, units, villages and steps in step with the plan file (idempotent)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from giamsat.db import audit
from giamsat.db.models import Cycle, Step, Unit, Village
from giamsat.plan.milestones import calendar_for, milestones
from giamsat.plan.schema import Plan
from giamsat.runtime import Runtime


def open_cycle(config: Path | None, now: dt.datetime, **settings_overrides: object) -> Runtime:
    """The Runtime of ``config`` with its cycle synced from the plan (a change stamped ``now``)."""
    rt = Runtime.load(config, **settings_overrides)
    try:
        with rt.db.unit_of_work() as s:
            cycle_id = sync_plan(s, rt.plan, rt.plan_path, now, rt.actor).id
    except BaseException:
        rt.db.dispose()
        raise
    return rt.replace(_cycle_id=cycle_id)


_LAST_DIGEST: list = [None, ""]  # the plan object last hashed, and its digest


def plan_digest(plan: Plan) -> str:
    """SHA-256 of the plan's JSON. A plan is frozen and ``load_plan`` hands the same object back
    while its file is unchanged, so every run of a process hashes it once (~40 ms a national plan)."""
    if _LAST_DIGEST[0] is not plan:
        _LAST_DIGEST[:] = [plan, hashlib.sha256(plan.model_dump_json().encode()).hexdigest()]
    return str(_LAST_DIGEST[1])


def sync_plan(session: Session, plan: Plan, plan_path: Path, now: dt.datetime,
              actor: str = "system") -> Cycle:
    """Create or update the cycle of ``plan`` as of ``now``; re-running with the same plan changes nothing."""
    digest = plan_digest(plan)
    cycle = session.scalar(select(Cycle).where(Cycle.key == plan.cycle_key))
    created = cycle is None
    if cycle is None:
        cycle = Cycle(key=plan.cycle_key, created_at=now, plan_sha256="",
                      year=plan.year, period_start=plan.period.start,
                      period_end=plan.period.end, plan_path=str(plan_path))
        session.add(cycle)
        session.flush()
    elif cycle.plan_sha256 == digest:
        return cycle
    cycle.year, cycle.plan_sha256, cycle.plan_path = plan.year, digest, str(plan_path)
    cycle.period_start, cycle.period_end = plan.period.start, plan.period.end
    _sync_units(session, cycle, plan)
    _sync_steps(session, cycle, plan)
    audit.record(session, at=now, actor=actor, action="plan.loaded" if created else "plan.changed",
                 entity="cycle", entity_id=cycle.key, cycle_id=cycle.id, plan_sha256=digest,
                 plan_path=str(plan_path))
    return cycle


def _sync_units(session: Session, cycle: Cycle, plan: Plan) -> None:
    existing = {(u.code, u.valid_from): u for u in
                session.scalars(select(Unit).where(Unit.cycle_id == cycle.id))}
    rows: dict[tuple[str, dt.date], Unit] = {}
    for pu in plan.units:
        row = existing.get((pu.code, pu.valid_from)) or Unit(cycle_id=cycle.id, code=pu.code,
                                                            valid_from=pu.valid_from)
        row.name, row.kind, row.valid_to = pu.name, pu.kind, pu.valid_to
        row.email, row.chairman_email = pu.email, pu.chairman_email
        session.add(row)
        rows[(pu.code, pu.valid_from)] = row
    session.flush()
    new: list[dict] = []
    villages: dict[int, dict[str, Village]] = {}  # every unit's villages in one query
    for v in session.scalars(select(Village).join(Unit, Village.unit_id == Unit.id)
                             .where(Unit.cycle_id == cycle.id)):
        villages.setdefault(v.unit_id, {})[v.name] = v
    for pu in plan.units:
        succ = plan.successor_of(pu)
        row = rows[(pu.code, pu.valid_from)]
        row.successor_id = rows[(succ.code, succ.valid_from)].id if succ else None
        new += _sync_villages(row, villages.get(row.id, {}), pu.villages, plan.villages_synthetic)
    if new:
        session.execute(insert(Village.__table__), new)  # in bulk: a country has some 100,000 villages


def _sync_villages(unit: Unit, current: dict[str, Village], names: list[str],
                   synthetic: bool) -> list[dict]:
    """Update ``unit``'s known villages in place; returns the rows of its new ones."""
    new = []
    for pos, name in enumerate(names):
        v = current.get(name)
        if v is None:
            new.append({"unit_id": unit.id, "name": name, "position": pos, "synthetic": synthetic})
        else:
            v.position, v.synthetic = pos, synthetic
    return new


def _sync_steps(session: Session, cycle: Cycle, plan: Plan) -> None:
    current = {s.key: s for s in session.scalars(select(Step).where(Step.cycle_id == cycle.id))}
    for m in milestones(plan, calendar_for(plan)):
        step = current.get(m.key) or Step(cycle_id=cycle.id, key=m.key, status="pending")
        if step.status == "pending":
            step.due_on = m.due_on
        session.add(step)


def mark_step_done(session: Session, cycle_id: int, key: str, at: dt.datetime,
                   note: str | None = None, actor: str = "system") -> Step:
    """Mark a milestone done (idempotent: the first completion time is kept)."""
    step = session.scalar(select(Step).where(Step.cycle_id == cycle_id, Step.key == key))
    if step is None:
        raise KeyError(key)
    if step.status != "done":
        step.status, step.done_at = "done", at
        audit.record(session, at=at, actor=actor, action="step.done", entity="step", entity_id=key,
                     cycle_id=cycle_id, note=note)
    if note:
        step.note = note
    return step


def unit_rows_on(session: Session, cycle_id: int, day: dt.date) -> list[Unit]:
    """The unit rows valid on ``day``, in configuration order."""
    rows = session.scalars(select(Unit).where(Unit.cycle_id == cycle_id).order_by(Unit.id))
    return [u for u in rows if u.valid_on(day)]
