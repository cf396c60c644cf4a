"""``giamsat plan check``: validate a plan file and summarise it."""

from __future__ import annotations

from pathlib import Path

import typer

from giamsat.cli.common import console, state
from giamsat.domain.formatting import short_date
from giamsat.plan.milestones import calendar_for, milestones
from giamsat.plan.places import kinds_phrase
from giamsat.plan.schema import load_plan
from giamsat.plan.wording import deadline_phrase, issuer_place
from giamsat.settings import DEFAULT_CONFIG

plan_app = typer.Typer(help="Kế hoạch giám sát (tệp cấu hình YAML).", no_args_is_help=True)


@plan_app.command("check")
def check(path: Path = typer.Argument(None, help="Tệp kế hoạch; mặc định tệp của --config.")) -> None:
    """Kiểm tra tệp kế hoạch; in tóm tắt nếu hợp lệ, in mọi lỗi kèm vị trí nếu không."""
    path = path or Path(state.config or DEFAULT_CONFIG)
    plan = load_plan(path)
    cal = calendar_for(plan)
    first, merged = plan.units_on(plan.period.start), plan.units_on(plan.period.end)
    console.print(f"[green]Hợp lệ:[/] {path}")
    console.print(f"  Chu kỳ: {plan.cycle_key} — {issuer_place(plan)}, {short_date(plan.period.start)} – "
                  f"{short_date(plan.period.end)}")
    console.print(f"  Đơn vị báo cáo: {len(first)} đầu kỳ, {len(merged)} cuối kỳ"
                  + (f" (sắp xếp lại từ {short_date(plan.reorganisation.effective)})"
                     if plan.reorganisation else ""))
    villages = plan.sample.villages_per_commune  # a commune's plan draws villages, none beneath
    console.print(f"  Hạn báo cáo: {deadline_phrase(plan)}; chọn mẫu {plan.sample.communes} "
                  + (f"đơn vị × {villages} thôn" if villages else kinds_phrase(plan.unit_kinds())))
    for m in milestones(plan, cal):
        console.print(f"  - {short_date(m.due_on)}  {m.title}")


def register(app: typer.Typer) -> None:
    """Add the ``plan`` commands."""
    app.add_typer(plan_app, name="plan")


@plan_app.command("units")
def units(province: int = typer.Option(..., "--province", help="Mã tỉnh, thành phố (ví dụ 37)."),
          valid_from: str = typer.Option("2025-07-01", "--valid-from", help="Ngày có hiệu lực."),
          domain: str = typer.Option("example", "--domain", help="Tên miền thư điện tử minh họa.")) -> None:
    """In khối units: của một tỉnh (tên, mã, loại đơn vị theo gói vietnam-provinces)."""
    from giamsat.files.catalogue import units_block
    typer.echo(units_block(province, valid_from, domain), nl=False)
