"""Delivery through the ``file`` channel (the demo's and the national run's) vs the bare loop.

``python -m bench.delivery [N] [--rounds R]`` (default 6,000 messages, 2 rounds). Each round
queues N messages of the cycle's mix (``bench._messages``: one in six with three .docx
attachments) in a fresh SQLite outbox, copies the database, then times, in the same process:

- **outbox**: ``messaging.delivery.deliver`` — claims of 200 through the status index
  (``UPDATE … RETURNING``), one .eml per message (built by ``mime.message_bytes``, written under
  a name of the session then renamed), one ``os.sync`` per batch, then the batch recorded as sent
  in one commit (the file channel is idempotent: a re-send rewrites the same file).
- **bare**: on the copy, the floor for the same work: ``SELECT`` the pending rows 200 at a time,
  build each message with the same builder, write it (``open``/``write``/``rename``), one
  ``os.sync`` per batch, one ``UPDATE … executemany`` and commit per batch.

The order alternates between rounds; the ratio reported is the median of outbox / bare.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench import _messages
from giamsat.cycle.sync import open_cycle
from giamsat.messaging.delivery import deliver
from giamsat.messaging.mime import Outgoing, message_bytes

CONFIG = Path(__file__).resolve().parents[1] / "config" / "vu-ban-2024.yaml"
BATCH = 200


def _bare(db: Path, folder: Path, mail_from: str) -> tuple[float, int]:
    folder.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=NORMAL")
    started, sent = time.perf_counter(), 0
    while True:
        rows = con.execute("SELECT id, message_id, to_addrs, subject, body_text, body_html, created_at, "
                           "attachments FROM messages WHERE status = 'pending' ORDER BY id LIMIT ?",
                           (BATCH,)).fetchall()
        if not rows:
            break
        for r in rows:
            out = Outgoing(id=r[0], message_id=r[1], to=json.loads(r[2]), subject=r[3], text=r[4],
                           html=r[5], created_at=_messages.NOW, attachments=json.loads(r[7]))
            target = folder / f"{r[0]:06d}.eml"
            tmp = folder / f".{r[0]:06d}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(message_bytes(out, mail_from))
            os.replace(tmp, target)
        os.sync()
        with con:
            con.executemany("UPDATE messages SET status = 'sent', attempts = attempts + 1 WHERE id = ?",
                            [(r[0],) for r in rows])
        sent += len(rows)
    con.close()
    return time.perf_counter() - started, sent


def _round(n: int, bare_first: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rt = open_cycle(CONFIG, _messages.NOW, home=folder / "home", channel="file",
                        database_url=f"sqlite:///{folder / 'g.db'}")
        _messages.queue(rt, _messages.attachments(folder / "att", n))
        copy = sqlite3.connect(folder / "bare.db")
        with sqlite3.connect(folder / "g.db") as src:
            src.backup(copy)
        copy.close()
        os.sync()
        mail_from = rt.delivery().mail_from
        bare = _bare(folder / "bare.db", folder / "bare-out", mail_from) if bare_first else None
        started = time.perf_counter()
        result = deliver(rt, _messages.NOW)
        ours = time.perf_counter() - started
        if bare is None:
            bare = _bare(folder / "bare.db", folder / "bare-out", mail_from)
        written = sum(p.stat().st_size for p in (rt.home / "outbox").glob("*.eml"))
        rt.db.dispose()
    assert result.sent == n and bare[1] == n, (result, bare)
    return {"bare_first": bare_first, "outbox_s": round(ours, 2), "bare_s": round(bare[0], 2),
            "ratio": round(ours / bare[0], 2), "mb_written": round(written / 1e6, 1)}


def run(n: int = 6000, rounds: int = 2) -> dict:
    """Alternating rounds of the outbox and the bare loop on ``n`` messages."""
    results = [_round(n, bare_first=i % 2 == 0) for i in range(rounds)]
    return {"name": "delivery", "channel": "file", "messages": n, "rounds": results,
            "outbox_ms_per_message": round(min(r["outbox_s"] for r in results) / n * 1000, 3),
            "bare_ms_per_message": round(min(r["bare_s"] for r in results) / n * 1000, 3),
            "ratio": round(statistics.median(r["ratio"] for r in results), 2), "target": 1.3,
            "load": os.getloadavg()[0]}


if __name__ == "__main__":
    from bench._cli import main

    main(run, 6000)
