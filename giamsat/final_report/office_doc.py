"""What the office's own reports share: its Decree 30 header, ``Kính gửi`` the committee, its
signature, and the Document row that records a written report."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy import select

from giamsat.db.audit import record
from giamsat.db.models import Document
from giamsat.docx.decree30 import OfficialDocument, Signer
from giamsat.domain import clock
from giamsat.domain.formatting import doc_number, place_date
from giamsat.issuance.kinds import blank_number, blank_place_date
from giamsat.plan import places
from giamsat.plan.schema import Plan
from giamsat.runtime import Runtime


def office_document(plan: Plan, kind: str, number: int | None, as_of: dt.date,
                    summary: str) -> OfficialDocument:
    """A report in the office's name (not the committee's) to the committee; ``number`` None: a
    draft whose number and date the văn thư fills in."""
    office = plan.bodies.office
    code = office.code or "LĐTBXH"
    doc = OfficialDocument(
        parent_body=office.parent, issuing_body=office.name,
        number_line=blank_number(kind, plan) if number is None else doc_number(number, "BC", code),
        place_date=blank_place_date(plan.issuer.place_name, as_of.year) if number is None
        else place_date(plan.issuer.place_name, as_of),
        type_title="Báo cáo", summary=summary)
    committee = f"{places.committee_ref_long(plan.issuer.level)} {plan.issuer.name}"
    doc.centered(f"Kính gửi: {committee}.", size=14, space_before=6)
    return doc


def sign_office(doc: OfficialDocument, plan: Plan, recipients: list[str]) -> None:
    """The office's signature block; the archive copy stays with the office's văn thư."""
    s = plan.signatories.office
    doc.signature(Signer(s.title, s.name, s.capacity, s.delegation), recipients,
                  f"VT, {plan.bodies.office.code or 'LĐTBXH'}")


def record_document(rt: Runtime, kind: str, key: str, path: Path, as_of: dt.date, **detail: object) -> None:
    """Upsert the Document row of a written report and audit the writing (``<kind>.write``)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    now = clock.at_office_hours(as_of, 16)
    with rt.db.unit_of_work() as s:
        row = s.scalar(select(Document).where(Document.key == key))
        if row is None:
            row = Document(cycle_id=rt.cycle_id, key=key, kind=kind, created_at=now, path="", sha256="")
            s.add(row)
        row.path, row.sha256 = str(path), digest
        record(s, at=now, actor=rt.actor, action=f"{kind}.write", entity="document", entity_id=key,
               cycle_id=rt.cycle_id, path=str(path), sha256=digest, **detail)
