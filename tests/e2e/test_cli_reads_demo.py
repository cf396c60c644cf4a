"""Every reading command of the CLI on the demo's home: Vietnamese labels, no English code, no raw dict."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from giamsat.cli import app, common
from giamsat.domain.vocabulary import GROUPS

pytestmark = pytest.mark.prefect

READS = [
    ["status", "--as-of", "2024-11-30"],
    ["outbox"],
    ["outbox", "--status", "Đã gửi", "--limit", "30"],
    ["followup", "list"],
    ["followup", "list", "--status", "Quá hạn"],
    ["followup", "list", "--status", "not_accepted"],
    ["followup", "show", "1"],
    ["audit", "--limit", "400"],
    ["audit", "--action", "Cập nhật kiến nghị"],
    ["audit", "--verify"],
    ["doc", "list"],
    ["inbox", "list"],
    ["visits", "list"],
    ["draw", "show"],
    ["draw", "verify"],
]
# Codes that carry an underscore or a dot cannot be Vietnamese words; the plain ones are English
# words an officer would otherwise read (matched as whole words outside addresses and file names).
CODES = sorted({code for group in ("step_status", "report_status", "submission_status", "rec_status",
                                   "message_status", "message_kind", "visit_status", "draw_status",
                                   "obligation_status", "audit_action", "step")
                for code in GROUPS[group]}, key=len, reverse=True)
RAW_CODE = re.compile(r"(?<![\w@./:-])(" + "|".join(map(re.escape, CODES)) + r")(?![\w@./-])")
RAW_DICT = re.compile(r"\{'\w+': |\[\{'|\bNone\b|\bTrue\b|\bFalse\b")


@pytest.fixture
def demo_cli(demo_run):
    out, _ = demo_run
    home = out / "home"
    env = {"GIAMSAT_HOME": str(home), "GIAMSAT_DATABASE_URL": f"sqlite:///{home / 'giamsat.db'}",
           "GIAMSAT_SYNTHETIC_DATA": "1", "COLUMNS": "160"}
    runner = CliRunner()

    def invoke(args: list[str]) -> str:
        common.state.runtime = None  # each command opens the home afresh, as a new process would
        try:
            result = runner.invoke(app, args, prog_name="giamsat", env=env, terminal_width=160)
        finally:
            if common.state.runtime is not None:
                common.state.runtime.db.dispose()  # type: ignore[attr-defined]
            common.state.runtime = None
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result.output
    return invoke


@pytest.mark.parametrize("args", READS, ids=[" ".join(a) for a in READS])
def test_a_reading_command_shows_vietnamese_labels_and_no_code_or_raw_dict(demo_cli, args):
    text = demo_cli(args)
    assert text.strip()
    assert not RAW_CODE.findall(text), (args, sorted(set(RAW_CODE.findall(text))))
    assert not RAW_DICT.findall(text), (args, RAW_DICT.findall(text))
    assert "Traceback" not in text


def test_the_readings_say_what_the_issue_asked_for(demo_cli, demo_run):
    status = demo_cli(["status", "--as-of", "2024-11-30"])
    assert "(94,4 %)" in status and "Hoàn thành" in status
    outbox = demo_cli(["outbox", "--limit", "5"])
    sent = demo_run[1]["summary"]["messages_by_status"]["sent"]  # as the demo's summary counted them
    assert f"Hộp thư đi — Chờ gửi: 0; Đã gửi: {sent}; Gửi không thành công: 0" in outbox
    assert "Báo cáo kết quả giám sát" in outbox and "20/11/2024" in outbox  # kind label, date column
    # whole subjects, wrapped in their column (they were cut at 60 characters)
    assert "bền vững" in outbox and "năm 2024" in outbox and "…" not in outbox
    overdue = demo_cli(["followup", "list", "--status", "Quá hạn"])
    late = demo_run[1]["summary"]["recommendations"]["overdue"]
    assert f"Kiến nghị — Quá hạn ({late})" in overdue and "Xã Trung Thành" in overdue  # the commune column
    audit = demo_cli(["audit", "--action", "rec.update", "--limit", "3"])
    assert "Cập nhật kiến nghị" in audit and "trạng thái: " in audit


def test_a_filter_value_that_is_no_status_is_refused_with_the_valid_ones(demo_cli):
    runner = CliRunner()
    out = runner.invoke(app, ["followup", "list", "--status", "Đã xong"], prog_name="giamsat",
                        terminal_width=300)
    assert out.exit_code == 2
    flat = " ".join(out.output.replace("│", " ").split())
    assert "Quá hạn (overdue)" in flat and "không có giá trị 'Đã xong'" in flat
