"""Validation rules, pure: Vietnamese numbers, balances, rates and identity, each error located."""

import datetime as dt

import pytest

from giamsat.domain.outline_spec import Marker, RawReport, RawRow, RawTable
from giamsat.domain.validation import CellError, Expectation, UnitRef, parse_percent, parse_whole, validate

UNITS = (UnitRef("13741@2024-01-01", "13741", "Thị trấn Gôi", dt.date(2024, 1, 1)),
         UnitRef("13744@2024-01-01", "13744", "Xã Minh Thuận", dt.date(2024, 1, 1),
                 dt.date(2024, 8, 31)))
EXP = Expectation("vu-ban-2024", ("2024.1",), UNITS, dt.date(2024, 4, 2))


def test_whole_numbers_accept_vietnamese_thousands_separators():
    assert parse_whole("1.234") == 1234
    assert parse_whole(" 150.000.000 ") == 150_000_000
    assert parse_whole("-3", signed=True) == -3
    assert parse_whole("+2", signed=True) == 2


@pytest.mark.parametrize("text, message", [
    ("khoảng 20", "phải ghi bằng chữ số, không ghi chữ ('khoảng 20')"),
    ("12,5", "phải là số nguyên ('12,5'): dấu phẩy ngăn phần thập phân (số thập phân), ô này chỉ "
             "ghi số nguyên; dấu chấm ngăn hàng nghìn"),
    ("1.234,5", "phải là số nguyên ('1.234,5'): dấu phẩy ngăn phần thập phân (số thập phân), ô "
                "này chỉ ghi số nguyên; dấu chấm ngăn hàng nghìn"),
    ("12.5", "phải là số nguyên ('12.5')"),
    ("-4", "không được là số âm ('-4')"),
    ("", "chưa điền số liệu (ô không có số liệu ghi 0)"),
])
def test_bad_number_cells_get_a_vietnamese_reason(text, message):
    with pytest.raises(CellError) as err:
        parse_whole(text)
    assert str(err.value) == message


def test_percentages_read_a_decimal_comma_or_point():
    assert parse_percent("2,35") == parse_percent("2.35%") == 2.35


def _report(poor_end="60", rate="2,00", c_text="Đã chỉ đạo", marker=None):
    b = RawTable([RawRow(1, {"group": "Hộ nghèo", "total_households": "3.000", "at_start": "70",
                            "escaped": "12", "fell_back": "1", "newly_poor": "2",
                            "other_changes": "-1", "at_end": poor_end, "rate_pct": rate}),
                  RawRow(2, {"group": "Hộ cận nghèo", "total_households": "3.000",
                             "at_start": "90", "escaped": "0", "fell_back": "0", "newly_poor": "0",
                             "other_changes": "0", "at_end": "90", "rate_pct": "3"})], [])
    return RawReport(marker=marker or Marker("2024.1", "13741@2024-01-01", "vu-ban-2024"),
                     tables={"A": RawTable([], []), "B": b, "C": RawTable([RawRow(1, {"text": c_text})], []),
                             "D": RawTable([RawRow(1, {"text": "Không có"})], []),
                             "E": RawTable([RawRow(1, {"ordinal": "1"})], [])})


def test_a_balanced_report_gives_figures():
    result = validate(_report(), EXP)
    assert result.ok and result.figures["households"]["poor"]["at_end"] == 60


def test_an_unbalanced_row_names_section_row_and_column():
    result = validate(_report(poor_end="61", rate="2,03"), EXP)
    assert [i.text for i in result.issues] == [
        "Mục B, dòng 'Hộ nghèo', cột 'Số hộ cuối kỳ': số cuối kỳ (61) không khớp: đầu kỳ − thoát "
        "+ tái + phát sinh mới ± biến động khác = 60"]


def test_a_wrong_rate_and_an_empty_narrative_are_both_reported():
    texts = [i.text for i in validate(_report(rate="2,50", c_text=" "), EXP).issues]
    assert texts == ["Mục B, dòng 'Hộ nghèo', cột 'Tỷ lệ cuối kỳ (%)': tỷ lệ ghi 2,5% nhưng cuối "
                     "kỳ / tổng số hộ × 100 = 2,00%", "Mục C: chưa có nội dung (mục bắt buộc)"]


def test_a_form_of_another_cycle_is_refused():
    texts = [i.text for i in validate(_report(marker=Marker("2024.1", "13741@2024-01-01",
                                                            "vu-ban-2023")), EXP).issues]
    assert texts == ["biểu mẫu thuộc kỳ 'vu-ban-2023', không phải kỳ báo cáo 'vu-ban-2024'"]
