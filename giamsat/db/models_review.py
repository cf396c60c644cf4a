"""Models of the review: sample draws, visits, findings, recommendations, documents, the audit log."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from giamsat.db.base import Base, fk

if TYPE_CHECKING:
    from giamsat.db.models_cycle import Submission


class SampleDraw(Base):
    """A random draw of communes and villages, with everything an inspector needs to recompute it."""

    __tablename__ = "sample_draws"
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
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
    cycle_id: Mapped[int] = fk("cycles.id")
    unit_id: Mapped[int] = fk("units.id")
    draw_id: Mapped[int | None] = fk("sample_draws.id", nullable=True)
    round_id: Mapped[int | None] = fk("adhoc_rounds.id", nullable=True)
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
    visit_id: Mapped[int] = fk("visits.id")
    position: Mapped[int]
    category: Mapped[str] = mapped_column(String(40), default="finding")
    text: Mapped[str] = mapped_column(Text)


class Consultation(Base):
    """A consultation with a beneficiary during a visit."""

    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = fk("visits.id")
    position: Mapped[int]
    village: Mapped[str] = mapped_column(String(200))
    beneficiary: Mapped[str] = mapped_column(String(200))
    household_group: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)


class Recommendation(Base):
    """A recommendation (kiến nghị) followed up until it is resolved."""

    __tablename__ = "recommendations"
    # whether any is late (active, past due) or live, from the index alone
    __table_args__ = (Index("ix_recommendations_cycle_status_due", "cycle_id", "status", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    key: Mapped[str] = mapped_column(String(200), unique=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    submission_id: Mapped[int | None] = fk("submissions.id", nullable=True)
    visit_id: Mapped[int | None] = fk("visits.id", nullable=True)
    unit_id: Mapped[int | None] = fk("units.id", nullable=True)
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
    # never read: it orders a flush (a report's recommendations after the report, its id given ahead)
    submission: Mapped[Submission | None] = relationship()


class RecommendationEvent(Base):
    """One dated change of a recommendation's status, with its note and evidence."""

    __tablename__ = "recommendation_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = fk("recommendations.id")
    at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    evidence_path: Mapped[str | None] = mapped_column(String(500))


class Document(Base):
    """A generated document (plan, letter, outline, minutes, report): a draft until registered signed."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_cycle_status", "cycle_id", "status"),
                      Index("ix_documents_cycle_kind", "cycle_id", "kind", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int | None] = fk("units.id", nullable=True)
    visit_id: Mapped[int | None] = fk("visits.id", nullable=True)
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    number: Mapped[str | None] = mapped_column(String(80))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    signers: Mapped[list[Any] | None] = mapped_column(JSON)
    signed_path: Mapped[str | None] = mapped_column(String(500))
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[dt.datetime | None]
    registered_by: Mapped[str | None] = mapped_column(String(100))


class AuditEntry(Base):
    """Who did what, when: every state change a person or a step makes; chained by SHA-256."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    cycle_id: Mapped[int | None] = fk("cycles.id", nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_sha256: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(64))
