"""The rows an intake writes besides the submission: figures, obligation, recommendations, answer."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from giamsat.cycle.sync import mark_step_done
from giamsat.db import audit
from giamsat.db.ids import Ids
from giamsat.db.models import (
    HouseholdFigure,
    Message,
    Obligation,
    PovertyModel,
    Recommendation,
    RecommendationEvent,
    Step,
    Submission,
    Unit,
)
from giamsat.domain.formatting import own_unit
from giamsat.messaging.outbox import enqueue, idempotency_key
from giamsat.plan.wording import plan_words, unit_words
from giamsat.runtime import Runtime


def local_day(rt: Runtime, moment: dt.datetime) -> dt.date:
    """The calendar day of ``moment`` in the plan's timezone."""
    return moment.astimezone(ZoneInfo(rt.plan.calendar.timezone)).date()


def is_late(rt: Runtime, received_at: dt.datetime) -> bool:
    """Whether a report received at ``received_at`` misses the plan's deadline rule."""
    day, deadline = local_day(rt, received_at), rt.plan.report.deadline
    return day >= deadline if rt.plan.report.deadline_rule == "before" else day > deadline


def supersede(rt: Runtime, s: Session, unit: Unit, new: Submission,
              at: dt.datetime) -> list[Submission]:
    """Mark the unit's earlier accepted reports superseded; their open recommendations follow."""
    old = list(s.scalars(select(Submission).where(
        Submission.unit_id == unit.id, Submission.status == "accepted", Submission.id != new.id)))
    for sub in old:
        sub.status = "superseded"
        audit.record(s, at=at, actor=rt.actor, action="submission.superseded", entity="submission",
                     entity_id=sub.id, cycle_id=rt.cycle_id, unit=unit.code, by=new.id)
        for rec in s.scalars(select(Recommendation).where(Recommendation.submission_id == sub.id,
                                                          Recommendation.status == "open")):
            rec.status, rec.updated_at = "withdrawn", at
            note = f"Thay thế bởi báo cáo #{new.id}"
            s.add(RecommendationEvent(recommendation_id=rec.id, at=at, status="withdrawn",
                                      actor=rt.actor, note=note))
            audit.record(s, at=at, actor=rt.actor, action="rec.withdrawn", entity="recommendation",
                         entity_id=rec.id, cycle_id=rt.cycle_id, status="withdrawn", note=note)
    return old


class ReportRows:
    """The rows of a transaction's accepted reports that need no ORM object: section A and B
    figures and section E recommendations (with their opening events), kept as plain rows and
    written in one statement per table by ``write``, after the reports' own rows are flushed."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self.households: list[dict] = []
        self.models: list[dict] = []
        self.recs: list[tuple[dict, dict]] = []  # (recommendation, its opening event)

    def add_figures(self, sub: Submission, figures: dict) -> None:
        """Section A and B figures of ``sub`` (its id given ahead)."""
        self.households += [{"submission_id": sub.id, "group": group, **values}
                            for group, values in figures["households"].items()]
        self.models += [{"submission_id": sub.id, **values} for values in figures["models"]]

    def add_recommendations(self, rt: Runtime, unit: Unit, sub: Submission, figures: dict,
                            at: dt.datetime) -> None:
        """One open recommendation per row of section E, due N working days after receipt."""
        due = rt.calendar.add_working_days(local_day(rt, at),
                                           rt.plan.followup.recommendation_due_working_days)
        note = f"Kiến nghị tại mục E báo cáo của {unit.name}"
        for row in figures["recommendations"]:
            rec = {"cycle_id": rt.cycle_id, "key": f"sub:{sub.id}:{row['row_index']}",
                   "source_kind": "submission", "submission_id": sub.id, "unit_id": unit.id,
                   "content": row["content"], "addressed_to": own_unit(row["addressed_to"], unit.name)[:300],
                   "due_on": due, "status": "open", "created_at": at, "updated_at": at}
            self.recs.append((rec, {"at": at, "status": "open", "actor": rt.actor, "note": note}))
            # the id is known once written: the entry takes it at commit
            audit.record(self.s, at=at, actor=rt.actor, action="rec.add", entity="recommendation",
                         entity_id=lambda rec=rec: rec["id"], cycle_id=rt.cycle_id, status="open",
                         note=note)

    def write(self) -> None:
        """Flush the reports, then insert the rows added since the last ``write``, in order."""
        self.s.flush()
        for model, rows in ((HouseholdFigure, self.households), (PovertyModel, self.models)):
            if rows:
                self.s.execute(insert(model), rows)
            rows.clear()
        if self.recs:  # their ids given now (the events name them), as a flush would give them
            ids = Ids(self.s, Recommendation, len(self.recs))
            for rec, event in self.recs:
                rec["id"] = event["recommendation_id"] = ids.next()
            self.s.execute(insert(Recommendation), [rec for rec, _ in self.recs])
            self.s.execute(insert(RecommendationEvent), [event for _, event in self.recs])
            self.recs.clear()


def report_obligation(rt: Runtime, s: Session, unit: Unit, now: dt.datetime) -> Obligation:
    """The unit's report obligation (created by notify; created here when missing)."""
    key = f"report:{unit.code}@{unit.valid_from.isoformat()}"
    ob = s.scalar(select(Obligation).where(Obligation.cycle_id == rt.cycle_id,
                                           Obligation.key == key))
    if ob is None:
        ob = Obligation(cycle_id=rt.cycle_id, kind="report", key=key, unit_id=unit.id,
                        due_on=rt.plan.report.deadline, status="open", created_at=now)
        s.add(ob)
        s.flush()
    return ob


def close_collect_step_if_complete(rt: Runtime, s: Session, at: dt.datetime) -> bool:
    """Mark the collect step done once every unit expected at the deadline has been accepted.

    One query whatever the number of units (this runs after every accepted report).
    """
    day = rt.plan.report.deadline
    expected = ((Unit.cycle_id == rt.cycle_id) & (Unit.valid_from <= day)
                & (Unit.valid_to.is_(None) | (Unit.valid_to >= day)))
    accepted = select(Submission.id).where(Submission.unit_id == Unit.id,
                                           Submission.status == "accepted").exists()
    step = s.scalar(select(Step).where(Step.cycle_id == rt.cycle_id, Step.key == "collect"))
    if step is None or step.status == "done":
        return False
    if s.scalar(select(Unit.id).where(expected).limit(1)) is None:
        return False
    if s.scalar(select(Unit.id).where(expected, ~accepted).limit(1)) is not None:
        return False
    mark_step_done(s, rt.cycle_id, "collect", at, note="Đã nhận đủ báo cáo của các đơn vị", actor=rt.actor)
    return True


def answer_key(rt: Runtime, kind: str, unit_code: str, sha256: str) -> str:
    """The outbox key of a report's acknowledgement or 'please correct' (``kind``)."""
    return idempotency_key(rt.plan.cycle_key, "collect", kind, unit_code, sha256[:16])


def answer(rt: Runtime, s: Session, unit: Unit, sub: Submission, superseded: bool,
           at: dt.datetime, ob: Obligation | None = None, flush: bool = True,
           new_id: int | None = None, words: dict | None = None) -> Message:
    """Queue the acknowledgement or the 'please correct' message for this submission
    (``flush=False``: the row is written by the caller's next flush; ``new_id``: see ``enqueue``;
    ``words``: the plan's wording, ``plan_words(rt.plan)``, when the caller has it)."""
    accepted = sub.status == "accepted"
    kind = "report_ack" if accepted else "report_correct"
    ctx = {**(words if words is not None else plan_words(rt.plan)), **unit_words(rt.plan, unit),
           "unit_name": unit.name, "unit_code": unit.code, "filename": sub.original_filename,
           "received_on": local_day(rt, at), "reference": f"BC-{sub.id:05d}",
           "received_time": at.astimezone(ZoneInfo(rt.plan.calendar.timezone)).strftime("%H:%M"),
           "office_name": rt.plan.bodies.office.short, "late": sub.late,
           "deadline": rt.plan.report.deadline, "deadline_rule": rt.plan.report.deadline_rule,
           "overdue": is_late(rt, at), "superseded": superseded,
           "errors": [e["text"] for e in sub.errors]}
    if accepted:
        f = sub.figures
        ctx |= {"models_count": len(f["models"]), "recommendations_count": len(f["recommendations"]),
                "poor_rate": f["households"]["poor"]["rate_pct"],
                "near_poor_rate": f["households"]["near_poor"]["rate_pct"]}
    ob = ob or report_obligation(rt, s, unit, at)
    key = answer_key(rt, kind, unit.code, sub.sha256)
    msg, _ = enqueue(s, cycle_id=rt.cycle_id, key=key, kind=kind, to=[unit.email],
                     template=kind, context=ctx, now=at, unit_id=unit.id, obligation_id=ob.id,
                     flush=flush, new_id=new_id)
    return msg
