"""Draining the outbox against a real SMTP server on loopback, and into .eml files."""

import datetime as dt
import email
from email import policy

import pytest
from sqlalchemy import select, update

from giamsat.db.models import Message
from giamsat.domain import clock
from giamsat.domain.errors import Conflict
from giamsat.messaging.delivery import counts, deliver, retry
from giamsat.messaging.drain import claim_batch
from giamsat.messaging.outbox import enqueue, idempotency_key

NOW = dt.datetime(2024, 4, 1, 8, tzinfo=clock.TZ)
LATER = NOW + dt.timedelta(minutes=5)


def _queue(rt, n, to=None):
    with rt.db.unit_of_work() as s:
        for i in range(n):
            enqueue(s, cycle_id=rt.cycle_id, key=idempotency_key("t", "test", "probe", i),
                    kind="probe", to=[to(i) if to else f"xa{i}@vuban.example"], template="_probe",
                    context={"office_name": "Phòng Lao động - TB&XH", "body": f"Thư số {i}"}, now=NOW)


def _statuses(rt):
    with rt.db.unit_of_work() as s:
        return {m.id: (m.status, m.last_error) for m in s.scalars(select(Message))}


def test_every_queued_message_reaches_the_server_once(smtp_runtime, smtp_server):
    _queue(smtp_runtime, 7)
    result = deliver(smtp_runtime, NOW, batch_size=3)
    assert (result.sent, result.failed, result.deferred) == (7, 0, 0)
    assert sorted(smtp_server.handler.by_message_id().values()) == [1] * 7
    msg = smtp_server.received[0].message
    assert msg["Subject"] == "Thử nghiệm: Phòng Lao động - TB&XH"
    assert msg.get_body(("plain",)).get_content().startswith("Thư số 0")
    assert msg.get_body(("html",)) is not None
    assert deliver(smtp_runtime, LATER).sent == 0
    assert len(smtp_server.received) == 7


def test_one_connection_carries_a_whole_batch(smtp_runtime, smtp_server):
    _queue(smtp_runtime, 10)
    deliver(smtp_runtime, NOW, batch_size=50)
    assert smtp_server.handler.connections == 1


def test_temporary_refusals_and_dropped_connections_end_with_each_message_delivered_once(
        smtp_runtime, smtp_server):
    _queue(smtp_runtime, 6)
    smtp_server.handler.script.tempfail_data = 2
    smtp_server.handler.script.drop_data = 1
    first = deliver(smtp_runtime, NOW)
    assert first.deferred > 0 and counts(smtp_runtime)["pending"] > 0
    errors = list(first.errors)
    for attempt in range(5):
        if counts(smtp_runtime)["pending"] == 0:
            break
        errors += deliver(smtp_runtime, LATER + dt.timedelta(minutes=attempt)).errors
    assert any("kết nối" in e for e in errors) and sum("451" in e for e in errors) == 2
    assert counts(smtp_runtime) == {"pending": 0, "sent": 6, "failed": 0}
    assert sorted(smtp_server.handler.by_message_id().values()) == [1] * 6


def test_a_permanent_refusal_fails_only_that_message_and_can_be_retried(smtp_runtime, smtp_server):
    _queue(smtp_runtime, 4)
    smtp_server.handler.script.reject_rcpt["xa2@vuban.example"] = "550 5.1.1 Không có hộp thư này"
    result = deliver(smtp_runtime, NOW)
    assert (result.sent, result.failed) == (3, 1)
    failed = [(mid, err) for mid, (st, err) in _statuses(smtp_runtime).items() if st == "failed"]
    assert len(failed) == 1 and "xa2@vuban.example: 550 5.1.1 Không có hộp thư này" in failed[0][1]
    smtp_server.handler.script.reject_rcpt.clear()
    retry(smtp_runtime, failed[0][0], LATER)
    assert deliver(smtp_runtime, LATER).sent == 1
    assert len(smtp_server.received) == 4


def test_a_live_claim_keeps_other_drainers_away_until_it_expires(smtp_runtime, smtp_server):
    _queue(smtp_runtime, 3)
    _token, mine = claim_batch(smtp_runtime.db, 10)
    assert len(mine) == 3
    assert deliver(smtp_runtime, NOW + dt.timedelta(minutes=1)).sent == 0
    _age_claims(smtp_runtime, dt.timedelta(hours=1))  # the claimer died an hour ago
    assert deliver(smtp_runtime, NOW + dt.timedelta(minutes=2)).sent == 3


def test_a_run_replaying_a_later_day_leaves_a_live_claim_alone(smtp_runtime, smtp_server):
    # a catch-up run of 01/4 is sending; the scheduled run of 08/4 drains the same outbox
    _queue(smtp_runtime, 3)
    claim_batch(smtp_runtime.db, 10)
    assert deliver(smtp_runtime, NOW + dt.timedelta(days=7)).sent == 0
    assert smtp_server.received == []


def _age_claims(rt, by):
    with rt.db.engine.begin() as conn:
        conn.execute(update(Message).values(claimed_at=clock.now() - by))


def test_the_file_channel_writes_readable_utf8_eml_files_once(sqlite_runtime):
    _queue(sqlite_runtime, 2)
    assert deliver(sqlite_runtime, NOW).sent == 2
    files = sorted((sqlite_runtime.home / "outbox").glob("*.eml"))
    assert len(files) == 2
    msg = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["Subject"] == "Thử nghiệm: Phòng Lao động - TB&XH"
    assert "Thư số 0" in msg.get_body(("plain",)).get_content()
    assert deliver(sqlite_runtime, LATER).sent == 0
    assert len(list((sqlite_runtime.home / "outbox").iterdir())) == 2


def test_two_drainers_at_once_never_send_a_message_twice(smtp_runtime, smtp_server):
    from concurrent.futures import ThreadPoolExecutor

    _queue(smtp_runtime, 40)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: deliver(smtp_runtime, NOW, batch_size=4), range(3)))
    assert sum(r.sent for r in results) == 40
    assert sorted(smtp_server.handler.by_message_id().values()) == [1] * 40


def test_retrying_a_sent_message_tells_when_it_went_out_in_vietnam_time(sqlite_runtime):
    _queue(sqlite_runtime, 1)
    assert deliver(sqlite_runtime, NOW).sent == 1
    # 20:30 UTC on 1 April is 03:30 on 2 April in Vietnam: the officer reads Vietnam's day and hour.
    sent = dt.datetime(2024, 4, 1, 20, 30, tzinfo=dt.UTC)
    with sqlite_runtime.db.engine.begin() as conn:
        conn.execute(update(Message).values(sent_at=sent))
    message_id = next(iter(_statuses(sqlite_runtime)))
    with pytest.raises(Conflict) as raised:
        retry(sqlite_runtime, message_id, LATER)
    assert str(raised.value) == (f"Thư số {message_id} đã gửi lúc 02/4/2024 03:30; "
                                 "không gửi lại để tránh gửi trùng.")
