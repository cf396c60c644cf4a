"""The office's report to the committee (báo cáo của Phòng gửi UBND huyện; for a province, the Sở's
report to the province's People's Committee): a document of its own, in the office's name.

It tells the committee how the monitoring was organised, the findings per monitoring criterion,
the preliminary appraisal of the communes' review results, the recommendations and how far they
were carried out, and what the office proposes the committee do.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db.models import AdhocRound, Document, PrepItem
from giamsat.docx.decree30 import OfficialDocument
from giamsat.docx.render import collector_paused
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import APPRAISAL_RESULT, REC_CLOSED, REC_DONE, label
from giamsat.files.fsutil import write_bytes_atomic
from giamsat.final_report import criteria_section as cs_
from giamsat.final_report import text as rt_
from giamsat.final_report.document import BODY_ROWS, REC_HEADERS
from giamsat.final_report.model import ReportData
from giamsat.final_report.office_doc import office_document, record_document, sign_office
from giamsat.final_report.service import ReadOnce, read
from giamsat.issuance.citations import cited
from giamsat.issuance.kinds import ISSUED
from giamsat.runtime import Runtime

KIND = "office_report"


@collector_paused()
def office_report(rt: Runtime, as_of: dt.date, out: Path | None = None,
                  once: ReadOnce | None = None) -> Path:
    """Write the office's report as of ``as_of`` under the home (and copy it to ``out``); record it.
    A report already registered as signed is kept as it was signed. ``once``: the figures read
    once for this report and the final report written after it."""
    rt = cited(rt)
    key = f"{rt.plan.cycle_key}:{KIND}:{as_of.isoformat()}"
    with rt.db.unit_of_work() as s:
        issued = s.scalar(select(Document.path).where(Document.key == key, Document.status == ISSUED))
        if issued is not None:
            return Path(issued)
        extra = _extra(s, rt, as_of)
    data = read(rt, as_of, once)
    path = rt.path("reports", f"{rt.plan.cycle_key}-bao-cao-cua-co-quan-thuong-truc-{as_of.isoformat()}.docx")
    number = None if not rt.plan.documents.allow_drafts else rt.plan.final_report.office_number
    write_office_report(data, rt, extra, path, number)
    if out is not None:
        write_bytes_atomic(Path(out), path.read_bytes())
    record_document(rt, KIND, key, path, as_of, recommendations=len(data.recommendations),
                    criteria=len(data.criteria.findings), appraisals=len(data.criteria.appraisals))
    return path


def _extra(s: Session, rt: Runtime, as_of: dt.date) -> dict:
    """What the office's report adds to the cycle's figures: rounds, the upper team, criteria."""
    rounds = s.scalars(select(AdhocRound).where(AdhocRound.cycle_id == rt.cycle_id,
                                                AdhocRound.starts_on <= as_of).order_by(AdhocRound.number))
    found = s.scalars(select(PrepItem.text).where(
        PrepItem.cycle_id == rt.cycle_id, PrepItem.kind == "finding").order_by(PrepItem.position))
    return {"rounds": [f"Đợt {r.number} ({short_date(r.starts_on)} – {short_date(r.ends_on)}): "
                       f"{r.content.rstrip('.;')}" for r in rounds],
            "upper_findings": [f.rstrip(".;") for f in found]}


def write_office_report(data: ReportData, rt: Runtime, extra: dict, path: Path, number: int | None) -> Path:
    """Build the document; ``number`` None: a draft whose number the văn thư fills in."""
    plan = rt.plan
    base = rt_.base_context(data, plan, interim=False)
    summary = (f"Kết quả giám sát, đánh giá thực hiện {base['programme']} năm {plan.year} "
               f"{base['on_territory']}")
    doc = office_document(plan, KIND, number, data.as_of, summary)
    _texts(doc, "office_intro", base)
    doc.heading("I. TÌNH HÌNH TỔ CHỨC GIÁM SÁT, ĐÁNH GIÁ")
    upper_visit = plan.visits.provincial_visit_on
    _texts(doc, "office_organisation", {
        **base, **rt_.organisation_context(data, plan), "rounds": extra["rounds"],
        "upper_visit": upper_visit if upper_visit and upper_visit <= data.as_of else None,
        "upper_findings": extra["upper_findings"]})
    doc.heading("II. KẾT QUẢ GIÁM SÁT THEO TIÊU CHÍ")
    cs_.findings(doc, data, plan, base, heading=None)
    doc.heading("III. KẾT QUẢ THẨM ĐỊNH SƠ BỘ KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO")
    appraisals = data.criteria.appraisals
    if any(a.result != "pending" for a in appraisals):
        tally = "; ".join(f"{label('appraisal_result', r).lower()}: {n} {base['unit_noun']}"
                           for r in APPRAISAL_RESULT if (n := sum(1 for a in appraisals if a.result == r)))
        doc.para(f"{plan.bodies.office.short} đã thẩm định sơ bộ kết quả rà soát của {len(appraisals)} "
                 f"{base['unit_noun']} đã gửi báo cáo ({tally}).")
        cs_.appraisal_table(doc, appraisals)
    else:
        doc.para(f"Đến {short_date(data.as_of)} chưa ghi nhận kết quả thẩm định sơ bộ kết quả rà "
                 f"soát của {base['unit_noun']} nào.")
    doc.heading("IV. CÁC KIẾN NGHỊ VÀ KẾT QUẢ THỰC HIỆN")
    counts = [{"label": rt_.REC_LABELS.get(k, k), "n": n} for k, n in data.rec_counts.items()]
    _texts(doc, "recommendations", {**base, "total": len(data.recommendations), "counts": counts})
    rows = rt_.recommendation_rows(data)
    if len(rows) > BODY_ROWS:  # the committee reads what is still to do; the register has the rest
        rows = [r for r, rec in zip(rows, data.recommendations, strict=True) if rec.status not in REC_DONE]
        doc.para(f"Các kiến nghị chưa hoàn thành ({len(rows)}); danh mục đầy đủ tại Phụ lục IV của báo "
                 f"cáo kết quả giám sát.", italic=True, indent=False)
    if rows:
        doc.table(REC_HEADERS, rows, widths_cm=[0.9, 4.4, 2.8, 3.0, 2.2, 3.2], size=10)
    doc.heading("V. ĐỀ XUẤT, KIẾN NGHỊ")
    open_recs = sum(1 for r in data.recommendations if r.status not in REC_CLOSED)
    _texts(doc, "office_proposals", {
        **base, "open_recs": open_recs, "overdue": data.rec_counts.get("overdue", 0),
        **rt_.missing_context(data, plan),
        "upper_recs": any(r.source == base["upper_team"] for r in data.recommendations)}, closing=True)
    doc.close_body()
    sign_office(doc, plan, ["Như trên", f"Lãnh đạo {plan.bodies.office.short}"])
    return doc.save(path)


def _texts(doc: OfficialDocument, template: str, ctx: dict, closing: bool = False) -> None:
    texts = rt_.paragraphs(template, ctx)
    if closing and texts:
        texts[-1] = texts[-1].rstrip(".;")
    for t in texts:
        if t.startswith("- "):
            doc.bullet(t[2:])
        elif t.startswith("Lưu ý:"):
            doc.para(t, italic=True)
        else:
            doc.para(t)
