"""An e-mail received by the office, parsed once: who sent it, when it arrived, its attachments."""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from functools import cached_property

from giamsat.domain.textsafety import clean_line, display_filename
from giamsat.messaging.header_text import attachment_filename, header_text
from giamsat.messaging.mime_parse import parse_message

MAX_ATTACHMENTS = 20  # a commune sends a form and perhaps a signed scan; more is not a report


@dataclass(frozen=True)
class IncomingAttachment:
    """One attached file: its cleaned name, its bytes and their SHA-256."""

    filename: str
    data: bytes

    @cached_property
    def sha256(self) -> str:
        """The content hash (the intake's identity of a file), computed once: the intake asks for
        it several times a message (its key, its fingerprint, its outcome)."""
        return hashlib.sha256(self.data).hexdigest()

    @property
    def kind(self) -> str:
        """``form`` (.docx), ``signed`` (.pdf) or ``other``, from the file name."""
        name = self.filename.lower()
        return "form" if name.endswith(".docx") else "signed" if name.endswith(".pdf") else "other"


@dataclass(frozen=True)
class IncomingMail:
    """One message of the mailbox, identified by (folder, UIDVALIDITY, UID) and its Message-ID."""

    folder: str
    uidvalidity: int
    uid: str
    message_id: str
    arrived_at: dt.datetime | None
    sender: str
    subject: str
    attachments: tuple[IncomingAttachment, ...] = ()
    skipped: tuple[str, ...] = field(default=())  # attachments not taken, with the reason

    @property
    def forms(self) -> list[IncomingAttachment]:
        """The ``.docx`` attachments: the reports to take in."""
        return [a for a in self.attachments if a.kind == "form"]


@dataclass(frozen=True)
class Fetched:
    """One message as the server gave it, not parsed yet (``parse_fetched`` parses it anywhere:
    the mail intake parses on worker processes); ``too_big``: only its header was fetched."""

    folder: str
    uidvalidity: int
    uid: str
    raw: bytes
    arrived: dt.datetime | None
    too_big: str | None = None  # why the attachments were not read (the message's size)


def parse_fetched(f: Fetched, max_attachment_bytes: int) -> IncomingMail:
    """The fetched message parsed; an over-size one without its attachments, saying why."""
    mail = parse_mail(f.raw, folder=f.folder, uidvalidity=f.uidvalidity, uid=f.uid,
                      internaldate=f.arrived, max_attachment_bytes=max_attachment_bytes)
    return replace(mail, attachments=(), skipped=(f.too_big,)) if f.too_big else mail


def parse_mail(raw: bytes, *, folder: str, uidvalidity: int, uid: str,
               internaldate: dt.datetime | None, max_attachment_bytes: int) -> IncomingMail:
    """The message ``raw`` as an ``IncomingMail``; hostile headers and names are made harmless."""
    msg = parse_message(raw)  # the stdlib's parse, without walking the attachments line by line
    attachments, skipped = _attachments(msg, max_attachment_bytes)
    return IncomingMail(folder=folder, uidvalidity=uidvalidity, uid=uid,
                        message_id=_message_id(msg, raw),
                        arrived_at=internaldate or _date_header(msg),
                        sender=_sender(msg), subject=clean_line(_header(msg, "Subject"))[:300],
                        attachments=tuple(attachments), skipped=tuple(skipped))


def _header(msg: EmailMessage, name: str) -> str:
    text = header_text(msg, name)  # the ordinary shapes, without the registry's parse
    if text is not None:
        return text
    try:
        value = msg.get(name)
        return str(value) if value is not None else ""
    except (ValueError, IndexError, TypeError, AttributeError):  # malformed: must not stop intake
        return ""


def _message_id(msg: EmailMessage, raw: bytes) -> str:
    """The Message-ID, or a stable one made from the bytes when the sender left it out."""
    value = clean_line(_header(msg, "Message-ID"))[:250]
    return value or f"<sha256-{hashlib.sha256(raw).hexdigest()[:40]}@giamsat.missing>"


def _sender(msg: EmailMessage) -> str:
    """The bare address replies go to (Reply-To, else From), lower case; empty if there is none."""
    for name in ("Reply-To", "From"):
        addr = parseaddr(clean_line(_header(msg, name)))[1]
        if "@" in addr:
            return addr.lower()[:254]
    return ""


def _date_header(msg: EmailMessage) -> dt.datetime | None:
    try:
        when = parsedate_to_datetime(_header(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _attachments(msg: EmailMessage, limit: int) -> tuple[list[IncomingAttachment], list[str]]:
    found: list[IncomingAttachment] = []
    skipped: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        raw_name = attachment_filename(part)  # the ordinary shapes, without the registry's parse
        if raw_name is None:
            try:
                raw_name = part.get_filename()
            except (ValueError, IndexError, TypeError):
                raw_name = None
        if not raw_name and part.get_content_disposition() != "attachment":
            continue  # the text of the message itself
        name = display_filename(raw_name or "")
        payload = _decoded(part)
        data = payload if isinstance(payload, bytes) else b""
        if len(found) >= MAX_ATTACHMENTS:
            skipped.append(f"{name}: quá {MAX_ATTACHMENTS} tệp đính kèm trong một thư")
        elif len(data) > limit:
            skipped.append(f"{name}: tệp quá lớn ({len(data) // (1024 * 1024)} MB)")
        else:
            found.append(IncomingAttachment(name, data))
    return found, skipped


def _decoded(part: EmailMessage) -> object:
    """``part.get_payload(decode=True)`` of a leaf part. For clean base64 (ASCII, whole quads, the
    strict alphabet once line ends are dropped) that is ``a2b_base64(…, strict_mode=True)`` of the
    text without its line ends, which is what the stdlib computes after splitting the text into
    lines and joining them again; anything else is left to it (padding fixed, defects noted)."""
    payload = part._payload  # type: ignore[attr-defined]
    if isinstance(payload, str) and payload.isascii() and \
            str(part.get("content-transfer-encoding", "")).lower() == "base64":
        joined = payload.encode("ascii").translate(None, b"\r\n")  # what splitlines() drops
        if len(joined) % 4 == 0:
            try:
                return binascii.a2b_base64(joined, strict_mode=True)
            except binascii.Error:
                pass
    return part.get_payload(decode=True)
