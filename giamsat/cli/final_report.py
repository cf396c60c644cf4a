"""``giamsat final-report``: the final monitoring report and the interim one for the provincial team."""

from __future__ import annotations

from pathlib import Path

import click
import typer
from rich.markup import escape

from giamsat.cli.common import AS_OF, console, moment_of, parse_date, runtime

report_app = typer.Typer(help="Báo cáo kết quả giám sát, đánh giá.", no_args_is_help=True)
OUT = typer.Option(None, "--out", help="Lưu thêm một bản tới tệp này (.docx).")


FORCE = typer.Option(False, "--force", help="Lập báo cáo dù còn thiếu số liệu, không hỏi lại.")


@report_app.command("final")
def final_cmd(as_of: str = AS_OF, out: Path = OUT, force: bool = FORCE) -> None:
    """Lập báo cáo kết quả giám sát, đánh giá; ghi nhận và đưa vào hàng đợi gửi thư."""
    from giamsat.final_report.service import final_report, load
    from giamsat.plan.wording import plan_words

    rt, day = runtime(moment_of(as_of, 10)), parse_date(as_of)
    words = plan_words(rt.plan)
    gaps = load(rt, day).gaps(words["units_phrase"], words["unit_noun"])
    if gaps and not force:
        # the gaps quote units' and plan text: a "[...]" in them must print, not be rich markup
        console.print("[bold yellow]Cảnh báo:[/] báo cáo còn thiếu số liệu: " + escape("; ".join(gaps)) + ".")
        try:
            go = typer.confirm("Vẫn lập và gửi báo cáo?", default=False)
        except click.Abort:
            go = False
        if not go:
            console.print("Chưa lập báo cáo (dùng --force để lập khi còn thiếu số liệu).")
            raise typer.Exit(1)
    path = final_report(rt, day, out)
    console.print(f"Đã lập báo cáo: {escape(str(path))}")


@report_app.command("interim")
def interim_cmd(as_of: str = AS_OF, out: Path = OUT,
                send: bool = typer.Option(False, "--send", help="Gửi thư kèm báo cáo tới Sở.")) -> None:
    """Lập báo cáo giữa kỳ phục vụ Đoàn giám sát của tỉnh (tính đến ngày --as-of)."""
    from giamsat.final_report.service import interim_report

    path = interim_report(runtime(moment_of(as_of, 10)), parse_date(as_of), out, send=send)
    console.print(f"Đã lập báo cáo giữa kỳ: {escape(str(path))}")


def register(app: typer.Typer) -> None:
    """Add the ``final-report`` commands (``report``: the earlier name, kept hidden)."""
    app.add_typer(report_app, name="final-report")
    app.add_typer(report_app, name="report", hidden=True)
