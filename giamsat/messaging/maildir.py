"""A Maildir folder standing in for the office mailbox when no IMAP server is configured (the demo).

Read file by file; the same ``IncomingMail`` objects come out as from
IMAP. The arrival time is the file's delivery time (what Dovecot reports as INTERNALDATE for a
Maildir), else the Date header; a message taken in is moved to ``cur/`` with the ``S`` flag.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from giamsat.messaging.incoming import Fetched, IncomingMail, parse_fetched


class MaildirMailbox:
    """The Maildir at ``root`` (created when missing); use as a context manager.

    Read file by file, not through ``mailbox.Maildir``: that re-lists the whole folder on most
    lookups (quadratic over a national intake), parses each message once more to find its date,
    and rewrites the whole file to flag it. Here a message is read once, and taking it is the
    rename Maildir prescribes (``new/KEY`` → ``cur/KEY:2,S``; the delivery time, the file's
    modification time, is kept by the rename).
    """

    def __init__(self, root: Path, max_message_bytes: int) -> None:
        self.root = Path(root)
        self.max_message_bytes = max_message_bytes
        self.folder = "maildir"
        self.uidvalidity = 0
        for sub in ("tmp", "new", "cur"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._paths: dict[str, Path] = {}

    def __enter__(self) -> MaildirMailbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self._paths.clear()

    def pending(self) -> list[str]:
        """Keys of the messages not yet taken (no ``S`` flag), oldest delivery first."""
        keys = []
        for sub in ("new", "cur"):
            for entry in os.scandir(self.root / sub):
                key, _, info = entry.name.partition(":")
                if entry.name.startswith(".") or "S" in info.partition(",")[2] or not entry.is_file():
                    continue
                self._paths[key] = Path(entry.path)
                keys.append((entry.stat().st_mtime, key))
        return [k for _, k in sorted(keys)]

    def _path(self, key: str) -> Path:
        path = self._paths.get(key)
        if path is None or not path.exists():
            self.pending()
            path = self._paths.get(key)
        if path is None:
            raise KeyError(f"No message with key: {key}")
        return path

    def read(self, key: str, max_attachment_bytes: int) -> IncomingMail:
        """The message ``key`` parsed; an over-size one is read without its attachments."""
        return parse_fetched(self.fetch(key), max_attachment_bytes)

    def fetch(self, key: str) -> Fetched:
        """The message ``key`` as delivered, not parsed; an over-size one by its header only."""
        return self.message(key).fetch()

    def message(self, key: str) -> MaildirMessage:
        """The message ``key`` by its file, to be read (``MaildirMessage.fetch``) where it is parsed."""
        return MaildirMessage(self.folder, key, os.path.abspath(self._path(key)), self.max_message_bytes)

    def mark_taken(self, key: str, seen: bool) -> None:
        """Move ``key`` to ``cur/`` flagged ``S`` (its delivery time is kept)."""
        path = self._path(key)
        _, _, info = path.name.partition(":")
        flags = "".join(sorted(set(info.partition(",")[2]) | {"S"}))
        target = self.root / "cur" / f"{key}:2,{flags}"
        os.rename(path, target)
        self._paths[key] = target


@dataclass(frozen=True)
class MaildirMessage:
    """A message of the Maildir by its file (absolute path): a worker process reads it there and
    parses it, so the process that lists and records the mailbox neither reads nor sends its bytes.
    ``fetch`` is the one reading of a message, in the worker as in ``MaildirMailbox.fetch``."""

    folder: str
    key: str
    path: str
    max_message_bytes: int

    def fetch(self) -> Fetched:
        """The message as delivered, not parsed; an over-size one by its header only."""
        with Path(self.path).open("rb") as fh:
            arrived = dt.datetime.fromtimestamp(os.fstat(fh.fileno()).st_mtime, tz=dt.UTC)
            raw = fh.read()
        if len(raw) <= self.max_message_bytes:
            return Fetched(self.folder, 0, self.key, raw, arrived)
        note = f"thư quá lớn ({len(raw) // (1024 * 1024)} MB), chưa đọc tệp đính kèm"
        return Fetched(self.folder, 0, self.key, raw.split(b"\n\n", 1)[0], arrived, note)
