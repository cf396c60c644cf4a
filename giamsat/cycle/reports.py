"""The commune reports' status on a day, counted once: every view (CLI, overview, artifacts) reads it here."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from giamsat.collect.records import is_late, local_day
from giamsat.cycle.sync import unit_rows_on
from giamsat.db.models import Submission
from giamsat.domain.vocabulary import REPORT_STATUS, SUBMISSION_COUNTED
from giamsat.runtime import Runtime


def _deadline_passed(rt: Runtime, as_of: dt.date) -> bool:
    deadline = rt.plan.report.deadline
    return as_of >= deadline if rt.plan.report.deadline_rule == "before" else as_of > deadline


def report_status_rows(rt: Runtime, as_of: dt.date) -> list[dict]:
    """One row per unit expected at the deadline: its status and submissions up to ``as_of``."""
    rows = []
    with rt.db.unit_of_work() as s:
        by_unit: dict[int | None, list[Submission]] = {}
        for x in s.scalars(select(Submission).where(Submission.cycle_id == rt.cycle_id,
                                                    Submission.unit_id.is_not(None))
                           .order_by(Submission.received_at, Submission.id)):  # one query for all
            if local_day(rt, x.received_at) <= as_of:
                by_unit.setdefault(x.unit_id, []).append(x)
        for unit in unit_rows_on(s, rt.cycle_id, rt.plan.report.deadline):
            rows.append(_row(rt, unit, by_unit.get(unit.id, []), as_of))
    return rows


def _row(rt: Runtime, unit, subs: list[Submission], as_of: dt.date) -> dict:
    accepted = [x for x in subs if x.status in SUBMISSION_COUNTED]
    first = accepted[0] if accepted else None
    if first is not None:
        status = "late" if is_late(rt, first.received_at) else "on_time"
    elif subs:
        status = "rejected"
    else:
        status = "missing" if _deadline_passed(rt, as_of) else "pending"
    last = subs[-1] if subs else None
    return {"unit_code": unit.code, "unit_name": unit.name,
            "unit_key": f"{unit.code}@{unit.valid_from.isoformat()}", "status": status,
            "status_label": REPORT_STATUS[status],
            "first_accepted_at": first.received_at.isoformat() if first else None,
            "last_received_at": last.received_at.isoformat() if last else None,
            "submissions": len(subs), "corrected": first is not None and len(subs) > 1,
            "open_errors": len(last.errors) if status == "rejected" and last else 0}


def summarise(rows: list[dict]) -> dict:
    """DHIS2-style counts: expected, received, on time, late, missing, rejected-awaiting-correction."""
    count = {k: sum(1 for r in rows if r["status"] == k) for k in REPORT_STATUS}
    expected = len(rows)
    received = count["on_time"] + count["late"]
    return {"expected": expected, "received": received, "outstanding": expected - received,
            "on_time": count["on_time"],
            "late": count["late"], "missing": count["missing"], "pending": count["pending"],
            "rejected_awaiting_correction": count["rejected"],
            "completeness_pct": round(received / expected * 100, 1) if expected else 0.0,
            "timeliness_pct": round(count["on_time"] / expected * 100, 1) if expected else 0.0}
