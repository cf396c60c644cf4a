"""Plan values are input too: control characters and absurd lengths are refused with their location."""

import copy

import pytest
import yaml

from giamsat.domain.errors import PlanError
from giamsat.plan.schema import parse_plan
from tests.conftest import CONFIG


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


def _problems(raw, change):
    data = copy.deepcopy(raw)
    change(data)
    with pytest.raises(PlanError) as err:
        parse_plan(data)
    return err.value.problems


def test_a_unit_name_with_a_control_character_or_a_line_break_is_refused(raw):
    def change(d):
        d["units"][0]["name"] = "Xã Hiển\x01 Khánh\r\nBcc: x@y.vn"
    assert _problems(raw, change) == [
        "units[0].name: có ký tự điều khiển (U+0001, U+000A, U+000D): xóa ký tự này — giá trị: "
        "'Xã Hiển\\x01 Khánh\\r\\nBcc: x@y.vn'"]


def test_an_absurdly_long_plan_text_is_refused(raw):
    def change(d):
        d["issuer"]["province"] = "Nam Định " * 300
    assert _problems(raw, change) == ["issuer.province: quá dài (2700 ký tự; tối đa 2000)"]


def test_template_syntax_and_markup_in_names_are_plain_text_and_accepted(raw):
    data = copy.deepcopy(raw)
    data["units"][0]["name"] = "Xã {{ 7*7 }}{% raw %}<script>alert(1)</script>"
    assert parse_plan(data).units[0].name == "Xã {{ 7*7 }}{% raw %}<script>alert(1)</script>"


def test_decomposed_or_invisible_characters_in_plan_names_are_stored_composed_and_visible(raw):
    import unicodedata

    data = copy.deepcopy(raw)
    village = data["units"][0]["villages"][0]
    data["units"][0]["villages"][0] = unicodedata.normalize("NFD", village) + "\u200b"
    data["units"][0]["name"] = unicodedata.normalize("NFD", data["units"][0]["name"])
    plan = parse_plan(data)
    assert plan.units[0].villages[0] == unicodedata.normalize("NFC", village)
    assert unicodedata.is_normalized("NFC", plan.units[0].name)
