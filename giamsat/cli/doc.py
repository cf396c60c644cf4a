"""``giamsat doc``: the cycle's documents — drafts, the PDF to sign, the signed original, the register."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from giamsat.cli.common import AS_OF, actor, console, moment_of, parse_date, reading_runtime, runtime
from giamsat.cli.ui.present import choice, choices_text, moment
from giamsat.domain.formatting import short_date
from giamsat.issuance.kinds import KINDS, kind_of

KIND_LABELS = {code: k.label for code, k in KINDS.items()}

doc_app = typer.Typer(help="Văn bản của chu kỳ: dự thảo, bản PDF để ký, bản gốc đã ký số, sổ đăng ký.",
                      no_args_is_help=True)


def _signers_text(signers: list[dict]) -> str:
    return "\n".join(f"{s['name']} ({moment(s['signed_at'])})" for s in signers)


@doc_app.command("list")
def list_cmd(json_out: bool = typer.Option(False, "--json", help="In dạng JSON (cho máy đọc)."),
             kind: str = typer.Option(None, "--kind", metavar="LOẠI",
                                      help="Chỉ một loại (tên hoặc mã): " + choices_text(KIND_LABELS) + "."),
             ) -> None:
    """Mọi văn bản của chu kỳ: loại, trạng thái (dự thảo / đã ký, phát hành), số, ngày, người ký."""
    from giamsat.issuance import service

    kind = choice(KIND_LABELS, kind, "--kind") if kind is not None else None
    rt = reading_runtime()
    docs = service.documents(rt, kind)
    if json_out:
        typer.echo(json.dumps([d.as_json() for d in docs], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Văn bản — {rt.plan.cycle_key}")
    for col in ("Mã", "Loại", "Trạng thái", "Số, ký hiệu", "Ngày", "Người ký (thời điểm ký)", "Tệp"):
        table.add_column(col, overflow="fold", no_wrap=col == "Mã")
    for d in docs:
        table.add_row(str(d.id), kind_of(d.kind).label, d.status_label, escape(d.number or ""),
                      short_date(d.issued_on) if d.issued_on else "",
                      escape(_signers_text(d.signers)), escape(Path(d.signed_path or d.path).name))
    console.print(table)
    drafts = sum(1 for d in docs if d.status == "draft")
    console.print(f"{len(docs)} văn bản; {drafts} dự thảo chưa đăng ký bản đã ký số.")


@doc_app.command("export")
def export_cmd(doc_id: int = typer.Argument(..., metavar="ID", help="Mã văn bản (xem: giamsat doc list)."),
               out: Path = typer.Option(..., "--pdf", metavar="FILE", help="Tệp PDF sẽ ghi."),
               ) -> None:
    """Xuất dự thảo ra PDF để trình ký số trên hệ thống quản lý văn bản."""
    from giamsat.issuance import service

    path = service.export_pdf(reading_runtime(), doc_id, out)
    console.print(f"Đã xuất {escape(str(path))}: trình ký số (cá nhân, rồi cơ quan) trên hệ thống quản lý "
                  f"văn bản, sau đó đăng ký bản đã ký: giamsat doc register {doc_id} --signed <tệp>.pdf")


@doc_app.command("register")
def register_cmd(doc_id: int = typer.Argument(..., metavar="ID", help="Mã văn bản (xem: giamsat doc list)."),
                 signed: Path = typer.Option(..., "--signed", metavar="FILE.pdf", help="Bản PDF đã ký số."),
                 number: str = typer.Option(None, "--number", metavar="N",
                                            help="Số văn thư cấp: 52 hoặc 52/KH-UBND."),
                 date: str = typer.Option(None, "--date", metavar="D",
                                          help="Ngày ban hành (mặc định: ngày người có thẩm quyền ký số)."),
                 as_of: str = AS_OF) -> None:
    """Kiểm tra chữ ký số của bản PDF đã ký và đăng ký văn bản (số, ngày, người ký)."""
    from giamsat.issuance import service

    now = moment_of(as_of, 10)
    rt = runtime(now)
    day = parse_date(date) if date else None
    done = service.register(rt, doc_id, signed, number, day, now, actor())
    d = done.doc
    if not done.changed:
        console.print(f"Văn bản {d.id} đã được đăng ký bằng chính tệp này trước đó; không ghi gì thêm.")
    shown = short_date(d.issued_on) if d.issued_on else ""
    console.print(f"Đã đăng ký văn bản {d.id} ({kind_of(d.kind).label}): "
                  f"số {escape(d.number or '(không số)')}, ngày {shown}")
    for s in done.signers:
        trust = "chứng thư tin cậy" if s.trusted else "chưa đối chiếu chứng thư gốc"
        console.print(f"  Ký số: {escape(s.name)} — {moment(s.signed_at)} ({trust})")
    console.print(f"  SHA-256 bản gốc điện tử: {d.signed_sha256}")


@doc_app.command("register-book")
def register_book_cmd(out: Path = typer.Option(..., "--csv", metavar="FILE", help="Tệp CSV sẽ ghi."),
                      ) -> None:
    """Sổ đăng ký văn bản đi (CSV): số, ngày, trích yếu, người ký, nơi nhận, số lượng bản."""
    from giamsat.issuance import book

    path, count = book.write(reading_runtime(), out)
    console.print(f"Đã ghi sổ đăng ký văn bản đi: {escape(str(path))} ({count} văn bản đã phát hành).")


def register(app: typer.Typer) -> None:
    """Add the ``doc`` command group."""
    app.add_typer(doc_app, name="doc")
