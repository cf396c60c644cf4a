"""Every way a report arrives (CLI, inbox, mail, web) is recorded by one function, with one result."""

from __future__ import annotations

import shutil

from sqlalchemy import select

from giamsat.collect import recording
from giamsat.collect.service import Incoming, submit, sweep_inbox, take_in
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import AuditEntry, HouseholdFigure, Message, Recommendation, Submission
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at


def _rows(rt: Runtime) -> dict:
    """What a user would see of one intake: the report, its figures, recommendations, answer."""
    with rt.db.unit_of_work() as s:
        sub = s.scalars(select(Submission)).one()
        return {
            "submission": (sub.unit_id, sub.status, sub.received_at, sub.late, sub.sha256,
                           sub.stored_path, sub.original_filename, sub.errors, sub.figures),
            "households": sorted((h.group, h.at_end, h.rate_pct) for h in s.scalars(select(HouseholdFigure))),
            "recommendations": sorted((r.key, r.content, r.due_on)
                                      for r in s.scalars(select(Recommendation))),
            "messages": sorted((m.kind, m.to_addrs, m.subject) for m in s.scalars(select(Message))),
            "audit": sorted(a.action for a in s.scalars(select(AuditEntry))
                            if a.action.startswith(("submission.", "rec."))),
        }


def _spy(monkeypatch) -> list[str]:
    """Names of the files ``recording.record`` was given, call by call."""
    calls: list[str] = []
    real = recording.record

    def spy(rt, s, items):
        calls.append(",".join(p.name for p in items))
        return real(rt, s, items)
    monkeypatch.setattr(recording, "record", spy)
    return calls


def test_submit_and_the_inbox_sweep_record_a_file_through_the_same_function_with_the_same_result(
        forms, plan, tmp_path, monkeypatch):
    path, _ = forms(plan.units[2], seed=31, name="bao-cao.docx")
    received = at("2024-04-02", 10)
    by_cli, by_inbox = (open_cycle(CONFIG, OPENED_AT, home=tmp_path / name,
                                   database_url=f"sqlite:///{tmp_path / name}.db") for name in ("cli", "in"))
    calls = _spy(monkeypatch)

    submitted = submit(by_cli, path, received)
    (by_inbox.home / "inbox").mkdir(parents=True)
    shutil.copyfile(path, by_inbox.home / "inbox" / "bao-cao.docx")
    (by_inbox.home / "inbox" / "bao-cao.docx.arrived").write_text(received.isoformat(), encoding="utf-8")
    swept = sweep_inbox(by_inbox, at("2024-04-02", 17)).results

    assert calls == ["bao-cao.docx", "bao-cao.docx"]
    assert swept == [submitted]
    assert submitted.status == "accepted"
    assert _rows(by_inbox) == _rows(by_cli)
    by_cli.db.dispose()
    by_inbox.db.dispose()


def test_a_mailed_attachment_is_dated_by_its_arrival_and_names_its_sender(sqlite_runtime, forms, plan):
    path, _ = forms(plan.units[3], seed=32)
    arrived = at("2024-04-02", 8)
    item = Incoming(path.read_bytes(), "Báo cáo xã.docx", arrived, "mail", sender="ubnd@xa.gov.vn")
    [outcome] = take_in(sqlite_runtime, [item], at("2024-04-05", 9))
    again = take_in(sqlite_runtime, [item], at("2024-04-05", 10))
    with sqlite_runtime.db.unit_of_work() as s:
        sub = s.get(Submission, outcome.submission_id)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "submission.accepted")).one()
        assert (sub.source, sub.original_filename, sub.late) == ("mail", "Báo cáo xã.docx", False)
        assert sub.received_at.astimezone(arrived.tzinfo) == arrived
        assert (sqlite_runtime.home / sub.stored_path).read_bytes() == path.read_bytes()
        assert entry.detail["sender"] == "ubnd@xa.gov.vn"
    assert [(o.status, o.duplicate_of) for o in again] == [("duplicate", outcome.submission_id)]


def test_a_file_that_cannot_be_read_is_handed_back_and_audited_while_the_others_are_recorded(
        sqlite_runtime, forms, plan, tmp_path):
    good, _ = forms(plan.units[4], seed=33)
    gone = Incoming(tmp_path / "da-xoa.docx", "da-xoa.docx", at("2024-04-02"), "web")
    handed: list[str] = []
    outcomes = take_in(sqlite_runtime, [gone, Incoming(good, good.name, at("2024-04-02"), "web")],
                       at("2024-04-02", 11), on_error=lambda item, exc: handed.append(item.name))
    assert handed == ["da-xoa.docx"]
    assert [o and o.status for o in outcomes] == [None, "accepted"]
    with sqlite_runtime.db.unit_of_work() as s:
        failed = s.scalars(select(AuditEntry).where(AuditEntry.action == "submission.failed")).one()
        assert failed.detail["file"] == "da-xoa.docx"
