"""The reminder sweep on the 2024 calendar: right days, escalation, none after met, none twice."""

import datetime as dt

from sqlalchemy import select

from giamsat.db.models import Message, Obligation, Recommendation, Unit, Visit
from giamsat.domain import clock
from giamsat.remind.service import sweep

D = dt.date
CREATED = clock.at_office_hours(D(2024, 4, 1))


def _report_obligations(rt, codes=("13741", "13753")):
    with rt.db.unit_of_work() as s:
        units = [s.scalar(select(Unit).where(Unit.cycle_id == rt.cycle_id, Unit.code == c,
                                             Unit.valid_from == D(2024, 1, 1))) for c in codes]
        for u in units:
            s.add(Obligation(cycle_id=rt.cycle_id, kind="report", key=f"report:{u.code}@2024-01-01",
                             unit_id=u.id, due_on=D(2024, 4, 6), status="open", created_at=CREATED))
        return {u.code: (u.email, u.chairman_email) for u in units}


def _messages(rt, day=None):
    with rt.db.unit_of_work() as s:
        rows = s.scalars(select(Message).order_by(Message.id))
        return [m for m in rows if day is None or m.created_at.astimezone(clock.TZ).date() == day]


def test_report_reminders_fall_on_the_right_working_days_and_escalate(runtime):
    emails = _report_obligations(runtime)
    per_day = {}
    for offset in range(0, 15):
        day = D(2024, 4, 1) + dt.timedelta(days=offset)
        per_day[day] = sweep(runtime, day).queued
    assert {d for d, n in per_day.items() if n} == {
        D(2024, 4, 2), D(2024, 4, 4), D(2024, 4, 5), D(2024, 4, 8), D(2024, 4, 10), D(2024, 4, 12)}
    assert all(n == 2 for n in per_day.values() if n)
    friday = _messages(runtime, D(2024, 4, 5))
    assert {m.kind for m in friday} == {"reminder_due"}
    assert "hạn 06/4/2024" in friday[0].subject and "ngày làm việc cuối cùng" in friday[0].body_text
    first_late = _messages(runtime, D(2024, 4, 8))
    assert {tuple(m.to_addrs) for m in first_late} == {(e,) for e, _ in emails.values()}
    escalated = _messages(runtime, D(2024, 4, 10))
    assert {m.kind for m in escalated} == {"reminder_escalation"}
    assert {tuple(m.to_addrs) for m in escalated} == {(c,) for _, c in emails.values()}
    assert all(m.cc_addrs == ["phonglaodong@vuban.example"] for m in escalated)
    assert "Đồng chí Chủ tịch" in escalated[0].body_text


def test_no_reminder_once_the_report_is_received_and_none_twice_a_day(runtime):
    _report_obligations(runtime)
    assert sweep(runtime, D(2024, 4, 2)).queued == 2
    again = sweep(runtime, D(2024, 4, 2))
    assert (again.queued, again.already_queued) == (0, 2)
    assert sweep(runtime, D(2024, 4, 3)).queued == 0
    with runtime.db.unit_of_work() as s:
        ob = s.scalar(select(Obligation).where(Obligation.key == "report:13741@2024-01-01"))
        ob.status, ob.met_at = "met", clock.at_office_hours(D(2024, 4, 3))
    assert sweep(runtime, D(2024, 4, 4)).queued == 1
    assert sweep(runtime, D(2024, 4, 6)).working_day is False


def test_visit_documents_and_recommendations_are_reminded_to_the_right_addresses(sqlite_runtime):
    rt = sqlite_runtime
    with rt.db.unit_of_work() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "13756"))
        visit = Visit(cycle_id=rt.cycle_id, unit_id=unit.id, scheduled_on=D(2024, 5, 15))
        rec = Recommendation(cycle_id=rt.cycle_id, key="rec:1", source_kind="visit", unit_id=unit.id,
                             content="Cập nhật danh sách hộ nghèo <thôn Xóm 2>",
                             addressed_to="UBND xã Đại An",
                             addressed_email="vanphong.daian@vuban.example",
                             due_on=D(2024, 6, 14), created_at=CREATED, updated_at=CREATED)
        s.add_all([visit, rec])
        s.flush()
        s.add_all([Obligation(cycle_id=rt.cycle_id, kind="visit_documents",
                              key=f"visit_documents:{visit.id}", visit_id=visit.id,
                              due_on=D(2024, 5, 14), created_at=CREATED),
                   Obligation(cycle_id=rt.cycle_id, kind="recommendation", key="recommendation:1",
                              recommendation_id=rec.id, due_on=D(2024, 6, 14), created_at=CREATED)])
    assert sweep(rt, D(2024, 5, 14)).queued == 1
    docs = _messages(rt)[-1]
    assert docs.to_addrs == ["ubnd.daian@vuban.example"] and "Xã Đại An" in docs.subject
    assert "Danh sách hộ nghèo" in docs.body_text
    with rt.db.unit_of_work() as s:
        prepared = s.scalar(select(Obligation).where(Obligation.kind == "visit_documents"))
        prepared.status, prepared.met_at = "met", clock.at_office_hours(D(2024, 5, 15))
    assert sweep(rt, D(2024, 6, 14)).queued == 1
    rec_msg = _messages(rt)[-1]
    assert rec_msg.to_addrs == ["vanphong.daian@vuban.example"]
    assert "&lt;thôn Xóm 2&gt;" in rec_msg.body_html and "<thôn Xóm 2>" in rec_msg.body_text
    assert sweep(rt, D(2024, 6, 17)).queued == 1  # first overdue reminder: to the commune
    assert _messages(rt)[-1].to_addrs == ["vanphong.daian@vuban.example"]
    assert sweep(rt, D(2024, 6, 19)).queued == 1  # second overdue reminder: escalated
    assert _messages(rt)[-1].to_addrs == ["chutich.daian@vuban.example"]
