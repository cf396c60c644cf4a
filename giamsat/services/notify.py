"""Step "notify": the plan, a letter and the outline to every unit, its report obligation, one e-mail.

Documents are rendered once per cycle (recorded in the Document table by key); obligations and
messages are written in one transaction with the step's completion, so a re-run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat import clock
from giamsat.db import audit
from giamsat.db.models import Document, Obligation
from giamsat.documents.notification import (
    common_context,
    in_sentence,
    plan_number,
    render_letter,
    render_plan,
)
from giamsat.documents.outline import render_outline
from giamsat.formatting import doc_number
from giamsat.messaging.outbox import Attachment, enqueue, idempotency_key
from giamsat.plan import Unit
from giamsat.runtime import Runtime
from giamsat.services.cycle import mark_step_done, unit_rows_on


@dataclass
class NotifySummary:
    """What one run of the step did (counts of new rows; a re-run reports zeros)."""

    units: int
    messages_queued: int = 0
    obligations_created: int = 0
    documents_rendered: int = 0
    documents: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class _Doc:
    key: str
    kind: str
    path: Path
    filename: str
    unit_key: str | None = None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _existing_docs(rt: Runtime) -> dict[str, Document]:
    with rt.db.unit_of_work() as s:
        prefix = f"{rt.plan.cycle_key}:notify:"
        return {d.key: d for d in s.scalars(select(Document).where(Document.key.startswith(prefix)))}


def _render(rt: Runtime, as_of: dt.date, units: list[Unit],
            known: dict[str, Document]) -> tuple[list[_Doc], int]:
    """Render what is missing (or was altered on disk); returns every document and how many were new."""
    plan, cal, ck = rt.plan, rt.calendar, rt.plan.cycle_key
    folder = rt.path("documents", "notify", "x").parent
    number = plan_number(plan).replace("/", "-")
    docs = [_Doc(f"{ck}:notify:plan", "plan", folder / f"ke-hoach-{number}.docx",
                 f"Kế hoạch {number}.docx")]
    letter_no = doc_number(plan.notification_letter.number, None, plan.bodies.office.code or "") \
        .removeprefix("Số: ").replace("/", "-") if plan.notification_letter else "cong-van"
    for u in units:
        slug = f"{u.code}-{u.valid_from:%Y%m%d}"
        docs.append(_Doc(f"{ck}:notify:letter:{u.key}", "letter", folder / f"cong-van-{slug}.docx",
                         f"Công văn {letter_no} - {u.name}.docx", u.key))
        docs.append(_Doc(f"{ck}:notify:outline:{u.key}", "outline", folder / f"de-cuong-{slug}.docx",
                         f"Đề cương báo cáo - {u.name}.docx", u.key))
    by_key = {u.key: u for u in units}
    rendered = 0
    for d in docs:
        row = known.get(d.key)
        if row is not None and d.path.exists() and _sha256(d.path) == row.sha256:
            continue
        issued = row.created_at.astimezone(clock.TZ).date() if row else as_of
        if d.kind == "plan":
            render_plan(plan, cal, d.path)
        elif d.kind == "letter":
            render_letter(plan, cal, by_key[d.unit_key], issued, d.path)
        else:
            render_outline(plan, by_key[d.unit_key], d.path, ck)
        rendered += 1
    return docs, rendered


def _record_docs(s: Session, rt: Runtime, docs: list[_Doc], unit_ids: dict[str, int],
                 now: dt.datetime) -> None:
    for d in docs:
        row = s.scalar(select(Document).where(Document.key == d.key))
        if row is None:
            row = Document(cycle_id=rt.cycle_id, key=d.key, kind=f"notify_{d.kind}", created_at=now)
            s.add(row)
        row.unit_id = unit_ids.get(d.unit_key) if d.unit_key else None
        row.path, row.sha256 = str(d.path), _sha256(d.path)


def _obligation(s: Session, rt: Runtime, unit_id: int, unit: Unit, now: dt.datetime) -> tuple[int, bool]:
    key = f"report:{unit.key}"
    row = s.scalar(select(Obligation).where(Obligation.cycle_id == rt.cycle_id, Obligation.key == key))
    if row is not None:
        return row.id, False
    row = Obligation(cycle_id=rt.cycle_id, kind="report", key=key, unit_id=unit_id,
                     due_on=rt.plan.report.deadline, status="open", created_at=now)
    s.add(row)
    s.flush()
    return row.id, True


def _email_context(rt: Runtime, unit: Unit, attachments: list[Attachment]) -> dict:
    plan = rt.plan
    letter = plan.notification_letter
    return {
        **common_context(plan, rt.calendar), "unit_name": unit.name,
        "unit_in_sentence": in_sentence(unit.name), "district": plan.district.name,
        "letter_number": doc_number(letter.number, None, plan.bodies.office.code or "")
        .removeprefix("Số: ") if letter else "", "plan_date": plan.plan_document.issued_on,
        "deadline": plan.report.deadline, "office_name": plan.bodies.office.short,
        "attachments": [a.filename for a in attachments],
    }


def notify(rt: Runtime, as_of: dt.date) -> NotifySummary:
    """Notify every unit valid on ``as_of``; idempotent: a re-run queues and creates nothing."""
    now = clock.at_office_hours(as_of)
    units = rt.plan.units_on(as_of)
    docs, rendered = _render(rt, as_of, units, _existing_docs(rt))
    summary = NotifySummary(units=len(units), documents_rendered=rendered,
                            documents=[d.path for d in docs])
    by_unit = {d.unit_key: d for d in docs if d.kind == "letter"}, \
        {d.unit_key: d for d in docs if d.kind == "outline"}
    plan_doc = docs[0]
    with rt.db.unit_of_work() as s:
        unit_ids = {f"{r.code}@{r.valid_from.isoformat()}": r.id for r in unit_rows_on(s, rt.cycle_id, as_of)}
        _record_docs(s, rt, docs, unit_ids, now)
        for u in units:
            ob_id, created = _obligation(s, rt, unit_ids[u.key], u, now)
            summary.obligations_created += created
            atts = [Attachment(d.path, d.filename) for d in (by_unit[0][u.key], plan_doc, by_unit[1][u.key])]
            _, queued = enqueue(s, cycle_id=rt.cycle_id, key=idempotency_key(
                rt.plan.cycle_key, "notify", "plan_letter", u.key), kind="notify_plan", to=[u.email],
                template="notify_plan", context=_email_context(rt, u, atts), now=now,
                attachments=atts, unit_id=unit_ids[u.key], obligation_id=ob_id)
            summary.messages_queued += queued
        mark_step_done(s, rt.cycle_id, "notify", now, actor=rt.actor)
        audit.record(s, at=now, actor=rt.actor, action="notify.run", entity="step", entity_id="notify",
                     cycle_id=rt.cycle_id, units=len(units), queued=summary.messages_queued,
                     obligations=summary.obligations_created, rendered=rendered)
    return summary
