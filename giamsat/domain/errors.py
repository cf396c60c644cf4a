"""Small typed exceptions of the core; the CLI and flows turn them into messages and exit codes."""

from __future__ import annotations


class GiamsatError(Exception):
    """Base of every expected failure; ``str()`` is a message a district officer can read."""


class PlanError(GiamsatError):
    """The plan file is missing, unreadable or invalid; ``problems`` holds one line per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Kế hoạch {source} không hợp lệ ({len(problems)} lỗi):\n{lines}")


class SettingsError(GiamsatError):
    """An environment setting has a wrong value."""


class DatabaseError(GiamsatError):
    """The database cannot be reached or is not at the expected schema version."""


class DatabaseUnavailable(DatabaseError):
    """The database server did not answer (down, restarting, unreachable): worth retrying later."""


class NotFound(GiamsatError):
    """A record named on the command line does not exist."""


class Conflict(GiamsatError):
    """The requested change contradicts the current state (e.g. approving a rejected draw)."""


class BadDocument(GiamsatError):
    """An uploaded document cannot be read; ``code`` is stable, the message is Vietnamese."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class DeliveryError(GiamsatError):
    """A message could not be delivered; ``permanent`` says whether retrying can help."""

    def __init__(self, message: str, permanent: bool) -> None:
        self.permanent = permanent
        super().__init__(message)


class MailboxUnavailable(GiamsatError):
    """The office mailbox (IMAP server) cannot be reached or refuses the login: retry later."""


class StorageError(GiamsatError, OSError):
    """A file could not be written (disk full, read-only, no permission); nothing half-written is left."""

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.errno = code


class ToolMissing(GiamsatError):
    """A program giamsat calls (LibreOffice for PDF export) is not installed."""


class SignatureRefused(GiamsatError):
    """A signed PDF cannot be registered (unsigned, altered, untrusted signer); nothing is recorded."""


class ExportFailed(GiamsatError):
    """LibreOffice ran but did not produce the PDF."""
