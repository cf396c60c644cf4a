"""``giamsat status`` counts the communes still missing once: the step table, the commune table and
the overview artifacts say the same number on any day."""

import datetime as dt
import re

from typer.testing import CliRunner

from giamsat.cli import app, common
from giamsat.collect.service import submit
from giamsat.cycle.overview import cycle_status, timeline_markdown
from giamsat.cycle.status import report_status_artifact, report_status_rows
from tests.fixtures.collect import at


def test_on_a_past_day_the_step_and_commune_tables_count_the_same_missing_communes(
        sqlite_runtime, forms, monkeypatch):
    rt, units = sqlite_runtime, sqlite_runtime.plan.units
    submit(rt, forms(units[0], seed=1)[0], at("2024-04-02"))   # on time
    submit(rt, forms(units[1], seed=2)[0], at("2024-04-09"))   # after the day looked at
    monkeypatch.setattr(common.state, "runtime", rt)
    out = CliRunner().invoke(app, ["status", "--as-of", "2024-04-08"], env={"COLUMNS": "220"})
    assert out.exit_code == 0, out.output
    text = re.sub(r"\s+", " ", out.output)
    assert "còn 17/18 đơn vị chưa có báo cáo đạt yêu cầu" in text
    assert "17 chưa nộp (quá hạn)" in text and "đã nhận đủ" not in text
    assert text.count("Chưa nộp (quá hạn)") == 17
    day = dt.date(2024, 4, 8)
    steps = cycle_status(rt, day)
    assert "còn 17/18 đơn vị chưa có báo cáo đạt yêu cầu" in timeline_markdown(rt, steps, day)
    _, description = report_status_artifact(report_status_rows(rt, day))
    assert "17 chưa nộp" in description
