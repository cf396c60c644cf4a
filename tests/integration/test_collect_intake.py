"""Intake of commune reports end to end: real forms filled, submitted, stored and answered."""

from sqlalchemy import func, select

from giamsat.collect.service import submit
from giamsat.db.models import (
    AuditEntry,
    HouseholdFigure,
    Message,
    Obligation,
    PovertyModel,
    Recommendation,
    Step,
    Submission,
)
from tests.fixtures.collect import at


def _household_rows(s, sub_id):
    rows = s.scalars(select(HouseholdFigure).where(HouseholdFigure.submission_id == sub_id))
    cols = ("row_index", "total_households", "at_start", "escaped", "fell_back", "newly_poor",
            "other_changes", "at_end", "rate_pct")
    return {r.group: {c: getattr(r, c) for c in cols} for r in rows}


def _model_rows(s, sub_id):
    rows = s.scalars(select(PovertyModel).where(PovertyModel.submission_id == sub_id)
                     .order_by(PovertyModel.row_index))
    skip = {"id", "submission_id"}
    return [{c.name: getattr(r, c.name) for c in PovertyModel.__table__.columns if c.name not in skip}
            for r in rows]


def test_every_unit_round_trips_its_filled_figures_into_the_database(runtime, forms):
    units = runtime.plan.units_on(runtime.plan.report.deadline)
    assert len(units) == 18
    for i, unit in enumerate(units):
        path, filled = forms(unit, seed=100 + i)
        result = submit(runtime, path, at("2024-04-03"))
        assert result.status == "accepted", (unit.name, result.errors)
        with runtime.db.unit_of_work() as s:
            assert _household_rows(s, result.submission_id) == filled.figures["households"]
            assert _model_rows(s, result.submission_id) == filled.figures["models"]
            sub = s.get(Submission, result.submission_id)
            assert sub.figures["narratives"] == filled.figures["narratives"]
            recs = s.scalars(select(Recommendation).where(
                Recommendation.submission_id == sub.id).order_by(Recommendation.id)).all()
            assert [(r.content, r.addressed_to) for r in recs] == [
                (x["content"], x["addressed_to"]) for x in filled.figures["recommendations"]]
    with runtime.db.unit_of_work() as s:
        step = s.scalar(select(Step).where(Step.cycle_id == runtime.cycle_id, Step.key == "collect"))
        assert step.status == "done"
        assert s.scalar(select(func.count()).select_from(Obligation).where(
            Obligation.status == "met")) == 18
        assert s.scalar(select(func.count()).select_from(Message).where(
            Message.kind == "report_ack")) == 18


def test_a_rejected_report_is_kept_and_the_commune_is_asked_to_correct_it(runtime, forms):
    unit = runtime.plan.units[4]
    path, _ = forms(unit, fault="text_in_number")
    result = submit(runtime, path, at("2024-04-02"))
    assert result.status == "rejected"
    assert result.errors == ["Mục B, dòng 'Hộ nghèo', cột 'Số hộ thoát': phải ghi bằng chữ số, "
                             "không ghi chữ ('khoảng 20')"]
    with runtime.db.unit_of_work() as s:
        sub = s.get(Submission, result.submission_id)
        assert sub.status == "rejected" and (runtime.home / sub.stored_path).read_bytes() == \
            path.read_bytes()
        assert s.scalar(select(func.count()).select_from(HouseholdFigure)) == 0
        msg = s.get(Message, result.message_id)
        assert msg.kind == "report_correct" and msg.to_addrs == [unit.email]
        assert "khoảng 20" in msg.body_text and "trước ngày 06/4/2024" in msg.body_text
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.entity_id == str(sub.id))) == \
            "submission.rejected"


def test_a_resubmission_supersedes_the_previous_report_and_keeps_history(runtime, forms):
    unit = runtime.plan.units[7]
    bad, _ = forms(unit, seed=5, fault="balance")
    first, _ = forms(unit, seed=5)
    second, filled = forms(unit, seed=6)
    ids = [submit(runtime, p, at(day)).submission_id
           for p, day in ((bad, "2024-04-01"), (first, "2024-04-02"), (second, "2024-04-04"))]
    with runtime.db.unit_of_work() as s:
        subs = [s.get(Submission, i) for i in ids]
        assert [x.status for x in subs] == ["rejected", "superseded", "accepted"]
        assert [x.supersedes_id for x in subs] == [None, ids[0], ids[1]]
        assert _household_rows(s, ids[2]) == filled.figures["households"]
        old = s.scalars(select(Recommendation.status).where(
            Recommendation.submission_id == ids[1])).all()
        assert old and set(old) == {"withdrawn"}
        ob = s.scalar(select(Obligation).where(Obligation.key == f"report:{unit.key}"))
        assert ob.status == "met" and ob.met_at == at("2024-04-02")


def test_the_same_file_submitted_twice_is_processed_once(sqlite_runtime, forms):
    path, _ = forms(sqlite_runtime.plan.units[0])
    first = submit(sqlite_runtime, path, at("2024-04-02"))
    again = submit(sqlite_runtime, path, at("2024-04-03"))
    assert (first.status, again.status, again.duplicate_of) == ("accepted", "duplicate", first.submission_id)
    with sqlite_runtime.db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(Submission)) == 1
        assert s.scalar(select(func.count()).select_from(Message)) == 1


def test_a_report_received_on_the_deadline_day_is_accepted_but_late(sqlite_runtime, forms):
    early, _ = forms(sqlite_runtime.plan.units[1], seed=1)
    late, _ = forms(sqlite_runtime.plan.units[2], seed=2)
    on_time = submit(sqlite_runtime, early, at("2024-04-05", 16))
    after = submit(sqlite_runtime, late, at("2024-04-06", 8))
    assert (on_time.status, on_time.late) == ("accepted", False)
    assert (after.status, after.late) == ("accepted", True)
    with sqlite_runtime.db.unit_of_work() as s:
        msg = s.get(Message, after.message_id)
        assert "nộp sau hạn" in msg.subject and "sau hạn (hạn nộp trước ngày 06/4/2024)" in msg.body_text


def test_recommendations_are_due_twenty_working_days_after_receipt(sqlite_runtime, forms):
    path, filled = forms(sqlite_runtime.plan.units[3])
    result = submit(sqlite_runtime, path, at("2024-04-03"))
    with sqlite_runtime.db.unit_of_work() as s:
        recs = s.scalars(select(Recommendation).where(
            Recommendation.submission_id == result.submission_id)).all()
        assert len(recs) == len(filled.figures["recommendations"])
        expected_due = sqlite_runtime.calendar.add_working_days(at("2024-04-03").date(), 20)
        assert {r.due_on for r in recs} == {expected_due}
        assert all(r.key == f"sub:{result.submission_id}:{i + 1}" and r.status == "open"
                   and [e.status for e in r.events] == ["open"] for i, r in enumerate(recs))
