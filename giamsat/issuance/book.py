"""The register of outgoing documents (sổ đăng ký văn bản đi), as a CSV the văn thư keeps."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from giamsat.db.models import Document, Unit
from giamsat.files.spreadsheet import write_csv
from giamsat.issuance import kinds
from giamsat.issuance.kinds import ISSUED
from giamsat.plan.schema import Plan
from giamsat.runtime import Runtime

HEADER = ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản",
          "Người ký", "Thời điểm ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản",
          "Mã SHA-256 bản gốc điện tử"]


def summary(kind: str, plan: Plan) -> str:
    """The document's type and summary (tên loại và trích yếu)."""
    label = kinds.KINDS[kind].label if kind in kinds.KINDS else kind
    if kind == "plan":
        return f"{label} {plan.plan_document.summary}"
    if kind == "letter" and plan.notification_letter:
        return f"{label} {plan.notification_letter.summary}"
    if kind in ("interim_report", "final_report"):
        return f"{label} {plan.programme.short} năm {plan.year}"
    if kind in ("office_report", "adhoc_report"):
        return f"{label} {plan.programme.short} năm {plan.year}"
    return label


def recipients(kind: str, plan: Plan, unit_name: str | None) -> tuple[list[str], str]:
    """Nơi nhận and the archive copy, as the plan lists them for this kind."""
    r = plan.recipients
    if kind == "plan":
        return list(r.plan), r.plan_archive
    if kind == "letter":
        return [n for n in [unit_name, *r.letter] if n and n != "Như trên"], r.letter_archive
    if kind in ("interim_report", "final_report"):
        return list(r.final_report), r.final_report_archive
    if kind in ("office_report", "adhoc_report"):
        return [plan.bodies.committee.short], f"VT, {plan.bodies.office.code or 'LĐTBXH'}"
    return ([unit_name] if unit_name else []), ""


def rows(rt: Runtime) -> list[list[object]]:
    """One row per registered document, in the order of their dates and numbers."""
    with rt.db.unit_of_work() as s:
        found = s.execute(select(Document, Unit.name).outerjoin(Unit, Unit.id == Document.unit_id)
                          .where(Document.cycle_id == rt.cycle_id, Document.status == ISSUED)
                          .order_by(Document.issued_on, Document.registered_at, Document.id)).all()
        out = []
        for doc, unit_name in found:
            kind = kinds.public_kind(doc.kind)
            to, archive = recipients(kind, rt.plan, unit_name)
            signers = doc.signers or []
            out.append([doc.number or "", doc.issued_on.strftime("%d/%m/%Y") if doc.issued_on else "",
                        summary(kind, rt.plan), "; ".join(x["name"] for x in signers),
                        "; ".join(x["signed_at"] for x in signers), "; ".join(to),
                        f"Lưu: {archive}" if archive else "", len(to) + (1 if archive else 0),
                        doc.signed_sha256 or ""])
    return out


def write(rt: Runtime, out: Path) -> tuple[Path, int]:
    """Write the register to ``out``; returns the path and how many documents it lists."""
    data = rows(rt)
    return write_csv(Path(out), HEADER, data), len(data)
