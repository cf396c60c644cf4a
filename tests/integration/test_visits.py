"""Visits follow an approved draw: working-day schedule, notices, obligations, reschedules, ad hoc."""

import datetime as dt

import pytest
from sqlalchemy import select

from giamsat.db.models import Message, Obligation
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.draw import service as sample
from giamsat.visits import service as visits

DRAW_ON = dt.date(2024, 4, 10)
AS_OF = dt.date(2024, 5, 2)
NOW = clock.at_office_hours(AS_OF)


def approved(rt):
    row = sample.draw(rt, DRAW_ON, "lịch giám sát", "tran.lan", now=NOW)
    sample.approve(rt, row.id, "truong.phong", NOW)
    return row


def test_nothing_is_scheduled_or_sent_before_the_draw_is_approved(runtime):
    sample.draw(runtime, DRAW_ON, "chưa duyệt", "tran.lan", now=NOW)
    with pytest.raises(Conflict, match="chưa được duyệt"):
        visits.schedule_visits(runtime, AS_OF, "tran.lan", NOW)
    with runtime.db.unit_of_work() as s:
        assert s.scalars(select(Message)).all() == []


def test_the_schedule_uses_working_days_and_each_commune_gets_one_notice(runtime, cal):
    draw = approved(runtime)
    planned = visits.schedule_visits(runtime, AS_OF, "tran.lan", NOW)
    assert [v.unit_key for v in planned] == [u["key"] for u in draw.result["units"]]
    assert all(cal.is_working_day(v.scheduled_on) for v in planned)
    window = cal.working_days(dt.date(2024, 5, 13), dt.date(2024, 5, 31))
    assert [v.scheduled_on for v in planned] == window[:4]
    visits.schedule_visits(runtime, AS_OF, "tran.lan", NOW)  # re-run: nothing new
    with runtime.db.unit_of_work() as s:
        messages = s.scalars(select(Message).order_by(Message.id)).all()
        obligations = s.scalars(select(Obligation).order_by(Obligation.id)).all()
    assert len(messages) == 4 and len(obligations) == 4
    first = messages[0]
    assert "Thông báo lịch giám sát" in first.subject and "13/5/2024" in first.subject
    assert "Danh sách hộ nghèo, hộ cận nghèo" in first.body_text
    assert planned[0].villages[0] in first.body_text and "Trần Thị Lan" in first.body_text
    assert obligations[0].kind == "visit_documents" and obligations[0].key == f"visitdocs:{planned[0].id}"
    assert obligations[0].due_on == cal.add_working_days(planned[0].scheduled_on, -1)
    assert f"chậm nhất ngày {obligations[0].due_on:%d/%-m/%Y}" in first.body_text


def test_a_rescheduled_visit_keeps_the_reason_and_the_commune_is_told_again(runtime, cal):
    approved(runtime)
    first = visits.schedule_visits(runtime, AS_OF, "tran.lan", NOW)[0]
    with pytest.raises(Conflict, match="không phải ngày làm việc"):
        visits.reschedule(runtime, first.id, dt.date(2024, 5, 18), "xã bận", "tran.lan", NOW)
    reason = "Xã tiếp đoàn của tỉnh"
    moved = visits.reschedule(runtime, first.id, dt.date(2024, 5, 27), reason, "tran.lan", NOW)
    assert moved.scheduled_on == dt.date(2024, 5, 27) and "Xã tiếp đoàn của tỉnh" in moved.note
    with runtime.db.unit_of_work() as s:
        notices = s.scalars(select(Message).where(Message.unit_id == s.scalar(
            select(Obligation.unit_id).where(Obligation.key == f"visitdocs:{first.id}")))).all()
        ob = s.scalar(select(Obligation).where(Obligation.key == f"visitdocs:{first.id}"))
    assert len(notices) == 2 and notices[1].subject.startswith("[Đổi lịch]")
    assert "Lý do: Xã tiếp đoàn của tỉnh" in notices[1].body_text
    assert ob.due_on == cal.add_working_days(dt.date(2024, 5, 27), -1)


def test_an_adhoc_visit_goes_to_any_unit_valid_that_day(runtime):
    approved(runtime)
    sampled = {v.unit_code for v in visits.schedule_visits(runtime, AS_OF, "tran.lan", NOW)}
    outsider = next(c for c in ("13756", "13762", "13765", "13780", "13783") if c not in sampled)
    v = visits.add_adhoc(runtime, outsider, dt.date(2024, 6, 4), "tran.lan", "Phản ánh của người dân",
                         now=NOW)
    assert (v.kind, v.unit_code) == ("adhoc", outsider)
    assert visits.add_adhoc(runtime, outsider, dt.date(2024, 6, 4), "tran.lan", now=NOW).id == v.id
    later = visits.add_adhoc(runtime, "13750", dt.date(2024, 9, 10), "tran.lan", now=NOW)
    assert later.unit_name == "Xã Minh Tân"  # the code's new meaning after the reorganisation
    with pytest.raises(NotFound, match="13744"):
        visits.add_adhoc(runtime, "13744", dt.date(2024, 9, 10), "tran.lan", now=NOW)
