"""What the mail intake writes besides the submission: the mail row, kept files, the answers."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.collect.records import local_day
from giamsat.db import audit
from giamsat.db.models import MailIntake, Message, Submission
from giamsat.docx.stamp import BatchWriter
from giamsat.files.fsutil import DiskSync
from giamsat.messaging.incoming import IncomingAttachment, IncomingMail
from giamsat.messaging.outbox import enqueue, idempotency_key, pending_row
from giamsat.runtime import Runtime


@dataclass
class MailOutcome:
    """What one message became: taken (reports), kept for a person, or seen before."""

    uid: str
    sender: str
    subject: str
    status: str
    files: list[dict] = field(default_factory=list)
    note: str = ""
    arrived: dt.datetime | None = field(default=None, repr=False, compare=False)


def fingerprint(mail: IncomingMail) -> str:
    """SHA-256 over the sorted attachment hashes: the same message under another UID matches."""
    joined = "\n".join(sorted(a.sha256 for a in mail.attachments))
    return hashlib.sha256(joined.encode()).hexdigest()


def already_taken(s: Session, mail_key: tuple[str, int, str]) -> MailIntake | None:
    """The row of a message already taken in, by (folder, UIDVALIDITY, UID)."""
    folder, uidvalidity, uid = mail_key
    return s.scalar(select(MailIntake).where(MailIntake.folder == folder,
                                             MailIntake.uidvalidity == uidvalidity,
                                             MailIntake.uid == uid))


def taken_statuses(s: Session, folder: str, uidvalidity: int, uids: list[str]) -> dict[str, str]:
    """The status of each of ``uids`` already taken in (one query for a chunk of messages)."""
    return dict(s.execute(select(MailIntake.uid, MailIntake.status).where(
        MailIntake.folder == folder, MailIntake.uidvalidity == uidvalidity,
        MailIntake.uid.in_(uids))).tuples().all()) if uids else {}


def message_key(mail: IncomingMail) -> str:
    """Message-ID and attachments: the same message delivered twice has the same key."""
    return f"{mail.message_id}\n{fingerprint(mail)}"


def earlier_rows(s: Session, mails: list[IncomingMail]) -> dict[str, int]:
    """The first row id of each of ``mails`` taken in before (by ``message_key``), in one query."""
    if not mails:
        return {}
    out: dict[str, int] = {}
    rows = s.execute(select(MailIntake.id, MailIntake.message_id, MailIntake.fingerprint).where(
        MailIntake.message_id.in_({m.message_id for m in mails})).order_by(MailIntake.id))
    for row_id, message_id, fp in rows:
        out.setdefault(f"{message_id}\n{fp}", row_id)
    return out


def kept_path(rt: Runtime, att: IncomingAttachment) -> str:
    """Where ``keep_files`` keeps an attachment, under the home: ``submissions/`` by content."""
    sha = att.sha256
    suffix = ".pdf" if att.kind == "signed" else ".bin"
    return str(Path("submissions", sha[:2], f"{sha}{suffix}"))


def keep_files(rt: Runtime, atts: list[IncomingAttachment]) -> None:
    """Keep attachments at their ``kept_path`` (one not kept yet), durable when this returns.

    Written together (``BatchWriter``: temporary files, one flush to disk by ``DiskSync``, renames,
    the folders flushed) — a name never points at a half-written file, and the rows naming the
    files commit after this returns."""
    with DiskSync(rt.home) as disk:  # opened before the files are written: see DiskSync
        batch, seen = BatchWriter(disk), set()
        try:
            for att in atts:
                target = rt.home / kept_path(rt, att)
                if target not in seen and not target.exists():
                    seen.add(target)
                    batch.add(target, att.data)
            batch.commit()
        finally:
            batch.discard()


def record_mail(rt: Runtime, s: Session, mail: IncomingMail, outcome: MailOutcome,
                arrived: dt.datetime, now: dt.datetime) -> MailIntake:
    """Add the mail row (written by the transaction's next flush; flushed at once only when the
    office must be told, its reference naming the row)."""
    row = MailIntake(cycle_id=rt.cycle_id, folder=mail.folder, uidvalidity=mail.uidvalidity,
                     uid=mail.uid, message_id=mail.message_id, fingerprint=fingerprint(mail),
                     sender=mail.sender, subject=mail.subject, arrived_at=arrived, taken_at=now,
                     status=outcome.status, files=outcome.files, note=outcome.note)
    s.add(row)
    if outcome.status == "needs_person":
        s.flush()
        _tell_office(rt, s, row, now)
    # Stamped at the arrival, like the submissions it carries (recorded at their arrival): the log
    # keeps each message next to its forms, in arrival order; the moment it was taken is a detail.
    audit.record(s, at=arrived, actor=rt.actor, action=f"mail.{outcome.status}", entity="mail",
                 entity_id=lambda: row.id, cycle_id=rt.cycle_id, sender=mail.sender,
                 message_id=mail.message_id, files=len(outcome.files), taken_at=now.isoformat())
    return row


def _tell_office(rt: Runtime, s: Session, row: MailIntake, now: dt.datetime) -> None:
    office = rt.plan.bodies.office
    to = office.email or rt.delivery().mail_from
    ctx = {"office_name": office.short, "sender": row.sender or "(không rõ người gửi)",
           "subject": row.subject or "(không có tiêu đề)", "reason": row.note,
           "arrived_on": local_day(rt, row.arrived_at), "reference": f"TH-{row.id:05d}",
           "files": [f["name"] for f in row.files]}
    key = idempotency_key(rt.plan.cycle_key, "collect", "mail_kept", row.id)
    enqueue(s, cycle_id=rt.cycle_id, key=key, kind="mail_kept", to=[to], template="mail_kept",
            context=ctx, now=now)


def answer_sender(rt: Runtime, s: Session, submission_id: int, sender: str,
                  now: dt.datetime, answer: Message | None = None) -> int | None:
    """A copy of the submission's acknowledgement or 'please correct' to the sender's address
    (``answer``: that answer, when the caller has just queued it; else it is looked up)."""
    if not sender:
        return None
    original = answer
    if original is None:
        sub = s.get(Submission, submission_id)
        if sub is None:
            return None
        original = s.scalar(select(Message).where(
            Message.cycle_id == rt.cycle_id, Message.unit_id == sub.unit_id,
            Message.kind.in_(("report_ack", "report_correct")),
            Message.idempotency_key.like(f"%:{sub.sha256[:16]}")).order_by(Message.id).limit(1))
    if original is None or sender in [a.lower() for a in original.to_addrs]:
        return original.id if original is not None else None
    key = f"{original.idempotency_key[:200]}:reply:{hashlib.sha256(sender.encode()).hexdigest()[:12]}"
    existing = s.scalar(select(Message.id).where(Message.idempotency_key == key))
    if existing is not None:
        return existing
    row = pending_row(cycle_id=rt.cycle_id, key=key, kind=original.kind, to=[sender],
                      cc=(), subject=original.subject, text=original.body_text,
                      html=original.body_html, now=now, unit_id=original.unit_id,
                      obligation_id=original.obligation_id)
    msg = Message(**row)
    s.add(msg)
    s.flush()
    return msg.id


def mail_rows(rt: Runtime, only_waiting: bool = False, limit: int = 200) -> list[dict]:
    """The messages taken from the mailbox, newest first (``only_waiting``: kept for a person)."""
    with rt.db.unit_of_work() as s:
        q = select(MailIntake).where(MailIntake.cycle_id == rt.cycle_id)
        if only_waiting:
            q = q.where(MailIntake.status == "needs_person")
        rows = s.scalars(q.order_by(MailIntake.arrived_at.desc(), MailIntake.id.desc()).limit(limit))
        return [{"reference": f"TH-{r.id:05d}", "sender": r.sender, "subject": r.subject,
                 "arrived_at": r.arrived_at.isoformat(), "status": r.status,
                 "status_label": MAIL_STATUS_VI.get(r.status, r.status), "note": r.note,
                 "files": [f["name"] for f in r.files]} for r in rows]


MAIL_STATUS_VI = {"taken": "đã tiếp nhận", "needs_person": "chờ cán bộ xem",
                  "duplicate": "thư trùng (đã nhận trước)"}
