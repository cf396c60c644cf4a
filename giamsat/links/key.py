"""The web app's signing key: GIAMSAT_WEB_SECRET, else a random key kept in the home folder."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from giamsat.runtime import Runtime


def web_key(rt: Runtime) -> bytes:
    """The key that signs session cookies and derives communes' link tokens."""
    if rt.settings.web_secret is not None and rt.settings.web_secret.get_secret_value():
        return rt.settings.web_secret.get_secret_value().encode()
    path = rt.path("web", "secret.key")
    if not path.exists():
        _create_private(path, secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode()


def _create_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file readable by its owner only (a concurrent writer wins once)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)


def sign(key: bytes, *parts: str) -> str:
    """A hex HMAC-SHA256 of ``parts`` joined by a separator no part contains."""
    return hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()


def sha256(text: str) -> str:
    """The hex SHA-256 of a text (how tokens are stored)."""
    return hashlib.sha256(text.encode()).hexdigest()
