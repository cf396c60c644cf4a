"""A finding per criterion in the minutes, and the reports that summarise them, read as documents."""

import datetime as dt

import pytest
from docx import Document
from sqlalchemy import select

from giamsat.collect.service import submit
from giamsat.criteria import appraisal
from giamsat.criteria.summary import findings_by_criterion, findings_by_unit, findings_list
from giamsat.db.models import CriterionFinding
from giamsat.demo.minutes_fill import fill_minutes
from giamsat.docx.decree30 import iter_paragraphs, save_atomic
from giamsat.domain import clock
from giamsat.domain.errors import BadDocument
from giamsat.draw import service as sample
from giamsat.final_report.service import interim_report
from giamsat.plan.wording import criteria_of
from giamsat.visits import minutes
from giamsat.visits import service as visits
from giamsat.visits.minutes_doc import CRITERIA
from tests.fixtures.collect import at

NOW = clock.at_office_hours(dt.date(2024, 5, 2))


def _visits(rt):
    row = sample.draw(rt, dt.date(2024, 4, 10), "tiêu chí", "tran.lan", now=NOW)
    sample.approve(rt, row.id, "truong.phong", NOW)
    return visits.schedule_visits(rt, dt.date(2024, 5, 2), "tran.lan", NOW)


def _criteria_tables(path):
    return [t for t in Document(str(path)).tables
            if tuple(" ".join(c.text.split()) for c in t.rows[0].cells) == CRITERIA]


def test_the_minutes_print_every_unit_criterion_of_the_plan_grouped_by_content(sqlite_runtime):
    rt = sqlite_runtime
    v = _visits(rt)[0]
    path = minutes.write_minutes(rt, v.id, NOW)
    tables = _criteria_tables(path)
    printed = [r.cells[1].text for t in tables for r in t.rows[1:]]
    assert printed == [c.title for c in criteria_of(rt.plan, level="unit")]
    assert len(tables) == 2 and printed[3] == "Tổng hợp, báo cáo kết quả rà soát về Ban chỉ đạo huyện"
    text = "\n".join(p.text for p in iter_paragraphs(Document(str(path))))
    assert "1. Đánh giá theo tiêu chí giám sát" in text and "5. Tham vấn trực tiếp" in text


def test_each_finding_is_stored_and_a_wrong_result_is_refused_in_vietnamese(runtime, tmp_path):
    v = _visits(runtime)[0]
    blank = minutes.write_minutes(runtime, v.id, NOW)
    filled = fill_minutes(blank, tmp_path / "bb.docx", seed=3, visit_day=v.scheduled_on)
    doc = Document(str(filled.path))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Tiêu chí")
    table.rows[2].cells[2].text = "Tốt"
    table.rows[3].cells[2].text = ""
    save_atomic(doc, tmp_path / "sai.docx")
    with pytest.raises(BadDocument) as bad:
        minutes.record_minutes(runtime, tmp_path / "sai.docx", "le.hoa", NOW)
    assert "Bảng đánh giá theo tiêu chí, dòng 2: kết quả 'Tốt' không hợp lệ (ghi Đạt, Đạt một phần hoặc " \
           "Chưa đạt)" in str(bad.value)
    assert "dòng 3: đã ghi căn cứ hoặc ghi chú nhưng chưa ghi kết quả" in str(bad.value)
    with runtime.db.unit_of_work() as s:
        assert s.scalars(select(CriterionFinding)).all() == []
    done = minutes.record_minutes(runtime, filled.path, "le.hoa", NOW)
    assert done.criteria == filled.criteria == 8
    with runtime.db.unit_of_work() as s:
        rows = s.scalars(select(CriterionFinding).order_by(CriterionFinding.id)).all()
        by_criterion = findings_by_criterion(s, runtime.cycle_id)
        by_unit = findings_by_unit(s, runtime.cycle_id)
    assert [(r.content, r.criterion_key) for r in rows][:2] == [("household_review", "direction"),
                                                                ("household_review", "communication")]
    assert {r.result for r in rows} <= {"met", "partly", "not_met"}
    assert all(r.evidence.endswith("(dữ liệu minh họa)") for r in rows)
    assert sum(c.assessed for c in by_criterion) == 8 and by_unit[0].unit_name == v.unit_name


def test_the_final_report_names_the_appraisal_the_communication_work_and_the_findings(sqlite_runtime, forms,
                                                                                     tmp_path):
    rt = sqlite_runtime
    units = rt.plan.units[:3]
    for i, unit in enumerate(units):
        path, _ = forms(unit, seed=60 + i)
        assert submit(rt, path, at("2024-04-03")).status == "accepted"
    appraisal.record_appraisal(rt, units[0].code, "agreed", [], None, "le.hoa", at("2024-04-10"))
    appraisal.record_appraisal(rt, units[1].code, "returned",
                               ["Số hộ cuối kỳ chưa khớp danh sách phê duyệt"], None, "le.hoa",
                               at("2024-04-10"))
    for i, v in enumerate(_visits(rt)):
        blank = minutes.write_minutes(rt, v.id, NOW)
        minutes.record_minutes(rt, fill_minutes(blank, tmp_path / f"{i}.docx", i, v.scheduled_on).path,
                               "le.hoa", clock.at_office_hours(v.scheduled_on, 16))
    out = interim_report(rt, dt.date(2024, 6, 20))
    doc = Document(str(out))
    text = "\n".join(p.text for p in iter_paragraphs(doc))
    assert "Thẩm định sơ bộ kết quả rà soát: Phòng Lao động - TB&XH đã thẩm định sơ bộ kết quả rà " \
           "soát của 2/3 xã đã gửi báo cáo" in text
    assert "trả lại, đề nghị rà soát lại: 1 xã" in text and "chưa thẩm định: 1 xã" in text
    assert "Công tác tuyên truyền về cuộc rà soát:" in text
    assert f"{units[0].name}: Tuyên truyền trên loa truyền thanh" in text
    assert "3. Kết quả đánh giá theo tiêu chí giám sát" in text
    tables: dict[str, list] = {}
    for t in doc.tables:
        tables.setdefault(t.rows[0].cells[-1].text, []).append(t)
    appraised = tables["Tình trạng giải trình"][0]
    rows = [[c.text for c in r.cells] for r in appraised.rows[1:]]
    assert rows[1][1:] == [units[1].name, "Trả lại, đề nghị rà soát lại",
                           "Số hộ cuối kỳ chưa khớp danh sách phê duyệt", "Chưa thực hiện"]
    review, project2 = tables["Đơn vị chưa đạt đầy đủ"]
    assert review.rows[1].cells[1].text.startswith("Chỉ đạo, tổ chức thực hiện rà soát")
    assert project2.rows[1].cells[1].text.startswith("Phê duyệt mô hình")
    counts = [sum(int(r.cells[k].text) for k in (2, 3, 4)) for t in (review, project2) for r in t.rows[1:]]
    assert counts == [4] * 8  # four sampled communes, each assessed on every criterion
    per_unit = tables["Tiêu chí chưa đạt đầy đủ"][0]
    assert len(per_unit.rows) == 5
    annex = text[text.index("Phụ lục V"):]
    assert "Tuyên truyền về cuộc rà soát (loa truyền thanh, họp thôn, niêm yết công khai): " in annex


def test_findings_on_the_issuers_own_work_are_checked_against_the_plan_and_summarised(sqlite_runtime):
    from giamsat.criteria.findings import FindingInput, record_findings
    from giamsat.domain.errors import Conflict

    rt = sqlite_runtime
    with pytest.raises(Conflict) as bad:
        record_findings(rt, "provincial_visit", [FindingInput("household_review.issuer.advice", "good"),
                                                 FindingInput("household_review.unit.direction", "met")],
                        "doan.so", NOW)
    assert "kết quả 1: 'good' không hợp lệ" in str(bad.value)
    assert "kết quả 2: không có tiêu chí 'household_review.unit.direction' ở cấp này" in str(bad.value)
    given = [FindingInput("household_review.issuer.appraisal", "partly", "Chưa thẩm định 2 xã"),
             FindingInput("household_review.issuer.advice", "met", "Kế hoạch số 12/KH-UBND")]
    assert record_findings(rt, "provincial_visit", given, "doan.so", NOW) == 2
    assert record_findings(rt, "provincial_visit", given[:1], "doan.so", NOW) == 1  # replaces
    with rt.db.unit_of_work() as s:
        (only,) = findings_by_criterion(s, rt.cycle_id)
        (line,) = findings_list(s, rt.cycle_id)
    assert (line.unit_name, line.result_label, line.evidence, line.source) == (
        "", "Đạt một phần", "Chưa thẩm định 2 xã", "provincial_visit")
    assert (only.level, only.title, only.counts["partly"]) == (
        "issuer", "Thẩm định sơ bộ kết quả rà soát của các xã, thị trấn", 1)
