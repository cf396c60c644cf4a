"""The reports read the database as plain rows: a country's figures load no ORM object per row."""

import datetime as dt

from giamsat.criteria.summary import appraisal_summary, communes_answers
from giamsat.final_report.data import load_report_data

FINAL = dt.date(2024, 11, 20)


def test_the_report_data_is_read_without_loading_one_orm_object(report_cycle):
    rt, _built = report_cycle
    with rt.db.unit_of_work() as s:
        data = load_report_data(s, rt.plan, rt.cycle_id, FINAL)
        assert len(s.identity_map) == 0, sorted({type(o).__name__ for o in s.identity_map.values()})
    assert data.review.totals and data.recommendations and data.narratives  # the cycle was read
    assert data.reporting.expected and data.project2


def test_the_criteria_summaries_read_only_the_parts_of_the_figures_they_use(report_cycle):
    rt, _built = report_cycle
    with rt.db.unit_of_work() as s:
        answers, lines = communes_answers(s, rt.cycle_id), appraisal_summary(s, rt.cycle_id)
        assert len(s.identity_map) == 0
    assert lines and all(line.unit_name for line in lines)
    assert isinstance(answers, dict)


def test_each_recommendation_cites_the_report_or_the_minutes_it_came_from(report_cycle):
    rt, built = report_cycle
    with rt.db.unit_of_work() as s:
        data = load_report_data(s, rt.plan, rt.cycle_id, FINAL)
    source = {r.id: r.source for r in data.recommendations}
    assert source[built.recommendations["submission"]].startswith("Báo cáo của ")
    assert source[built.recommendations["visit"]].startswith("Biên bản giám sát tại ")
    assert all(" ngày " in source[built.recommendations[k]] for k in ("submission", "visit"))
