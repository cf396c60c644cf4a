"""Text and table rows of the monitoring report: template contexts, labels and per-unit rows."""

from __future__ import annotations

import functools

from giamsat.domain.formatting import short_date, vn_number, vn_percent
from giamsat.domain.indicators import FUNDS, ReviewLine, reporting_unit
from giamsat.domain.vocabulary import REC_STATUS, REPORT_COUNTED, REPORT_STATUS
from giamsat.final_report.model import ReportData
from giamsat.final_report.narratives import handful
from giamsat.messaging.templates import environment
from giamsat.plan import places
from giamsat.plan.schema import Plan
from giamsat.plan.wording import plan_words

GROUP_LABELS = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo"}
FUND_LABELS = {"central": "Ngân sách trung ương", "local": "Ngân sách địa phương",
               "counterpart": "Vốn đối ứng", "credit": "Vốn tín dụng"}
VERDICTS = {"met": "đạt mục tiêu", "exceeded": "vượt mục tiêu", "not_met": "chưa đạt mục tiêu"}
REC_LABELS = REC_STATUS
REPORTING_LABELS = REPORT_STATUS
SEED_SOURCE_LABELS = {"coordinator": "Cán bộ điều phối nhập",
                      "public_values": "Tính từ các giá trị công khai",
                      "system_random": "Máy tính sinh ngẫu nhiên"}
REVIEW_HEADERS = ["TT", "Đơn vị", "Tổng số hộ", "Đầu kỳ", "Thoát", "Tái", "Phát sinh", "Biến động khác",
                  "Cuối kỳ", "Tỷ lệ (%)"]
REVIEW_WIDTHS_CM = [0.9, 3.6, 1.6, 1.4, 1.6, 1.1, 1.5, 1.6, 1.4, 1.4]  # unit names on one line


_INT_TEXT = functools.lru_cache(maxsize=1 << 14)(vn_number)  # a country's tables repeat counts


def _number(value: float | int) -> str:
    """``vn_number(value)``; a whole number's text kept (ints only: 0 and -0.0 differ as floats)."""
    return _INT_TEXT(value) if type(value) is int else vn_number(value)


def group_label(group: str) -> str:
    """Vietnamese name of a household group."""
    return GROUP_LABELS.get(group, group)


def paragraphs(template: str, ctx: dict) -> list[str]:
    """Render ``templates/report/<template>.j2``: blank lines end paragraphs, ``- `` lines are bullets."""
    text = environment("report").get_template(f"{template}.j2").render(ctx)
    out: list[str] = []
    for block in text.split("\n\n"):
        pending: list[str] = []
        for line in (ln.strip() for ln in block.splitlines()):
            if line.startswith("- "):
                out.extend([" ".join(pending)] if pending else [])
                pending = []
                out.append(line)
            elif line:
                pending.append(line)
        out.extend([" ".join(pending)] if pending else [])
    return out


def base_context(data: ReportData, plan: Plan, interim: bool) -> dict:
    """Values shared by every text block."""
    pd, words = plan.plan_document, plan_words(plan)
    return {
        "interim": interim, "as_of": data.as_of, "year": plan.year, **words,
        "department_short": plan.bodies.upper_body.short,
        "office_short": plan.bodies.office.short, "synthetic": data.synthetic,
        "synthetic_notice": plan.synthetic_notice, "basis": plan.basis,
        "plan_ref": f"Kế hoạch số {pd.number:02d}/KH-UBND ngày {short_date(pd.issued_on)}",
        "received": data.reporting.received, "expected": len(data.reporting.expected),
        "minutes": data.minutes_recorded, "planned": len(data.coverage.planned),
        "sampled": data.sample is not None,
        "village_draw": plan.sample.villages_per_commune > 0,  # a commune's plan draws villages only
        "gaps": data.gaps(words["units_phrase"], words["unit_noun"]),
    }


def review_row(i: int | str, name: str, ln: ReviewLine) -> list[str]:
    """One row of a review table, numbers formatted the Vietnamese way."""
    rate = "" if ln.rate is None else vn_number(ln.rate, 2)
    return [str(i), name, *(_number(v) for v in (ln.total, ln.start, ln.escaped, ln.fell_back,
                                                 ln.new, ln.other, ln.end)), rate]


def review_rows(data: ReportData, group: str, whole: str) -> list[list[str]]:
    """Per-unit rows of one group, then the ``whole`` total row (the sum of the rows above)."""
    lines = data.review.lines.get(group, [])
    rows = [review_row(i, data.unit_name(ln.unit_key), ln) for i, ln in enumerate(lines, 1)]
    rows.append(review_row("", whole, data.review.totals[group]))
    return rows


def review_context(data: ReportData, plan: Plan) -> dict:
    """Context of ``review.j2``."""
    totals = [{"label": group_label(g), "start": t.start, "end": t.end, "escaped": t.escaped,
               "fell_back": t.fell_back, "new": t.new, "start_rate": t.start_rate or 0.0,
               "rate": t.rate or 0.0} for g, t in data.review.totals.items()]
    targets = [{"label": group_label(g), "reduction": t.reduction_pts, "verdict": VERDICTS[t.verdict]}
               for g, t in data.targets.items()]
    units = {ln.unit_key for lines in data.review.lines.values() for ln in lines}
    reports = {src.submission_id for lines in data.review.lines.values() for ln in lines
               for src in ln.sources}
    return {"lines": not data.review.empty, "totals": totals, "targets": targets,
            "unit_count": len(units), "report_count": len(reports),
            "target_min": plan.targets.rate_reduction_min_pts,
            "target_max": plan.targets.rate_reduction_max_pts}


def project2_context(data: ReportData) -> dict:
    """Context of ``project2.j2``."""
    p2 = data.project2
    return {"count": len(p2.models), "by_type": p2.by_type, "households": p2.households,
            "funding": p2.funding, "funding_total": p2.funding_total, "disbursed": p2.disbursed,
            "disbursement_rate": p2.disbursement_rate or 0.0}


def project2_unit_rows(data: ReportData, whole: str) -> list[list[str]]:
    """Per-unit Project 2 rows and the ``whole`` total row."""
    rows, total = [], {"models": 0, "households": 0, "funding": 0, "disbursed": 0}
    for i, (key, u) in enumerate(data.project2.per_unit.items(), 1):
        rows.append(_p2_row(str(i), data.unit_name(key), u))
        for k in total:
            total[k] += u[k]
    rows.append(_p2_row("", whole, total))
    return rows


def _p2_row(i: str, name: str, u: dict[str, int]) -> list[str]:
    rate = vn_percent(u["disbursed"] * 100 / u["funding"], 1) if u["funding"] else ""
    return [i, name, _number(u["models"]), _number(u["households"]), _number(u["funding"]),
            _number(u["disbursed"]), rate]


def funding_rows(data: ReportData) -> list[list[str]]:
    """Funding by source."""
    return [[FUND_LABELS[f], vn_number(data.project2.funding[f])] for f in FUNDS]


def organisation_context(data: ReportData, plan: Plan) -> dict:
    """Context of ``organisation.j2``."""
    rep, cov = data.reporting, data.coverage
    expected = len(rep.expected)
    return {"deadline": plan.report.deadline, "expected": expected,
            **{s: rep.count(s) for s in REPORT_COUNTED},
            "received_rate": rep.received * 100 / expected if expected else 0.0,
            "received": rep.received, "narrated": sum(1 for n in data.narratives if n.review),
            "sample": data.sample, "planned": len(cov.planned), "visited": len(cov.visited),
            "coverage_rate": cov.rate or 0.0, "adhoc": cov.adhoc_done}


def missing_context(data: ReportData, plan: Plan) -> dict:
    """The units whose report has not come: ``missing`` counts them, ``missing_names`` names a handful."""
    rep = data.reporting
    late = [u for u in rep.expected if rep.state[u.key] == "missing"]
    names = handful([u.name for u in late])
    # who is asked: "UBND xã A, xã B"; villages have no committee: "thôn Đông, thôn Tây"
    villages = all(places.is_village(k) for k in plan.unit_kinds())
    bodies = ", ".join(places.in_sentence(n) for n in names)
    return {"missing": len(late), "missing_names": names,
            "missing_bodies": (bodies if villages else f"UBND {bodies}") if names else ""}


def cited(data: ReportData, submission_id: int) -> str:
    """A commune's report as a reader cites it: by the day it was received."""
    day = data.submitted_on.get(submission_id)
    return f"Báo cáo ngày {short_date(day)}" if day else "Báo cáo"


def reporting_rows(data: ReportData) -> list[list[str]]:
    """Per expected unit: its reporting state and the report that decided it (by its date)."""
    rep = data.reporting
    return [[str(i), u.name, REPORTING_LABELS.get(rep.state[u.key], rep.state[u.key]),
             cited(data, rep.submission_of[u.key]) if u.key in rep.submission_of else ""]
            for i, u in enumerate(rep.expected, 1)]


def recommendation_rows(data: ReportData) -> list[list[str]]:
    """Each recommendation, where it came from, the body that carries it out (alone in its column),
    due date and status (its outcome only when it says more)."""
    rows = []
    for r in data.recommendations:
        status = REC_LABELS.get(r.status, r.status)
        outcome = r.evidence_text if r.status == "resolved" and r.evidence_text else ""
        if outcome and not _restates(outcome, status):
            content = f"{r.content} (kết quả thực hiện: {outcome.rstrip('.')})"
        else:
            content = r.content
        rows.append([str(r.id), content, r.source, r.addressed_to, short_date(r.due_on), status])
    return rows


def _restates(outcome: str, status: str) -> bool:
    """``Đã thực hiện xong kiến nghị`` beside the status ``Đã thực hiện`` says nothing more."""
    def plain(text: str) -> str:
        return " ".join(text.replace("(dữ liệu minh họa)", "").strip(" .").casefold().split())
    said = plain(outcome)
    return said.startswith(plain(status)) and len(said.split()) <= len(plain(status).split()) + 3


def provenance_rows(data: ReportData, component: str) -> list[list[str]]:
    """Where each per-unit figure came from: submission, section and row; a model is named with
    the plan's ``component`` (``Dự án 2: …`` in a 2021–2025 plan)."""
    rows = []
    for group, lines in data.review.lines.items():
        for ln in lines:
            for src in ln.sources:
                rows.append([data.unit_name(ln.unit_key), group_label(group),
                             data.unit_name(src.unit_key), _received(data, src.submission_id),
                             f"Mục {src.section}, dòng {src.row}"])
    for m in data.project2.models:
        s = m.source
        shown = reporting_unit(data.units, m.unit_key, data.as_of)
        rows.append([data.unit_name(shown), f"{component}: {m.name}", data.unit_name(s.unit_key),
                     _received(data, s.submission_id), f"Mục {s.section}, dòng {s.row}"])
    return rows


def _received(data: ReportData, submission_id: int) -> str:
    """The day the report was received (the column reads "Báo cáo ngày")."""
    day = data.submitted_on.get(submission_id)
    return short_date(day) if day else ""
