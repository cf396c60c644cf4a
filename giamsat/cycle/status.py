"""What ``giamsat status`` and the artifacts show: the steps, the commune reports, the outbox."""

from __future__ import annotations

import datetime as dt

from giamsat.collect.mail_records import mail_rows
from giamsat.cycle.overview import cycle_status
from giamsat.cycle.reports import report_status_rows, summarise
from giamsat.domain import clock
from giamsat.domain.formatting import short_date_time
from giamsat.domain.textsafety import markdown_row
from giamsat.domain.vocabulary import REPORT_NEEDS_ATTENTION, STEP_STATUS
from giamsat.issuance.service import signature_summary
from giamsat.messaging.delivery import health, health_line
from giamsat.runtime import Runtime

__all__ = ["artifact_rows", "outbox_health", "report_status_artifact", "report_status_rows",
           "report_status_table", "status_report", "step_rows", "summarise"]


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
    return short_date_time(dt.datetime.fromisoformat(iso).astimezone(clock.TZ)) if iso else ""


def report_status_table(rows: list[dict]) -> list[dict]:
    """The per-unit rows as the ``report-status`` artifact shows them: most urgent first, local times."""
    rank = {s: i for i, s in enumerate(URGENCY)}
    ordered = sorted(rows, key=lambda r: rank.get(r["status"], len(URGENCY)))
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
