"""What the crash tests share: the forked step driver, the ledger of kills, the state checks."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from pathlib import Path

import sqlalchemy as sa

from giamsat.domain import clock
from tests.conftest import ROOT

PER_DAY = 5  # units of the synthetic plan: every notify or reminder day queues 5 messages


class Driver:
    """``python -m tests.e2e.crash_driver``: one forked child per step run."""

    def __init__(self, tmp: Path) -> None:
        self.stderr = (tmp / "driver.err").open("w+", encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.e2e.crash_driver"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True, bufsize=1)

    def start(self, req: dict) -> int:
        """Start one run; its pid."""
        self.proc.stdin.write(json.dumps(req) + "\n")
        line = self.proc.stdout.readline()
        assert line.startswith("pid "), f"driver: {line!r} {self.errors()}"
        return int(line.split()[1])

    def wait(self) -> str:
        """How the run ended: ``exit 0``, ``exit 1`` or ``signal 9``."""
        self.proc.stdin.write("wait\n")
        return self.proc.stdout.readline().strip()

    def errors(self) -> str:
        """What the runs wrote to stderr so far (tracebacks of failed runs)."""
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read()[-3000:]

    def close(self) -> None:
        """Stop the driver (it exits when its stdin closes)."""
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.stderr.close()


@dataclass
class Ledger:
    """What the kills did: how many, of which kind, and which messages they caught in the window."""

    window: Counter = field(default_factory=Counter)  # Message-ID -> kills between accept and record
    written: dict = field(default_factory=dict)  # file channel: Message-ID -> bytes first seen unrecorded
    widest: int = 0  # the most messages one kill left accepted and unrecorded
    kinds: Counter = field(default_factory=Counter)
    kills: int = 0
    run_seconds: float = 1.0  # how long the last completed run took (bounds the random delays)
    points: dict = field(default_factory=lambda: {"notify": 200, "remind": 40})  # of a whole run
    clock: dt.datetime = dt.datetime(2024, 4, 1, 8, tzinfo=clock.TZ)

    def next_now(self, day: dt.date) -> str:
        """Delivery time of the next run: 20 minutes on, past the 15-minute claim time-to-live."""
        self.clock = max(self.clock + dt.timedelta(minutes=20), clock.at_office_hours(day))
        return self.clock.isoformat()


class Peer:
    """The receiving side: the SMTP server's log, or the .eml folder of the file channel."""

    def __init__(self, smtp=None, outbox: Path | None = None) -> None:
        self.smtp, self.outbox = smtp, outbox

    def accepted(self) -> list[str]:
        """Message-IDs accepted so far, in order (the file channel: one per file present)."""
        if self.smtp is not None:
            return [r.message["Message-ID"] for r in list(self.smtp.received)]
        return [mid for mid, _ in self.files()]

    def files(self) -> list[tuple[str, bytes]]:
        """The file channel's .eml files: (Message-ID, bytes) of each, in name order."""
        if self.outbox is None or not self.outbox.exists():
            return []
        parser = BytesHeaderParser(policy=policy.default)
        return [(parser.parsebytes(data)["Message-ID"], data)
                for data in (p.read_bytes() for p in sorted(self.outbox.glob("*.eml")))]

    def settle(self) -> None:
        """Let the server finish a transaction the dead client had already sent."""
        if self.smtp is None:
            return  # a file is in place or not: nothing is in flight
        last, stable_since = -1, time.monotonic()
        while time.monotonic() - stable_since < 0.15:
            n = len(self.accepted())
            if n != last:
                last, stable_since = n, time.monotonic()
            time.sleep(0.03)


def db_facts(engine: sa.Engine) -> dict:
    """Message statuses by Message-ID, and the row counts a partial write would betray."""
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        if "messages" not in tables:
            return {"tables": len(tables), "messages": {}, "obligations": 0, "documents": []}
        messages = dict(conn.execute(sa.text("select message_id, status from messages")).all())
        obligations = conn.execute(sa.text("select count(*) from obligations")).scalar()
        documents = conn.execute(sa.text("select path, sha256 from documents")).all()
    return {"tables": len(tables), "messages": messages, "obligations": obligations,
            "documents": documents}


def run_until_done(driver: Driver, req: dict, peer: Peer, ledger: Ledger, engine: sa.Engine,
                   rng: random.Random, kills: int, check) -> dict:
    """Run the step, killing it up to ``kills`` times at random points, then once to completion."""
    day = dt.date.fromisoformat(req["as_of"])
    for attempt in range(kills + 1):
        run = dict(req, now=ledger.next_now(day))
        kind = rng.choice(["delay", "point", "send"]) if attempt < kills else "none"
        if kind == "point":
            run["kill_at_point"] = rng.randint(1, ledger.points[req["step"]])
        elif kind == "send":
            unsent = sum(s != "sent" for s in db_facts(engine)["messages"].values())
            run["kill_after_send"] = rng.randint(1, unsent or PER_DAY)
        before, started = len(peer.accepted()), time.monotonic()
        pid = driver.start(run)
        if kind == "delay":
            time.sleep(rng.uniform(0, 0.9 * ledger.run_seconds))
            os.kill(pid, signal.SIGKILL)  # our own child, not yet reaped: the pid is still ours
        ended = driver.wait()
        if ended == "exit 0":
            done = json.loads(Path(req["result"]).read_text(encoding="utf-8"))
            if attempt == 0:  # a whole run: how long it takes, how many points it has
                ledger.run_seconds, ledger.points[req["step"]] = time.monotonic() - started, done["points"]
            return done
        assert ended == "signal 9", f"the run failed instead of dying: {ended}\n{driver.errors()}"
        ledger.kills += 1
        ledger.kinds[kind] += 1
        peer.settle()
        facts = db_facts(engine)
        if peer.smtp is not None:  # accepted by the server during this run, not recorded as sent
            caught = [m for m in peer.accepted()[before:] if facts["messages"].get(m) != "sent"]
            assert len(caught) <= 1, f"one kill left {len(caught)} accepted messages unrecorded"
        else:
            caught = _files_agree(peer, facts, ledger)
        ledger.window.update(caught)
        ledger.widest = max(ledger.widest, len(caught))
        check(facts)
    raise AssertionError(f"the step never completed: {driver.errors()}")


def _files_agree(peer: Peer, facts: dict, ledger: Ledger) -> list[str]:
    """The file channel after a kill: one file per message at most, a file for every message
    recorded as sent, and a file written again after a kill identical to the first. The files of
    messages not yet recorded (a whole batch may be: it commits once) are returned, first kill only.
    """
    files = peer.files()
    copies = Counter(mid for mid, _ in files)
    assert max(copies.values(), default=1) == 1, f"a message in two files: {copies.most_common(3)}"
    sent = {m for m, status in facts["messages"].items() if status == "sent"}
    assert sent <= set(copies), f"recorded as sent without a file: {sorted(sent - set(copies))}"
    caught = []
    for mid, data in files:
        if mid in ledger.written:
            assert data == ledger.written[mid], f"{mid} was rewritten with other bytes"
        elif mid not in sent:
            ledger.written[mid] = data
            caught.append(mid)
    return caught
