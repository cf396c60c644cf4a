"""Alembic migrations run programmatically: ``giamsat db upgrade`` and the schema check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError

from giamsat.domain.errors import DatabaseError, DatabaseUnavailable

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations folder and ``url``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` on the engine's database."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn, _transactional_ddl(conn), conn.begin():
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    except OperationalError as exc:
        raise DatabaseError(f"Không kết nối được cơ sở dữ liệu: {exc.orig}") from exc


@contextmanager
def _transactional_ddl(conn: Connection) -> Iterator[None]:
    """Make SQLite run the migration's DDL inside one transaction, as PostgreSQL does.

    The sqlite3 module issues no BEGIN before CREATE/ALTER, so each statement would commit on its
    own and a process killed mid-migration would leave half a schema that no later start can
    migrate ("table … already exists"). With the module's implicit transactions off, the caller's
    ``BEGIN IMMEDIATE`` covers every statement, and the version stamp commits with them.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    raw: Any = conn.connection.driver_connection
    previous, raw.isolation_level = raw.isolation_level, None
    try:
        yield
    finally:
        raw.isolation_level = previous


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration's revision id, read once a process (the scripts ship with the code;
    reading them took ~0.1 s at every flow run's start)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError as exc:  # the first contact of every start: connection-level failures
        raise DatabaseUnavailable(f"Không kết nối được cơ sở dữ liệu: {exc.orig}") from exc


def ensure_current(engine: Engine) -> None:
    """Migrate an empty or older database to head (the embedded default needs no separate step)."""
    if current_revision(engine) != head_revision():
        upgrade(engine)


def database_exists(url: str) -> bool:
    """True when ``url`` names a database this program has already set up (nothing is created).

    SQLite: the file exists and is not empty. Other backends: the server answers and the
    database carries Alembic's version table.
    """
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from giamsat.db.session import Database

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        Database(url)  # raises the one clear message, the password hidden
        raise
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return True
        path = Path(parsed.database)
        return path.is_file() and path.stat().st_size > 0
    engine = Database(url).engine
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("alembic_version")
    except OperationalError as exc:
        raise DatabaseUnavailable(f"Không kết nối được cơ sở dữ liệu: {exc.orig}") from exc
    finally:
        engine.dispose()


def recorded_plan(url: str, home: Path) -> str | None:
    """The plan file the database's one cycle was run with, when that file lies inside ``home``
    (the demo's signing copy); None otherwise, or when the database cannot tell."""
    from sqlalchemy import text

    from giamsat.db.session import Database

    try:
        engine = Database(url).engine
    except DatabaseError:
        return None
    try:
        with engine.connect() as conn:
            paths = [r[0] for r in conn.execute(text("SELECT plan_path FROM cycles"))]
    except Exception:
        return None
    finally:
        engine.dispose()
    if len(paths) != 1 or not paths[0]:
        return None
    path, root = Path(paths[0]).resolve(), home.resolve()
    return str(path) if path.is_file() and path.is_relative_to(root) else None
