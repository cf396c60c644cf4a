"""The file channel's batches written on worker processes give the files and rows one process
gives; a worker killed mid-batch, or a drain stopped before a batch's commit, loses and doubles
no message."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message
from giamsat.files import pool
from giamsat.messaging import drain, filebatch
from giamsat.messaging.delivery import deliver
from giamsat.messaging.outbox import Attachment, insert_pending, pending_row
from tests.conftest import CONFIG, OPENED_AT

NOW = OPENED_AT + dt.timedelta(hours=1)
TEXT = "Kính gửi Ủy ban nhân dân xã,\nđề nghị gửi báo cáo trước ngày 15/4/2024.\n"


@pytest.fixture
def attachments(tmp_path):
    """A shared plan and per-message letters (random bytes, as compressed .docx are)."""
    folder = tmp_path / "att"
    folder.mkdir()
    shared = folder / "ke-hoach.docx"
    shared.write_bytes(os.urandom(30_000))

    def of(i: int) -> list[Attachment]:
        if i % 5:
            return []
        own = folder / f"cong-van-{i}.docx"
        if not own.exists():
            own.write_bytes(os.urandom(9_000 + i))
        return [Attachment(shared, "Kế hoạch giám sát.docx"), Attachment(own, f"cong-van-{i}.docx")]
    return of


def _runtime(tmp_path, name, n_workers):
    return open_cycle(CONFIG, OPENED_AT, home=tmp_path / name, channel="file", intake_workers=n_workers,
                      database_url=f"sqlite:///{tmp_path / f'{name}.db'}")


def _queue(rt, n, attachments, missing=()):
    rows = []
    for i in range(n):
        atts = attachments(i)
        if i in missing:  # its attachment cannot be read: the message fails for good
            atts = [Attachment(rt.home.parent / "khong-co.docx", "khong-co.docx")]
        rows.append(pending_row(cycle_id=rt.cycle_id, key=f"test:{i}", kind="reminder",
                                to=[f"xa{i}@units.example"], cc=["huyen@units.example"] if i % 3 else [],
                                subject=f"Nhắc nộp báo cáo - Xã Số {i}", text=TEXT * (1 + i % 4),
                                html=f"<p>{TEXT}</p>" if i % 2 else None, now=OPENED_AT, attachments=atts))
    with rt.db.unit_of_work() as s:
        insert_pending(s, rows)


def _files(rt):
    """Every file of the outbox (hidden temporary files apart), name → bytes."""
    return {p.name: p.read_bytes() for p in (rt.home / "outbox").iterdir()
            if p.is_file() and not p.name.startswith(".")}


def _rows(rt):
    """Each message's state; a claim's moment on the real clock is kept as whether there is one."""
    with rt.db.engine.connect() as conn:
        rows = conn.execute(
            select(Message.id, Message.message_id, Message.status, Message.attempts, Message.channel,
                   Message.last_error, Message.claim_token, Message.claimed_at, Message.sent_at)
            .order_by(Message.id)).all()
    return [(*r[:7], r[7] if r[7] is None or r[7].year == 2024 else "claimed", r[8]) for r in rows]


def _file_of(row) -> str:
    return f"{row[0]:06d}-{hashlib.sha256(row[1].encode()).hexdigest()[:12]}.eml"


class Used:
    """How many jobs the workers wrote (a job written here instead is not counted)."""

    def __init__(self, monkeypatch) -> None:
        self.jobs = 0
        real = filebatch.Writing.done

        def counted(writing):
            self.jobs += sum(job is not None and job.exception() is None for _, job in writing.jobs)
            return real(writing)
        monkeypatch.setattr(filebatch.Writing, "done", counted)


def test_batches_written_on_two_workers_give_the_files_and_rows_one_process_gives(
        tmp_path, attachments, monkeypatch):
    monkeypatch.setattr(filebatch, "CHUNK", 7)
    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    for rt in (alone, pooled):  # batches of 50, 50 and 30: the last too small for the workers
        _queue(rt, 130, attachments, missing={17, 64})
    used = Used(monkeypatch)
    first = deliver(alone, NOW, batch_size=50)
    assert used.jobs == 0  # no workers asked for: every file written here
    second = deliver(pooled, NOW, batch_size=50)
    assert used.jobs == 2 * 8  # two batches of 50 in jobs of 7: every one written by a worker
    assert (first.sent, first.failed, first.deferred) == (second.sent, second.failed, second.deferred) \
        == (128, 2, 0)
    assert first.errors == second.errors
    assert _files(pooled) == _files(alone)
    assert len(_files(pooled)) == 128
    assert _rows(pooled) == _rows(alone)
    assert pool._pool is not None
    assert all(p.pid != os.getpid() for p in pool._pool[2]._processes.values())
    alone.db.dispose()
    pooled.db.dispose()


def test_a_worker_killed_mid_batch_loses_and_doubles_no_message(tmp_path, attachments, monkeypatch):
    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    for rt in (alone, pooled):
        _queue(rt, 600, attachments)
    deliver(alone, NOW)
    real_start, seen = filebatch.start, []

    def start_then_kill(channel, batch):
        writing = real_start(channel, batch)
        if writing is not None and len(seen) == 0:  # the first batch: kill its workers mid-way
            ours = {_file_of((out.id, out.message_id)) for out in batch}
            while not (written := ours & {p.name for p in channel.folder.iterdir()}):
                time.sleep(0.0005)
            assert pool._pool is not None
            for proc in list(pool._pool[2]._processes.values()):
                os.kill(proc.pid, signal.SIGKILL)
            seen.append(len(written))
        return writing
    monkeypatch.setattr(filebatch, "start", start_then_kill)
    result = deliver(pooled, NOW)
    assert 0 < seen[0] < 200  # killed with part of the batch written
    assert (result.sent, result.failed, result.deferred) == (600, 0, 0)
    assert _files(pooled) == _files(alone)  # one file per message, each as one process writes it
    assert _rows(pooled) == _rows(alone)
    assert pool._pool is not None  # the next batches had a new pool
    alone.db.dispose()
    pooled.db.dispose()


def test_a_drain_stopped_before_a_batch_commit_rewrites_its_files_in_place(tmp_path, attachments,
                                                                           monkeypatch):
    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    for rt in (alone, pooled):
        _queue(rt, 300, attachments)
    deliver(alone, NOW)
    real = drain._record_sent

    def dies_at_the_second_commit(db, channel, token, delivered, now):
        if dies_at_the_second_commit.calls == 1:
            raise KeyboardInterrupt  # as a kill would: the batch's files written, its rows not
        dies_at_the_second_commit.calls += 1
        real(db, channel, token, delivered, now)
    dies_at_the_second_commit.calls = 0
    monkeypatch.setattr(drain, "_record_sent", dies_at_the_second_commit)
    with pytest.raises(KeyboardInterrupt):
        deliver(pooled, NOW)
    rows = _rows(pooled)
    assert [r[2] for r in rows] == ["sent"] * 200 + ["pending"] * 100  # the second batch unrecorded
    assert _files(pooled) == _files(alone)  # its files written, whole, as one process writes them
    written = (pooled.home / "outbox" / _file_of(rows[250])).stat().st_ino
    monkeypatch.setattr(drain, "_record_sent", real)
    with pooled.db.engine.begin() as conn:  # the dead drain's claims expire
        conn.execute(Message.__table__.update().values(claimed_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    assert deliver(pooled, NOW).sent == 100
    assert (pooled.home / "outbox" / _file_of(rows[250])).stat().st_ino != written  # written again
    assert _files(pooled) == _files(alone)  # in place: still one file per message
    assert [r[2:4] for r in _rows(pooled)] == [("sent", 1)] * 300  # the unrecorded try counted no attempt
    alone.db.dispose()
    pooled.db.dispose()


@pytest.mark.parametrize(("queued", "behind"), [(500, 200), (230, 0)])
def test_a_batch_that_stops_the_drain_records_the_batch_already_written_behind_it(
        queued, behind, tmp_path, attachments):
    """The second batch is claimed while the first is written: 200 messages handed to the workers
    are recorded when the first stops the drain; 30 (too few for the workers) are given back."""
    pooled = _runtime(tmp_path, "pooled", 2)
    _queue(pooled, queued, attachments)
    outbox = pooled.home / "outbox"
    blocked = _rows(pooled)[150]
    (outbox / _file_of(blocked)).mkdir(parents=True)  # its file cannot be renamed into place
    result = deliver(pooled, NOW)
    assert (result.sent, result.failed, result.deferred) == (199 + behind, 0, 1)
    rows = _rows(pooled)
    assert rows[150][2:4] == ("pending", 1) and "Không ghi được thư" in rows[150][5]
    files = _files(pooled)
    rest = rows[200 + behind:]
    assert {r[2:4] for r in rest} == {("pending", 0)} and not any(_file_of(r) in files for r in rest)
    assert all(_file_of(r) in files for r in rows if r[2] == "sent")
    assert all(r[6] is None for r in rows)  # no claim left behind
    (outbox / _file_of(blocked)).rmdir()
    assert deliver(pooled, NOW).sent == queued - 199 - behind
    assert len(_files(pooled)) == queued
    pooled.db.dispose()


def test_a_broken_pool_is_replaced_and_its_late_failures_leave_the_new_pool_alone():
    first = pool.pool_for(1)
    assert first is not None
    waiting = first.submit(time.sleep, 30)
    for proc in list(first._processes.values()):
        os.kill(proc.pid, signal.SIGKILL)
    assert waiting.exception(30) is not None  # the pool is broken
    second = pool.pool_for(1)
    assert second is not None and second is not first
    assert pool.outcome(waiting) is None  # the dead pool's job: to be done in the process
    assert pool._pool is not None and pool._pool[2] is second
    assert second.submit(os.getpid).result(30) != os.getpid()


def test_the_workers_of_a_killed_process_exit_instead_of_waiting_forever(tmp_path):
    script = ("import os, sys\n"
              "from giamsat.files import pool\n"
              "if __name__ == '__main__':\n"
              "    p = pool.pool_for(2)\n"
              "    assert p.submit(os.getpid).result(60) != os.getpid()\n"
              "    print(' '.join(str(pid) for pid in p._processes), flush=True)\n"
              "    sys.stdin.read()\n")
    (tmp_path / "owner.py").write_text(script, encoding="utf-8")
    owner = subprocess.Popen([sys.executable, str(tmp_path / "owner.py")], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert owner.stdout is not None
    pids = [int(pid) for pid in owner.stdout.readline().split()]
    assert pids  # workers are started as work comes: one at least
    owner.kill()  # SIGKILL: no atexit, the pool is never shut down
    owner.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_three_drainers_at_once_on_the_workers_write_each_message_once(tmp_path, attachments):
    from concurrent.futures import ThreadPoolExecutor

    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    for rt in (alone, pooled):
        _queue(rt, 600, attachments)
    deliver(alone, NOW)
    with ThreadPoolExecutor(max_workers=3) as threads:
        results = list(threads.map(lambda _: deliver(pooled, NOW, batch_size=50), range(3)))
    assert sum(r.sent for r in results) == 600 and not any(r.deferred or r.failed for r in results)
    assert _files(pooled) == _files(alone)
    assert [r[2:4] for r in _rows(pooled)] == [("sent", 1)] * 600  # each recorded once
    alone.db.dispose()
    pooled.db.dispose()
