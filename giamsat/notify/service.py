"""Step "notify": the plan, a letter and the outline to every unit, its report obligation, one e-mail.

Documents are rendered once per cycle (recorded in the Document table by key); obligations and
messages are written in one transaction with the step's completion, so a re-run adds nothing.
Unless the plan allows drafts to go out (``documents.allow_drafts``), the step waits for the
văn thư to register the signed plan (``giamsat doc register``) before writing the letters, which
cite its number, and sends a unit its e-mail once its letter is registered too; registered
documents go out as their signed PDFs. Units go in chunks: each chunk's files are stamped from
templates rendered once (see ``giamsat.docx.stamp``) and written with one sync, its rows inserted
in bulk, so time grows linearly with the units and memory stays bounded by the chunk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from giamsat.cycle.sync import mark_step_done, unit_rows_on
from giamsat.db import audit
from giamsat.db.models import Document, Message, Obligation
from giamsat.domain import clock
from giamsat.domain.formatting import doc_number, in_sentence
from giamsat.issuance.citations import Issued, cited, issued_by_key
from giamsat.issuance.kinds import ISSUED
from giamsat.links.service import urls_for
from giamsat.messaging.outbox import Attachment, idempotency_key, insert_pending, pending_row
from giamsat.messaging.templates import StampedEmails, render_email
from giamsat.notify.letter import common_context, plan_number, render_plan
from giamsat.notify.recipients import queue_recipients
from giamsat.notify.render import Doc, UnitDocuments
from giamsat.plan.schema import Unit
from giamsat.plan.wording import unit_words
from giamsat.runtime import Runtime

CHUNK = 500
D, OB, M = Document.__table__, Obligation.__table__, Message.__table__


@dataclass
class NotifySummary:
    """What one run of the step did (counts of new rows; a re-run reports zeros)."""

    units: int
    messages_queued: int = 0
    obligations_created: int = 0
    documents_rendered: int = 0
    documents: list[Path] = field(default_factory=list)
    waiting_for_signature: int = 0  # documents to register before their e-mails can go out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _existing_docs(s: Session, rt: Runtime) -> dict[str, Any]:
    prefix = f"{rt.plan.cycle_key}:notify:"
    return {r.key: r for r in s.execute(select(D.c.id, D.c.key, D.c.path, D.c.sha256, D.c.created_at,
                                               D.c.status).where(D.c.key.startswith(prefix)))}


def _plan_doc(rt: Runtime, known: dict[str, Any]) -> tuple[Doc, bool]:
    """The plan (one document for all units): rendered unless it is on disk unaltered or issued."""
    key, row = f"{rt.plan.cycle_key}:notify:plan", known.get(f"{rt.plan.cycle_key}:notify:plan")
    if row is not None and row.status == ISSUED:  # the registered draft is never written again
        return Doc(key, "plan", Path(row.path), Path(row.path).name, sha256=row.sha256), False
    draft = not rt.plan.documents.allow_drafts
    number = "du-thao" if draft else plan_number(rt.plan).replace("/", "-")
    path = rt.path("documents", "notify", f"ke-hoach-{number}.docx")
    doc = Doc(key, "plan", path, f"Kế hoạch {number}.docx".replace("du-thao", "(dự thảo)"))
    if row is not None and path.exists() and (sha := _sha256(path)) == row.sha256:
        return doc.with_sha(sha), False
    render_plan(rt.plan, rt.calendar, path, draft=draft)
    return doc.with_sha(_sha256(path)), True


def _record_docs(s: Session, rt: Runtime, docs: list[Doc], known: dict[str, Any],
                 unit_ids: dict[str, int], now: dt.datetime) -> None:
    """Insert the new documents' rows in bulk; update those rendered again."""
    new = []
    for d in docs:
        row = known.get(d.key)
        values = {"unit_id": unit_ids.get(d.unit_key) if d.unit_key else None,
                  "path": str(d.path), "sha256": d.sha256}
        if row is None:
            new.append({"cycle_id": rt.cycle_id, "key": d.key, "kind": f"notify_{d.kind}",
                        "created_at": now, "visit_id": None, **values})
        elif (row.path, row.sha256) != (values["path"], values["sha256"]) and row.status != ISSUED:
            s.execute(update(D).where(D.c.id == row.id).values(**values))
    if new:
        s.execute(insert(D), new)


def _obligation_ids(s: Session, rt: Runtime, units: list[Unit], known: dict[str, int],
                    unit_ids: dict[str, int], now: dt.datetime) -> int:
    """Create the missing report obligations of ``units`` (in bulk); fills ``known``; returns how many."""
    missing = [u for u in units if f"report:{u.key}" not in known]
    if not missing:
        return 0
    s.execute(insert(OB), [{"cycle_id": rt.cycle_id, "kind": "report", "key": f"report:{u.key}",
                           "unit_id": unit_ids[u.key], "visit_id": None, "recommendation_id": None,
                           "due_on": rt.plan.report.deadline, "status": "open", "met_at": None,
                           "created_at": now} for u in missing])
    keys = [f"report:{u.key}" for u in missing]
    known.update(s.execute(select(OB.c.key, OB.c.id).where(OB.c.cycle_id == rt.cycle_id, OB.c.key.in_(keys)))
                 .tuples().all())
    return len(missing)


def _email_base(rt: Runtime) -> dict:
    plan = rt.plan
    letter = plan.notification_letter
    return {
        **common_context(plan, rt.calendar),
        "letter_number": doc_number(letter.number, None, plan.bodies.office.code or "")
        .removeprefix("Số: ") if letter else "", "plan_date": plan.plan_document.issued_on,
        "deadline": plan.report.deadline, "office_name": plan.bodies.office.short,
        "has_link": bool(rt.settings.web_url),
    }


def _emails(rt: Runtime, renderer: UnitDocuments, plan_name: str) -> StampedEmails:
    """The notification e-mail, rendered once and stamped with each unit's name and letter."""
    base = _email_base(rt)

    def render(ctx: dict) -> tuple[str, str, str]:
        outline = renderer.filenames(ctx["unit_name"])[1]
        names = [ctx["letter_name"], plan_name, outline]
        return render_email("notify_plan", base | ctx | {"attachments": names})
    return StampedEmails(render)


@dataclass
class _Outgoing:
    """What the e-mails of this run attach: the plan as issued (or its draft) and the issued letters."""

    plan: Attachment
    letters: dict[str, Issued]
    drafts_ok: bool
    letter_number: str  # cited in the e-mail until the unit's letter is registered with its own
    waiting: int = 0

    def letter(self, doc: Doc, unit: Unit) -> Attachment | None:
        """The unit's letter: signed if registered, the draft if drafts may go, else None (wait)."""
        issued = self.letters.get(doc.key)
        if issued is not None:
            return issued.attachment("Công văn", unit.name)
        return Attachment(doc.path, doc.filename) if self.drafts_ok else None


def _queue_chunk(s: Session, rt: Runtime, units: list[Unit], docs: dict[tuple[str, str], Doc],
                 out: _Outgoing, ids: tuple[dict[str, int], dict[str, int]], queued: set[str],
                 emails: StampedEmails, now: dt.datetime) -> int:
    """One notification per unit of the chunk not yet queued (and not waiting), in one statement."""
    unit_ids, obligation_ids = ids
    links = urls_for(rt, s, [unit_ids[u.key] for u in units], now)
    rows = []
    for u in units:
        key = idempotency_key(rt.plan.cycle_key, "notify", "plan_letter", u.key)
        if key in queued:
            continue
        letter = out.letter(docs[u.key, "letter"], u)
        if letter is None:
            out.waiting += 1
            continue
        outline = docs[u.key, "outline"]
        atts = [letter, out.plan, Attachment(outline.path, outline.filename)]
        issued = out.letters.get(docs[u.key, "letter"].key)
        number = issued.number if issued is not None and issued.number else out.letter_number
        addressee = unit_words(rt.plan, u)["unit_addressee"]
        subject, text, html = emails.render((), {}, {"unit_name": u.name, "letter_name": letter.filename,
                                                     "unit_in_sentence": in_sentence(u.name),
                                                     "unit_addressee": addressee,
                                                     "letter_number": number,
                                                     "commune_link": links.get(unit_ids[u.key], "")})
        rows.append(pending_row(cycle_id=rt.cycle_id, key=key, kind="notify_plan", to=[u.email], cc=[],
                                subject=subject, text=text, html=html, now=now, attachments=atts,
                                unit_id=unit_ids[u.key], obligation_id=obligation_ids[f"report:{u.key}"]))
        queued.add(key)
    return len(insert_pending(s, rows))


def _outgoing(s: Session, rt: Runtime, plan_doc: Doc) -> _Outgoing | None:
    """The run's attachments; None while the plan waits for its signature (drafts not allowed)."""
    issued = issued_by_key(s, rt, f"{rt.plan.cycle_key}:notify:")
    plan = issued.get(plan_doc.key)
    drafts_ok = rt.plan.documents.allow_drafts
    if plan is None and not drafts_ok:
        return None
    attachment = plan.attachment("Kế hoạch") if plan else Attachment(plan_doc.path, plan_doc.filename)
    return _Outgoing(attachment, issued, drafts_ok, _email_base(rt)["letter_number"])


def notify(rt: Runtime, as_of: dt.date) -> NotifySummary:
    """Notify every unit valid on ``as_of`` and every other recipient of the plan; idempotent: a
    re-run queues and creates nothing."""
    now = clock.at_office_hours(as_of)
    rt = cited(rt)  # later documents cite the registered plan's number and date
    units = rt.plan.units_on(as_of)
    summary = NotifySummary(units=len(units))
    renderer = UnitDocuments(rt, as_of)
    with rt.db.unit_of_work() as s:
        known = _existing_docs(s, rt)
        unit_ids = {f"{r.code}@{r.valid_from.isoformat()}": r.id for r in unit_rows_on(s, rt.cycle_id, as_of)}
        plan_doc, fresh = _plan_doc(rt, known)
        _record_docs(s, rt, [plan_doc], known, unit_ids, now)
        summary.documents_rendered += fresh
        summary.documents.append(plan_doc.path)
        out = _outgoing(s, rt, plan_doc)
        if out is None:  # the letters cite the plan's number: written once it is registered
            summary.waiting_for_signature = 1
            _record_wait(s, rt, now, summary)
            return summary
        emails = _emails(rt, renderer, out.plan.filename)
        obligations = dict(s.execute(select(OB.c.key, OB.c.id).where(OB.c.cycle_id == rt.cycle_id,
                                                                   OB.c.kind == "report")).tuples().all())
        queued = set(s.scalars(select(M.c.idempotency_key).where(M.c.cycle_id == rt.cycle_id,
                                                                 M.c.kind == "notify_plan")))
        for start in range(0, len(units), CHUNK):
            chunk = units[start:start + CHUNK]
            docs, rendered = renderer.render(chunk, known)
            summary.documents_rendered += rendered
            summary.documents += [d.path for d in docs.values()]
            _record_docs(s, rt, list(docs.values()), known, unit_ids, now)
            summary.obligations_created += _obligation_ids(s, rt, chunk, obligations, unit_ids, now)
            summary.messages_queued += _queue_chunk(s, rt, chunk, docs, out,
                                                    (unit_ids, obligations), queued, emails, now)
        summary.messages_queued += queue_recipients(s, rt, out.plan, now)
        summary.waiting_for_signature = out.waiting
        _finish(s, rt, now, summary)
    return summary


def _finish(s: Session, rt: Runtime, now: dt.datetime, summary: NotifySummary) -> None:
    """Mark the step done, unless some units wait for their signed letter."""
    if summary.waiting_for_signature:
        _record_wait(s, rt, now, summary)
        return
    mark_step_done(s, rt.cycle_id, "notify", now, actor=rt.actor)
    audit.record(s, at=now, actor=rt.actor, action="notify.run", entity="step", entity_id="notify",
                 cycle_id=rt.cycle_id, units=summary.units, queued=summary.messages_queued,
                 obligations=summary.obligations_created, rendered=summary.documents_rendered)


def _record_wait(s: Session, rt: Runtime, now: dt.datetime, summary: NotifySummary) -> None:
    """Audit that the step waits for signed documents (the step stays open)."""
    audit.record(s, at=now, actor=rt.actor, action="notify.waiting", entity="step", entity_id="notify",
                 cycle_id=rt.cycle_id, waiting_for_signature=summary.waiting_for_signature,
                 queued=summary.messages_queued)
