"""Vietnamese number and date formats of official documents."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from giamsat.domain.formatting import (
    doc_number,
    long_date,
    own_unit,
    place_date,
    short_date,
    short_date_time,
    vn_number,
    vn_percent,
)


def test_numbers_use_dot_for_thousands_and_comma_for_decimals():
    assert vn_number(1234) == "1.234"
    assert vn_number(1234.5, 1) == "1.234,5"
    assert vn_number(1234567.891, 2) == "1.234.567,89"
    assert vn_percent(4.0312) == "4,03%"


def test_dates_are_zero_padded_as_decree_30_requires():
    assert long_date(dt.date(2024, 4, 6)) == "ngày 06 tháng 4 năm 2024"
    assert long_date(dt.date(2024, 1, 15)) == "ngày 15 tháng 01 năm 2024"
    assert long_date(dt.date(2024, 2, 9)) == "ngày 09 tháng 02 năm 2024"
    assert long_date(dt.date(2024, 11, 20)) == "ngày 20 tháng 11 năm 2024"
    assert place_date("Vụ Bản", dt.date(2024, 3, 26)) == "Vụ Bản, ngày 26 tháng 3 năm 2024"
    assert short_date(dt.date(2024, 3, 6)) == "06/3/2024"
    assert short_date(dt.date(2024, 6, 5)) == "05/6/2024"
    assert short_date(dt.date(2026, 1, 31)) == "31/01/2026"
    assert short_date(dt.date(2025, 2, 3)) == "03/02/2025"
    assert short_date_time(dt.datetime(2024, 4, 10, 9, 5)) == "10/4/2024 09:05"


def test_document_numbers_pad_below_ten_and_letters_have_no_type_code():
    assert doc_number(5, "KH", "UBND") == "Số: 05/KH-UBND"
    assert doc_number(52, "KH", "UBND") == "Số: 52/KH-UBND"
    assert doc_number(12, None, "UBND-LĐTBXH") == "Số: 12/UBND-LĐTBXH"


@pytest.mark.parametrize(("given", "unit", "named"), [
    ("UBND xã", "Xã Hợp Hưng", "UBND xã Hợp Hưng"),
    ("Cán bộ giảm nghèo  xã", "Thị trấn Gôi", "Cán bộ giảm nghèo thị trấn Gôi"),
    ("UBND phường", "Phường Thành Nam", "UBND phường Thành Nam"),
    ("UBND xã Hợp Hưng", "Xã Hợp Hưng", "UBND xã Hợp Hưng"),
    ("UBND các xã", "Xã Hợp Hưng", "UBND các xã"),
    ("UBND huyện Vụ Bản", "Xã Hợp Hưng", "UBND huyện Vụ Bản"),
    ("Phòng Lao động - TB&XH", "Xã Hợp Hưng", "Phòng Lao động - TB&XH"),
])
def test_a_bare_commune_addressee_in_a_communes_own_record_names_that_commune(given, unit, named):
    assert own_unit(given, unit) == named


ROOT = Path(__file__).resolve().parents[2]
# CSV files written for spreadsheets keep their own dd/mm/yyyy (a machine format, read back by Excel).
CSV_WRITERS = {"giamsat/cycle/exports.py", "giamsat/issuance/book.py"}


def _own_date_formats(tree: ast.AST) -> list[int]:
    """Lines that format a date themselves: ``{d:%d/%m/%Y}`` or ``d.strftime("%d/%m/%Y")``."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            if "%d/%m" in ast.unparse(node.format_spec):
                lines.append(node.lineno)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "strftime" and node.args and isinstance(node.args[0], ast.Constant)
                and "%d/%m" in str(node.args[0].value)):
            lines.append(node.lineno)
    return lines


def test_every_date_a_person_reads_goes_through_short_date():
    """The CLI, the web pages, flow-run names and messages write "05/6/2024" as the documents do."""
    found = []
    for folder in ("giamsat", "flows", "tasks"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel in CSV_WRITERS or rel == "giamsat/domain/formatting.py":
                continue
            found += [f"{rel}:{n}" for n in _own_date_formats(ast.parse(path.read_text(encoding="utf-8")))]
    assert found == [], found
