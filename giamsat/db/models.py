"""SQLAlchemy 2 models of the whole cycle: units, steps, obligations, outbox, reports, draws, visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class AwareDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as naive UTC, identical on SQLite and PostgreSQL."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an AwareDateTime column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: AwareDateTime, dict[str, Any]: JSON, list[Any]: JSON}


def _fk(target: str, nullable: bool = False) -> Mapped[Any]:
    return mapped_column(ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=True)


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
    cycle_id: Mapped[int] = _fk("cycles.id")
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
    unit_id: Mapped[int] = _fk("units.id")
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    synthetic: Mapped[bool] = mapped_column(Boolean, default=True)


class Step(Base):
    """A milestone of the cycle (notify, collect, draw, visits, followup, final_report)."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("cycle_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
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
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = _fk("units.id", nullable=True)
    visit_id: Mapped[int | None] = _fk("visits.id", nullable=True)
    recommendation_id: Mapped[int | None] = _fk("recommendations.id", nullable=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    met_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class Message(Base):
    """The outbox: one row per message, written with the state change that causes it."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_status", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str | None] = mapped_column(String(16))
    unit_id: Mapped[int | None] = _fk("units.id", nullable=True)
    obligation_id: Mapped[int | None] = _fk("obligations.id", nullable=True)
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
                      Index("ix_submissions_cycle_sha", "cycle_id", "sha256"))
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
    unit_id: Mapped[int | None] = _fk("units.id", nullable=True)
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
    submission_id: Mapped[int] = _fk("submissions.id")
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
    submission_id: Mapped[int] = _fk("submissions.id")
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


class SampleDraw(Base):
    """A random draw of communes and villages, with everything an inspector needs to recompute it."""

    __tablename__ = "sample_draws"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
    draw_on: Mapped[dt.date] = mapped_column(Date)
    seed: Mapped[str] = mapped_column(Text)
    seed_source: Mapped[str] = mapped_column(String(40))
    frame: Mapped[list[Any]]
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    algorithm: Mapped[str] = mapped_column(String(60))
    algorithm_version: Mapped[str] = mapped_column(String(20))
    result: Mapped[dict[str, Any]]
    record_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    drawn_by: Mapped[str] = mapped_column(String(100))
    drawn_at: Mapped[dt.datetime]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class Visit(Base):
    """A field visit of the monitoring team to a unit (sampled or ad hoc)."""

    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
    unit_id: Mapped[int] = _fk("units.id")
    draw_id: Mapped[int | None] = _fk("sample_draws.id", nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="sampled")
    scheduled_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    villages: Mapped[list[Any]] = mapped_column(default=list)
    team: Mapped[list[Any]] = mapped_column(default=list)
    minutes_path: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[dt.datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class Finding(Base):
    """A finding or a difficulty written in a visit's minutes."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = _fk("visits.id")
    position: Mapped[int]
    category: Mapped[str] = mapped_column(String(40), default="finding")
    text: Mapped[str] = mapped_column(Text)


class Consultation(Base):
    """A consultation with a beneficiary during a visit."""

    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = _fk("visits.id")
    position: Mapped[int]
    village: Mapped[str] = mapped_column(String(200))
    beneficiary: Mapped[str] = mapped_column(String(200))
    household_group: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)


class Recommendation(Base):
    """A recommendation (kiến nghị) followed up until it is resolved."""

    __tablename__ = "recommendations"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
    key: Mapped[str] = mapped_column(String(200), unique=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    submission_id: Mapped[int | None] = _fk("submissions.id", nullable=True)
    visit_id: Mapped[int | None] = _fk("visits.id", nullable=True)
    unit_id: Mapped[int | None] = _fk("units.id", nullable=True)
    content: Mapped[str] = mapped_column(Text)
    addressed_to: Mapped[str] = mapped_column(String(300))
    addressed_email: Mapped[str | None] = mapped_column(String(320))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    evidence_text: Mapped[str | None] = mapped_column(Text)
    evidence_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    events: Mapped[list[RecommendationEvent]] = relationship(order_by="RecommendationEvent.id")


class RecommendationEvent(Base):
    """One dated change of a recommendation's status, with its note and evidence."""

    __tablename__ = "recommendation_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = _fk("recommendations.id")
    at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    evidence_path: Mapped[str | None] = mapped_column(String(500))


class Document(Base):
    """A generated document (plan, letter, outline, minutes, report), keyed for idempotency."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int | None] = _fk("units.id", nullable=True)
    visit_id: Mapped[int | None] = _fk("visits.id", nullable=True)
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class AuditEntry(Base):
    """Who did what, when: every state change a person or a step makes; chained by SHA-256."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    cycle_id: Mapped[int | None] = _fk("cycles.id", nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_sha256: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(64))


class WebUser(Base):
    """A coordinator account of the web app; only a slow hash of the password is stored."""

    __tablename__ = "web_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime]
    sessions_valid_after: Mapped[dt.datetime]


class CommuneLink(Base):
    """A commune's own link to the web app; only the SHA-256 of its token is stored."""

    __tablename__ = "commune_links"
    __table_args__ = (UniqueConstraint("unit_id", "generation"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = _fk("cycles.id")
    unit_id: Mapped[int] = _fk("units.id")
    generation: Mapped[int] = mapped_column(Integer, default=1)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
