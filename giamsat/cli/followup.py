"""``giamsat followup``: the recommendation register (list, add, update with evidence, show history)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from giamsat.cli.common import AS_OF, console, moment_of, parse_date, reading_runtime, runtime
from giamsat.cli.ui.present import actor_name, choice, choices, choices_text, moment, number
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import REC_SETTABLE, label
from giamsat.followup import service as followup

recs_app = typer.Typer(help="Sổ theo dõi kiến nghị.", no_args_is_help=True)


def _as_json(rec) -> dict:
    return {"id": rec.id, "key": rec.key, "status": rec.status, "status_label": followup.label(rec.status),
            "content": rec.content, "addressed_to": rec.addressed_to, "source": rec.source_kind,
            "due_on": rec.due_on.isoformat(), "evidence_text": rec.evidence_text,
            "evidence_path": rec.evidence_path}


@recs_app.command("list")
def list_cmd(status: list[str] = typer.Option(
                 None, "--status", metavar="TRẠNG_THÁI",
                 help="Lọc theo trạng thái, ghi tên (\"Quá hạn\") hoặc mã (overdue); lặp lại được. "
                      "Các trạng thái: " + choices_text("rec_status") + "."),
             as_json: bool = typer.Option(False, "--json", help="In dạng JSON.")) -> None:
    """Liệt kê các kiến nghị và trạng thái thực hiện."""
    wanted = choices("rec_status", status, "--status")
    rt = reading_runtime()
    recs = followup.list_recommendations(rt, wanted)
    if as_json:
        typer.echo(json.dumps([_as_json(r) for r in recs], ensure_ascii=False, indent=2))
        return
    names = followup.unit_names(rt, recs)
    shown = f" — {', '.join(label('rec_status', c) for c in wanted)}" if wanted else ""
    table = Table(title=f"Kiến nghị{shown} ({number(len(recs))})")
    for col in ("Số", "Trạng thái", "Hạn", "Xã", "Cơ quan thực hiện", "Nội dung"):
        table.add_column(col, overflow="fold", no_wrap=col in ("Số", "Hạn"))
    for r in recs:
        table.add_row(str(r.id), followup.label(r.status), f"{short_date(r.due_on)}",
                      escape(names.get(r.unit_id, "—") if r.unit_id else "—"), escape(r.addressed_to),
                      escape(r.content))
    console.print(table)
    if not recs:
        console.print("Không có kiến nghị nào" + (" ở trạng thái này." if wanted else "."))


@recs_app.command("export")
def export_cmd(file: Path = typer.Argument(..., metavar="FILE.csv",
                                           help="Tệp CSV sẽ ghi (mở bằng Excel).")) -> None:
    """Xuất sổ theo dõi kiến nghị ra tệp CSV (UTF-8, mở được bằng Excel)."""
    from giamsat.cycle.exports import export_recommendations

    count = export_recommendations(reading_runtime(), file)
    console.print(f"Đã ghi {count} kiến nghị vào {escape(str(file))}")


@recs_app.command("add")
def add_cmd(content: str = typer.Option(..., "--content", help="Nội dung kiến nghị."),
            to: str = typer.Option(..., "--to", help="Cơ quan, đơn vị được kiến nghị."),
            email: str = typer.Option(None, "--email", help="Thư điện tử của cơ quan được kiến nghị."),
            unit: str = typer.Option(None, "--unit", help="Mã đơn vị cấp xã liên quan (5 chữ số)."),
            due: str = typer.Option(None, "--due", help="Hạn thực hiện; mặc định theo số ngày làm việc "
                                                        "trong kế hoạch."),
            as_of: str = AS_OF) -> None:
    """Ghi nhận một kiến nghị của Phòng (tự tạo nghĩa vụ để hệ thống nhắc hạn)."""
    now = moment_of(as_of)
    rt = runtime(now)
    rec = followup.add(rt, content, to, email, unit, parse_date(due) if due else None, rt.actor, now)
    console.print(f"Kiến nghị số {rec.id}: hạn {short_date(rec.due_on)} — {followup.label(rec.status)}")


@recs_app.command("update")
def update_cmd(rec_id: int = typer.Argument(..., metavar="ID"),
               status: str = typer.Option(None, "--status", metavar="TRẠNG_THÁI",
                                          help="Trạng thái mới (tên hoặc mã): "
                                               + choices_text("rec_status", REC_SETTABLE) + "."),
               to: str = typer.Option(None, "--to", help="Sửa cơ quan, đơn vị được kiến nghị."),
               email: str = typer.Option(None, "--email", help="Địa chỉ thư của cơ quan đó (nếu có)."),
               note: str = typer.Option(None, "--note", help="Nội dung kết quả hoặc lý do."),
               evidence: Path = typer.Option(None, "--evidence", help="Tệp minh chứng."),
               due: str = typer.Option(None, "--due", help="Gia hạn đến ngày (YYYY-MM-DD)."),
               as_of: str = AS_OF) -> None:
    """Cập nhật tình hình thực hiện một kiến nghị (kèm ghi chú, minh chứng, gia hạn)."""
    if status is None and to is None:
        raise typer.BadParameter("cần ít nhất --status hoặc --to")
    if status is not None:
        status = choice("rec_status", status, "--status", REC_SETTABLE)
    now = moment_of(as_of)
    rt = runtime(now)
    if to is not None:
        rec = followup.readdress(rt, rec_id, to, email, rt.actor, now)
        console.print(f"Kiến nghị số {rec.id}: gửi {escape(rec.addressed_to)}")
    if status is None:
        return
    rec = followup.update(rt, rec_id, status, note, evidence, rt.actor, now,
                          due_on=parse_date(due) if due else None)
    console.print(f"Kiến nghị số {rec.id}: {followup.label(rec.status)} (hạn {short_date(rec.due_on)})")


@recs_app.command("show")
def show_cmd(rec_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Xem một kiến nghị và toàn bộ lịch sử thay đổi."""
    rec, events = followup.show(reading_runtime(), rec_id)
    console.print(f"[bold]Kiến nghị số {rec.id}[/] — {followup.label(rec.status)}, "
                  f"hạn {short_date(rec.due_on)}")
    console.print(f"  Nội dung: {escape(rec.content)}\n  Cơ quan thực hiện: {escape(rec.addressed_to)}")
    if rec.evidence_text or rec.evidence_path:
        console.print(escape(f"  Minh chứng: {rec.evidence_text or ''} {rec.evidence_path or ''}".rstrip()))
    for e in events:
        extra = f" [tệp: {e.evidence_path}]" if e.evidence_path else ""
        who = escape(actor_name(e.actor))
        console.print(f"  - {moment(e.at)} {followup.label(e.status)} ({who}): "
                      + escape(f"{e.note or ''}{extra}"))


@recs_app.command("task-done")
def task_done_cmd(key: str = typer.Argument(..., metavar="KEY",
                                             help="Mã nhiệm vụ (assignments trong kế hoạch)."),
                  note: str = typer.Option(..., "--note", help="Kết quả thực hiện."),
                  as_of: str = AS_OF) -> None:
    """Ghi nhận một cơ quan đã thực hiện nhiệm vụ được giao trong kế hoạch (dừng nhắc hạn)."""
    from giamsat.followup.assignments import mark_done

    now = moment_of(as_of)
    rt = runtime(now)
    mark_done(rt, key, note, rt.actor, now)
    task = rt.plan.assignment(key)
    console.print(f"Đã ghi nhận: {escape(task.body if task else key)} đã thực hiện nhiệm vụ.")


@recs_app.command("sweep")
def sweep_cmd(as_of: str = AS_OF) -> None:
    """Rà soát kiến nghị: tạo nghĩa vụ nhắc hạn còn thiếu, đánh dấu kiến nghị quá hạn."""
    result = followup.followup_sweep(runtime(moment_of(as_of)), parse_date(as_of))
    console.print(f"Đã tạo {result.obligations_created} nghĩa vụ nhắc hạn; "
                  f"{result.marked_overdue} kiến nghị chuyển sang quá hạn.")


def register(app: typer.Typer) -> None:
    """Add the ``followup`` commands (``recs``: the earlier name, kept hidden)."""
    app.add_typer(recs_app, name="followup")
    app.add_typer(recs_app, name="recs", hidden=True)
