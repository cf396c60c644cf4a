"""The outbox: messages are rows written in the transaction of the change that causes them.

``enqueue`` is idempotent on a key built from stable facts (cycle, step, unit, kind, due date):
queuing the same message twice returns the first row and sends nothing new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from giamsat.db.models import Message
from giamsat.messaging.templates import render_email


@dataclass(frozen=True)
class Attachment:
    """A file to attach: where it is, and the name the recipient sees."""

    path: Path
    filename: str
    content_type: str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def as_json(self) -> dict:
        """The JSON form stored on the message row."""
        return {"path": str(self.path), "filename": self.filename,
                "content_type": self.content_type}


def idempotency_key(cycle_key: str, step: str, kind: str, *facts: object) -> str:
    """``cycle:step:kind:fact…`` — readable, stable, and short enough for the column."""
    key = ":".join([cycle_key, step, kind, *(str(f) for f in facts)])
    return key if len(key) <= 255 else key[:190] + ":" + hashlib.sha256(key.encode()).hexdigest()


def message_row(*, cycle_id: int, key: str, kind: str, to: Sequence[str], template: str, context: dict,
                now: dt.datetime, cc: Sequence[str] = (), attachments: Sequence[Attachment] = (),
                unit_id: int | None = None, obligation_id: int | None = None) -> dict:
    """The column values of a new pending message (rendered), for a bulk insert."""
    subject, text, html = render_email(template, context)
    return pending_row(cycle_id=cycle_id, key=key, kind=kind, to=to, cc=cc, subject=subject, text=text,
                       html=html, now=now, attachments=attachments, unit_id=unit_id,
                       obligation_id=obligation_id)


def pending_row(*, cycle_id: int, key: str, kind: str, to: Sequence[str], cc: Sequence[str],
                subject: str, text: str, html: str | None, now: dt.datetime,
                attachments: Sequence[Attachment] = (), unit_id: int | None = None,
                obligation_id: int | None = None) -> dict:
    """The column values of a new pending message whose subject and bodies are already rendered."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return {"cycle_id": cycle_id, "idempotency_key": key, "kind": kind, "channel": None,
            "to_addrs": list(to), "cc_addrs": list(cc), "subject": subject, "body_text": text,
            "body_html": html, "attachments": [a.as_json() for a in attachments], "unit_id": unit_id,
            "obligation_id": obligation_id, "message_id": f"<{digest}@giamsat.local>",
            "status": "pending", "attempts": 0, "last_error": None, "claim_token": None,
            "claimed_at": None, "sent_at": None, "created_at": now}


def enqueue(session: Session, *, cycle_id: int, key: str, kind: str, to: Sequence[str],
            template: str, context: dict, now: dt.datetime, cc: Sequence[str] = (),
            attachments: Sequence[Attachment] = (), unit_id: int | None = None,
            obligation_id: int | None = None, flush: bool = True,
            new_id: int | None = None) -> tuple[Message, bool]:
    """Queue one message unless ``key`` is already queued; returns (message, created).

    ``flush=False`` leaves the new row to the caller's next flush (its id is not known until then,
    unless ``new_id`` gives it: the caller has checked the key is not queued and took the id from
    ``giamsat.db.ids.Ids``, so the key is not looked up again).
    """
    if new_id is None:
        existing = session.scalar(select(Message).where(Message.idempotency_key == key))
        if existing is not None:
            return existing, False
    msg = Message(**message_row(cycle_id=cycle_id, key=key, kind=kind, to=to, template=template,
                                context=context, now=now, cc=cc, attachments=attachments,
                                unit_id=unit_id, obligation_id=obligation_id))
    if new_id is not None:
        msg.id = new_id
    session.add(msg)
    if flush:
        session.flush()
    return msg, True


def insert_pending(session: Session, rows: Sequence[dict]) -> set[str]:
    """Insert new messages in one statement, skipping any key already queued (by anyone, even a
    concurrent run that has not committed yet: the unique key makes the second insert wait for it
    and then skip); returns the keys actually inserted."""
    if not rows:
        return set()
    table = Message.__table__
    dialect = session.get_bind().dialect.name
    stmt = (pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)) \
        .on_conflict_do_nothing(index_elements=[table.c.idempotency_key]) \
        .returning(table.c.idempotency_key)
    return set(session.execute(stmt, list(rows)).scalars())
