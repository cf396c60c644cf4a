"""Official documents laid out by Decree 30/2020/NĐ-CP (Phụ lục I), built with python-docx:
``OfficialDocument`` gives every generated document the same page, header block, title, body,
signature and ``Nơi nhận`` so the rules hold everywhere."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from giamsat.docx.body_stamp import BodyStamp
from giamsat.docx.fonts import BODY_PT, FONT, enforce_fonts, iter_paragraphs, set_run_font, style_fonts
from giamsat.docx.streamed_rows import StreamedRows, save_atomic
from giamsat.docx.table_layout import (
    NARROW_HEADERS,
    body_name_lines,
    default_widths,
    keep_with_next_row,
    no_borders,
    repeat_header,
    row_shape,
    set_widths,
    short_rule_after,
)
from giamsat.docx.table_rows import append_rows

_NUMBERS = (int, float)  # a cell of these reads as a number (right-aligned)

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
STREAM_ROWS = 1500  # a longer table is written row by row into the file (streamed_rows)
HEADER_COLUMNS_CM = (6.5, 10.0)
LANDSCAPE_HEADER_COLUMNS_CM = (9.5, 12.0)  # room for "ỦY BAN NHÂN DÂN THỊ TRẤN GÔI" on one line

__all__ = ["FONT", "MOTTO", "NATIONAL_TITLE", "OfficialDocument", "Signer", "enforce_fonts",
           "iter_paragraphs", "save_atomic", "set_run_font"]


@dataclass(frozen=True)
class Signer:
    """The signature block: capacity (TM.), delegation (KT.), title and name."""

    title: str
    name: str
    capacity: str | None = None
    delegation: str | None = None
    optional_lines: bool = False  # a template: capacity/delegation placeholders may render empty


def _page_setup(doc: DocxDocument, landscape: bool = False) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    s.top_margin, s.bottom_margin = Mm(20), Mm(20)
    s.left_margin, s.right_margin = Mm(30), Mm(15)
    s.header_distance = Mm(10)
    s.different_first_page_header_footer = True
    par = s.header.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(par, "PAGE", size=13)


def _field(par: Paragraph, instr: str, size: float) -> None:
    run = par.add_run()
    set_run_font(run, size=size)
    for kind, text in (("begin", None), ("instr", f" {instr} "), ("separate", None),
                       ("text", "1"), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)


def _cell_par(cell, text: str, size: float, bold: bool = False, italic: bool = False,
              underline: bool = False, first: bool = False) -> Paragraph:
    par = cell.paragraphs[0] if first else cell.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.paragraph_format.space_after = Pt(0)
    run = par.add_run(text)
    set_run_font(run, size=size, bold=bold, italic=italic, underline=underline)
    return par


def _guarded(placeholder: str | None) -> list[str]:
    """``{{ X }}`` wrapped in ``{%p if X %}`` … ``{%p endif %}`` paragraphs (docxtpl)."""
    if not placeholder:
        return []
    name = placeholder.strip("{} ")
    return [f"{{%p if {name} %}}", placeholder, "{%p endif %}"]


class OfficialDocument:
    """A document in Decree 30 layout; add content in reading order, then ``save``."""

    def __init__(self, *, parent_body: str | None, issuing_body: str, number_line: str | None,
                 place_date: str, type_title: str | None = None, summary: str | None = None,
                 subject_line: str | None = None, landscape: bool = False) -> None:
        self.doc = Document()
        self.streamed, self._stamp = StreamedRows(), BodyStamp(self.doc)
        style_fonts(self.doc)
        _page_setup(self.doc, landscape)
        self.text_width_cm = (297 if landscape else 210) / 10 - 4.5
        self._header_columns = LANDSCAPE_HEADER_COLUMNS_CM if landscape else HEADER_COLUMNS_CM
        self._header_block(parent_body, issuing_body, number_line, place_date, subject_line)
        if type_title:
            self._title(type_title, summary)
        self._last_body: Paragraph | None = None

    def _header_block(self, parent: str | None, body: str, number: str | None, place_date: str,
                      subject: str | None) -> None:
        t = self.doc.add_table(rows=1, cols=2)
        no_borders(t)
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        set_widths(t, self._header_columns)
        left, right = t.rows[0].cells
        if parent:  # the parent over the body's own name, which only the column's width wraps
            _cell_par(left, parent.upper(), 13, first=True)
            name = _cell_par(left, body_name_lines(body, self._header_columns[0], False), 13, bold=True)
        else:
            name = _cell_par(left, body_name_lines(body, self._header_columns[0]), 13, bold=True, first=True)
        short_rule_after(name, 2.5, self._header_columns[0])
        if number:  # a village is no issuing agency: its report carries no "Số:" line
            _cell_par(left, number, 13).paragraph_format.space_before = Pt(6)
        if subject:
            _cell_par(left, subject, 12)
        _cell_par(right, NATIONAL_TITLE, 12, bold=True, first=True)
        _cell_par(right, MOTTO, 14, bold=True, underline=True)
        _cell_par(right, place_date, 14, italic=True).paragraph_format.space_before = Pt(8)

    def _title(self, type_title: str, summary: str | None) -> None:
        self.centered(type_title.upper(), bold=True, size=14, space_before=18)
        if summary:
            short_rule_after(self.centered(summary, bold=True, size=14), 5.0, self.text_width_cm)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    def centered(self, text: str, bold: bool = False, italic: bool = False, size: float = 14,
                 space_before: float = 0) -> Paragraph:
        """A centred paragraph (titles, ``Kính gửi``, annex headings)."""
        par = self.doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        par.paragraph_format.space_before = Pt(space_before)
        par.paragraph_format.space_after = Pt(0)
        set_run_font(par.add_run(text), size=size, bold=bold, italic=italic)
        return par

    def para(self, text: str = "", bold: bool = False, italic: bool = False,
             indent: bool = True, size: float = BODY_PT) -> Paragraph:
        """A body paragraph: justified, first-line indent 1.27 cm, 6 pt after, spacing 1.15
        (built once per look, then copied: ``BodyStamp``)."""
        self._last_body = self._stamp.paragraph((bold, italic, indent, size, bool(text)), text,
                                                lambda t: self._para(t, bold, italic, indent, size))
        return self._last_body

    def _para(self, text: str, bold: bool, italic: bool, indent: bool, size: float) -> Paragraph:
        par = self.doc.add_paragraph()
        par.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt = par.paragraph_format
        fmt.first_line_indent = Cm(1.27) if indent else None
        fmt.space_after, fmt.line_spacing = Pt(6), 1.15
        if text:
            set_run_font(par.add_run(text), size=size, bold=bold, italic=italic)
        return par

    def streamed_paras(self, paras: Iterable[tuple[str, bool]]) -> None:
        """``para(text, bold, indent=not bold)`` of each (text, bold), kept out of the tree and
        written into the file when saving: an annex of thousands costs its bytes, not elements."""
        def one(text: str, bold: bool) -> bytes:
            return self._stamp.xml((bold, False, not bold, BODY_PT, bool(text)), text,
                                   lambda t: self._para(t, bold, False, not bold, BODY_PT))
        self.streamed.defer_body(self.doc.element.body, (one(t, b) for t, b in paras))

    def heading(self, text: str, level: int = 1) -> Paragraph:
        """``I. …`` (level 1, bold), ``1. …`` (level 2, bold), ``a) …`` (level 3, italic)."""
        par = self.para(text, bold=level <= 2, italic=level == 3)
        par.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        return par

    def bullet(self, text: str) -> Paragraph:
        """``- …`` body line."""
        return self.para(f"- {text}")

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]],
              widths_cm: Sequence[float] | None = None, size: float = 12, fast: bool = True) -> Table:
        """A bordered data table with a bold header row (numbers right-aligned).

        Widths are set before the data rows, which then carry them from the grid; long tables are
        built in bulk (``table_rows``), ``fast=False`` builds every row with python-docx.
        """
        t = self.doc.add_table(rows=1, cols=len(headers))
        t.style = self.doc.styles["Table Grid"]
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, headers, strict=True):
            _cell_par(cell, str(text), size, bold=True, first=True)
        ordinal = [h in NARROW_HEADERS for h in headers]
        set_widths(t, widths_cm or default_widths(headers, rows, self.text_width_cm))

        shape = row_shape(ordinal, _NUMBERS)

        def add(table: Table, row: Sequence[object], kinds: tuple[str, ...] | None = None) -> None:
            new_row = table.add_row()
            new_row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
            for cell, value, kind in zip(new_row.cells, row, kinds or shape(row), strict=True):
                par = _cell_par(cell, "" if value is None else str(value), size, first=True)
                if kind != "C":  # ordinal numbers stay centred
                    par.alignment = WD_ALIGN_PARAGRAPH.RIGHT if kind == "R" else WD_ALIGN_PARAGRAPH.LEFT
        if fast and len(rows) > STREAM_ROWS:  # the rows go straight to the file when saving
            def build(values: Sequence[object], kinds: tuple[str, ...]):
                add(t, values, kinds)
                tr = t._tbl.tr_lst[-1]
                t._tbl.remove(tr)
                return tr
            self.streamed.defer(t._tbl, rows, build, shape)
        else:
            append_rows(t, rows, add, shape, fast=fast)
            if len(rows) >= 2:  # the last row (a total) never alone on the next page
                keep_with_next_row(t._tbl.tr_lst[-2])
        repeat_header(t)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)
        return t

    def close_body(self) -> None:
        """End the body with ``./.`` as the decree requires."""
        if self._last_body is None:
            self._last_body = self.para("./.")
        else:  # a sentence's own full stop is the first dot of ``./.``, never ``../.``
            tail = "/." if self._last_body.text.rstrip().endswith(".") else "./."
            set_run_font(self._last_body.add_run(tail), size=BODY_PT)
        self._last_body.paragraph_format.keep_with_next = True  # the signature follows its text

    def signature(self, signer: Signer, recipients: Sequence[str], archive: str) -> None:
        """``Nơi nhận`` at the left (12 pt bold italic, entries 11 pt) and the signature right; on a
        landscape page in the header's columns, so it stands under the national title."""
        t = self.doc.add_table(rows=1, cols=2)
        no_borders(t)
        landscape = self._header_columns == LANDSCAPE_HEADER_COLUMNS_CM
        t.alignment = WD_TABLE_ALIGNMENT.CENTER if landscape else t.alignment
        set_widths(t, self._header_columns if landscape else (7.5, self.text_width_cm - 7.5))
        t.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # one page, whole
        left, right = t.rows[0].cells
        head = left.paragraphs[0]
        set_run_font(head.add_run("Nơi nhận:"), size=12, bold=True, italic=True)
        for entry in [*recipients]:
            _left_par(left, f"- {entry};", 11)
        _left_par(left, f"- Lưu: {archive}.", 11)
        lines = [x for x in (signer.capacity, signer.delegation, signer.title) if x]
        if signer.optional_lines:  # docxtpl drops a {%p %} paragraph, so an empty line leaves none
            lines = [*_guarded(signer.capacity), *_guarded(signer.delegation), signer.title]
        for i, line in enumerate(lines):
            text = line if line.startswith("{%") else line.upper()
            _cell_par(right, text, 14, bold=True, first=i == 0)
        for _ in range(3):
            _cell_par(right, "", 14)
        hint = signer.name.startswith("(") and signer.name.endswith(")")  # "(Ký, ghi rõ họ tên, …)"
        _cell_par(right, signer.name, 14, bold=not hint, italic=hint)  # an instruction, not a name

    def annex(self, label: str, title: str, reference: str) -> None:
        """A new page with ``Phụ lục I`` (bold), its title and the italic reference line."""
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.centered(label, bold=True)
        self.centered(title.upper(), bold=True)
        self.centered(reference, italic=True)
        self.doc.add_paragraph()

    def save(self, path: Path) -> Path:
        """Write atomically (temp file, fsync, rename): no half-written document is ever visible."""
        enforce_fonts(self.doc)
        if not self.streamed.tables:
            return save_atomic(self.doc, path)
        buf = io.BytesIO()
        self.doc.save(buf)
        return self.streamed.save(buf.getvalue(), path)


def _left_par(cell, text: str, size: float) -> Paragraph:
    par = cell.add_paragraph()
    par.paragraph_format.space_after = Pt(0)
    set_run_font(par.add_run(text), size=size)
    return par
