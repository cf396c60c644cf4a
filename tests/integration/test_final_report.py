"""The final and interim reports, built from a known cycle and read back from the .docx."""

import datetime as dt
import re

from docx import Document
from sqlalchemy import select

from giamsat.db.models import Document as DocRow
from giamsat.db.models import Message, Step
from giamsat.docx.decree30_check import check
from giamsat.domain import clock
from giamsat.domain.formatting import vn_number
from giamsat.final_report.service import final_report, interim_report
from giamsat.followup import service as followup
from tests.fixtures.report_data import POOR, SAMPLED, end_of

D = dt.date
FINAL = D(2024, 11, 20)


def _texts(path):
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return doc, "\n".join([p.text for p in doc.paragraphs] + cells)


def _poor_table(doc):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "TT"
                and t.rows[0].cells[-1].text == "Tỷ lệ (%)")


def _num(text):
    return int(text.replace(".", ""))


def test_the_final_report_totals_equal_the_sum_of_the_units_and_it_complies(report_cycle, tmp_path):
    rt, built = report_cycle
    followup.update(rt, built.recommendations["visit"], "resolved", "Đã hoàn thiện hồ sơ", None, "x",
                    clock.at_office_hours(D(2024, 6, 12)))
    path = final_report(rt, FINAL, out=tmp_path / "bao-cao.docx")
    assert path == tmp_path / "bao-cao.docx"
    assert check(path, title="Báo cáo") == []
    doc, text = _texts(path)
    rows = [[c.text for c in r.cells] for r in _poor_table(doc).rows[1:]]
    units, total = rows[:-1], rows[-1]
    assert total[1] == "Toàn huyện"
    for col in range(2, 9):
        assert _num(total[col]) == sum(_num(r[col]) for r in units)
    expected_end = sum(end_of(*n[1:]) for n in POOR.values())
    assert _num(total[8]) == expected_end
    # Minh Thuận and Tân Khánh merged into the new Minh Tân on 01/9/2024: one row after the merger.
    names = [r[1] for r in units]
    assert "Xã Minh Tân" in names and "Xã Minh Thuận" not in names and len(units) == 5
    assert vn_number(sum(n[0] for n in POOR.values())) in total[2]


def test_the_report_lists_the_sample_each_recommendation_and_embeds_charts(report_cycle):
    rt, built = report_cycle
    followup.followup_sweep(rt, D(2024, 6, 17))
    path = final_report(rt, FINAL)
    doc, text = _texts(path)
    for villages in SAMPLED.values():
        assert ", ".join(villages) in text
    assert f"chọn ngẫu nhiên {len(SAMPLED)} xã" in text  # the draw as sampling.draw() stores it
    assert f"/{len(SAMPLED)} xã được chọn" in text
    for name in ("Xã Hiển Khánh", "Xã Đại An", "Xã Thành Lợi", "Xã Tam Thanh"):
        assert name in text
    assert "a3f1c2d4e5b6" in text and "sha256-rank" in text
    assert "Đề nghị tỉnh bổ sung kinh phí hỗ trợ mô hình chăn nuôi" in text
    assert "Hoàn thiện hồ sơ thanh toán mô hình nuôi bò sinh sản" in text
    assert "Quá hạn" in text  # the status of each recommendation is shown
    assert len(doc.inline_shapes) >= 2
    images = [r for r in doc.part.rels.values() if r.reltype.endswith("/image")]
    assert len(images) >= 2
    assert rt.plan.synthetic_notice in text
    assert "Báo cáo ngày" in text and "Mục B, dòng 1" in text  # provenance, cited by date
    assert re.search(r"#\d", text) is None  # no report is cited by its database number


def test_the_final_report_is_recorded_queued_once_and_closes_the_step(report_cycle):
    rt, _ = report_cycle
    final_report(rt, FINAL)
    final_report(rt, FINAL)
    with rt.db.unit_of_work() as s:
        msgs = s.scalars(select(Message).where(Message.kind == "final_report")).all()
        docs = s.scalars(select(DocRow).where(DocRow.kind == "final_report")).all()
        step = s.scalar(select(Step).where(Step.key == "final_report"))
    assert len(msgs) == 1 and len(docs) == 1
    assert msgs[0].to_addrs == rt.plan.recipients.final_report_emails
    assert msgs[0].attachments[0]["path"] == docs[0].path
    assert "Báo cáo kết quả giám sát" in msgs[0].subject and "215/BC-UBND" in msgs[0].body_text
    # both addressees greeted by name: the chairman (through the committee's office) and the Sở
    assert msgs[0].body_text.startswith("Kính gửi: Đồng chí Chủ tịch UBND huyện Vụ Bản; Sở Lao động - "
                                        "Thương binh và Xã hội tỉnh Nam Định,"), msgs[0].body_text
    assert "Quý cơ quan" not in msgs[0].body_text + (msgs[0].body_html or "")
    assert step.status == "done"


def test_a_report_without_any_submission_says_so_instead_of_failing(sqlite_runtime):
    path = final_report(sqlite_runtime, D(2024, 4, 5))
    assert check(path, title="Báo cáo") == []
    _, text = _texts(path)
    assert "chưa có báo cáo được tiếp nhận nào có số liệu rà soát hộ nghèo" in text
    assert "chưa có kết quả chọn mẫu được phê duyệt" in text
    assert "18 đơn vị chưa gửi báo cáo" in text or "18 đơn vị phải báo cáo" in text


def test_the_interim_report_counts_only_what_was_known_on_its_date(report_cycle):
    rt, _ = report_cycle
    path = interim_report(rt, D(2024, 4, 5))
    assert check(path, title="Báo cáo") == []
    _, text = _texts(path)
    assert "báo cáo giữa kỳ" in text and "148/BC-UBND" in text
    # On 05/4 the late report of Thành Lợi had not arrived; the old units are still apart.
    assert "Xã Minh Thuận" in text and "5 đơn vị gửi đúng hạn" in text and "0 đơn vị gửi muộn" in text
    with rt.db.unit_of_work() as s:
        assert s.scalars(select(Message).where(Message.kind == "interim_report")).all() == []
