"""The Decree 30 layout, written to a real .docx and read back; the checker catches violations."""

import datetime as dt

from docx import Document
from docx.shared import Mm

from giamsat.docx.decree30 import OfficialDocument, Signer
from giamsat.docx.decree30_check import check
from giamsat.domain.formatting import doc_number, place_date

SIGNER = Signer("PHÓ CHỦ TỊCH", "Đỗ Văn Kỳ", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH")


def build(tmp_path, number=5, day=dt.date(2024, 3, 26)):
    d = OfficialDocument(parent_body=None, issuing_body="Ủy ban nhân dân huyện Vụ Bản",
                         number_line=doc_number(number, "KH", "UBND"),
                         place_date=place_date("Vụ Bản", day), type_title="Kế hoạch",
                         summary="Giám sát, đánh giá năm 2024")
    d.heading("I. MỤC ĐÍCH, YÊU CẦU")
    d.para("Theo dõi giám sát kịp thời phát hiện khó khăn, vướng mắc.")
    d.table(["TT", "Đơn vị", "Số hộ"], [[1, "Xã Đại An", "1.234"]])
    d.close_body()
    d.signature(SIGNER, ["Sở LĐTBXH"], "VT, LĐTBXH")
    return d.save(tmp_path / "kh.docx")


def test_a_built_document_complies_and_reads_back(tmp_path):
    path = build(tmp_path)
    assert check(path, title="Kế hoạch") == []
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "KẾ HOẠCH" in texts
    assert abs(doc.sections[0].left_margin - Mm(30)) < Mm(0.1)


def test_the_checker_reports_a_wrong_margin_and_a_foreign_font(tmp_path):
    doc = Document(str(build(tmp_path)))
    doc.sections[0].left_margin = Mm(20)
    doc.paragraphs[-1].add_run("chữ Arial").font.name = "Arial"
    problems = check(doc, title="Kế hoạch")
    assert any(p.startswith("lề trái 20.0 mm") for p in problems)
    assert any("không dùng phông Times New Roman" in p for p in problems)


def test_the_checker_reports_an_unpadded_date(tmp_path):
    d = OfficialDocument(parent_body="UBND HUYỆN VỤ BẢN", issuing_body="Phòng Lao động",
                         number_line="Số: 5/LĐTBXH", place_date="Vụ Bản, ngày 6 tháng 04 năm 2024")
    d.para("Nội dung")
    d.close_body()
    d.signature(Signer("TRƯỞNG PHÒNG", "Nguyễn Văn Minh"), ["Như trên"], "VT")
    problems = check(d.save(tmp_path / "cv.docx"))
    assert "số, ký hiệu sai định dạng: 'Số: 5/LĐTBXH'" in problems
    assert any(p.startswith("địa danh, ngày tháng sai định dạng") for p in problems)


def test_saving_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    d = OfficialDocument(parent_body=None, issuing_body="X", number_line="Số: 01/KH-UBND",
                         place_date="Vụ Bản, ngày 01 tháng 4 năm 2024")

    def boom(_fh):
        raise OSError("disk full")
    monkeypatch.setattr(d.doc, "save", boom)
    target = tmp_path / "out.docx"
    try:
        d.save(target)
    except OSError:
        pass
    assert list(tmp_path.iterdir()) == []
