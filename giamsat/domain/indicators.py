"""Indicators of the cycle from plain rows (stdlib only): review, targets, Project 2, reporting, visits.

Merger rule: a figure is reported under the unit that sent it, unless that unit has ceased to
exist on the report's as-of date (``as_of`` after its last day of validity); then it is aggregated
under its successor (following the chain). A report dated before the merger keeps the old units
apart, even when the successor already exists; one dated after it shows only the units that exist.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from giamsat.domain.completeness import (  # re-exported: part of this module's API
    REC_STATES as REC_STATES,
)
from giamsat.domain.completeness import (
    REPORTING_STATES as REPORTING_STATES,
)
from giamsat.domain.completeness import (
    Coverage as Coverage,
)
from giamsat.domain.completeness import (
    Reporting as Reporting,
)
from giamsat.domain.completeness import (
    SubmissionInfo as SubmissionInfo,
)
from giamsat.domain.completeness import UnitRef as UnitRef  # part of this module's API
from giamsat.domain.completeness import (
    VisitInfo as VisitInfo,
)
from giamsat.domain.completeness import (
    coverage as coverage,
)
from giamsat.domain.completeness import (
    recommendations_by_status as recommendations_by_status,
)
from giamsat.domain.completeness import (
    reporting as reporting,
)

GROUPS = ("poor", "near_poor")
FUNDS = ("central", "local", "counterpart", "credit")
HOUSEHOLD_GROUPS = ("poor", "near_poor", "escaped", "other")


@dataclass(frozen=True)
class Source:
    """Where a figure came from: the submission, the report section and its row."""

    submission_id: int
    section: str
    row: int
    unit_key: str


@dataclass(frozen=True)
class HouseholdRow:
    """One group (poor / near-poor) of one accepted report's section B."""

    unit_key: str
    group: str
    total: int
    start: int
    escaped: int
    fell_back: int
    new: int
    other: int
    end: int
    source: Source


@dataclass
class ReviewLine:
    """The review of one group, for one unit or for the district, with its sources."""

    unit_key: str
    unit_name: str
    group: str
    total: int = 0
    start: int = 0
    escaped: int = 0
    fell_back: int = 0
    new: int = 0
    other: int = 0
    end: int = 0
    sources: list[Source] = field(default_factory=list)

    def add(self, row: HouseholdRow) -> None:
        """Add one report's figures to this line."""
        for name in ("total", "start", "escaped", "fell_back", "new", "other", "end"):
            setattr(self, name, getattr(self, name) + getattr(row, name))
        self.sources.append(row.source)

    @property
    def start_rate(self) -> float | None:
        """Households of the group at the start, in % of all households."""
        return _pct(self.start, self.total)

    @property
    def rate(self) -> float | None:
        """Households of the group at the end, in % of all households (end / total)."""
        return _pct(self.end, self.total)

    @property
    def change_pts(self) -> float | None:
        """Reduction of the rate in percentage points (positive = the rate went down)."""
        if self.start_rate is None or self.rate is None:
            return None
        return self.start_rate - self.rate


@dataclass
class HouseholdReview:
    """Per-unit lines and district totals of each group."""

    lines: dict[str, list[ReviewLine]]
    totals: dict[str, ReviewLine]

    @property
    def empty(self) -> bool:
        """No accepted figures at all."""
        return not any(self.lines.values())


def _pct(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part * 100.0 / whole


def reporting_unit(units: dict[str, UnitRef], key: str, as_of: dt.date) -> str:
    """The unit a figure of ``key`` is shown under on ``as_of`` (see the module's merger rule)."""
    seen = {key}
    while True:
        unit = units[key]
        succ = units.get(unit.successor_key or "")
        ceased = unit.valid_to is not None and as_of > unit.valid_to
        if not ceased or succ is None or as_of < succ.valid_from or succ.key in seen:
            return key
        key = succ.key
        seen.add(key)


def household_review(units: dict[str, UnitRef], rows: Iterable[HouseholdRow],
                     as_of: dt.date) -> HouseholdReview:
    """Aggregate accepted section-B rows per reporting unit and per district, for each group."""
    per: dict[tuple[str, str], ReviewLine] = {}
    for row in rows:
        key = reporting_unit(units, row.unit_key, as_of)
        line = per.setdefault((row.group, key), ReviewLine(key, units[key].name, row.group))
        line.add(row)
    order = {k: i for i, k in enumerate(units)}
    groups = [g for g in GROUPS if any(g == k[0] for k in per)]
    groups += sorted({g for g, _ in per} - set(groups))
    lines = {g: sorted((ln for (gg, _), ln in per.items() if gg == g),
                       key=lambda ln: order.get(ln.unit_key, 0)) for g in groups}
    totals = {}
    for g, group_lines in lines.items():
        total = ReviewLine("", "", g)
        for ln in group_lines:
            for name in ("total", "start", "escaped", "fell_back", "new", "other", "end"):
                setattr(total, name, getattr(total, name) + getattr(ln, name))
            total.sources.extend(ln.sources)
        totals[g] = total
    return HouseholdReview(lines, totals)


@dataclass(frozen=True)
class TargetCheck:
    """The change in a rate against the program target (down min–max points a year)."""

    group: str
    start_rate: float
    end_rate: float
    reduction_pts: float
    min_pts: float
    max_pts: float

    @property
    def verdict(self) -> str:
        """``exceeded`` (> max), ``met`` (within), ``not_met`` (< min)."""
        if self.reduction_pts > self.max_pts + 1e-9:
            return "exceeded"
        return "met" if self.reduction_pts >= self.min_pts - 1e-9 else "not_met"


def target_check(line: ReviewLine, min_pts: float, max_pts: float) -> TargetCheck | None:
    """Compare the district's start and end rates of one group with the target."""
    if line.start_rate is None or line.rate is None:
        return None
    return TargetCheck(line.group, line.start_rate, line.rate, line.start_rate - line.rate,
                       min_pts, max_pts)


@dataclass(frozen=True)
class ModelRow:
    """One Project 2 model of an accepted report's section A."""

    unit_key: str
    name: str
    village: str
    model_type: str
    households: dict[str, int]
    funds: dict[str, int]
    disbursed: int
    source: Source


@dataclass
class Project2Summary:
    """Project 2 models: count by type, households reached, funding by source, disbursement."""

    models: list[ModelRow]
    by_type: dict[str, int]
    households: dict[str, int]
    funding: dict[str, int]
    disbursed: int
    per_unit: dict[str, dict[str, int]]

    @property
    def funding_total(self) -> int:
        """All sources together."""
        return sum(self.funding.values())

    @property
    def disbursement_rate(self) -> float | None:
        """Disbursed in % of the funding total (None when there is no funding)."""
        return _pct(self.disbursed, self.funding_total)


def project2(units: dict[str, UnitRef], rows: Sequence[ModelRow], as_of: dt.date) -> Project2Summary:
    """Summarise the models; per-unit figures follow the merger rule."""
    by_type = Counter(r.model_type for r in rows)
    households = {g: sum(r.households.get(g, 0) for r in rows) for g in HOUSEHOLD_GROUPS}
    funding = {f: sum(r.funds.get(f, 0) for r in rows) for f in FUNDS}
    per_unit: dict[str, dict[str, int]] = {}
    for r in rows:
        key = reporting_unit(units, r.unit_key, as_of)
        u = per_unit.setdefault(key, {"models": 0, "households": 0, "funding": 0, "disbursed": 0})
        u["models"] += 1
        u["households"] += sum(r.households.values())
        u["funding"] += sum(r.funds.values())
        u["disbursed"] += r.disbursed
    order = {k: i for i, k in enumerate(units)}
    per_unit = dict(sorted(per_unit.items(), key=lambda kv: order.get(kv[0], 0)))
    return Project2Summary(list(rows), dict(sorted(by_type.items())), households, funding,
                           sum(r.disbursed for r in rows), per_unit)
