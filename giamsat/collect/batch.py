"""The inbox sweep in chunks: read and validate each file, then record a whole chunk in one transaction.

``collect.submit`` takes one file in two transactions and a dozen queries; a province or the
whole country sends hundreds to thousands of reports at once. Here the files of a chunk are read
and validated first, their originals written and synced together, then one transaction looks up
every duplicate, unit, earlier report and obligation of the chunk at once and records the chunk.
What each file becomes (rows, messages, audit) is what ``submit`` makes of it: a test compares.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.collect import records
from giamsat.collect.records import is_late, local_day
from giamsat.db import audit
from giamsat.db.models import Obligation, Recommendation, RecommendationEvent, Submission, Unit
from giamsat.domain.validation import Validation
from giamsat.files.fsutil import fsync_paths
from giamsat.runtime import Runtime

CHUNK = 200


@dataclass
class Prepared:
    """One claimed file, read and validated, its original stored (not yet synced)."""

    path: Path
    name: str
    received_at: dt.datetime
    sha: str
    size: int
    validation: Validation
    stored: str = ""


def record_chunk(rt: Runtime, s: Session, items: list[Prepared], source: str) -> list[Any]:
    """Record ``items`` in the caller's transaction, in order; returns their ``SubmitResult``s."""
    from giamsat.collect.service import SubmitResult, _duplicate, _key, _lock_content

    for sha in sorted({p.sha for p in items}):
        _lock_content(s, sha)  # same order in every sweep: two sweeps never deadlock
    seen = {sub.sha256: sub for sub in s.scalars(select(Submission).where(
        Submission.cycle_id == rt.cycle_id, Submission.sha256.in_({p.sha for p in items}))
        .order_by(Submission.id.desc()))}
    ctx = _Context(rt, s, [p.validation for p in items if p.validation.unit])
    out = []
    for p in items:
        if p.sha in seen:
            out.append(_duplicate(s, seen[p.sha], p.name))
            continue
        unit = ctx.unit_of(p.validation)
        sub, superseded, message = _record_one(rt, s, ctx, p, unit, source)
        seen[p.sha] = sub
        v = p.validation
        out.append(SubmitResult(sub.status, p.name, sub.id, _key(unit), unit.name if unit else None,
                                sub.late, [i.text for i in v.issues],
                                message_id=message.id if message else None))
    return out


class _Context:
    """The chunk's units, their latest reports and report obligations, loaded in three queries."""

    def __init__(self, rt: Runtime, s: Session, validations: list[Validation]) -> None:
        codes = {v.unit.code for v in validations if v.unit}
        self.units = {(u.code, u.valid_from): u for u in s.scalars(select(Unit).where(
            Unit.cycle_id == rt.cycle_id, Unit.code.in_(codes)))} if codes else {}
        ids = [u.id for u in self.units.values()]
        self.latest: dict[int | None, Submission] = {}
        self.accepted: dict[int | None, list[Submission]] = {}
        for sub in s.scalars(select(Submission).where(Submission.unit_id.in_(ids))
                             .order_by(Submission.received_at, Submission.id)) if ids else []:
            self.latest[sub.unit_id] = sub
            if sub.status == "accepted":
                self.accepted.setdefault(sub.unit_id, []).append(sub)
        keys = [_ob_key(u) for u in self.units.values()]
        self.obligations = {ob.key: ob for ob in s.scalars(select(Obligation).where(
            Obligation.cycle_id == rt.cycle_id, Obligation.key.in_(keys)))} if keys else {}

    def unit_of(self, v: Validation) -> Unit | None:
        """The unit row the validation attributed the report to."""
        return self.units.get((v.unit.code, v.unit.valid_from)) if v.unit else None


def _ob_key(unit: Unit) -> str:
    return f"report:{unit.code}@{unit.valid_from.isoformat()}"


def _record_one(rt: Runtime, s: Session, ctx: _Context, p: Prepared, unit: Unit | None,
                source: str) -> tuple[Submission, list[Submission], Any]:
    v, at = p.validation, p.received_at
    late = is_late(rt, at)
    sub = Submission(cycle_id=rt.cycle_id, unit_id=unit.id if unit else None, received_at=at,
                     source=source[:20], original_filename=p.name, stored_path=p.stored,
                     sha256=p.sha, size_bytes=p.size, form_version=v.form_version,
                     status="accepted" if v.ok else "rejected", late=late,
                     errors=[i.as_json() for i in v.issues], figures=v.figures or {})
    previous = ctx.latest.get(unit.id) if unit else None
    sub.supersedes_id = previous.id if previous else None
    s.add(sub)
    s.flush()
    superseded: list[Submission] = []
    ob = None
    if v.ok and unit:
        if ctx.accepted.get(unit.id):  # a correction: rare, the per-report way
            superseded = records.supersede(rt, s, unit, sub, at)
        ctx.accepted[unit.id] = [sub]
        records.store_figures(s, sub, v.figures)  # type: ignore[arg-type]  # v.ok: figures are set
        ob = _meet(rt, s, ctx, unit, at)
        _open_recommendations(rt, s, unit, sub, v.figures, at)  # type: ignore[arg-type]  # v.ok
    if unit:
        ctx.latest[unit.id] = sub
    message = records.answer(rt, s, unit, sub, bool(superseded), at, ob) if unit else None
    audit.record(s, at=at, actor=rt.actor, action=f"submission.{sub.status}", entity="submission",
                 entity_id=sub.id, cycle_id=rt.cycle_id,
                 unit=f"{unit.code}@{unit.valid_from.isoformat()}" if unit else None, file=p.name,
                 sha256=p.sha, late=late, errors=len(v.issues), superseded=[x.id for x in superseded])
    return sub, superseded, message


def _meet(rt: Runtime, s: Session, ctx: _Context, unit: Unit, at: dt.datetime) -> Obligation:
    ob = ctx.obligations.get(_ob_key(unit))
    if ob is None:
        ob = ctx.obligations[_ob_key(unit)] = records.report_obligation(rt, s, unit, at)
    if ob.status != "met":
        ob.status, ob.met_at = "met", at
    return ob


def _open_recommendations(rt: Runtime, s: Session, unit: Unit, sub: Submission, figures: dict,
                          at: dt.datetime) -> None:
    """``records.open_recommendations`` for a new report (its keys cannot exist yet)."""
    due = rt.calendar.add_working_days(local_day(rt, at),
                                       rt.plan.followup.recommendation_due_working_days)
    for row in figures["recommendations"]:
        rec = Recommendation(cycle_id=rt.cycle_id, key=f"sub:{sub.id}:{row['row_index']}",
                             source_kind="submission", submission_id=sub.id, unit_id=unit.id,
                             content=row["content"], addressed_to=row["addressed_to"][:300],
                             due_on=due, status="open", created_at=at, updated_at=at)
        rec.events.append(RecommendationEvent(at=at, status="open", actor=rt.actor,
                                              note=f"Kiến nghị tại mục E báo cáo của {unit.name}"))
        s.add(rec)


def sync_files(paths: list[Path]) -> None:
    """Make the chunk's stored originals durable before the rows naming them commit."""
    fsync_paths(paths)
