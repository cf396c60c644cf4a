"""Indicators from plain rows: totals, rates, targets, Project 2, reporting, coverage, mergers."""

import datetime as dt

import pytest

from giamsat.domain import indicators as ind

D = dt.date
A = ind.UnitRef("A@2024-01-01", "00001", "Xã A", D(2024, 1, 1), D(2024, 8, 31), "C@2024-09-01")
B = ind.UnitRef("B@2024-01-01", "00002", "Xã B", D(2024, 1, 1))
OLD_C = ind.UnitRef("C@2024-01-01", "00003", "Xã C cũ", D(2024, 1, 1), D(2024, 8, 31),
                    "C@2024-09-01")
C = ind.UnitRef("C@2024-09-01", "00003", "Xã C", D(2024, 9, 1))
UNITS = {u.key: u for u in (A, B, OLD_C, C)}


def row(unit, sub_id, total, start, escaped, fell_back, new, other, group="poor"):
    end = start - escaped + fell_back + new + other
    return ind.HouseholdRow(unit.key, group, total, start, escaped, fell_back, new, other, end,
                            ind.Source(sub_id, "B", 1, unit.key))


ROWS = [row(A, 1, 1000, 40, 12, 1, 2, 0), row(B, 2, 2000, 60, 20, 0, 4, -1),
        row(OLD_C, 3, 500, 20, 6, 0, 1, 0)]


def test_the_district_total_is_the_sum_of_the_units_and_the_rate_is_end_over_total():
    review = ind.household_review(UNITS, ROWS, D(2024, 6, 1))
    lines = review.lines["poor"]
    total = review.totals["poor"]
    assert [ln.unit_key for ln in lines] == [A.key, B.key, OLD_C.key]
    assert total.total == 3500 and total.end == sum(ln.end for ln in lines)
    assert total.rate == pytest.approx(total.end * 100 / 3500)
    assert lines[0].start_rate == pytest.approx(4.0) and lines[0].rate == pytest.approx(3.1)
    assert lines[0].change_pts == pytest.approx(0.9)
    assert [s.submission_id for s in total.sources] == [1, 2, 3]


def test_figures_of_merged_units_are_aggregated_under_the_successor_after_the_merger():
    before = ind.household_review(UNITS, ROWS, D(2024, 8, 31))
    after = ind.household_review(UNITS, ROWS, D(2024, 9, 1))
    assert len(before.lines["poor"]) == 3
    merged = {ln.unit_key: ln for ln in after.lines["poor"]}
    assert set(merged) == {B.key, C.key}
    assert merged[C.key].total == 1500 and merged[C.key].unit_name == "Xã C"
    assert {s.unit_key for s in merged[C.key].sources} == {A.key, OLD_C.key}
    assert after.totals["poor"].end == before.totals["poor"].end


def test_the_rate_change_is_judged_against_the_target_band():
    line = ind.ReviewLine("", "", "poor", total=1000, start=40, end=28)
    check = ind.target_check(line, 1.0, 1.5)
    assert check.reduction_pts == pytest.approx(1.2) and check.verdict == "met"
    assert ind.target_check(ind.ReviewLine("", "", "poor", total=1000, start=40, end=35),
                            1.0, 1.5).verdict == "not_met"
    assert ind.target_check(ind.ReviewLine("", "", "poor", total=1000, start=40, end=20),
                            1.0, 1.5).verdict == "exceeded"
    assert ind.target_check(ind.ReviewLine("", "", "poor"), 1.0, 1.5) is None


def test_project2_counts_types_households_funding_and_the_disbursement_rate():
    def model(unit, kind, funds, disbursed):
        return ind.ModelRow(unit.key, "Mô hình", "Thôn 1", kind,
                            {"poor": 5, "near_poor": 3, "escaped": 1, "other": 0},
                            dict(zip(ind.FUNDS, funds, strict=True)), disbursed,
                            ind.Source(1, "A", 1, unit.key))
    rows = [model(A, "Chuỗi giá trị", (100, 20, 10, 0), 65),
            model(B, "Cộng đồng", (50, 0, 0, 20), 70)]
    p2 = ind.project2(UNITS, rows, D(2024, 9, 2))
    assert p2.by_type == {"Chuỗi giá trị": 1, "Cộng đồng": 1}
    assert p2.households["poor"] == 10 and p2.funding_total == 200
    assert p2.disbursement_rate == pytest.approx(67.5)
    assert set(p2.per_unit) == {C.key, B.key}


def test_reporting_sorts_units_into_on_time_late_rejected_and_missing():
    subs = [ind.SubmissionInfo(1, A.key, "accepted", False, D(2024, 4, 3), False),
            ind.SubmissionInfo(2, B.key, "rejected", False, D(2024, 4, 2), True),
            ind.SubmissionInfo(3, B.key, "accepted", True, D(2024, 4, 9), False),
            ind.SubmissionInfo(4, OLD_C.key, "rejected", False, D(2024, 4, 4), False)]
    rep = ind.reporting([A, B, OLD_C, C], subs)
    assert rep.state == {A.key: "on_time", B.key: "late", OLD_C.key: "rejected", C.key: "missing"}
    assert rep.received == 2 and rep.submission_of[B.key] == 3


def test_coverage_counts_visited_sampled_communes_and_ad_hoc_visits_apart():
    visits = [ind.VisitInfo(A.key, "sampled", True), ind.VisitInfo(B.key, "sampled", False),
              ind.VisitInfo(C.key, "adhoc", True)]
    cov = ind.coverage([A.key, B.key], visits)
    assert cov.visited == (A.key,) and cov.rate == pytest.approx(50.0) and cov.adhoc_done == 1


def test_recommendations_by_status_lists_every_state():
    counts = ind.recommendations_by_status(["open", "resolved", "open"])
    assert counts["open"] == 2 and counts["overdue"] == 0 and counts["resolved"] == 1
