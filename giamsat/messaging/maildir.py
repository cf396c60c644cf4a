"""A Maildir folder standing in for the office mailbox when no IMAP server is configured (the demo).

Read with the standard library's ``mailbox``; the same ``IncomingMail`` objects come out as from
IMAP. The arrival time is the file's delivery time (what Dovecot reports as INTERNALDATE for a
Maildir), else the Date header; a message taken in is moved to ``cur/`` with the ``S`` flag.
"""

from __future__ import annotations

import datetime as dt
import mailbox
from dataclasses import replace
from pathlib import Path

from giamsat.messaging.incoming import IncomingMail, parse_mail


class MaildirMailbox:
    """The Maildir at ``root`` (created when missing); use as a context manager."""

    def __init__(self, root: Path, max_message_bytes: int) -> None:
        self.root = Path(root)
        self.max_message_bytes = max_message_bytes
        self.folder = "maildir"
        self.uidvalidity = 0
        self.box = mailbox.Maildir(self.root, create=True)

    def __enter__(self) -> MaildirMailbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.box.close()

    def pending(self) -> list[str]:
        """Keys of the messages not yet taken (no ``S`` flag), oldest delivery first."""
        keys = []
        for sub in ("new", "cur"):
            for entry in (self.root / sub).iterdir():
                key, _, info = entry.name.partition(":")
                if entry.name.startswith(".") or "S" in info.partition(",")[2]:
                    continue
                keys.append((entry.stat().st_mtime, key))
        return [k for _, k in sorted(keys)]

    def read(self, key: str, max_attachment_bytes: int) -> IncomingMail:
        """The message ``key`` parsed; an over-size one is read without its attachments."""
        msg = self.box.get_message(key)
        raw = self.box.get_bytes(key)
        arrived = dt.datetime.fromtimestamp(msg.get_date(), tz=dt.UTC)
        too_big = len(raw) > self.max_message_bytes
        mail = parse_mail(raw if not too_big else raw.split(b"\n\n", 1)[0], folder=self.folder,
                          uidvalidity=0, uid=key, internaldate=arrived,
                          max_attachment_bytes=max_attachment_bytes)
        if too_big:
            note = f"thư quá lớn ({len(raw) // (1024 * 1024)} MB), chưa đọc tệp đính kèm"
            mail = replace(mail, attachments=(), skipped=(note,))
        return mail

    def mark_taken(self, key: str, seen: bool) -> None:
        """Move ``key`` to ``cur/`` flagged ``S`` (its delivery time is kept)."""
        msg = self.box.get_message(key)
        msg.set_subdir("cur")
        msg.add_flag("S")
        self.box[key] = msg
