"""The demo's communes send their reports by e-mail: a real message delivered to the office Maildir.

With no IMAP server configured, the office mailbox is the Maildir ``<home>/mail`` (see
``collect.mail.open_mailbox``); the demo delivers each commune's message there as a mail server
would, with the delivery time (the file's mtime, what the reader takes as the arrival) set to the
simulated day and hour, so the collect flow's fetch takes it in on that day.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from email.utils import formataddr
from pathlib import Path

from giamsat.domain.formatting import short_date
from giamsat.messaging.mime import Outgoing, message_bytes
from giamsat.plan import places
from giamsat.plan.schema import Unit
from giamsat.runtime import Runtime

DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def office_address(rt: Runtime) -> str:
    """The office mailbox the notify e-mail asks communes to reply to."""
    return rt.plan.bodies.office.email or rt.delivery().mail_from


@dataclass(frozen=True)
class Letter:
    """A commune's message but for its form: what ``letter_bytes`` needs (plain values, so a fill
    worker can make the message too)."""

    code: str
    domain: str
    stem: str
    to: str
    subject: str
    text: str
    sender: str
    arrived: dt.datetime
    signed: bool


def letter(rt: Runtime, unit: Unit, arrived: dt.datetime, signed: bool) -> Letter:
    """The message ``unit`` sends at ``arrived`` (a signed PDF copy beside its form when ``signed``)."""
    sender = unit.name if places.is_village(unit.kind) else f"UBND {unit.name}"  # a village has no UBND
    return Letter(code=unit.code, domain=unit.email.partition("@")[2] or "xa.example",
                  stem=f"Bao cao {unit.name} {arrived:%d-%m}",
                  to=formataddr((rt.plan.bodies.office.short, office_address(rt))),
                  subject=f"Báo cáo kết quả thực hiện Chương trình năm {rt.plan.year} - {unit.name}",
                  text=(f"Kính gửi {rt.plan.bodies.office.short},\n\n{unit.name} gửi báo cáo theo "
                        f"đề cương đính kèm{' (kèm bản ký số)' if signed else ''}.\n\n"
                        "Trân trọng.\n(Dữ liệu minh họa)\n"),
                  sender=formataddr((sender, unit.email)), arrived=arrived, signed=signed)


def report_mail(rt: Runtime, unit: Unit, form: Path, arrived: dt.datetime,
                signed: bool) -> bytes:
    """The commune's message: its filled form attached, and a signed PDF copy when ``signed``."""
    return letter_bytes(letter(rt, unit, arrived, signed), form)


def letter_bytes(m: Letter, form: Path) -> bytes:
    """``m`` with ``form`` attached (and its signed PDF copy, written beside it).

    Built with the outbox's direct MIME builder (the same bytes a mail client's message parses
    to; the ``email`` package's header folding cost more than filling the form)."""
    attachments = [{"path": str(form), "filename": f"{m.stem}.docx", "content_type": "/".join(DOCX_TYPE)}]
    if m.signed:
        pdf = form.with_name(f"{form.stem} (ban ky so).pdf")
        pdf.write_bytes(signed_pdf(m.code, m.arrived))
        attachments.append({"path": str(pdf), "filename": f"{m.stem} (ban ky so).pdf",
                            "content_type": "application/pdf"})
    message_id = f"<demo-{m.code}-{m.arrived:%Y%m%d%H%M}-{form.stat().st_size}@{m.domain}>"
    out = Outgoing(id=0, message_id=message_id, to=[m.to], subject=m.subject, text=m.text, html=None,
                   created_at=m.arrived, attachments=attachments)
    return message_bytes(out, m.sender)


def deliver(maildir: Path, msg: bytes, arrived: dt.datetime) -> str:
    """Put ``msg`` in ``maildir``'s ``new/`` delivered at ``arrived``; returns its key."""
    return publish(maildir, stage(maildir, msg, arrived))


def stage(maildir: Path, msg: bytes, arrived: dt.datetime) -> str:
    """``msg`` written in ``maildir``'s ``tmp/`` (which no reader looks in) with its delivery time
    ``arrived``; ``publish`` delivers it. Returns its key."""
    key = f"{arrived.timestamp():.0f}.{uuid.uuid4().hex}.giamsat-demo"  # unique, as Maildir asks
    tmp = Path(maildir) / "tmp" / key
    try:  # a worker stages thousands: the folders are made when the first finds none
        tmp.write_bytes(msg)
    except FileNotFoundError:
        for folder in ("tmp", "new", "cur"):
            (Path(maildir) / folder).mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(msg)
    os.utime(tmp, (arrived.timestamp(), arrived.timestamp()))  # the delivery time the reader takes
    return key


def publish(maildir: Path, key: str) -> str:
    """The staged message ``key`` moved to ``new/``: delivered, never seen half written."""
    os.rename(Path(maildir) / "tmp" / key, Path(maildir) / "new" / key)
    return key


def signed_pdf(code: str, arrived: dt.datetime) -> bytes:
    """A one-page PDF standing in for the scanned, signed report (synthetic, labelled so)."""
    text = f"Ban ky so - {code} - {short_date(arrived)} - du lieu minh hoa"
    stream = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode("ascii", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
