"""``giamsat submit``, ``giamsat inbox sweep|fetch|list`` and ``giamsat status``: the commune reports."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from giamsat.cli.common import AS_OF, console, moment_of, parse_date, reading_runtime, runtime
from giamsat.cli.ui.present import moment, number, percent
from giamsat.domain import clock
from giamsat.domain.formatting import short_date

inbox_app = typer.Typer(help="Hộp thư đến: tệp báo cáo trong inbox/ và thư gửi về hộp thư của phòng.",
                        no_args_is_help=True)
SWEEP_HOUR = 17  # as the collect flow: files of the day are taken in at the end of office hours


def parse_moment(value: str | None, as_of: str | None = None) -> dt.datetime:
    """An ``--at`` value (YYYY-MM-DD[ HH:MM] in Vietnam time); else the ``--as-of`` day or now."""
    if value is None:
        return moment_of(as_of, SWEEP_HOUR)
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).replace(tzinfo=clock.TZ)
        except ValueError:
            continue
    raise typer.BadParameter(f"thời điểm không hợp lệ: {value!r} (dạng YYYY-MM-DD HH:MM)")


def submit_cmd(
    file: Path = typer.Argument(..., help="Tệp báo cáo (.docx theo đề cương)."),
    unit: str = typer.Option(None, "--unit", metavar="CODE", help="Mã đơn vị gửi (5 chữ số)."),
    at: str = typer.Option(None, "--at", metavar="DATETIME",
                           help="Thời điểm nhận (YYYY-MM-DD HH:MM); mặc định bây giờ."),
    as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
    as_of: str = AS_OF,
) -> None:
    """Tiếp nhận một tệp báo cáo của một đơn vị cấp xã."""
    from giamsat.collect.service import submit

    now = parse_moment(at, as_of)
    result = submit(runtime(now), file, now, unit_code=unit, source="cli")
    if as_json:
        console.print_json(json.dumps(result.__dict__, ensure_ascii=False))
    else:
        _print_result(result)
    if result.status == "rejected" or result.refused:
        raise typer.Exit(3)


def _print_result(r) -> None:
    who = escape(f"{r.unit_name} ({r.unit_key})") if r.unit_name else "không xác định được đơn vị"
    name = escape(r.filename)
    if r.status == "accepted":
        console.print(f"[green]Đã tiếp nhận[/] {name} — {who}, mã BC-{r.submission_id:05d}"
                      + (" [yellow](nộp muộn)[/]" if r.late else ""))
    elif r.status == "duplicate" and r.refused:
        console.print(f"[red]Không tiếp nhận[/] {name} — {who}: tệp giống hệt tệp đã bị trả lại "
                      f"(mã BC-{r.duplicate_of:05d}); đơn vị cần sửa các nội dung sau rồi gửi lại:")
        for line in r.errors:
            console.print(f"  - {escape(line)}")
    elif r.status == "duplicate":
        console.print(f"[cyan]Tệp đã nhận trước đó[/] {name} — {who}, mã "
                      f"BC-{r.duplicate_of:05d}; không xử lý lại.")
    else:
        console.print(f"[red]Không tiếp nhận[/] {name} — {who}:")
        for line in r.errors:
            console.print(f"  - {escape(line)}")


@inbox_app.command("sweep")
def sweep(as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
          as_of: str = AS_OF) -> None:
    """Tiếp nhận mọi tệp trong thư mục inbox/ (tệp đã xử lý chuyển sang processed/ hoặc rejected/)."""
    from giamsat.collect.service import sweep_inbox

    now = moment_of(as_of, SWEEP_HOUR)
    summary = sweep_inbox(runtime(now), now)
    if as_json:
        console.print_json(json.dumps(summary.as_dict(), ensure_ascii=False, default=str))
        return
    for r in summary.results:
        _print_result(r)
    for name, error in summary.failed:
        console.print(f"[red]Lỗi khi xử lý[/] {escape(name)}: {escape(error)} (tệp giữ lại trong inbox/)")
    for entry in summary.skipped:
        console.print(f"[yellow]Không tiếp nhận[/] {escape(entry.text)}")
    for held in summary.held:
        until = dt.datetime.fromtimestamp(held.until, dt.UTC).astimezone(now.tzinfo)
        console.print(f"[yellow]{held.files} tệp đang do một lần quét khác giữ[/] (lần quét đó đang "
                      f"chạy hoặc đã dừng giữa chừng): sẽ được trả lại inbox/ và tiếp nhận ở lần "
                      f"quét sau {until:%H:%M} {short_date(until)}.")
    d = summary.as_dict()
    console.print(f"Tổng: {d['files']} tệp — {d['accepted']} tiếp nhận, {d['rejected']} trả lại, "
                  f"{d['duplicate']} trùng, {len(d['failed'])} lỗi; {len(d['skipped'])} mục bỏ qua, "
                  f"{sum(h['files'] for h in d['held'])} tệp đang chờ lần quét khác.")


@inbox_app.command("fetch")
def fetch(as_of: str = AS_OF,
          as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON.")) -> None:
    """Đọc thư mới trong hộp thư của phòng, tiếp nhận báo cáo đính kèm và trả lời người gửi."""
    from giamsat.collect.mail import fetch_mail

    now = moment_of(as_of, SWEEP_HOUR)
    summary = fetch_mail(runtime(now), now)
    if as_json:
        console.print_json(json.dumps(summary.as_dict(), ensure_ascii=False, default=str))
        return
    for m in summary.messages:
        _print_mail(m)
    d = summary.as_dict()
    console.print(f"Tổng: {d['messages']} thư mới — {d['taken']} tiếp nhận, {d['needs_person']} chờ "
                  f"cán bộ xem, {d['duplicate']} trùng; {d['already']} thư đã xử lý trước đó.")


_FILE_VI = {"accepted": "tiếp nhận", "rejected": "trả lại, đề nghị sửa", "duplicate": "trùng"}


def _print_mail(m) -> None:
    from giamsat.collect.mail_records import MAIL_STATUS_VI

    console.print(f"Thư từ {escape(m.sender or '(không rõ)')} — {escape(m.subject or '(không tiêu đề)')}: "
                  f"{MAIL_STATUS_VI.get(m.status, m.status)}" + (f" ({escape(m.note)})" if m.note else ""))
    for f in m.files:
        if f["kind"] == "form":
            label = _FILE_VI.get(f["status"].split(":")[0], f["status"])
            console.print(f"  - {escape(f['name'])}: {label}"
                          + (f", mã BC-{f['submission_id']:05d}" if f.get("submission_id") else ""))
        else:
            console.print(f"  - {escape(f['name'])}: đã lưu kèm hồ sơ")


@inbox_app.command("list")
def list_mail(waiting: bool = typer.Option(False, "--cho-xem", help="Chỉ thư chờ cán bộ xem."),
              as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON.")) -> None:
    """Các thư đã đọc từ hộp thư của phòng (thư chờ cán bộ xem được đánh dấu)."""
    from giamsat.collect.mail_records import mail_rows

    rows = mail_rows(reading_runtime(), only_waiting=waiting)
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title="Thư đến hộp thư của phòng")
    for col in ("Mã", "Nhận lúc", "Người gửi", "Tiêu đề", "Tình trạng", "Ghi chú"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["reference"], moment(r["arrived_at"]), escape(r["sender"]),
                      escape(r["subject"]), r["status_label"], escape(r["note"]))
    console.print(table)


def status(as_of: str = AS_OF,
           as_json: bool = typer.Option(False, "--json", help="In kết quả dạng JSON."),
           csv_file: Path = typer.Option(None, "--csv", metavar="FILE",
                                         help="Ghi tình trạng từng xã ra tệp CSV (mở bằng Excel).")) -> None:
    """Tiến độ các bước và tình trạng báo cáo của từng đơn vị cấp xã."""
    from giamsat.cycle.status import artifact_rows, status_report

    if csv_file is not None:
        from giamsat.cycle.exports import export_status

        count = export_status(reading_runtime(), parse_date(as_of), csv_file)
        console.print(f"Đã ghi {count} đơn vị vào {escape(str(csv_file))}")
        return
    report = status_report(reading_runtime(), parse_date(as_of))
    if as_json:
        console.print_json(json.dumps(report, ensure_ascii=False))
        return
    if report["ended"]:
        end = dt.date.fromisoformat(report["period_end"])
        console.print(f"[bold]Chu kỳ {escape(report['cycle'])} đã kết thúc ngày {short_date(end)}[/]: "
                      f"không còn nhắc việc; số liệu dưới đây là tình trạng khi kết thúc.")
    steps = Table(title=f"Các bước của chu kỳ (ngày {short_date(parse_date(as_of))})")
    for col in ("Bước", "Hạn", "Tình trạng", "Đang chờ"):
        steps.add_column(col)
    for s in report["steps"]:
        steps.add_row(escape(s["title"]), short_date(dt.date.fromisoformat(s["due_on"])),
                      s["state_label"], escape(s["waiting_for"]))
    console.print(steps)
    n = number
    shown, left_out = artifact_rows(report["units"])
    units = Table(title="Báo cáo của các đơn vị cấp xã" + (
        f" (chỉ các đơn vị cần chú ý; {left_out} đơn vị khác không hiển thị, xem --json)"
        if left_out else ""))
    for col in ("Mã", "Đơn vị", "Tình trạng", "Số lần gửi", "Đã sửa"):
        units.add_column(col)
    for u in shown:
        units.add_row(u["unit_code"], escape(u["unit_name"]), u["status_label"], n(u["submissions"]),
                      "có" if u["corrected"] else "")
    console.print(units)
    s = report["summary"]
    console.print(f"Phải nộp {n(s['expected'])}, đã nhận {n(s['received'])} "
                  f"({percent(s['completeness_pct'])}): {n(s['on_time'])} đúng hạn, {n(s['late'])} muộn; "
                  f"{n(s['rejected_awaiting_correction'])} chờ sửa; {n(s['missing'])} chưa nộp (quá hạn); "
                  f"{n(s['pending'])} chưa đến hạn.")
    console.print(escape(report["outbox"]["summary"]))  # carries the mail server's own words
    waiting = report["mail_waiting"]
    if waiting:
        console.print(f"[yellow]{len(waiting)} thư trong hộp thư chờ cán bộ xem[/] "
                      "(không kèm đề cương hoặc không rõ đơn vị): giamsat inbox list")
    console.print(escape(report["documents"]["summary"]))


def register(app: typer.Typer) -> None:
    """Add the ``submit``, ``inbox`` and ``status`` commands."""
    app.command("submit")(submit_cmd)
    app.add_typer(inbox_app, name="inbox")
    app.command("status")(status)
