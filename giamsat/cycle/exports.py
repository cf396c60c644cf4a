"""Spreadsheet exports for district officers: the per-commune report status and the register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from giamsat.cycle.status import status_report
from giamsat.db.models import Recommendation, Unit
from giamsat.domain import clock
from giamsat.files.spreadsheet import write_csv
from giamsat.followup.service import label
from giamsat.runtime import Runtime

STATUS_HEADER = ("Mã đơn vị", "Đơn vị", "Tình trạng", "Số lần gửi", "Đã sửa", "Nhận lần đầu (đạt)",
                 "Lần gửi gần nhất", "Số lỗi chưa sửa")
RECS_HEADER = ("Số", "Trạng thái", "Hạn thực hiện", "Cơ quan, đơn vị được kiến nghị", "Đơn vị cấp xã",
               "Nội dung kiến nghị", "Nguồn", "Kết quả, minh chứng", "Tệp minh chứng", "Cập nhật lúc")
SOURCES = {"submission": "Báo cáo của đơn vị", "visit": "Giám sát trực tiếp"}


def _local(moment: str | dt.datetime | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return f"{moment.astimezone(clock.TZ):%d/%m/%Y %H:%M}"


def export_status(rt: Runtime, as_of: dt.date, path: Path) -> int:
    """Write the per-commune status on ``as_of`` to ``path``; returns the number of rows."""
    units = status_report(rt, as_of)["units"]
    rows = [(u["unit_code"], u["unit_name"], u["status_label"], u["submissions"],
             "có" if u["corrected"] else "", _local(u["first_accepted_at"]),
             _local(u["last_received_at"]), u["open_errors"]) for u in units]
    write_csv(path, STATUS_HEADER, rows)
    return len(rows)


def export_recommendations(rt: Runtime, path: Path) -> int:
    """Write the recommendation register to ``path``; returns the number of rows."""
    office = rt.plan.bodies.office.name
    upper = f"Đoàn giám sát của {rt.plan.bodies.upper_body.name}"
    with rt.db.unit_of_work() as s:
        names: dict[int | None, str] = {
            u.id: u.name for u in s.scalars(select(Unit).where(Unit.cycle_id == rt.cycle_id))}
        rows = [(r.id, label(r.status), f"{r.due_on:%d/%m/%Y}", r.addressed_to,
                 names.get(r.unit_id, ""), r.content,
                 upper if r.source_kind == "provincial" else SOURCES.get(r.source_kind, office),
                 r.evidence_text or "", r.evidence_path or "", _local(r.updated_at))
                for r in s.scalars(select(Recommendation).where(Recommendation.cycle_id == rt.cycle_id)
                                   .order_by(Recommendation.id))]
    write_csv(path, RECS_HEADER, rows)
    return len(rows)
