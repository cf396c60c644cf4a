"""Times New Roman everywhere: the font rules of Decree 30 applied to runs, styles and whole documents."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.run import Run
from lxml import etree

FONT = "Times New Roman"
BODY_PT = 14


def set_run_font(run, size: float | None = None, bold: bool | None = None,
                 italic: bool | None = None, underline: bool | None = None) -> None:
    """Times New Roman on every script slot of the run (ascii, hAnsi, east-Asian, complex)."""
    run.font.name = FONT
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if italic is not None:
        run.font.italic = italic
    if underline is not None:
        run.font.underline = underline


def style_fonts(doc: DocxDocument) -> None:
    """Times New Roman, 14 pt, on the Normal style (all four script slots)."""
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), FONT)


def enforce_fonts(doc: DocxDocument, fast: bool = True) -> None:
    """Set Times New Roman explicitly on every run in the body, tables, headers and footers.

    Runs already carrying the four font slots (every run this module writes) are skipped without
    building python-docx objects; ``fast=False`` sets every run the python-docx way.
    """
    if not fast:
        for par in iter_paragraphs(doc):
            for run in par.runs:
                set_run_font(run)
        return
    roots = [doc.element.body]
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer):
            roots.append(part._element)  # as python-docx does, adds a missing definition
    for root in roots:
        for r in _UNSET(root, f=FONT):  # one C-level search; only runs lacking a slot come back
            if _reached(r, root):
                set_run_font(Run(r, None))  # type: ignore[arg-type]  # fonts need no parent part


_NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_UNSET = etree.XPath(".//w:r[not(w:rPr/w:rFonts[@w:ascii=$f and @w:hAnsi=$f and @w:eastAsia=$f "
                     "and @w:cs=$f])]", namespaces=_NS)
_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_VMERGE = f"{qn('w:tcPr')}/{qn('w:vMerge')}"


def _reached(r, root) -> bool:
    """Whether ``iter_paragraphs`` visits the run's paragraph: in ``root`` or in table cells
    nested from it (a vertically merged cell's continuation is read as the cell above)."""
    p = r.getparent()
    if p is None or p.tag != _P:
        return False
    node = p.getparent()
    while node is not root:
        if node is None or node.tag != _TC:
            return False
        merge = node.find(_VMERGE)
        if merge is not None and merge.get(qn("w:val")) != "restart":
            return False
        tr = node.getparent()
        tbl = tr.getparent() if tr is not None and tr.tag == _TR else None
        if tbl is None or tbl.tag != _TBL:
            return False
        node = tbl.getparent()
    return True


def iter_paragraphs(doc: DocxDocument):
    """Every paragraph: body, table cells (nested), headers and footers."""
    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)
    yield from walk(doc)
    for section in doc.sections:
        for part in (section.header, section.first_page_header, section.footer):
            yield from walk(part)
