"""The fast XML reading of a filled form gives exactly what the python-docx reading gives."""

from __future__ import annotations

import copy
import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement

from giamsat.collect import xml_reader as report_xml
from giamsat.collect.reader import parse_xml, read_report, read_report_docx
from giamsat.docx.reading import open_docx_xml


@pytest.fixture(scope="module")
def filled(plan, tmp_path_factory) -> bytes:
    from giamsat.demo.synthetic import fill_outline
    from giamsat.notify.outline import render_outline

    folder = tmp_path_factory.mktemp("fast")
    unit = plan.units[3]
    blank = render_outline(plan, unit, folder / "blank.docx", plan.cycle_key)
    fill_outline(blank, folder / "filled.docx", seed=7, villages=unit.villages)
    return (folder / "filled.docx").read_bytes()


def _edit(data: bytes, change) -> bytes:
    doc = Document(io.BytesIO(data))
    change(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _section_table(doc, header_word: str):
    return next(t for t in doc.tables if any(header_word in c.text for c in t.rows[0].cells))


def _reorder_columns(doc) -> None:
    for tr in _section_table(doc, "Tổng số hộ")._tbl.tr_lst:
        tcs = tr.tc_lst
        tcs[1].addprevious(tcs[-1])


def _runs_with_tabs_breaks_and_links(doc) -> None:
    cell = _section_table(doc, "Tổng số hộ").rows[1].cells[2]
    p = cell.paragraphs[0]
    p.add_run().add_tab()
    p.add_run("x").add_break()
    link = OxmlElement("w:hyperlink")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = " 12 "
    r.append(t)
    link.append(r)
    p._p.append(link)
    cell.add_paragraph("dòng hai")


def _horizontal_span(doc) -> None:
    row = _section_table(doc, "Tổng số hộ").rows[2]
    row.cells[3].merge(row.cells[4])


def _vertical_merge(doc) -> None:
    table = _section_table(doc, "Tổng số hộ")
    table.cell(1, 1).merge(table.cell(2, 1))


def _nested_in_layout_table(doc) -> None:
    table = _section_table(doc, "Tổng số hộ")
    layout = doc.add_table(rows=1, cols=1)
    layout.cell(0, 0)._tc.append(copy.deepcopy(table._tbl))
    table._tbl.getparent().remove(table._tbl)


def _duplicate_section_and_extra_rows(doc) -> None:
    table = _section_table(doc, "Tổng số hộ")
    table.add_row()
    table.add_row()
    table._tbl.addnext(copy.deepcopy(table._tbl))


def _marker_only_in_properties(doc) -> None:
    for p in doc.paragraphs:
        if "GIAMSAT" in p.text.upper():
            p._p.getparent().remove(p._p)


def _conflicting_marker(doc) -> None:
    doc.core_properties.identifier = re.sub(r"\|\d{5}@", "|99999@", doc.core_properties.identifier)


def _row_starting_late(doc) -> None:
    tr = _section_table(doc, "Tổng số hộ").rows[1]._tr
    trpr = tr.get_or_add_trPr()
    before = OxmlElement("w:gridBefore")
    before.set(qn("w:val"), "1")
    trpr.append(before)


EDITS = [None, _reorder_columns, _runs_with_tabs_breaks_and_links, _horizontal_span,
         _vertical_merge, _nested_in_layout_table, _duplicate_section_and_extra_rows,
         _marker_only_in_properties, _conflicting_marker, _row_starting_late]


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__.strip("_") if e else "as_filled")
def test_the_fast_reading_equals_the_python_docx_reading(edit, filled):
    data = filled if edit is None else _edit(filled, edit)
    assert read_report(data) == read_report_docx(data)


@pytest.mark.parametrize("edit", [None, _reorder_columns, _runs_with_tabs_breaks_and_links,
                                  _horizontal_span, _nested_in_layout_table,
                                  _duplicate_section_and_extra_rows])
def test_ordinary_forms_take_the_fast_path_without_falling_back(edit, filled):
    data = filled if edit is None else _edit(filled, edit)
    assert parse_xml(open_docx_xml(data)) == read_report_docx(data)


@pytest.mark.parametrize("edit", [_vertical_merge, _row_starting_late])
def test_layouts_the_fast_path_does_not_mirror_are_left_to_python_docx(edit, filled):
    with pytest.raises(report_xml.Unsupported):
        parse_xml(open_docx_xml(_edit(filled, edit)))


def test_the_tricky_edits_change_what_is_read(filled):
    base = read_report_docx(filled)
    assert read_report_docx(_edit(filled, _conflicting_marker)).marker_conflict
    assert read_report_docx(_edit(filled, _duplicate_section_and_extra_rows)).duplicate_sections == ["B"]
    for edit in (_runs_with_tabs_breaks_and_links, _horizontal_span, _vertical_merge):
        assert read_report_docx(_edit(filled, edit)) != base
