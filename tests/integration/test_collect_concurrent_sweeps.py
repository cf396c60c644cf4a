"""Two inbox sweeps at the same time on PostgreSQL: every file and every content taken in once."""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from sqlalchemy import func, select

from giamsat.collect.service import sweep_inbox
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message, Submission
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at


@pytest.fixture
def two_runtimes(fresh_postgres_url, tmp_path):
    """Two processes' worth of runtime (own engines) on one PostgreSQL database and one home."""
    rts = [open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=fresh_postgres_url)
           for _ in range(2)]
    yield rts
    for rt in rts:
        rt.db.dispose()


def _fill_inbox(rt: Runtime, forms, copies: int) -> int:
    """Each unit's report, ``copies`` times under different names, oldest first; the file count."""
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    n = 0
    for i, unit in enumerate(rt.plan.units_on(rt.plan.report.deadline)[:10]):
        path, _ = forms(unit, seed=300 + i)
        for c in range(copies):
            target = inbox / f"{unit.code}-copy{c}.docx"
            shutil.copyfile(path, target)
            stamp = at("2024-04-02").timestamp() + n
            os.utime(target, (stamp, stamp))
            n += 1
    return n


def _sweep_together(rts: list[Runtime]) -> list:
    start = threading.Barrier(len(rts))
    out: list = [None] * len(rts)

    def run(i: int) -> None:
        start.wait()
        out[i] = sweep_inbox(rts[i], at("2024-04-02", 17))
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(rts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


@pytest.mark.parametrize("chunk", [1, 200])
def test_two_sweeps_at_once_take_each_file_once(two_runtimes, forms, chunk, monkeypatch):
    monkeypatch.setattr("giamsat.collect.sweep.CHUNK", chunk)
    files = _fill_inbox(two_runtimes[0], forms, copies=1)
    summaries = _sweep_together(two_runtimes)
    results = [r for s in summaries for r in s.results]
    assert [f for s in summaries for f in s.failed] == []
    assert len(results) == files
    assert sorted(r.filename for r in results) == sorted({r.filename for r in results})
    assert {r.status for r in results} == {"accepted"}


@pytest.mark.parametrize("chunk", [1, 200])
def test_two_sweeps_at_once_take_each_content_once_even_under_two_names(two_runtimes, forms, chunk,
                                                                       monkeypatch):
    monkeypatch.setattr("giamsat.collect.sweep.CHUNK", chunk)  # 1: the sweeps interleave
    files = _fill_inbox(two_runtimes[0], forms, copies=2)
    summaries = _sweep_together(two_runtimes)
    results = [r for s in summaries for r in s.results]
    assert len(results) == files
    assert sorted(r.status for r in results) == ["accepted"] * (files // 2) + ["duplicate"] * (files // 2)
    with two_runtimes[0].db.unit_of_work() as s:
        per_content = s.execute(select(Submission.sha256, func.count()).group_by(Submission.sha256)).all()
        assert {n for _, n in per_content} == {1}
        assert s.scalar(select(func.count()).select_from(Message).where(
            Message.kind == "report_ack")) == files // 2
    assert list((two_runtimes[0].home / "inbox").glob("*.docx")) == []
