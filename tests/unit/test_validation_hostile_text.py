"""Absurd lengths, huge numbers and control characters in a report: bounded, stripped, named."""

import pytest

from giamsat.domain.outline_spec import RawRow, RawTable
from giamsat.domain.validation import MAX_CELL_CHARS, MAX_NARRATIVE_CHARS, CellError, parse_whole, validate
from tests.unit.test_validation import EXP, _report


def _with_model(**cells):
    report = _report()
    row = {"name": "Mô hình nuôi bò", "village": "Thôn 1", "model_type": "chăn nuôi",
           "fund_central": "1", "fund_local": "0", "fund_counterpart": "0", "fund_credit": "0",
           "disbursed": "1", "households": "5"} | cells
    report.tables["A"] = RawTable([RawRow(1, row)], [])
    return report


def test_a_number_of_thousands_of_digits_is_a_cell_error_not_a_crash():
    with pytest.raises(CellError) as err:
        parse_whole("9" * 5000)
    assert str(err.value) == "số quá lớn (tối đa 15 chữ số)"


def test_a_number_too_big_for_the_database_is_refused_naming_its_cell():
    result = validate(_report(poor_end="1" + "0" * 19), EXP)
    assert "Mục B, dòng 'Hộ nghèo', cột 'Số hộ cuối kỳ': số quá lớn (tối đa 15 chữ số)" in [
        i.text for i in result.issues]


def test_an_absurdly_long_narrative_is_refused_naming_the_section():
    result = validate(_report(c_text="Đã chỉ đạo " + "x" * 59989), EXP)
    assert [i.text for i in result.issues] == [
        f"Mục C: nội dung quá dài (60.000 ký tự; tối đa {MAX_NARRATIVE_CHARS:,} ký tự): "
        "vui lòng viết gọn lại".replace(",", ".")]


def test_an_absurdly_long_name_is_refused_naming_section_row_and_column():
    result = validate(_with_model(name="x" * (MAX_CELL_CHARS + 1)), EXP)
    texts = [i.text for i in result.issues]
    assert any(t.startswith("Mục A, dòng 1, cột 'Tên mô hình': nội dung quá dài (1.001 ký tự")
               for t in texts), texts


def test_control_and_direction_override_characters_are_stripped_from_narratives():
    result = validate(_report(c_text="Đã\x07 chỉ\u202e đạo\x1b[31m\x85 xong\ufffe"), EXP)
    assert result.ok, result.issues
    assert result.figures["narratives"]["C"] == "Đã chỉ đạo[31m\n xong"


def test_control_characters_never_reach_a_text_cell_or_an_error_message():
    result = validate(_report(poor_end="6\x0b0\x00"), EXP)
    assert result.ok and result.figures["households"]["poor"]["at_end"] == 60
    bad = validate(_report(poor_end="sáu\x1b\x00mươi"), EXP)
    assert any("('sáumươi')" in i.text for i in bad.issues), bad.issues
