"""The final report's tables as a reader sees them: no outcome that repeats its status, unit names on
one line in the sources annex, a total row never alone on a page; the outline's signature hint."""

from __future__ import annotations

import datetime as dt

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm
from sqlalchemy import select

from giamsat.db.models import Recommendation
from giamsat.final_report.document import PROVENANCE_HEADERS
from giamsat.final_report.service import final_report
from giamsat.issuance import service
from giamsat.notify.service import notify
from tests.fixtures.report_data import build_cycle

FINAL = dt.date(2024, 11, 20)


def _table(doc, first_header: str, last_header: str):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first_header
                and t.rows[0].cells[-1].text == last_header)


def test_the_recommendations_table_gives_an_outcome_only_when_it_says_more_than_the_status(sqlite_runtime):
    rt = sqlite_runtime
    build_cycle(rt)
    with rt.db.unit_of_work() as s:
        first, second = s.scalars(select(Recommendation).order_by(Recommendation.id)).all()
        first.status, first.evidence_text = "resolved", "Đã thực hiện xong kiến nghị (dữ liệu minh họa)."
        second.status, second.evidence_text = "resolved", "Đã giải ngân 80% vốn hỗ trợ mô hình."
    doc = Document(str(final_report(rt, FINAL)))
    rows = [[c.text for c in r.cells] for r in _table(doc, "Số", "Tình trạng").rows[1:]]
    assert rows[0][1] == "Đề nghị tỉnh bổ sung kinh phí hỗ trợ mô hình chăn nuôi"  # no outcome repeated
    assert rows[0][-1] == "Đã thực hiện"
    assert rows[1][1].endswith("(kết quả thực hiện: Đã giải ngân 80% vốn hỗ trợ mô hình)")


def test_the_sources_annex_keeps_unit_names_on_one_line_and_totals_keep_with_their_table(sqlite_runtime):
    rt = sqlite_runtime
    build_cycle(rt)
    doc = Document(str(final_report(rt, FINAL)))
    sources = _table(doc, PROVENANCE_HEADERS[0], PROVENANCE_HEADERS[-1])
    widths = [c.width for c in sources.rows[0].cells]
    longest = max(len(r.cells[i].text) for r in sources.rows[1:] for i in (0, 2))  # "Xã Hiển Khánh"
    assert min(widths[0], widths[2]) >= Cm(0.22 * longest + 0.4)  # 11 pt Times with the cell margins
    assert sources.rows[1].cells[3].text == "03/4/2024"  # the column says "Báo cáo ngày"
    for table in doc.tables:
        if len(table.rows) >= 3 and table.style.name == "Table Grid":
            before_last = table._tbl.tr_lst[-2]
            kept = [p.find(qn("w:pPr")) for p in before_last.iter(qn("w:p"))]
            assert all(k is not None and k.find(qn("w:keepNext")) is not None for k in kept), \
                table.rows[0].cells[0].text


def test_the_outlines_signature_hint_is_italic_not_bold(sqlite_runtime):
    notify(sqlite_runtime, dt.date(2024, 4, 1))
    outline = service.documents(sqlite_runtime, "outline")[0]
    doc = Document(outline.path)
    (hint,) = [p for t in doc.tables for c in t._cells for p in c.paragraphs
               if p.text == "(Ký, ghi rõ họ tên, đóng dấu)"][:1]
    assert all(r.italic and not r.bold for r in hint.runs if r.text)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert ("Hộ nghèo, hộ cận nghèo xác định theo chuẩn nghèo đa chiều quy định tại Nghị định số "
            "07/2021/NĐ-CP (thu nhập bình quân đầu người/tháng 1.500.000 đồng") in text


def test_the_final_report_cites_the_plans_poverty_standard(sqlite_runtime):
    build_cycle(sqlite_runtime)
    text = "\n".join(p.text for p in Document(str(final_report(sqlite_runtime, FINAL))).paragraphs)
    assert ("Hộ nghèo, hộ cận nghèo được xác định theo chuẩn nghèo đa chiều quy định tại Nghị định số "
            "07/2021/NĐ-CP") in text
