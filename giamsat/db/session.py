"""Engine creation (SQLite WAL + foreign keys, or PostgreSQL) and the unit of work."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from giamsat.db import ids  # noqa: F401  (its flush listener gives new rows their ids ahead)
from giamsat.domain.errors import DatabaseError
from giamsat.domain.textsafety import redact

# SQLite's page cache per connection, in KiB (a negative cache_size). The default (2 MB) is small
# beside a province's or the country's database (hundreds of MB by November): the status, reminder
# and report queries read the same index and table pages run after run, and were 1.5–3× slower
# re-reading them. Grown only as pages are read; a connection or two are open at a time.
PAGE_CACHE_KIB = 64 * 1024


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA cache_size=-{PAGE_CACHE_KIB}")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, pool_pre_ping=True)


# The engines of this process by URL, most recent last. A flow run opens its Runtime afresh, and
# a new engine starts with an empty statement cache: every query of every run was compiled again
# (a third of a remind run's CPU). An engine outlives ``dispose()`` (which closes its connections
# only), so the next Runtime of the same database takes it up with its cache warm. Its idle
# connections are closed then: the new Runtime connects afresh, as with an engine of its own.
_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()
KEPT_ENGINES = 4


def shared_engine(url: str) -> Engine:
    """The process's engine for ``url``, made by ``make_engine`` the first time."""
    with _ENGINES_LOCK:  # threads (the web app, concurrent tests) open runtimes too
        engine = _ENGINES.pop(url, None)
        if engine is None:
            engine = make_engine(url)
        else:  # connections as fresh as a new engine's: one left idle may hold a database file
            engine.dispose()  # since removed and made again (a new home at the same path)
        _ENGINES[url] = engine
        while len(_ENGINES) > KEPT_ENGINES:  # many databases (tests): the oldest let go
            _ENGINES.pop(next(iter(_ENGINES))).dispose()
    return engine


_USERINFO = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def _passwords(url: str) -> list[str]:
    found = _USERINFO.search(url)
    return [found.group(0)[len(found.group(1)):-1]] if found else []


def safe_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, even when it does not parse."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _USERINFO.sub(r"\1***@", url) if _USERINFO.search(url) else "không hiển thị"


class Database:
    """The engine and a session factory; ``unit_of_work()`` commits on success, rolls back on error."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine = shared_engine(url)
        except (ArgumentError, ValueError) as exc:  # a typo in the URL: say so, never echo the password
            raise DatabaseError(f"Địa chỉ cơ sở dữ liệu không hợp lệ ({safe_url(url)}): "
                                f"{redact(str(exc), _passwords(url))}") from None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: everything inside commits together or not at all."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise DatabaseError(f"Lỗi cơ sở dữ liệu ({self.backend}): {exc.orig}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection (the engine stays usable, its statement cache kept)."""
        self.engine.dispose()
