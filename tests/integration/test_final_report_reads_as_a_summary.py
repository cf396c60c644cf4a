"""The final report's sections IV-VI as the committee reads them: what recurs is counted, not a roll
call of every commune; the implementing body stands alone in its column; the units still owing a
report are named while they are few."""

from __future__ import annotations

import datetime as dt

from docx import Document

from giamsat.db.models import Submission
from giamsat.domain import clock
from giamsat.final_report.service import final_report
from tests.fixtures.report_data import POOR, REJECTED, _unit, build_cycle

FINAL = dt.date(2024, 11, 20)
# Every unit of the plan that the fixture leaves without a report, but Xã Minh Tân (13771).
OTHERS = ("13753", "13759", "13762", "13765", "13774", "13780", "13783", "13786", "13789", "13792")
SOFTWARE = {"13753": "Phần mềm quản lý hộ nghèo hay lỗi; kinh phí giải ngân chậm; thiếu cán bộ.",
            "13759": "Cơ sở dữ liệu hộ nghèo chưa đồng bộ; thiếu cán bộ; kinh phí giải ngân chậm."}


def _report_from_every_unit_but_minh_tan(rt) -> None:
    with rt.db.unit_of_work() as s:
        for code in OTHERS:
            unit = _unit(s, rt, code)
            s.add(Submission(
                cycle_id=rt.cycle_id, unit_id=unit.id, received_at=clock.at_office_hours(dt.date(2024, 4, 3)),
                source="demo", original_filename=f"bao-cao-{code}.docx", stored_path=f"x/{code}.docx",
                sha256="1" * 64, size_bytes=1000, form_version="2024.1", status="accepted", late=False,
                figures={"narratives": {"C": f"{unit.name} họp dân tại các thôn.",
                                        "D": SOFTWARE.get(code, f"{unit.name}: thiếu cán bộ chuyên trách; "
                                                                "kinh phí giải ngân chậm.")}}))


def _section(doc, start: str, end: str) -> list[str]:
    texts = [p.text for p in doc.paragraphs]
    first = texts.index(start)
    return texts[first + 1:texts.index(end, first)]


def test_difficulties_every_commune_names_are_counted_and_a_minoritys_are_named(sqlite_runtime):
    rt = sqlite_runtime
    build_cycle(rt)
    _report_from_every_unit_but_minh_tan(rt)
    doc = Document(str(final_report(rt, FINAL)))
    section = _section(doc, "IV. KHÓ KHĂN, VƯỚNG MẮC", "V. CÁC KIẾN NGHỊ VÀ KẾT QUẢ THỰC HIỆN")
    received = len(POOR) + len(OTHERS)  # 18 units: all but Minh Tân and the rejected Quang Trung
    assert received == 18 - 1 - len(REJECTED)
    assert f"Có {received}/{received} xã, thị trấn nêu khó khăn, vướng mắc trong báo cáo" in section[0]
    # what every commune names is counted, not listed: the lines end after the count
    assert (f"- Kinh phí, giải ngân vốn còn chậm hoặc chưa đủ: {received}/{received} xã, thị trấn "
            "nêu;") in section
    assert (f"- Cán bộ làm công tác giảm nghèo kiêm nhiệm, thiếu nhân lực: {received}/{received} xã, thị "
            "trấn nêu;") in section
    # what only two name, names them
    assert (f"- Phần mềm, cơ sở dữ liệu quản lý hộ nghèo: 2/{received} xã, thị trấn nêu (Xã Hợp Hưng, "
            "Xã Tân Thành).") in section
    annex = "\n".join(p.text for p in doc.paragraphs)
    assert annex.count("D. Khó khăn, vướng mắc: ") == received  # each text, verbatim, in the annex
    assert "D. Khó khăn, vướng mắc: " + SOFTWARE["13753"] in annex


def test_proposals_name_the_one_unit_still_owing_its_report(sqlite_runtime):
    rt = sqlite_runtime
    build_cycle(rt)
    _report_from_every_unit_but_minh_tan(rt)
    doc = Document(str(final_report(rt, FINAL)))
    text = "\n".join(_section(doc, "VI. ĐỀ XUẤT", "Phụ lục I"))
    assert ("Đề nghị UBND xã Minh Tân chưa gửi báo cáo khẩn trương hoàn thành, gửi báo cáo theo quy "
            "định") in text
    assert "1 đơn vị" not in text


def test_proposals_count_the_units_owing_a_report_beyond_a_handful(sqlite_runtime):
    rt = sqlite_runtime
    build_cycle(rt)  # 6 reports accepted, 1 returned, 11 never came
    text = "\n".join(p.text for p in Document(str(final_report(rt, FINAL))).paragraphs)
    assert "Đề nghị 11 xã, thị trấn chưa gửi báo cáo khẩn trương hoàn thành" in text


def test_the_implementing_body_stands_alone_and_the_proposer_has_its_own_column(sqlite_runtime):
    rt = sqlite_runtime
    built = build_cycle(rt)
    doc = Document(str(final_report(rt, FINAL)))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Số"
                 and t.rows[0].cells[-1].text == "Tình trạng")
    header = [c.text for c in table.rows[0].cells]
    rows = {r.cells[0].text: dict(zip(header, (c.text for c in r.cells), strict=True))
            for r in table.rows[1:]}
    asked = rows[str(built.recommendations["submission"])]
    assert asked["Cơ quan, đơn vị thực hiện"] == "Sở LĐTBXH"
    assert asked["Nguồn kiến nghị"] == "Báo cáo của xã Hiển Khánh ngày 03/4/2024"  # who proposed it
    assert all("(" not in row["Cơ quan, đơn vị thực hiện"] for row in rows.values())
