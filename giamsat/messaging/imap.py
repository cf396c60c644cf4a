"""The office mailbox over IMAP (standard library ``imaplib``): list new mail, read it, mark it taken.

A message taken in gets the keyword ``$GiamsatTaken`` (and ``\\Seen`` when nothing is left for a
person), so a mail client still shows the office what is waiting for it. The password is never
logged, stored or shown: every text that comes back from the server is redacted of it.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import re
import socket
import ssl
from typing import Any

from giamsat.domain.errors import MailboxUnavailable
from giamsat.domain.textsafety import clean_line, redact, secret_forms
from giamsat.messaging.incoming import Fetched, IncomingMail, parse_fetched
from giamsat.settings import MailboxSettings

TAKEN = "$GiamsatTaken"
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_UID = re.compile(rb"UID (\d+)")


class ImapMailbox:
    """One connection to the office's folder; use as a context manager."""

    def __init__(self, settings: MailboxSettings, max_message_bytes: int) -> None:
        self.s = settings
        self.max_message_bytes = max_message_bytes
        self.folder = settings.folder
        self.uidvalidity = 0
        self.conn: Any = None  # an imaplib.IMAP4 while inside ``with``

    def __enter__(self) -> ImapMailbox:
        self.conn = self._guard("kết nối", self._connect)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            try:
                self.conn.logout()
            except (OSError, imaplib.IMAP4.error):
                pass  # the server already went away: nothing to close
            self.conn = None

    def _connect(self) -> imaplib.IMAP4:
        s = self.s
        assert s.host is not None, "a mailbox is configured (GIAMSAT_IMAP_HOST)"
        conn: imaplib.IMAP4
        if s.security == "ssl":
            conn = imaplib.IMAP4_SSL(s.host, s.port, ssl_context=ssl.create_default_context(),
                                     timeout=s.timeout)
        else:
            conn = imaplib.IMAP4(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                conn.starttls(ssl.create_default_context())
        user, password = s.user or "", s.password.get_secret_value() if s.password else ""
        if (user + password).isascii():
            conn.login(user, password)
        else:  # LOGIN is ASCII only; AUTHENTICATE PLAIN carries UTF-8
            conn.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())
        typ, data = conn.select(_quote(self.folder))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"không mở được thư mục {self.folder}: {data!r}")
        self.uidvalidity = int(conn.untagged_responses.get("UIDVALIDITY", [b"0"])[0])  # type: ignore[arg-type]  # bytes in practice
        return conn

    def pending(self) -> list[str]:
        """UIDs of the messages not yet taken, oldest first."""
        typ, data = self._guard("tìm thư mới", self.conn.uid, "SEARCH", "UNKEYWORD", TAKEN)
        return [u.decode() for u in (data[0] or b"").split()] if typ == "OK" else []

    def read(self, uid: str, max_attachment_bytes: int) -> IncomingMail:
        """The message ``uid`` parsed; an over-size one is read by its header only."""
        return parse_fetched(self.fetch(uid), max_attachment_bytes)

    def fetch(self, uid: str) -> Fetched:
        """The message ``uid`` as the server gives it, not parsed; an over-size one by its header."""
        typ, data = self._guard("đọc thư", self.conn.uid, "FETCH", uid, "(INTERNALDATE RFC822.SIZE)")
        head = _first_bytes(data)
        size = int(m.group(1)) if (m := _SIZE.search(head)) else 0
        arrived = _internaldate(head)
        part = "BODY.PEEK[HEADER]" if size > self.max_message_bytes else "BODY.PEEK[]"
        typ, data = self._guard("đọc thư", self.conn.uid, "FETCH", uid, f"({part})")
        raw = next((x[1] for x in data if isinstance(x, tuple)), b"")
        note = (f"thư quá lớn ({size // (1024 * 1024)} MB), chưa tải tệp đính kèm"
                if size > self.max_message_bytes else None)
        return Fetched(self.folder, self.uidvalidity, uid, raw, arrived, note)

    def mark_taken(self, uid: str, seen: bool) -> None:
        """Flag ``uid`` as taken (and read, when no person needs to look at it)."""
        flags = f"({TAKEN} \\Seen)" if seen else f"({TAKEN})"
        self._guard("đánh dấu thư", self.conn.uid, "STORE", uid, "+FLAGS", flags)

    def _guard(self, action: str, fn, *args):
        try:
            return fn(*args)
        except (OSError, imaplib.IMAP4.error, ssl.SSLError, EOFError) as exc:
            raise MailboxUnavailable(self._explain(action, exc)) from None

    def _explain(self, action: str, exc: BaseException) -> str:
        """A Vietnamese sentence for the office; the server's words kept, the password redacted."""
        s = self.s
        secret = secret_forms(s.user, s.password.get_secret_value() if s.password else None)
        if isinstance(exc, ConnectionRefusedError | socket.timeout | socket.gaierror):
            why = "máy chủ không trả lời"
        elif isinstance(exc, imaplib.IMAP4.error) and action == "kết nối":
            why = "máy chủ từ chối đăng nhập hoặc mở thư mục"
        else:
            why = "kết nối bị gián đoạn"
        detail = redact(clean_line(str(exc) or type(exc).__name__), secret)[:300]
        return (f"Không {action} được hộp thư {s.user or ''}@{s.host}:{s.port} ({why}: {detail}). "
                "Không thư nào bị mất: thư chưa xử lý vẫn nằm trên máy chủ, lần chạy sau sẽ tiếp tục.")


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _first_bytes(data: list) -> bytes:
    for item in data or []:
        if isinstance(item, tuple):
            return item[0]
        if isinstance(item, bytes):
            return item
    return b""


def _internaldate(head: bytes) -> dt.datetime | None:
    m = _INTERNALDATE.search(head)
    if not m:
        return None
    try:
        return dt.datetime.strptime(m.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None

