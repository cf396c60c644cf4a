"""The recording of reports (mail and inbox) writes exactly what the earlier per-report way wrote:
every table (audit chain included), every kept file and every outcome, on the same messages.

The reference is the earlier way, kept here only: audit entries as ORM objects, each signed or
other attachment written with its own ``atomic_write`` (fsync, rename, folder fsync) while the
message's outcome is built, the plan's wording built again for every answer, the attachment hash
computed at every use, each report's figures and recommendations added as ORM objects."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import json
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from giamsat.collect import mail, records
from giamsat.collect import mail_records as mr
from giamsat.collect.mail import fetch_mail, take_mail
from giamsat.collect.service import sweep_inbox
from giamsat.cycle.sync import open_cycle
from giamsat.db import audit
from giamsat.db.audit_chain import entry_hash
from giamsat.db.base import Base
from giamsat.db.models import AuditEntry, HouseholdFigure, PovertyModel, Recommendation, RecommendationEvent
from giamsat.domain.formatting import own_unit
from giamsat.files.fsutil import atomic_write
from giamsat.messaging.incoming import IncomingAttachment, parse_fetched
from giamsat.messaging.maildir import MaildirMailbox
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at, deliver_to_maildir
from tests.fixtures.imap import mail_with


def _old_keep_file(rt, att: IncomingAttachment) -> str:
    """The earlier ``keep_file``: one atomic write (and two fsyncs) a file, as the outcome is built."""
    sha = att.sha256
    suffix = ".pdf" if att.kind == "signed" else ".bin"
    target = rt.path("submissions", sha[:2], f"{sha}{suffix}")
    if not target.exists():
        with atomic_write(target) as out:
            out.write(att.data)
    return str(target.relative_to(rt.home))


class _OldRows:
    """The earlier ``store_figures`` and ``open_recommendations``: an ORM object a figure, a
    recommendation and its event, added as each report is recorded."""

    def __init__(self, s) -> None:
        self.s = s

    def add_figures(self, sub, figures: dict) -> None:
        for group, values in figures["households"].items():
            self.s.add(HouseholdFigure(submission_id=sub.id, group=group, **values))
        for values in figures["models"]:
            self.s.add(PovertyModel(submission_id=sub.id, **values))

    def add_recommendations(self, rt, unit, sub, figures: dict, at) -> None:
        due = rt.calendar.add_working_days(records.local_day(rt, at),
                                           rt.plan.followup.recommendation_due_working_days)
        note = f"Kiến nghị tại mục E báo cáo của {unit.name}"
        out = []
        for row in figures["recommendations"]:
            rec = Recommendation(cycle_id=rt.cycle_id, key=f"sub:{sub.id}:{row['row_index']}",
                                 source_kind="submission", submission_id=sub.id, unit_id=unit.id,
                                 content=row["content"],
                                 addressed_to=own_unit(row["addressed_to"], unit.name)[:300],
                                 due_on=due, status="open", created_at=at, updated_at=at)
            rec.events.append(RecommendationEvent(at=at, status="open", actor=rt.actor, note=note))
            self.s.add(rec)
            out.append(rec)
        for rec in out:
            audit.record(self.s, at=at, actor=rt.actor, action="rec.add", entity="recommendation",
                         entity_id=lambda rec=rec: rec.id, cycle_id=rt.cycle_id, status="open", note=note)

    def write(self) -> None:
        self.s.flush()


def _old_record(session, *, at, actor, action, entity, entity_id=None, cycle_id=None, **detail):
    """The earlier ``audit.record``: an ORM object an entry, added to the session at commit."""
    later = callable(entity_id)
    entry = AuditEntry(at=at, actor=actor.strip()[:100], action=action, entity=entity,
                       entity_id=None if entity_id is None or later else str(entity_id),
                       cycle_id=cycle_id, detail=json.loads(json.dumps(detail, default=str)))
    session.info.setdefault(audit._PENDING, []).append(entry)
    if later:
        session.info.setdefault(audit._LATER, []).append((entry, entity_id))


def _old_chain_pending(session) -> None:
    """The earlier chaining: the entries added as ORM objects and flushed."""
    pending = session.info.pop(audit._PENDING, None)
    later = session.info.pop(audit._LATER, [])
    if not pending:
        return
    session.flush()
    for entry, entity_id in later:
        value = entity_id()
        entry.entity_id = None if value is None else str(value)
    session.connection().execute(text("UPDATE audit_log SET id = id WHERE 0"))
    prev = session.scalar(select(AuditEntry.sha256).order_by(AuditEntry.id.desc()).limit(1))
    for entry in pending:
        entry.prev_sha256, entry.sha256 = prev, entry_hash(entry, prev)
        prev = entry.sha256
    session.add_all(pending)
    session.flush()


@contextmanager
def _earlier_audit():
    event.remove(Session, "before_commit", audit._chain_pending)
    event.listen(Session, "before_commit", _old_chain_pending)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", _old_chain_pending)
        event.listen(Session, "before_commit", audit._chain_pending)


def _use_the_earlier_way(monkeypatch) -> None:
    monkeypatch.setattr(audit, "record", _old_record)
    monkeypatch.setattr(mr, "keep_files", lambda rt, atts: None)
    monkeypatch.setattr(mr, "kept_path", _old_keep_file)
    monkeypatch.setattr(IncomingAttachment, "sha256",
                        property(lambda a: hashlib.sha256(a.data).hexdigest()))
    real_answer = records.answer
    monkeypatch.setattr(records, "answer", lambda *a, words=None, **k: real_answer(*a, **k))
    monkeypatch.setattr(records, "ReportRows", _OldRows)


def _messages(plan, forms) -> list[bytes]:
    """A day's mailbox: reports with and without signed copies, the same signed copy twice, a
    rejected report and its correction, a correction of an accepted one, a message delivered twice,
    one with no form (kept for a person), one with an unknown file kept."""
    units = plan.units_on(plan.report.deadline)
    form = [forms(u, seed=300 + i)[0].read_bytes() for i, u in enumerate(units[:6])]
    wrong = forms(units[3], seed=9, fault="balance")[0].read_bytes()
    pdf = [b"%PDF-1.4 signed copy " + bytes([i]) * 300 for i in range(4)]
    out = [mail_with(units[0].email, [("bc.docx", form[0]), ("bc (ky so).pdf", pdf[0])]),
           mail_with(units[1].email, [("bc.docx", form[1])]),
           mail_with(units[2].email, [("bc.docx", form[2]), ("ky.pdf", pdf[1]), ("ghi chu.bin", pdf[2])]),
           mail_with(units[3].email, [("sai.docx", wrong)]),
           mail_with(units[3].email, [("sua.docx", forms(units[3], seed=10)[0].read_bytes())]),
           mail_with(units[4].email, [("chi ban ky.pdf", pdf[3])], subject="Bản ký số"),
           mail_with(units[5].email, [("bc.docx", form[5]), ("ky.pdf", pdf[1])]),
           mail_with(units[1].email, [("bc lan 2.docx", forms(units[1], seed=11)[0].read_bytes())]),
           mail_with("nguoi.la@example.com", [("bc.docx", form[4]), ("ky.pdf", pdf[0])])]
    out.append(out[0])  # the same message delivered twice
    out.append(mail_with(units[0].email, [("bc.docx", form[0])]))  # the same form in another message
    return out


def _fetch_all(rt, messages: list[bytes]) -> list[dict]:
    deliver_to_maildir(rt.home, messages)
    return fetch_mail(rt, at("2024-04-03", 17)).as_dict()["details"]


def _take_one_by_one(rt, messages: list[bytes]) -> list[dict]:
    """The path a chunk falls back to when it cannot commit: ``take_mail`` message by message."""
    deliver_to_maildir(rt.home, messages)
    box = MaildirMailbox(rt.settings.mailbox().maildir, 1 << 24)
    out = []
    with box:
        for uid in box.pending():
            outcome = take_mail(rt, parse_fetched(box.fetch(uid), 1 << 24), at("2024-04-03", 17))
            out.append({k: v for k, v in outcome.__dict__.items() if k != "arrived"})
    return out


def _sweep_the_forms(rt, messages: list[bytes]) -> list[str]:
    """The same forms saved into the inbox and swept (the other caller of the recording)."""
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True)
    n = 0
    for raw in messages:
        for part in email.message_from_bytes(raw).walk():
            if (part.get_filename() or "").endswith(".docx"):
                (inbox / f"{n:02d} {part.get_filename()}").write_bytes(part.get_payload(decode=True))
                arrived = at("2024-04-02", 8) + dt.timedelta(minutes=n)
                (inbox / f"{n:02d} {part.get_filename()}.arrived").write_text(arrived.isoformat())
                n += 1
    return [r.status for r in sweep_inbox(rt, at("2024-04-03", 17)).results]


def _everything(rt) -> dict:
    """Every row of every table (in id order) and every file under the home, by path."""
    with rt.db.unit_of_work() as s:
        tables = {t.name: [tuple(r) for r in s.execute(select(t).order_by(*t.primary_key.columns))]
                  for t in Base.metadata.sorted_tables}
    files = {str(p.relative_to(rt.home)): p.read_bytes() for p in sorted(rt.home.rglob("*"))
             if p.is_file() and "prefect" not in p.parts}
    return {"tables": tables, "files": files}


@pytest.mark.parametrize("take", ["chunks of 3", "one chunk", "one by one", "inbox"])
def test_reports_recorded_in_bulk_write_the_rows_files_and_outcomes_of_the_earlier_way(
        take, forms, plan, tmp_path, monkeypatch):
    messages = _messages(plan, forms)
    monkeypatch.setattr(mail, "CHUNK", 3 if take == "chunks of 3" else 100)
    run = {"one by one": _take_one_by_one, "inbox": _sweep_the_forms}.get(take, _fetch_all)

    def runtime(name):
        return open_cycle(CONFIG, OPENED_AT, home=tmp_path / name, intake_workers=0,
                          database_url=f"sqlite:///{tmp_path / f'{name}.db'}")
    new = runtime("new")
    got = run(new, messages)
    with monkeypatch.context() as earlier, _earlier_audit():
        _use_the_earlier_way(earlier)
        old = runtime("old")
        expected = run(old, messages)
    assert got == expected
    statuses = [m if take == "inbox" else m["status"] for m in expected]
    assert "duplicate" in statuses and ("needs_person" in statuses or take == "inbox")
    mine, theirs = _everything(new), _everything(old)
    assert mine["files"].keys() == theirs["files"].keys()
    assert mine == theirs
    for table in ("household_figures", "poverty_models", "recommendations", "recommendation_events"):
        assert theirs["tables"][table], table
    assert any(e[3] == "withdrawn" for e in theirs["tables"]["recommendation_events"])  # a correction
    if take != "inbox":
        assert sum(1 for f in theirs["files"] if f.endswith(".pdf")) == 3  # each signed copy kept once
    new.db.dispose()
    old.db.dispose()
