"""The outline (đề cương) as a Word form per unit, in Decree 30 layout, drawn from the shared spec."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from giamsat.docx.decree30 import OfficialDocument, Signer, enforce_fonts, set_run_font
from giamsat.docx.stamp import Stamp
from giamsat.domain.formatting import in_sentence, short_date
from giamsat.domain.outline_spec import (
    C_AFTER_CRITERIA,
    SECTION_CRITERIA,
    SECTIONS,
    CriterionQuestion,
    Marker,
    Section,
    section_a_title,
)
from giamsat.plan import places
from giamsat.plan.schema import Plan, Unit
from giamsat.plan.wording import deadline_phrase, outline_questions, plan_words

TITLE = "Đề cương báo cáo"
DOC_TYPE = "Báo cáo"  # what the commune issues when it has filled the form
TABLE_PT = 10

GUIDANCE = (
    "Điền trực tiếp vào các bảng của biểu mẫu này; không xóa, không đổi tên các cột và không "
    "chèn bảng khác vào giữa các mục.",
    "Ô số liệu chỉ ghi chữ số (có thể dùng dấu chấm phân cách hàng nghìn, ví dụ 1.234); không "
    "ghi chữ vào ô số (ví dụ không ghi 'khoảng 20'). Ô không có số liệu ghi 0.",
    "Dòng trống không dùng đến có thể để nguyên; cần thêm dòng thì đặt con trỏ ở ô cuối bảng và "
    "nhấn phím Tab.",
    "Lưu tệp dạng Word (.docx), không lưu dạng .docm hoặc .pdf; gửi đúng tệp mang tên đơn vị "
    "mình (biểu mẫu đã ghi sẵn mã đơn vị).",
)


def summary_line(plan: Plan) -> str:
    """The bold summary under the title."""
    component = places.component_in_sentence(plan.programme.component)  # mid-sentence
    return f"Kết quả thực hiện {component} và công tác rà soát hộ nghèo, hộ cận nghèo năm {plan.year}"


# Placeholders for the per-unit values of ``outline_stamp``: nothing a plan could contain. The
# header carries the name in capitals, sentences carry it with a lower-case kind (``xã …``).
NAME_TOKEN, CODE_TOKEN = "QGSOUTLINENAMEQ", "QGSOUTLINECODEQ"
UPPER_TOKEN, SENTENCE_TOKEN = "QGSOUTLINEUPPERQ", "QGSOUTLINESENTQ"
TOKENS = (NAME_TOKEN, CODE_TOKEN, UPPER_TOKEN, SENTENCE_TOKEN)


def render_outline(plan: Plan, unit: Unit, out_path: Path, cycle_key: str) -> Path:
    """Write the outline form of ``unit`` to ``out_path`` (atomically) and return the path."""
    return _build(plan, unit, cycle_key).save(Path(out_path))


def outline_stamp(plan: Plan, valid_from: dt.date, cycle_key: str, like: Unit | None = None) -> Stamp:
    """The outline rendered once for every unit valid from ``valid_from`` of the kind (and head)
    of ``like`` (default: a commune); fill with ``outline_values``."""
    kind, head = (like.kind, like.head) if like is not None else ("xa", None)
    placeholder = Unit.model_construct(code=CODE_TOKEN, name=NAME_TOKEN, valid_from=valid_from,
                                       kind=kind, head=head)
    doc = _build(plan, placeholder, cycle_key)
    enforce_fonts(doc.doc)
    buffer = io.BytesIO()
    doc.doc.save(buffer)
    return Stamp(buffer.getvalue(), TOKENS)


def outline_values(unit: Unit) -> dict[str, str]:
    """The values ``outline_stamp``'s tokens stand for."""
    return {NAME_TOKEN: unit.name, CODE_TOKEN: unit.code, UPPER_TOKEN: unit.name.upper(),
            SENTENCE_TOKEN: in_sentence(unit.name)}


def _names(unit: Unit) -> tuple[str, str]:
    """The unit's name in capitals (header) and inside a sentence; tokens for the stamp."""
    if unit.name == NAME_TOKEN:
        return UPPER_TOKEN, SENTENCE_TOKEN
    return unit.name.upper(), in_sentence(unit.name)


def plan_reference(plan: Plan) -> str:
    """``Kế hoạch số 52/KH-UBND ngày 26/3/2024 của UBND huyện Vụ Bản``."""
    committee = plan.bodies.committee
    return (f"Kế hoạch số {plan.plan_document.number:02d}/KH-{committee.code or 'UBND'} ngày "
            f"{short_date(plan.plan_document.issued_on)} của {committee.short}")


def _build(plan: Plan, unit: Unit, cycle_key: str) -> OfficialDocument:
    """The unit's own report form: its header, number and date left for it to fill. A village
    (no issuing agency) has its commune above its name, no number, and its head signs."""
    committee, office = plan.bodies.committee, plan.bodies.office
    upper, in_text = _names(unit)
    village = places.is_village(unit.kind)
    body = in_text if village else f"UBND {in_text}"
    capacity, title = places.unit_signer(unit.kind, plan.unit_head(unit))
    marker = Marker(plan.report.form_version, unit.key, cycle_key)
    # A commune under a district heads with the district's committee over its own name; since the
    # two-tier reform a commune's committee has no parent line (Decree 30, Phụ lục I). A village,
    # no issuing agency, heads with its commune.
    parent = committee.short if plan.issuer.level == "district" else None
    doc = OfficialDocument(
        parent_body=committee.short if village else parent,
        issuing_body=upper if village else f"ỦY BAN NHÂN DÂN {upper}",
        number_line=None if village else "Số: …/BC-UBND",
        place_date=f"…, ngày … tháng … năm {plan.year}",
        type_title=DOC_TYPE, summary=summary_line(plan), landscape=True)
    _hidden_marker(doc, marker.encode())
    _unit_block(doc, plan, unit)
    summary = plan.plan_document.summary
    doc.para(f"Thực hiện {plan_reference(plan)} về {summary[:1].lower() + summary[1:]}, "
             f"{body} báo cáo kết quả như sau:")
    questions = outline_questions(plan)
    for section in SECTIONS:
        if section.key == "CT":
            _criteria_section(doc, questions)
        elif section.key == "C" and questions:  # under the criteria table: the summary box
            _section(doc, replace(section, title="", instruction=C_AFTER_CRITERIA),
                     _instruction_words(plan))
        elif section.key == "A":
            _section(doc, replace(section, title=section_a_title(plan.programme.component)),
                     _instruction_words(plan))
        else:
            _section(doc, section, _instruction_words(plan))
    doc.para(f"Trên đây là báo cáo của {body} gửi {committee.short} "
             f"(qua {office.short}).")
    doc.close_body()
    sign_as = "(Ký, ghi rõ họ tên)" if village else "(Ký, ghi rõ họ tên, đóng dấu)"
    doc.signature(Signer(title=title, name=sign_as, capacity=capacity),
                  [f"{committee.short} (qua {office.short})"], "VT")
    props = doc.doc.core_properties
    props.title = f"{TITLE} — {unit.name} ({unit.code})"
    props.subject = summary_line(plan)
    props.identifier = marker.encode()
    props.keywords = f"{cycle_key}; {unit.code}; {plan.report.form_version}"
    props.author = office.short
    return doc


def _hidden_marker(doc: OfficialDocument, text: str) -> None:
    """The machine-readable marker as a hidden (vanish) run: kept by Word, invisible in print."""
    par = doc.doc.add_paragraph()
    par.paragraph_format.space_after = Pt(0)
    run = par.add_run(text)
    set_run_font(run, size=2)
    run.font.hidden = True


def _unit_block(doc: OfficialDocument, plan: Plan, unit: Unit) -> None:
    doc.para(f"Đơn vị báo cáo: {unit.name} — mã đơn vị {unit.code}", bold=True, indent=False)
    office = plan.bodies.office
    where = f"{office.short}" + (f", thư điện tử {office.email}" if office.email else "")
    doc.para(f"Hạn gửi báo cáo: {deadline_phrase(plan)}, gửi về "
             f"{plan.bodies.committee.short} (qua {where}).", indent=False)
    doc.para("Hướng dẫn điền biểu mẫu:", bold=True, italic=True, indent=False)
    for line in GUIDANCE:
        doc.bullet(line)


def _instruction_words(plan: Plan) -> dict[str, str]:
    """What the spec's instructions leave to the plan: the level and example addressees."""
    words = plan_words(plan)
    addressees = [words["committee_ref"], plan.bodies.office.short, words["upper_short"]]
    return {"{level}": words["level"], "{addressees}": ", ".join(addressees),
            "{standard}": words["poverty_standard"]}


def _criteria_section(doc: OfficialDocument, questions: tuple[CriterionQuestion, ...]) -> None:
    """Section C asked by the plan's criteria: a label cell (title, choices), answer and detail."""
    if not questions:
        return
    section = SECTION_CRITERIA
    doc.heading(section.title)
    doc.para(section.instruction, italic=True, size=12)
    labels = [q.label(n) for n, q in enumerate(questions, 1)]
    table = doc.table([c.label for c in section.columns], [[title, "", ""] for title, _ in labels],
                      widths_cm=[c.width_cm for c in section.columns], size=TABLE_PT, fast=False)
    for (_, choices), row in zip(labels, table.rows[1:], strict=True):
        set_run_font(row.cells[0].add_paragraph().add_run(choices), size=TABLE_PT, italic=True)
        row.height = Cm(1.2)


def _section(doc: OfficialDocument, section: Section, words: dict[str, str]) -> None:
    if section.title:
        doc.heading(section.title)
    instruction = section.instruction
    for token, value in words.items():
        instruction = instruction.replace(token, value)
    doc.para(instruction, italic=True, size=12)
    headers = [c.label for c in section.columns]
    if section.narrative:
        rows: list[list[str]] = [[""]]
    else:
        rows = [[r.label] + [""] * (len(headers) - 1) for r in section.fixed_rows]
        rows += [[str(len(rows) + i + 1)] + [""] * (len(headers) - 1)
                 for i in range(section.empty_rows)]
    table = doc.table(headers, rows, widths_cm=[c.width_cm for c in section.columns],
                      size=TABLE_PT)
    if section.narrative:
        table.rows[1].height = Cm(4)
        table.rows[1].cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    else:
        for row in table.rows[1:]:
            row.height = Cm(0.8)

