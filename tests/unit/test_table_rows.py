"""Report tables built in bulk are the same XML as tables built row by row with python-docx."""

from __future__ import annotations

import pytest
from lxml import etree

from giamsat.docx.decree30 import OfficialDocument
from giamsat.docx.table_layout import set_widths

HEADERS = ["TT", "Đơn vị", "Số hộ", "Tỷ lệ", "Ghi chú"]
ROWS = [
    [1, "Xã Số 1 (tổng hợp)", 1234, "2,35", "Đạt"],
    [2, "Xã Số 2 (tổng hợp)", "1.250", "3,10%", ""],
    [3, "Thị trấn Số 3", None, "-", "dòng một\ndòng hai"],
    [4, "  lề trắng ", 0, 1.5, "a\tb"],
    [5, "Xã Số 5 (tổng hợp)", 99, "2,00", "Đạt"],
    [6, "Phường Số 6 <&> \"x\"", "12", "khoảng 20", None],
    *[[i, f"Xã Số {i} (tổng hợp)", i * 10, f"{i},5", "Đạt" if i % 2 else ""] for i in range(7, 40)],
]


def _table_xml(fast: bool, widths=None, again: bool = False) -> bytes:
    doc = OfficialDocument(parent_body=None, issuing_body="UBND", number_line="Số: 1",
                           place_date="Nơi, ngày")
    t = doc.table(HEADERS, ROWS, widths_cm=widths, size=11, fast=fast)
    if again:  # the former order: widths written after the rows
        set_widths(t, widths or [1.1, 5.0, 3.0, 3.0, 4.0])
    return etree.tostring(t._tbl)


@pytest.mark.parametrize("widths", [None, [1.1, 5.0, 3.0, 3.0, 4.0]])
def test_a_table_built_in_bulk_equals_the_table_built_row_by_row(widths):
    assert _table_xml(True, widths) == _table_xml(False, widths)


def test_widths_written_before_the_rows_equal_widths_written_after():
    widths = [1.1, 5.0, 3.0, 3.0, 4.0]
    assert _table_xml(True, widths) == _table_xml(False, widths, again=True)


def test_bulk_rows_keep_their_own_texts():
    xml = etree.tostring(etree.fromstring(_table_xml(True)), encoding="unicode")
    assert all(f"Xã Số {i} (tổng hợp)" in xml for i in range(7, 40))
    assert "Phường Số 6 &lt;&amp;&gt;" in xml


def _saved_table(tmp_path, stream: bool, monkeypatch) -> bytes:
    from docx import Document

    from giamsat.docx import decree30

    monkeypatch.setattr(decree30, "STREAM_ROWS", 5 if stream else 10_000)
    doc = OfficialDocument(parent_body=None, issuing_body="UBND", number_line="Số: 1",
                           place_date="Nơi, ngày")
    doc.para("Trước bảng")
    doc.table(HEADERS, ROWS, size=11)
    doc.para("Giữa hai bảng")
    doc.table(["TT", "Tên"], [[i, f"Dòng {i} & <{i}>"] for i in range(1, 9)])
    path = doc.save(tmp_path / f"{stream}.docx")
    read = Document(str(path))
    return b"".join(etree.tostring(t._tbl, method="c14n") for t in read.tables) + \
        "|".join(p.text for p in read.paragraphs).encode()


def test_long_tables_streamed_into_the_file_read_back_as_tables_built_in_the_tree(tmp_path,
                                                                                 monkeypatch):
    streamed = _saved_table(tmp_path, True, monkeypatch)
    assert streamed == _saved_table(tmp_path, False, monkeypatch)
    assert "Dòng 8 &amp; &lt;8&gt;".encode() in streamed


def test_streamed_rows_keep_texts_that_look_like_cell_tokens_and_cross_write_batches(tmp_path,
                                                                                     monkeypatch):
    from docx import Document

    from giamsat.docx import decree30, streamed_rows

    rows = [[i, f"GIAMSATCELL{2 + i % 2}X", f"Xã {i} & <{i}>", i * 3] for i in range(1, 60)]

    def saved(stream: bool) -> list[list[str]]:
        monkeypatch.setattr(decree30, "STREAM_ROWS", 5 if stream else 10_000)
        monkeypatch.setattr(streamed_rows, "BATCH_BYTES", 2_000)  # many batches of a few rows
        doc = OfficialDocument(parent_body=None, issuing_body="UBND", number_line="Số: 1",
                               place_date="Nơi, ngày")
        doc.table(["TT", "Mã", "Tên", "Số"], rows)
        read = Document(str(doc.save(tmp_path / f"tokens-{stream}.docx")))
        return [[c.text for c in r.cells] for r in read.tables[-1].rows]

    streamed = saved(True)
    assert streamed == saved(False)
    assert streamed[1] == ["1", "GIAMSATCELL3X", "Xã 1 & <1>", "3"]
    assert len(streamed) == 60


def test_the_streamed_document_part_is_compressed(tmp_path, monkeypatch):
    import zipfile

    _saved_table(tmp_path, True, monkeypatch)
    with zipfile.ZipFile(tmp_path / "True.docx") as zf:
        info = zf.getinfo("word/document.xml")
        assert info.compress_type == zipfile.ZIP_DEFLATED and info.compress_size < info.file_size


PARAS = [("Xã Số 1 (báo cáo ngày 02/4/2024)", True), ("C. Công tác chỉ đạo: họp & <triển khai>", False),
         ("- Có", False), ("  lề trắng ", False), ("dòng một\ndòng hai", False), ("a\tb", False),
         ("", False), ("GIAMSATPARAGRAPHTEXT trong văn bản", False),
         ("Xã Số 2 (báo cáo ngày 03/4/2024)", True),
         *[(f"D. Khó khăn của xã số {i}: không", False) for i in range(3, 30)]]


def _document_xml(tmp_path, streamed: bool) -> bytes:
    import zipfile

    doc = OfficialDocument(parent_body=None, issuing_body="UBND", number_line="Số: 1",
                           place_date="Nơi, ngày")
    doc.para("Trước phụ lục")
    if streamed:
        doc.streamed_paras(iter(PARAS))
    else:
        for text, bold in PARAS:
            doc.para(text, bold=bold, indent=not bold)
    doc.table(["TT", "Tên"], [[1, "Sau phụ lục"]])  # content after the streamed paragraphs
    path = doc.save(tmp_path / f"p{streamed}.docx")
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml")


def test_paragraphs_streamed_into_the_file_are_the_paragraphs_built_in_the_tree(tmp_path):
    streamed = _document_xml(tmp_path, True)
    assert b"giamsat-rows" not in streamed
    assert streamed == _document_xml(tmp_path, False)
    text = streamed.decode()
    assert "họp &amp; &lt;triển khai&gt;" in text and "GIAMSATPARAGRAPHTEXT trong văn bản" in text
    assert text.index("Trước phụ lục") < text.index("xã số 29") < text.index("Sau phụ lục")
