"""The reminder sweep over 10,000 open obligations vs a bare SELECT + executemany INSERT.

Setup (not timed): a SQLite database with the Vụ Bản plan's cycle, 10,000 extra synthetic units
("(tổng hợp)") and one open report obligation each, due 06/4/2024. On 02/4/2024 every one is
owed its "3 working days before" reminder, so the sweep queues 10,000 messages: the heaviest day.

- **sweep**: ``giamsat.remind.service.sweep`` (query, policy, texts, bulk insert, audit, commit).
- **bare**: the same rows read by one plain SELECT, one message per row (the sweep's own subject
  and bodies for one unit, with each unit's name put in by ``str.replace``: same sizes), inserted
  with ``sqlite3``'s ``executemany`` and committed, on a copy of the same database.

Target: the sweep ≤ 2 s; the ratio says what the policy and the real texts cost over raw I/O.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Obligation, Unit
from giamsat.domain import clock
from giamsat.remind.service import sweep

CONFIG = Path(__file__).resolve().parents[1] / "config" / "vu-ban-2024.yaml"
N = 10_000
DUE, TODAY = dt.date(2024, 4, 6), dt.date(2024, 4, 2)


def _setup(home: Path, n: int) -> Path:
    db = home / "giamsat.db"
    rt = open_cycle(CONFIG, clock.now(), home=home, database_url=f"sqlite:///{db}")
    created = clock.at_office_hours(dt.date(2024, 4, 1))
    with rt.db.unit_of_work() as s:
        s.execute(insert(Unit), [{"cycle_id": rt.cycle_id, "code": f"{30000 + i:05d}",
                                  "name": f"Xã Số {i + 1} (tổng hợp)", "kind": "xa",
                                  "valid_from": dt.date(2024, 1, 1), "email": f"ubnd.{i}@units.example",
                                  "chairman_email": f"chutich.{i}@units.example"} for i in range(n)])
        ids = s.execute(Unit.__table__.select().with_only_columns(Unit.id, Unit.code)
                        .where(Unit.code >= "30000")).all()
        s.execute(insert(Obligation), [{"cycle_id": rt.cycle_id, "kind": "report", "key": f"report:{code}",
                                        "unit_id": uid, "due_on": DUE, "status": "open",
                                        "created_at": created} for uid, code in ids])
    rt.db.dispose()
    return db


def _sample_texts(home: Path) -> tuple[str, str, str]:
    """Subject, text and HTML of one reminder the sweep writes, the unit's name as ``{name}``."""
    import sqlite3 as lite

    with lite.connect(home / "giamsat.db") as conn:
        row = conn.execute("SELECT m.subject, m.body_text, m.body_html, u.name FROM messages m "
                           "JOIN units u ON u.id = m.unit_id ORDER BY m.id LIMIT 1").fetchone()
    return tuple(t.replace(row[3], "{name}") for t in row[:3])


def _bare(db: Path, texts: tuple[str, str, str]) -> float:
    subject, text, html = texts
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT o.id, o.kind, o.key, o.due_on, u.id, u.name, u.email FROM obligations o "
        "JOIN units u ON u.id = o.unit_id WHERE o.status = 'open' AND o.met_at IS NULL").fetchall()
    conn.executemany(
        "INSERT INTO messages (cycle_id, idempotency_key, kind, to_addrs, cc_addrs, subject, body_text, "
        "body_html, attachments, unit_id, obligation_id, message_id, status, attempts, created_at) "
        "VALUES (1, ?, 'reminder_before', ?, '[]', ?, ?, ?, '[]', ?, ?, ?, 'pending', 0, ?)",
        [(f"bare:{key}:{TODAY}", f'["{email}"]', subject.replace("{name}", name),
          text.replace("{name}", name), html.replace("{name}", name),
          uid, oid, f"<bare{oid}@giamsat.local>", "2024-04-02 01:00:00.000000")
         for oid, _kind, key, _due, uid, name, email in rows])
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def run(n: int = N) -> dict:
    """Seconds for the sweep and for the bare baseline, and their ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        db = _setup(home, n)
        shutil.copy(db, Path(tmp) / "bare.db")
        rt = open_cycle(CONFIG, clock.now(), home=home, database_url=f"sqlite:///{db}")
        start = time.perf_counter()
        summary = sweep(rt, TODAY)
        ours = time.perf_counter() - start
        bare = _bare(Path(tmp) / "bare.db", _sample_texts(home))
        again = time.perf_counter()
        rerun = sweep(rt, TODAY)
        rerun_s = time.perf_counter() - again
        rt.db.dispose()
    assert summary.queued >= n and rerun.queued == 0, (summary, rerun)
    return {"name": "remind_sweep", "open_obligations": summary.open_obligations,
            "queued": summary.queued, "sweep_s": round(ours, 2), "bare_s": round(bare, 2),
            "ratio": round(ours / bare, 2), "rerun_same_day_s": round(rerun_s, 2), "target_s": 2.0}


if __name__ == "__main__":
    print(run())
