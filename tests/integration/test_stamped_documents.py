"""Letters and outlines stamped from a template rendered once read exactly like those rendered alone."""

import datetime as dt
from pathlib import Path

import pytest
from docx import Document

from giamsat.collect.reader import read_report
from giamsat.docx.decree30 import iter_paragraphs
from giamsat.docx.stamp import Stamp, StampError
from giamsat.notify.letter import letter_stamp, letter_values, render_letter
from giamsat.notify.outline import outline_stamp, outline_values, render_outline
from giamsat.plan.milestones import calendar_for
from giamsat.plan.schema import load_plan

TWO_TIER = Path(__file__).parents[2] / "config" / "ninh-binh-2026.yaml"
TRICKY = "Xã \"Hợp\" <Hưng> & Đồng's Tân — Ấp Ông Ích Khiêm"


def _content(path):
    doc = Document(str(path))
    props = doc.core_properties
    return ([p.text for p in iter_paragraphs(doc)],
            (props.title, props.subject, props.identifier, props.keywords, props.author))


@pytest.fixture
def tricky_unit(plan):
    return plan.units_on(dt.date(2024, 4, 1))[3].model_copy(update={"name": TRICKY})


def test_a_stamped_outline_reads_like_one_rendered_from_scratch(plan, tricky_unit, tmp_path):
    slow = render_outline(plan, tricky_unit, tmp_path / "slow.docx", plan.cycle_key)
    fast = tmp_path / "fast.docx"
    fast.write_bytes(outline_stamp(plan, tricky_unit.valid_from, plan.cycle_key)
                     .fill(outline_values(tricky_unit)))
    assert _content(fast) == _content(slow)
    assert any(TRICKY in t for t in _content(fast)[0])


def test_the_stamped_outline_carries_the_units_marker_for_intake(plan, tricky_unit, tmp_path):
    fast = tmp_path / "fast.docx"
    fast.write_bytes(outline_stamp(plan, tricky_unit.valid_from, plan.cycle_key)
                     .fill(outline_values(tricky_unit)))
    report = read_report(fast)
    assert report.marker is not None and not report.marker_conflict
    assert report.marker.unit_key == tricky_unit.key and report.marker.cycle_key == plan.cycle_key


def test_a_stamped_letter_reads_like_one_rendered_from_scratch(plan, cal, tricky_unit, tmp_path):
    day = dt.date(2024, 4, 1)
    slow = render_letter(plan, cal, tricky_unit, day, tmp_path / "slow.docx")
    fast = tmp_path / "fast.docx"
    other = plan.units_on(day)[0]
    fast.write_bytes(letter_stamp(plan, cal, day, other).fill(letter_values(plan, tricky_unit)))
    assert _content(fast) == _content(slow)
    assert "Kính gửi: UBND xã \"Hợp\" <Hưng> & Đồng's Tân — Ấp Ông Ích Khiêm" in _content(fast)[0]


def test_a_template_that_loses_a_token_is_refused(plan, tricky_unit):
    data = outline_stamp(plan, tricky_unit.valid_from, plan.cycle_key).fill(outline_values(tricky_unit))
    with pytest.raises(StampError):
        Stamp(data, ("QGSNOWHEREQ",))


def _letter_lines(plan, cal, unit, day, path):
    """The letter to ``unit`` stamped from a template rendered for another unit, as its lines."""
    other = next(u for u in plan.units_on(day) if u.kind != unit.kind)
    path.write_bytes(letter_stamp(plan, cal, day, other).fill(letter_values(plan, unit)))
    return _content(path)[0]


def test_the_letter_to_a_town_asks_for_the_towns_report_not_a_communes(plan, cal, tmp_path):
    day = dt.date(2024, 4, 1)
    town, commune = plan.unit("13741", day), plan.unit("13753", day)
    lines = _letter_lines(plan, cal, town, day, tmp_path / "goi.docx")
    assert "2. Báo cáo của thị trấn" in lines and "2. Báo cáo của xã" not in lines
    assert "Các xã, thị trấn được chọn giám sát chuẩn bị các tài liệu sau:" in lines
    assert "2. Báo cáo của xã" in _letter_lines(plan, cal, commune, day, tmp_path / "hop-hung.docx")


def test_the_letter_to_a_ward_of_a_two_tier_plan_asks_for_the_wards_report(tmp_path):
    two_tier = load_plan(TWO_TIER)
    day = dt.date(2026, 4, 1)
    ward = next(u for u in two_tier.units_on(day) if u.kind == "phuong")
    lines = _letter_lines(two_tier, calendar_for(two_tier), ward, day, tmp_path / "ward.docx")
    assert "2. Báo cáo của phường" in lines
    assert "Các xã, phường được chọn giám sát chuẩn bị các tài liệu sau:" in lines


def test_the_schedule_of_a_two_tier_plan_samples_communes_and_wards_not_only_communes(tmp_path):
    two_tier = load_plan(TWO_TIER)
    day = dt.date(2026, 4, 1)
    ward = next(u for u in two_tier.units_on(day) if u.kind == "phuong")
    lines = _letter_lines(two_tier, calendar_for(two_tier), ward, day, tmp_path / "ward.docx")
    assert "- Ngày 20/4/2026: Chọn ngẫu nhiên xã, phường và thôn để giám sát." in lines
    assert any(t.endswith("Giám sát trực tiếp tại các xã, phường được chọn.") for t in lines)
