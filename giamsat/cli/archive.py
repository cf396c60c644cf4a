"""``giamsat export`` / ``giamsat import``: a whole cycle to one archive and back."""

from __future__ import annotations

from pathlib import Path

import typer

from giamsat.archive import service as archive
from giamsat.cli.common import console, runtime, state
from giamsat.domain import clock


def export(out: Path = typer.Argument(..., metavar="OUT.tar.gz", help="Tệp lưu trữ sẽ ghi."),
           force: bool = typer.Option(False, "--force", help="Ghi đè nếu tệp đã có.")) -> None:
    """Xuất toàn bộ dữ liệu và tệp của chu kỳ ra một tệp lưu trữ .tar.gz."""
    if out.exists() and not force:
        raise archive.ArchiveError(f"Tệp {out} đã có; dùng --force để ghi đè.")
    rt = runtime()
    result = archive.export_cycle(rt, out, clock.now())  # when the archive was made: real time
    rows = sum(result.rows.values())
    console.print(f"Đã xuất chu kỳ {rt.plan.cycle_key}: {rows} dòng dữ liệu ở {len(result.rows)} bảng, "
                  f"{result.files} tệp → {result.path}")
    for rel in result.missing[:20]:
        console.print(f"[yellow]Thiếu tệp[/] {rel} (có trong dữ liệu nhưng không còn trong {rt.home})")
    if len(result.missing) > 20:
        console.print(f"… và {len(result.missing) - 20} tệp thiếu khác.")


def import_cmd(source: Path = typer.Argument(..., metavar="ARCHIVE", help="Tệp do giamsat export tạo."),
               max_mb: int = typer.Option(archive.DEFAULT_MAX_MB, "--max-mb", min=1,
                                          help="Dung lượng giải nén tối đa chấp nhận (MB).")) -> None:
    """Nhập một tệp lưu trữ vào cơ sở dữ liệu trống (kiểm tra SHA-256 từng tệp; được tất cả hoặc không gì)."""
    from giamsat.db.session import Database
    from giamsat.settings import load_settings

    settings = load_settings(config=Path(state.config) if state.config else None)
    db = Database(settings.db_url)  # not Runtime.load(): that would create the cycle first
    try:
        result = archive.import_archive(db, settings.home, source, max_mb=max_mb)
    finally:
        db.dispose()
    console.print(f"Đã nhập chu kỳ {result.cycle_key}: {sum(result.rows.values())} dòng dữ liệu, "
                  f"{result.files} tệp vào {settings.home}.")
    if result.plan_path is not None:
        console.print(f"Kế hoạch của chu kỳ: {result.plan_path} (dùng --config để làm việc với nó).")
    if result.held:
        console.print(f"[yellow]{len(result.held)} thư chờ gửi có người nhận không có trong kế hoạch: giữ "
                      f"lại, không tự gửi (số {', '.join(map(str, result.held[:20]))}). Xem: giamsat "
                      "outbox --status failed; gửi lại từng thư bằng giamsat outbox retry SỐ.[/]")


def register(app: typer.Typer) -> None:
    """Add the ``export`` and ``import`` commands."""
    app.command("export")(export)
    app.command("import")(import_cmd)
