"""The demo's criteria, read back from its documents: findings in every minutes, the appraisal and
the communes' communication work in the household-review section of the reports."""

import pytest
from docx import Document

from giamsat.docx.decree30 import iter_paragraphs
from giamsat.plan.schema import load_plan
from giamsat.plan.wording import criteria_of
from giamsat.visits.minutes_doc import CRITERIA
from tests.conftest import CONFIG

pytestmark = pytest.mark.prefect
RESULTS = {"Đạt", "Đạt một phần", "Chưa đạt"}


def _outputs(manifest, kind):
    return [o["path"] for o in manifest["outputs"] if o["kind"] == kind]


def _text(path):
    doc = Document(path)
    return doc, "\n".join(p.text for p in iter_paragraphs(doc))


def test_every_filled_minutes_records_a_finding_per_criterion_with_its_evidence(demo_run):
    wanted = [c.title for c in criteria_of(load_plan(CONFIG), level="unit")]
    filled = _outputs(demo_run[1], "minutes_filled")
    assert len(filled) == 7  # 4 sampled communes, 1 ad-hoc visit, the 2 communes of the ad-hoc round
    for path in filled:
        rows = [[c.text for c in r.cells] for t in Document(path).tables
                if tuple(" ".join(c.text.split()) for c in t.rows[0].cells) == CRITERIA
                for r in t.rows[1:]]
        assert [r[1] for r in rows] == wanted
        assert all(r[2] in RESULTS and r[3].endswith("(dữ liệu minh họa)") for r in rows), path


def test_the_final_reports_household_review_section_names_the_appraisal_and_the_communication_work(
        demo_run):
    (final,) = _outputs(demo_run[1], "final_report")
    doc, text = _text(final)
    section = text[text.index("2. Kết quả rà soát hộ nghèo, hộ cận nghèo"):
                   text.index("3. Kết quả đánh giá theo tiêu chí giám sát")]
    assert "Công tác chỉ đạo, tổ chức thực hiện rà soát tại các xã, thị trấn (theo mục C" in section
    assert "Công tác tuyên truyền về cuộc rà soát:" in section
    assert "Tuyên truyền trên loa truyền thanh" in section
    assert "Thẩm định sơ bộ kết quả rà soát: Phòng Lao động - TB&XH đã thẩm định sơ bộ" in section
    assert "đề nghị giải trình, làm rõ số liệu:" in section
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "Tình trạng giải trình")
    results = [r.cells[2].text for r in table.rows[1:]]
    assert len(results) == 17  # every commune that reported (one never did)
    assert any(r.startswith("Thống nhất kết quả rà soát (sau khi đơn vị giải trình)") for r in results)
    assert any(r == "Đề nghị giải trình, làm rõ số liệu" for r in results)
    findings = text[text.index("3. Kết quả đánh giá theo tiêu chí giám sát"):]
    assert "Đoàn giám sát đánh giá theo 8 tiêu chí tại 7 xã" in findings


def test_the_interim_report_and_the_mails_carry_the_appraisal(demo_run):
    (interim,) = _outputs(demo_run[1], "interim_report")
    _, text = _text(interim)
    assert "Thẩm định sơ bộ kết quả rà soát:" in text and "Công tác tuyên truyền về cuộc rà soát" in text
    assert demo_run[1]["summary"]["messages_by_kind"]["appraisal_notice"] >= 18
