"""The final report as the province reads it: complete about what it lacks, the communes' words."""

import datetime as dt
import re

from docx import Document
from docx.shared import Cm
from sqlalchemy import update
from typer.testing import CliRunner

from giamsat.db.models import Submission
from giamsat.final_report.service import final_report, interim_report
from tests.fixtures.report_data import POOR

D = dt.date
FINAL = D(2024, 11, 20)


def _text(path):
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return doc, "\n".join([p.text for p in doc.paragraphs] + cells)


def test_every_communes_section_c_and_d_text_is_in_the_report_and_the_body_sums_up_what_recurs(
        report_cycle):
    rt, _ = report_cycle
    _, text = _text(final_report(rt, FINAL))
    assert "PHỤ LỤC V" in text.upper()
    for name in ("Xã Hiển Khánh", "Xã Đại An", "Xã Thành Lợi"):
        assert f"{name} thành lập Ban chỉ đạo rà soát, họp dân tại các thôn." in text
        assert f"{name}: thiếu cán bộ chuyên trách; kinh phí giải ngân chậm." in text
    assert re.search(r"Kinh phí, giải ngân vốn còn chậm hoặc chưa đủ: \d+/\d+ xã, thị trấn nêu", text)


def test_the_report_states_how_many_commune_reports_and_minutes_it_rests_on(report_cycle):
    rt, _ = report_cycle
    _, text = _text(final_report(rt, FINAL))
    received = re.search(r"tổng hợp từ (\d+)/(\d+) báo cáo của các xã", text)
    assert received and int(received.group(2)) > int(received.group(1)) > 0
    assert re.search(r"\d+/4 biên bản giám sát trực tiếp", text)
    assert "số liệu chưa đầy đủ" in text
    # Page 2 and section III give the same number of reports.
    n, m = received.groups()
    assert f"Số báo cáo được tiếp nhận: {n}/{m}" in text
    assert f"Tổng hợp từ {len(POOR)}/{m} báo cáo" in text and n == str(len(POOR))


def test_the_body_explains_the_draw_in_words_and_leaves_seed_and_hash_to_the_annex(report_cycle):
    rt, _ = report_cycle
    doc, _ = _text(final_report(rt, FINAL))
    paras = [p.text for p in doc.paragraphs]
    body = "\n".join(paras[:next(i for i, p in enumerate(paras) if p.startswith("Phụ lục"))])
    assert "chọn ngẫu nhiên 4 xã" in body and "kiểm tra lại" in body
    assert "hạt giống" not in body.lower() and "a3f1c2d4e5b6" not in body and "sha256" not in body


def test_a_status_is_written_once_and_unit_names_fit_their_column(report_cycle):
    rt, _ = report_cycle
    doc, text = _text(final_report(rt, FINAL))
    assert not re.search(r"(Đã thực hiện|Quá hạn|Đang thực hiện)[^\n]*: \1", text)
    for table in doc.tables:
        if len(table.rows[0].cells) > 1 and table.rows[0].cells[1].text == "Đơn vị":
            longest = max(len(r.cells[1].text) for r in table.rows[1:])
            # about 0.21 cm a character at 11–12 pt, plus the cell's margins
            assert table.rows[1].cells[1].width >= Cm(longest * 0.21 + 0.4)


def test_hand_entered_figures_are_not_called_illustrative_even_if_the_villages_are(report_cycle):
    rt, _ = report_cycle
    with rt.db.unit_of_work() as s:
        s.execute(update(Submission).values(source="cli"))
    assert rt.plan.villages_synthetic
    _, text = _text(interim_report(rt, D(2024, 6, 18)))
    assert "minh họa" not in text


def test_the_signature_is_kept_with_the_last_paragraph_of_the_body(report_cycle):
    rt, _ = report_cycle
    doc, _ = _text(final_report(rt, FINAL))
    last = next(p for p in doc.paragraphs if p.text.endswith("./."))
    assert last.paragraph_format.keep_with_next


def test_the_cli_refuses_to_issue_a_final_report_with_data_missing_unless_forced(report_cycle,
                                                                                 monkeypatch):
    from giamsat.cli import app, common

    rt, _ = report_cycle
    monkeypatch.setattr(common.state, "runtime", rt)
    runner = CliRunner()
    refused = runner.invoke(app, ["final-report", "final", "--as-of", "2024-11-20"], input="n\n")
    assert refused.exit_code != 0
    assert "mới tiếp nhận" in refused.output and "Chưa lập báo cáo" in refused.output
    forced = runner.invoke(app, ["final-report", "final", "--as-of", "2024-11-20", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Đã lập báo cáo" in forced.output
