"""Reporting units and their validity; completeness and timeliness of reporting; coverage (stdlib)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from giamsat.domain.vocabulary import REC_COUNTED, REPORT_COUNTED


@dataclass(frozen=True)
class UnitRef:
    """A unit from the plan or the database; codes are reused, so validity dates are part of it."""

    key: str
    code: str
    name: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    successor_key: str | None = None

    def valid_on(self, day: dt.date) -> bool:
        """Whether the unit exists on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class _Unit(Protocol):
    @property
    def key(self) -> str: ...


def _pct(part: int, whole: int) -> float | None:
    return None if whole <= 0 else part * 100.0 / whole


@dataclass(frozen=True)
class SubmissionInfo:
    """What reporting completeness needs to know about one received file."""

    id: int
    unit_key: str
    status: str
    late: bool
    received_on: dt.date
    superseded: bool


REPORTING_STATES = REPORT_COUNTED


@dataclass
class Reporting:
    """Completeness and timeliness: the state of each expected unit and the counts."""

    expected: list[Any]  # the callers' own unit records
    state: dict[str, str]
    submission_of: dict[str, int]

    def count(self, state: str) -> int:
        """How many expected units are in ``state``."""
        return sum(1 for s in self.state.values() if s == state)

    @property
    def received(self) -> int:
        """Units whose report was accepted (on time or late)."""
        return self.count("on_time") + self.count("late")


def reporting(expected: Sequence[_Unit], subs: Iterable[SubmissionInfo]) -> Reporting:
    """Each expected unit: accepted on time / late, rejected awaiting correction, processing, missing.

    An accepted, non-superseded report decides; otherwise the newest rejected one; otherwise any
    other received file counts as still being processed.
    """
    by_unit: dict[str, list[SubmissionInfo]] = {}
    for s in subs:
        if not s.superseded:
            by_unit.setdefault(s.unit_key, []).append(s)
    state, sub_of = {}, {}
    for unit in expected:
        mine = sorted(by_unit.get(unit.key, []), key=lambda s: (s.received_on, s.id))
        accepted = [s for s in mine if s.status == "accepted"]
        if accepted:
            chosen = accepted[-1]
            state[unit.key] = "late" if chosen.late else "on_time"
        elif mine:
            chosen = mine[-1]
            state[unit.key] = "rejected" if chosen.status == "rejected" else "processing"
        else:
            state[unit.key] = "missing"
            continue
        sub_of[unit.key] = chosen.id
    return Reporting(list(expected), state, sub_of)


@dataclass(frozen=True)
class VisitInfo:
    """A field visit as coverage needs it."""

    unit_key: str
    kind: str
    done: bool


@dataclass(frozen=True)
class Coverage:
    """Sampled communes visited against those planned, and the ad-hoc visits."""

    planned: tuple[str, ...]
    visited: tuple[str, ...]
    adhoc_done: int

    @property
    def rate(self) -> float | None:
        """Visited sampled communes in % of those planned."""
        return _pct(len(self.visited), len(self.planned))


def coverage(planned: Sequence[str], visits: Iterable[VisitInfo]) -> Coverage:
    """Which planned (sampled) communes were visited; ad-hoc visits counted apart."""
    visits = list(visits)
    done_sampled = {v.unit_key for v in visits if v.done and v.kind == "sampled"}
    adhoc = sum(1 for v in visits if v.done and v.kind != "sampled")
    return Coverage(tuple(planned), tuple(k for k in planned if k in done_sampled), adhoc)


REC_STATES = REC_COUNTED


def recommendations_by_status(statuses: Iterable[str]) -> dict[str, int]:
    """Count of recommendations in each state, every state listed (zeros included)."""
    counts = Counter(statuses)
    out = {s: counts.get(s, 0) for s in REC_STATES}
    out.update({s: n for s, n in counts.items() if s not in out})
    return out
