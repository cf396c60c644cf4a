"""``giamsat status --as-of DAY`` shows the cycle as it stood on that day: nothing recorded later
(a final report written in November, minutes recorded in May) is there yet, and the visits step
counts the sampled visits against the sample with the ad-hoc ones apart."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from typer.testing import CliRunner

from giamsat.cli import app, common
from giamsat.db.models import SampleDraw, Unit, Visit
from giamsat.domain import clock
from giamsat.final_report.service import final_report
from tests.fixtures.report_data import build_cycle

D = dt.date
runner = CliRunner()


def _steps(rt, monkeypatch, day: str) -> dict[str, dict]:
    monkeypatch.setattr(common.state, "runtime", rt)
    out = runner.invoke(app, ["status", "--as-of", day, "--json"], env={"COLUMNS": "220"})
    assert out.exit_code == 0, out.output
    return {s["key"]: s for s in json.loads(out.output)["steps"]}


def test_a_final_report_written_in_november_is_not_there_in_june(sqlite_runtime, monkeypatch):
    build_cycle(sqlite_runtime)
    final_report(sqlite_runtime, D(2024, 11, 20))
    june = _steps(sqlite_runtime, monkeypatch, "2024-06-05")["final_report"]
    assert june["state_label"] != "Hoàn thành" and june["waiting_for"] == "chưa lập báo cáo", june
    november = _steps(sqlite_runtime, monkeypatch, "2024-11-20")["final_report"]
    assert november["state_label"] == "Hoàn thành", november


def test_the_draw_and_the_minutes_appear_on_the_day_they_were_recorded(sqlite_runtime, monkeypatch):
    build_cycle(sqlite_runtime)  # drawn and approved on 10/4; minutes recorded 14, 15 and 16/5
    assert _steps(sqlite_runtime, monkeypatch, "2024-04-09")["draw"]["waiting_for"] == "chưa chọn mẫu"
    with sqlite_runtime.db.unit_of_work() as s:  # decided a day after it was drawn
        draw = s.scalar(select(SampleDraw))
        draw.decided_at = clock.at_office_hours(D(2024, 4, 11))
    assert _steps(sqlite_runtime, monkeypatch, "2024-04-10")["draw"]["waiting_for"].startswith(
        "chờ điều phối viên phê duyệt")
    visits = _steps(sqlite_runtime, monkeypatch, "2024-05-13")["visits"]["waiting_for"]
    assert visits.startswith("còn 4/4 cuộc giám sát theo mẫu chưa có biên bản;"), visits
    visits = _steps(sqlite_runtime, monkeypatch, "2024-05-15")["visits"]["waiting_for"]
    assert visits.startswith("còn 2/4 cuộc giám sát theo mẫu chưa có biên bản;"), visits


def test_recommendations_are_counted_from_the_day_they_were_made(sqlite_runtime, monkeypatch):
    build_cycle(sqlite_runtime)  # two recommendations recorded on 20/5
    before = _steps(sqlite_runtime, monkeypatch, "2024-05-19")["followup"]["waiting_for"]
    after = _steps(sqlite_runtime, monkeypatch, "2024-05-20")["followup"]["waiting_for"]
    assert (before, after) == ("0 kiến nghị, không còn kiến nghị mở",
                               "còn 2/2 kiến nghị chưa xử lý (0 quá hạn)")


def test_the_visits_step_counts_the_sample_and_the_adhoc_visits_apart(sqlite_runtime, monkeypatch):
    build_cycle(sqlite_runtime)  # a sample of 4 (3 with minutes) and one ad-hoc visit on 3/6
    with sqlite_runtime.db.unit_of_work() as s:
        last = s.scalar(select(Visit).join(Unit, Unit.id == Visit.unit_id).where(Unit.code == "13789"))
        last.status, last.recorded_at = "done", clock.at_office_hours(D(2024, 5, 17), 16)
    may = _steps(sqlite_runtime, monkeypatch, "2024-05-31")["visits"]["waiting_for"]
    june = _steps(sqlite_runtime, monkeypatch, "2024-06-10")["visits"]["waiting_for"]
    assert may == "đã giám sát 4/4 đơn vị trong mẫu; 1 cuộc giám sát đột xuất (1 cuộc chưa có biên bản)"
    assert june == "đã giám sát 4/4 đơn vị trong mẫu; 1 cuộc giám sát đột xuất", june


def test_each_recommendation_counts_as_its_last_event_before_the_day_left_it(runtime):
    """Counted in SQL on either database: made, moved on, closed, each on its own day."""
    from giamsat.cycle.rec_status import recommendations_as_of
    from giamsat.db.models import Recommendation
    from giamsat.followup import service as followup

    build_cycle(runtime)  # two recommendations recorded on 20/5
    with runtime.db.unit_of_work() as s:
        first, second = s.scalars(select(Recommendation.id).where(
            Recommendation.cycle_id == runtime.cycle_id).order_by(Recommendation.id)).all()[:2]
    at = clock.at_office_hours
    followup.update(runtime, first, "in_progress", "Đang làm", None, "le.hoa", at(D(2024, 6, 3)))
    followup.update(runtime, first, "resolved", "Xong", None, "le.hoa", at(D(2024, 6, 10)))
    followup.update(runtime, second, "not_accepted", "Không tiếp thu", None, "le.hoa", at(D(2024, 6, 3)))

    def on(day: dt.date):
        with runtime.db.unit_of_work() as s:
            r = recommendations_as_of(s, runtime.cycle_id, at(day + dt.timedelta(days=1), 0), day)
        return r.total, r.open

    assert on(D(2024, 5, 19))[0] == 0
    total = on(D(2024, 5, 20))[0]
    assert total >= 2 and on(D(2024, 5, 20))[1] == total
    assert on(D(2024, 6, 3)) == (total, total - 1)  # the first in progress (open), the second closed
    assert on(D(2024, 6, 10)) == (total, total - 2)
