"""CSV files district officers open in Excel: UTF-8 with BOM, formulas neutralised (pure, stdlib only).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel and LibreOffice (CSV injection: ``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). Text cells
that do are written with a leading ``'``, which the spreadsheet shows as plain text; numbers we
computed ourselves are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from giamsat.domain.textsafety import clean_text
from giamsat.files.fsutil import write_bytes_atomic

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def csv_cell(value: object) -> str | int | float:
    """One cell: numbers as they are, text without control characters and never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.lstrip(" ").startswith(FORMULA_START):
        return "'" + clean_text(text)
    return clean_text(text)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The whole file as text: BOM, header, one line per row (CRLF, as Excel writes)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return BOM + buf.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write the CSV file atomically (UTF-8 with BOM so Excel shows Vietnamese)."""
    return write_bytes_atomic(Path(path), csv_text(header, rows).encode("utf-8"))
