"""Beyond a district's size the report's body summarises and its annexes keep every unit's row.

The thresholds are lowered so the known six-unit cycle plays a province.
"""

import datetime as dt

from docx import Document

from giamsat.docx.decree30_check import check
from giamsat.final_report import charts
from giamsat.final_report import document as final_report
from giamsat.final_report.service import final_report as write_final
from giamsat.followup import service as followup

FINAL = dt.date(2024, 11, 20)


def _poor_tables(doc):
    return [t for t in doc.tables if t.rows[0].cells[0].text == "TT"
            and t.rows[0].cells[-1].text == "Tỷ lệ (%)"]


def test_a_province_sized_report_keeps_the_body_short_and_every_unit_in_the_annex(
        report_cycle, monkeypatch):
    rt, built = report_cycle
    followup.followup_sweep(rt, dt.date(2024, 6, 17))
    small = write_final(rt, FINAL)
    small_doc = Document(str(small))
    monkeypatch.setattr(final_report, "BODY_ROWS", 1)  # the cycle has two recommendations
    monkeypatch.setattr(charts, "MAX_BARS", 2)
    path = write_final(rt, FINAL)
    assert check(path, title="Báo cáo") == []
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    big, small_tables = _poor_tables(doc), _poor_tables(small_doc)
    assert len(big) == len(small_tables) == 4  # poor and near-poor, in the body and in annex I
    for body in big[:2]:
        assert [c.text for c in body.rows[1].cells][1] == "Toàn huyện" and len(body.rows) == 2
    for annex, full in zip(big[2:], small_tables[:2], strict=True):  # every unit, unchanged
        assert [[c.text for c in r.cells] for r in annex.rows] == [[c.text for c in r.cells]
                                                                    for r in full.rows]
    assert "tổng hợp; từng đơn vị tại Phụ lục I" in text
    assert "PHỤ LỤC IV" in text.upper() and "danh mục đầy đủ tại Phụ lục IV" in text
    assert "Số đơn vị theo tỷ lệ hộ nghèo cuối kỳ" in text  # a distribution, not a bar per unit
    assert len(doc.inline_shapes) == len(small_doc.inline_shapes)
