"""The criteria as documents read them, as plain data (standard library only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from giamsat.domain.vocabulary import FINDING_RESULT


@dataclass
class CriterionSummary:
    """One criterion's findings across the units visited: counts by result and who fell short."""

    content: str
    level: str
    key: str
    title: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FINDING_RESULT, 0))
    short_of: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, result label, evidence)

    @property
    def assessed(self) -> int:
        """How many units the criterion was assessed at."""
        return sum(self.counts.values())


@dataclass
class UnitFindings:
    """One unit's findings: counts by result, and the criteria not (fully) met."""

    unit_name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FINDING_RESULT, 0))
    short_of: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CommuneAnswer:
    """A commune's answer to a section C criterion in its current accepted report."""

    unit_name: str
    answer: str
    detail: str


@dataclass(frozen=True)
class AppraisalLine:
    """One commune's preliminary appraisal (``pending`` when the office has not appraised it)."""

    unit_name: str
    unit_code: str
    result: str
    result_label: str
    questions: tuple[str, ...]
    note: str | None
    appraised_on: dt.date | None
    recommendation_id: int | None
    recommendation_status: str | None
    asked_before: str | None = None  # agreed after the commune answered: what it had been asked


@dataclass(frozen=True)
class FindingLine:
    """One finding as recorded: where (``unit_name`` empty: the issuer's own work), which criterion,
    its result (code and label), evidence, note and who recorded it (``source``)."""

    unit_name: str
    content: str
    level: str
    key: str
    criterion: str
    result: str
    result_label: str
    evidence: str
    note: str
    source: str
