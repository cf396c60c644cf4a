"""Table and rule geometry for python-docx documents that Word and LibreOffice render alike.

python-docx writes equal ``w:gridCol`` widths; LibreOffice lays tables out by that grid and
ignores the cell widths, so every width is written to the grid, the cells and a fixed layout.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

NARROW_HEADERS = frozenset({"TT", "STT", "Số"})
NARROW_CM = 1.1
CM_PER_CHAR = 0.24  # a bold 12 pt Times character, generously
CELL_PAD_CM = 0.5
_AFTER_PBDR = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
               "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
               "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def set_widths(table: Table, widths_cm: Sequence[float]) -> None:
    """Column widths in cm on the grid, on every cell and as a fixed table layout."""
    tbl = table._tbl
    for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(Cm(w).twips))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(w)
    table.autofit = False  # w:tblLayout type="fixed"


def default_widths(headers: Sequence[str], rows: Sequence[Sequence[object]],
                   total_cm: float) -> list[float]:
    """Widths for ``total_cm``: a narrow ordinal column; every other column fits its longest word
    and shares the rest of the width by the length of its text."""
    floors, needs = [], []
    for i, head in enumerate(headers):
        texts = [str(head)] + [str(r[i]) for r in rows if r[i] is not None]
        longest_word = max((len(w) for t in texts for w in t.split()), default=1)
        ordinal = head in NARROW_HEADERS
        floors.append(NARROW_CM if ordinal else min(longest_word * CM_PER_CHAR + CELL_PAD_CM, 6.0))
        content = max([len(t) for t in texts[1:]] + [len(texts[0]) // 2])  # headers may wrap
        needs.append(0.0 if ordinal else float(min(content, 40)))
    spare = total_cm - sum(floors)
    if spare < 0:
        return [round(f * total_cm / sum(floors), 2) for f in floors]
    total_need = sum(needs) or 1.0
    return [round(f + spare * n / total_need, 2) for f, n in zip(floors, needs, strict=True)]


def repeat_header(table: Table) -> None:
    """The first row repeats at the top of each page and keeps with the rows below it."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:tblHeader")) is None:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)
    for cell in table.rows[0].cells:
        for par in cell.paragraphs:
            par.paragraph_format.keep_with_next = True


def keep_with_next_row(tr: object) -> None:
    """Every paragraph of the row ``tr`` (a ``w:tr``) keeps with the next: Word and LibreOffice then
    never leave the row below (a table's total) alone at the top of the next page."""
    for p in tr.iter(qn("w:p")):  # type: ignore[attr-defined]
        Paragraph(p, None).paragraph_format.keep_with_next = True  # type: ignore[arg-type]


def no_borders(table: Table) -> None:
    """Remove every border of a layout table (header block, signatures)."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                           "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def short_rule_after(par: Paragraph, length_cm: float, width_cm: float) -> Paragraph:
    """A short centred solid line in its own thin paragraph right under ``par``.

    The text paragraph keeps its full width, so a long title or body name does not wrap
    into a narrow column just to make the line short.
    """
    rule = par.insert_paragraph_before()
    par._p.addnext(rule._p)  # move the new paragraph after ``par``
    indent = max((width_cm - length_cm) / 2, 0.0)
    fmt = rule.paragraph_format
    fmt.left_indent = fmt.right_indent = Cm(indent)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    ppr = rule._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.insert_element_before(bdr, *_AFTER_PBDR)
    return rule


def looks_numeric(value: object) -> bool:
    """Whether a cell reads as a number ("1.234", "94,4%", "-"): it is right-aligned."""
    text = str(value).replace(".", "").replace(",", "").replace("%", "").replace("-", "")
    return bool(text) and text.isdigit()


CAPITAL_CM_13PT = 0.26  # a bold capital (spaces included) in 13 pt Times New Roman
CELL_MARGINS_CM = 0.4


def body_name_lines(name: str, column_cm: float, committee: bool = True) -> str:
    """An issuing body's name as the header prints it (capitals; ``\n`` breaks its lines).

    A committee heading its own document (``committee``) puts ``ỦY BAN NHÂN DÂN`` on its own
    line (under a parent body it stays whole). Another name too long for the
    column is broken at the word that balances its two lines when the column would otherwise
    leave a lone word under it (``SỞ NÔNG NGHIỆP`` / ``VÀ MÔI TRƯỜNG``, not ``SỞ NÔNG NGHIỆP VÀ
    MÔI`` / ``TRƯỜNG``); a name the column wraps evenly is left to it.
    """
    name = name.upper()
    head = "ỦY BAN NHÂN DÂN "
    if committee and name.startswith(head):
        return f"{head.strip()}\n{name[len(head):]}"
    per_line = int((column_cm - CELL_MARGINS_CM) / CAPITAL_CM_13PT)
    words = name.split()
    if len(name) <= per_line or len(words) < 3:
        return name
    first: list[str] = []
    for word in words:  # the column's own wrap: as many words as fit on the first line
        if len(" ".join([*first, word])) > per_line:
            break
        first.append(word)
    rest = " ".join(words[len(first):])
    if len(rest) * 3 >= len(" ".join(first)) or len(rest) > per_line:
        return name  # no lone word left under it (or more than two lines: the column decides)
    cut = min(range(1, len(words)), key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))))
    return f"{' '.join(words[:cut])}\n{' '.join(words[cut:])}"


SEEN_VALUES = 200_000  # cell values whose alignment a table remembers


def row_shape(ordinal: Sequence[bool],
              numbers: tuple[type, ...]) -> Callable[[Sequence[object]], tuple[str, ...]]:
    """A table's row shape: "C" in an ordinal column, "R" for a number or a cell reading as one,
    else "L"; each value's alignment remembered (met again in most rows of a long table)."""
    seen: dict[object, str] = {}

    def align(v: object) -> str:
        a = "R" if isinstance(v, numbers) or looks_numeric(v) else "L"
        if len(seen) < SEEN_VALUES:
            try:
                seen[v] = a
            except TypeError:  # an unhashable value: decided each time
                pass
        return a

    def shape(row: Sequence[object]) -> tuple[str, ...]:
        get = seen.get
        try:
            return tuple(["C" if o else get(v) or align(v) for v, o in zip(row, ordinal, strict=True)])
        except TypeError:  # an unhashable value
            return tuple(["C" if o else align(v) for v, o in zip(row, ordinal, strict=True)])

    return shape
