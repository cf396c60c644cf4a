"""The monitoring-criteria findings and the preliminary appraisal, as the office's report reads them.

These two lists are filled by the monitoring criteria (per content and level, a finding per
criterion in the visit minutes) and the preliminary appraisal (thẩm định sơ bộ) of each commune's
review results. Until those are recorded the lists are empty and the report says so plainly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

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


def criteria_findings(session: Session, plan: Plan, cycle_id: int,
                      as_of: dt.date) -> list[CriterionFinding]:
    """Every finding per criterion recorded by ``as_of`` (none are recorded by this version)."""
    return []


def appraisal_summary(session: Session, plan: Plan, cycle_id: int,
                      as_of: dt.date) -> list[AppraisalLine]:
    """The appraisal of every commune's review results by ``as_of`` (none by this version)."""
    return []
