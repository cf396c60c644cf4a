"""A reporting unit as the pure domain sees it: identified by (code, valid from, valid to)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
