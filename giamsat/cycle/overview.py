"""The cycle at a glance: each step's due date, status (done / pending / overdue) and what it waits for.

Status is derived from the facts in the database (messages, obligations, draws, visits,
recommendations, documents), so it is right whichever process did the work; a step found done is
recorded in the Step table once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.collect.records import local_day
from giamsat.cycle.facts import (
    Visits,
    assigned_reports,
    cutoff_after,
    documents_made,
    draw_as_of,
    findings_recorded,
    messages_sent,
    unsigned_as_of,
    visits_as_of,
)
from giamsat.cycle.notices import notices_as_of
from giamsat.cycle.rec_status import recommendations_as_of
from giamsat.cycle.reports import report_status_rows, summarise
from giamsat.cycle.sync import mark_step_done
from giamsat.db.models import Step
from giamsat.domain import clock
from giamsat.domain.formatting import short_date
from giamsat.domain.textsafety import markdown_text
from giamsat.domain.vocabulary import STEP_STATUS, label
from giamsat.issuance.service import signature_line
from giamsat.plan.milestones import Milestone, milestones
from giamsat.plan.wording import issuer_place
from giamsat.runtime import Runtime

SIGNED_KINDS = ("notify_plan", "notify_letter", "interim_report", "final_report")
URGENCY = {"overdue": 0, "pending": 1, "not_started": 2, "done": 3}
MARKS = {"done": "✅", "overdue": "⚠️", "pending": "⏳", "not_started": "▫️"}


def by_urgency(rows: list[StepStatus]) -> list[StepStatus]:
    """Overdue steps first, then those under way, not yet started, done; cycle order within each."""
    return sorted(rows, key=lambda r: URGENCY[r.status])


@dataclass(frozen=True)
class StepStatus:
    """One row of the ``cycle-status`` table."""

    step: str
    title: str
    starts_on: dt.date
    due_on: dt.date
    status: str
    waiting_for: str

    def as_artifact_row(self) -> dict[str, str]:
        """The row as the ``cycle-status`` artifact shows it: four Vietnamese columns."""
        return {"Bước": self.title, "Hạn": short_date(self.due_on), "Tình trạng": STEP_STATUS[self.status],
                "Đang chờ": self.waiting_for}

    def as_row(self) -> dict[str, str]:
        """The row as the UI and ``giamsat status`` show it (Vietnamese labels)."""
        row = asdict(self)
        row.update(starts_on=short_date(self.starts_on), due_on=short_date(self.due_on),
                   status=f"{self.status} ({STEP_STATUS[self.status]})")
        return row


def _collect(reports: dict, assigned: int) -> tuple[bool, str]:
    """Collect's (done?, waiting for), from the same count as the commune table (``summarise``)."""
    if not assigned:
        return False, "chưa giao nhiệm vụ báo cáo"
    left, expected = reports["outstanding"], reports["expected"]
    if not left:
        return True, f"đã nhận đủ {expected} báo cáo"
    return False, f"còn {left}/{expected} đơn vị chưa có báo cáo đạt yêu cầu"


def _unsigned(session: Session, cycle_id: int, cutoff: dt.datetime | None = None) -> dict[str, list[int]]:
    """The drafts not yet registered (before ``cutoff``, if given), by kind (``notify_plan``…)."""
    return unsigned_as_of(session, cycle_id, SIGNED_KINDS, cutoff)


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids[:3]) + (f"… ({len(ids)} văn bản)" if len(ids) > 3 else "")


def _signature_waits(unsigned: dict[str, list[int]]) -> dict[str, str]:
    """What a step needs registered before it can send (drafts not allowed to go out)."""
    waits = {}
    plan, letters = unsigned.get("notify_plan", []), unsigned.get("notify_letter", [])
    if plan:
        waits["notify"] = (f"chờ ký số và đăng ký kế hoạch (mã {_ids(plan)}: giamsat doc register) "
                           "trước khi gửi thông báo")
    elif letters:
        waits["notify"] = (f"{len(letters)} công văn chờ ký số và đăng ký (mã {_ids(letters)}: giamsat doc "
                           "register); đơn vị nhận thư khi công văn của mình được đăng ký")
    interim = unsigned.get("interim_report", [])
    if interim:
        waits["provincial_visit"] = (f"báo cáo gửi Đoàn giám sát đã lập, chờ ký số và đăng ký (mã "
                                     f"{_ids(interim)}: giamsat doc register) trước khi gửi")
    final = unsigned.get("final_report", [])
    if final:
        waits["final_report"] = (f"báo cáo đã lập, chờ ký số và đăng ký (mã {_ids(final)}: giamsat doc "
                                 "register) trước khi gửi")
    return waits


# The kinds of document each step sends, in the order it needs them signed.
_SIGNED_FOR_STEP = {"notify": ("notify_plan", "notify_letter"), "provincial_visit": ("interim_report",),
                    "final_report": ("final_report",)}


def signature_wait(rt: Runtime, step: str) -> tuple[str, list[int]] | None:
    """What ``step`` waits to have signed and registered (as ``status`` words it) and those
    documents' ids; None when it waits for no signature."""
    with rt.db.unit_of_work() as s:
        unsigned = _unsigned(s, rt.cycle_id)
    text = _signature_waits(unsigned).get(step)
    ids = next((unsigned[k] for k in _SIGNED_FOR_STEP.get(step, ()) if unsigned.get(k)), [])
    return (text, ids) if text else None


def _provincial(session: Session, cycle_id: int, as_of: dt.date, cutoff: dt.datetime,
                visit_on: dt.date | None, unsigned: str | None = None) -> tuple[bool, str]:
    """The upper team's visit: done once its findings are recorded; else what it waits for."""
    if visit_on is None:
        return False, "kế hoạch không có lịch làm việc của Đoàn giám sát cấp trên"
    found = findings_recorded(session, cycle_id, cutoff)
    if found:
        return True, f"đã ghi nhận {found} kết luận của Đoàn giám sát"
    written = documents_made(session, cycle_id, "interim_report", cutoff)
    sent = messages_sent(session, cycle_id, "interim_report", cutoff)
    if not written:
        return False, "chưa lập báo cáo gửi Đoàn giám sát"
    if unsigned and not sent:
        return False, unsigned
    if not sent:
        return False, "báo cáo gửi Đoàn giám sát chưa gửi đi"
    return False, (f"đã gửi báo cáo; chờ buổi làm việc ngày {short_date(visit_on)}" if as_of < visit_on
                   else "chờ ghi nhận kết luận của Đoàn giám sát")


def _visits_text(approved: bool, v: Visits, sample: int) -> str:
    """What the visits step waits for: the sampled visits against the sample, ad-hoc ones apart."""
    if not approved:
        return "chờ phê duyệt mẫu"
    if not v.sampled and not v.adhoc:
        return "chưa lập lịch giám sát"
    if not v.sampled:
        text = "chưa lập lịch giám sát các đơn vị trong mẫu"
    elif v.sampled_open:
        text = f"còn {v.sampled_open}/{v.sampled} cuộc giám sát theo mẫu chưa có biên bản"
    else:
        text = f"đã giám sát {v.sampled}/{sample} đơn vị trong mẫu"
    if v.adhoc:
        text += f"; {v.adhoc} cuộc giám sát đột xuất" + (
            f" ({v.adhoc_open} cuộc chưa có biên bản)" if v.adhoc_open else "")
    return text


def _facts(session: Session, cycle_id: int, as_of: dt.date, cutoff: dt.datetime, reports: dict,
           strict: bool, blocked: set[str], visit_on: dt.date | None = None) -> dict[str, tuple[bool, str]]:
    """For each step: (done?, what it is waiting for) from the rows recorded before ``cutoff``
    (the end of ``as_of``: a later row is not there yet); ``reports`` as of ``as_of``.

    ``strict``: drafts may not go out, so a step whose document waits for its signed original is not
    done (notify sends nothing before the plan is registered; the final report waits for its own).
    ``blocked`` gets the steps whose facts overrule a recorded "done" (e.g. notify whose 18 e-mails
    all failed is not "Hoàn thành" because the step recorded itself done when it queued them).
    """
    assigned = assigned_reports(session, cycle_id, cutoff)
    n = notices_as_of(session, cycle_id, cutoff)
    draw = draw_as_of(session, cycle_id, cutoff)
    v = visits_as_of(session, cycle_id, cutoff)
    recs = recommendations_as_of(session, cycle_id, cutoff, as_of)
    final = documents_made(session, cycle_id, "final_report", cutoff)
    approved = draw is not None and draw.status == "approved"
    visits = v.sampled + v.adhoc
    visits_done = approved and visits > 0 and v.sampled_open + v.adhoc_open == 0
    waits = _signature_waits(_unsigned(session, cycle_id, cutoff)) if strict else {}
    notify_text = ("chưa gửi thông báo" if n.queued == 0 else
                   f"{n.unsent}/{n.queued} thư thông báo chưa gửi được"
                   + (f" ({n.error})" if n.error else "") if n.unsent else
                   f"đã gửi {n.queued} thư thông báo")
    if n.unsent:
        waits.setdefault("notify", "")  # mail unsent: not complete though the step recorded itself done
    blocked.update(waits)
    return {
        "notify": (n.queued > 0 and n.unsent == 0 and "notify" not in waits,
                   f"{waits['notify']}; {notify_text}" if waits.get("notify") and n.queued else
                   waits.get("notify") or notify_text),
        "collect": _collect(reports, assigned),
        "draw": (approved, "chưa chọn mẫu" if draw is None else
                 f"chờ điều phối viên phê duyệt lần chọn #{draw.id}" if draw.status == "proposed"
                 else f"lần chọn #{draw.id}: {label('draw_status', draw.status)}"),
        "visits": (visits_done, _visits_text(approved, v, draw.sample if draw else 0)),
        "followup": (visits_done and recs.open == 0,
                     f"còn {recs.open}/{recs.total} kiến nghị chưa xử lý ({recs.late} quá hạn)"
                     if recs.open else f"{recs.total} kiến nghị, không còn kiến nghị mở"),
        "provincial_visit": _provincial(session, cycle_id, as_of, cutoff, visit_on,
                                        waits.get("provincial_visit")),
        "final_report": (final > 0 and "final_report" not in waits,
                         waits.get("final_report", "đã lập báo cáo" if final else "chưa lập báo cáo")),
    }


def _status(m: Milestone, done: bool, as_of: dt.date) -> str:
    if done:
        return "done"
    if as_of > m.due_on:
        return "overdue"
    return "pending" if as_of >= m.starts_on else "not_started"


def cycle_status(rt: Runtime, as_of: dt.date, report_rows: list[dict] | None = None) -> list[StepStatus]:
    """Every step of the cycle with its status on ``as_of``; records newly finished steps.

    ``report_rows``: the per-unit rows of ``report_status_rows`` on ``as_of`` when the caller has
    them already (computed once per publication, not once per view)."""
    reports = summarise(report_rows if report_rows is not None else report_status_rows(rt, as_of))
    with rt.db.unit_of_work() as s:
        blocked: set[str] = set()
        facts = _facts(s, rt.cycle_id, as_of, cutoff_after(as_of, rt.plan.calendar.timezone), reports,
                       not rt.plan.documents.allow_drafts, blocked, rt.plan.visits.provincial_visit_on)
        recorded = {st.key for st in s.scalars(select(Step).where(
            Step.cycle_id == rt.cycle_id, Step.status == "done"))
            if st.done_at is None or local_day(rt, st.done_at) <= as_of}  # not done before it was
        out = []
        for m in milestones(rt.plan, rt.calendar):
            done, waiting = facts[m.key]
            if done and m.key not in recorded:
                mark_step_done(s, rt.cycle_id, m.key, clock.at_office_hours(as_of, 17))
            # a step recorded done that now has mail unsent or a document unsigned is not complete
            done = done or (m.key in recorded and m.key not in blocked)
            out.append(StepStatus(m.key, m.title, m.starts_on, m.due_on,
                                  _status(m, done, as_of), waiting))
    return out


def timeline_markdown(rt: Runtime, rows: list[StepStatus], as_of: dt.date,
                      signatures: str | None = None) -> str:
    """A markdown timeline of the cycle for the Prefect UI; plan texts are escaped (inert).
    ``signatures``: ``signature_line(rt)`` when the caller has it already."""
    plan, md = rt.plan, markdown_text
    lines = [f"# Chu kỳ giám sát {md(plan.cycle_key)} — {md(issuer_place(plan))}",
             "", f"Tình hình đến ngày **{short_date(as_of)}** "
             f"(kỳ thực hiện {short_date(plan.period.start)} – {short_date(plan.period.end)}).", ""]
    for r in rows:  # a plain list: Prefect renders no formatting inside a checkbox list
        late = " **QUÁ HẠN**" if r.status == "overdue" else ""
        lines.append(f"- {MARKS[r.status]} {short_date(r.starts_on)} → {short_date(r.due_on)}: "
                     f"**{md(r.title)}** — {md(r.waiting_for)}{late}")
    lines += ["", f"**Văn bản:** {md(signature_line(rt) if signatures is None else signatures)}"]
    if plan.reorganisation:
        lines += ["", f"Sắp xếp đơn vị hành chính từ {short_date(plan.reorganisation.effective)} "
                      f"({md(plan.reorganisation.resolution)})."]
    lines += ["", f"_{md(plan.synthetic_notice)}_"]
    return "\n".join(lines)
