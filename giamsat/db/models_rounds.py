"""Models of the work beside the sampled visits: ad-hoc rounds and the upper team's visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from giamsat.db.base import Base, fk


class AdhocRound(Base):
    """An ad-hoc monitoring round (đợt giám sát đột xuất): its own units, content and dates."""

    __tablename__ = "adhoc_rounds"
    __table_args__ = (UniqueConstraint("cycle_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    number: Mapped[int] = mapped_column(Integer)        # 1, 2, … within the cycle
    content: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    unit_keys: Mapped[list[Any]] = mapped_column(default=list)   # ``code@valid_from`` of each unit
    status: Mapped[str] = mapped_column(String(16), default="open")
    report_path: Mapped[str | None] = mapped_column(String(500))
    opened_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]


class PrepItem(Base):
    """One line of the upper team's visit: a document to prepare (ticked when ready) or a finding."""

    __tablename__ = "prep_items"
    __table_args__ = (UniqueConstraint("cycle_id", "kind", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    kind: Mapped[str] = mapped_column(String(16))        # document | finding
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    done_at: Mapped[dt.datetime | None]
    actor: Mapped[str | None] = mapped_column(String(200))
