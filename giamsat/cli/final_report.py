"""``giamsat final-report``: the final monitoring report and the interim one for the provincial team."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.markup import escape

from giamsat.cli.common import AS_OF, console, moment_of, parse_date, reading_runtime, runtime
from giamsat.cli.ui.present import ask
from giamsat.domain.formatting import short_date

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
        if not ask("Vẫn lập và gửi báo cáo?", default=False):
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


@report_app.command("office")
def office_cmd(as_of: str = AS_OF, out: Path = OUT) -> None:
    """Lập báo cáo của cơ quan thường trực gửi Ủy ban nhân dân (tính đến ngày --as-of)."""
    from giamsat.final_report.office_report import office_report

    path = office_report(runtime(moment_of(as_of, 10)), parse_date(as_of), out)
    console.print(escape(f"Đã lập báo cáo của cơ quan thường trực: {path}"))


upper_app = typer.Typer(help="Làm việc với Đoàn giám sát cấp trên: chuẩn bị, báo cáo, kết luận.",
                        no_args_is_help=True)


@upper_app.command("checklist")
def checklist_cmd() -> None:
    """Danh mục chuẩn bị làm việc với Đoàn giám sát cấp trên và tình trạng từng việc."""
    from giamsat.provincial import service as provincial

    for item in provincial.checklist(runtime()):
        mark = "[x]" if item.done else "[ ]"
        console.print(escape(f"{mark} {item.number + '. ' if item.number else ''}{item.text} — {item.note}"))


@upper_app.command("prepare")
def prepare_cmd(as_of: str = AS_OF) -> None:
    """Lập và gửi báo cáo tới Đoàn giám sát (từ ngày phải gửi; chạy lại không gửi trùng)."""
    from giamsat.provincial import service as provincial

    result = provincial.prepare(runtime(moment_of(as_of, 8)), parse_date(as_of))
    report_on = dt.date.fromisoformat(result["report_on"])
    if result["report"]:
        console.print(escape(f"Đã lập báo cáo gửi Đoàn giám sát (chờ gửi thư): {result['report']}"))
    else:
        console.print(f"Chưa đến ngày gửi báo cáo tới Đoàn giám sát ({short_date(report_on)}).")
    for item in result["checklist"]:
        mark = "[x]" if item["done"] else "[ ]"
        console.print(escape(f"{mark} {item['text']} — {item['note']}"))


@upper_app.command("ready")
def ready_cmd(number: int = typer.Argument(..., help="Số thứ tự tài liệu trong danh mục."),
              as_of: str = AS_OF) -> None:
    """Đánh dấu một tài liệu trong danh mục đã chuẩn bị xong."""
    from giamsat.provincial import service as provincial

    now = moment_of(as_of, 10)
    rt = runtime(now)
    item = provincial.tick(rt, number, rt.actor, now)
    console.print(escape(f"Đã chuẩn bị: {item.number}. {item.text}"))


@upper_app.command("findings")
def findings_cmd(finding: list[str] = typer.Option([], "--finding", metavar="TEXT",
                                                   help="Một kết luận của Đoàn (lặp lại nếu nhiều)."),
                 rec: list[str] = typer.Option([], "--rec", metavar="TEXT|CƠ QUAN[|MÃ XÃ]",
                                               help="Một kiến nghị: nội dung|cơ quan thực hiện[|mã đơn vị]."),
                 as_of: str = AS_OF) -> None:
    """Ghi nhận kết luận, kiến nghị của Đoàn giám sát cấp trên (kiến nghị được theo dõi như mọi kiến nghị)."""
    from giamsat.domain.errors import Conflict
    from giamsat.provincial import service as provincial

    recs = []
    for r in rec:
        parts = [p.strip() for p in r.split("|")]
        if len(parts) not in (2, 3) or not all(parts):
            raise Conflict(f"Kiến nghị {r!r} phải có dạng: nội dung|cơ quan thực hiện[|mã đơn vị] (--rec).")
        recs.append(provincial.RecInput(parts[0], parts[1], unit_code=parts[2] if len(parts) == 3 else None))
    now = moment_of(as_of, 16)
    rt = runtime(now)
    result = provincial.record_findings(rt, finding, recs, rt.actor, now)
    console.print(f"Đã ghi nhận {result['findings']} kết luận và {len(result['recommendations'])} kiến nghị "
                  f"của Đoàn giám sát; bước làm việc với Đoàn giám sát cấp trên đã hoàn thành.")


def _finding(text: str):
    """``TIÊU CHÍ=KẾT QUẢ[|CĂN CỨ[|GHI CHÚ]]`` → a FindingInput (the result as a code or a label)."""
    from giamsat.cli.ui.present import choice
    from giamsat.criteria.findings import FindingInput

    ref, sep, rest = text.partition("=")
    if not sep or not ref.strip() or not rest.strip():
        raise typer.BadParameter(f"{text!r} phải có dạng TIÊU CHÍ=KẾT QUẢ[|CĂN CỨ[|GHI CHÚ]] "
                                 "(xem danh sách tiêu chí: giamsat provincial-visit criteria).",
                                 param_hint="--result")
    parts = [p.strip() for p in rest.split("|", 2)] + ["", ""]
    return FindingInput(ref.strip(), choice("finding_result", parts[0], "--result"), parts[1], parts[2])


@upper_app.command("criteria")
def criteria_cmd(result: list[str] = typer.Option(
                     [], "--result", metavar="TIÊU CHÍ=KẾT QUẢ[|CĂN CỨ[|GHI CHÚ]]",
                     help="Kết quả đánh giá một tiêu chí ở cấp của cơ quan ban hành kế hoạch (lặp lại "
                          "cho mỗi tiêu chí; ghi lại thì thay toàn bộ lần ghi trước)."),
                 as_of: str = AS_OF) -> None:
    """Tiêu chí giám sát ở cấp của cơ quan ban hành kế hoạch và kết quả Đoàn cấp trên đánh giá."""
    from giamsat.criteria.findings import record_findings
    from giamsat.criteria.summary import findings_list
    from giamsat.plan.wording import criteria_of

    if result:
        now = moment_of(as_of, 16)
        rt = runtime(now)
        count = record_findings(rt, "provincial_visit", [_finding(r) for r in result], rt.actor, now)
        console.print(f"Đã ghi nhận kết quả đánh giá {count} tiêu chí của Đoàn giám sát cấp trên.")
    else:
        rt = reading_runtime()
    with rt.db.unit_of_work() as s:
        found = {(f.content, f.key): f for f in findings_list(s, rt.cycle_id)
                 if not f.unit_name and f.source == "provincial_visit"}
    for c in criteria_of(rt.plan, level="issuer"):
        f = found.get((c.content, c.key))
        got = f"{f.result_label}{' — ' + f.evidence if f.evidence else ''}" if f else "chưa đánh giá"
        console.print(escape(f"  {c.ref}: {c.title} — {got}"))


def register(app: typer.Typer) -> None:
    """Add the ``final-report`` commands (``report``: the earlier name, kept hidden) and
    ``provincial-visit`` (the upper body's team: the Sở's, or for a province the Ministry's)."""
    app.add_typer(report_app, name="final-report")
    app.add_typer(report_app, name="report", hidden=True)
    app.add_typer(upper_app, name="provincial-visit")
