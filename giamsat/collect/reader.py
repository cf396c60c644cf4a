"""Read a filled outline (.docx) into text by section, finding tables by their spec headers.

Nothing here judges the figures (that is ``giamsat.domain.validation``); this only finds the marker and
the tables, tolerating reordered columns, extra empty rows and layout tables around them.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.table import Table

from giamsat.collect import xml_reader as fast
from giamsat.docx.reading import Limits, open_docx, open_docx_xml
from giamsat.docx.revisions import accept_revisions
from giamsat.domain.errors import BadDocument
from giamsat.domain.outline_spec import (
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
    """The marker and the section tables of a filled form; unreadable input is ``BadDocument``.

    Walks the XML directly (fast, for bulk intake) and falls back to python-docx whenever the
    document uses something the fast path does not mirror; both give the same ``RawReport``.
    """
    parts = open_docx_xml(source, limits)
    if parts is not None:
        try:
            return parse_xml(parts)
        except Exception:
            pass
    return read_report_docx(source, limits)


def read_report_docx(source: Path | bytes, limits: Limits | None = None) -> RawReport:
    """``read_report`` through python-docx objects (the reference the fast path is tested against)."""
    doc = open_docx(source, limits)
    try:
        accept_revisions(doc.element)  # read what Word shows: tracked changes, content controls
        return parse_document(doc)
    except BadDocument:
        raise
    except Exception as exc:  # malformed table XML makes python-docx raise many types
        raise BadDocument("corrupt", "Không đọc được các bảng của văn bản Word (cấu trúc bảng bị "
                                     f"lỗi: {type(exc).__name__}). Vui lòng điền lại vào biểu mẫu "
                                     "đề cương gốc.") from None


def parse_document(doc: DocxDocument) -> RawReport:
    """Read an already opened document (used by tests and by the synthetic filler)."""
    markers = [m for p in doc.paragraphs if (m := decode_marker(p.text)) is not None]
    found = [(t, [c.text for c in t.rows[0].cells] if t.rows else None) for t in _tables(doc)]
    return _assemble(markers, doc.core_properties.identifier or "", found,
                     lambda t, section, columns: _read_table(t, section, columns))


def parse_xml(parts: fast.DocxXml) -> RawReport:
    """``parse_document`` on the lxml trees of ``open_docx_xml``; ``report_xml.Unsupported`` when
    the document needs python-docx."""
    accept_revisions(parts.document)  # read what Word shows: tracked changes, content controls
    body = fast.body_of(parts)
    spans = fast.has_spans(body)
    found = []
    for tbl in fast.tables(body, MAX_TABLES, MAX_ROWS):
        trs = fast.rows(tbl)
        found.append((tbl, [fast.cell_text(tc) for tc in fast.row_cells(trs[0], spans)] if trs else None))

    def read(tbl, section: Section, columns: dict[str, int]) -> RawTable:
        return fast.read_table(tbl, columns, _missing(section, columns), MAX_ROWS, spans)
    return _assemble(fast.body_markers(body), fast.core_identifier(parts), found, read)


def _assemble(markers: list[Marker], identifier: str, found: list, read) -> RawReport:
    """The report from the body markers, the identifier and (table, header texts) pairs."""
    body, conflict = _body_marker(markers)
    prop = decode_marker(identifier)
    marker = body or prop
    conflict = conflict or (body is not None and prop is not None and body != prop)
    tables: dict[str, RawTable] = {}
    duplicates: list[str] = []
    for table, header in found:
        matched = match_header(header) if header is not None else None
        if matched is None:
            continue
        section, columns = matched
        if section.key in tables:
            if any(r.cells for r in tables[section.key].rows):
                duplicates.append(section.key)
            continue
        tables[section.key] = read(table, section, columns)
    return RawReport(marker=marker, marker_conflict=conflict, tables=tables,
                     duplicate_sections=duplicates)


def _body_marker(markers: list[Marker]) -> tuple[Marker | None, bool]:
    found = set(markers)
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


def _unique_cells(row) -> list:
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
    return match_header([c.text for c in table.rows[0].cells])


@cache
def _label(text: str) -> str:
    return normalise(text)


def match_header(texts: list[str]) -> tuple[Section, dict[str, int]] | None:
    """``match_section`` on the header row's cell texts."""
    found = _matched(tuple(texts)) if sum(map(len, texts)) <= MAX_KEPT_HEADER else _match(tuple(texts))
    return None if found is None else (found[0], dict(found[1]))  # the caller's own columns


MAX_KEPT_HEADER = 2000  # characters: a header row's texts; longer rows are matched each time


@lru_cache(maxsize=256)
def _matched(texts: tuple[str, ...]) -> tuple[Section, dict[str, int]] | None:
    """``_match``, once per header row text (every form of a plan has the same few headers)."""
    return _match(texts)


def _match(texts: tuple[str, ...]) -> tuple[Section, dict[str, int]] | None:
    first: dict[str, int] = {}  # each header text's first column, as a left-to-right search finds it
    for i, text in enumerate(texts):
        first.setdefault(normalise(text), i)
    best: tuple[int, Section, dict[str, int]] | None = None
    for section in SECTIONS:
        positions = {}
        for col in section.columns:
            idx = first.get(_label(col.label))
            if idx is not None:
                positions[col.key] = idx
        data_cols = [c for c in section.columns if c.kind != "ordinal"]
        hits = sum(1 for c in data_cols if c.key in positions)
        if hits * 2 >= len(data_cols) and hits and (best is None or hits > best[0]):
            best = (hits, section, positions)
    return None if best is None else (best[1], best[2])


def _missing(section: Section, columns: dict[str, int]) -> list[str]:
    return [c.label for c in section.columns if c.key not in columns and c.kind != "ordinal"]


def _read_table(table: Table, section: Section, columns: dict[str, int]) -> RawTable:
    missing = _missing(section, columns)
    rows = []
    for position, row in enumerate(table.rows[1:MAX_ROWS + 1], start=1):
        cells = row.cells
        values = {key: cells[idx].text.strip() if idx < len(cells) else ""
                  for key, idx in columns.items()}
        rows.append(RawRow(position=position, cells=values))
    return RawTable(rows=rows, missing_columns=missing)
