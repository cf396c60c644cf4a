"""Models of the monitoring criteria: a finding per criterion, and the office's preliminary appraisal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from giamsat.db.base import Base, fk


class CriterionFinding(Base):
    """The team's finding on one criterion (Đạt / Đạt một phần / Chưa đạt) with its evidence.

    ``unit_id`` None: a criterion of the issuer's own tier (the office's work); ``source`` says who
    recorded it (``visit``: a visit's minutes).
    """

    __tablename__ = "criterion_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    visit_id: Mapped[int | None] = fk("visits.id", nullable=True)
    unit_id: Mapped[int | None] = fk("units.id", nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="visit")
    content: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(16))
    criterion_key: Mapped[str] = mapped_column(String(40))
    criterion_title: Mapped[str] = mapped_column(String(300))
    result: Mapped[str] = mapped_column(String(16))
    evidence: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime]


class Appraisal(Base):
    """The office's preliminary appraisal (thẩm định sơ bộ) of one commune's review results."""

    __tablename__ = "appraisals"
    __table_args__ = (UniqueConstraint("cycle_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    unit_id: Mapped[int] = fk("units.id")
    submission_id: Mapped[int | None] = fk("submissions.id", nullable=True)
    recommendation_id: Mapped[int | None] = fk("recommendations.id", nullable=True)
    result: Mapped[str] = mapped_column(String(16))
    questions: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))
