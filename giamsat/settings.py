"""Runtime settings, declared once with defaults and help, merged as: plan YAML < environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from giamsat.domain.errors import SettingsError
from giamsat.plan.schema import Plan

DEFAULT_CONFIG = Path("config/vu-ban-2024.yaml")


class Settings(BaseSettings):
    """Everything read from the environment (``GIAMSAT_*``); secrets only ever come from here."""

    model_config = SettingsConfigDict(env_prefix="GIAMSAT_", extra="ignore")

    home: Path = Field(Path("var"), description="Folder holding all state (DB, outbox, files).")
    config: Path = Field(DEFAULT_CONFIG, description="The plan YAML of the cycle.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default SQLite in home.")
    channel: Literal["file", "smtp"] | None = Field(None, description="Overrides delivery.channel.")
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: Literal["none", "starttls", "ssl"] | None = None
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(30.0, description="Seconds before an SMTP connection gives up.")
    mail_from: str | None = None
    mail_reply_to: str | None = Field(
        None, description="Reply-To of every e-mail: the mailbox giamsat reads; default the office's.")
    smtp_retry_delays: list[float] = Field(
        [10, 30, 90, 270], description="Seconds between delivery retries of one drain (growing).")
    actor: str | None = Field(None, description="Who is acting, for the audit log.")
    synthetic_data: bool = Field(
        False, description="The figures come from synthetic communes (the demo): reports say so.")
    imap_host: str | None = Field(
        None, description="IMAP server of the office mailbox; unset: read <home>/mail (Maildir).")
    imap_port: int | None = Field(None, description="IMAP port; default 993 (ssl) or 143.")
    imap_security: Literal["none", "starttls", "ssl"] = "ssl"
    imap_user: str | None = None
    imap_password: SecretStr | None = None
    imap_folder: str = Field("INBOX", description="The folder the communes' replies arrive in.")
    imap_timeout: float = Field(30.0, description="Seconds before an IMAP connection gives up.")
    trust_roots: str | None = Field(
        None, description="PEM files of the CA roots a signed document must chain to, separated by "
                          "the path separator (':'); unset: signatures are checked for integrity only.")

    def trust_root_paths(self) -> list[Path]:
        """The files named by GIAMSAT_TRUST_ROOTS (none when unset)."""
        return [Path(p) for p in (self.trust_roots or "").split(os.pathsep) if p.strip()]
    intake_workers: int | None = Field(
        None, description="Processes that read and check incoming forms beside the one recording "
                          "them, and write the file channel's large batches; unset: one per core "
                          "when there are two or more; 0: none.")
    web_url: str | None = Field(None, description="Public address of the web app (links in e-mails).")
    web_secret: SecretStr | None = Field(
        None, description="Key signing sessions and communes' links; default a file in home.")

    @property
    def db_url(self) -> str:
        """The database URL: the setting, or SQLite at ``<home>/giamsat.db``."""
        return self.database_url or f"sqlite:///{(self.home / 'giamsat.db').resolve()}"

    def delivery(self, plan: Plan) -> DeliverySettings:
        """Delivery settings: the plan's defaults overridden by the environment."""
        d = plan.delivery
        return DeliverySettings(
            channel=self.channel or d.channel,
            mail_from=self.mail_from or d.mail_from,
            reply_to=self.mail_reply_to or plan.bodies.office.email,
            smtp_host=self.smtp_host or d.smtp_host,
            smtp_port=self.smtp_port or d.smtp_port,
            smtp_security=self.smtp_security or d.smtp_security,
            smtp_user=self.smtp_user,
            smtp_password=self.smtp_password,
            smtp_timeout=self.smtp_timeout,
            outbox_dir=self.home / "outbox",
        )


    def mailbox(self) -> MailboxSettings:
        """Where incoming reports are read: the IMAP server, or the Maildir under the home."""
        port = self.imap_port or (993 if self.imap_security == "ssl" else 143)
        return MailboxSettings(host=self.imap_host, port=port, security=self.imap_security,
                               user=self.imap_user, password=self.imap_password,
                               folder=self.imap_folder, timeout=self.imap_timeout,
                               maildir=self.home / "mail")


class MailboxSettings(BaseModel):
    """Resolved mailbox settings handed to the reader (the password stays a SecretStr)."""

    host: str | None
    port: int
    security: Literal["none", "starttls", "ssl"]
    user: str | None = None
    password: SecretStr | None = None
    folder: str = "INBOX"
    timeout: float = 30.0
    maildir: Path


class DeliverySettings(BaseModel):
    """Resolved delivery settings handed to a channel (the password stays a SecretStr)."""

    channel: Literal["file", "smtp"]
    mail_from: str
    reply_to: str | None = None
    smtp_host: str
    smtp_port: int
    smtp_security: Literal["none", "starttls", "ssl"]
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = 30.0
    outbox_dir: Path


def load_settings(**overrides: Any) -> Settings:
    """Read the environment once; a wrong value becomes a ``SettingsError`` naming the variable."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        lines = [f"GIAMSAT_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()]
        raise SettingsError("Cấu hình môi trường không hợp lệ:\n  - " + "\n  - ".join(lines)) from None
