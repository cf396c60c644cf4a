"""The command line's own words: every help screen and usage error in Vietnamese, and the helpers
every command prints through (labels for codes, Vietnamese numbers and dates, strict filters)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import typer
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.cli.ui import present

ENGLISH = re.compile(r"<bool>|<str>|<int>|Usage:|\bOptions\b|\bArguments\b|\bCommands\b|Show this message|"
                     r"\[default:|\[required\]|env var:|Try '")
runner = CliRunner()


def _command_paths(group=None, prefix=()):
    """Every command and group of the app, as the argument lists that reach it."""
    command = group or typer.main.get_command(app)
    yield list(prefix)
    for name, sub in getattr(command, "commands", {}).items():
        if not getattr(sub, "hidden", False):
            yield from _command_paths(sub, (*prefix, name))


def test_every_help_screen_is_in_vietnamese_and_shows_no_type_placeholders():
    paths = list(_command_paths())
    assert len(paths) > 40  # every group and command, not just the top level
    for path in paths:
        out = runner.invoke(app, [*path, "--help"], prog_name="giamsat", terminal_width=100)
        assert out.exit_code == 0, (path, out.output)
        assert "Cách dùng: giamsat" in out.output, path
        found = ENGLISH.findall(out.output)
        assert not found, (path, found, out.output)


@pytest.mark.parametrize(("args", "expected"), [
    (["status", "--bogus"], "Không có tùy chọn --bogus."),
    (["statu"], "Không có lệnh 'statu'. Có phải ý bạn là 'status'?"),
    (["followup", "update"], "Thiếu tham số 'ID'."),
    (["outbox", "retry", "abc"], "phải là số nguyên hợp lệ"),
    (["visits", "list", "extra"], "Thừa tham số: extra."),
    (["audit", "--limit", "0"], "phải lớn hơn hoặc bằng 1"),
    (["followup", "list", "--status", "xong"],
     "không có giá trị 'xong'. Chọn một trong: Chưa thực hiện (open)"),
    (["outbox", "--status", "sending"], "Chờ gửi (pending); Đã gửi (sent); Gửi không thành công (failed)"),
])
def test_usage_errors_are_in_vietnamese_and_name_what_is_wrong(args, expected):
    out = runner.invoke(app, args, prog_name="giamsat", terminal_width=200)
    assert out.exit_code == 2, out.output
    text = " ".join(out.output.replace("│", " ").split())
    assert expected in text
    assert "Lỗi" in out.output and "Xem hướng dẫn: giamsat" in out.output
    assert not re.search(r"No such|Missing|Invalid value|Got unexpected|Input should|Did you mean|Error",
                         text)


def test_a_filter_takes_the_label_or_the_code_and_refuses_anything_else():
    assert present.choice("rec_status", "Quá hạn", "--status") == "overdue"
    assert present.choice("rec_status", "  qua   HAN ", "--status") == "overdue"  # no diacritics, any case
    assert present.choice("rec_status", "overdue", "--status") == "overdue"
    assert present.choice("message_status", "gửi không thành công", "--status") == "failed"
    assert present.choices("rec_status", None, "--status") is None
    with pytest.raises(typer.BadParameter) as refused:
        present.choice("rec_status", "Đã xong", "--status", allowed=("open", "resolved"))
    assert "Chưa thực hiện (open); Đã thực hiện (resolved)" in str(refused.value)
    with pytest.raises(typer.BadParameter):  # a label outside the allowed subset is refused too
        present.choice("rec_status", "Quá hạn", "--status", allowed=("open", "resolved"))


def test_numbers_dates_and_counts_read_as_vietnamese_writes_them():
    assert present.number(1234567) == "1.234.567"
    assert present.percent(94.44) == "94,4 %"
    assert present.number(2.5, 1) == "2,5"
    assert present.counts("message_status", {"sent": 132, "failed": 2, "pending": 0}) == (
        "Chờ gửi: 0; Đã gửi: 132; Gửi không thành công: 2")
    utc = dt.datetime(2024, 4, 10, 3, 0, tzinfo=dt.UTC)
    assert present.moment(utc) == "10/4/2024 10:00"
    assert present.moment("2024-04-10T03:00:00+00:00") == "10/4/2024 10:00"
    assert present.day("2024-04-10") == "10/4/2024"


def test_an_audit_entry_reads_as_a_sentence_without_codes_or_dicts():
    text = present.audit_detail({
        "status": "not_accepted", "note": "Không thuộc thẩm quyền", "evidence": None,
        "by_kind": {"report:reminder_before": 18}, "late": False, "as_of": "2024-04-02",
        "units": ["13765@2024-01-01"], "path": "/srv/giamsat/reports/bao-cao.docx",
        "sha256": "2e21c6d3c788142ae081f59e3a65d02103d354145c5dbebf757834bbcd667b26"}, "recommendation")
    assert text == ("trạng thái: Không tiếp thu; ghi chú: Không thuộc thẩm quyền; theo loại: "
                    "Nhắc trước hạn nộp báo cáo: 18; nộp muộn: không; ngày: 02/4/2024; đơn vị: 13765; "
                    "tệp: bao-cao.docx; SHA-256: 2e21c6d3c788…")
    assert present.entity_text("step", "final_report") == "bước Báo cáo kết quả giám sát, đánh giá"


def test_the_final_reports_data_gaps_print_square_brackets_literally(monkeypatch):
    """The gaps quote plan wording and unit names: "[...]" in them is text, not rich markup."""
    import types

    import giamsat.cli.final_report as command
    import giamsat.final_report.service as service
    import giamsat.plan.wording as wording

    gap = "mới tiếp nhận 3/4 báo cáo của [bold]các xã[/bold] [/] [Ghi chú]"
    monkeypatch.setattr(command, "runtime", lambda now=None: types.SimpleNamespace(plan=None))
    monkeypatch.setattr(wording, "plan_words", lambda plan: {"units_phrase": "xã", "unit_noun": "xã"})
    monkeypatch.setattr(service, "load", lambda rt, day: types.SimpleNamespace(gaps=lambda *_: [gap]))
    out = runner.invoke(app, ["final-report", "final", "--as-of", "2024-11-20"], input="n\n",
                        prog_name="giamsat", terminal_width=300)
    assert out.exit_code == 1, out.output
    assert gap in out.output and "Chưa lập báo cáo" in out.output
