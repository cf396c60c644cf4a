"""The outline form: one per unit, Decree 30 compliant, carrying its hidden marker and empty tables."""

from docx import Document

from giamsat.docx.decree30_check import check
from giamsat.domain.outline_spec import SECTIONS, decode_marker
from giamsat.notify.outline import TITLE, render_outline


def test_every_unit_gets_a_compliant_form_naming_it(plan, tmp_path):
    for unit in plan.units:
        path = render_outline(plan, unit, tmp_path / f"{unit.key}.docx", plan.cycle_key)
        assert check(path, title=TITLE) == [], unit.name
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
