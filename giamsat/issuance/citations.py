"""What later documents cite: the registered number and date of an issued document, else the plan's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db.models import Document
from giamsat.issuance.kinds import ISSUED
from giamsat.messaging.outbox import Attachment
from giamsat.runtime import Runtime


@dataclass(frozen=True)
class Issued:
    """A registered document as another document or an e-mail uses it."""

    key: str
    number: str | None
    signed_path: Path

    def attachment(self, label: str, unit_name: str | None = None) -> Attachment:
        """The signed PDF as it goes out, named by kind, number (and unit): ``Kế hoạch 52-KH-UBND.pdf``."""
        name = f"{label} {(self.number or '').replace('/', '-')}".strip()
        return Attachment(self.signed_path, name + (f" - {unit_name}" if unit_name else "") + ".pdf",
                          content_type="application/pdf")


def plan_key(rt: Runtime) -> str:
    """The document key of the cycle's plan (written by notify)."""
    return f"{rt.plan.cycle_key}:notify:plan"


def issued_by_key(s: Session, rt: Runtime, prefix: str) -> dict[str, Issued]:
    """The registered documents whose key starts with ``prefix``."""
    rows = s.execute(select(Document.key, Document.number, Document.signed_path).where(
        Document.cycle_id == rt.cycle_id, Document.status == ISSUED, Document.key.startswith(prefix)))
    return {k: Issued(k, n, Path(p)) for k, n, p in rows if p}


def cited(rt: Runtime) -> Runtime:
    """The runtime whose plan cites the registered plan's number and date (the file's until then)."""
    with rt.db.unit_of_work() as s:
        row = s.execute(select(Document.number, Document.issued_on).where(
            Document.key == plan_key(rt), Document.status == ISSUED)).first()
    if row is None or row.number is None or row.issued_on is None:
        return rt
    leading = re.match(r"\s*(\d+)", row.number)
    if leading is None:
        return rt
    pd = rt.plan.plan_document.model_copy(update={"number": int(leading.group(1)),
                                                  "issued_on": row.issued_on})
    return rt.replace(plan=rt.plan.model_copy(update={"plan_document": pd}))
