"""The upper body's monitoring team (Đoàn giám sát của Sở / Bộ): the checklist, the report, the findings.

The plan dates the team's visit (``visits.provincial_visit_on``). A configured number of working
days before it, the issuer's report (the interim report) is written and sent to the upper body; the
office ticks the documents it prepares; after the visit the team's findings are recorded and its
recommendations enter the register (source ``provincial``), followed up like the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from giamsat.cycle.sync import mark_step_done
from giamsat.db.audit import record
from giamsat.db.models import Document, Message, PrepItem
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.domain.formatting import short_date
from giamsat.domain.textsafety import clean_line, clean_text
from giamsat.followup import service as followup
from giamsat.plan.milestones import provincial_report_day
from giamsat.plan.wording import plan_words
from giamsat.runtime import Runtime

MAX_FINDING = 5000


@dataclass(frozen=True)
class CheckItem:
    """One line of the checklist as the CLI, the status and the dashboard show it."""

    number: str          # "1", "2", … for a document the office ticks; "" for derived lines
    text: str
    done: bool
    note: str


@dataclass(frozen=True)
class RecInput:
    """A recommendation of the team: its content and who must carry it out."""

    content: str
    addressed_to: str
    addressed_email: str | None = None
    unit_code: str | None = None


def visit_day(rt: Runtime) -> dt.date:
    """The team's visit day, or a Conflict naming the plan field to fill."""
    day = rt.plan.visits.provincial_visit_on
    if day is None:
        raise Conflict("Kế hoạch không có lịch làm việc của Đoàn giám sát cấp trên "
                       "(khai báo visits.provincial_visit_on trong tệp kế hoạch).")
    return day


def _documents(s: Session, rt: Runtime) -> list[PrepItem]:
    """The documents to prepare, one row each, created from the plan on first use."""
    rows = {r.position: r for r in s.scalars(select(PrepItem).where(
        PrepItem.cycle_id == rt.cycle_id, PrepItem.kind == "document"))}
    for i, text in enumerate(rt.plan.visits.provincial_documents, 1):
        row = rows.get(i)
        if row is None:
            row = rows[i] = PrepItem(cycle_id=rt.cycle_id, kind="document", position=i, text=text)
            s.add(row)
        elif row.done_at is None:
            row.text = text
    s.flush()
    return [rows[i] for i in sorted(rows) if i <= len(rt.plan.visits.provincial_documents)]


def findings(s: Session, cycle_id: int) -> list[str]:
    """The team's findings as recorded, in order."""
    return list(s.scalars(select(PrepItem.text).where(
        PrepItem.cycle_id == cycle_id, PrepItem.kind == "finding").order_by(PrepItem.position)))


def report_state(s: Session, cycle_id: int) -> tuple[bool, bool]:
    """(written?, sent?) of the report to the upper body (the interim report)."""
    written = bool(s.scalar(select(func.count()).where(
        Document.cycle_id == cycle_id, Document.kind == "interim_report")))
    sent = bool(s.scalar(select(func.count()).where(
        Message.cycle_id == cycle_id, Message.kind == "interim_report", Message.status == "sent")))
    return written, sent


def checklist(rt: Runtime) -> list[CheckItem]:
    """The preparation checklist: the report to the upper body, each document, the findings."""
    day = visit_day(rt)
    report_day = provincial_report_day(rt.plan, rt.calendar)
    words = plan_words(rt.plan)
    with rt.db.unit_of_work() as s:
        docs = _documents(s, rt)
        written, sent = report_state(s, rt.cycle_id)
        found = findings(s, rt.cycle_id)
        out = [CheckItem("", f"Báo cáo kết quả giám sát gửi {words['upper_team']} "
                             f"(hạn {short_date(report_day)}, trước buổi làm việc "
                             f"{rt.plan.visits.provincial_report_working_days} ngày làm việc)",
                         sent, "đã gửi" if sent else "đã lập, chờ gửi" if written else "chưa lập")]
        out += [CheckItem(str(d.position), d.text, d.done_at is not None,
                          f"đã chuẩn bị ({d.actor}, {short_date(d.done_at.astimezone(clock.TZ))})"
                          if d.done_at else "chưa chuẩn bị") for d in docs]
        out.append(CheckItem("", f"Làm việc với {words['upper_team']} ngày {short_date(day)}; "
                                 "ghi nhận kết luận, kiến nghị của Đoàn", bool(found),
                             f"đã ghi nhận {len(found)} kết luận" if found else "chưa ghi nhận"))
    return out


def prepare(rt: Runtime, as_of: dt.date) -> dict:
    """The scheduled run: from the report's day, write and send the report once; the checklist."""
    from giamsat.final_report.service import interim_report

    day = visit_day(rt)
    report_day = provincial_report_day(rt.plan, rt.calendar)
    path = None
    if report_day <= as_of:  # always as of its own day, so a later run re-sends nothing
        with rt.db.unit_of_work() as s:
            queued = s.scalar(select(Message.id).where(
                Message.cycle_id == rt.cycle_id, Message.kind == "interim_report").limit(1))
            written = s.scalar(select(Document.path).where(
                Document.cycle_id == rt.cycle_id, Document.kind == "interim_report")
                .order_by(Document.id.desc()).limit(1))
        if queued is not None and written:  # already on its way: the report stays as it was sent
            path = written
        else:
            path = str(interim_report(rt, report_day, send=True))
            with rt.db.unit_of_work() as s:
                record(s, at=clock.at_office_hours(as_of, 16), actor=rt.actor, action="provincial.prepared",
                       entity="step", entity_id="provincial_visit", cycle_id=rt.cycle_id,
                       report=path, visit_on=day.isoformat())
    return {"visit_on": day.isoformat(), "report_on": report_day.isoformat(),
            "report": path, "checklist": checklist_rows(rt)}


def checklist_rows(rt: Runtime) -> list[dict]:
    """The checklist as plain rows (a flow's result, ``--json``)."""
    return [{"number": i.number, "text": i.text, "done": i.done, "note": i.note} for i in checklist(rt)]


def tick(rt: Runtime, number: int, actor: str, now: dt.datetime) -> CheckItem:
    """Mark document ``number`` of the checklist prepared (idempotent)."""
    visit_day(rt)
    with rt.db.unit_of_work() as s:
        docs = {d.position: d for d in _documents(s, rt)}
        doc = docs.get(number)
        if doc is None:
            raise NotFound(f"Không có tài liệu số {number} trong danh mục chuẩn bị "
                           f"(có {len(docs)} tài liệu: xem giamsat provincial checklist).")
        if doc.done_at is None:
            doc.done_at, doc.actor = now, actor
            record(s, at=now, actor=actor, action="provincial.prepared", entity="prep_item",
                   entity_id=doc.id, cycle_id=rt.cycle_id, document=doc.text)
        return CheckItem(str(number), doc.text, True, "đã chuẩn bị")


def record_findings(rt: Runtime, texts: list[str], recs: list[RecInput], actor: str,
                    now: dt.datetime) -> dict:
    """Record the team's findings and recommendations; the step is done once the visit has taken
    place and its findings are recorded. Re-recording the same texts adds nothing."""
    day = visit_day(rt)
    today = now.astimezone(clock.TZ).date()
    if today < day:
        raise Conflict(f"Đoàn giám sát làm việc ngày {short_date(day)}: chưa thể ghi kết luận "
                       f"trước ngày đó.")
    cleaned = [clean_text(t).strip() for t in texts]
    cleaned = [t for t in cleaned if t]
    if not cleaned and not recs:
        raise Conflict("Phải ghi ít nhất một kết luận (--finding) hoặc kiến nghị (--rec) của Đoàn.")
    for t in cleaned:
        if len(t) > MAX_FINDING:
            raise Conflict(f"Kết luận quá dài ({len(t)} ký tự; tối đa {MAX_FINDING} ký tự).")
    with rt.db.unit_of_work() as s:
        have = findings(s, rt.cycle_id)
        for t in cleaned:
            if t in have:
                continue
            s.add(PrepItem(cycle_id=rt.cycle_id, kind="finding", position=len(have) + 1, text=t,
                           done_at=now, actor=actor))
            have.append(t)
        record(s, at=now, actor=actor, action="provincial.findings", entity="step",
               entity_id="provincial_visit", cycle_id=rt.cycle_id, findings=len(cleaned),
               recommendations=len(recs))
    ids = [followup.add(rt, r.content, clean_line(r.addressed_to), r.addressed_email, r.unit_code, None,
                        actor, now, source_kind="provincial").id for r in recs]
    with rt.db.unit_of_work() as s:
        mark_step_done(s, rt.cycle_id, "provincial_visit", now, actor=actor)
    return {"findings": len(have), "recommendations": ids}

