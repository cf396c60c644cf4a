"""The report's criteria parts: how the communes ran the review (section C answers, their
communication work), the office's preliminary appraisal of every commune, and the visits'
findings per criterion and per unit."""

from __future__ import annotations

from giamsat.docx.decree30 import OfficialDocument
from giamsat.domain.vocabulary import APPRAISAL_FOLLOWED, APPRAISAL_RESULT, FINDING_RESULT, label
from giamsat.final_report import text as rt_
from giamsat.final_report.model import ReportData
from giamsat.plan import places
from giamsat.plan.schema import Plan
from giamsat.plan.wording import criteria_of, outline_questions

SHOWN_DETAILS = 8  # communes whose communication work the body quotes; the rest in the annex
NAMED_UNITS = 8  # communes named after an answer that is not the expected one
BODY_ROWS = 40
APPRAISAL_HEADERS = ["TT", "Đơn vị", "Kết quả thẩm định sơ bộ", "Nội dung đề nghị giải trình, làm rõ",
                     "Tình trạng giải trình"]
APPRAISAL_WIDTHS = [1.0, 3.4, 3.6, 5.6, 2.9]
FINDING_HEADERS = ["TT", "Tiêu chí", *FINDING_RESULT.values(), "Đơn vị chưa đạt đầy đủ"]
FINDING_WIDTHS = [1.0, 5.6, 1.3, 1.7, 1.5, 5.4]
UNIT_HEADERS = ["TT", "Đơn vị", *FINDING_RESULT.values(), "Tiêu chí chưa đạt đầy đủ"]


def review_work(doc: OfficialDocument, data: ReportData, plan: Plan, base: dict) -> None:
    """How the communes ran the review and the office's preliminary appraisal of their results."""
    answers = data.criteria.answers
    questions = []
    for q in outline_questions(plan):
        given = answers.get(q.key, [])
        if given:
            expected = q.answers[0]
            counts = [{"answer": a, "n": n, "units": names[:NAMED_UNITS] if a != expected else [],
                       "more": max(0, n - NAMED_UNITS) if a != expected else 0}
                      for a in q.answers
                      if (n := len(names := [g.unit_name for g in given if g.answer == a]))]
            questions.append({"title": q.title, "counts": counts})
    communication = answers.get("communication", [])
    yes = next((q.answers[0] for q in outline_questions(plan) if q.key == "communication"), "Có")
    done = [c for c in communication if c.answer == yes]
    appraisals = data.criteria.appraisals
    appraised = [a for a in appraisals if a.result != "pending"]
    counts = [{"label": APPRAISAL_RESULT[r], "n": n} for r in APPRAISAL_RESULT
              if (n := sum(1 for a in appraisals if a.result == r))]
    rt_texts(doc, "review_work", {
        **base, "answered": max((len(v) for v in answers.values()), default=0),
        "questions": questions, "communication": communication, "communication_yes": len(done),
        "communication_shown": done[:SHOWN_DETAILS],
        "communication_more": max(0, len(done) - SHOWN_DETAILS), "appraised": len(appraised),
        "reported": len(appraisals), "appraisal_counts": counts,
        "followed": any(a.result in APPRAISAL_FOLLOWED for a in appraisals)})
    if appraised:
        appraisal_table(doc, appraisals)


def appraisal_table(doc: OfficialDocument, appraisals: list) -> None:
    """Every commune's appraisal (a province: those not agreed), with the follow-up's state."""
    rows = [[str(i), a.unit_name, a.result_label + (" (sau khi đơn vị giải trình)" if a.asked_before else ""),
             "; ".join(a.questions) or a.asked_before or "",
             label("rec_status", a.recommendation_status) if a.recommendation_status else ""]
            for i, a in enumerate(appraisals, 1)]
    title = "Bảng: Kết quả thẩm định sơ bộ kết quả rà soát theo đơn vị"
    if len(rows) > BODY_ROWS:  # a province: the communes whose results are not agreed
        rows = [r for r, a in zip(rows, appraisals, strict=True) if a.result != "agreed"]
        title += f" (trừ các đơn vị đã thống nhất kết quả; còn {len(rows)} đơn vị)"
    if rows:
        caption = doc.para(title, italic=True, indent=False)
        caption.paragraph_format.keep_with_next = True
        doc.table(APPRAISAL_HEADERS, rows, widths_cm=APPRAISAL_WIDTHS, size=11)


def findings(doc: OfficialDocument, data: ReportData, plan: Plan, base: dict,
             heading: str | None = "3. Kết quả đánh giá theo tiêu chí giám sát") -> None:
    """The visits' findings, per criterion (grouped by content and level) and per unit."""
    if heading:
        doc.heading(heading, level=2)
    items = data.criteria.findings
    total = {r: sum(c.counts.get(r, 0) for c in items) for r in FINDING_RESULT}
    rt_texts(doc, "criteria", {**base, "findings": bool(items), "criteria_count": len(items),
                               "units_visited": len(data.criteria.by_unit), **total})
    titles = {c.key: c.title for c in plan.contents}
    planned = [(c.content, c.level, c.key) for c in criteria_of(plan)]
    order = {k: i for i, k in enumerate(planned)}
    groups: dict[tuple[str, str], list] = {}
    for c in sorted(items, key=lambda c: order.get((c.content, c.level, c.key), len(order))):
        groups.setdefault((c.content, c.level), []).append(c)
    for (content, level), group in groups.items():
        tier = "Cấp " + (base["unit_noun"] if level == "unit" else places.level_word(plan.issuer.level))
        doc.para(f"Bảng: {titles.get(content, content)} — {tier.lower()}", italic=True,
                 indent=False).paragraph_format.keep_with_next = True
        rows = [[str(i), c.title, *(str(c.counts.get(r, 0)) for r in FINDING_RESULT),
                 "; ".join(f"{u} ({r.lower()})" if u else f"{r}: {e}" for u, r, e in c.short_of[:NAMED_UNITS])
                 + (f"; và {len(c.short_of) - NAMED_UNITS} đơn vị khác" if len(c.short_of) > NAMED_UNITS
                    else "")] for i, c in enumerate(group, 1)]
        # the issuer's own tier is one body, not units: its last column says why it fell short
        headers = FINDING_HEADERS if level == "unit" else [*FINDING_HEADERS[:-1], "Nhận xét, căn cứ"]
        doc.table(headers, rows, widths_cm=FINDING_WIDTHS, size=11)
    units = data.criteria.by_unit
    if units:
        doc.para("Bảng: Kết quả đánh giá theo tiêu chí của từng đơn vị được giám sát", italic=True,
                 indent=False).paragraph_format.keep_with_next = True
        doc.table(UNIT_HEADERS, [[str(i), u.unit_name, *(str(u.counts.get(r, 0)) for r in FINDING_RESULT),
                                  "; ".join(u.short_of)] for i, u in enumerate(units[:BODY_ROWS], 1)],
                  widths_cm=[1.0, 3.2, 1.3, 1.7, 1.5, 7.8], size=11)


def commune_answers(data: ReportData, plan: Plan) -> dict[str, list[str]]:
    """Each commune's section C answers, ``title: answer. detail``, for the annex: by unit name,
    in criterion order (one pass over the answers, not one per commune)."""
    titles = {q.key: q.title for q in outline_questions(plan)}
    out: dict[str, list[str]] = {}
    for key, given in data.criteria.answers.items():
        for g in given:
            out.setdefault(g.unit_name, []).append(f"{titles.get(key, key)}: {g.answer}. {g.detail}")
    return out


def rt_texts(doc: OfficialDocument, template: str, ctx: dict) -> None:
    """Paragraphs and bullets of ``templates/report/<template>.j2``."""
    for text in rt_.paragraphs(template, ctx):
        if text.startswith("- "):
            doc.bullet(text[2:])
        else:
            doc.para(text)
