"""The recommendation register: due dates, obligations for the reminder sweep, overdue, evidence, history."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from giamsat.db.models import AuditEntry, Obligation, Recommendation
from giamsat.domain import clock
from giamsat.domain.errors import BadDocument, Conflict
from giamsat.followup import service as followup

D = dt.date
NOW = clock.at_office_hours(D(2024, 5, 20))


def _add(rt, content="Bổ sung hồ sơ thanh toán mô hình", unit="13747", due=None):
    return followup.add(rt, content, "UBND xã Hiển Khánh", "ubnd.hienkhanh@vuban.example", unit,
                        due, "chuyen.vien", NOW)


def _obligation(rt, rec):
    with rt.db.unit_of_work() as s:
        return s.scalar(select(Obligation).where(Obligation.key == f"rec:{rec.key}"))


def test_a_new_recommendation_is_due_in_working_days_and_gets_an_obligation(runtime, cal):
    rec = _add(runtime)
    # 20 working days from Monday 20/5/2024: no holiday in between, four weeks later.
    assert rec.due_on == cal.add_working_days(D(2024, 5, 20), 20) == D(2024, 6, 17)
    ob = _obligation(runtime, rec)
    assert (ob.kind, ob.status, ob.due_on, ob.recommendation_id) == ("recommendation", "open",
                                                                    D(2024, 6, 17), rec.id)
    assert ob.unit_id == rec.unit_id is not None
    again = _add(runtime)
    assert again.id == rec.id


def test_the_due_date_counts_working_days_across_holidays(sqlite_runtime):
    rec = followup.add(sqlite_runtime, "Kiến nghị trước kỳ nghỉ lễ", "Phòng LĐ-TB&XH", None, None, None,
                       "chuyen.vien", clock.at_office_hours(D(2024, 4, 17)))
    # 18/4, 29/4, 30/4, 1/5 are holidays and Saturday 4/5 is a make-up working day.
    assert rec.due_on == sqlite_runtime.calendar.add_working_days(D(2024, 4, 17), 20) == D(2024, 5, 20)


def test_the_sweep_creates_missing_obligations_marks_overdue_and_is_idempotent(report_cycle):
    rt, built = report_cycle
    first = followup.followup_sweep(rt, D(2024, 6, 14))
    assert (first.obligations_created, first.marked_overdue) == (2, 0)
    second = followup.followup_sweep(rt, D(2024, 6, 17))
    assert second == followup.SweepResult(0, 1)
    assert followup.followup_sweep(rt, D(2024, 6, 17)) == followup.SweepResult(0, 0)
    rec, events = followup.show(rt, built.recommendations["submission"])
    assert rec.status == "overdue"
    assert [e.status for e in events] == ["overdue"] and "14/6/2024" in events[0].note
    assert _obligation(rt, rec).status == "open"  # still reminded (escalated) until resolved


def test_closing_with_evidence_stores_the_file_meets_the_obligation_and_keeps_history(runtime, tmp_path):
    rec = _add(runtime)
    followup.update(runtime, rec.id, "in_progress", "Xã đang hoàn thiện hồ sơ", None, "xa.hienkhanh",
                    clock.at_office_hours(D(2024, 5, 27)))
    proof = tmp_path / "bien-ban.pdf"
    proof.write_bytes(b"%PDF-1.4 bien ban nghiem thu")
    done = followup.update(runtime, rec.id, "resolved", "Đã thanh toán đủ cho 12 hộ", proof,
                           "xa.hienkhanh", clock.at_office_hours(D(2024, 6, 5)))
    stored = runtime.home / done.evidence_path
    assert stored.read_bytes() == proof.read_bytes() and done.evidence_path.startswith("evidence/")
    assert done.evidence_text == "Đã thanh toán đủ cho 12 hộ"
    ob = _obligation(runtime, rec)
    assert ob.status == "met" and ob.met_at is not None
    _, events = followup.show(runtime, rec.id)
    assert [e.status for e in events] == ["open", "in_progress", "resolved"]
    assert events[-1].evidence_path == done.evidence_path and events[-1].actor == "xa.hienkhanh"
    with runtime.db.unit_of_work() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "recommendation")).all()
    assert actions == ["rec.add", "rec.update", "rec.update"]


@pytest.mark.parametrize(("status", "note", "message"), [
    ("resolved", None, "phải có nội dung kết quả (--note) hoặc tệp minh chứng (--evidence)"),
    ("not_accepted", "", "phải ghi rõ lý do"),
    ("overdue", "x", "do hệ thống tự đánh dấu"),
    ("closed", "x", "Trạng thái không hợp lệ: 'closed'"),
])
def test_invalid_changes_are_refused_in_vietnamese_and_change_nothing(sqlite_runtime, status, note,
                                                                      message):
    rec = _add(sqlite_runtime)
    with pytest.raises(Conflict, match=re.escape(message)):
        followup.update(sqlite_runtime, rec.id, status, note, None, "x", NOW)
    again, events = followup.show(sqlite_runtime, rec.id)
    assert again.status == "open" and len(events) == 1


def test_a_closed_recommendation_cannot_be_reopened(sqlite_runtime):
    rec = _add(sqlite_runtime)
    followup.update(sqlite_runtime, rec.id, "not_accepted", "Không thuộc thẩm quyền của xã", None, "x", NOW)
    with pytest.raises(Conflict, match="đang ở trạng thái 'Không tiếp thu', không thể chuyển sang"):
        followup.update(sqlite_runtime, rec.id, "in_progress", "làm lại", None, "x", NOW)
    assert _obligation(sqlite_runtime, rec).status == "met"


def test_an_overdue_recommendation_continues_only_with_a_new_due_date(sqlite_runtime):
    rec = _add(sqlite_runtime, due=D(2024, 5, 24))
    followup.followup_sweep(sqlite_runtime, D(2024, 5, 27))
    later = clock.at_office_hours(D(2024, 5, 28))
    with pytest.raises(Conflict, match="phải gia hạn"):
        followup.update(sqlite_runtime, rec.id, "in_progress", "Đang làm", None, "x", later)
    moved = followup.update(sqlite_runtime, rec.id, "in_progress", "Đang làm", None, "x", later,
                            due_on=D(2024, 6, 10))
    assert moved.due_on == _obligation(sqlite_runtime, rec).due_on == D(2024, 6, 10)
    assert followup.followup_sweep(sqlite_runtime, D(2024, 6, 3)).marked_overdue == 0


def test_a_macro_word_file_is_refused_as_evidence(sqlite_runtime, tmp_path):
    rec = _add(sqlite_runtime)
    bad = tmp_path / "minh-chung.docm"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(BadDocument, match="macro"):
        followup.update(sqlite_runtime, rec.id, "resolved", None, bad, "x", NOW)
    with sqlite_runtime.db.unit_of_work() as s:
        assert s.get(Recommendation, rec.id).status == "open"
    assert not (sqlite_runtime.home / "evidence").exists()
