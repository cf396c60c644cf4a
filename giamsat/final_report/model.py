"""Everything the report shows, as plain data (stdlib only): built by the loader, read by the writer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from giamsat.criteria.model import AppraisalLine, CommuneAnswer, CriterionSummary, UnitFindings
from giamsat.domain.indicators import (
    Coverage,
    HouseholdReview,
    Project2Summary,
    Reporting,
    TargetCheck,
    UnitRef,
)
from giamsat.final_report.narratives import CommuneNarrative


@dataclass
class CriteriaData:
    """The criteria as the report shows them: findings, the communes' answers, the appraisals."""

    findings: list[CriterionSummary] = field(default_factory=list)
    by_unit: list[UnitFindings] = field(default_factory=list)
    answers: dict[str, list[CommuneAnswer]] = field(default_factory=dict)
    appraisals: list[AppraisalLine] = field(default_factory=list)


@dataclass(frozen=True)
class SampledCommune:
    """A commune of the approved draw and the villages drawn in it."""

    unit_key: str
    name: str
    villages: tuple[str, ...]


@dataclass(frozen=True)
class SampleRecord:
    """The approved draw, with what an inspector needs to recompute it."""

    draw_id: int
    draw_on: dt.date
    seed: str
    seed_source: str
    algorithm: str
    algorithm_version: str
    record_sha256: str
    decided_by: str | None
    communes: tuple[SampledCommune, ...]


@dataclass(frozen=True)
class RecItem:
    """One recommendation as the report lists it."""

    id: int
    content: str
    addressed_to: str
    unit_name: str | None
    source: str
    due_on: dt.date
    status: str
    evidence_text: str | None


@dataclass
class ReportData:
    """The figures of one report as of one date, each keeping its provenance."""

    as_of: dt.date
    units: dict[str, UnitRef]
    review: HouseholdReview
    targets: dict[str, TargetCheck]
    project2: Project2Summary
    reporting: Reporting
    coverage: Coverage
    sample: SampleRecord | None
    recommendations: list[RecItem]
    rec_counts: dict[str, int]
    difficulties: list[str] = field(default_factory=list)
    synthetic: bool = False
    narratives: list[CommuneNarrative] = field(default_factory=list)
    submitted_on: dict[int, dt.date] = field(default_factory=dict)
    minutes_recorded: int = 0
    criteria: CriteriaData = field(default_factory=CriteriaData)

    def gaps(self, units_phrase: str, unit_noun: str) -> list[str]:
        """What is still missing from the report's sources, in Vietnamese (empty: complete)."""
        out = []
        expected, received = len(self.reporting.expected), self.reporting.received
        if received < expected:
            out.append(f"mới tiếp nhận {received}/{expected} báo cáo của các {units_phrase}")
        planned = len(self.coverage.planned)
        if self.sample is None:
            out.append("chưa có kết quả chọn mẫu giám sát được phê duyệt")
        elif self.minutes_recorded < planned:
            out.append(f"mới ghi nhận {self.minutes_recorded}/{planned} biên bản giám sát trực tiếp "
                       f"tại các {unit_noun} được chọn mẫu")
        return out

    def unit_name(self, key: str) -> str:
        """The unit's name (the key itself when unknown)."""
        unit = self.units.get(key)
        return unit.name if unit else key
