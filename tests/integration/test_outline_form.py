"""The outline form: one per unit, Decree 30 compliant, carrying its hidden marker and empty tables."""

import datetime as dt
from pathlib import Path

from docx import Document
from docx.shared import Cm

from giamsat.docx.decree30 import iter_paragraphs
from giamsat.docx.decree30_check import check
from giamsat.domain.outline_spec import SECTIONS, decode_marker
from giamsat.notify.outline import outline_stamp, outline_values, render_outline
from giamsat.plan.schema import load_plan

TWO_TIER = Path(__file__).parents[2] / "config" / "ninh-binh-2026.yaml"


def test_every_unit_gets_a_compliant_form_naming_it(plan, tmp_path):
    for unit in plan.units:
        path = render_outline(plan, unit, tmp_path / f"{unit.key}.docx", plan.cycle_key)
        assert check(path, title="Báo cáo", form=True) == [], unit.name
        doc = Document(str(path))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert f"Đơn vị báo cáo: {unit.name} — mã đơn vị {unit.code}" in text


def test_the_form_carries_a_hidden_marker_with_version_unit_and_cycle(plan, tmp_path):
    unit = plan.units[3]
    doc = Document(str(render_outline(plan, unit, tmp_path / "f.docx", plan.cycle_key)))
    marker = decode_marker(doc.core_properties.identifier)
    assert (marker.form_version, marker.unit_key, marker.cycle_key) == (
        plan.report.form_version, unit.key, plan.cycle_key)
    hidden = [r for p in doc.paragraphs for r in p.runs if r.font.hidden]
    assert len(hidden) == 1 and decode_marker(hidden[0].text) == marker


def test_the_form_has_one_table_per_section_with_the_spec_headers(plan, tmp_path):
    doc = Document(str(render_outline(plan, plan.units[0], tmp_path / "f.docx", plan.cycle_key)))
    data_tables = doc.tables[1:-1]  # header block and signature are borderless layout tables
    assert [[c.text for c in t.rows[0].cells] for t in data_tables] == [
        [c.label for c in s.columns] for s in SECTIONS]
    review = data_tables[1]
    assert [r.cells[0].text for r in review.rows[1:]] == ["Hộ nghèo", "Hộ cận nghèo"]
    assert len(data_tables[0].rows) == 1 + SECTIONS[0].empty_rows


def _lines(path):
    return [p.text.strip() for p in iter_paragraphs(Document(str(path))) if p.text.strip()]


def test_the_commune_signs_a_report_under_its_own_header_not_the_district_plans(plan, tmp_path):
    unit = plan.unit("13753", dt.date(2024, 4, 1))
    stamp = outline_stamp(plan, unit.valid_from, plan.cycle_key)
    path = tmp_path / "stamped.docx"
    path.write_bytes(stamp.fill(outline_values(unit)))
    lines = _lines(path)
    left, right = Document(str(path)).tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        "UBND HUYỆN VỤ BẢN", "ỦY BAN NHÂN DÂN XÃ HỢP HƯNG", "Số: …/BC-UBND"]
    assert right.paragraphs[-1].text == "…, ngày … tháng … năm 2024"
    assert not any("52/KH-UBND" in t and not t.startswith("Thực hiện") for t in lines)
    assert not any("26 tháng 3" in t for t in lines)
    assert any(t.startswith("Thực hiện Kế hoạch số 52/KH-UBND ngày 26/3/2024 của UBND huyện Vụ Bản")
               and t.endswith("UBND xã Hợp Hưng báo cáo kết quả như sau:") for t in lines)
    closing = next(t for t in lines if t.startswith("Trên đây là báo cáo"))
    assert closing == ("Trên đây là báo cáo của UBND xã Hợp Hưng gửi UBND huyện Vụ Bản "
                       "(qua Phòng Lao động - TB&XH)./.")
    assert not any("../." in t for t in lines)
    assert check(path, title="Báo cáo", form=True) == []
    assert path.read_bytes() == stamp.fill(outline_values(unit))
    fresh = render_outline(plan, unit, tmp_path / "fresh.docx", plan.cycle_key)
    assert _lines(fresh) == lines


def _header_lines(path):
    left = Document(str(path)).tables[0].rows[0].cells[0]
    return [p.text for p in left.paragraphs if p.text], left.width


def test_a_town_under_a_district_heads_two_lines_the_district_then_its_own_committee(plan, tmp_path):
    town = plan.unit("13741", dt.date(2024, 4, 1))
    lines, width = _header_lines(render_outline(plan, town, tmp_path / "goi.docx", plan.cycle_key))
    assert lines == ["UBND HUYỆN VỤ BẢN", "ỦY BAN NHÂN DÂN THỊ TRẤN GÔI", "Số: …/BC-UBND"]
    # its name on one line: 13 pt bold capitals, about 0.31 cm a character, plus the cell margins
    assert width >= Cm(0.31 * len("ỦY BAN NHÂN DÂN THỊ TRẤN GÔI") + 0.4)


def test_a_commune_of_a_two_tier_plan_heads_with_its_own_committee_and_no_parent(tmp_path):
    two_tier = load_plan(TWO_TIER)
    one_of_each_kind = {u.kind: u for u in two_tier.units_on(dt.date(2026, 4, 1))}
    assert set(one_of_each_kind) >= {"xa", "phuong"}
    for unit in one_of_each_kind.values():
        lines, _ = _header_lines(render_outline(two_tier, unit, tmp_path / f"{unit.code}.docx",
                                                two_tier.cycle_key))
        assert lines == [f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}", "Số: …/BC-UBND"], unit.name


def test_the_2026_form_names_its_described_component_in_lower_case_mid_sentence(plan, tmp_path):
    two_tier = load_plan(TWO_TIER)
    unit = two_tier.units_on(dt.date(2026, 4, 1))[0]
    doc = Document(str(render_outline(two_tier, unit, tmp_path / "f.docx", two_tier.cycle_key)))
    text = "\n".join(p.text for p in iter_paragraphs(doc))
    assert ("Kết quả thực hiện nội dung đa dạng hóa sinh kế, phát triển mô hình giảm nghèo và công tác "
            "rà soát hộ nghèo, hộ cận nghèo năm 2026") in text
    assert "Kết quả thực hiện Nội dung" not in text
    # a numbered component is a proper name: the seed's "Dự án 2" keeps its capital
    seed = Document(str(render_outline(plan, plan.units[0], tmp_path / "s.docx", plan.cycle_key)))
    assert "Kết quả thực hiện Dự án 2 và công tác" in "\n".join(p.text for p in iter_paragraphs(seed))
