"""Data rows of a Decree 30 table in bulk: python-docx builds one row of each shape, copies do the rest.

A python-docx row costs ~1 ms a cell (paragraph, run, fonts); a report on a province or the whole
country has tables of hundreds to ten thousand rows. The first row of each shape (alignment and
empty/non-empty per column) is built the slow way; later rows of that shape are deep copies with
their texts put in. Texts python-docx would split (tabs, line breaks, edge spaces) take the slow
way every time. A test compares both ways' XML.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from docx.oxml.ns import qn
from docx.table import Table

_T = qn("w:t")
_TC = qn("w:tc")


def _plain(text: str) -> bool:
    return bool(text) and text == text.strip() and not any(c in text for c in "\t\n\r")


def append_rows(table: Table, rows: Sequence[Sequence[object]],
                add_slow: Callable[[Table, Sequence[object]], object],
                shape_of: Callable[[Sequence[object]], tuple[str, ...]], fast: bool = True) -> None:
    """Append ``rows``; ``add_slow`` appends one row the python-docx way, ``shape_of`` says how
    a row's cells are aligned (rows of one shape differ only in their texts)."""
    templates: dict[tuple, Any] = {}
    tbl = table._tbl
    for row in rows:
        texts = ["" if v is None else str(v) for v in row]
        if not fast or any(t and not _plain(t) for t in texts):
            add_slow(table, row)
            continue
        shape = (shape_of(row), tuple(bool(t) for t in texts))
        template = templates.get(shape)
        if template is None:
            add_slow(table, row)
            templates[shape] = copy.deepcopy(tbl[-1])
            continue
        tr = copy.deepcopy(template)
        for tc, text in zip((c for c in tr if c.tag == _TC), texts, strict=True):
            if text:
                next(tc.iter(_T)).text = text
        tbl.append(tr)
