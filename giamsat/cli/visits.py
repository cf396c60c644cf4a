"""``giamsat visits``: the visit schedule, reschedules, ad-hoc visits, minutes and recording them;
``giamsat appraisal``: the office's preliminary appraisal of each commune's review results."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from giamsat.cli.common import AS_OF, console, moment_of, parse_date, reading_runtime, runtime
from giamsat.criteria import appraisal
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import APPRAISAL_RECORDED, label
from giamsat.visits import minutes
from giamsat.visits import service as visits

visit_app = typer.Typer(help="Giám sát trực tiếp tại đơn vị được chọn: lịch, biên bản.", no_args_is_help=True)
VISITS_HOUR, RECORD_HOUR = 9, 16  # as the visits flow (morning); minutes come back after the visit


def _line(v: visits.VisitInfo) -> str:
    villages = ", ".join(v.villages) or "—"
    return escape(f"  {v.id:>3}  {short_date(v.scheduled_on)}  {v.unit_name} ({v.unit_code}) "
                  f"[{label('visit_kind', v.kind)}, {label('visit_status', v.status)}]  thôn: {villages}")


@visit_app.command("schedule")
def schedule_cmd(as_of: str = AS_OF) -> None:
    """Xếp lịch giám sát các đơn vị của mẫu đã duyệt và gửi thông báo (chạy lại không gửi trùng)."""
    now = moment_of(as_of, VISITS_HOUR)
    rt = runtime(now)
    rows = visits.schedule_visits(rt, parse_date(as_of), rt.actor, now)
    console.print(f"Lịch giám sát ({len(rows)} cuộc):")
    for v in rows:
        console.print(_line(v))


@visit_app.command("list")
def list_cmd() -> None:
    """Danh sách các cuộc giám sát."""
    rows = visits.list_visits(reading_runtime())
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
    """Đổi ngày một cuộc giám sát; đơn vị được thông báo lại."""
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


appraisal_app = typer.Typer(help="Thẩm định sơ bộ kết quả rà soát hộ nghèo, hộ cận nghèo của các xã.",
                            no_args_is_help=True)
RESULTS_HELP = "; ".join(f"{r} = {label('appraisal_result', r)}" for r in APPRAISAL_RECORDED)


@appraisal_app.command("record")
def appraisal_record_cmd(
        unit_code: str = typer.Argument(..., help="Mã đơn vị cấp xã (VD 13756)."),
        result: str = typer.Option(..., "--result", metavar="RESULT", help=RESULTS_HELP),
        question: list[str] = typer.Option(None, "--question", metavar="TEXT",
                                           help="Nội dung đề nghị xã giải trình, làm rõ (lặp lại được)."),
        note: str = typer.Option(None, "--note", metavar="TEXT", help="Ý kiến khác."),
        as_of: str = AS_OF) -> None:
    """Ghi kết quả thẩm định sơ bộ của một xã; thông báo cho xã, theo dõi đến khi xã giải trình xong."""
    now = moment_of(as_of, RECORD_HOUR)
    rt = runtime(now)
    r = appraisal.record_appraisal(rt, unit_code, result, question or [], note, rt.actor, now)
    if not r.changed:
        console.print(escape(f"{r.unit_name}: kết quả thẩm định này đã được ghi trước đó, không thay đổi."))
        return
    console.print(escape(f"Đã ghi kết quả thẩm định sơ bộ của {r.unit_name}: "
                         f"{label('appraisal_result', r.result)}; đã gửi thông báo cho xã."))
    if r.recommendation_id is not None and r.due_on is not None:
        console.print(escape(f"Theo dõi như kiến nghị số {r.recommendation_id}, hạn giải trình "
                             f"{short_date(r.due_on)} ({len(r.questions)} nội dung)."))


@appraisal_app.command("list")
def appraisal_list_cmd() -> None:
    """Kết quả thẩm định sơ bộ của mọi xã đã gửi báo cáo."""
    rows = appraisal.list_appraisals(reading_runtime())
    if not rows:
        console.print("Chưa có xã nào gửi báo cáo được tiếp nhận.")
    for a in rows:
        day = f"{short_date(a.appraised_on)}" if a.appraised_on else "—"
        rec = (f"; kiến nghị số {a.recommendation_id}: {label('rec_status', a.recommendation_status)}"
               if a.recommendation_id and a.recommendation_status else "")
        console.print(escape(f"  {a.unit_code}  {a.unit_name}: {a.result_label} ({day}){rec}"))
        for i, q in enumerate(a.questions, 1):
            console.print(escape(f"         {i}. {q}"))


round_app = typer.Typer(help="Đợt giám sát đột xuất: phạm vi, lịch, biên bản, báo cáo.", no_args_is_help=True)


def _round(r) -> None:
    console.print(escape(f"Đợt {r.number}: {short_date(r.starts_on)} – {short_date(r.ends_on)} "
                         f"[{r.status_label}] — {r.content}"))
    for v in r.visits:
        console.print(escape(f"  {v.visit_id:>3}  {short_date(v.day)}  {v.unit_name} [{v.status}]  "
                             f"{v.recommendations} kiến nghị"))
    if r.report_path:
        console.print(escape(f"  Báo cáo: {r.report_path}"))


@round_app.command("adhoc")
def round_adhoc_cmd(units: str = typer.Option(..., "--units", metavar="CODES",
                                              help="Mã các đơn vị, cách nhau bởi dấu phẩy (VD 13756,13759)."),
                    content: str = typer.Option(..., "--content", metavar="TEXT", help="Nội dung giám sát."),
                    date_from: str = typer.Option(..., "--from", metavar="DATE", help="Ngày bắt đầu đợt."),
                    date_to: str = typer.Option(..., "--to", metavar="DATE", help="Ngày kết thúc đợt."),
                    as_of: str = AS_OF) -> None:
    """Mở đợt giám sát đột xuất: xếp lịch và gửi thông báo tới các đơn vị trong phạm vi."""
    from giamsat.rounds import service as rounds

    now = moment_of(as_of, VISITS_HOUR)
    rt = runtime(now)
    r = rounds.open_round(rt, units.split(","), content, parse_date(date_from), parse_date(date_to),
                          rt.actor, now)
    console.print("Đã mở đợt giám sát đột xuất và gửi thông báo tới các đơn vị:")
    _round(r)


@round_app.command("list")
def round_list_cmd() -> None:
    """Danh sách các đợt giám sát đột xuất."""
    from giamsat.rounds import service as rounds

    rows = rounds.list_rounds(reading_runtime())
    if not rows:
        console.print("Chưa có đợt giám sát đột xuất nào.")
    for r in rows:
        _round(r)


@round_app.command("show")
def round_show_cmd(number: int = typer.Argument(..., help="Số thứ tự của đợt.")) -> None:
    """Một đợt giám sát đột xuất: phạm vi, các cuộc giám sát, kiến nghị, báo cáo."""
    from giamsat.rounds import service as rounds

    _round(rounds.show_round(reading_runtime(), number))


@round_app.command("report")
def round_report_cmd(number: int = typer.Argument(..., help="Số thứ tự của đợt."),
                     doc_number: int = typer.Option(None, "--number", help="Số văn bản (bỏ trống: dự thảo)."),
                     out: Path = typer.Option(None, "--out", help="Lưu thêm một bản tới tệp này (.docx)."),
                     as_of: str = AS_OF) -> None:
    """Lập báo cáo kết quả giám sát đột xuất của đợt (khi mọi cuộc giám sát đã có biên bản)."""
    from giamsat.rounds.report import round_report

    now = moment_of(as_of, RECORD_HOUR)
    path = round_report(runtime(now), number, parse_date(as_of), doc_number, out)
    console.print(escape(f"Đã lập báo cáo kết quả giám sát đột xuất: {path}"))


def register(app: typer.Typer) -> None:
    """Add the ``visits``, ``appraisal`` and ``round`` commands (``visit``: the earlier name, hidden)."""
    app.add_typer(appraisal_app, name="appraisal")
    app.add_typer(visit_app, name="visits")
    app.add_typer(visit_app, name="visit", hidden=True)
    app.add_typer(round_app, name="round")
