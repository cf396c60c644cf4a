"""An idempotent channel's batch is recorded as sent in one statement, with the rows one statement
per message gave: only rows still carrying the drainer's token, each attempt counted, notes kept."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, select, update

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message
from giamsat.messaging import drain
from giamsat.messaging.channels import channel_for
from giamsat.messaging.delivery import deliver
from giamsat.messaging.outbox import insert_pending, pending_row
from tests.conftest import CONFIG, OPENED_AT

NOW = OPENED_AT + dt.timedelta(hours=1)
STOLEN = {5, 40, 41}  # their claim expired and another drainer holds them now


def _runtime(tmp_path, name, url=None):
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / name, channel="file", intake_workers=0,
                    database_url=url or f"sqlite:///{tmp_path / f'{name}.db'}")
    with rt.db.unit_of_work() as s:
        insert_pending(s, [pending_row(cycle_id=rt.cycle_id, key=f"test:{i}", kind="reminder",
                                       to=[f"xa{i}@units.example"], cc=[], subject=f"Nhắc {i}",
                                       text="Kính gửi", html=None, now=OPENED_AT) for i in range(130)])
    return rt


def _per_message(db, channel, token, delivered, now) -> None:
    """The statement per message this replaced (the reference)."""
    with db.engine.begin() as conn:
        conn.execute(drain._record_statement(("channel", "last_error", "sent_at", "status")),
                     [{"b_id": i, "b_token": token, "v_status": "sent", "v_sent_at": now,
                       "v_channel": channel.name, "v_last_error": note} for i, note in delivered])


def _rows(rt):
    with rt.db.engine.connect() as conn:
        return [(*r[:6], r[6] is not None) for r in conn.execute(
            select(Message.id, Message.status, Message.attempts, Message.channel, Message.last_error,
                   Message.sent_at, Message.claim_token).order_by(Message.id))]


def test_one_statement_records_the_rows_one_statement_per_message_recorded(tmp_path):
    results = []
    for name, record in (("batch", drain._record_sent), ("per-message", _per_message)):
        rt = _runtime(tmp_path, name)
        channel = channel_for(rt.delivery())
        token, batch = drain.claim_batch(rt.db, 120)
        with rt.db.engine.begin() as conn:
            conn.execute(update(Message).where(Message.id.in_(STOLEN)).values(claim_token="other"))
        delivered = [(o.id, None if o.id % 7 else f"x{o.id % 2}@units.example: 452 hộp thư đầy")
                     for o in batch if o.id != 77]  # 77 was not written: it stays claimed
        record(rt.db, channel, token, delivered, NOW)
        results.append(_rows(rt))
        rt.db.dispose()
    batch, per_message = results
    assert batch == per_message
    assert [r[1:3] for r in batch if r[0] in STOLEN] == [("pending", 0)] * 3
    assert {r[4] for r in batch} == {None, "x0@units.example: 452 hộp thư đầy",
                                     "x1@units.example: 452 hộp thư đầy"}


def test_a_file_drain_updates_the_outbox_once_per_batch_to_claim_and_once_to_record(tmp_path, db_url):
    rt = _runtime(tmp_path, "count", db_url)
    executed: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE MESSAGES"):
            executed.append(len(parameters) if executemany else 1)
    event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        result = deliver(rt, NOW, batch_size=50)
    finally:
        event.remove(rt.db.engine, "before_cursor_execute", count)
    assert result.sent == 130
    assert sum(executed) == 2 * 3  # three batches: a claim and a record each, whatever their size
    assert {r[1:4] for r in _rows(rt)} == {("sent", 1, "file")}
    rt.db.dispose()
