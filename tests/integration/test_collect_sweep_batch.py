"""Recording in chunks of any size leaves the database as taking the files in one by one."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from sqlalchemy import select

from giamsat.collect.service import submit, sweep_inbox
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import (
    AuditEntry,
    HouseholdFigure,
    Message,
    Obligation,
    Recommendation,
    Step,
    Submission,
)
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at


def _files(plan, forms, tmp_path):
    """A day's mixed inbox, in arrival order: (path, name)."""
    units = plan.units_on(plan.report.deadline)
    out = []
    for i, unit in enumerate(units[:4]):
        out.append(forms(unit, seed=500 + i, name=f"ok-{i}.docx")[0])
    out.append(forms(units[4], seed=7, fault="balance", name="bad.docx")[0])
    out.append(forms(units[4], seed=8, name="fixed.docx")[0])
    copy = tmp_path / "again.docx"
    shutil.copyfile(out[0], copy)  # the same content under another name
    out.append(copy)
    out.append(forms(units[1], seed=900, name="second-version.docx")[0])  # supersedes ok-1
    junk = tmp_path / "notes.docx"
    junk.write_bytes(b"%PDF-1.4 not a word file")
    out.append(junk)
    return out


def _state(rt: Runtime) -> dict:
    with rt.db.unit_of_work() as s:
        def rows(model, *cols):
            return sorted(tuple(str(getattr(r, c)) for c in cols) for r in s.scalars(select(model)))
        return {
            "submissions": rows(Submission, "id", "unit_id", "status", "late", "sha256",
                                "supersedes_id", "original_filename", "errors", "figures"),
            "households": rows(HouseholdFigure, "submission_id", "group", "at_end", "rate_pct"),
            "recommendations": rows(Recommendation, "key", "status", "due_on", "content"),
            "events": sorted((e.recommendation_id, e.status, e.note) for r in
                             s.scalars(select(Recommendation)) for e in r.events),
            "obligations": rows(Obligation, "key", "status", "met_at"),
            "messages": rows(Message, "idempotency_key", "kind", "to_addrs", "subject", "body_text"),
            "steps": rows(Step, "key", "status", "done_at"),
            "audit": sorted((a.action, a.entity_id) for a in s.scalars(select(AuditEntry))
                            if a.action.startswith("submission.") and a.action != "submission.failed"),
        }


@pytest.mark.parametrize("chunk", [1, 3, 200])
def test_a_chunked_sweep_records_what_one_by_one_intake_records(chunk, forms, plan, tmp_path,
                                                                  monkeypatch):
    files = _files(plan, forms, tmp_path)
    one = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "one",
                     database_url=f"sqlite:///{tmp_path / 'one.db'}")
    swept = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "sw",
                       database_url=f"sqlite:///{tmp_path / 'sw.db'}")
    inbox = swept.home / "inbox"
    inbox.mkdir(parents=True)
    for n, path in enumerate(files):
        received = at("2024-04-02", 8).timestamp() + 60 * n
        target = inbox / path.name
        shutil.copyfile(path, target)
        (inbox / f"{path.name}.arrived").write_text(
            dt.datetime.fromtimestamp(received, tz=dt.UTC).isoformat(), encoding="utf-8")
        try:
            submit(one, target, at("2024-04-02", 8).fromtimestamp(received, tz=at("2024-04-02").tzinfo),
                   source="inbox")
        except Exception:
            pass
    monkeypatch.setattr("giamsat.collect.sweep.CHUNK", chunk)
    summary = sweep_inbox(swept, at("2024-04-02", 17))
    assert sorted(r.status for r in summary.results) == sorted(
        ["accepted"] * 6 + ["rejected", "duplicate", "rejected"])
    assert _state(swept) == _state(one)
    one.db.dispose()
    swept.db.dispose()


def test_files_claimed_by_a_sweep_that_died_are_taken_in_by_a_later_sweep(sqlite_runtime, forms, plan):
    import time

    path, _ = forms(plan.units[2], seed=41)
    stale = sqlite_runtime.home / "inbox" / ".claimed" / "dead-sweep" / "_"
    stale.mkdir(parents=True)
    shutil.copyfile(path, stale / "bao-cao.docx")
    old = time.time() - 2 * 3600
    os.utime(stale.parent, (old, old))
    summary = sweep_inbox(sqlite_runtime, at("2024-04-02", 17))
    assert [(r.filename, r.status) for r in summary.results] == [("bao-cao.docx", "accepted")]
    assert not (sqlite_runtime.home / "inbox" / ".claimed" / "dead-sweep").exists()


def test_files_claimed_by_a_running_sweep_are_left_to_it(sqlite_runtime, forms, plan):
    path, _ = forms(plan.units[2], seed=42)
    live = sqlite_runtime.home / "inbox" / ".claimed" / "live-sweep" / "_"
    live.mkdir(parents=True)
    shutil.copyfile(path, live / "bao-cao.docx")
    assert sweep_inbox(sqlite_runtime, at("2024-04-02", 17)).results == []
    assert (live / "bao-cao.docx").exists()
