"""``giamsat visits``: the visit schedule, reschedules, ad-hoc visits, minutes and recording them."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from giamsat.cli.common import AS_OF, console, moment_of, parse_date, runtime
from giamsat.domain.vocabulary import label
from giamsat.visits import minutes
from giamsat.visits import service as visits

visit_app = typer.Typer(help="Giám sát trực tiếp tại xã: lịch, biên bản.", no_args_is_help=True)
VISITS_HOUR, RECORD_HOUR = 9, 16  # as the visits flow (morning); minutes come back after the visit


def _line(v: visits.VisitInfo) -> str:
    villages = ", ".join(v.villages) or "—"
    return escape(f"  {v.id:>3}  {v.scheduled_on:%d/%m/%Y}  {v.unit_name} ({v.unit_code}) "
                  f"[{label('visit_kind', v.kind)}, {label('visit_status', v.status)}]  thôn: {villages}")


@visit_app.command("schedule")
def schedule_cmd(as_of: str = AS_OF) -> None:
    """Xếp lịch giám sát các xã của mẫu đã duyệt và gửi thông báo (chạy lại không gửi trùng)."""
    now = moment_of(as_of, VISITS_HOUR)
    rt = runtime(now)
    rows = visits.schedule_visits(rt, parse_date(as_of), rt.actor, now)
    console.print(f"Lịch giám sát ({len(rows)} cuộc):")
    for v in rows:
        console.print(_line(v))


@visit_app.command("list")
def list_cmd() -> None:
    """Danh sách các cuộc giám sát."""
    rows = visits.list_visits(runtime())
    if not rows:
        console.print("Chưa có cuộc giám sát nào.")
    for v in rows:
        console.print(_line(v))
        if v.note:
            console.print(escape(f"         ghi chú: {v.note}"))


@visit_app.command("reschedule")
def reschedule_cmd(visit_id: int = typer.Argument(..., help="Số cuộc giám sát."),
                   date: str = typer.Option(..., "--date", metavar="DATE", help="Ngày mới."),
                   reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Lý do đổi lịch."),
                   as_of: str = AS_OF) -> None:
    """Đổi ngày một cuộc giám sát; xã được thông báo lại."""
    now = moment_of(as_of, VISITS_HOUR)
    rt = runtime(now)
    v = visits.reschedule(rt, visit_id, parse_date(date), reason, rt.actor, now)
    console.print("Đã đổi lịch:")
    console.print(_line(v))


@visit_app.command("add-adhoc")
def adhoc_cmd(unit_code: str = typer.Argument(..., help="Mã đơn vị (VD 13756)."),
              date: str = typer.Option(..., "--date", metavar="DATE", help="Ngày giám sát."),
              reason: str = typer.Option(None, "--reason", metavar="TEXT", help="Lý do đột xuất."),
              as_of: str = AS_OF) -> None:
    """Thêm một cuộc giám sát đột xuất ngoài mẫu."""
    now = moment_of(as_of, VISITS_HOUR)
    rt = runtime(now)
    v = visits.add_adhoc(rt, unit_code, parse_date(date), rt.actor, reason, now=now)
    console.print("Cuộc giám sát đột xuất:")
    console.print(_line(v))


@visit_app.command("minutes")
def minutes_cmd(visit_id: int = typer.Argument(..., help="Số cuộc giám sát."),
                as_of: str = AS_OF) -> None:
    """Tạo biên bản giám sát (mẫu điền sẵn) của một cuộc giám sát."""
    now = moment_of(as_of, VISITS_HOUR)
    path = minutes.write_minutes(runtime(now), visit_id, now)
    console.print(f"Biên bản: {path}")


@visit_app.command("record")
def record_cmd(file: Path = typer.Argument(..., help="Tệp biên bản đã điền (.docx)."),
               as_of: str = AS_OF) -> None:
    """Ghi nhận biên bản đã điền: kết quả, khó khăn, kiến nghị, tham vấn."""
    now = moment_of(as_of, RECORD_HOUR)
    rt = runtime(now)
    r = minutes.record_minutes(rt, file, rt.actor, now)
    what = "Đã ghi nhận" if r.changed else "Biên bản này đã được ghi nhận trước đó, không thay đổi"
    console.print(f"{what}: cuộc giám sát số {r.visit_id} tại {r.unit_name} — {r.criteria} tiêu chí "
                  f"được đánh giá, {r.findings} kết quả, "
                  f"{r.difficulties} khó khăn, {r.recommendations} kiến nghị, {r.consultations} ý kiến "
                  f"tham vấn.")


def register(app: typer.Typer) -> None:
    """Add the ``visits`` commands (``visit``: the earlier name, kept hidden)."""
    app.add_typer(visit_app, name="visits")
    app.add_typer(visit_app, name="visit", hidden=True)
