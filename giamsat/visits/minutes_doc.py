"""BIÊN BẢN GIÁM SÁT of a field visit: the prefilled Decree 30 minutes and reading them back.

The minutes carry a hidden marker (visit id, unit key, cycle) so a filled file finds its visit;
the four fillable tables are recognised by their header rows, whatever rows the team adds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Pt

from giamsat.docx.decree30 import OfficialDocument, Signer, set_run_font
from giamsat.docx.table_layout import no_borders, set_widths
from giamsat.domain.errors import BadDocument
from giamsat.domain.formatting import doc_number, long_date, place_date
from giamsat.plan.places import KIND_WORD, VILLAGE_KINDS, capfirst

MARKER_PREFIX = "giamsat-bien-ban-giam-sat:v1"
TITLE = "Biên bản"
FINDINGS = ("TT", "Kết quả, phát hiện qua giám sát")
DIFFICULTIES = ("TT", "Khó khăn, vướng mắc")
RECOMMENDATIONS = ("TT", "Nội dung kiến nghị", "Cơ quan, người thực hiện", "Hạn thực hiện (dd/mm/yyyy)")
CONSULTATIONS = ("TT", "Thôn, xóm", "Người được tham vấn", "Nhóm hộ (nghèo/cận nghèo/khác)",
                 "Tóm tắt ý kiến")
CRITERIA = ("TT", "Tiêu chí", "Kết quả (Đạt / Đạt một phần / Chưa đạt)", "Căn cứ, bằng chứng",
            "Ghi chú")
# a village visited names its own kind over the consultations' first column ("Tổ dân phố")
VILLAGE_HEADS = frozenset({"Thôn, xóm", *(capfirst(KIND_WORD[k]) for k in VILLAGE_KINDS)})
TABLES = {"criteria": CRITERIA, "findings": FINDINGS, "difficulties": DIFFICULTIES,
          "recommendations": RECOMMENDATIONS, "consultations": CONSULTATIONS}
BLANK_ROWS = 5


@dataclass(frozen=True)
class MinutesInfo:
    """What the blank minutes are prefilled with."""

    visit_id: int
    unit_key: str
    unit_name: str
    cycle_key: str
    day: dt.date
    year: int
    parent_body: str | None
    issuing_body: str
    office_code: str
    place: str
    team: list[dict[str, str]]
    villages: list[str]
    contents: list[str]
    adhoc: bool = False
    households: dict[str, list[str]] = field(default_factory=dict)
    villages_synthetic: bool = True
    recipients: list[str] = field(default_factory=list)
    archive: str = "VT"
    criteria: list[tuple[str, list[str]]] = field(default_factory=list)  # (content title, titles)
    programme: str = "Chương trình mục tiêu quốc gia giảm nghèo bền vững"  # the plan's programme
    # how the minutes name the unit (plan.wording.unit_words): venue, delegate, body; none: a commune
    words: dict[str, str] = field(default_factory=dict)
    village_unit: bool = False      # the unit is itself a village: no villages drawn beneath it


def marker(info: MinutesInfo) -> str:
    """The hidden identification line written into the minutes."""
    return f"{MARKER_PREFIX};visit={info.visit_id};unit={info.unit_key};cycle={info.cycle_key}"


def _leader(team: list[dict[str, str]]) -> dict[str, str]:
    return next((m for m in team if m["role"].lower() == "trưởng đoàn"), team[0])


def render_minutes(info: MinutesInfo, path: Path) -> Path:
    """Write the blank, prefilled minutes of one visit to ``path`` (atomically)."""
    unit_lower = info.unit_name[:1].lower() + info.unit_name[1:]
    words = {"unit_venue": f"trụ sở Ủy ban nhân dân {unit_lower}",
             "unit_delegate": f"Đại diện Ủy ban nhân dân {unit_lower}",
             "unit_body": f"UBND {unit_lower}"} | info.words
    d = OfficialDocument(
        parent_body=info.parent_body, issuing_body=info.issuing_body,
        number_line=doc_number(info.visit_id, "BB", info.office_code),
        place_date=place_date(info.place, info.day), type_title=TITLE,
        summary=f"Giám sát {'đột xuất ' if info.adhoc else ''}thực hiện {info.programme} "
                f"năm {info.year} tại {unit_lower}")
    d.para(f"Hôm nay, {long_date(info.day)}, tại {words['unit_venue']}, Đoàn giám sát "
           f"tiến hành giám sát, đánh giá thực hiện {info.programme} năm {info.year}.")
    d.heading("I. THÀNH PHẦN")
    d.heading("1. Đoàn giám sát", 2)
    for i, m in enumerate(info.team, 1):
        d.bullet(f"{m['name']}, {m['position']} - {m['role']}" + ("." if i == len(info.team) else ";"))
    d.heading(f"2. {words['unit_delegate']}", 2)
    d.para("- Ông (bà): ........................................ Chức vụ: ...........................")
    d.heading("II. NỘI DUNG GIÁM SÁT")
    for i, c in enumerate(info.contents, 1):
        d.bullet(c + ("." if i == len(info.contents) else ";"))
    if info.villages:
        d.para(f"Thôn, xóm được chọn ngẫu nhiên để làm việc và tham vấn: {', '.join(info.villages)}"
               + (" (tên thôn là dữ liệu minh họa)." if info.villages_synthetic else "."))
    elif not info.village_unit:  # an ad-hoc visit draws no village: the team notes where it went
        d.para("Thôn, xóm Đoàn đến làm việc và tham vấn (không chọn mẫu trước): "
               "…………………………………………………………")
    _tables(d, info)
    d.para("Biên bản kết thúc cùng ngày, đã được đọc lại cho các thành viên tham dự cùng nghe và "
           "thống nhất ký tên")
    d.close_body()
    _countersign(d, info)
    d.signature(Signer("TRƯỞNG ĐOÀN GIÁM SÁT", _leader(info.team)["name"]),
                info.recipients or [words["unit_body"], "Thành viên Đoàn giám sát"], info.archive)
    _hidden(d.doc, marker(info))
    d.doc.core_properties.identifier = marker(info)
    d.doc.core_properties.title = f"Biên bản giám sát tại {info.unit_name}"
    return d.save(path)


def _countersign(d: OfficialDocument, info: MinutesInfo) -> None:
    """The commune's representative and the team's secretary sign beside each other."""
    t = d.doc.add_table(rows=1, cols=2)
    no_borders(t)
    set_widths(t, (d.text_width_cm / 2, d.text_width_cm / 2))
    secretary = next((m for m in info.team if m["role"].lower() == "thư ký"), None)
    left, right = t.rows[0].cells
    title_left = info.words.get("unit_delegate_upper", f"ĐẠI DIỆN UBND {info.unit_name.upper()}")
    for cell, title, name in ((left, title_left, ""),
                              (right, "THƯ KÝ ĐOÀN", secretary["name"] if secretary else "")):
        par = cell.paragraphs[0]
        par.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(par.add_run(title), size=13, bold=True)
        note = cell.add_paragraph()
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(note.add_run("(Ký, ghi rõ họ tên)"), size=12, italic=True)
        for _ in range(3):
            cell.add_paragraph()
        last = cell.add_paragraph()
        last.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(last.add_run(name), size=13, bold=True)
    d.doc.add_paragraph()


def _criteria(d: OfficialDocument, info: MinutesInfo) -> int:
    """One table per monitored content, a row per criterion; the number of headings used."""
    if not info.criteria:
        return 0
    d.heading("1. Đánh giá theo tiêu chí giám sát", 2)
    d.para("Cột kết quả ghi một trong: Đạt, Đạt một phần, Chưa đạt; nêu căn cứ (hồ sơ, số liệu, ý kiến "
           "tham vấn). Tiêu chí không đánh giá được thì để trống cả dòng.", italic=True, size=12)
    number = 0
    for content, titles in info.criteria:
        d.para(content, bold=True, italic=True, indent=False, size=13)
        rows = [[number + i, t, "", "", ""] for i, t in enumerate(titles, 1)]
        number += len(titles)
        d.table(CRITERIA, rows, [1.0, 5.4, 3.0, 4.4, 2.2], size=12)
    return 1


def _tables(d: OfficialDocument, info: MinutesInfo) -> None:
    d.heading("III. KẾT QUẢ GIÁM SÁT")
    n = _criteria(d, info)
    d.heading(f"{n + 1}. Kết quả đạt được, những phát hiện qua giám sát", 2)
    d.table(FINDINGS, [[i, ""] for i in range(1, BLANK_ROWS + 1)], [1.2, 14.8])
    d.heading(f"{n + 2}. Khó khăn, vướng mắc", 2)
    d.table(DIFFICULTIES, [[i, ""] for i in range(1, BLANK_ROWS + 1)], [1.2, 14.8])
    d.heading(f"{n + 3}. Kiến nghị", 2)
    d.para("Hạn thực hiện để trống thì áp dụng thời hạn chung của kế hoạch.", italic=True, size=12)
    d.table(RECOMMENDATIONS, [[i, "", "", ""] for i in range(1, BLANK_ROWS + 1)], [1.2, 7.0, 4.2, 3.6])
    d.heading(f"{n + 4}. Tham vấn trực tiếp đối tượng hưởng lợi", 2)
    rows: list[list[object]] = []
    # a village visited is where its households are consulted; a commune's drawn villages
    for v in info.villages or ([info.unit_name] if info.village_unit else []):
        names = info.households.get(v) or [""] * 2
        rows += [[0, v, name, "", ""] for name in names]
    rows += [[0, "", "", "", ""] for _ in range(max(0, BLANK_ROWS - len(rows)))]
    head = (CONSULTATIONS[0], info.words.get("unit_kind_title", CONSULTATIONS[1]), *CONSULTATIONS[2:]) \
        if info.village_unit else CONSULTATIONS
    d.table(head, [[i, *r[1:]] for i, r in enumerate(rows, start=1)], [1.0, 2.8, 3.6, 2.8, 5.8])


def _hidden(doc: DocxDocument, text: str) -> None:
    """A paragraph whose run and mark are hidden (``w:vanish``): present in the file, not printed."""
    par = doc.add_paragraph()
    par.paragraph_format.space_after = Pt(0)
    run = par.add_run(text)
    set_run_font(run, size=8)
    run.font.hidden = True
    mark = OxmlElement("w:rPr")
    mark.append(OxmlElement("w:vanish"))
    par._p.get_or_add_pPr().append(mark)


@dataclass(frozen=True)
class FilledMinutes:
    """What the team wrote: the marker fields and every non-empty row of the four tables."""

    visit_id: int
    unit_key: str
    cycle_key: str
    tables: dict[str, list[tuple[int, list[str]]]]


_MARKER_RE = re.compile(re.escape(MARKER_PREFIX) + r";visit=(\d+);unit=([^;]+);cycle=([^;\s]+)")


def read_minutes(doc: DocxDocument) -> FilledMinutes:
    """The marker and the filled rows (row number, cell texts) of each table of the minutes."""
    found = None
    for par in doc.paragraphs:
        found = found or _MARKER_RE.search(par.text)
    found = found or _MARKER_RE.search(doc.core_properties.identifier or "")
    if found is None:
        raise BadDocument("not_minutes", "Tệp không phải biên bản giám sát do hệ thống tạo ra (không "
                                         "thấy mã nhận diện). Vui lòng dùng mẫu biên bản của cuộc "
                                         "giám sát (giamsat visits minutes).")
    tables: dict[str, list[tuple[int, list[str]]]] = {}
    for table in doc.tables:
        if not table.rows:
            continue
        head = tuple(_clean(c.text) for c in table.rows[0].cells)
        name = table_name(head)
        if name is not None:  # the criteria come in one table per content: rows add up
            tables[name] = tables.get(name, []) + _rows(table, name)
    tables.setdefault("criteria", [])  # a plan without unit criteria prints no criteria table
    missing = [n for n in TABLES if n not in tables]
    if missing:
        titles = {"findings": "kết quả", "difficulties": "khó khăn", "recommendations": "kiến nghị",
                  "consultations": "tham vấn"}
        raise BadDocument("missing_table", "Biên bản thiếu bảng hoặc dòng tiêu đề bảng đã bị sửa: "
                                           + ", ".join(titles[n] for n in missing) + ".")
    return FilledMinutes(int(found.group(1)), found.group(2), found.group(3), tables)


def table_name(head: tuple[str, ...]) -> str | None:
    """Which fillable table a header row opens; the consultations' village column in any kind."""
    if len(head) == len(CONSULTATIONS) and head[1] in VILLAGE_HEADS:
        head = (head[0], CONSULTATIONS[1], *head[2:])
    return next((n for n, h in TABLES.items() if head == h), None)


def _rows(table, name: str) -> list[tuple[int, list[str]]]:
    out = []
    for n, row in enumerate(table.rows[1:], start=1):
        cells = [_clean(c.text) for c in row.cells]
        content = cells[3:] if name == "consultations" else cells[2:] if name == "criteria" else cells[1:]
        if any(content):
            out.append((n, cells))
    return out


def _clean(text: str) -> str:
    return " ".join(text.split())
