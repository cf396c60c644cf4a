"""The monitoring-criteria findings and the preliminary appraisal, as the office's report reads them.

Read from ``giamsat.criteria.summary``: a finding per criterion recorded in the visit minutes (or
by the upper team on the office's own work) and the preliminary appraisal (thẩm định sơ bộ) of each
commune's review results. Until those are recorded the lists are empty and the report says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from giamsat.criteria import summary as cs
from giamsat.domain.vocabulary import label
from giamsat.plan.schema import Plan


@dataclass(frozen=True)
class CriterionFinding:
    """One criterion checked at one unit: met / partly / not met, with its evidence."""

    unit_name: str
    content: str          # the monitored content (the household review, Project 2…)
    criterion: str
    result: str           # its Vietnamese label: "Đạt", "Đạt một phần", "Chưa đạt"
    note: str = ""


@dataclass(frozen=True)
class AppraisalLine:
    """The office's preliminary appraisal of one commune's review results."""

    unit_name: str
    outcome: str          # its Vietnamese label: "Thống nhất", "Đề nghị làm rõ số liệu", …
    questions: str = ""
    status: str = ""      # followed like a recommendation until closed: its state's label


def _short(title: str) -> str:
    """'Giám sát việc thực hiện Dự án 2: Đa dạng hoá…' → 'Việc thực hiện Dự án 2' (a table cell)."""
    text = title.split(":")[0].strip()
    if text.lower().startswith("giám sát "):
        text = text[len("giám sát "):]
    return text[:1].upper() + text[1:]


def criteria_findings(session: Session, plan: Plan, cycle_id: int,
                      as_of: dt.date) -> list[CriterionFinding]:
    """Every finding per criterion recorded by ``as_of``; the office's own work under its name."""
    titles = {c.key: _short(c.title) for c in plan.contents}
    out = []
    for f in cs.findings_list(session, cycle_id, as_of):
        note = "; ".join(t.strip().rstrip(".;") for t in (f.evidence, f.note) if t and t.strip())
        out.append(CriterionFinding(f.unit_name or plan.bodies.office.short,
                                    titles.get(f.content, f.content), f.criterion, f.result_label, note))
    return out


def appraisal_summary(session: Session, plan: Plan, cycle_id: int,
                      as_of: dt.date) -> list[AppraisalLine]:
    """The appraisal of every commune's review results by ``as_of`` (pending where not yet made)."""
    return [AppraisalLine(a.unit_name, a.result_label, "; ".join(a.questions) or (a.asked_before or ""),
                          label("rec_status", a.recommendation_status) if a.recommendation_status else "")
            for a in cs.appraisal_summary(session, cycle_id, as_of)]
