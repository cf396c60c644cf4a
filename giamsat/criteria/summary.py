"""What documents read of the criteria: findings per criterion and per unit, the communes' answers
in section C, and the appraisal of every commune — each as of a date, from one session.

The API other documents (the final and interim reports, the office's report) build on:

- ``findings_list(session, cycle_id, as_of)`` → ``[FindingLine]`` (one per unit and criterion)
- ``findings_by_criterion(session, cycle_id, as_of)`` → ``[CriterionSummary]``
- ``findings_by_unit(session, cycle_id, as_of)`` → ``[UnitFindings]``
- ``communes_answers(session, cycle_id, as_of)`` → ``{criterion key: [CommuneAnswer]}``
- ``appraisal_summary(session, cycle_id, as_of)`` → ``[AppraisalLine]``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from giamsat.criteria.model import (
    AppraisalLine,
    CommuneAnswer,
    CriterionSummary,
    FindingLine,
    UnitFindings,
)
from giamsat.db.models import Appraisal, CriterionFinding, Recommendation, Submission, Unit
from giamsat.domain import clock
from giamsat.domain.vocabulary import label

T = TypeVar("T")


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.TZ).date()




def _findings(session: Session, cycle_id: int, as_of: dt.date | None) -> list[tuple[CriterionFinding, str]]:
    rows = session.execute(select(CriterionFinding, Unit.name).outerjoin(
        Unit, Unit.id == CriterionFinding.unit_id).where(CriterionFinding.cycle_id == cycle_id)
        .order_by(CriterionFinding.id)).all()
    return [(f, name or "") for f, name in rows if as_of is None or _day(f.recorded_at) <= as_of]


def findings_list(session: Session, cycle_id: int, as_of: dt.date | None = None) -> list[FindingLine]:
    """Every finding recorded by ``as_of``, in the order recorded."""
    return [FindingLine(name, f.content, f.level, f.criterion_key, f.criterion_title, f.result,
                        label("finding_result", f.result), f.evidence or "", f.note or "", f.source)
            for f, name in _findings(session, cycle_id, as_of)]


def findings_by_criterion(session: Session, cycle_id: int,
                          as_of: dt.date | None = None) -> list[CriterionSummary]:
    """Per criterion (in the order the minutes list them): how many units met it, partly, not."""
    out: dict[tuple[str, str, str], CriterionSummary] = {}
    for f, unit_name in _findings(session, cycle_id, as_of):
        item = out.setdefault((f.content, f.level, f.criterion_key),
                              CriterionSummary(f.content, f.level, f.criterion_key, f.criterion_title))
        item.counts[f.result] = item.counts.get(f.result, 0) + 1
        if f.result != "met":
            item.short_of.append((unit_name, label("finding_result", f.result), f.evidence or ""))
    return list(out.values())


def findings_by_unit(session: Session, cycle_id: int,
                     as_of: dt.date | None = None) -> list[UnitFindings]:
    """Per unit visited (in the order recorded): its counts and the criteria it fell short of."""
    out: dict[int | None, UnitFindings] = {}
    for f, unit_name in _findings(session, cycle_id, as_of):
        if f.unit_id is None:  # the issuer's own work is not a unit visited
            continue
        item = out.setdefault(f.unit_id, UnitFindings(unit_name))
        item.counts[f.result] = item.counts.get(f.result, 0) + 1
        if f.result != "met":
            item.short_of.append(f"{f.criterion_title} ({label('finding_result', f.result).lower()})")
    return list(out.values())



def _current_reports(session: Session, cycle_id: int, as_of: dt.date | None) -> list[tuple[Row, str]]:
    """Per unit (by id: a merged unit may keep its old name), its newest report by ``as_of``: the
    report's id, unit id and arrival (plain rows, no ORM objects) with the unit's name."""
    rows = session.execute(select(Submission.id, Submission.unit_id, Submission.received_at, Unit.name)
                           .join(Unit, Unit.id == Submission.unit_id)
                           .where(Submission.cycle_id == cycle_id,
                                  Submission.status.in_(("accepted", "superseded")))
                           .order_by(Unit.id, Submission.received_at, Submission.id)).all()
    best: dict[int | None, tuple[Row, str]] = {}
    for row in rows:
        if as_of is None or _day(row.received_at) <= as_of:
            best[row.unit_id] = (row, row.name)
    return list(best.values())


def figures_part(session: Session, ids: list[int], take: Callable[[Any], T],
                 part: str | None = None) -> dict[int, T]:
    """``take`` of each submission's stored figures (or of only their ``part``, extracted by the
    database), by id, read 500 reports at a time: only what ``take`` keeps stays in memory (a
    country's figures never all at once)."""
    column = Submission.figures if part is None else Submission.figures[part]
    out: dict[int, T] = {}
    for i in range(0, len(ids), 500):
        for sub_id, figures in session.execute(select(Submission.id, column)
                                               .where(Submission.id.in_(ids[i:i + 500]))):
            out[sub_id] = take(figures)
    return out


def communes_answers(session: Session, cycle_id: int,
                     as_of: dt.date | None = None) -> dict[str, list[CommuneAnswer]]:
    """Each section C criterion's answers, commune by commune, from their current reports."""
    out: dict[str, list[CommuneAnswer]] = {}
    current = _current_reports(session, cycle_id, as_of)
    answers = figures_part(session, [sub.id for sub, _ in current], lambda part: part or {},
                           part="criteria")
    for sub, name in current:
        for key, given in answers[sub.id].items():
            out.setdefault(key, []).append(CommuneAnswer(name, str(given.get("answer", "")),
                                                         str(given.get("detail", ""))))
    return out



def _asked(content: str) -> str:
    """The questions of an appraisal's recommendation (its text after "làm rõ: ")."""
    return content.split("làm rõ: ", 1)[-1]


def appraisal_summary(session: Session, cycle_id: int,
                      as_of: dt.date | None = None) -> list[AppraisalLine]:
    """The appraisal of every commune that has reported (or was appraised), in unit order."""
    reported = {sub.unit_id for sub, _ in _current_reports(session, cycle_id, as_of)}
    a_ = Appraisal
    appraised = {a.unit_id: a for a in session.execute(select(
        a_.unit_id, a_.recommendation_id, a_.result, a_.questions, a_.note, a_.recorded_at)
        .where(a_.cycle_id == cycle_id)) if as_of is None or _day(a.recorded_at) <= as_of}
    wanted = [a.recommendation_id for a in appraised.values() if a.recommendation_id]
    recs = {r.id: r for i in range(0, len(wanted), 500) for r in session.execute(
        select(Recommendation.id, Recommendation.status, Recommendation.content)
        .where(Recommendation.id.in_(wanted[i:i + 500])))}
    out = []
    for unit in session.execute(select(Unit.id, Unit.name, Unit.code).where(Unit.cycle_id == cycle_id)
                                .order_by(Unit.id)):
        a = appraised.get(unit.id)
        if a is None and unit.id not in reported:
            continue
        rec = recs.get(a.recommendation_id) if a is not None and a.recommendation_id else None
        result = a.result if a is not None else "pending"
        out.append(AppraisalLine(unit.name, unit.code, result, label("appraisal_result", result),
                                 tuple(a.questions) if a else (), a.note if a else None,
                                 _day(a.recorded_at) if a else None, rec.id if rec else None,
                                 rec.status if rec else None,
                                 _asked(rec.content) if rec and result == "agreed" else None))
    return out
