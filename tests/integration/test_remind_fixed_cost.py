"""What every remind run asks whatever it owes (reminders sent, reports returned, the reports' mark,
drafts waiting) is answered from indexes, and answered as the queries it replaced answered it."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import event, func, select, text

from giamsat.cycle import facts as cycle_facts
from giamsat.cycle import reports
from giamsat.db.models import Cycle, Document, Message, Obligation, Submission, Unit
from giamsat.domain import clock
from giamsat.issuance import service as issuance
from giamsat.messaging import delivery
from giamsat.messaging.outbox import idempotency_key, insert_pending, pending_row
from giamsat.remind import facts
from giamsat.remind.facts import OVERDUE_KINDS

D = dt.date
AT = clock.at_office_hours(D(2024, 4, 2))


def old_overdue_reminders_queued(s, cycle_id: int) -> Counter:
    """The query ``overdue_reminders_queued`` replaced (the reference of the differential test)."""
    rows = s.execute(select(Message.obligation_id, func.count())
                     .join(Obligation, Message.obligation_id == Obligation.id)
                     .where(Obligation.cycle_id == cycle_id, Obligation.status == "open",
                            Message.kind.in_(OVERDUE_KINDS))
                     .group_by(Message.obligation_id)).all()
    return Counter({ob_id: n for ob_id, n in rows})


def old_returned_reports(s, cycle_id: int) -> dict[int, tuple[str, ...]]:
    """The query ``returned_reports`` replaced (the reference of the differential test)."""
    latest = (select(Submission.unit_id, func.max(Submission.id).label("last"))
              .where(Submission.cycle_id == cycle_id, Submission.unit_id.is_not(None),
                     Submission.status.in_(("accepted", "rejected")))
              .group_by(Submission.unit_id).subquery())
    rows = s.execute(select(Submission.unit_id, Submission.errors)
                     .join(latest, Submission.id == latest.c.last)
                     .where(Submission.status == "rejected")).all()
    return {unit_id: tuple(str(e.get("text", e)) if isinstance(e, dict) else str(e) for e in errors or [])
            for unit_id, errors in rows}


def _submission(cycle_id: int, unit_id: int | None, status: str, errors: list, hour: int) -> Submission:
    return Submission(cycle_id=cycle_id, unit_id=unit_id,
                      received_at=clock.at_office_hours(D(2024, 4, 3), hour), source="inbox",
                      original_filename="bc.docx", stored_path="x", sha256="0" * 64,
                      size_bytes=1, status=status, errors=errors, figures={})


# per unit, its reports in the order received: (status, errors)
HISTORIES = [
    [("rejected", [{"text": "Mục B: bỏ trống"}])],                              # returned
    [("rejected", ["Dòng 3"]), ("accepted", [])],                              # corrected
    [("rejected", ["lần 1"]), ("rejected", [{"text": "lần 2"}, "Dòng 4"])],      # returned twice
    [("accepted", [])],                                                          # counted
    [("rejected", ["giữ"]), ("duplicate", []), ("failed", ["hỏng"])],             # undecided after
    [("accepted", []), ("rejected", [{"code": "x"}])],                           # returned after
    [("superseded", []), ("rejected", [])],                                      # returned, no errors
]


def _cycle_with_history(rt) -> None:
    """Reports of every kind of history, obligations open and met with reminders of every kind,
    and another cycle whose rows must not count."""
    with rt.db.unit_of_work() as s:
        units = list(s.scalars(select(Unit).where(Unit.cycle_id == rt.cycle_id).order_by(Unit.id)))
        other = Cycle(key="khac-2024", year=2024, period_start=D(2024, 1, 1), period_end=D(2024, 12, 31),
                      plan_sha256="0" * 64, plan_path="khac.yaml", created_at=AT)
        s.add(other)
        s.flush()
        hour = 0
        for unit, history in zip(units, HISTORIES, strict=False):
            for status, errors in history:
                hour += 1
                s.add(_submission(rt.cycle_id, unit.id, status, errors, hour % 24))
                s.flush()
        s.add_all([_submission(rt.cycle_id, None, "rejected", ["không rõ đơn vị"], 5),
                   _submission(other.id, units[3].id, "rejected", ["chu kỳ khác"], 23)])
        obligations = []
        for i, unit in enumerate(units[:8]):
            ob = Obligation(cycle_id=rt.cycle_id, kind="report", key=f"report:{unit.code}", unit_id=unit.id,
                            due_on=D(2024, 4, 6), status="met" if i == 2 else "open", created_at=AT)
            obligations.append(ob)
        theirs = Obligation(cycle_id=other.id, kind="report", key="report:x", unit_id=units[0].id,
                            due_on=D(2024, 4, 6), status="open", created_at=AT)
        s.add_all([*obligations, theirs])
        s.flush()
        kinds = ["reminder_overdue", "reminder_escalation", "reminder_due", "reminder_before"]
        rows = [pending_row(cycle_id=ob.cycle_id, key=idempotency_key("t", ob.key, str(n)), kind=kinds[n % 4],
                            to=["a@x.example"], cc=[], subject="s", text="t", html=None, now=AT,
                            unit_id=ob.unit_id, obligation_id=ob.id)
                for i, ob in enumerate([*obligations, theirs]) for n in range(i % 6)]
        insert_pending(s, rows)


def test_the_sweep_reads_the_same_reminders_sent_and_reports_returned_as_the_queries_it_replaced(runtime):
    _cycle_with_history(runtime)
    with runtime.db.unit_of_work() as s:
        returned = facts.returned_reports(s, runtime.cycle_id)
        assert returned == old_returned_reports(s, runtime.cycle_id)
        assert sorted(returned.values()) == sorted([(), ("giữ",), ("lần 2", "Dòng 4"), ("Mục B: bỏ trống",),
                                                    ("{'code': 'x'}",)])
        sent = facts.overdue_reminders_queued(s, runtime.cycle_id)
        assert sent == old_overdue_reminders_queued(s, runtime.cycle_id)
        assert sorted(sent.values()) == [1, 1, 2, 2, 3]


def _plans(rt, call) -> list[str]:
    """SQLite's query plan of every statement ``call`` makes, one string per statement."""
    seen: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))
    event.listen(rt.db.engine, "before_cursor_execute", keep)
    try:
        call()
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", keep)
    with rt.db.engine.connect() as conn:
        driver = conn.connection.driver_connection
        return [" / ".join(row[3] for row in driver.execute("EXPLAIN QUERY PLAN " + sql, params))
                for sql, params in seen]


def _one(plans: list[str], word: str) -> str:
    found = [p for p in plans if word in p]
    assert len(found) == 1, plans
    return found[0]


def test_what_every_run_asks_is_answered_from_indexes_without_reading_the_long_rows(sqlite_runtime):
    rt = sqlite_runtime
    _cycle_with_history(rt)
    day = D(2024, 4, 3)
    with rt.db.unit_of_work() as s:
        sent = _plans(rt, lambda: facts.overdue_reminders_queued(s, rt.cycle_id))
        returned = _plans(rt, lambda: facts.returned_reports(s, rt.cycle_id))
        mark = _plans(rt, lambda: reports._mark(rt, s, day))
        cutoff = cycle_facts.cutoff_after(day, rt.plan.calendar.timezone)
        assigned = _plans(rt, lambda: cycle_facts.assigned_reports(s, rt.cycle_id, cutoff))
    drafts = _plans(rt, lambda: issuance.signature_summary(rt))
    # the open obligations by status, their reminders counted in the (obligation, kind) index
    assert "ix_obligations_status_due" in sent[0]
    assert "COVERING INDEX ix_messages_obligation_kind" in sent[0]
    # the returned reports found by status, a later decided one looked up in an index
    assert "ix_submissions_cycle_status (cycle_id=? AND status=?" in returned[0]
    assert "MATERIALIZE" not in returned[0] and "INTEGER PRIMARY KEY" not in returned[0]
    assert "COVERING INDEX ix_submissions_cycle_status" in _one(mark, "submissions")
    assert "COVERING INDEX ix_obligations_cycle_kind" in assigned[0]
    assert any("COVERING INDEX ix_documents_cycle_kind" in p for p in drafts), drafts


def old_shown(rt) -> dict[str, list[int]]:
    """The ids ``signature_summary`` named per kind before (five ids a kind, by id)."""
    from giamsat.issuance import kinds
    from giamsat.issuance.kinds import ISSUED

    numbered = [k for k in {*kinds.KINDS, *kinds.PUBLIC_KINDS} if kinds.kind_of(k).numbered]
    with rt.db.unit_of_work() as s:
        drafts = (Document.cycle_id == rt.cycle_id, Document.status != ISSUED)
        out: dict[str, list[int]] = {}
        for kind in s.scalars(select(Document.kind).where(*drafts, Document.kind.in_(numbered)).distinct()):
            out.setdefault(kinds.public_kind(kind), []).append(kind)
        return {k: list(s.scalars(select(Document.id).where(*drafts, Document.kind.in_(raw))
                                  .order_by(Document.id).limit(5))) for k, raw in out.items()}


def _document(rt, kind: str, n: int, status: str = "draft") -> Document:
    return Document(cycle_id=rt.cycle_id, key=f"{kind}:{n}", kind=kind, path=f"{kind}-{n}.docx",
                    sha256="0" * 64, created_at=AT, status=status)


@pytest.mark.parametrize("letters", [0, 3, 5, 9])
def test_the_drafts_waiting_are_named_as_before_whatever_their_number(sqlite_runtime, letters):
    rt = sqlite_runtime
    with rt.db.unit_of_work() as s:
        s.add(_document(rt, "notify_plan", 0))
        s.add_all(_document(rt, "notify_letter", i, "issued" if i % 4 == 1 else "draft")
                  for i in range(letters))
        s.add_all(_document(rt, "notify_outline", i) for i in range(letters))
        s.add_all([_document(rt, "interim_report", 0), _document(rt, "final_report", 0, "issued"),
                   _document(rt, "final_report", 1)])
    summary = issuance.signature_summary(rt)
    line, waiting = str(summary["summary"]), summary["waiting"]
    shown = old_shown(rt)
    assert set(shown) == set(waiting) and len(shown) == (4 if letters else 3)
    for kind, ids in shown.items():
        assert f"({issuance._ids(ids, waiting[kind])})" in line, (kind, ids, line)


def test_one_pass_summary_counts_as_the_status_by_status_count_did():
    statuses = ["on_time", "late", "missing", "pending", "rejected"]
    rows = [{"status": statuses[(i * 7) % 5 if i % 3 else 0]} for i in range(101)]
    for some in (rows, rows[:1], [], [r for r in rows if r["status"] != "late"]):
        old = {k: sum(1 for r in some if r["status"] == k) for k in reports.REPORT_STATUS}
        expected, received = len(some), old["on_time"] + old["late"]
        assert reports.summarise(some) == {
            "expected": expected, "received": received, "outstanding": expected - received,
            "on_time": old["on_time"], "late": old["late"], "missing": old["missing"],
            "pending": old["pending"], "rejected_awaiting_correction": old["rejected"],
            "completeness_pct": round(received / expected * 100, 1) if expected else 0.0,
            "timeliness_pct": round(old["on_time"] / expected * 100, 1) if expected else 0.0}


def test_whether_mail_waits_is_told_as_the_counts_tell_it_with_or_without_other_cycles(runtime):
    rt = runtime

    def same() -> bool:
        return delivery.has_pending(rt) == bool(delivery.counts(rt).get("pending"))
    assert same() and not delivery.has_pending(rt)
    _cycle_with_history(rt)  # pending mail in this cycle and in another
    assert same() and delivery.has_pending(rt)
    with rt.db.unit_of_work() as s:
        s.execute(text("UPDATE messages SET status = 'sent' WHERE cycle_id = :c"), {"c": rt.cycle_id})
    assert same() and not delivery.has_pending(rt)  # the other cycle's pending mail is not ours
    with rt.db.unit_of_work() as s:
        s.execute(text("DELETE FROM messages WHERE cycle_id != :c"), {"c": rt.cycle_id})
        s.execute(text("UPDATE messages SET status = 'pending' WHERE id = (SELECT min(id) FROM messages)"))
    assert same() and delivery.has_pending(rt)


def test_a_flow_s_finish_reuses_the_counts_it_has_just_read(sqlite_runtime, monkeypatch):
    from tasks.outbox import finish

    rt = sqlite_runtime
    _cycle_with_history(rt)
    counted = delivery.counts(rt)
    assert delivery.health(rt, counted=counted) == delivery.health(rt)
    calls: list[int] = []
    real = delivery.counts
    monkeypatch.setattr(delivery, "counts", lambda rt: calls.append(1) or real(rt))
    state = finish(rt, {"outbox": counted}, counted=counted)
    assert calls == [] and state.message.startswith(f"{counted['pending']} thư chưa gửi được")
    assert finish(rt, {"outbox": counted}).message == state.message and calls == [1]


def test_the_commune_table_is_made_again_only_from_rows_that_changed(sqlite_runtime, monkeypatch):
    import tasks.overview as publishing
    from giamsat.cycle.status import report_status_artifact

    monkeypatch.setattr(publishing, "_PUBLISHED", {})
    published: list[tuple] = []
    monkeypatch.setattr(publishing, "create_table_artifact",
                        lambda key, table, description: published.append((table, description)) or key)
    made: list[int] = []
    monkeypatch.setattr(publishing, "report_status_artifact",
                        lambda rows: made.append(1) or report_status_artifact(rows))

    def publish(rows, scope: str | None = "db#1"):
        return publishing.publish_report_status_artifact(rows, scope=scope)
    rows = reports.report_status_rows(sqlite_runtime, D(2024, 4, 3))
    assert publish(rows) == "report-status" and len(made) == 1
    assert publish(reports.report_status_rows(sqlite_runtime, D(2024, 4, 4))) is None and len(made) == 1
    changed = [dict(r) for r in rows]
    changed[3].update(status="missing", status_label=reports.REPORT_STATUS["missing"])
    assert publish(changed) == "report-status" and len(made) == 2
    assert published[-1] == report_status_artifact(changed)
    unseen = [dict(r) for r in changed]  # a column the table does not show: made, not published
    unseen[0]["last_received_at"] = "2024-04-03T09:00:00+07:00"
    assert publish(unseen) is None and len(made) == 3 and len(published) == 2
    assert publish([dict(r) for r in unseen]) is None and len(made) == 3
    assert publish(rows, scope=None) == "report-status" and published[-1] == report_status_artifact(rows)
