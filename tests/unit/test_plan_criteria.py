"""Monitoring criteria as plan configuration: defaults worded for each plan's level, or the plan's own."""

import copy
from pathlib import Path

import pytest
import yaml

from giamsat.domain.errors import PlanError
from giamsat.plan.schema import load_plan, parse_plan
from giamsat.plan.wording import criteria_of, outline_questions
from tests.conftest import CONFIG

PROVINCE = Path(__file__).resolve().parents[2] / "config" / "ninh-binh-2026.yaml"


def test_the_seed_plan_gets_the_default_criteria_of_each_level_worded_for_a_district(plan):
    issuer = criteria_of(plan, level="issuer")
    assert [c.key for c in issuer] == ["advice", "guidance", "progress", "appraisal", "summary_report"]
    assert issuer[0].title == ("Tham mưu UBND huyện lãnh đạo, chỉ đạo công tác rà soát hộ nghèo, "
                               "hộ cận nghèo")
    assert issuer[3].title == "Thẩm định sơ bộ kết quả rà soát của các xã, thị trấn"
    assert [c.key for c in criteria_of(plan, content="project2")] == [
        "approval", "participants", "funding", "results"]
    asked = outline_questions(plan)
    assert [q.key for q in asked] == ["direction", "communication", "progress", "reporting"]
    assert asked[2].answers == ("Đúng tiến độ", "Chậm tiến độ")


def test_the_two_tier_province_plan_words_its_criteria_for_a_province_with_no_district():
    plan = load_plan(PROVINCE)
    titles = [c.title for c in criteria_of(plan)]
    assert "Tham mưu UBND tỉnh lãnh đạo, chỉ đạo công tác rà soát hộ nghèo, hộ cận nghèo" in titles
    assert "Tổng hợp, báo cáo kết quả rà soát về Ban chỉ đạo tỉnh" in titles
    assert "Thẩm định sơ bộ kết quả rà soát của các xã, phường" in titles
    assert not any("huyện" in t for t in titles)


def test_a_plan_may_list_its_own_criteria_and_a_wrong_content_is_named():
    raw = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    own = copy.deepcopy(raw)
    own["criteria"] = [{"content": "household_review", "level": "unit", "items": [
        {"key": "list_posted", "title": "Niêm yết danh sách tại {units_phrase}",
         "answers": ["Đã niêm yết", "Chưa niêm yết"]}]}]
    plan = parse_plan(own)
    assert [(q.title, q.answers) for q in outline_questions(plan)] == [
        ("Niêm yết danh sách tại xã, thị trấn", ("Đã niêm yết", "Chưa niêm yết"))]
    assert criteria_of(plan, level="issuer") == []
    bad = copy.deepcopy(own)
    bad["criteria"][0]["content"] = "housing"
    bad["criteria"][0]["items"].append(dict(bad["criteria"][0]["items"][0]))
    with pytest.raises(PlanError) as info:
        parse_plan(bad)
    problems = info.value.problems
    assert any(p.startswith("criteria[0].content: nội dung 'housing' không có trong contents")
               for p in problems), problems
    assert "criteria[0].items: mã tiêu chí 'list_posted' trùng lặp" in problems
