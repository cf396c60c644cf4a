"""The fast path of ``report_reader``: the same reading, walking the document's XML with lxml.

It mirrors what python-docx gives ``report_reader`` (top-level paragraphs, tables and the tables
nested one level in their cells, cell text, horizontally spanned cells repeated) without building
python-docx objects. Anything it does not mirror exactly (vertical merges, rows starting late,
unusual run content) raises ``Unsupported`` and the caller reads the file the slow way.
"""

from __future__ import annotations

from lxml import etree

from giamsat.docx.reading import DocxXml
from giamsat.domain.outline_spec import Marker, RawReport, RawRow, RawTable, decode_marker

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_IDENTIFIER = "{http://purl.org/dc/elements/1.1/}identifier"
_BODY, _P, _TBL, _TR, _TC = W + "body", W + "p", W + "tbl", W + "tr", W + "tc"
_R, _HYPERLINK, _T = W + "r", W + "hyperlink", W + "t"
_TEXT_OF = {W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", W + "noBreakHyphen": "-"}
_BR, _TYPE, _VAL = W + "br", W + "type", W + "val"
_TCPR, _GRIDSPAN, _VMERGE, _GRIDBEFORE = W + "tcPr", W + "gridSpan", W + "vMerge", W + "gridBefore"
_BREAK_TEXT = {None: "\n", "textWrapping": "\n", "page": "", "column": ""}


class Unsupported(Exception):
    """The document uses a construct the fast path does not mirror; read it with python-docx."""


def paragraph_text(p: etree._Element) -> str:
    """What python-docx's ``Paragraph.text`` gives: runs and hyperlinked runs, in order."""
    parts = []
    for child in p:
        tag = child.tag
        if tag == _R:
            parts.append(_run_text(child))
        elif tag == _HYPERLINK:
            parts.extend([_run_text(r) for r in child if r.tag == _R])
    return parts[0] if len(parts) == 1 else "".join(parts)  # one run: its text, not a copy


def _run_text(r: etree._Element) -> str:
    out = []
    for e in r:
        tag = e.tag
        if tag == _T:
            out.append(e.text or "")
        elif tag in _TEXT_OF:
            out.append(_TEXT_OF[tag])
        elif tag == _BR:
            kind = e.get(_TYPE)
            if kind not in _BREAK_TEXT:
                raise Unsupported("break type")
            out.append(_BREAK_TEXT[kind])
    return out[0] if len(out) == 1 else "".join(out)


def cell_text(tc: etree._Element) -> str:
    """What python-docx's ``_Cell.text`` gives: its paragraphs' text joined by newlines."""
    texts = [paragraph_text(p) for p in tc if p.tag == _P]
    return texts[0] if len(texts) == 1 else "\n".join(texts)


def _span(tc: etree._Element) -> int:
    """The grid columns ``tc`` spans: its first ``w:tcPr``'s first ``w:gridSpan`` (what ``find``
    gives, found by a plain loop: lxml's ``find`` costs several times more per cell)."""
    for pr in tc:
        if pr.tag == _TCPR:
            for span in pr:
                if span.tag == _GRIDSPAN:
                    value = span.get(_VAL, "")
                    if not value.isascii() or not value.isdigit() or not 0 < int(value) < 100:
                        raise Unsupported("grid span")
                    return int(value)
            return 1
    return 1


def row_cells(tr: etree._Element, spans: bool = True) -> list[etree._Element]:
    """The row's ``w:tc`` elements, one per grid column they span (python-docx ``row.cells``);
    only for a body ``body_of`` accepted (no vertical merges, no rows starting late).
    ``spans=False``: the body has no ``w:gridSpan`` (``has_spans``), so every cell spans one
    column and the children are taken as they are (found in lxml, not by a loop)."""
    if not spans:
        return list(tr.iterchildren(_TC))
    out = []
    for tc in tr:
        if tc.tag == _TC:
            out.extend([tc] * _span(tc))
    return out


def rows(tbl: etree._Element) -> list[etree._Element]:
    """The table's ``w:tr`` children."""
    return list(tbl.iterchildren(_TR))


# The tables nested in a table's cells, as ``tables`` walks them (rows, then cells, then tables,
# each capped), found by libxml2: a few child steps instead of a walk of the whole table.
_NESTED = etree.XPath("w:tr[position() <= $rows]/w:tc/w:tbl[position() <= $tables]",
                      namespaces={"w": W[1:-1]})


def tables(body: etree._Element, max_tables: int, max_rows: int) -> list[etree._Element]:
    """Top-level tables and those nested one level in their cells, as ``report_reader`` finds them
    (each cell once, as its ``_unique_cells`` does)."""
    out = []
    for tbl in [t for t in body if t.tag == _TBL][:max_tables]:
        out.append(tbl)
        out.extend(_NESTED(tbl, rows=max_rows, tables=max_tables))
    return out[:max_tables]


def body_of(parts: DocxXml) -> etree._Element:
    """The document's ``w:body``."""
    body = parts.document.find(_BODY)
    if body is None:
        raise Unsupported("no body")
    if next(body.iter(_VMERGE, _GRIDBEFORE), None) is not None:
        raise Unsupported("vertical merge or row starting late")  # python-docx resolves these
    return body


def has_spans(body: etree._Element) -> bool:
    """Whether any cell of the body spans several grid columns (``w:gridSpan`` anywhere)."""
    return next(body.iter(_GRIDSPAN), None) is not None


def body_markers(body: etree._Element) -> list[Marker]:
    """Markers found in the top-level paragraphs."""
    return [m for p in body if p.tag == _P and (m := decode_marker(paragraph_text(p))) is not None]


def core_identifier(parts: DocxXml) -> str:
    """The core properties' identifier ('' when absent)."""
    if parts.core is None:
        return ""
    found = parts.core.find(DC_IDENTIFIER)
    return "" if found is None or found.text is None else found.text


def read_table(tbl: etree._Element, columns: dict[str, int], missing: list[str],
               max_rows: int, spans: bool = True) -> RawTable:
    """The data rows under the header, cell texts by column key (``spans``: see ``row_cells``)."""
    out = []
    for position, tr in enumerate(rows(tbl)[1:max_rows + 1], start=1):
        cells = row_cells(tr, spans)
        values = {key: cell_text(cells[idx]).strip() if idx < len(cells) else ""
                  for key, idx in columns.items()}
        out.append(RawRow(position=position, cells=values))
    return RawTable(rows=out, missing_columns=missing)


__all__ = ["RawReport", "Unsupported", "body_markers", "body_of", "cell_text", "core_identifier",
           "has_spans", "read_table", "row_cells", "rows", "tables"]
