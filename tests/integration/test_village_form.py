"""A village's report form (a commune's plan): its own header, no number, its head signs; intake
reads the filled form by its village code like any unit's."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from docx import Document

from giamsat.collect.reader import read_report
from giamsat.demo.form_fill import fill_outline_fast
from giamsat.docx.decree30_check import check
from giamsat.domain.validation import Expectation, UnitRef, validate
from giamsat.notify.outline import outline_stamp, outline_values, render_outline
from giamsat.plan.schema import load_plan
from giamsat.plan.wording import outline_questions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def commune_plan():
    return load_plan(ROOT / "config" / "xa-vu-ban-2026.yaml")


def _header(path: Path) -> tuple[list[str], list[str]]:
    left, right = Document(str(path)).tables[0].rows[0].cells
    return ([p.text for p in left.paragraphs if p.text.strip()],
            [p.text for p in right.paragraphs if p.text.strip()])


def test_a_stamped_village_form_reads_like_one_rendered_for_it(commune_plan, tmp_path):
    village = commune_plan.unit("13741-06", dt.date(2026, 4, 1))
    other = commune_plan.unit("13741-09", dt.date(2026, 4, 1))
    stamped = tmp_path / "stamped.docx"
    stamped.write_bytes(outline_stamp(commune_plan, village.valid_from, commune_plan.cycle_key, other)
                        .fill(outline_values(village)))
    fresh = render_outline(commune_plan, village, tmp_path / "fresh.docx", commune_plan.cycle_key)
    for path in (stamped, fresh):
        assert _header(path) == (["UBND XÃ VỤ BẢN", "THÔN TÂY SƠN"],
                                 ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                  "…, ngày … tháng … năm 2026"])
    lines = [p.text for p in Document(str(stamped)).paragraphs]
    assert lines == [p.text for p in Document(str(fresh)).paragraphs]
    assert "Trên đây là báo cáo của thôn Tây Sơn gửi UBND xã Vụ Bản (qua Phòng Kinh tế)./." in lines
    # the Decree 30 check finds only what a village rightly lacks: a number
    assert check(stamped, title="Báo cáo", form=True) == ["thiếu số, ký hiệu văn bản (Số: …)"]


def test_a_residential_groups_form_is_signed_by_its_group_leader(commune_plan, tmp_path):
    group = commune_plan.unit("13741-03", dt.date(2026, 4, 1))
    path = render_outline(commune_plan, group, tmp_path / "tdp.docx", commune_plan.cycle_key)
    signature = Document(str(path)).tables[-1].rows[0].cells[1]
    assert [p.text for p in signature.paragraphs if p.text.strip()] == [
        "TỔ TRƯỞNG TỔ DÂN PHỐ", "(Ký, ghi rõ họ tên)"]


def test_a_filled_village_form_is_taken_in_under_its_village_code(commune_plan, tmp_path):
    village = commune_plan.unit("13741-06", dt.date(2026, 4, 1))
    blank = render_outline(commune_plan, village, tmp_path / "blank.docx", commune_plan.cycle_key)
    fill_outline_fast(blank, tmp_path / "filled.docx", seed=7, villages=[village.name])
    raw = read_report(tmp_path / "filled.docx")
    assert raw.marker is not None and raw.marker.unit_key == "13741-06@2025-07-01"
    units = tuple(UnitRef(u.key, u.code, u.name, u.valid_from, u.valid_to) for u in commune_plan.units)
    exp = Expectation(cycle_key=commune_plan.cycle_key, form_versions=(commune_plan.report.form_version,),
                      units=units, received_on=dt.date(2026, 4, 8), claimed_unit_code="13741-06",
                      rate_tolerance_pct=commune_plan.report.rate_tolerance_pct,
                      criteria=outline_questions(commune_plan))
    result = validate(raw, exp)
    assert [i.text for i in result.issues] == []
    assert result.unit is not None and result.unit.code == "13741-06"
    assert dataclasses.asdict(result)["figures"]["models"]
