"""Setting the font on every run the fast way gives the document python-docx's way gives."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from giamsat.docx.decree30 import OfficialDocument, enforce_fonts


def _mixed() -> bytes:
    """A report-like document with runs lacking fonts, partial fonts, nested tables, a footer."""
    d = OfficialDocument(parent_body="UBND TỈNH", issuing_body="UBND HUYỆN", number_line="Số: 1",
                         place_date="Nơi, ngày")
    d.para("chuẩn")
    d.doc.add_paragraph("không có phông")
    p = d.doc.add_paragraph()
    run = p.add_run("phông một phần")
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:ascii"), "Arial")
    t = d.table(["TT", "Đơn vị"], [[1, "Xã A"], [2, "Xã B"]])
    t.rows[1].cells[1].add_paragraph("thêm dòng không phông")
    inner = t.rows[2].cells[1].add_table(rows=1, cols=1)
    inner.rows[0].cells[0].paragraphs[0].add_run("trong bảng lồng")
    merged = d.doc.add_table(rows=2, cols=2)
    merged.cell(0, 0).merge(merged.cell(1, 0))
    merged.cell(0, 0).paragraphs[0].add_run("ô gộp")
    continuation = merged._tbl.tr_lst[1].tc_lst[0]  # python-docx reads the cell above instead
    Paragraph(continuation.p_lst[0], None).add_run("phần gộp bên dưới")
    d.doc.sections[0].footer.paragraphs[0].add_run("chân trang")
    out = io.BytesIO()
    d.doc.save(out)
    return out.getvalue()


def _after(fast: bool) -> list[bytes]:
    doc = Document(io.BytesIO(_mixed()))
    enforce_fonts(doc, fast=fast)
    out = io.BytesIO()
    doc.save(out)
    import zipfile

    with zipfile.ZipFile(out) as zf:
        return [zf.read(n) for n in sorted(zf.namelist()) if n.endswith(".xml")]


def test_fast_font_enforcement_equals_setting_every_run_with_python_docx():
    assert _after(True) == _after(False)


def test_font_enforcement_changes_runs_that_lacked_the_font():
    doc = Document(io.BytesIO(_mixed()))
    before = doc.element.xml.count('w:cs="Times New Roman"')
    enforce_fonts(doc)
    assert doc.element.xml.count('w:cs="Times New Roman"') > before
