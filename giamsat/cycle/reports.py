"""The commune reports' status on a day, counted once: every view (CLI, overview, artifacts) reads it here."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from giamsat.collect.records import is_late
from giamsat.db.models import Cycle, Submission, Unit
from giamsat.domain.vocabulary import REPORT_STATUS, SUBMISSION_COUNTED
from giamsat.runtime import Runtime


def _deadline_passed(rt: Runtime, as_of: dt.date) -> bool:
    deadline = rt.plan.report.deadline
    return as_of >= deadline if rt.plan.report.deadline_rule == "before" else as_of > deadline


# The last rows computed, per database and cycle, with the mark they were computed at. Every flow
# run publishes the table, and most runs (a day's reminders) change no report: a country's 10,600
# rows were rebuilt 94 times a cycle for a handful of changes.
_LAST: dict[tuple[str, int], tuple[tuple, list[dict]]] = {}


def report_status_rows(rt: Runtime, as_of: dt.date) -> list[dict]:
    """One row per unit expected at the deadline: its status and submissions up to ``as_of``.

    Column-only queries (no ORM objects, never the figures): two for the country, plus the
    errors of the units whose last report was returned. Computed again only when ``_mark``
    changed since the last call for the same database and cycle (one aggregate query otherwise).
    """
    return [dict(r) for r in kept_report_status_rows(rt, as_of)]


def kept_report_status_rows(rt: Runtime, as_of: dt.date) -> list[dict]:
    """``report_status_rows`` without the copy: the list kept for the next call, the very same
    object as long as what it is a function of (``_mark``) is unchanged. Read only: neither it nor
    its rows may be changed (a caller that would, takes ``report_status_rows``)."""
    key = (rt.db.engine.url.render_as_string(hide_password=False), rt.cycle_id)
    with rt.db.unit_of_work() as s:
        mark = _mark(rt, s, as_of)  # read first: rows computed after it are at least as new
        last = _LAST.get(key)
        if last is not None and last[0] == mark:
            return last[1]
        rows = _rows(rt, s, as_of)
    _LAST[key] = (mark, rows)
    return rows


def _mark(rt: Runtime, s: Session, as_of: dt.date) -> tuple:
    """What the rows on ``as_of`` are a function of, in one aggregate query: the plan (its units,
    deadline, rules), whether the deadline has passed, and per status the submissions received by
    the end of ``as_of`` (how many, which ids, which units, their first and last moments)."""
    cutoff = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(),
                                 tzinfo=ZoneInfo(rt.plan.calendar.timezone))
    plan = s.scalar(select(Cycle.plan_sha256).where(Cycle.id == rt.cycle_id))
    subs = s.execute(select(Submission.status, func.count(), func.sum(Submission.id),
                            func.sum(Submission.unit_id), func.min(Submission.received_at),
                            func.max(Submission.received_at))
                     .where(Submission.cycle_id == rt.cycle_id, Submission.unit_id.is_not(None),
                            Submission.received_at < cutoff)
                     .group_by(Submission.status).order_by(Submission.status)).all()
    return plan, _deadline_passed(rt, as_of), tuple(tuple(r) for r in subs)


def _rows(rt: Runtime, s: Session, as_of: dt.date) -> list[dict]:
    """The rows themselves (``report_status_rows`` without the reuse)."""
    tz = ZoneInfo(rt.plan.calendar.timezone)
    by_unit: dict[int, list[tuple[int, dt.datetime, str]]] = {}
    for sub_id, unit_id, received_at, status in s.execute(
            select(Submission.id, Submission.unit_id, Submission.received_at, Submission.status)
            .where(Submission.cycle_id == rt.cycle_id, Submission.unit_id.is_not(None))
            .order_by(Submission.received_at, Submission.id)):  # one query for all
        if received_at.astimezone(tz).date() <= as_of:
            by_unit.setdefault(unit_id, []).append((sub_id, received_at, status))
    deadline = rt.plan.report.deadline
    units = [u for u in s.execute(select(Unit.id, Unit.code, Unit.name, Unit.valid_from,
                                         Unit.valid_to).where(Unit.cycle_id == rt.cycle_id)
                                  .order_by(Unit.id))
             if u.valid_from <= deadline and (u.valid_to is None or deadline <= u.valid_to)]
    rows = [_row(rt, unit, by_unit.get(unit.id, []), as_of) for unit in units]
    returned = {r["_last_id"]: r for r in rows if r["status"] == "rejected"}
    for chunk in _chunks(list(returned), 500):
        for sub_id, errors in s.execute(select(Submission.id, Submission.errors)
                                        .where(Submission.id.in_(chunk))):
            returned[sub_id]["open_errors"] = len(errors or [])
    for r in rows:
        del r["_last_id"]
    return rows


def _chunks(items: list, n: int) -> list[list]:
    return [items[i:i + n] for i in range(0, len(items), n)]


def _row(rt: Runtime, unit, subs: list[tuple[int, dt.datetime, str]], as_of: dt.date) -> dict:
    accepted = [x for x in subs if x[2] in SUBMISSION_COUNTED]
    first = accepted[0] if accepted else None
    if first is not None:
        status = "late" if is_late(rt, first[1]) else "on_time"
    elif subs:
        status = "rejected"
    else:
        status = "missing" if _deadline_passed(rt, as_of) else "pending"
    last = subs[-1] if subs else None
    return {"unit_code": unit.code, "unit_name": unit.name,
            "unit_key": f"{unit.code}@{unit.valid_from.isoformat()}", "status": status,
            "status_label": REPORT_STATUS[status],
            "first_accepted_at": first[1].isoformat() if first else None,
            "last_received_at": last[1].isoformat() if last else None,
            "submissions": len(subs), "corrected": first is not None and len(subs) > 1,
            "open_errors": 0, "_last_id": last[0] if last else None}


# The kept list (``kept_report_status_rows``, never changed) last counted, and its counts
_COUNTED: list = [None, {}]


def summarise(rows: list[dict]) -> dict:
    """DHIS2-style counts: expected, received, on time, late, missing, rejected-awaiting-correction.
    A kept list (never changed) is counted once, however many runs publish it."""
    if rows is _COUNTED[0]:
        return dict(_COUNTED[1])
    counted = _summarise(rows)
    if any(rows is last[1] for last in _LAST.values()):
        _COUNTED[:] = [rows, dict(counted)]
    return counted


def _summarise(rows: list[dict]) -> dict:
    found = Counter(r["status"] for r in rows)  # one pass over a country's rows, not one a status
    count = {k: found[k] for k in REPORT_STATUS}
    expected = len(rows)
    received = count["on_time"] + count["late"]
    return {"expected": expected, "received": received, "outstanding": expected - received,
            "on_time": count["on_time"],
            "late": count["late"], "missing": count["missing"], "pending": count["pending"],
            "rejected_awaiting_correction": count["rejected"],
            "completeness_pct": round(received / expected * 100, 1) if expected else 0.0,
            "timeliness_pct": round(count["on_time"] / expected * 100, 1) if expected else 0.0}
