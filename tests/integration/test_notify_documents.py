"""The plan and the letters are rendered from the committed Word templates and follow Decree 30."""

import datetime as dt
import zipfile

from docx import Document

from giamsat.docx.decree30 import iter_paragraphs
from giamsat.docx.decree30_check import check
from giamsat.notify.letter import render_letter, render_plan
from giamsat.notify.templates import BUILDERS, DOCX_TEMPLATES, build_all


def _texts(path):
    return [p.text.strip() for p in iter_paragraphs(Document(str(path))) if p.text.strip()]


def test_the_plan_reproduces_the_seed_from_the_configuration(plan, cal, tmp_path):
    path = render_plan(plan, cal, tmp_path / "ke-hoach.docx")
    assert check(path, title="Kế hoạch") == []
    texts = _texts(path)
    assert "Số: 52/KH-UBND" in texts
    assert "Vụ Bản, ngày 26 tháng 3 năm 2024" in texts
    assert any(t.startswith("Thực hiện Kế hoạch số 17/KH-SLĐTBXH ngày 18/3/2024") for t in texts)
    assert any("trước ngày 06/4/2024" in t for t in texts)
    assert any(t.startswith("- Chọn ngẫu nhiên 4 xã") for t in texts)
    assert any("Quyết định số 455/QĐ-UBND ngày 06/3/2024" in t for t in texts)
    assert texts.count("Đỗ Văn Kỳ") == 1 and "KT. CHỦ TỊCH" in texts
    assert "- UBND các xã, thị trấn;" in texts and "- Lưu: VT, LĐTBXH." in texts
    assert texts[-1] != "./." and any(t.endswith("triển khai thực hiện./.") for t in texts)


def test_the_plan_annex_lists_the_team_and_the_schedule_window(plan, cal, tmp_path):
    texts = _texts(render_plan(plan, cal, tmp_path / "ke-hoach.docx"))
    annex = texts[texts.index("Phụ lục"):]
    assert "(Kèm theo Kế hoạch số 52/KH-UBND ngày 26/3/2024 của UBND huyện Vụ Bản)" in annex
    for member in plan.visits.team:
        assert member.name in annex and member.position in annex
    assert "Từ ngày 13/5/2024 đến ngày 31/5/2024" in annex
    assert "Trước ngày 06/4/2024" in annex


def test_each_commune_gets_a_letter_addressed_to_it(plan, cal, tmp_path):
    unit = plan.unit("13753", dt.date(2024, 4, 1))
    path = render_letter(plan, cal, unit, dt.date(2024, 4, 1), tmp_path / "cv.docx")
    assert check(path) == []
    texts = _texts(path)
    assert "Số: 23/LĐTBXH" in texts
    assert texts[texts.index("Số: 23/LĐTBXH") + 1].startswith("V/v triển khai Kế hoạch giám sát")
    assert "Kính gửi: UBND xã Hợp Hưng" in texts
    assert "Vụ Bản, ngày 01 tháng 4 năm 2024" in texts
    assert any("trước ngày 06/4/2024" in t for t in texts)
    assert "- Như trên;" in texts and "TRƯỞNG PHÒNG" in texts
    town = plan.unit("13741", dt.date(2024, 4, 1))
    town_texts = _texts(render_letter(plan, cal, town, dt.date(2024, 4, 1), tmp_path / "gt.docx"))
    assert "Kính gửi: UBND thị trấn Gôi" in town_texts


def test_an_ampersand_in_the_configuration_does_not_break_the_document(plan, cal, tmp_path):
    unit = plan.unit("13741", dt.date(2024, 4, 1))
    path = render_letter(plan, cal, unit, dt.date(2024, 4, 1), tmp_path / "cv.docx")
    assert any("Phòng Lao động - TB&XH" in t for t in _texts(path))


def test_the_committed_word_templates_are_what_the_builder_makes(tmp_path):
    build_all(tmp_path)
    for name in BUILDERS:
        with zipfile.ZipFile(DOCX_TEMPLATES / name) as committed, zipfile.ZipFile(tmp_path / name) as fresh:
            assert committed.read("word/document.xml") == fresh.read("word/document.xml"), (
                f"templates/docx/{name} is stale: run python -m giamsat.notify.templates")
