"""The data: ``giamsat db upgrade`` (schema), ``export`` / ``import`` (a whole cycle), ``audit`` (the log)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from giamsat.archive import service as archive
from giamsat.cli.common import console, parse_date, reading_runtime, state
from giamsat.cli.ui.present import actor_name, audit_detail, choice, choices_text, entity_text, moment
from giamsat.db.audit import AuditQuery, entries, entry_json
from giamsat.db.audit import verify as audit_verify
from giamsat.db.migrate import current_revision, head_revision, upgrade
from giamsat.db.session import Database
from giamsat.domain import clock
from giamsat.domain.vocabulary import AUDIT_ACTION, label
from giamsat.settings import load_settings

db_app = typer.Typer(help="Cơ sở dữ liệu.", no_args_is_help=True)


def export(out: Path = typer.Argument(..., metavar="OUT.tar.gz", help="Tệp lưu trữ sẽ ghi."),
           force: bool = typer.Option(False, "--force", help="Ghi đè nếu tệp đã có.")) -> None:
    """Xuất toàn bộ dữ liệu và tệp của chu kỳ ra một tệp lưu trữ .tar.gz."""
    if out.exists() and not force:
        raise archive.ArchiveError(f"Tệp {out} đã có; dùng --force để ghi đè.")
    rt = reading_runtime()
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


@db_app.command("upgrade")
def upgrade_cmd() -> None:
    """Nâng cấu trúc cơ sở dữ liệu lên phiên bản mới nhất (Alembic)."""
    settings = load_settings()
    db = Database(settings.db_url)
    before = current_revision(db.engine)
    upgrade(db.engine)
    console.print(f"Cơ sở dữ liệu {db.engine.url.render_as_string(hide_password=True)}: "
                  f"{before or 'trống'} → {head_revision()}")


MAX_LIMIT = 10_000


def _day_start(value: str | None, shift_days: int = 0) -> dt.datetime | None:
    """Midnight (Vietnam time) of a ``--since``/``--until`` day, as an aware datetime."""
    if value is None:
        return None
    return dt.datetime.combine(parse_date(value) + dt.timedelta(days=shift_days), dt.time(0),
                               tzinfo=clock.TZ)


def audit(
    since: str = typer.Option(None, "--since", metavar="DATE", help="Từ ngày (tính cả ngày này)."),
    until: str = typer.Option(None, "--until", metavar="DATE", help="Đến ngày (tính cả ngày này)."),
    action: str = typer.Option(None, "--action", metavar="HÀNH_ĐỘNG",
                               help="Hành động (tên như \"Cập nhật kiến nghị\" hoặc mã rec.update), "
                                    "hoặc cả nhóm theo mã: rec"),
    entity: str = typer.Option(None, "--entity", metavar="ĐỐI_TƯỢNG",
                               help="Loại đối tượng (tên hoặc mã): " + choices_text("audit_entity") + "."),
    actor: str = typer.Option(None, "--actor", help="Chỉ các mục của người thực hiện này (bộ lọc)."),
    limit: int = typer.Option(200, "--limit", min=1, max=MAX_LIMIT, help="Số mục mới nhất tối đa."),
    json_out: bool = typer.Option(False, "--json", help="In dạng JSON (cho máy đọc)."),
    verify: bool = typer.Option(False, "--verify", help="Kiểm tra chuỗi SHA-256 của toàn bộ nhật ký."),
) -> None:
    """Nhật ký kiểm tra: mọi thay đổi trạng thái, ai làm và lúc nào."""
    if action is not None:
        action = action.strip().rstrip(".")
        if not any(code == action or code.startswith(action + ".") for code in AUDIT_ACTION):
            action = choice("audit_action", action, "--action")
    if entity is not None:
        entity = choice("audit_entity", entity, "--entity")
    rt = reading_runtime()
    if verify:
        _verify(rt, json_out)
        return
    q = AuditQuery(cycle_id=rt.cycle_id, since=_day_start(since), until=_day_start(until, 1),
                   action=action, entity=entity, actor=actor, limit=limit)
    if q.since and q.until and q.since >= q.until:
        raise typer.BadParameter("--since phải trước hoặc bằng --until.")
    with rt.db.unit_of_work() as s:
        rows, total = entries(s, q)
    if json_out:
        typer.echo(json.dumps({"total": total, "shown": len(rows), "entries": [entry_json(e) for e in rows]},
                              ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Nhật ký kiểm tra — {rt.plan.cycle_key}")
    for col in ("Số", "Thời điểm", "Người thực hiện", "Hành động", "Đối tượng"):
        table.add_column(col, overflow="fold", no_wrap=col == "Số")
    table.add_column("Chi tiết", overflow="fold", ratio=1)
    for e in rows:
        what = entity_text(e.entity, e.entity_id)
        table.add_row(str(e.id), moment(e.at), escape(actor_name(e.actor)), label("audit_action", e.action),
                      escape(what), escape(audit_detail(e.detail or {}, e.entity)))
    console.print(table)
    if total > len(rows):
        console.print(f"Hiển thị {len(rows)} mục mới nhất trong {total} mục phù hợp; "
                      "dùng --limit hoặc bộ lọc để xem thêm.")
    elif not rows:
        console.print("Không có mục nào phù hợp.")


def _verify(rt, json_out: bool) -> None:
    with rt.db.unit_of_work() as s:
        check = audit_verify(s)
    if json_out:
        typer.echo(json.dumps({"ok": check.ok, "entries": check.count, "head_sha256": check.head,
                               "problems": check.problems}, ensure_ascii=False, indent=2))
    elif check.ok:
        console.print(f"Nhật ký nguyên vẹn: {check.count} mục, chuỗi SHA-256 khớp từ đầu đến cuối.")
        console.print(f"Mã SHA-256 của mục cuối (ghi lại để đối chiếu sau này): {check.head}")
    else:
        for line in check.problems:
            console.print(f"[bold red]Sai lệch:[/] {line}")
        console.print("Nhật ký kiểm tra đã bị thay đổi ngoài ứng dụng.")
    if not check.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``db``, ``export``, ``import`` and ``audit`` commands."""
    app.command("audit")(audit)
    app.add_typer(db_app, name="db")
    app.command("export")(export)
    app.command("import")(import_cmd)
