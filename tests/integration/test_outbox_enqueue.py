"""Queuing a message is idempotent on its key and renders Vietnamese text from templates."""

import datetime as dt

from sqlalchemy import func, select

from giamsat.db.models import Message
from giamsat.domain import clock
from giamsat.messaging.outbox import enqueue, idempotency_key

NOW = dt.datetime(2024, 4, 1, 8, tzinfo=clock.TZ)


def test_queuing_the_same_key_twice_keeps_one_message(runtime):
    key = idempotency_key("vu-ban-2024", "test", "probe", "13741@2024-01-01")
    ctx = {"office_name": "Phòng Lao động - TB&XH", "body": "<b>xin chào</b>"}
    with runtime.db.unit_of_work() as s:
        first, created = enqueue(s, cycle_id=runtime.cycle_id, key=key, kind="probe",
                                 to=["a@x.example"], template="_probe", context=ctx, now=NOW)
        again, created_again = enqueue(s, cycle_id=runtime.cycle_id, key=key, kind="probe",
                                       to=["a@x.example"], template="_probe", context=ctx, now=NOW)
        assert (created, created_again) == (True, False)
        assert first.id == again.id
        assert s.scalar(select(func.count(Message.id))) == 1
        assert first.subject == "Thử nghiệm: Phòng Lao động - TB&XH"
        assert "&lt;b&gt;xin chào&lt;/b&gt;" in first.body_html
        assert "<b>xin chào</b>" in first.body_text


def test_long_keys_are_shortened_stably():
    long = idempotency_key("c", "s", "k", "x" * 400)
    assert len(long) <= 255 and long == idempotency_key("c", "s", "k", "x" * 400)
