"""Check a .docx against the testable rules of Decree 30/2020 (Phụ lục I).

Used by the tests on every generated document, and by ``giamsat doc check`` for officers who
edit the Word templates.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm

from giamsat.docx.decree30 import FONT, MOTTO, NATIONAL_TITLE, iter_paragraphs

NUMBER_RE = re.compile(r"^Số: (0[1-9]|[1-9]\d+)/[^\s/]+$")
PLACE_DATE_RE = re.compile(
    r"^[^,]+, ngày (0[1-9]|[12]\d|3[01]) tháng (0[12]|[3-9]|1[0-2]) năm \d{4}$")
# A form the issuer fills (a commune's report form) leaves the number, place and day blank.
FORM_NUMBER_RE = re.compile(r"^Số: …/[^\s/]+$")
FORM_PLACE_DATE_RE = re.compile(r"^…, ngày … tháng … năm \d{4}$")
# A draft before the văn thư numbers and dates it (the signed PDF carries both).
DRAFT_NUMBER_RE = re.compile(r"^Số: +/[^\s/]+$")
DRAFT_PLACE_DATE_RE = re.compile(r"^[^,]+, ngày +tháng +năm \d{4}$")


def _pt(length) -> float | None:
    return None if length is None else length.pt


def _mm(length) -> float:
    return length / Mm(1)


def check(source: str | Path | DocxDocument, title: str | None = None, form: bool = False) -> list[str]:
    """Every rule the document breaks, as readable lines; an empty list means it complies.

    ``form``: a blank for its issuer to fill, whose number and date are ``…`` left to write in."""
    doc = Document(str(source)) if isinstance(source, str | Path) else source
    problems: list[str] = []
    problems += _page(doc)
    problems += _fonts(doc)
    problems += _header_block(doc, form)
    problems += _body(doc, title)
    problems += _recipients(doc)
    return problems


def _page(doc: DocxDocument) -> list[str]:
    out = []
    s = doc.sections[0]
    w, h = sorted((_mm(s.page_width), _mm(s.page_height)))
    if abs(w - 210) > 1 or abs(h - 297) > 1:
        out.append(f"khổ giấy không phải A4 ({w:.0f}×{h:.0f} mm)")
    for name, value, lo, hi in (("trên", s.top_margin, 20, 25), ("dưới", s.bottom_margin, 20, 25),
                                ("trái", s.left_margin, 30, 35), ("phải", s.right_margin, 15, 20)):
        if not lo - 0.5 <= _mm(value) <= hi + 0.5:
            out.append(f"lề {name} {_mm(value):.1f} mm ngoài khoảng {lo}–{hi} mm")
    header_xml = s.header._element.xml
    if "PAGE" not in header_xml:
        out.append("thiếu số trang ở phần đầu trang")
    if not s.different_first_page_header_footer or "PAGE" in s.first_page_header._element.xml:
        out.append("số trang không được hiện ở trang đầu")
    return out


def _fonts(doc: DocxDocument) -> list[str]:
    bad = 0
    sample = ""
    for par in iter_paragraphs(doc):
        for run in par.runs:
            if not run.text.strip():
                continue
            rfonts = run._element.rPr.rFonts if run._element.rPr is not None else None
            names = {rfonts.get(qn(k)) for k in ("w:ascii", "w:hAnsi", "w:eastAsia")} \
                if rfonts is not None else {None}
            color = run.font.color.rgb if run.font.color is not None and run.font.color.type else None
            if names != {FONT} or (color is not None and str(color) != "000000"):
                bad += 1
                sample = sample or run.text[:40]
    return [f"{bad} đoạn chữ không dùng phông {FONT} màu đen (ví dụ: {sample!r})"] if bad else []


def _find(doc: DocxDocument, pred) -> list:
    return [p for p in iter_paragraphs(doc) if pred(p.text.strip())]


def _header_block(doc: DocxDocument, form: bool = False) -> list[str]:
    out = []
    title = _find(doc, lambda t: t == NATIONAL_TITLE)
    if not title:
        out.append(f"thiếu quốc hiệu {NATIONAL_TITLE!r}")
    elif not all(r.bold and 12 <= (_pt(r.font.size) or 0) <= 13 for r in title[0].runs):
        out.append("quốc hiệu phải in đậm, cỡ 12–13")
    motto = _find(doc, lambda t: t == MOTTO)
    if not motto:
        out.append(f"thiếu tiêu ngữ {MOTTO!r}")
    elif not all(r.bold and r.underline and 13 <= (_pt(r.font.size) or 0) <= 14
                 for r in motto[0].runs):
        out.append("tiêu ngữ phải in đậm, gạch chân, cỡ 13–14")
    numbers = _find(doc, lambda t: t.startswith("Số:"))
    if not numbers:
        out.append("thiếu số, ký hiệu văn bản (Số: …)")
    elif not any(r.match(numbers[0].text.strip()) for r in ((FORM_NUMBER_RE,) if form else
                                                            (NUMBER_RE, DRAFT_NUMBER_RE))):
        out.append(f"số, ký hiệu sai định dạng: {numbers[0].text.strip()!r}")
    dates = _find(doc, lambda t: ", ngày " in t and " năm " in t and len(t) < 80)
    if not dates:
        out.append("thiếu địa danh, ngày tháng năm ban hành")
    else:
        text = dates[0].text.strip()
        if not any(r.match(text) for r in ((FORM_PLACE_DATE_RE,) if form else
                                           (PLACE_DATE_RE, DRAFT_PLACE_DATE_RE))):
            out.append(f"địa danh, ngày tháng sai định dạng: {text!r}")
        if not all(r.italic for r in dates[0].runs if r.text.strip()):
            out.append("địa danh, ngày tháng phải in nghiêng")
    return out


def _body(doc: DocxDocument, title: str | None) -> list[str]:
    out = []
    if title is not None:
        found = [p for p in doc.paragraphs if p.text.strip() == title.upper()]
        if not found:
            out.append(f"thiếu tên loại văn bản {title.upper()!r}")
        elif not all(r.bold for r in found[0].runs if r.text.strip()) or \
                found[0].alignment is None or found[0].alignment != 1:
            out.append("tên loại văn bản phải in đậm, căn giữa")
    if not any(p.text.rstrip().endswith("./.") for p in doc.paragraphs):
        out.append("nội dung văn bản phải kết thúc bằng './.'")
    return out


def _recipients(doc: DocxDocument) -> list[str]:
    heads = _find(doc, lambda t: t == "Nơi nhận:")
    if not heads:
        return ["thiếu 'Nơi nhận:'"]
    head = heads[0]
    run = head.runs[0]
    out = []
    if not (run.bold and run.italic and _pt(run.font.size) == 12):
        out.append("'Nơi nhận:' phải in đậm, nghiêng, cỡ 12")
    cell_pars = head._parent.paragraphs
    start = [p._p for p in cell_pars].index(head._p) + 1
    entries = [p for p in cell_pars[start:] if p.text.strip()]
    if not entries or not entries[-1].text.strip().startswith("- Lưu:"):
        out.append("dòng cuối của 'Nơi nhận' phải là '- Lưu: …'")
    for p in entries:
        text = p.text.strip()
        if not text.startswith("- ") or not text.endswith((";", ".")):
            out.append(f"mục nơi nhận sai định dạng: {text!r}")
        if any(_pt(r.font.size) != 11 for r in p.runs if r.text.strip()):
            out.append(f"mục nơi nhận phải cỡ 11: {text!r}")
    return out
