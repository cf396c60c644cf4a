"""Findings per criterion recorded by a source other than a visit's minutes (e.g. the provincial
team's visit to the issuer): validated against the plan's criteria, replaced whole per source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from giamsat.db import audit
from giamsat.db.models import CriterionFinding, Unit
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.domain.formatting import short_date
from giamsat.domain.textsafety import clean_text
from giamsat.domain.vocabulary import FINDING_RESULT
from giamsat.plan.wording import criteria_of
from giamsat.runtime import Runtime


@dataclass(frozen=True)
class FindingInput:
    """One finding as given: the criterion (``content.level.key``), result code, evidence, note."""

    ref: str
    result: str
    evidence: str = ""
    note: str = ""


def record_findings(rt: Runtime, source: str, findings: list[FindingInput], actor: str,
                    now: dt.datetime, unit_code: str | None = None) -> int:
    """Store ``source``'s findings on one unit (None: the issuer's own tier), replacing its earlier
    ones; every problem is refused at once, in Vietnamese, before anything is written."""
    level = "unit" if unit_code else "issuer"
    known = {c.ref: c for c in criteria_of(rt.plan, level=level)}
    problems = []
    for i, f in enumerate(findings, 1):
        if f.ref not in known:
            problems.append(f"kết quả {i}: không có tiêu chí '{f.ref}' ở cấp này trong kế hoạch")
        if f.result not in FINDING_RESULT:
            problems.append(f"kết quả {i}: '{f.result}' không hợp lệ (chọn một trong: "
                            f"{', '.join(f'{k} = {v}' for k, v in FINDING_RESULT.items())})")
    if len({f.ref for f in findings}) < len(findings):
        problems.append("một tiêu chí được đánh giá nhiều lần")
    if problems:
        raise Conflict("Không ghi nhận được kết quả đánh giá: " + "; ".join(problems) + ".")
    today = now.astimezone(clock.TZ).date()
    with rt.db.unit_of_work() as s:
        unit = unit_on(s, rt, unit_code, today) if unit_code else None
        same = (CriterionFinding.cycle_id == rt.cycle_id, CriterionFinding.source == source,
                CriterionFinding.unit_id == unit.id if unit else CriterionFinding.unit_id.is_(None))
        s.execute(delete(CriterionFinding).where(*same))
        for f in findings:
            c = known[f.ref]
            s.add(CriterionFinding(cycle_id=rt.cycle_id, unit_id=unit.id if unit else None, source=source,
                                   content=c.content, level=c.level, criterion_key=c.key,
                                   criterion_title=c.title, result=f.result,
                                   evidence=clean_text(f.evidence).strip() or None,
                                   note=clean_text(f.note).strip() or None, recorded_at=now))
        audit.record(s, at=now, actor=actor, action="criteria.findings", entity="cycle",
                     entity_id=rt.cycle_id, cycle_id=rt.cycle_id, source=source, unit=unit_code,
                     findings=len(findings))
    return len(findings)


def unit_on(s: Session, rt: Runtime, code: str, day: dt.date,
            rows: dict[tuple[str, dt.date], Unit] | None = None) -> Unit:
    """The cycle's unit with ``code`` valid on ``day``, or ``NotFound`` in Vietnamese; ``rows``:
    the cycle's unit rows by (code, valid from), read once for many lookups."""
    pu = rt.plan.unit(code.strip(), day)
    row = None if pu is None else rows.get((pu.code, pu.valid_from)) if rows is not None else s.scalar(
        select(Unit).where(Unit.cycle_id == rt.cycle_id, Unit.code == pu.code,
                           Unit.valid_from == pu.valid_from))
    if row is None:
        raise NotFound(f"Không có đơn vị mã {code} có hiệu lực ngày {short_date(day)}.")
    return row
