"""Minutes of a visit: write the blank prefilled file, and record a filled one into the database."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from giamsat.cycle.sync import mark_step_done
from giamsat.db import audit
from giamsat.db.models import (
    Consultation,
    CriterionFinding,
    Document,
    Finding,
    Obligation,
    Recommendation,
    RecommendationEvent,
    Unit,
    Visit,
)
from giamsat.docx.reading import MB, Limits, open_docx
from giamsat.domain.errors import BadDocument
from giamsat.domain.formatting import own_unit, short_date
from giamsat.draw.service import approved_draw
from giamsat.files.fsutil import write_bytes_atomic
from giamsat.plan.places import is_village
from giamsat.plan.schema import Plan
from giamsat.plan.wording import contents_at, criteria_at, criteria_of, unit_words
from giamsat.runtime import Runtime
from giamsat.visits.minutes_doc import FilledMinutes, MinutesInfo, read_minutes, render_minutes
from giamsat.visits.minutes_rows import ParsedRows, parse_rows
from giamsat.visits.service import get_visit


@dataclass(frozen=True)
class RecordedMinutes:
    """What recording a minutes file stored; ``changed`` is False when it was already recorded."""

    visit_id: int
    unit_name: str
    findings: int
    difficulties: int
    criteria: int
    consultations: int
    recommendations: int
    changed: bool


def minutes_info(rt: Runtime, s: Session, visit: Visit) -> MinutesInfo:
    """The data the blank minutes of ``visit`` are prefilled with."""
    unit = s.get_one(Unit, visit.unit_id)
    plan, office = rt.plan, rt.plan.bodies.office
    households: dict[str, list[str]] = {}
    if visit.draw_id is not None:
        draw = approved_draw(s, rt.cycle_id)  # a visit with a draw_id comes from the approved draw
        picked: dict[str, Any] = next((u for u in (draw.result["units"] if draw else [])
                       if u["key"] == f"{unit.code}@{unit.valid_from.isoformat()}"), {})
        households = picked.get("households", {})
    return MinutesInfo(
        visit_id=visit.id, unit_key=f"{unit.code}@{unit.valid_from.isoformat()}", unit_name=unit.name,
        cycle_key=plan.cycle_key, day=visit.scheduled_on, year=plan.year, parent_body=office.parent,
        issuing_body=office.name, office_code=office.code or "LĐTBXH", place=plan.issuer.place_name,
        team=list(visit.team), villages=list(visit.villages),
        contents=list(contents_at(plan, unit.kind, unit.name).values()),
        adhoc=visit.kind == "adhoc", households=households, villages_synthetic=plan.villages_synthetic,
        archive=plan.recipients.letter_archive, criteria=minutes_criteria(plan, unit.kind, unit.name),
        words=unit_words(plan, unit), village_unit=is_village(unit.kind), programme=plan.programme.name)


def minutes_criteria(plan: Plan, kind: str, name: str) -> list[tuple[str, list[str]]]:
    """The unit-level criteria the minutes of a visit to a unit of ``kind`` and ``name`` ask, one
    group per monitored content (plan order)."""
    titles = contents_at(plan, kind, name)
    groups: dict[str, list[str]] = {}
    for c in criteria_at(plan, kind, name):
        groups.setdefault(c.content, []).append(c.title)
    return [(titles.get(k, k), v) for k, v in groups.items()]


def write_minutes(rt: Runtime, visit_id: int, now: dt.datetime) -> Path:
    """The blank minutes of a visit under ``<home>/visits``; kept as is once written (idempotent)."""
    with rt.db.unit_of_work() as s:
        visit = get_visit(s, rt.cycle_id, visit_id)
        info = minutes_info(rt, s, visit)
        key = f"{rt.plan.cycle_key}:minutes:{visit.id}:{visit.scheduled_on.isoformat()}"
        row = s.scalar(select(Document).where(Document.key == key))
        if row is not None and Path(row.path).exists():
            return Path(row.path)
        code = info.unit_key.split("@")[0]
        path = rt.path("visits", f"bien-ban-giam-sat-{visit.id:02d}-{code}-{visit.scheduled_on}.docx")
        render_minutes(info, path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if row is None:
            s.add(Document(cycle_id=rt.cycle_id, key=key, kind="visit_minutes", unit_id=visit.unit_id,
                           visit_id=visit.id, path=str(path), sha256=digest, created_at=now))
        else:
            row.path, row.sha256 = str(path), digest
        audit.record(s, at=now, actor=rt.actor, action="visit.minutes_written", entity="document",
                     entity_id=key, cycle_id=rt.cycle_id, path=str(path), sha256=digest)
        return path


def record_minutes(rt: Runtime, source: Path, actor: str, now: dt.datetime) -> RecordedMinutes:
    """Read a filled minutes file into findings, consultations and recommendations (idempotent)."""
    r = rt.plan.report
    data = Path(source).read_bytes() if Path(source).is_file() else None
    if data is None:
        raise BadDocument("missing", f"Không tìm thấy tệp {source}.")
    limits = Limits(int(r.max_file_mb * MB), int(r.max_uncompressed_mb * MB))
    try:
        filled = read_minutes(open_docx(data, limits))
    except BadDocument as exc:
        raise BadDocument(exc.code, f"Biên bản {Path(source).name}: {exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    with rt.db.unit_of_work() as s:
        visit, unit = _check_marker(rt, s, filled)
        base = visit.scheduled_on
        rows = parse_rows(filled, base, rt.calendar.add_working_days(
            base, rt.plan.followup.recommendation_due_working_days), unit.name,
            criteria_of(rt.plan, level="unit"), unit_words(rt.plan, unit)["unit_body_cap"],  # a cell
            criteria_at(rt.plan, unit.kind, unit.name))
        doc_key = f"{rt.plan.cycle_key}:minutes-recorded:{visit.id}"
        doc = s.scalar(select(Document).where(Document.key == doc_key))
        if doc is not None and doc.sha256 == digest and visit.status == "done":
            return _summary(visit, unit, rows, changed=False)
        stored = _store_copy(rt, visit.id, digest, data)
        _replace_rows(s, visit, rows, now)
        _upsert_recommendations(rt, s, visit, unit, rows, actor, now)
        if doc is None:
            s.add(Document(cycle_id=rt.cycle_id, key=doc_key, kind="visit_minutes_recorded",
                           unit_id=unit.id, visit_id=visit.id, path=str(stored), sha256=digest,
                           created_at=now))
        else:
            doc.path, doc.sha256 = str(stored), digest
        _complete(rt, s, visit, stored, now, actor)
        audit.record(s, at=now, actor=actor, action="visit.minutes_recorded", entity="visit",
                     entity_id=visit.id, cycle_id=rt.cycle_id, sha256=digest,
                     findings=len(rows.findings), recommendations=len(rows.recommendations),
                     criteria=len(rows.criteria))
        return _summary(visit, unit, rows, changed=True)


def _check_marker(rt: Runtime, s: Session, filled: FilledMinutes) -> tuple[Visit, Unit]:
    if filled.cycle_key != rt.plan.cycle_key:
        raise BadDocument("wrong_cycle", f"Biên bản thuộc chu kỳ {filled.cycle_key}, không phải chu kỳ "
                                         f"{rt.plan.cycle_key} đang làm việc.")
    visit = s.get(Visit, filled.visit_id)
    unit = s.get(Unit, visit.unit_id) if visit is not None and visit.cycle_id == rt.cycle_id else None
    if visit is None or unit is None or f"{unit.code}@{unit.valid_from.isoformat()}" != filled.unit_key:
        raise BadDocument("wrong_visit", f"Biên bản ghi cuộc giám sát số {filled.visit_id} tại đơn vị "
                                         f"{filled.unit_key}, không khớp với lịch giám sát đã lưu.")
    return visit, unit


def _store_copy(rt: Runtime, visit_id: int, digest: str, data: bytes) -> Path:
    path = rt.path("visits", "da-ghi-nhan", f"bien-ban-{visit_id:02d}-{digest[:12]}.docx")
    return write_bytes_atomic(path, data)


def _replace_rows(s: Session, visit: Visit, rows: ParsedRows, now: dt.datetime) -> None:
    s.execute(delete(Finding).where(Finding.visit_id == visit.id))
    s.execute(delete(CriterionFinding).where(CriterionFinding.visit_id == visit.id))
    for f in rows.criteria:
        s.add(CriterionFinding(cycle_id=visit.cycle_id, visit_id=visit.id, unit_id=visit.unit_id,
                               source="visit", content=f.criterion.content, level=f.criterion.level,
                               criterion_key=f.criterion.key, criterion_title=f.criterion.title,
                               result=f.result, evidence=f.evidence or None, note=f.note or None,
                               recorded_at=visit.recorded_at or now))
    s.execute(delete(Consultation).where(Consultation.visit_id == visit.id))
    for pos, (category, text) in enumerate([*(("finding", t) for t in rows.findings),
                                            *(("difficulty", t) for t in rows.difficulties)], start=1):
        s.add(Finding(visit_id=visit.id, position=pos, category=category, text=text))
    for pos, c in enumerate(rows.consultations, start=1):
        s.add(Consultation(visit_id=visit.id, position=pos, village=c.village, beneficiary=c.beneficiary,
                           household_group=c.group, summary=c.summary))


def _upsert_recommendations(rt: Runtime, s: Session, visit: Visit, unit: Unit, rows: ParsedRows,
                            actor: str, now: dt.datetime) -> None:
    query = select(Recommendation).where(Recommendation.visit_id == visit.id)
    existing = {r.key: r for r in s.scalars(query)}
    for rec in rows.recommendations:
        key = f"visit:{visit.id}:{rec.row}"
        addressed = own_unit(rec.addressed_to, unit.name)  # "UBND xã" in its minutes: this commune
        email = unit.email if unit.name.lower() in addressed.lower() else None
        row = existing.pop(key, None)
        if row is None:
            row = Recommendation(cycle_id=rt.cycle_id, key=key, source_kind="visit", visit_id=visit.id,
                                 unit_id=unit.id, content=rec.content, addressed_to=addressed,
                                 addressed_email=email, due_on=rec.due_on, status="open",
                                 created_at=now, updated_at=now)
            s.add(row)
            s.flush()
            _event(rt, s, row, "open", f"Kiến nghị qua giám sát ngày {short_date(visit.scheduled_on)}",
                   actor, now, "rec.add")
        elif row.status == "open" and (row.content, row.addressed_to.casefold(), row.due_on) != (
                rec.content, addressed.casefold(), rec.due_on):  # "tổ dân phố Hai" is "Tổ dân phố Hai"
            row.content, row.addressed_to, row.due_on = rec.content, addressed, rec.due_on
            row.addressed_email, row.updated_at = email, now
            _event(rt, s, row, "open", "Cập nhật theo biên bản ghi nhận lại", actor, now, "rec.update")
    for row in existing.values():
        if row.status == "open":
            row.status, row.updated_at = "withdrawn", now
            _event(rt, s, row, "withdrawn", "Biên bản ghi nhận lại không còn kiến nghị này", actor, now,
                   "rec.withdrawn")


def _event(rt: Runtime, s: Session, row: Recommendation, status: str, note: str, actor: str,
           now: dt.datetime, action: str) -> None:
    """The recommendation's dated history and the audit log, in the same transaction."""
    s.add(RecommendationEvent(recommendation_id=row.id, at=now, status=status, actor=actor, note=note))
    audit.record(s, at=now, actor=actor, action=action, entity="recommendation", entity_id=row.id,
                 cycle_id=rt.cycle_id, status=status, note=note)


def _complete(rt: Runtime, s: Session, visit: Visit, stored: Path, now: dt.datetime, actor: str) -> None:
    visit.status, visit.recorded_at, visit.minutes_path = "done", visit.recorded_at or now, str(stored)
    ob = s.scalar(select(Obligation).where(Obligation.cycle_id == rt.cycle_id,
                                           Obligation.key == f"visitdocs:{visit.id}"))
    if ob is not None and ob.status != "met":
        ob.status, ob.met_at = "met", now
    if visit.draw_id is not None:
        s.flush()
        pending = s.scalar(select(Visit.id).where(Visit.draw_id == visit.draw_id, Visit.status != "done"))
        if pending is None:
            mark_step_done(s, rt.cycle_id, "visits", now, note="Đã ghi nhận biên bản mọi cuộc giám sát",
                           actor=actor)


def _summary(visit: Visit, unit: Unit, rows: ParsedRows, changed: bool) -> RecordedMinutes:
    return RecordedMinutes(visit.id, unit.name, len(rows.findings), len(rows.difficulties),
                           len(rows.criteria), len(rows.consultations), len(rows.recommendations), changed)
