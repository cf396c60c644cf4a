"""The notify step's documents: the plan (KẾ HOẠCH with its annex) and the letter to each unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from giamsat.docx.decree30 import HEADER_COLUMNS_CM
from giamsat.docx.render import render_docx, render_docx_bytes
from giamsat.docx.stamp import Stamp
from giamsat.docx.table_layout import body_name_lines
from giamsat.domain.calendar import WorkingCalendar
from giamsat.domain.errors import PlanError
from giamsat.domain.formatting import doc_number, in_sentence, place_date, short_date
from giamsat.issuance.kinds import blank_number, blank_place_date
from giamsat.notify.templates import LETTER_TEMPLATE, PLAN_TEMPLATE
from giamsat.plan import places
from giamsat.plan.milestones import milestones
from giamsat.plan.schema import Plan, Signatory, Unit
from giamsat.plan.wording import plan_words, unit_words

# Placeholders for the per-unit values of ``letter_stamp``: nothing a plan could contain.
ADDRESSEE_TOKEN, BODY_TOKEN, KIND_TOKEN = "QGSLETTERADDRQ", "QGSLETTERBODYQ", "QGSLETTERKINDQ"
REQUEST_TOKEN = "QGSLETTERASKQ"
TOKENS = (ADDRESSEE_TOKEN, BODY_TOKEN, KIND_TOKEN, REQUEST_TOKEN)


def plan_number(plan: Plan) -> str:
    """``52/KH-UBND``: the plan's number and symbol as cited in other documents."""
    return doc_number(plan.plan_document.number, "KH", plan.bodies.committee.code or "UBND").removeprefix(
        "Số: ")


def _signer(s: Signatory) -> dict:
    return {"SIGN_CAPACITY": (s.capacity or "").upper(), "SIGN_DELEGATION": (s.delegation or "").upper(),
            "SIGN_TITLE": s.title.upper(), "sign_name": s.name}


def _schedule(plan: Plan, cal: WorkingCalendar) -> list[dict]:
    return [{"title": m.title, "start": m.starts_on, "end": m.due_on, "before": m.key == "collect"}
            for m in milestones(plan, cal)]


def common_context(plan: Plan, cal: WorkingCalendar) -> dict:
    """Facts both documents cite: plan number and date, contents, deadline, schedule."""
    summary = plan.plan_document.summary
    return {
        **plan_words(plan), "summary": summary, "summary_lower": in_sentence(summary),
        "plan_number": plan_number(plan), "plan_date": short_date(plan.plan_document.issued_on),
        "committee_short": plan.bodies.committee.short, "office_short": plan.bodies.office.short,
        "dept_short": plan.bodies.upper_body.short, "office_email": plan.bodies.office.email,
        "contents": [c.model_dump() for c in plan.contents],
        "deadline": short_date(plan.report.deadline), "sample_communes": plan.sample.communes,
        "draw_on": short_date(plan.sample.draw_on), "schedule": _schedule(plan, cal),
        "documents_to_prepare": plan.visits.documents_to_prepare, "year": plan.year,
        "form_version": plan.report.form_version,
        "village_draw": plan.sample.villages_per_commune > 0,  # villages drawn within each unit
    }


def _as_draft(context: dict, row_kind: str, plan: Plan) -> dict:
    """The number and date left blank, as a draft is before the văn thư numbers and dates it."""
    return context | {"number_line": blank_number(row_kind, plan),
                      "place_date": blank_place_date(plan.issuer.place_name, plan.year)}


def plan_context(plan: Plan, cal: WorkingCalendar, draft: bool = False) -> dict:
    """Everything the plan template (``ke-hoach.docx``) needs; ``draft``: number and date blank."""
    c = plan.bodies.committee
    context = {
        **common_context(plan, cal), **_signer(plan.signatories.committee),
        "ISSUING_BODY": c.name.upper(),
        "number_line": doc_number(plan.plan_document.number, "KH", c.code or "UBND"),
        "place_date": place_date(plan.issuer.place_name, plan.plan_document.issued_on),
        "implements": [b.model_dump() for b in plan.basis if b.funds_project is None],
        "funding": [b.model_dump() for b in plan.basis if b.funds_project is not None],
        "finance": plan.finance_office.model_dump() if plan.finance_office else None,
        "period_start": f"{plan.period.start.month}/{plan.period.start.year}",
        "period_end": f"{plan.period.end.month}/{plan.period.end.year}",
        "team": [m.model_dump() for m in plan.visits.team],
        "recipients": plan.recipients.plan, "archive": plan.recipients.plan_archive,
    }
    if not draft:
        return context
    blank = blank_number("notify_plan", plan).removeprefix("Số: ")  # "     /KH-UBND"
    return _as_draft(context, "notify_plan", plan) | {"plan_number": blank,
                                                      "plan_date": f"     /     /{plan.year}"}


def letter_context(plan: Plan, cal: WorkingCalendar, unit: Unit, issued_on: dt.date,
                   draft: bool = False) -> dict:
    """Everything the letter template (``cong-van-thong-bao.docx``) needs; ``draft``: number blank."""
    letter = plan.notification_letter
    if letter is None:
        raise PlanError("plan", ["notification_letter: thiếu số và trích yếu công văn thông báo"])
    o = plan.bodies.office
    context = {
        **common_context(plan, cal), **_signer(plan.signatories.office),
        "PARENT_BODY": (o.parent or "").upper(),
        "ISSUING_BODY": body_name_lines(o.name, HEADER_COLUMNS_CM[0], committee=False),
        "number_line": doc_number(letter.number, None, o.code or "LĐTBXH"),
        "letter_summary": letter.summary[:1].lower() + letter.summary[1:],
        "place_date": place_date(plan.issuer.place_name, issued_on),
        **unit_words(plan, unit),
        "unit_kind": places.KIND_WORD[unit.kind],
        "recipients": plan.recipients.letter, "archive": plan.recipients.letter_archive,
    }
    return _as_draft(context, "notify_letter", plan) if draft else context


def render_plan(plan: Plan, cal: WorkingCalendar, out_path: Path, draft: bool = False) -> Path:
    """Write the KẾ HOẠCH (with its annex) to ``out_path``; ``draft``: its number and date blank."""
    return render_docx(PLAN_TEMPLATE, plan_context(plan, cal, draft), out_path)


def render_letter(plan: Plan, cal: WorkingCalendar, unit: Unit, issued_on: dt.date,
                  out_path: Path) -> Path:
    """Write the letter announcing the plan to ``unit`` to ``out_path``."""
    return render_docx(LETTER_TEMPLATE, letter_context(plan, cal, unit, issued_on), out_path)


def letter_stamp(plan: Plan, cal: WorkingCalendar, issued_on: dt.date, sample: Unit,
                 draft: bool = False) -> Stamp:
    """The letter rendered once for every unit (issued on ``issued_on``); fill with ``letter_values``."""
    context = letter_context(plan, cal, sample, issued_on, draft) | {
        "unit_addressee": ADDRESSEE_TOKEN, "unit_body_cap": BODY_TOKEN, "unit_kind": KIND_TOKEN,
        "unit_request": REQUEST_TOKEN}
    return Stamp(render_docx_bytes(LETTER_TEMPLATE, context), TOKENS)


def letter_values(plan: Plan, unit: Unit) -> dict[str, str]:
    """The values ``letter_stamp``'s tokens stand for: whom the letter greets, who reports, and the
    unit's own kind (``thị trấn``) in "Báo cáo của …", and what it is asked to do."""
    words = unit_words(plan, unit)
    return {ADDRESSEE_TOKEN: words["unit_addressee"], BODY_TOKEN: words["unit_body_cap"],
            KIND_TOKEN: places.KIND_WORD[unit.kind], REQUEST_TOKEN: words["unit_request"]}
