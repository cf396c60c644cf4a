"""Forms checked on worker processes are recorded exactly as forms checked in the recording
process, by the inbox sweep and by the mail intake (chunks pipelined); a dead worker loses nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal

import pytest

from giamsat.collect import mail, workers
from giamsat.collect.mail import fetch_mail
from giamsat.collect.service import sweep_inbox
from giamsat.cycle.sync import open_cycle
from giamsat.files import pool
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at, deliver_to_maildir
from tests.fixtures.imap import mail_with
from tests.integration.test_collect_sweep_batch import _files, _state


class Used:
    """How many validations came back from the workers."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        real = workers.Checks.result

        def counted(checks, index):
            found = real(checks, index)
            self.count += found is not None
            return found
        monkeypatch.setattr(workers.Checks, "result", counted)


def _runtime(tmp_path, name, n_workers):
    return open_cycle(CONFIG, OPENED_AT, home=tmp_path / name, intake_workers=n_workers,
                      database_url=f"sqlite:///{tmp_path / f'{name}.db'}")


def _sweep(rt, files):
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True)
    for n, path in enumerate(files):
        shutil.copyfile(path, inbox / path.name)
        (inbox / f"{path.name}.arrived").write_text(
            (at("2024-04-02", 8) + dt.timedelta(minutes=n)).isoformat(), encoding="utf-8")
    return sorted(r.status for r in sweep_inbox(rt, at("2024-04-02", 17)).results)


@pytest.mark.parametrize("chunk", [2, 200])  # 2: each chunk checked while the one before is recorded
def test_a_sweep_checked_on_two_workers_records_what_one_process_records(chunk, forms, plan, tmp_path,
                                                                         monkeypatch):
    files = _files(plan, forms, tmp_path)
    monkeypatch.setattr(workers, "MIN_FORMS", 1)
    monkeypatch.setattr("giamsat.collect.sweep.CHUNK", chunk)
    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    used = Used(monkeypatch)
    assert _sweep(alone, files) == sorted(["accepted"] * 6 + ["rejected", "duplicate", "rejected"])
    assert used.count == 0  # no workers asked for: every form checked here
    assert _sweep(pooled, files) == sorted(["accepted"] * 6 + ["rejected", "duplicate", "rejected"])
    # every file came back from a worker; in chunks of 2 the copy of the first file comes after the
    # first was recorded, so it is known and not checked again
    assert used.count == (len(files) if chunk > len(files) else len(files) - 1)
    assert _state(pooled) == _state(alone)
    assert pool._pool is not None
    assert all(p.pid != os.getpid() for p in pool._pool[2]._processes.values())
    alone.db.dispose()
    pooled.db.dispose()


def test_a_worker_killed_mid_intake_loses_no_report(forms, plan, tmp_path, monkeypatch):
    files = _files(plan, forms, tmp_path)
    monkeypatch.setattr(workers, "MIN_FORMS", 1)
    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    _sweep(alone, files)
    workers.start_checks(pooled, [])  # nothing to check: no pool yet
    first = workers.start(workers.check_base(pooled), {0: (files[0], dt.date(2024, 4, 2), None, None)}, 2)
    assert first.result(0) is not None  # the pool is up
    assert pool._pool is not None
    for proc in list(pool._pool[2]._processes.values()):
        os.kill(proc.pid, signal.SIGKILL)
    for proc in list(pool._pool[2]._processes.values()):
        proc.join(10)
    assert _sweep(pooled, files) == sorted(["accepted"] * 6 + ["rejected", "duplicate", "rejected"])
    assert _state(pooled) == _state(alone)  # checked here instead: nothing lost, nothing doubled
    again = workers.start(workers.check_base(pooled), {0: (files[0], dt.date(2024, 4, 2), None, None)}, 2)
    assert again.result(0) is not None  # the next intake has a new pool
    alone.db.dispose()
    pooled.db.dispose()


@pytest.mark.parametrize("chunk", [3, 100])
def test_mail_read_in_pipelined_chunks_is_recorded_as_in_one_process(chunk, forms, plan, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr(workers, "MIN_FORMS", 1)
    monkeypatch.setattr(mail, "CHUNK", chunk)
    units = plan.units_on(plan.report.deadline)
    messages = [mail_with(u.email, [(f"bao-cao-{i}.docx", forms(u, seed=700 + i)[0].read_bytes())])
                for i, u in enumerate(units[:8])]
    messages.append(mail_with(units[8].email, [("sai.docx", forms(units[8], seed=9, fault="balance")[0]
                                                .read_bytes())]))
    messages.append(messages[0])  # the same message delivered twice

    def fetch(rt):
        deliver_to_maildir(rt.home, messages)
        summary = fetch_mail(rt, at("2024-04-03", 17)).as_dict()
        return summary["taken"], summary["duplicate"], [m["status"] for m in summary["details"]]

    alone, pooled = _runtime(tmp_path, "alone", 0), _runtime(tmp_path, "pooled", 2)
    used = Used(monkeypatch)
    expected = fetch(alone)
    assert expected[:2] == (9, 1) and used.count == 0
    # every form came back from a worker; in one chunk the second copy is checked too (its first
    # copy is not recorded yet when the chunk is sent), and recorded as a duplicate all the same
    assert fetch(pooled) == expected and used.count == (9 if chunk < len(messages) else 10)
    assert _state(pooled) == _state(alone)
    alone.db.dispose()
    pooled.db.dispose()
