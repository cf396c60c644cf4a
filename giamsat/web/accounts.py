"""Coordinator accounts: scrypt password hashes, signed session cookies, CSRF tokens, throttling."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from giamsat.db import audit
from giamsat.db.models import WebUser
from giamsat.domain.errors import Conflict
from giamsat.links.key import sign
from giamsat.runtime import Runtime

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SESSION_HOURS = 12
USERNAME = re.compile(r"[a-z0-9_.-]{3,32}")
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of ``password`` with a fresh salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${b64(salt).decode()}${b64(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a stored ``hash_password`` value (constant-time compare)."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=32,
                             n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def add_user(rt: Runtime, username: str, password: str, actor: str, now: dt.datetime) -> None:
    """Create a coordinator account, or set a new password for an existing one."""
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise Conflict("Tên đăng nhập chỉ gồm chữ thường không dấu, số và . _ - (3–32 ký tự).")
    if len(password) < MIN_PASSWORD:
        raise Conflict(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")
    with rt.db.unit_of_work() as s:
        user = s.scalar(select(WebUser).where(WebUser.username == username))
        if user is None:
            s.add(WebUser(username=username, password_hash=hash_password(password), created_at=now,
                          sessions_valid_after=now))
            action = "web.user_added"
        else:
            user.password_hash, user.sessions_valid_after = hash_password(password), now
            action = "web.password_changed"
        audit.record(s, at=now, actor=actor, action=action, entity="web_user", entity_id=username)


@functools.cache
def _unknown_user_hash() -> str:
    """A hash to check against for an unknown name, so that it takes as long as a known one."""
    return hash_password(secrets.token_hex(16))


def authenticate(rt: Runtime, username: str, password: str) -> str | None:
    """The account's name when the password matches, else None (same work either way)."""
    with rt.db.unit_of_work() as s:
        user = s.scalar(select(WebUser).where(WebUser.username == username.strip().lower()))
        ok = check_password(password, user.password_hash if user else _unknown_user_hash())
        return user.username if user is not None and ok else None


def end_sessions(rt: Runtime, username: str, now: dt.datetime, wall: dt.datetime | None = None) -> None:
    """Invalidate every session of ``username`` issued before ``wall`` (logout), audited at ``now``.

    Sessions live on the wall clock (``wall``, default ``now``); the audit entry on the cycle's
    clock, which the web app may simulate (``giamsat web --as-of``).
    """
    with rt.db.unit_of_work() as s:
        user = s.scalar(select(WebUser).where(WebUser.username == username))
        if user is not None:  # one second on: a cookie issued this very second is also ended
            user.sessions_valid_after = (wall or now) + dt.timedelta(seconds=1)
            audit.record(s, at=now, actor=username, action="web.logout", entity="web_user",
                         entity_id=username)


@dataclass(frozen=True)
class Session:
    """A signed-in coordinator: who, since when, and the CSRF token of their forms."""

    username: str
    issued: int
    csrf: str


def session_cookie(key: bytes, username: str, issued: int) -> str:
    """The cookie value of a new session."""
    return f"{username}.{issued}.{sign(key, 'session', username, str(issued))}"


def read_session(rt: Runtime, key: bytes, cookie: str | None, now: dt.datetime) -> Session | None:
    """The session a cookie proves, if its signature, age and account are all still good."""
    try:
        username, issued_text, sig = (cookie or "").rsplit(".", 2)
        issued = int(issued_text)
    except ValueError:
        return None
    if not hmac.compare_digest(sig, sign(key, "session", username, issued_text)):
        return None
    if not 0 <= now.timestamp() - issued <= SESSION_HOURS * 3600:
        return None
    with rt.db.unit_of_work() as s:
        user = s.scalar(select(WebUser).where(WebUser.username == username))
        if user is None or issued < int(user.sessions_valid_after.timestamp()):
            return None
    return Session(username, issued, sign(key, "csrf", username, issued_text)[:40])


class Throttle:
    """At most ``limit`` failed logins per key (account or address) in ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 900) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        """Whether any of ``keys`` has used up its attempts."""
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._failures[k] = self._recent(k, now) + [now]

    def _recent(self, key: str, now: float) -> list[float]:
        return [t for t in self._failures.get(key, []) if now - t < self.window]
