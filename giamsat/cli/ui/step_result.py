"""What ``giamsat run STEP`` prints after a step's flow: its result in Vietnamese, not a raw dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from giamsat.cli.ui.present import counts, day, number
from giamsat.domain.vocabulary import label


def _outbox(result: Mapping[str, Any]) -> str:
    outbox = counts("message_status", result.get("outbox") or {})
    sent = "" if result.get("all_delivered", True) else " (còn thư chưa gửi được: giamsat outbox)"
    return f"Hộp thư đi — {outbox}{sent}"


def _notify(r: Mapping[str, Any]) -> list[str]:
    lines = [f"{number(r['queued'])} thư mới tới {number(r['units'])} đơn vị."]
    if r.get("waiting_for_signature"):
        lines.append(f"Chờ ký số và đăng ký {number(r['waiting_for_signature'])} văn bản trước khi gửi "
                     "(giamsat doc list).")
    return [*lines, _outbox(r)]


def _remind(r: Mapping[str, Any]) -> list[str]:
    if not r.get("working_day", True):
        return ["Không phải ngày làm việc: không nhắc việc.", _outbox(r)]
    return [f"{number(r['queued'])} thư nhắc mới.", _outbox(r)]


def _followup(r: Mapping[str, Any]) -> list[str]:
    return [f"{number(r['obligations_created'])} kiến nghị được theo dõi mới; "
            f"{number(r['marked_overdue'])} kiến nghị chuyển sang quá hạn."]


def _collect(r: Mapping[str, Any]) -> list[str]:
    mail, sweep = r.get("mail") or {}, r.get("sweep") or {}
    lines = [f"Hộp thư đến: {number(mail.get('messages', 0))} thư mới — {number(mail.get('taken', 0))} "
             f"tiếp nhận, {number(mail.get('needs_person', 0))} chờ cán bộ xem, "
             f"{number(mail.get('duplicate', 0))} trùng.",
             f"Thư mục inbox: {number(sweep.get('files', 0))} tệp — {number(sweep.get('accepted', 0))} "
             f"tiếp nhận, {number(sweep.get('rejected', 0))} trả lại, {number(sweep.get('duplicate', 0))} "
             f"trùng, {number(len(sweep.get('failed') or []))} lỗi."]
    units = r.get("status") or []
    if units:
        by_status: dict[str, int] = {}
        for u in units:
            by_status[u["status"]] = by_status.get(u["status"], 0) + 1
        lines.append("Báo cáo của các đơn vị: " + counts("report_status", by_status)
                     + " (chi tiết: giamsat status).")
    return lines


def _draw(r: Mapping[str, Any]) -> list[str]:
    names = ", ".join(u.get("name", "") for u in r.get("units", []))
    return [f"Lượt chọn mẫu số {r.get('id')} — {label('draw_status', str(r.get('status', '')))}: {names}"]


def _deliver(r: Mapping[str, Any]) -> list[str]:
    sent = r.get("sent")
    head = "Máy chủ thư chưa nhận; thử lại sau." if sent is None else f"Đã gửi {number(sent)} thư."
    return [head, _outbox(r)]


SUMMARIES = {"notify": _notify, "remind": _remind, "followup": _followup, "collect": _collect,
             "draw": _draw, "deliver": _deliver}


def show(console: Console, step: str, result: object) -> None:
    """Print ``result`` of ``step``'s flow as an officer reads it."""
    if step in SUMMARIES and isinstance(result, Mapping):
        for line in SUMMARIES[step](result):
            console.print("  " + escape(line))
    elif step == "visits" and isinstance(result, list):
        table = Table(title=f"Lịch giám sát ({len(result)} cuộc)")
        for col in ("Số", "Đơn vị", "Ngày", "Tình trạng"):
            table.add_column(col)
        for v in result:
            table.add_row(str(v["id"]), escape(str(v["unit"])), day(v["on"]),
                          label("visit_status", v["status"]))
        console.print(table)
    elif step == "cycle":
        console.print("  Đã cập nhật bảng tình hình chu kỳ trên giao diện Prefect "
                      "(xem thêm: giamsat status).")
    elif step == "final_report" and result:
        console.print(f"  Báo cáo: {escape(str(result))}")
