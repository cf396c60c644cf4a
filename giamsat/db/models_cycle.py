"""Models of the cycle and intake: cycles, units, steps, obligations, outbox messages, reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from giamsat.db.base import Base, fk


class Cycle(Base):
    """One yearly cycle of one plan file (e.g. ``vu-ban-2024``)."""

    __tablename__ = "cycles"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    year: Mapped[int]
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    plan_sha256: Mapped[str] = mapped_column(String(64))
    plan_path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]
    units: Mapped[list[Unit]] = relationship(back_populates="cycle", order_by="Unit.id")


class Unit(Base):
    """A reporting unit (commune or township); codes are reused, so validity is part of identity."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("cycle_id", "code", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    email: Mapped[str] = mapped_column(String(320))
    chairman_email: Mapped[str] = mapped_column(String(320))
    cycle: Mapped[Cycle] = relationship(back_populates="units")
    villages: Mapped[list[Village]] = relationship(order_by="Village.position")

    def valid_on(self, day: dt.date) -> bool:
        """Whether the unit exists on ``day``."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Village(Base):
    """A village / hamlet / residential group of a unit."""

    __tablename__ = "villages"
    __table_args__ = (UniqueConstraint("unit_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = fk("units.id")
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    synthetic: Mapped[bool] = mapped_column(Boolean, default=True)


class Step(Base):
    """A milestone of the cycle (notify, collect, draw, visits, followup, final_report)."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("cycle_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    key: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    done_at: Mapped[dt.datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class Obligation(Base):
    """Who owes what by when: a report, documents for a visit, a recommendation's resolution."""

    __tablename__ = "obligations"
    __table_args__ = (
        UniqueConstraint("cycle_id", "key"),
        Index("ix_obligations_status_due", "status", "due_on"),
        Index("ix_obligations_cycle_kind", "cycle_id", "kind", "created_at"),  # reports assigned
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = fk("units.id", nullable=True)
    visit_id: Mapped[int | None] = fk("visits.id", nullable=True)
    recommendation_id: Mapped[int | None] = fk("recommendations.id", nullable=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    met_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class Message(Base):
    """The outbox: one row per message, written with the state change that causes it."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_status", "status"),
                      Index("ix_messages_cycle_kind", "cycle_id", "kind"),
                      # reminders sent per obligation, counted from the index (never the bodies)
                      Index("ix_messages_obligation_kind", "obligation_id", "kind"))
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(16))
    unit_id: Mapped[int | None] = fk("units.id", nullable=True)
    obligation_id: Mapped[int | None] = fk("obligations.id", nullable=True)
    to_addrs: Mapped[list[Any]]
    cc_addrs: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    message_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class Submission(Base):
    """A report file received from a unit, kept with its parse and validation result."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_cycle_unit", "cycle_id", "unit_id"),
                      # the reports' status read from the index alone (never the figures)
                      Index("ix_submissions_cycle_status", "cycle_id", "status", "unit_id", "received_at"),
                      Index("ix_submissions_cycle_sha", "cycle_id", "sha256"),
                      # one current (accepted) report per commune, whatever runs at the same time
                      Index("uq_submissions_current_report", "unit_id", unique=True,
                            sqlite_where=text("status = 'accepted'"),
                            postgresql_where=text("status = 'accepted'")))
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    unit_id: Mapped[int | None] = fk("units.id", nullable=True)
    received_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(String(20))
    original_filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    form_version: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))


class HouseholdFigure(Base):
    """Section B of an accepted report: the poor / near-poor review for one group."""

    __tablename__ = "household_figures"
    __table_args__ = (UniqueConstraint("submission_id", "group"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = fk("submissions.id")
    # never read: it orders a flush (a report's rows after the report, its id given ahead)
    submission: Mapped[Submission] = relationship()
    group: Mapped[str] = mapped_column(String(20))
    row_index: Mapped[int]
    total_households: Mapped[int] = mapped_column(BigInteger)
    at_start: Mapped[int] = mapped_column(BigInteger)
    escaped: Mapped[int] = mapped_column(BigInteger)
    fell_back: Mapped[int] = mapped_column(BigInteger)
    newly_poor: Mapped[int] = mapped_column(BigInteger)
    other_changes: Mapped[int] = mapped_column(BigInteger)
    at_end: Mapped[int] = mapped_column(BigInteger)
    rate_pct: Mapped[float]


class PovertyModel(Base):
    """Section A of an accepted report: one Project 2 poverty-reduction model."""

    __tablename__ = "poverty_models"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = fk("submissions.id")
    submission: Mapped[Submission] = relationship()  # orders a flush, as above
    row_index: Mapped[int]
    name: Mapped[str] = mapped_column(String(500))
    village: Mapped[str] = mapped_column(String(200))
    model_type: Mapped[str] = mapped_column(String(100))
    host_org: Mapped[str] = mapped_column(String(300))
    households_poor: Mapped[int] = mapped_column(BigInteger)
    households_near_poor: Mapped[int] = mapped_column(BigInteger)
    households_escaped: Mapped[int] = mapped_column(BigInteger)
    households_other: Mapped[int] = mapped_column(BigInteger)
    fund_central: Mapped[int] = mapped_column(BigInteger)
    fund_local: Mapped[int] = mapped_column(BigInteger)
    fund_counterpart: Mapped[int] = mapped_column(BigInteger)
    fund_credit: Mapped[int] = mapped_column(BigInteger)
    disbursed: Mapped[int] = mapped_column(BigInteger)
    outcomes: Mapped[str] = mapped_column(Text, default="")
