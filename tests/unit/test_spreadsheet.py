"""CSV for Excel: BOM, Vietnamese intact, and no cell that a spreadsheet would run as a formula."""

import csv
import io

import pytest

from giamsat.files.spreadsheet import BOM, csv_cell, csv_text, write_csv


@pytest.mark.parametrize("text", ["=1+2", "+84912345678", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://e.vn","bấm")', "=cmd|' /C calc'!A0", "  =1+2"])
def test_a_text_cell_that_starts_like_a_formula_is_written_as_text(text):
    cell = csv_cell(text)
    assert cell.startswith("'")


def test_plain_text_and_numbers_are_written_as_they_are():
    assert csv_cell("Xã Hiển Khánh") == "Xã Hiển Khánh"
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell(None) == ""
    assert csv_cell(True) == "có"
    assert csv_cell("a\x00b\x1bc") == "abc"


def test_the_file_has_a_bom_crlf_lines_and_reads_back_cell_by_cell(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["Mã", "Đơn vị"],
                     [["13741", 'Thị trấn "Gôi", dòng 1\ndòng 2'], ["13744", "=1+2"]])
    raw = path.read_bytes()
    assert raw.startswith(BOM.encode()) and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [["Mã", "Đơn vị"], ["13741", 'Thị trấn "Gôi", dòng 1\ndòng 2'], ["13744", "'=1+2"]]


def test_csv_text_neutralises_header_cells_too():
    assert csv_text(["=x"], []).startswith(BOM + "'=x")
