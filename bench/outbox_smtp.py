"""Delivery over SMTP: the outbox vs a bare smtplib loop with the same builder, same messages.

``python -m bench.outbox_smtp [N] [--rounds R]`` (default 2,000 messages, 2 rounds). The SMTP
peer (aiosmtpd, accepting and counting) runs in its own process, as a real server would. Each
round queues N messages of the cycle's mix (``bench._messages``: one in six a notification with
three .docx attachments, the others reminders and acknowledgements with Vietnamese text + HTML)
in a fresh SQLite outbox (not timed), then times:

- **outbox**: ``messaging.delivery.deliver`` — claims of 500 (``UPDATE … RETURNING`` through the
  status index), one SMTP connection per batch, each message built by ``mime.message_bytes`` and
  recorded as sent in its own commit (SMTP has a duplicate window: see the README's Guarantees).
- **bare**: the same messages built by the same builder and sent with ``smtplib.sendmail`` over
  one connection: the floor for this work, nothing recorded.

The order alternates between rounds (bare first, then outbox first); the headline ratio is the
median of outbox / bare. ``ratio_email_package`` (first round only) compares with a bare loop
that builds with the ``email`` package (``policy.SMTP``), the slower way a plain script would.
"""

from __future__ import annotations

import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from email import policy
from pathlib import Path

from bench import _messages
from giamsat.cycle.sync import open_cycle
from giamsat.messaging.delivery import deliver
from giamsat.messaging.mime import Outgoing, build_email, envelope_sender, message_bytes

CONFIG = Path(__file__).resolve().parents[1] / "config" / "vu-ban-2024.yaml"
MAIL_FROM = "phonglaodong@vuban.example"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    """The SMTP server process."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "bench._smtp_peer", str(self.port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     cwd=Path(__file__).resolve().parents[1])
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def count(self) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _email_package(out: Outgoing, mail_from: str) -> bytes:
    return build_email(out, mail_from).as_bytes(policy=policy.SMTP)


def _bare(port: int, outs: list[Outgoing], build: Callable[[Outgoing, str], bytes]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as conn:
        for out in outs:
            conn.sendmail(envelope_sender(MAIL_FROM), out.recipients, build(out, MAIL_FROM))
    return time.perf_counter() - start


def _ours(port: int, folder: Path, atts: list) -> tuple[float, int]:
    rt = open_cycle(CONFIG, _messages.NOW, home=folder, channel="smtp", smtp_host="127.0.0.1",
                    smtp_port=port, smtp_security="none", mail_from=MAIL_FROM,
                    database_url=f"sqlite:///{folder / 'g.db'}")
    _messages.queue(rt, atts)
    start = time.perf_counter()
    result = deliver(rt, _messages.NOW, batch_size=500)
    took = time.perf_counter() - start
    rt.db.dispose()
    return took, result.sent


def run(n: int = 2000, rounds: int = 2) -> dict:
    """Alternating rounds; seconds for both ways and their ratio (outbox / bare, same builder)."""
    peer = Peer()
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            atts = _messages.attachments(Path(tmp) / "att", n)
            outs = _messages.outgoing(atts)
            email_package = _bare(peer.port, outs, _email_package)
            for i in range(rounds):
                home = Path(tmp) / f"home-{i}"
                if i % 2 == 0:
                    bare = _bare(peer.port, outs, message_bytes)
                    ours, sent = _ours(peer.port, home, atts)
                else:
                    ours, sent = _ours(peer.port, home, atts)
                    bare = _bare(peer.port, outs, message_bytes)
                assert sent == n, sent
                results.append({"bare_first": i % 2 == 0, "outbox_s": round(ours, 2),
                                "bare_s": round(bare, 2), "ratio": round(ours / bare, 2)})
            received = peer.count()
    finally:
        peer.stop()
    assert received == (2 * rounds + 1) * n, received
    return {"name": "outbox_smtp", "messages": n, "rounds": results,
            "ratio": round(statistics.median(r["ratio"] for r in results), 2), "target": 1.3,
            "outbox_msgs_per_s": round(n / min(r["outbox_s"] for r in results)),
            "bare_email_package_s": round(email_package, 2),
            "ratio_email_package": round(results[0]["outbox_s"] / email_package, 2),
            "load": os.getloadavg()[0]}


if __name__ == "__main__":
    from bench._cli import main

    main(run, 2000)
