"""The plan YAML: the shipped file is valid; broken copies are refused with path-precise messages."""

import copy
import datetime as dt

import pytest
import yaml

from giamsat.domain.errors import PlanError
from giamsat.plan.schema import load_plan, parse_plan
from tests.conftest import CONFIG


@pytest.fixture
def raw():
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def problems_of(data) -> list[str]:
    with pytest.raises(PlanError) as info:
        parse_plan(data)
    return info.value.problems


def test_the_shipped_plan_has_18_units_then_14_after_the_merger(plan):
    assert len(plan.units_on(dt.date(2024, 4, 1))) == 18
    assert len(plan.units_on(dt.date(2024, 9, 1))) == 14
    assert plan.signatories.committee.name == "Đỗ Văn Kỳ"
    assert plan.report.deadline == dt.date(2024, 4, 6)
    assert plan.sample.communes == 4


def test_a_reused_code_resolves_to_the_unit_valid_on_the_day(plan):
    assert plan.unit("13750", dt.date(2024, 8, 31)).name == "Xã Tân Khánh"
    assert plan.unit("13750", dt.date(2024, 9, 1)).name == "Xã Minh Tân"
    old_minh_tan = plan.unit("13771", dt.date(2024, 4, 1))
    assert plan.successor_of(old_minh_tan).key == "13750@2024-09-01"


def test_a_missing_field_is_named_with_its_path(raw):
    del raw["units"][3]["email"]
    assert problems_of(raw) == ["units[3].email: thiếu trường bắt buộc"]


def test_a_duplicate_unit_code_is_refused(raw):
    raw["units"][2]["code"] = "13741"
    assert any(p.startswith("units[2].code: mã đơn vị 13741 trùng") for p in problems_of(raw))


def test_a_deadline_outside_the_period_is_refused(raw):
    raw["report"]["deadline"] = dt.date(2024, 12, 6)
    assert any(p.startswith("report.deadline: ngày 06/12/2024 nằm ngoài") for p in problems_of(raw))


def test_an_unknown_successor_unit_is_refused(raw):
    raw["units"][6]["successor"] = "99999"
    assert any(p.startswith("units[6].successor: không có đơn vị mã 99999")
               for p in problems_of(raw))


def test_every_problem_is_reported_at_once(raw):
    broken = copy.deepcopy(raw)
    del broken["issuer"]["name"]
    broken["units"][0]["code"] = "ABC"
    broken["sample"]["communes"] = "bốn"
    found = problems_of(broken)
    assert len(found) == 3
    assert {p.split(":")[0] for p in found} == {"issuer.name", "units[0].code", "sample.communes"}


def test_an_unknown_field_is_refused_so_typos_do_not_pass_silently(raw):
    raw["sample"]["comunes"] = 4
    assert problems_of(raw) == [
        "sample.comunes: trường không được khai báo trong mẫu kế hoạch — giá trị: 4"]


def test_yaml_syntax_errors_give_the_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cycle_key: x\nunits: [\n", encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(bad)
    assert "lỗi cú pháp YAML (dòng" in info.value.problems[0]


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(PlanError, match="không tìm thấy tệp kế hoạch"):
        load_plan(tmp_path / "none.yaml")
