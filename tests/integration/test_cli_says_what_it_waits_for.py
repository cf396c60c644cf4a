"""The commands as an officer reads them at the terminal: notify says which signature it waits for and
the commands to register it; yes/no questions are asked in Vietnamese; status lists the steps in
the order they fall due."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml
from typer.testing import CliRunner

from giamsat.cli import app, common
from giamsat.cycle.sync import open_cycle
from tests.conftest import CONFIG, OPENED_AT

runner = CliRunner()


def _say(args: list[str], rt, monkeypatch, answer: str | None = None) -> tuple[int, str]:
    monkeypatch.setattr(common.state, "runtime", rt)
    out = runner.invoke(app, args, input=answer, env={"COLUMNS": "220"})
    return out.exit_code, re.sub(r"[ \t]+", " ", out.output)


@pytest.fixture
def strict_rt(tmp_path):
    """The shipped plan with drafts not allowed to go out."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["documents"] = {"allow_drafts": False}
    config = tmp_path / "strict.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rt = open_cycle(config, OPENED_AT, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}")
    yield rt
    rt.db.dispose()


def test_notify_waiting_for_the_signed_plan_says_what_it_waits_for_and_how_to_register_it(
        strict_rt, monkeypatch):
    code, text = _say(["notify", "--as-of", "2024-04-01", "--no-send"], strict_rt, monkeypatch)
    assert code == 0, text
    assert "Đang chờ: chờ ký số và đăng ký kế hoạch (mã 1: giamsat doc register) trước khi gửi thông " \
           "báo." in text
    assert "giamsat doc export 1 --pdf <tệp>.pdf" in text
    assert "Đăng ký bản đã ký số: giamsat doc register 1 --signed <tệp>.pdf" in text


@pytest.mark.parametrize(("answer", "issued"), [("c\n", True), ("Có\n", True), ("không\n", False),
                                                ("n\n", False), ("\n", False), ("có lẽ\nk\n", False)])
def test_the_final_reports_question_is_asked_and_answered_in_vietnamese(report_cycle, monkeypatch,
                                                                         answer, issued):
    rt, _ = report_cycle
    code, text = _say(["final-report", "final", "--as-of", "2024-11-20"], rt, monkeypatch, answer)
    assert "Vẫn lập và gửi báo cáo? [c/K]:" in text and "[y/N]" not in text
    assert ("Đã lập báo cáo" in text) is issued and (code == 0) is issued, text
    if answer.startswith("có lẽ"):
        assert "Xin trả lời c (có) hoặc k (không)." in text


def test_status_lists_the_steps_in_the_order_they_fall_due(sqlite_runtime, monkeypatch):
    code, text = _say(["status", "--as-of", "2024-04-01"], sqlite_runtime, monkeypatch)
    assert code == 0, text
    steps = text[:text.index("Báo cáo của các đơn vị cấp xã")]
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in steps.splitlines() if line.startswith("│")]
    dues = [dt.datetime.strptime(r[1], "%d/%m/%Y").date() for r in rows]
    assert dues == sorted(dues), rows
    titles = [r[0] for r in rows]
    upper = next(i for i, t in enumerate(titles) if t.startswith("Làm việc với Đoàn giám sát"))
    follow = titles.index("Theo dõi việc thực hiện kiến nghị")
    assert (rows[upper][1], rows[follow][1]) == ("18/6/2024", "20/11/2024") and upper < follow
    # dates as the documents and e-mails write them (short_date): "01/4/2024", never "01/04/2024"
    assert "Các bước của chu kỳ (ngày 01/4/2024)" in text
    assert rows[0][1] == "01/4/2024" and not re.search(r"\b\d\d/0[3-9]/\d{4}", text), text
