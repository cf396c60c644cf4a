"""Reports that come in by e-mail: read the office mailbox, take each form in, answer the sender.

Exactly once: a message is recorded by (folder, UIDVALIDITY, UID) after its forms are recorded and
only then marked taken on the server. A run killed in between finds, next time, the forms already
recorded (by content: ``submit`` answers "duplicate") and the answers already queued (idempotent
keys), records the message and marks it; a message recorded but not yet marked is only marked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from giamsat.collect import mail_records as mr
from giamsat.collect import records, workers
from giamsat.collect.intake import Incoming, Prepared, check_base
from giamsat.collect.recorder import Outcome, Recorder
from giamsat.collect.recording import prepare_all
from giamsat.collect.service import SubmitResult, limits_for
from giamsat.db.models import MailIntake, Message, Submission
from giamsat.domain.validation import Validation
from giamsat.files.fsutil import DiskSync
from giamsat.messaging.imap import ImapMailbox
from giamsat.messaging.incoming import Fetched, IncomingMail, parse_fetched
from giamsat.messaging.maildir import MaildirMailbox, MaildirMessage
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
                "details": [{k: v for k, v in m.__dict__.items() if k != "arrived"} for m in self.messages]}


def open_mailbox(rt: Runtime) -> ImapMailbox | MaildirMailbox:
    """The office mailbox: the IMAP server when configured, else the Maildir under the home."""
    settings = rt.settings.mailbox()
    biggest = limits_for(rt).max_file_bytes * 3 + (1 << 20)  # a form, a signed scan, the text
    if settings.host:
        return ImapMailbox(settings, biggest)
    return MaildirMailbox(settings.maildir, biggest)


CHUNK = 100  # messages read, checked and kept (originals synced together) before recording


def fetch_mail(rt: Runtime, now: dt.datetime,
               on_read: Callable[[IncomingMail], None] | None = None) -> FetchSummary:
    """Take in every new message of the office mailbox; ``on_read`` is a test hook after reading.

    Messages are fetched ``CHUNK`` at a time, parsed and their forms checked (on the worker
    processes, while the chunk before is recorded) and kept (one sync of the kept originals), then
    recorded in one transaction (each message's forms, answers and mail row, in arrival order),
    then flagged on the server one by one. A run killed before the commit finds nothing of the
    chunk recorded; after it, the messages recorded but not flagged are only flagged.
    """
    box = open_mailbox(rt)
    with box:
        summary = FetchSummary(f"{box.folder}")
        uids = box.pending()
        ahead: _Chunk | None = None  # fetched, being parsed and checked on the workers, not recorded
        for start in range(0, len(uids), CHUNK):
            fetched: list[Fetched | MaildirMessage] = []
            with rt.db.unit_of_work() as s:
                taken = mr.taken_statuses(s, box.folder, box.uidvalidity, uids[start:start + CHUNK])
            for uid in uids[start:start + CHUNK]:
                status = taken.get(uid)
                if status is not None:
                    box.mark_taken(uid, seen=status != "needs_person")
                    summary.already += 1
                    continue
                # a Maildir message goes to the workers by its file: they read it, not this process
                fetched.append(box.message(uid) if isinstance(box, MaildirMailbox) else box.fetch(uid))
            chunk = _Chunk(rt, fetched, now)  # parsed and checked on the workers while the last is recorded
            if ahead is not None:
                ahead.take(rt, box, now, summary, on_read)
            ahead = chunk
        if ahead is not None:
            ahead.take(rt, box, now, summary, on_read)
    _close_step(rt, summary.messages, now)
    return summary


class _Chunk:
    """Up to ``CHUNK`` messages fetched, sent to the workers to be parsed and their forms checked."""

    def __init__(self, rt: Runtime, fetched: list[Fetched | MaildirMessage], now: dt.datetime) -> None:
        self.fetched = fetched
        self.disk = DiskSync(rt.home)  # before the workers write originals: see files.fsutil.DiskSync
        self.reads = workers.start_mail(rt, fetched, now)

    def take(self, rt: Runtime, box: ImapMailbox | MaildirMailbox, now: dt.datetime,
             summary: FetchSummary, on_read: Callable[[IncomingMail], None] | None) -> None:
        """Keep the forms, record the messages in one transaction, then flag them on the server.

        A message the workers did not parse (none, too few, or one died) is read and parsed here."""
        try:
            mails: list[IncomingMail] = []
            checked: dict[int, Validation] = {}  # by the index of the form among the chunk's forms
            staged: dict[int, str] = {}  # originals written by the workers, likewise
            forms_before = 0
            for i, f in enumerate(self.fetched):
                read = self.reads.result(i)
                if read:
                    mail = read[0]
                else:  # a Maildir file through the mailbox, which finds a file moved since the listing
                    mail = parse_fetched(box.fetch(f.key) if isinstance(f, MaildirMessage) else f,
                                         limits_for(rt).max_file_bytes)
                if read:  # one validation per form of the message, in order, and its original staged
                    checked.update({forms_before + j: v for j, v in enumerate(read[1])})
                    staged.update({forms_before + j: p for j, p in enumerate(read[2]) if p is not None})
                forms_before += len(mail.forms)
                if on_read is not None:
                    on_read(mail)
                mails.append(mail)
            items, owners = _items(rt, mails, now)
            digests = {i: (a.sha256, len(a.data)) for i, a in enumerate(a for m in mails for a in m.forms)}
            prepared = _by_message(mails, owners, prepare_all(rt, items, checks=workers.Checks(checked),
                                                              digests=digests, staged=staged, disk=self.disk))
            for mail, outcome in zip(mails, _take_chunk(rt, mails, prepared, now), strict=True):
                box.mark_taken(mail.uid, seen=outcome.status != "needs_person")
                summary.messages.append(outcome)
        finally:
            self.disk.close()  # closed by prepare_all, unless something failed before it


def _close_step(rt: Runtime, taken: list[mr.MailOutcome], now: dt.datetime) -> None:
    """Once per fetch (not per report: the check reads every unit), at the last accepted report."""
    accepted = [o.arrived for o in taken if o.arrived is not None
                and any(f.get("status") == "accepted" for f in o.files)]
    if accepted:
        with rt.db.unit_of_work() as s:
            records.close_collect_step_if_complete(rt, s, min(max(accepted), now))


def take_mail(rt: Runtime, mail: IncomingMail, now: dt.datetime,
              prepared: list[Prepared] | None = None, close_step: bool = True) -> mr.MailOutcome:
    """Take in one message: its forms as reports, its signed PDF kept, else kept for a person.

    ``prepared``: its forms already read, checked and kept (``fetch_mail`` prepares a chunk);
    ``close_step=False`` leaves closing the collect step to the caller (once per fetch)."""
    arrived = min(mail.arrived_at or now, now)
    outcome = mr.MailOutcome(mail.uid, mail.sender, mail.subject, "taken", arrived=arrived)
    with rt.db.unit_of_work() as s:
        earlier = mr.earlier_rows(s, [mail] if mail.attachments else []).get(mr.message_key(mail))
        if earlier is not None:
            outcome.status, outcome.note = "duplicate", f"trùng thư TH-{earlier:05d}"
    if outcome.status != "duplicate":
        if prepared is None:
            prepared = _prepare(rt, [mail], now)[mail.uid]
        _take_files(rt, mail, prepared, now, outcome)
    try:
        with rt.db.unit_of_work() as s:
            mr.record_mail(rt, s, mail, outcome, arrived, now)
    except IntegrityError:
        pass  # a concurrent fetch recorded this very message first: nothing to add
    if close_step:
        _close_step(rt, [outcome], now)
    return outcome


def _prepare(rt: Runtime, mails: list[IncomingMail], now: dt.datetime) -> dict[str, list[Prepared]]:
    """Every form of ``mails`` read, checked and kept (synced once), by message UID."""
    items, owners = _items(rt, mails, now)
    return _by_message(mails, owners, prepare_all(rt, items))


def _items(rt: Runtime, mails: list[IncomingMail], now: dt.datetime) -> tuple[list[Incoming], list[str]]:
    """The forms of ``mails`` as incoming files (in order), and the UID of the message each came in."""
    items, owners = [], []
    for mail in mails:
        arrived, _, code = check_base(rt).mailed(mail.arrived_at, mail.sender, now)
        for att in mail.forms:
            items.append(Incoming(att.data, att.filename, arrived, "mail", None, mail.sender or None,
                                  sender_unit_code=code))
            owners.append(mail.uid)
    return items, owners


def _by_message(mails: list[IncomingMail], owners: list[str],
                prepared: dict[int, Prepared]) -> dict[str, list[Prepared]]:
    out: dict[str, list[Prepared]] = {mail.uid: [] for mail in mails}
    for i, p in sorted(prepared.items()):
        out[owners[i]].append(p)
    return out


def _take_chunk(rt: Runtime, mails: list[IncomingMail], prepared: dict[str, list[Prepared]],
                now: dt.datetime) -> list[mr.MailOutcome]:
    """The chunk's messages recorded in one transaction, in order, as ``take_mail`` would one by
    one (one ``Recorder`` for all their forms: no flush per message); if it cannot commit (a
    concurrent fetch recorded one of them first), one by one."""
    try:
        with rt.db.unit_of_work() as s:
            known: dict[str, int | MailIntake] = dict(mr.earlier_rows(s, [m for m in mails if m.attachments]))
            first: dict[str, str] = {}  # message key → uid of its first copy in this chunk
            for mail in mails:
                if mail.attachments and mr.message_key(mail) not in known:
                    first.setdefault(mr.message_key(mail), mail.uid)
            fresh = {m.uid for m in mails if not m.attachments or first.get(mr.message_key(m)) == m.uid}
            mr.keep_files(rt, [a for m in mails if m.uid in fresh for a in m.attachments if a.kind != "form"])
            recorder = Recorder(rt, s, [p for m in mails if m.uid in fresh for p in prepared[m.uid]])
            outcomes = []
            for mail in mails:  # each message's forms, then its row: the audit log stays in time order
                arrived = min(mail.arrived_at or now, now)
                outcome = mr.MailOutcome(mail.uid, mail.sender, mail.subject, "taken", arrived=arrived)
                if mail.uid in fresh:
                    _files_outcome(rt, s, mail, recorder.take(prepared[mail.uid]), now, outcome,
                                   recorder.answers)
                else:
                    outcome.status = "duplicate"
                    outcome.note = f"trùng thư TH-{_row_id(s, known[mr.message_key(mail)]):05d}"
                row = mr.record_mail(rt, s, mail, outcome, arrived, now)
                if mail.attachments:
                    known.setdefault(mr.message_key(mail), row)
                outcomes.append(outcome)
            recorder.finish()
        return outcomes
    except IntegrityError:
        return [take_mail(rt, m, now, prepared.get(m.uid), close_step=False) for m in mails]


def _row_id(s: Session, row: int | MailIntake) -> int:
    """The id of a message's row; one recorded earlier in this chunk is written first (rare)."""
    if isinstance(row, int):
        return row
    s.flush()
    return row.id


def _take_files(rt: Runtime, mail: IncomingMail, prepared: list[Prepared], now: dt.datetime,
                outcome: mr.MailOutcome) -> None:
    """The message's forms recorded and their senders answered, in one transaction."""
    with rt.db.unit_of_work() as s:
        mr.keep_files(rt, [a for a in mail.attachments if a.kind != "form"])
        recorder = Recorder(rt, s, prepared)
        _files_outcome(rt, s, mail, recorder.take(prepared), now, outcome, recorder.answers)
        recorder.finish()


def _files_outcome(rt: Runtime, s: Session, mail: IncomingMail, recorded: list[Outcome],
                   now: dt.datetime, outcome: mr.MailOutcome, answers: dict[int, Message]) -> None:
    """What the message's recorded forms became, their senders answered (``answers``: the
    acknowledgements just queued, by id), its other files named where the caller kept them
    (``mr.keep_files``, before the transaction commits)."""
    forms = mail.forms
    ids: list[int] = []
    for att, result in zip(forms, recorded, strict=True):
        sub_id = result.duplicate_of or result.submission_id
        entry = {"name": att.filename, "sha256": att.sha256, "kind": "form",
                 "status": result.status, "submission_id": sub_id, "unit": result.unit_key}
        if sub_id is not None:
            ids.append(sub_id)
            entry["status"] = _status_of(s, sub_id, result)
            answer = answers.get(result.message_id) if result.message_id is not None else None
            entry["answer_id"] = mr.answer_sender(rt, s, sub_id, mail.sender, now, answer)
        outcome.files.append(entry)
    for att in mail.attachments:
        if att.kind != "form":
            outcome.files.append({"name": att.filename, "sha256": att.sha256, "kind": att.kind,
                                  "stored_path": mr.kept_path(rt, att), "signed_for": ids})
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


def _status_of(s: Session, submission_id: int, result: SubmitResult) -> str:
    if result.status != "duplicate":
        return result.status
    sub = s.get(Submission, submission_id)
    return f"duplicate:{sub.status}" if sub is not None else "duplicate"
