"""``giamsat draw``: draw the sample, show it, verify it, approve it or redraw with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape

from giamsat.cli.common import AS_OF, console, moment_of, parse_date, reading_runtime, runtime
from giamsat.cli.ui.present import seed_source
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import label
from giamsat.draw import service as sample

sample_app = typer.Typer(help="Chọn ngẫu nhiên các đơn vị được giám sát (kế hoạch cấp huyện, tỉnh: "
                                "xã và thôn; kế hoạch cấp xã: thôn, tổ dân phố).", no_args_is_help=True)
DRAW_HOUR, DECISION_HOUR = 9, 10  # as the draw flow: proposed in the morning, decided after


def _print_draw(row, full: bool = False) -> None:
    console.print(f"[bold]Lượt chọn mẫu số {row.id}[/] — {label('draw_status', row.status)}; "
                  f"ngày chọn {short_date(row.draw_on)}; người chọn {row.drawn_by}")
    console.print(escape(f"  Hạt giống ({seed_source(row.seed_source)}): {row.seed}"))
    console.print(f"  Thuật toán: {row.algorithm} phiên bản {row.algorithm_version}; "
                  f"khung mẫu {len(row.frame)} đơn vị; SHA-256 hồ sơ: {row.record_sha256}")
    for i, unit in enumerate(row.result["units"], start=1):
        villages = f": {', '.join(unit['villages'])}" if unit["villages"] else ""  # a village: none
        console.print(escape(f"  {i}. {unit['name']} ({unit['key']}){villages}"))
        for village, households in unit.get("households", {}).items():
            console.print(escape(f"       hộ tham vấn ở {village}: {', '.join(households)}"))
    if row.decision_reason:
        console.print(escape(f"  Lý do chọn lại: {row.decision_reason}"))
    if full:
        console.print_json(json.dumps(sample.record_of(row, runtime().plan.cycle_key), ensure_ascii=False,
                                 indent=2))


@sample_app.command("draw")
def draw_cmd(
    seed: str = typer.Option(None, "--seed", metavar="TEXT", help="Hạt giống do người điều phối đưa ra."),
    public_value: list[str] = typer.Option(None, "--public-value", metavar="TEXT",
                                           help="Giá trị công khai đã công bố trước (lặp lại được)."),
    beneficiaries: Path = typer.Option(None, "--beneficiaries", metavar="CSV",
                                       help="Danh sách hộ hưởng lợi (cột ma_don_vi, thon, ho)."),
    as_of: str = AS_OF,
) -> None:
    """Đề xuất một lượt chọn mẫu (chờ người điều phối duyệt)."""
    now, day = moment_of(as_of, DRAW_HOUR), parse_date(as_of)
    rt = runtime(now)
    lists = sample.read_beneficiaries(beneficiaries, rt.plan, day) if beneficiaries else None
    row = sample.draw(rt, day, seed, rt.actor, public_values=public_value or (), beneficiaries=lists,
                      now=now)
    _print_draw(row)
    if row.status == "proposed":
        console.print(f"Duyệt: giamsat draw approve {row.id}   •   Chọn lại: "
                      f"giamsat draw reject {row.id} --reason \"…\"")


@sample_app.command("show")
def show_cmd(draw_id: int = typer.Argument(None, help="Số lượt chọn mẫu; mặc định lượt hiện hành."),
             record: bool = typer.Option(False, "--record", help="In toàn bộ hồ sơ (JSON).")) -> None:
    """Xem một lượt chọn mẫu."""
    rt = reading_runtime()
    with rt.db.unit_of_work() as s:
        _print_draw(sample.find_draw(s, rt.cycle_id, draw_id), full=record)


@sample_app.command("verify")
def verify_cmd(draw_id: int = typer.Argument(None, help="Số lượt chọn mẫu; mặc định lượt hiện hành.")
               ) -> None:
    """Tính lại lượt chọn mẫu từ hồ sơ và cho biết có khớp không."""
    ok, diffs = sample.verify(reading_runtime(), draw_id)
    if ok:
        console.print("[green]Khớp:[/] tính lại từ hạt giống và khung mẫu cho đúng kết quả đã lưu; "
                      "mã SHA-256 của hồ sơ đúng.")
        return
    console.print("[bold red]Không khớp:[/]")
    for d in diffs:
        console.print(escape(f"  - {d}"))
    raise typer.Exit(3)


@sample_app.command("approve")
def approve_cmd(draw_id: int = typer.Argument(None, help="Số lượt chọn mẫu; mặc định lượt chờ duyệt."),
                as_of: str = AS_OF) -> None:
    """Duyệt lượt chọn mẫu (sau đó mới xếp lịch và thông báo cho các đơn vị được chọn)."""
    now = moment_of(as_of, DECISION_HOUR)
    rt = runtime(now)
    row = sample.approve(rt, draw_id, rt.actor, now)
    console.print(f"[green]Đã duyệt[/] lượt chọn mẫu số {row.id} ({row.decided_by}).")


@sample_app.command("reject")
def reject_cmd(draw_id: int = typer.Argument(..., help="Số lượt chọn mẫu."),
               reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Lý do chọn lại."),
               as_of: str = AS_OF) -> None:
    """Từ chối lượt chọn mẫu và ghi lý do; lượt sau phải dùng hạt giống mới."""
    now = moment_of(as_of, DECISION_HOUR)
    rt = runtime(now)
    row = sample.reject(rt, draw_id, reason, rt.actor, now)
    console.print(escape(f"Đã từ chối lượt chọn mẫu số {row.id}. Lý do: {row.decision_reason}"))
    console.print("Chọn lại: giamsat draw draw --seed <hạt giống mới>")


def register(app: typer.Typer) -> None:
    """Add the ``draw`` commands (``sample``: the earlier name, kept hidden)."""
    app.add_typer(sample_app, name="draw")
    app.add_typer(sample_app, name="sample", hidden=True)
