"""Reports that come in by e-mail: read the office mailbox, take each form in, answer the sender.

Exactly once: a message is recorded by (folder, UIDVALIDITY, UID) after its forms are recorded and
only then marked taken on the server. A run killed in between finds, next time, the forms already
recorded (by content: ``submit`` answers "duplicate") and the answers already queued (idempotent
keys), records the message and marks it; a message recorded but not yet marked is only marked.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from giamsat.collect import mail_records as mr
from giamsat.collect.intake import Incoming
from giamsat.collect.reader import read_report
from giamsat.collect.recording import take_in
from giamsat.collect.records import local_day
from giamsat.collect.service import SubmitResult, limits_for
from giamsat.db.models import Submission
from giamsat.domain.errors import BadDocument
from giamsat.messaging.imap import ImapMailbox
from giamsat.messaging.incoming import IncomingAttachment, IncomingMail
from giamsat.messaging.maildir import MaildirMailbox
from giamsat.runtime import Runtime


@dataclass
class FetchSummary:
    """One fetch: what each new message became, and how many were already taken earlier."""

    source: str
    messages: list[mr.MailOutcome] = field(default_factory=list)
    already: int = 0

    def count(self, status: str) -> int:
        """How many messages ended with ``status`` (taken, needs_person, duplicate)."""
        return sum(1 for m in self.messages if m.status == status)

    def as_dict(self) -> dict:
        """A JSON-friendly summary for the CLI and the flow."""
        return {"source": self.source, "messages": len(self.messages), "already": self.already,
                "taken": self.count("taken"), "needs_person": self.count("needs_person"),
                "duplicate": self.count("duplicate"),
                "details": [m.__dict__ for m in self.messages]}


def open_mailbox(rt: Runtime) -> ImapMailbox | MaildirMailbox:
    """The office mailbox: the IMAP server when configured, else the Maildir under the home."""
    settings = rt.settings.mailbox()
    biggest = limits_for(rt).max_file_bytes * 3 + (1 << 20)  # a form, a signed scan, the text
    if settings.host:
        return ImapMailbox(settings, biggest)
    return MaildirMailbox(settings.maildir, biggest)


def fetch_mail(rt: Runtime, now: dt.datetime,
               on_read: Callable[[IncomingMail], None] | None = None) -> FetchSummary:
    """Take in every new message of the office mailbox; ``on_read`` is a test hook after reading."""
    box = open_mailbox(rt)
    with box:
        summary = FetchSummary(f"{box.folder}")
        for uid in box.pending():
            with rt.db.unit_of_work() as s:
                row = mr.already_taken(s, (box.folder, box.uidvalidity, uid))
                status = row.status if row is not None else None
            if status is not None:
                box.mark_taken(uid, seen=status != "needs_person")
                summary.already += 1
                continue
            mail = box.read(uid, limits_for(rt).max_file_bytes)
            if on_read is not None:
                on_read(mail)
            outcome = take_mail(rt, mail, now)
            box.mark_taken(uid, seen=outcome.status != "needs_person")
            summary.messages.append(outcome)
    return summary


def take_mail(rt: Runtime, mail: IncomingMail, now: dt.datetime) -> mr.MailOutcome:
    """Take in one message: its forms as reports, its signed PDF kept, else kept for a person."""
    arrived = min(mail.arrived_at or now, now)
    outcome = mr.MailOutcome(mail.uid, mail.sender, mail.subject, "taken")
    with rt.db.unit_of_work() as s:
        earlier = mr.same_message(s, mail) if mail.attachments else None
        if earlier is not None:
            outcome.status, outcome.note = "duplicate", f"trùng thư TH-{earlier.id:05d}"
    if outcome.status != "duplicate":
        _take_files(rt, mail, arrived, now, outcome)
    try:
        with rt.db.unit_of_work() as s:
            mr.record_mail(rt, s, mail, outcome, arrived, now)
    except IntegrityError:
        pass  # a concurrent fetch recorded this very message first: nothing to add
    return outcome


def _take_files(rt: Runtime, mail: IncomingMail, arrived: dt.datetime, now: dt.datetime,
                outcome: mr.MailOutcome) -> None:
    forms = mail.forms
    ids: list[int] = []
    for att in forms:
        result = _take_form(rt, mail, att, arrived)
        entry = {"name": att.filename, "sha256": att.sha256, "kind": "form",
                 "status": result.status, "submission_id": result.duplicate_of or result.submission_id,
                 "unit": result.unit_key}
        sub_id = result.duplicate_of or result.submission_id
        if sub_id is not None:
            ids.append(sub_id)
            entry["status"] = _status_of(rt, sub_id, result)
            with rt.db.unit_of_work() as s:
                entry["answer_id"] = mr.answer_sender(rt, s, sub_id, mail.sender, now)
        outcome.files.append(entry)
    for att in mail.attachments:
        if att.kind != "form":
            outcome.files.append({"name": att.filename, "sha256": att.sha256, "kind": att.kind,
                                  "stored_path": mr.keep_file(rt, att), "signed_for": ids})
    unknown = [f for f in outcome.files if f["kind"] == "form" and not f.get("unit")]
    if not forms or unknown:
        outcome.status = "needs_person"
        outcome.note = _why_kept(forms, unknown, mail.skipped)
    elif mail.skipped:
        outcome.note = "; ".join(mail.skipped)


def _why_kept(forms: list, unknown: list, skipped: tuple[str, ...]) -> str:
    if not forms:
        why = "thư không kèm tệp đề cương (.docx)"
    else:
        why = "không xác định được đơn vị gửi của tệp " + ", ".join(f["name"] for f in unknown)
    return "; ".join([why, *skipped])


def _status_of(rt: Runtime, submission_id: int, result: SubmitResult) -> str:
    if result.status != "duplicate":
        return result.status
    with rt.db.unit_of_work() as s:
        sub = s.get(Submission, submission_id)
        return f"duplicate:{sub.status}" if sub is not None else "duplicate"


def _take_form(rt: Runtime, mail: IncomingMail, att: IncomingAttachment,
               arrived: dt.datetime) -> SubmitResult:
    work_root = rt.path("mail-work", "_")
    work_root.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_root.parent) as work:
        path = Path(work) / f"{att.sha256}.docx"
        path.write_bytes(att.data)
        code = _sender_unit_code(rt, mail.sender, arrived, path)
    item = Incoming(att.data, att.filename, arrived, "mail", code, mail.sender or None)
    outcome = take_in(rt, [item], arrived)[0]
    assert outcome is not None  # without on_error, take_in raises instead
    return outcome


def _sender_unit_code(rt: Runtime, sender: str, arrived: dt.datetime, path: Path) -> str | None:
    """The sender's unit, used only when the form itself does not say whose it is."""
    day = local_day(rt, arrived)
    unit = next((u for u in rt.plan.units if u.email.lower() == sender and u.valid_from <= day
                 and (u.valid_to is None or u.valid_to >= day)), None) if sender else None
    if unit is None:
        return None
    try:
        marker = read_report(path, limits_for(rt)).marker
    except BadDocument:
        marker = None
    return None if marker is not None else unit.code
