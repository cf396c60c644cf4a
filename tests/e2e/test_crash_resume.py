"""Crash and resume: notify and the reminder sweep SIGKILLed at random points, many times, restarted.

A synthetic plan of 5 units (notify, then 6 reminder days: 35 messages). Every step run is a
forked process killed with SIGKILL after a random delay, before a random database operation, or
right after a message was accepted; each is restarted (20 minutes later on the step's clock, past
the claim time-to-live) until it completes. Checked against a real SMTP server on loopback: no
message is lost; a message reaches the server twice only when a kill fell between the server's 250
and the commit of its ``sent`` row (the documented window, at most one message per kill), and the
copy carries the same Message-ID. The file channel records a batch in one commit and a kill may
leave the whole batch written and unrecorded; its files are named by the message and replaced
whole, so the resumed delivery rewrites them byte for byte: every message ends in exactly one
file, none missing, none doubled, and the records agree with the files. After every kill
the database holds whole steps only: no half schema, no half notify, no half sweep, and every
recorded document is on disk with its recorded hash. Set ``GIAMSAT_CRASH_SEED`` to replay a run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from bench.generate import write_plan
from giamsat.db.models import Base
from giamsat.db.session import make_engine
from tests.e2e.crash_harness import PER_DAY, Driver, Ledger, Peer, db_facts, run_until_done

REMIND_DAYS = [dt.date(2024, 4, d) for d in (2, 4, 5, 8, 10, 12)]
ALL_TABLES = len(Base.metadata.tables) + 1  # and alembic_version


@pytest.fixture
def driver(tmp_path):
    d = Driver(tmp_path)
    yield d
    d.close()


@pytest.fixture
def seed() -> int:
    return int(os.environ.get("GIAMSAT_CRASH_SEED") or random.SystemRandom().randrange(10**6))


def _base(tmp_path: Path, db_url: str, smtp_port: int | None) -> dict:
    plan = write_plan(PER_DAY, tmp_path / "plan.yaml", others=False)  # one message per unit a day
    return {"config": str(plan), "home": str(tmp_path / "home"),
            "db_url": db_url, "smtp_port": smtp_port, "result": str(tmp_path / "result.json")}


def check_whole_steps(facts: dict) -> None:
    """What a kill may leave: whole migrations, whole notify runs, whole sweeps."""
    assert facts["tables"] in (0, ALL_TABLES), f"half a schema: {facts['tables']} tables"
    assert len(facts["messages"]) % PER_DAY == 0, f"half a step: {len(facts['messages'])} messages"
    assert facts["obligations"] in (0, PER_DAY)
    assert len(facts["documents"]) in (0, 2 * PER_DAY + 1)
    assert bool(facts["documents"]) == bool(facts["obligations"]) == bool(facts["messages"])
    for path, sha in facts["documents"]:
        assert hashlib.sha256(Path(path).read_bytes()).hexdigest() == sha, f"{path} is not as recorded"


def _kill_through_the_cycle(driver, base, peer, engine, rng) -> Ledger:
    ledger = Ledger()
    run_until_done(driver, {**base, "step": "notify", "as_of": "2024-04-01"}, peer, ledger, engine,
                   rng, 16, check_whole_steps)
    for day in REMIND_DAYS:
        run_until_done(driver, {**base, "step": "remind", "as_of": day.isoformat()}, peer, ledger,
                       engine, rng, 6, check_whole_steps)
    return ledger


def test_killed_steps_lose_no_message_and_duplicate_only_inside_the_window(
        db_url, tmp_path, smtp_server, driver, seed):
    rng, engine = random.Random(seed), make_engine(db_url)
    try:
        ledger = _kill_through_the_cycle(driver, _base(tmp_path, db_url, smtp_server.port),
                                         Peer(smtp=smtp_server), engine, rng)
        facts = db_facts(engine)
    finally:
        engine.dispose()
    said = f"seed {seed}: {ledger.kills} kills {dict(ledger.kinds)}, window {sum(ledger.window.values())}"
    print(said)
    # Up to 52 kills are tried; one that misses (the run finished first) ends that step's tries.
    assert ledger.kills >= 8, said  # a kill that misses ends its step: 8–20 land in practice
    assert Counter(facts["messages"].values()) == {"sent": PER_DAY * (1 + len(REMIND_DAYS))}, said
    copies = Counter(r.message["Message-ID"] for r in smtp_server.received)
    assert set(copies) == set(facts["messages"]), f"lost or unknown messages; {said}"
    duplicates = {mid: n - 1 for mid, n in copies.items() if n > 1}
    assert duplicates == dict(ledger.window), f"a duplicate outside the window; {said}"
    assert ledger.window, f"no kill fell in the window, the test proved nothing about it; {said}"


def test_the_file_channel_delivers_every_message_in_exactly_one_file_however_often_it_is_killed(
        tmp_path, driver, seed):
    """The file channel commits a whole batch at once: a kill may leave every file of the batch
    written and unrecorded (checked after each kill: never two files for one message, a file for
    every message recorded as sent); the resumed delivery rewrites the same files, byte for byte."""
    db_url = f"sqlite:///{tmp_path / 'giamsat.db'}"
    rng, engine = random.Random(seed), make_engine(db_url)
    base = _base(tmp_path, db_url, None)
    peer = Peer(outbox=Path(base["home"]) / "outbox")
    try:
        ledger = _kill_through_the_cycle(driver, base, peer, engine, rng)
        facts = db_facts(engine)
    finally:
        engine.dispose()
    said = (f"seed {seed}: {ledger.kills} kills {dict(ledger.kinds)}, window {sum(ledger.window.values())}"
            f" (widest {ledger.widest})")
    print(said)
    files = dict(peer.files())
    assert Counter(facts["messages"].values()) == {"sent": PER_DAY * (1 + len(REMIND_DAYS))}, said
    assert Counter(peer.accepted()) == Counter(set(facts["messages"])), f"missing or doubled; {said}"
    assert len(list(peer.outbox.glob("*.eml"))) == len(facts["messages"]), said
    assert {m: files[m] for m in ledger.written} == ledger.written, f"rewritten differently; {said}"
    assert ledger.window, f"no kill fell between write and record; {said}"


def _empty(engine) -> None:
    if engine.dialect.name == "sqlite":
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(engine.url.database + suffix).unlink(missing_ok=True)
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("drop schema public cascade; create schema public")


def test_a_first_start_killed_during_its_migration_comes_up_whole_on_restart(db_url, tmp_path, driver, seed):
    rng, engine = random.Random(seed), make_engine(db_url)
    req = {**_base(tmp_path, db_url, None), "step": "start"}
    try:
        assert driver.start(req) and driver.wait() == "exit 0", driver.errors()
        points = json.loads(Path(req["result"]).read_text(encoding="utf-8"))["points"]
        for point in sorted(rng.sample(range(1, points + 1), 5)):
            _empty(engine)
            driver.start({**req, "kill_at_point": point})
            assert driver.wait() == "signal 9", f"point {point}: {driver.errors()}"
            tables = db_facts(engine)["tables"]
            assert tables in (0, ALL_TABLES), f"seed {seed}: killed at point {point}, {tables} tables left"
            driver.start(req)
            assert driver.wait() == "exit 0", f"seed {seed}: restart after point {point}: {driver.errors()}"
            assert db_facts(engine)["tables"] == ALL_TABLES
    finally:
        engine.dispose()
