"""The monitoring report (BÁO CÁO kết quả giám sát, đánh giá) in Decree 30 layout, Mẫu 01 shape."""

from __future__ import annotations

import io
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from giamsat.docx.decree30 import OfficialDocument, Signer
from giamsat.domain.formatting import doc_number, long_date, place_date, short_date
from giamsat.domain.vocabulary import REC_DONE
from giamsat.final_report import charts, criteria_section
from giamsat.final_report import text as rt_
from giamsat.final_report.model import ReportData
from giamsat.final_report.narratives import recurring
from giamsat.issuance.kinds import blank_number, blank_place_date
from giamsat.plan import places
from giamsat.plan.schema import Plan

TITLE = "Báo cáo"
REC_HEADERS = ["Số", "Nội dung kiến nghị", "Nguồn kiến nghị", "Cơ quan, đơn vị thực hiện", "Hạn",
               "Tình trạng"]
REC_WIDTHS = [0.9, 4.3, 3.2, 3.0, 2.4, 2.7]  # a due date (16/10/2024) on one line
P2_HEADERS = ["TT", "Đơn vị", "Số mô hình", "Số hộ tham gia", "Kinh phí (đồng)", "Đã giải ngân (đồng)",
              "Tỷ lệ giải ngân"]
P2_WIDTHS = [1.1, 3.6, 1.6, 1.7, 3.3, 3.2, 2.0]  # unit names on one line
PROVENANCE_HEADERS = ["Đơn vị tổng hợp", "Chỉ tiêu", "Đơn vị báo cáo", "Báo cáo ngày", "Vị trí"]
PROVENANCE_WIDTHS = [3.7, 3.4, 3.7, 2.6, 3.1]  # a unit's name on one line ("Xã Minh Thuận")
BODY_ROWS = 40  # a per-unit table longer than this goes to the annexes; the body keeps the summary


def write_report(data: ReportData, plan: Plan, out: Path, *, interim: bool = False,
                 number: int | None = None, draft: bool = False) -> Path:
    """Build the report of ``data`` and save it to ``out``; ``draft``: its number and date blank."""
    base = rt_.base_context(data, plan, interim)
    committee = plan.bodies.committee
    kind = "interim_report" if interim else "final_report"
    doc = OfficialDocument(
        parent_body=committee.parent, issuing_body=committee.name,
        number_line=blank_number(kind, plan) if draft else
        doc_number(number or plan.final_report.number, "BC", committee.code or "UBND"),
        place_date=blank_place_date(plan.issuer.place_name, data.as_of.year) if draft else
        place_date(plan.issuer.place_name, data.as_of), type_title=TITLE,
        summary=rt_.paragraphs("summary", base)[0])
    for text in rt_.paragraphs("intro", base):
        doc.para(text, italic=text.startswith("Lưu ý:"))
    _purpose(doc, data, plan, base)
    _organisation(doc, data, plan, base)
    doc.heading("III. KẾT QUẢ GIÁM SÁT, ĐÁNH GIÁ")
    _project2(doc, data, plan, base)
    _review(doc, data, plan, base)
    criteria_section.findings(doc, data, plan, base)
    _difficulties(doc, data, base)
    _recommendations(doc, data, base)
    doc.heading("VI. ĐỀ XUẤT")
    _texts(doc, "proposals", {**base, "overdue": data.rec_counts.get("overdue", 0),
                              **rt_.missing_context(data, plan)}, closing=True)
    doc.close_body()
    s = plan.signatories.committee
    doc.signature(Signer(s.title, s.name, s.capacity, s.delegation), plan.recipients.final_report,
                  plan.recipients.final_report_archive)
    _annexes(doc, data, plan, None if draft else number or plan.final_report.number)
    return doc.save(out)


def _texts(doc: OfficialDocument, template: str, ctx: dict, closing: bool = False) -> None:
    texts = rt_.paragraphs(template, ctx)
    if closing and texts:  # the body ends "…./." not "…../."
        texts[-1] = texts[-1].rstrip(".;")
    for text in texts:
        if text.startswith("- "):
            doc.bullet(text[2:])
        else:
            doc.para(text)


def _picture(doc: OfficialDocument, png: bytes, caption: str) -> None:
    """A chart and its caption, numbered ``Biểu đồ N.`` in the order the charts appear."""
    par = doc.doc.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.paragraph_format.keep_with_next = True
    par.add_run().add_picture(io.BytesIO(png), width=Cm(15.5))
    label = doc.centered(f"Biểu đồ {len(doc.doc.inline_shapes)}. {caption}", italic=True, size=12)
    label.paragraph_format.space_after = Pt(6)


def _notice(data: ReportData, plan: Plan) -> str | None:
    return plan.synthetic_notice if data.synthetic else None


def _purpose(doc: OfficialDocument, data: ReportData, plan: Plan, base: dict) -> None:
    doc.heading("I. MỤC ĐÍCH, PHẠM VI GIÁM SÁT")
    now = plan.units_on(data.as_of)
    merged = (f"từ {short_date(plan.reorganisation.effective)} sắp xếp lại theo "
              f"{plan.reorganisation.resolution}; số liệu của đơn vị đã sáp nhập được tổng hợp vào "
              f"đơn vị kế thừa" if plan.reorganisation and data.as_of >= plan.reorganisation.effective
              else None)
    _texts(doc, "purpose", {**base, "unit_count": len(now), "merged_note": merged,
                            "period_start": plan.period.start, "period_end": plan.period.end,
                            "contents": [c.title for c in plan.contents]})


def _organisation(doc: OfficialDocument, data: ReportData, plan: Plan, base: dict) -> None:
    doc.heading("II. TỔ CHỨC THỰC HIỆN GIÁM SÁT")
    _texts(doc, "organisation", {**base, **rt_.organisation_context(data, plan)})
    rows = rt_.reporting_rows(data)
    if len(rows) > BODY_ROWS:  # a province or the country: only the units needing attention
        rows = [r for r in rows if r[2] != rt_.REPORTING_LABELS["on_time"]]
        doc.para(f"Các đơn vị chưa gửi báo cáo đúng hạn ({len(rows)} đơn vị; các đơn vị còn lại "
                 f"đều gửi đúng hạn):", italic=True, indent=False)
    if rows:
        doc.table(["TT", "Đơn vị", "Tình hình gửi báo cáo", "Báo cáo"], rows,
                  widths_cm=[1.1, 4.6, 4.3, 6.0])  # "Báo cáo ngày 02/4/2024" on one line


def _project2(doc: OfficialDocument, data: ReportData, plan: Plan, base: dict) -> None:
    component = plan.programme.component
    doc.heading(f"1. {plan.contents[0].title}" if plan.contents else f"1. {component}", level=2)
    _texts(doc, "project2", {**base, **rt_.project2_context(data)})
    p2 = data.project2
    if not p2.models:
        return
    doc.table(["Loại mô hình", "Số mô hình"], [[t, str(n)] for t, n in p2.by_type.items()])
    rows = rt_.project2_unit_rows(data, base["whole"])
    if len(rows) > BODY_ROWS:
        doc.para("Bảng dưới đây là số tổng hợp; số liệu của từng đơn vị tại Phụ lục I.", italic=True,
                 indent=False)
        rows = rows[-1:]
    doc.table(P2_HEADERS, rows, widths_cm=P2_WIDTHS)
    png = charts.funding_by_source([rt_.FUND_LABELS[f] for f in p2.funding],
                                   list(p2.funding.values()), f"Kinh phí {base['component']} theo nguồn vốn",
                                   _notice(data, plan))
    _picture(doc, png, f"Kinh phí thực hiện {base['component']} theo nguồn vốn")


def _review(doc: OfficialDocument, data: ReportData, plan: Plan, base: dict) -> None:
    doc.heading("2. Kết quả rà soát hộ nghèo, hộ cận nghèo", level=2)
    _texts(doc, "review", {**base, **rt_.review_context(data, plan)})
    for group, lines in data.review.lines.items():
        label = rt_.group_label(group)
        rows = rt_.review_rows(data, group, base["whole"])
        many = len(rows) > BODY_ROWS
        caption = doc.para(f"Bảng: {label} " + ("(tổng hợp; từng đơn vị tại Phụ lục I)" if many
                                                 else "theo đơn vị"), italic=True, indent=False)
        caption.paragraph_format.keep_with_next = True
        doc.table(rt_.REVIEW_HEADERS, rows[-1:] if many else rows,
                  widths_cm=rt_.REVIEW_WIDTHS_CM, size=11)
        if group != "poor" or not lines:
            continue
        _review_charts(doc, data, plan, lines, label.lower())
    criteria_section.review_work(doc, data, plan, base)


def _review_charts(doc: OfficialDocument, data: ReportData, plan: Plan, lines: list, label: str) -> None:
    """One bar per unit for a few units; distributions over units for many."""
    total, notice = data.review.totals["poor"], _notice(data, plan)
    start, end = [ln.start for ln in lines], [ln.end for ln in lines]
    if len(lines) > charts.MAX_BARS:
        title = f"Số đơn vị theo tỷ lệ {label} cuối kỳ"
        _picture(doc, charts.rate_distribution([ln.rate or 0.0 for ln in lines], total.rate, title,
                                               notice), title)
        title = f"Số đơn vị theo mức thay đổi số {label}"
        _picture(doc, charts.change_distribution(start, end, title, notice), title)
        return
    names = [data.unit_name(ln.unit_key) for ln in lines]
    _picture(doc, charts.rate_by_unit(names, [ln.rate or 0.0 for ln in lines], total.rate,
                                      f"Tỷ lệ {label} cuối kỳ theo đơn vị", notice,
                                      total_label=places.whole(plan.issuer.level)),
             f"Tỷ lệ {label} cuối kỳ theo đơn vị")
    _picture(doc, charts.start_vs_end(names, start, end, f"Số {label} đầu kỳ và cuối kỳ", notice),
             f"Số {label} đầu kỳ và cuối kỳ theo đơn vị")


def _difficulties(doc: OfficialDocument, data: ReportData, base: dict) -> None:
    doc.heading("IV. KHÓ KHĂN, VƯỚNG MẮC")
    named = [n for n in data.narratives if n.difficulties]
    _texts(doc, "difficulties", {**base, "items": data.difficulties, "narratives": named,
                                 "recurring": recurring(named, base["received"])})


def _recommendations(doc: OfficialDocument, data: ReportData, base: dict) -> None:
    doc.heading("V. CÁC KIẾN NGHỊ VÀ KẾT QUẢ THỰC HIỆN")
    counts = [{"label": rt_.REC_LABELS.get(s, s), "n": n} for s, n in data.rec_counts.items()]
    _texts(doc, "recommendations", {**base, "total": len(data.recommendations), "counts": counts})
    doc.doc.paragraphs[-1].paragraph_format.keep_with_next = True  # "Chi tiết tại bảng sau:" + table
    rows = rt_.recommendation_rows(data)
    if len(rows) > BODY_ROWS:  # the body lists what is still to do; the full register is an annex
        done = {rt_.REC_LABELS[x] for x in REC_DONE}
        rows = [r for r in rows if not any(r[-1].startswith(d) for d in done)]
        doc.para(f"Các kiến nghị chưa hoàn thành ({len(rows)}); danh mục đầy đủ tại Phụ lục IV.",
                 italic=True, indent=False)
    if rows:
        doc.table(REC_HEADERS, rows, widths_cm=REC_WIDTHS, size=11)


def _annexes(doc: OfficialDocument, data: ReportData, plan: Plan, number: int | None) -> None:
    """The annexes; ``number`` None: a draft's, citing its blank number and date."""
    code = plan.bodies.committee.code or "UBND"
    cited = (f"{number:02d}/BC-{code} {long_date(data.as_of)}" if number is not None else
             f"     /BC-{code} ngày      tháng      năm {data.as_of.year}")
    ref = f"(Kèm theo Báo cáo số {cited} của {plan.bodies.committee.short})"
    whole = places.whole(plan.issuer.level)
    doc.annex("Phụ lục I", "Số liệu rà soát hộ nghèo, hộ cận nghèo theo đơn vị", ref)
    if data.review.empty:
        doc.para("Chưa có số liệu.")
    for group in data.review.lines:
        doc.para(rt_.group_label(group), bold=True, indent=False)
        doc.table(rt_.REVIEW_HEADERS, rt_.review_rows(data, group, whole),
                  widths_cm=rt_.REVIEW_WIDTHS_CM, size=11)
    p2_rows = rt_.project2_unit_rows(data, whole) if data.project2.models else []
    if len(p2_rows) > BODY_ROWS:
        doc.para(f"{plan.programme.component} theo đơn vị", bold=True, indent=False)
        doc.table(P2_HEADERS, p2_rows, widths_cm=P2_WIDTHS)
    doc.annex("Phụ lục II", "Biên bản chọn mẫu giám sát", ref)
    _sample_annex(doc, data, places.kinds_title(plan.unit_kinds()))
    doc.annex("Phụ lục III", "Nguồn gốc số liệu", ref)
    rows = rt_.provenance_rows(data, plan.programme.component)
    if rows:
        doc.table(PROVENANCE_HEADERS, rows, widths_cm=PROVENANCE_WIDTHS, size=11)
    else:
        doc.para("Chưa có số liệu từ báo cáo được tiếp nhận.")
    if len(data.recommendations) > BODY_ROWS:
        doc.annex("Phụ lục IV", "Danh mục kiến nghị và kết quả thực hiện", ref)
        doc.table(REC_HEADERS, rt_.recommendation_rows(data), widths_cm=REC_WIDTHS, size=11)
    doc.annex("Phụ lục V", f"Ý kiến của các {places.kinds_phrase(plan.unit_kinds())} "
              "(nguyên văn mục C, D của báo cáo)", ref)
    _narrative_annex(doc, data, plan)
    if data.synthetic:
        doc.para(plan.synthetic_notice, italic=True, indent=False)


def _narrative_annex(doc: OfficialDocument, data: ReportData, plan: Plan) -> None:
    """Each commune's section C and D text, verbatim, under its name and its report's date."""
    if not data.narratives:
        doc.para(f"Đến {long_date(data.as_of)} chưa có báo cáo được tiếp nhận nêu nội dung mục C, D.")
    answers = criteria_section.commune_answers(data, plan)

    def paragraphs():  # a country's annex: thousands of paragraphs, written straight to the file
        for n in data.narratives:
            yield f"{n.unit_name} (báo cáo ngày {short_date(n.received_on)})", True
            yield f"C. Công tác chỉ đạo, tổ chức thực hiện rà soát: {n.review or '(không nêu)'}", False
            for line in answers.get(n.unit_name, []):
                yield f"- {line}", False
            yield f"D. Khó khăn, vướng mắc: {n.difficulties or '(không nêu)'}", False
    doc.streamed_paras(paragraphs())


def _sample_annex(doc: OfficialDocument, data: ReportData, units_title: str) -> None:
    s = data.sample
    if s is None:
        doc.para(f"Đến {long_date(data.as_of)} chưa có kết quả chọn mẫu được phê duyệt.")
        return
    doc.table(["Thông tin", "Giá trị"], [
        ["Ngày chọn mẫu", short_date(s.draw_on)], ["Thuật toán", f"{s.algorithm} ({s.algorithm_version})"],
        ["Hạt giống (seed)", s.seed],
        ["Nguồn hạt giống", rt_.SEED_SOURCE_LABELS.get(s.seed_source, s.seed_source)],
        ["Mã băm biên bản (SHA-256)", s.record_sha256], ["Người phê duyệt", s.decided_by or ""]],
        widths_cm=[5.0, 11.0])
    if not any(c.villages for c in s.communes):  # a commune's plan draws its villages, none below
        doc.table(["TT", f"{units_title} được chọn"], [[str(i), c.name] for i, c in enumerate(s.communes, 1)],
                  widths_cm=[1.0, 15.0])
        return
    doc.table(["TT", f"{units_title} được chọn", "Thôn, xóm, tổ dân phố được chọn"],
              [[str(i), c.name, ", ".join(c.villages)] for i, c in enumerate(s.communes, 1)],
              widths_cm=[1.0, 5.5, 9.5])

