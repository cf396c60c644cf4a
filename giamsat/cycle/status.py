"""Completeness and timeliness of the commune reports, as DHIS2 reports them, and the step list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from giamsat.collect.mail_records import mail_rows
from giamsat.collect.records import is_late, local_day
from giamsat.cycle.overview import cycle_status
from giamsat.cycle.sync import unit_rows_on
from giamsat.db.models import Submission
from giamsat.domain import clock
from giamsat.domain.textsafety import markdown_row
from giamsat.domain.vocabulary import (
    REPORT_NEEDS_ATTENTION,
    REPORT_STATUS,
    STEP_STATUS,
    SUBMISSION_COUNTED,
)
from giamsat.issuance.service import signature_summary
from giamsat.messaging.delivery import health, health_line
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
    return {"expected": expected, "received": received, "on_time": count["on_time"],
            "late": count["late"], "missing": count["missing"], "pending": count["pending"],
            "rejected_awaiting_correction": count["rejected"],
            "completeness_pct": round(received / expected * 100, 1) if expected else 0.0,
            "timeliness_pct": round(count["on_time"] / expected * 100, 1) if expected else 0.0}


def step_rows(rt: Runtime, as_of: dt.date) -> list[dict]:
    """The cycle's steps with due date, done / pending / overdue and what each waits for."""
    return [{"key": r.step, "title": r.title, "starts_on": r.starts_on.isoformat(),
             "due_on": r.due_on.isoformat(), "state": r.status, "state_label": STEP_STATUS[r.status],
             "waiting_for": r.waiting_for} for r in cycle_status(rt, as_of)]


def status_report(rt: Runtime, as_of: dt.date) -> dict:
    """Everything ``giamsat status`` shows, JSON-friendly."""
    rows = report_status_rows(rt, as_of)
    return {"cycle": rt.plan.cycle_key, "as_of": as_of.isoformat(),
            "deadline": rt.plan.report.deadline.isoformat(),
            "ended": as_of > rt.plan.period.end, "period_end": rt.plan.period.end.isoformat(),
            "steps": step_rows(rt, as_of),
            "summary": summarise(rows), "units": rows, "outbox": outbox_health(rt),
            "mail_waiting": mail_rows(rt, only_waiting=True),
            "documents": signature_summary(rt)}


def outbox_health(rt: Runtime) -> dict:
    """The outbox's counts, most attempts and commonest error, with the sentence that says it."""
    h = health(rt)
    return h | {"summary": health_line(h)}


ARTIFACT_ALL_UP_TO = 60  # a district's units are all listed; beyond, those needing attention
ARTIFACT_MAX_ROWS = 500  # and never more rows than this (the UI and its database stay light)


def artifact_rows(rows: list[dict]) -> tuple[list[dict], int]:
    """The rows the ``report-status`` artifact lists, and how many units it leaves out."""
    shown = rows if len(rows) <= ARTIFACT_ALL_UP_TO else [
        r for r in rows if r["status"] in REPORT_NEEDS_ATTENTION]
    shown = shown[:ARTIFACT_MAX_ROWS]
    return shown, len(rows) - len(shown)


URGENCY = ("missing", "rejected", "pending", "late", "on_time")


def _local(iso: str | None) -> str:
    """A stored ISO moment as ``dd/mm/yyyy HH:MM`` in Vietnam time."""
    return dt.datetime.fromisoformat(iso).astimezone(clock.TZ).strftime("%d/%m/%Y %H:%M") if iso else ""


def report_status_table(rows: list[dict]) -> list[dict]:
    """The per-unit rows as the ``report-status`` artifact shows them: most urgent first, local times."""
    ordered = sorted(rows, key=lambda r: URGENCY.index(r["status"]))
    return [markdown_row({"Mã": r["unit_code"], "Đơn vị": r["unit_name"], "Tình trạng": r["status_label"],
                          "Số lần gửi": r["submissions"], "Nhận lúc": _local(r["first_accepted_at"])})
            for r in ordered]


def report_status_artifact(rows: list[dict]) -> tuple[list[dict], str]:
    """The ``report-status`` artifact's table and description (published by ``tasks.overview``)."""
    shown, left_out = artifact_rows(rows)
    s = summarise(rows)
    more = (f" Bảng chỉ liệt kê {len(shown)} đơn vị cần chú ý; {left_out} đơn vị khác không hiển "
            f"thị (xem đầy đủ: giamsat status --json)." if left_out else "")
    return report_status_table(shown), (
        f"Báo cáo của các đơn vị cấp xã: {s['received']}/{s['expected']} đã nhận "
        f"({s['on_time']} đúng hạn, {s['late']} muộn), {s['missing']} chưa nộp, "
        f"{s['rejected_awaiting_correction']} chờ sửa." + more)
