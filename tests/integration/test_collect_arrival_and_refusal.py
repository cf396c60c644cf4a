"""A refused file sent again is refused again; an inbox file is dated by when it arrived."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from giamsat.collect.service import sweep_inbox
from giamsat.db.models import Submission
from tests.conftest import CONFIG, ROOT
from tests.fixtures.collect import at


def _cli(home, *args):
    env = {**os.environ, "GIAMSAT_HOME": str(home), "GIAMSAT_CONFIG": str(CONFIG)}
    env.pop("GIAMSAT_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "giamsat", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=180)


def test_a_refused_file_sent_again_is_refused_again_with_its_reasons(tmp_path, forms, plan):
    home = tmp_path / "cli-home"
    bad, _ = forms(plan.units[1], seed=2, fault="balance")
    first = _cli(home, "submit", str(bad), "--unit", plan.units[1].code, "--at", "2024-04-03 09:00")
    assert first.returncode == 3
    again = _cli(home, "submit", str(bad), "--unit", plan.units[1].code, "--at", "2024-04-04 09:00")
    print(again.stdout)
    assert again.returncode == 3, again.stdout
    assert "Không tiếp nhận" in again.stdout and "không xử lý lại" not in again.stdout
    assert "Mục B, dòng 'Hộ nghèo'" in again.stdout and "đã bị trả lại" in again.stdout


def test_an_inbox_file_saved_before_the_deadline_but_arriving_after_it_is_late(
        sqlite_runtime, forms, plan):
    inbox = sqlite_runtime.home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    good, _ = forms(plan.units[0], seed=1)
    target = inbox / "bao-cao.docx"
    target.write_bytes(good.read_bytes())
    saved = at("2024-04-01", 9).timestamp()  # saved on the commune's computer before the deadline
    os.utime(target, (saved, saved))
    sweep_inbox(sqlite_runtime, at("2024-04-09", 17))  # but dropped in, and first seen, on 9/4
    with sqlite_runtime.db.unit_of_work() as s:
        sub = s.scalar(select(Submission))
        assert sub.received_at.astimezone(at("2024-04-09").tzinfo).date().isoformat() == "2024-04-09"
        assert sub.late is True


def test_an_inbox_file_that_states_its_arrival_time_is_dated_by_it(sqlite_runtime, forms, plan):
    inbox = sqlite_runtime.home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    good, _ = forms(plan.units[0], seed=1)
    (inbox / "bao-cao.docx").write_bytes(good.read_bytes())
    (inbox / "bao-cao.docx.arrived").write_text("2024-04-02T10:00:00+07:00", encoding="utf-8")
    sweep_inbox(sqlite_runtime, at("2024-04-09", 17))
    with sqlite_runtime.db.unit_of_work() as s:
        sub = s.scalar(select(Submission))
        assert sub.received_at == at("2024-04-02", 10) and sub.late is False
    assert not (inbox / "bao-cao.docx.arrived").exists()
