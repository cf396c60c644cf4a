"""Models of what arrives from outside besides the reports themselves: the office mailbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from giamsat.db.base import Base, fk


class MailIntake(Base):
    """One message of the office mailbox, taken in once: where it was and what each file became."""

    __tablename__ = "mail_intake"
    __table_args__ = (UniqueConstraint("folder", "uidvalidity", "uid"),
                      Index("ix_mail_intake_message", "message_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = fk("cycles.id")
    folder: Mapped[str] = mapped_column(String(200))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 over the attachments' hashes
    sender: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    arrived_at: Mapped[dt.datetime]
    taken_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(20))  # taken, needs_person, duplicate
    files: Mapped[list[Any]] = mapped_column(default=list)
    note: Mapped[str] = mapped_column(Text, default="")
