"""Read a filled outline (.docx) into text by section, finding tables by their spec headers.

Nothing here judges the figures (that is ``giamsat.validation``); this only finds the marker and
the tables, tolerating reordered columns, extra empty rows and layout tables around them.
"""

from __future__ import annotations

from pathlib import Path

from docx.document import Document as DocxDocument
from docx.table import Table

from giamsat.documents.reading import Limits, open_docx
from giamsat.errors import BadDocument
from giamsat.outline_spec import (
    SECTIONS,
    Marker,
    RawReport,
    RawRow,
    RawTable,
    Section,
    decode_marker,
    normalise,
)

MAX_TABLES = 200
MAX_ROWS = 2000


def read_report(source: Path | bytes, limits: Limits | None = None) -> RawReport:
    """The marker and the section tables of a filled form; unreadable input is ``BadDocument``."""
    doc = open_docx(source, limits)
    try:
        return parse_document(doc)
    except BadDocument:
        raise
    except Exception as exc:  # malformed table XML makes python-docx raise many types
        raise BadDocument("corrupt", "Không đọc được các bảng của văn bản Word (cấu trúc bảng bị "
                                     f"lỗi: {type(exc).__name__}). Vui lòng điền lại vào biểu mẫu "
                                     "đề cương gốc.") from None


def parse_document(doc: DocxDocument) -> RawReport:
    """Read an already opened document (used by tests and by the synthetic filler)."""
    body, conflict = _body_marker(doc)
    prop = decode_marker(doc.core_properties.identifier or "")
    marker = body or prop
    conflict = conflict or (body is not None and prop is not None and body != prop)
    tables: dict[str, RawTable] = {}
    duplicates: list[str] = []
    for table in _tables(doc):
        found = match_section(table)
        if found is None:
            continue
        section, columns = found
        if section.key in tables:
            if any(r.cells for r in tables[section.key].rows):
                duplicates.append(section.key)
            continue
        tables[section.key] = _read_table(table, section, columns)
    return RawReport(marker=marker, marker_conflict=conflict, tables=tables,
                     duplicate_sections=duplicates)


def _body_marker(doc: DocxDocument) -> tuple[Marker | None, bool]:
    found = {m for p in doc.paragraphs if (m := decode_marker(p.text)) is not None}
    if not found:
        return None, False
    return sorted(found, key=lambda m: m.encode())[0], len(found) > 1


def _tables(doc: DocxDocument) -> list[Table]:
    """Top-level tables and tables nested one level in their cells (officers nest by accident)."""
    out: list[Table] = []
    for table in doc.tables[:MAX_TABLES]:
        out.append(table)
        for row in table.rows[:MAX_ROWS]:
            for cell in _unique_cells(row):
                out.extend(cell.tables[:MAX_TABLES])
    return out[:MAX_TABLES]


def _unique_cells(row) -> list:  # noqa: ANN001 - docx _Row
    seen, out = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell)
    return out


def match_section(table: Table) -> tuple[Section, dict[str, int]] | None:
    """The section whose header labels this table's first row carries, with column positions."""
    if not table.rows:
        return None
    header = [normalise(c.text) for c in table.rows[0].cells]
    best: tuple[int, Section, dict[str, int]] | None = None
    for section in SECTIONS:
        positions = {}
        for col in section.columns:
            label = normalise(col.label)
            idx = next((i for i, h in enumerate(header) if h == label), None)
            if idx is not None:
                positions[col.key] = idx
        data_cols = [c for c in section.columns if c.kind != "ordinal"]
        hits = sum(1 for c in data_cols if c.key in positions)
        if hits * 2 >= len(data_cols) and hits and (best is None or hits > best[0]):
            best = (hits, section, positions)
    return None if best is None else (best[1], best[2])


def _read_table(table: Table, section: Section, columns: dict[str, int]) -> RawTable:
    missing = [c.label for c in section.columns if c.key not in columns and c.kind != "ordinal"]
    rows = []
    for position, row in enumerate(table.rows[1:MAX_ROWS + 1], start=1):
        cells = row.cells
        values = {key: cells[idx].text.strip() if idx < len(cells) else ""
                  for key, idx in columns.items()}
        rows.append(RawRow(position=position, cells=values))
    return RawTable(rows=rows, missing_columns=missing)
