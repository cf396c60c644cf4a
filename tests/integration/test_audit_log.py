"""Every state change leaves an audit entry naming who made it and when; the log only grows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from giamsat.collect import service as collect
from giamsat.cycle.sync import open_cycle
from giamsat.db.audit import AuditTampering
from giamsat.db.models import AuditEntry, Message, Submission
from giamsat.demo.minutes_fill import fill_minutes
from giamsat.demo.synthetic import fill_outline
from giamsat.domain import clock
from giamsat.draw import service as sample
from giamsat.final_report import service as report
from giamsat.followup import service as followup
from giamsat.messaging import delivery as outbox
from giamsat.notify import service as notify
from giamsat.notify.outline import render_outline
from giamsat.remind import service as remind
from giamsat.runtime import Runtime
from giamsat.visits import minutes
from giamsat.visits import service as visits
from tests.conftest import CONFIG, OPENED_AT


def at(day: str, hour: int = 9) -> dt.datetime:
    return clock.at_office_hours(dt.date.fromisoformat(day), hour)


def as_actor(rt: Runtime, name: str) -> Runtime:
    """The same runtime, acting as ``name`` (what GIAMSAT_ACTOR / --actor give a process)."""
    return rt.replace(settings=rt.settings.model_copy(update={"actor": name}))


class Log:
    """Runs each operation and keeps the audit entries it added."""

    def __init__(self, rt: Runtime) -> None:
        self.rt, self.added = rt, {}

    def __call__(self, name: str, operation):
        with self.rt.db.unit_of_work() as s:
            last = s.scalar(select(func.max(AuditEntry.id))) or 0
        result = operation()
        with self.rt.db.unit_of_work() as s:
            self.added[name] = s.scalars(select(AuditEntry).where(AuditEntry.id > last)
                                         .order_by(AuditEntry.id)).all()
        return result


def _report(rt: Runtime, folder, unit, seed: int, fault: str | None = None):
    blank = render_outline(rt.plan, unit, folder / f"blank-{unit.code}.docx", rt.plan.cycle_key)
    out = folder / f"{unit.code}-{seed}-{fault}.docx"
    fill_outline(blank, out, seed, fault, villages=unit.villages)
    return out


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """The cycle's state changes, each by a named person (or the system) at a known time."""
    tmp = tmp_path_factory.mktemp("audit")
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp / "home", database_url=f"sqlite:///{tmp / 'giamsat.db'}")
    log, unit = Log(rt), rt.plan.units[3]
    log("notify", lambda: notify.notify(as_actor(rt, "van.thu"), dt.date(2024, 4, 1)))
    first = log("submit", lambda: collect.submit(as_actor(rt, "can.bo.xa"), _report(rt, tmp, unit, 1),
                                                 at("2024-04-02")))
    log("resubmit", lambda: collect.submit(as_actor(rt, "can.bo.xa"), _report(rt, tmp, unit, 2),
                                           at("2024-04-03")))
    bad = _report(rt, tmp, rt.plan.units[4], 3, "balance")
    log("reject_report", lambda: collect.submit(as_actor(rt, "can.bo.xa2"), bad, at("2024-04-03")))
    draw = log("draw", lambda: sample.draw(rt, dt.date(2024, 4, 10), "s1", "tran.lan",
                                           now=at("2024-04-10")))
    log("reject_draw", lambda: sample.reject(rt, draw.id, "sai khung mẫu", "truong.phong",
                                             at("2024-04-10", 10)))
    draw = sample.draw(rt, dt.date(2024, 4, 10), "s2", "tran.lan", now=at("2024-04-10", 11))
    log("approve", lambda: sample.approve(rt, draw.id, "truong.phong", at("2024-04-10", 14)))
    planned = log("schedule", lambda: visits.schedule_visits(rt, dt.date(2024, 5, 2), "tran.lan",
                                                             at("2024-05-02")))
    v = planned[0]
    day = next(d for d in (v.scheduled_on + dt.timedelta(days=i) for i in range(1, 10))
               if rt.calendar.is_working_day(d) and d <= rt.plan.visits.window_end)
    log("reschedule", lambda: visits.reschedule(rt, v.id, day, "Trùng lịch họp", "le.hoa", at("2024-05-03")))
    log("adhoc", lambda: visits.add_adhoc(rt, rt.plan.units[0].code, dt.date(2024, 5, 20), "le.hoa",
                                          "Đơn thư", now=at("2024-05-06")))
    blank = log("write_minutes", lambda: minutes.write_minutes(as_actor(rt, "thu.ky"), v.id,
                                                               at("2024-05-07")))
    filled = fill_minutes(blank, tmp / "bb.docx", seed=7, visit_day=day)
    log("record_minutes", lambda: minutes.record_minutes(rt, filled.path, "thu.ky", at("2024-05-31")))
    rec = log("rec_add", lambda: followup.add(rt, "Bổ sung hồ sơ", "UBND xã", None, None, None, "pho.phong",
                                              at("2024-06-03")))
    log("rec_update", lambda: followup.update(rt, rec.id, "in_progress", "Đang làm", None, "can.bo.xa",
                                              at("2024-06-04")))
    log("overdue", lambda: followup.followup_sweep(rt, dt.date(2024, 11, 1)))
    with rt.db.unit_of_work() as s:
        s.execute(update(Message).where(Message.id == 1).values(status="failed", last_error="550"))
    log("retry", lambda: outbox.retry(as_actor(rt, "quan.tri"), 1, at("2024-06-05")))
    log("remind", lambda: remind.sweep(as_actor(rt, "system"), dt.date(2024, 4, 8)))
    log("final_report", lambda: report.final_report(as_actor(rt, "truong.phong"), dt.date(2024, 11, 20)))
    yield rt, log.added, first
    rt.db.dispose()


# operation → (action, who, when): each must appear among the entries the operation added.
EXPECTED = {
    "notify": ("notify.run", "van.thu", at("2024-04-01", 8)),
    "submit": ("submission.accepted", "can.bo.xa", at("2024-04-02")),
    "resubmit": ("submission.superseded", "can.bo.xa", at("2024-04-03")),
    "reject_report": ("submission.rejected", "can.bo.xa2", at("2024-04-03")),
    "draw": ("sample.drawn", "tran.lan", at("2024-04-10")),
    "reject_draw": ("sample.rejected", "truong.phong", at("2024-04-10", 10)),
    "approve": ("sample.approved", "truong.phong", at("2024-04-10", 14)),
    "schedule": ("visit.scheduled", "tran.lan", at("2024-05-02")),
    "reschedule": ("visit.rescheduled", "le.hoa", at("2024-05-03")),
    "adhoc": ("visit.adhoc_added", "le.hoa", at("2024-05-06")),
    "write_minutes": ("visit.minutes_written", "thu.ky", at("2024-05-07")),
    "record_minutes": ("visit.minutes_recorded", "thu.ky", at("2024-05-31")),
    "rec_add": ("rec.add", "pho.phong", at("2024-06-03")),
    "rec_update": ("rec.update", "can.bo.xa", at("2024-06-04")),
    "overdue": ("rec.overdue", "system", at("2024-11-01", 17)),
    "retry": ("message.retry", "quan.tri", at("2024-06-05")),
    "remind": ("remind.sweep", "system", None),
    "final_report": ("final_report.write", "truong.phong", at("2024-11-20", 16)),
}


@pytest.mark.parametrize("operation", list(EXPECTED))
def test_each_state_change_leaves_an_audit_entry_with_who_and_when(scenario, operation):
    _, added, _ = scenario
    action, who, when = EXPECTED[operation]
    matching = [e for e in added[operation] if e.action == action]
    assert matching, f"{operation}: no {action} entry among {[e.action for e in added[operation]]}"
    assert all(e.actor == who and e.at.tzinfo is not None for e in matching)
    if when is not None:
        assert all(e.at == when for e in matching)


def test_a_resubmission_records_which_report_it_supersedes_and_the_withdrawn_recommendations(scenario):
    _, added, first = scenario
    entries = {(e.action, e.entity_id) for e in added["resubmit"]}
    assert ("submission.superseded", str(first.submission_id)) in entries
    assert any(action == "rec.withdrawn" for action, _ in entries)


def test_recommendations_opened_from_reports_and_minutes_are_in_the_log(scenario):
    _, added, _ = scenario
    assert any(e.action == "rec.add" for e in added["submit"])
    assert any(e.action == "rec.add" and e.actor == "thu.ky" for e in added["record_minutes"])


def test_a_completed_step_is_logged_with_the_person_who_completed_it(scenario):
    _, added, _ = scenario
    assert [(e.entity_id, e.actor) for e in added["approve"] if e.action == "step.done"] == \
        [("draw", "truong.phong")]
    assert [(e.entity_id, e.actor) for e in added["notify"] if e.action == "step.done"] == \
        [("notify", "van.thu")]


def test_the_audit_log_cannot_be_changed_or_deleted_through_the_app(scenario):
    rt, _, _ = scenario
    with pytest.raises(AuditTampering, match="chỉ được ghi thêm"), rt.db.unit_of_work() as s:
        s.scalar(select(AuditEntry).limit(1)).actor = "ai.do"
    with pytest.raises(AuditTampering, match="chỉ được ghi thêm"), rt.db.unit_of_work() as s:
        s.delete(s.scalar(select(AuditEntry).limit(1)))
    with rt.db.unit_of_work() as s:
        assert s.scalar(select(AuditEntry.actor).order_by(AuditEntry.id).limit(1)) != "ai.do"
        assert s.scalar(select(func.count()).select_from(Submission)) == 3


def test_an_entry_naming_a_row_not_flushed_yet_gets_its_id_at_commit_and_the_chain_holds(runtime):
    from giamsat.db import audit
    from giamsat.db.models import Recommendation

    moment = at("2024-05-20", 10)
    with runtime.db.unit_of_work() as s:
        rec = Recommendation(cycle_id=runtime.cycle_id, key="audit-later-1", source_kind="visit",
                             content="Kiểm tra ghi nhật ký", addressed_to="UBND xã", due_on=moment.date(),
                             status="open", created_at=moment, updated_at=moment)
        s.add(rec)  # not flushed: no id yet
        audit.record(s, at=moment, actor="tester", action="rec.add", entity="recommendation",
                     entity_id=lambda: rec.id, cycle_id=runtime.cycle_id)
        audit.record(s, at=moment, actor="tester", action="rec.note", entity="recommendation",
                     entity_id=lambda: None, cycle_id=runtime.cycle_id)
        assert rec.id is None
    with runtime.db.unit_of_work() as s:
        rec_id = s.scalar(select(Recommendation.id).where(Recommendation.key == "audit-later-1"))
        ids = list(s.scalars(select(AuditEntry.entity_id).where(AuditEntry.actor == "tester")
                             .order_by(AuditEntry.id)))
        assert ids == [str(rec_id), None]
        assert audit.verify(s).ok
