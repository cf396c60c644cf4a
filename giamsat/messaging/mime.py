"""An outbox row as an RFC 5322 message: UTF-8 text and HTML alternatives, attachments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from pathlib import Path

from giamsat.errors import DeliveryError


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to deliver one message (decoupled from the ORM row)."""

    id: int
    message_id: str
    to: list[str]
    subject: str
    text: str
    html: str | None
    created_at: dt.datetime
    cc: list[str] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)

    @property
    def recipients(self) -> list[str]:
        """Envelope recipients: every To and Cc address."""
        return [addr for _, addr in getaddresses([*self.to, *self.cc]) if addr]


def envelope_sender(mail_from: str) -> str:
    """The bare address of ``Name <addr>``."""
    return parseaddr(mail_from)[1] or mail_from


def build_email(out: Outgoing, mail_from: str) -> EmailMessage:
    """The full message; its Date is the row's creation time so a rebuild gives identical bytes."""
    msg = EmailMessage()
    msg["Subject"] = out.subject
    msg["From"] = mail_from
    msg["To"] = ", ".join(out.to)
    if out.cc:
        msg["Cc"] = ", ".join(out.cc)
    msg["Date"] = format_datetime(out.created_at)
    msg["Message-ID"] = out.message_id
    msg.set_content(out.text, charset="utf-8")
    if out.html:
        msg.add_alternative(out.html, subtype="html", charset="utf-8")
    for att in out.attachments:
        path = Path(att["path"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DeliveryError(f"Không đọc được tệp đính kèm {att['filename']} ({path}): "
                                f"{exc.strerror or exc}", permanent=True) from None
        maintype, _, subtype = att.get("content_type", "application/octet-stream").partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=att["filename"])
    return msg
