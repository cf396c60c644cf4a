"""2,000 messages through the outbox vs a bare smtplib loop, both to one local aiosmtpd server.

The bare loop builds each RFC 5322 message (UTF-8 subject, text + HTML parts) with the ``email``
package, as a plain script would, and sends it over one SMTP connection: the ratio's baseline.
A second bare loop builds the same messages with the outbox's own builder
(``giamsat.messaging.mime.message_bytes``): against it, the ratio is what claiming rows in
batches and recording each message as sent (one commit per message, SQLite in WAL mode) costs,
the price of never sending twice.
Queuing the messages (rendering templates, inserting rows) happens before the clock starts.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import tempfile
import time
from collections.abc import Callable
from email import policy
from pathlib import Path

from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.messaging.delivery import deliver
from giamsat.messaging.mime import Outgoing, build_email, envelope_sender, message_bytes
from giamsat.messaging.outbox import enqueue, idempotency_key
from giamsat.runtime import Runtime

CONFIG = Path(__file__).resolve().parents[1] / "config" / "vu-ban-2024.yaml"
N = 2000
NOW = dt.datetime(2024, 4, 2, 8, tzinfo=clock.TZ)


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queue(rt: Runtime, n: int) -> None:
    with rt.db.unit_of_work() as s:
        for i in range(n):
            enqueue(s, cycle_id=rt.cycle_id, key=idempotency_key("bench", "bench", "probe", i),
                    kind="probe", to=[f"xa{i % 18}@vuban.example"], template="_probe", now=NOW,
                    context={"office_name": "Phòng Lao động - TB&XH", "body": f"Thư nhắc số {i}"})


def _email_package(out: Outgoing, mail_from: str) -> bytes:
    return build_email(out, mail_from).as_bytes(policy=policy.SMTP)


def _bare(rt: Runtime, port: int, n: int, build: Callable[[Outgoing, str], bytes]) -> float:
    mail_from = rt.delivery().mail_from
    outs = [Outgoing(id=i, message_id=f"<bare{i}@giamsat.local>", to=[f"xa{i % 18}@vuban.example"],
                     subject="Thử nghiệm: Phòng Lao động - TB&XH", text=f"Thư nhắc số {i}\n",
                     html=f"<p>Thư nhắc số {i}</p>", created_at=NOW) for i in range(n)]
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as conn:
        for out in outs:
            data = build(out, mail_from)
            conn.sendmail(envelope_sender(mail_from), out.recipients, data)
    return time.perf_counter() - start


def run(n: int = N) -> dict:
    """Seconds for both ways and their ratio (outbox / bare)."""
    from aiosmtpd.controller import Controller

    port, handler = _free_port(), _Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rt = open_cycle(CONFIG, clock.now(), home=Path(tmp), channel="smtp", smtp_host="127.0.0.1",
                            smtp_port=port, smtp_security="none")
            _queue(rt, n)
            bare = _bare(rt, port, n, _email_package)
            same = _bare(rt, port, n, message_bytes)
            start = time.perf_counter()
            result = deliver(rt, NOW, batch_size=500)
            ours = time.perf_counter() - start
            rt.db.dispose()
    finally:
        controller.stop()
    assert result.sent == n and handler.count == 3 * n, (result, handler.count)
    return {"name": "outbox_smtp", "messages": n, "outbox_s": round(ours, 2),
            "bare_smtplib_s": round(bare, 2), "outbox_msgs_per_s": round(n / ours),
            "ratio": round(ours / bare, 2), "target": 1.5, "bare_same_builder_s": round(same, 2),
            "ratio_same_builder": round(ours / same, 2)}


if __name__ == "__main__":
    print(run())
