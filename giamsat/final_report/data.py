"""Read the cycle's database into ``ReportData``: accepted, non-superseded figures up to a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from giamsat.criteria import summary as cs
from giamsat.db.models import (
    Finding,
    HouseholdFigure,
    PovertyModel,
    Recommendation,
    SampleDraw,
    Submission,
    Unit,
    Visit,
)
from giamsat.domain import clock
from giamsat.domain import indicators as ind
from giamsat.domain.formatting import in_sentence, short_date
from giamsat.final_report.model import CriteriaData, RecItem, ReportData, SampledCommune, SampleRecord
from giamsat.final_report.narratives import CommuneNarrative, narrative_of
from giamsat.plan.schema import Plan

DONE_VISITS = ("done", "recorded", "completed")
DIFFICULTY_CATEGORIES = ("difficulty", "difficulties", "obstacle", "khó khăn")
SYNTHETIC_SOURCES = ("demo", "synthetic")


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(clock.TZ).date()


def _unit_rows(session: Session, cycle_id: int) -> list:
    """The cycle's units as plain rows (no ORM objects: a country has thousands), in id order."""
    return list(session.execute(select(Unit.id, Unit.code, Unit.name, Unit.valid_from, Unit.valid_to,
                                       Unit.successor_id).where(Unit.cycle_id == cycle_id)
                                .order_by(Unit.id)).all())


def unit_refs(session: Session, cycle_id: int, rows: list | None = None) -> dict[str, ind.UnitRef]:
    """Every unit of the cycle (old and new), keyed ``code@valid_from``, in configuration order."""
    rows = _unit_rows(session, cycle_id) if rows is None else rows
    key_of = {u.id: f"{u.code}@{u.valid_from.isoformat()}" for u in rows}
    return {key_of[u.id]: ind.UnitRef(key_of[u.id], u.code, u.name, u.valid_from, u.valid_to,
                                      key_of.get(u.successor_id) if u.successor_id else None)
            for u in rows}


def _current_accepted(subs: Sequence[Row], superseded: set[int]) -> list[Row]:
    """Per unit, the newest accepted submission that no later one supersedes."""
    best: dict[int, Row] = {}
    for sub in sorted(subs, key=lambda s: (s.received_at, s.id)):
        if sub.status == "accepted" and sub.id not in superseded and sub.unit_id is not None:
            best[sub.unit_id] = sub
    return list(best.values())


def load_report_data(session: Session, plan: Plan, cycle_id: int, as_of: dt.date,
                     synthetic_data: bool = False) -> ReportData:
    """All figures of the report as of ``as_of`` (inclusive), read from the database.

    ``synthetic_data``: the figures come from synthetic communes (the demo), so the report says so.
    """
    unit_rows = _unit_rows(session, cycle_id)
    units = unit_refs(session, cycle_id, unit_rows)
    key_of = {u.id: f"{u.code}@{u.valid_from.isoformat()}" for u in unit_rows}
    every = list(session.execute(select(  # columns only: the figures JSON is read a chunk at a time
        Submission.id, Submission.unit_id, Submission.status, Submission.late, Submission.received_at,
        Submission.supersedes_id, Submission.source).where(Submission.cycle_id == cycle_id)).all())
    subs = [s for s in every if _day(s.received_at) <= as_of]
    superseded = {s.supersedes_id for s in subs if s.supersedes_id is not None}
    accepted = _current_accepted(subs, superseded)
    rows = _household_rows(session, accepted, key_of)
    review = ind.household_review(units, rows, as_of)
    targets = {g: t for g, line in review.totals.items() if g == "poor"
               if (t := ind.target_check(line, plan.targets.rate_reduction_min_pts,
                                         plan.targets.rate_reduction_max_pts)) is not None}
    infos = [ind.SubmissionInfo(s.id, key_of[s.unit_id], s.status, bool(s.late), _day(s.received_at),
                                s.id in superseded) for s in subs if s.unit_id is not None]
    expected = [u for u in units.values()
                if u.valid_from <= plan.report.deadline and (u.valid_to is None
                                                             or plan.report.deadline <= u.valid_to)]
    sample = _sample(session, cycle_id, as_of, units)
    visits = _visits(session, cycle_id, as_of, key_of)
    planned = [c.unit_key for c in sample.communes] if sample else []
    recs = _recommendations(session, cycle_id, as_of, units, key_of, plan.bodies.office.short,
                            f"Đoàn giám sát của {plan.bodies.upper_body.name}",
                            {s.id: s.received_at for s in every})
    synthetic = synthetic_data or any(s.source in SYNTHETIC_SOURCES for s in accepted)
    return ReportData(
        as_of=as_of, units=units, review=review, targets=targets,
        project2=ind.project2(units, _model_rows(session, accepted, key_of), as_of),
        reporting=ind.reporting(expected, infos), coverage=ind.coverage(planned, visits),
        sample=sample, recommendations=recs,
        rec_counts=ind.recommendations_by_status(r.status for r in recs),
        difficulties=_difficulties(session, cycle_id, as_of), synthetic=synthetic,
        narratives=_narratives(session, accepted, units, key_of),
        submitted_on={s.id: _day(s.received_at) for s in subs},
        minutes_recorded=_minutes(session, cycle_id, as_of, key_of, set(planned)),
        criteria=CriteriaData(cs.findings_by_criterion(session, cycle_id, as_of),
                              cs.findings_by_unit(session, cycle_id, as_of),
                              cs.communes_answers(session, cycle_id, as_of),
                              cs.appraisal_summary(session, cycle_id, as_of)))


def _household_rows(session: Session, accepted: list[Row],
                    key_of: dict[int, str]) -> list[ind.HouseholdRow]:
    by_id = {s.id: s for s in accepted}
    if not by_id:
        return []
    f_ = HouseholdFigure
    figs = session.execute(select(
        f_.submission_id, f_.row_index, f_.group, f_.total_households, f_.at_start, f_.escaped,
        f_.fell_back, f_.newly_poor, f_.other_changes, f_.at_end)
        .where(f_.submission_id.in_(by_id)).order_by(f_.submission_id, f_.row_index))
    out = []
    for f in figs:
        unit_key = key_of[by_id[f.submission_id].unit_id]  # accepted: has a unit
        out.append(ind.HouseholdRow(unit_key, f.group, f.total_households, f.at_start, f.escaped,
                                    f.fell_back, f.newly_poor, f.other_changes, f.at_end,
                                    ind.Source(f.submission_id, "B", f.row_index, unit_key)))
    return out


def _model_rows(session: Session, accepted: list[Row],
                key_of: dict[int, str]) -> list[ind.ModelRow]:
    by_id = {s.id: s for s in accepted}
    if not by_id:
        return []
    p = PovertyModel
    models = session.execute(select(
        p.submission_id, p.row_index, p.name, p.village, p.model_type, p.households_poor,
        p.households_near_poor, p.households_escaped, p.households_other, p.fund_central, p.fund_local,
        p.fund_counterpart, p.fund_credit, p.disbursed)
        .where(p.submission_id.in_(by_id)).order_by(p.submission_id, p.row_index))
    out = []
    for m in models:
        unit_key = key_of[by_id[m.submission_id].unit_id]  # accepted: has a unit
        out.append(ind.ModelRow(
            unit_key, m.name, m.village, m.model_type,
            {"poor": m.households_poor, "near_poor": m.households_near_poor,
             "escaped": m.households_escaped, "other": m.households_other},
            {"central": m.fund_central, "local": m.fund_local, "counterpart": m.fund_counterpart,
             "credit": m.fund_credit}, m.disbursed,
            ind.Source(m.submission_id, "A", m.row_index, unit_key)))
    return out


def _sample(session: Session, cycle_id: int, as_of: dt.date,
            units: dict[str, ind.UnitRef]) -> SampleRecord | None:
    draw = session.scalars(select(SampleDraw).where(
        SampleDraw.cycle_id == cycle_id, SampleDraw.status == "approved",
        SampleDraw.draw_on <= as_of).order_by(SampleDraw.draw_on.desc(), SampleDraw.id.desc())).first()
    if draw is None:
        return None
    by_code = {(u.code, u.valid_from): u for u in units.values()}
    communes = []
    for item in (draw.result or {}).get("units", []):  # the shape sampling.draw() stores
        key = item.get("unit_key") or item.get("key")
        if key is None:
            code = str(item.get("code", ""))
            match = [u for (c, _), u in by_code.items() if c == code and u.valid_from <= draw.draw_on
                     and (u.valid_to is None or draw.draw_on <= u.valid_to)]
            key = match[0].key if match else code
        villages = tuple(v if isinstance(v, str) else str(v.get("name", ""))
                         for v in item.get("villages", []))
        name = item.get("name") or (units[key].name if key in units else key)
        communes.append(SampledCommune(key, name, villages))
    return SampleRecord(draw.id, draw.draw_on, draw.seed, draw.seed_source, draw.algorithm,
                        draw.algorithm_version, draw.record_sha256, draw.decided_by, tuple(communes))


def _visits(session: Session, cycle_id: int, as_of: dt.date,
            key_of: dict[int, str]) -> list[ind.VisitInfo]:
    out = []
    for v in session.scalars(select(Visit).where(Visit.cycle_id == cycle_id)):
        recorded = v.recorded_at is not None and _day(v.recorded_at) <= as_of
        done = recorded or (v.status in DONE_VISITS and v.scheduled_on <= as_of)
        out.append(ind.VisitInfo(key_of[v.unit_id], v.kind, done))
    return out


def _recommendations(session: Session, cycle_id: int, as_of: dt.date, units: dict[str, ind.UnitRef],
                     key_of: dict[int, str], office: str, upper_team: str,
                     received: dict[int, dt.datetime]) -> list[RecItem]:
    """The recommendations made by ``as_of``; ``received``: every report's arrival, by id."""
    r_ = Recommendation
    recs = session.execute(select(r_.id, r_.created_at, r_.unit_id, r_.source_kind, r_.submission_id,
                                  r_.visit_id, r_.content, r_.addressed_to, r_.due_on, r_.status,
                                  r_.evidence_text).where(r_.cycle_id == cycle_id).order_by(r_.id))
    visited: dict[int, dt.date] | None = None
    out = []
    for r in recs:
        if _day(r.created_at) > as_of:
            continue
        unit = units.get(key_of.get(r.unit_id, "")) if r.unit_id else None
        name = unit.name if unit else ""
        if r.source_kind == "provincial":
            source = upper_team
        elif r.source_kind == "submission" and r.submission_id is not None:
            at = received.get(r.submission_id)
            if at is None:  # a report of another cycle (never written so; as before, by its id)
                at = session.scalar(select(Submission.received_at).where(Submission.id == r.submission_id))
            source = (f"Báo cáo của {in_sentence(name)} ngày {short_date(_day(at))}"
                      if at is not None else office)
        elif r.source_kind == "visit" and r.visit_id is not None:
            if visited is None:  # read once, when a visit's recommendation is met
                visited = dict(session.execute(select(Visit.id, Visit.scheduled_on)
                                               .where(Visit.cycle_id == cycle_id)).tuples().all())
            on = visited.get(r.visit_id)
            if on is None:  # a visit of another cycle (never written so; as before, by its id)
                on = session.scalar(select(Visit.scheduled_on).where(Visit.id == r.visit_id))
            source = (f"Biên bản giám sát tại {in_sentence(name)} ngày {short_date(on)}"
                      if on is not None else office)
        else:
            source = office
        out.append(RecItem(r.id, r.content, r.addressed_to, unit.name if unit else None, source,
                           r.due_on, r.status, r.evidence_text))
    return out


def _minutes(session: Session, cycle_id: int, as_of: dt.date, key_of: dict[int, str],
             planned: set[str]) -> int:
    """Sampled communes whose visit minutes were recorded by ``as_of``."""
    done = {key_of[v.unit_id] for v in session.scalars(select(Visit).where(
        Visit.cycle_id == cycle_id, Visit.kind == "sampled", Visit.recorded_at.is_not(None)))
        if v.recorded_at is not None and _day(v.recorded_at) <= as_of}
    return len(done & planned)


def _narratives(session: Session, accepted: list[Row], units: dict[str, ind.UnitRef],
                key_of: dict[int, str]) -> list[CommuneNarrative]:
    """Each accepted report's section C and D, verbatim, in the units' order (the stored figures
    read 500 reports at a time and only their texts kept: a country's figures never all in memory)."""
    order = {k: i for i, k in enumerate(units)}
    texts = cs.figures_part(session, [s.id for s in accepted],
                            lambda part: narrative_of({"narratives": part}), part="narratives")
    out = []
    for sub in sorted(accepted, key=lambda s: order.get(key_of[s.unit_id], 0)):
        review, difficulties = texts[sub.id]
        if review or difficulties:
            name = units[key_of[sub.unit_id]].name  # accepted: has a unit
            out.append(CommuneNarrative(name, _day(sub.received_at), review, difficulties))
    return out


def _difficulties(session: Session, cycle_id: int, as_of: dt.date) -> list[str]:
    """Difficulties the monitoring team noted in its visits' minutes."""
    findings = session.scalars(select(Finding).join(Visit, Visit.id == Finding.visit_id).where(
        Visit.cycle_id == cycle_id, Visit.scheduled_on <= as_of,
        Finding.category.in_(DIFFICULTY_CATEGORIES)).order_by(Finding.visit_id, Finding.position))
    return list(dict.fromkeys(f.text.strip() for f in findings if f.text.strip()))
