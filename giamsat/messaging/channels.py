"""Delivery channels: ``file`` (RFC 5322 .eml files under ``<home>/outbox``) and ``smtp``.

A channel opens one session per drain batch (one SMTP connection for many messages). ``send``
returns the recipients the server refused while accepting others, or raises ``DeliveryError``:
``permanent`` for 5xx answers and unreadable attachments, transient for 4xx answers, timeouts
and dropped connections (``ConnectionLost``: the session is unusable, stop the batch).
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from giamsat.domain.errors import DeliveryError
from giamsat.domain.textsafety import redact, secret_forms
from giamsat.messaging.mime import Outgoing, envelope_sender, message_bytes
from giamsat.settings import DeliverySettings


class ConnectionLost(DeliveryError):
    """The connection broke mid-batch: transient, and the rest of the batch must wait."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=False)


class Sender(Protocol):
    """An open session of a channel."""

    def send(self, out: Outgoing) -> dict[str, str]:
        """Deliver one message; returns refused recipients (address → reason) if others got it."""
        ...


class Channel(Protocol):
    """A way to deliver messages; ``idempotent`` when delivering a message again changes nothing."""

    name: str
    idempotent: bool

    def session(self) -> AbstractContextManager[Sender]:
        """Open a session for one batch (a context manager)."""
        ...


class _FileSender:
    def __init__(self, folder: Path, mail_from: str, reply_to: str | None = None) -> None:
        self.folder, self.mail_from, self.reply_to = folder, mail_from, reply_to
        self.suffix = session_suffix()  # this session's partial files

    def send(self, out: Outgoing) -> dict[str, str]:
        """Write ``<id>-<hash>.eml`` (``write_eml``); re-sending rewrites the same bytes."""
        write_eml(self.folder, self.suffix, out, self.mail_from, self.reply_to)
        return {}


def session_suffix() -> str:
    """The ending of one session's temporary files (a name no other session uses)."""
    return f".{uuid.uuid4().hex[:12]}.tmp"


def write_eml(folder: Path, suffix: str, out: Outgoing, mail_from: str, reply_to: str | None) -> None:
    """Write ``<id>-<hash>.eml`` (temporary file, then rename), in the process or on a worker.

    No fsync per file (a journal commit, slower than building the message): the batch is flushed
    to disk once before it is recorded. A process crash loses nothing written (the kernel holds
    it); only a power cut within the batch could.
    """
    data = message_bytes(out, mail_from, reply_to)
    digest = hashlib.sha256(out.message_id.encode()).hexdigest()[:12]
    target = folder / f"{out.id:06d}-{digest}.eml"
    tmp = folder / f".{target.name}{suffix}"
    try:
        # A name of this session's own (created exclusively, a planted link is not followed):
        # no temporary-name search per file; the rename makes each file appear whole.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise DeliveryError(f"Không ghi được thư vào {folder}: {exc}", permanent=False) from None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class FileChannel:
    """Writes each message as an .eml file any mail client can open.

    Idempotent: a message's file name is fixed by the message and the file appears whole
    (``os.replace``), so a re-send rewrites the same file and never adds a second one. The outbox
    therefore records a whole batch as sent in one commit (``idempotent = True``).
    """

    name = "file"
    idempotent = True

    def __init__(self, folder: Path, mail_from: str, reply_to: str | None = None, workers: int = 0) -> None:
        self.folder, self.mail_from, self.reply_to = Path(folder), mail_from, reply_to
        self.workers = workers  # processes writing large batches (``filebatch``); 0: this one

    @contextmanager
    def session(self) -> Iterator[Sender]:
        """The outbox folder, created if needed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            yield _FileSender(self.folder, self.mail_from, self.reply_to)
        finally:
            if hasattr(os, "sync"):
                os.sync()


def _reason(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}".strip()


class _SmtpSender:
    def __init__(self, conn: smtplib.SMTP, mail_from: str, reply_to: str | None = None,
                 secrets: list[str] | None = None) -> None:
        self.conn, self.mail_from, self.reply_to = conn, mail_from, reply_to
        self.secrets = secrets or []

    def send(self, out: Outgoing) -> dict[str, str]:
        """One SMTP transaction; every server reply it passes on is redacted of the password."""
        try:
            refused = self._send(out)
        except ConnectionLost as exc:
            raise ConnectionLost(redact(str(exc), self.secrets)) from None
        except DeliveryError as exc:
            raise DeliveryError(redact(str(exc), self.secrets), permanent=exc.permanent) from None
        return {a: redact(r, self.secrets) for a, r in refused.items()}

    def _send(self, out: Outgoing) -> dict[str, str]:
        """One SMTP transaction on the open connection; classifies every failure."""
        data = message_bytes(out, self.mail_from, self.reply_to)
        try:
            refused = self.conn.sendmail(envelope_sender(self.mail_from), out.recipients, data)
        except smtplib.SMTPRecipientsRefused as exc:
            reasons = {a: _reason(c, t) for a, (c, t) in exc.recipients.items()}
            if any(c == 421 for c, _ in exc.recipients.values()):
                raise ConnectionLost("Máy chủ thư đóng kết nối: " + "; ".join(reasons.values())) from None
            permanent = all(c >= 500 for c, _ in exc.recipients.values())
            raise DeliveryError("Máy chủ thư từ chối người nhận: " + "; ".join(
                f"{a}: {r}" for a, r in reasons.items()), permanent=permanent) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise DeliveryError(f"Máy chủ thư từ chối thư: {_reason(exc.smtp_code, exc.smtp_error)}",
                                permanent=exc.smtp_code >= 500) from None
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:
                raise ConnectionLost(f"Máy chủ thư đóng kết nối: {_reason(421, exc.smtp_error)}") from None
            raise DeliveryError(f"Máy chủ thư trả lỗi: {_reason(exc.smtp_code, exc.smtp_error)}",
                                permanent=exc.smtp_code >= 500) from None
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise ConnectionLost(f"Mất kết nối tới máy chủ thư: {exc or type(exc).__name__}") from None
        return {a: _reason(c, t) for a, (c, t) in refused.items()}


class SmtpChannel:
    """Sends through an SMTP server (none / STARTTLS / implicit TLS), one connection per batch.

    Not idempotent: a message the server accepted cannot be taken back, so each is recorded in
    its own commit right after the server's ``250``.
    """

    name = "smtp"
    idempotent = False

    def __init__(self, d: DeliverySettings, ssl_context: ssl.SSLContext | None = None) -> None:
        self.d = d
        self.ssl_context = ssl_context

    def _connect(self) -> smtplib.SMTP:
        d, ctx = self.d, self.ssl_context or ssl.create_default_context()
        if d.smtp_security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(d.smtp_host, d.smtp_port, timeout=d.smtp_timeout,
                                                  context=ctx)
        else:
            conn = smtplib.SMTP(d.smtp_host, d.smtp_port, timeout=d.smtp_timeout)
        try:
            if d.smtp_security == "starttls":
                conn.starttls(context=ctx)
            if d.smtp_user:
                password = d.smtp_password.get_secret_value() if d.smtp_password else ""
                conn.login(d.smtp_user, password)
        except BaseException:
            conn.close()
            raise
        return conn

    def _secrets(self) -> list[str]:
        """The password and the forms AUTH PLAIN / LOGIN send it in, which a server may echo back."""
        password = self.d.smtp_password.get_secret_value() if self.d.smtp_password else ""
        return secret_forms(self.d.smtp_user, password)

    @contextmanager
    def session(self) -> Iterator[Sender]:
        """One connection; auth failures are permanent, unreachable servers transient."""
        where = f"{self.d.smtp_host}:{self.d.smtp_port}"
        try:
            conn = self._connect()
        except smtplib.SMTPAuthenticationError as exc:  # the message is stored in last_error: redact
            raise DeliveryError(redact(f"Máy chủ thư {where} từ chối đăng nhập của {self.d.smtp_user}: "
                                       f"{_reason(exc.smtp_code, exc.smtp_error)}", self._secrets()),
                                permanent=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(redact(f"Không kết nối được máy chủ thư {where}: "
                                       f"{exc or type(exc).__name__}", self._secrets()),
                                permanent=False) from None
        try:
            yield _SmtpSender(conn, self.d.mail_from, self.d.reply_to, self._secrets())
        finally:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


def channel_for(d: DeliverySettings, workers: int = 0) -> Channel:
    """The configured channel; the file channel writes large batches on ``workers`` processes."""
    if d.channel == "smtp":
        return SmtpChannel(d)
    return FileChannel(d.outbox_dir, d.mail_from, d.reply_to, workers)
