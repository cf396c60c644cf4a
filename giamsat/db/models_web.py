"""Models of the web app: coordinator accounts and each commune's own link (hashes only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from giamsat.db.base import Base, fk


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
    cycle_id: Mapped[int] = fk("cycles.id")
    unit_id: Mapped[int] = fk("units.id")
    generation: Mapped[int] = mapped_column(Integer, default=1)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
