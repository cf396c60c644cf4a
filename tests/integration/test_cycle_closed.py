"""A cycle past its period is closed: no reminders, and status says it has ended."""

from typer.testing import CliRunner

from giamsat.cli import app, common


def test_remind_after_the_period_sends_nothing_and_says_the_cycle_has_ended(sqlite_runtime,
                                                                           monkeypatch):
    monkeypatch.setattr(common.state, "runtime", sqlite_runtime)
    out = CliRunner().invoke(app, ["remind", "--as-of", "2026-11-30", "--no-send"])
    assert out.exit_code == 0, out.output
    assert "đã kết thúc ngày 30/11/2024" in out.output and "không nhắc việc" in out.output


def test_status_after_the_period_says_the_cycle_has_ended(sqlite_runtime, monkeypatch):
    monkeypatch.setattr(common.state, "runtime", sqlite_runtime)
    out = CliRunner().invoke(app, ["status", "--as-of", "2026-11-30"])
    assert out.exit_code == 0, out.output
    assert "đã kết thúc ngày 30/11/2024" in out.output
