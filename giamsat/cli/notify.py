"""``giamsat notify``, ``giamsat remind`` and ``giamsat outbox``: notify, remind, deliver."""

from __future__ import annotations

import datetime as dt

import typer
from rich.markup import escape
from rich.table import Table

from giamsat.cli.common import AS_OF, console, moment_of, parse_date, reading_runtime, runtime
from giamsat.cli.ui.present import choice, choices_text, counts, moment
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import label
from giamsat.messaging import delivery as outbox_service
from giamsat.notify.service import notify as notify_service
from giamsat.remind.digest import queue_digest
from giamsat.remind.service import sweep

outbox_app = typer.Typer(help="Hộp thư đi: xem, gửi, gửi lại thư.", invoke_without_command=True)


def _deliver_and_report(rt, now: dt.datetime) -> None:
    result = outbox_service.deliver(rt, now)
    console.print(f"Đã gửi {result.sent} thư qua kênh {rt.delivery().channel}; lỗi vĩnh viễn "
                  f"{result.failed}; chờ gửi lại {result.deferred}.")
    for line in result.errors[:20]:
        console.print(f"  [yellow]-[/] {line}")


def _say_what_waits(rt) -> None:
    """Why the step stopped short: the documents to sign and register, and the commands for it."""
    from giamsat.cycle.overview import signature_wait

    wait = signature_wait(rt, "notify")
    if wait is None:
        return
    text, ids = wait
    console.print(f"[bold yellow]Đang chờ:[/] {escape(text)}.")
    first = ids[0]
    console.print(f"  Xuất bản PDF để trình ký số: giamsat doc export {first} --pdf <tệp>.pdf")
    more = f" (làm lần lượt với {len(ids)} văn bản; xem: giamsat doc list)" if len(ids) > 1 else ""
    console.print(f"  Đăng ký bản đã ký số: giamsat doc register {first} --signed <tệp>.pdf{more}")
    console.print("  Sau khi đăng ký, chạy lại: giamsat notify")


def notify_cmd(as_of: str = AS_OF, send: bool = typer.Option(
        True, "--send/--no-send", help="Gửi ngay các thư vừa xếp hàng.")) -> None:
    """Thông báo kế hoạch, lịch giám sát và đề cương báo cáo tới các đơn vị cấp xã."""
    now, day = moment_of(as_of), parse_date(as_of)
    rt = runtime(now)
    s = notify_service(rt, day)
    console.print(f"Ngày {short_date(day)}: {s.units} đơn vị; {s.messages_queued} thư mới, "
                  f"{s.obligations_created} nghĩa vụ báo cáo mới, {s.documents_rendered} văn bản mới.")
    console.print(f"Văn bản: {s.documents[0].parent}")
    if s.waiting_for_signature:
        _say_what_waits(rt)
    if send:
        _deliver_and_report(rt, now)


def remind_cmd(as_of: str = AS_OF, send: bool = typer.Option(
        True, "--send/--no-send", help="Gửi ngay các thư nhắc vừa xếp hàng.")) -> None:
    """Quét các nghĩa vụ chưa hoàn thành và nhắc việc theo ngày làm việc."""
    now, day = moment_of(as_of), parse_date(as_of)
    rt = runtime(now)
    s = sweep(rt, day)
    if s.closed:
        console.print(f"Chu kỳ {rt.plan.cycle_key} đã kết thúc ngày {short_date(rt.plan.period.end)}: "
                      f"không nhắc việc.")
        return
    if not s.working_day:
        console.print(f"Ngày {short_date(day)} không phải ngày làm việc: không nhắc việc.")
        return
    console.print(f"Ngày {short_date(day)}: {s.open_obligations} nghĩa vụ đang mở; {s.queued} thư nhắc "
                  f"mới, {s.already_queued} đã nhắc trước đó.")
    for key in s.without_address:
        console.print(f"  [yellow]Không có địa chỉ thư cho {key}[/]")
    if not queue_digest(rt, day).empty():
        console.print(f"Đã xếp hàng thư tổng hợp việc chờ {escape(rt.plan.bodies.office.short)}.")
    if send:
        _deliver_and_report(rt, now)


@outbox_app.callback()
def outbox_list(ctx: typer.Context, status: str = typer.Option(
        None, "--status", metavar="TRẠNG_THÁI",
        help="Chỉ thư ở một trạng thái (tên hoặc mã): " + choices_text("message_status") + "."),
        limit: int = typer.Option(500, "--limit", min=1, max=100_000, help="Số thư mới nhất tối đa.")
        ) -> None:
    """Liệt kê thư trong hộp thư đi (mới nhất trước)."""
    if ctx.invoked_subcommand is not None:
        return
    wanted = choice("message_status", status, "--status") if status is not None else None
    rt = reading_runtime()
    messages = outbox_service.list_messages(rt, wanted, limit=limit)
    errors = any(m.last_error for m in messages)
    table = Table(title="Hộp thư đi — " + counts("message_status", outbox_service.counts(rt)))
    for col in ("Số", "Ngày", "Trạng thái", "Loại", "Người nhận", "Tiêu đề", "Lần gửi",
                *(("Lỗi gần nhất",) if errors else ())):
        table.add_column(col, overflow="fold", no_wrap=col in ("Số", "Ngày", "Lần gửi"),
                         ratio={"Tiêu đề": 3, "Lỗi gần nhất": 2}.get(col, 1))
    for m in messages:
        table.add_row(str(m.id), moment(m.sent_at or m.created_at).replace(" ", "\n", 1),
                      label("message_status", m.status), label("message_kind", m.kind),
                      escape("\n".join(m.to_addrs)), escape(m.subject), str(m.attempts),
                      *((escape(m.last_error or ""),) if errors else ()))
    console.print(table)
    if not messages:
        console.print("Không có thư nào" + (f" ở trạng thái {label('message_status', wanted)}."
                                            if wanted else "."))
    console.print(escape(outbox_service.health_line(outbox_service.health(rt))))


@outbox_app.command("retry")
def outbox_retry(message_id: int = typer.Argument(..., help="Số thư (cột Số)."),
                 as_of: str = AS_OF) -> None:
    """Đưa một thư lỗi trở lại hàng đợi để gửi lại."""
    now = moment_of(as_of)
    msg = outbox_service.retry(runtime(now), message_id, now)
    console.print(f"Thư số {msg.id} sẽ được gửi lại ở lần gửi tiếp theo (giamsat outbox send).")


@outbox_app.command("send")
def outbox_send(as_of: str = AS_OF) -> None:
    """Gửi ngay các thư đang chờ."""
    now = moment_of(as_of)
    _deliver_and_report(runtime(now), now)


def register(app: typer.Typer) -> None:
    """Add ``notify``, ``remind`` and ``outbox``."""
    app.command("notify")(notify_cmd)
    app.command("remind")(remind_cmd)
    app.add_typer(outbox_app, name="outbox")
