"""How long the at-least-once window of SMTP delivery lasts, per message, on SQLite and PostgreSQL.

The window of a message opens when the SMTP server accepts it (its handler returns ``250``) and
closes when the drain commits its ``sent`` row; a process killed in between sends it again after
the claim expires. One process drains N messages to a loopback aiosmtpd server; the server stamps
each acceptance, the pool each connection returned after a commit (both ``time.monotonic``; so
the figure slightly overstates the window). Printed: the window's
median, 99th percentile and maximum, and the share of the drain's wall time spent inside a window
(the chance that a kill at a random moment of delivery produces a duplicate).

    python -m bench.smtp_window [N]
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.messaging.delivery import deliver
from giamsat.messaging.outbox import enqueue, idempotency_key

CONFIG = Path(__file__).resolve().parents[1] / "config" / "vu-ban-2024.yaml"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = dt.datetime(2024, 4, 2, 8, tzinfo=clock.TZ)


class _Stamping:
    """aiosmtpd handler: accepts everything, stamps each acceptance."""

    def __init__(self) -> None:
        self.accepted: list[float] = []

    async def handle_DATA(self, server, session, envelope):
        self.accepted.append(time.monotonic())
        return "250 OK"


def _fresh_pg() -> str | None:
    import sqlalchemy as sa

    name = f"giamsat_bench_{int(time.time())}"
    try:
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except sa.exc.OperationalError:
        return None
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg(url: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def measure(db_url: str, n: int, home: Path) -> dict:
    """Drain ``n`` messages and pair each acceptance with the commit that follows it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = _Stamping()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    rt = open_cycle(CONFIG, clock.now(), home=home, database_url=db_url, channel="smtp",
                    smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
    try:
        with rt.db.unit_of_work() as s:
            for i in range(n):
                enqueue(s, cycle_id=rt.cycle_id, key=idempotency_key("bench", "window", "probe", i),
                        kind="probe", to=[f"xa{i}@vuban.example"], template="_probe",
                        context={"office_name": "Phòng LĐ-TB&XH", "body": f"Thư số {i}"}, now=NOW)
        commits: list[float] = []
        # the connection goes back to the pool once its COMMIT returned: a slightly late stamp
        event.listen(rt.db.engine.pool, "checkin", lambda *_: commits.append(time.monotonic()))
        started = time.monotonic()
        sent = deliver(rt, NOW).sent
        wall = time.monotonic() - started
    finally:
        rt.db.dispose()
        controller.stop()
    windows = [next(c for c in commits if c >= a) - a for a in handler.accepted]
    ms = sorted(w * 1000 for w in windows)
    return {"backend": rt.db.backend, "messages": sent, "window_ms_median": round(statistics.median(ms), 2),
            "window_ms_p99": round(ms[int(0.99 * (len(ms) - 1))], 2), "window_ms_max": round(ms[-1], 2),
            "share_of_delivery_time_pct": round(100 * sum(windows) / wall, 1)}


def run(n: int = 300) -> list[dict]:
    """The window on SQLite, and on PostgreSQL when it is reachable."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        out.append(measure(f"sqlite:///{tmp}/bench.db", n, Path(tmp) / "home"))
        pg = _fresh_pg()
        if pg:
            try:
                out.append(measure(pg, n, Path(tmp) / "home-pg"))
            finally:
                _drop_pg(pg)
    return out


if __name__ == "__main__":
    for line in run(int(sys.argv[1]) if len(sys.argv) > 1 else 300):
        print(json.dumps(line))
