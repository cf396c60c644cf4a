"""Writing an import: schema, rows and files in one transaction; a failure leaves nothing behind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from giamsat.archive import rows as rows_
from giamsat.archive.checks import ArchiveError
from giamsat.db.migrate import ensure_current
from giamsat.db.models import Base
from giamsat.db.session import Database


def write_all(db: Database, home: Path, tables: dict[str, list[dict]],
               moves: list[tuple[Path, Path]]) -> None:
    """Create the schema if there is none, then restore; a failure drops a schema created here."""
    fresh = not inspect(db.engine).get_table_names()
    try:
        ensure_current(db.engine)
        _restore(db, home, tables, moves)
    except BaseException as exc:
        if fresh:
            drop_schema(db)
        if isinstance(exc, SQLAlchemyError):
            raise ArchiveError(f"Không ghi được dữ liệu vào cơ sở dữ liệu; không nhập gì: "
                               f"{getattr(exc, 'orig', None) or exc}") from None
        if isinstance(exc, OSError):
            raise ArchiveError(f"Không chuyển được tệp vào {home}; không nhập gì: {exc}") from None
        raise


def drop_schema(db: Database) -> None:
    """Remove the tables this import created (and Alembic's version stamp)."""
    Base.metadata.drop_all(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _restore(db: Database, home: Path, tables: dict[str, list[dict]], moves: list[tuple[Path, Path]]) -> None:
    """Insert every row and move the files in, inside one transaction."""
    moved: list[Path] = []
    try:
        with db.engine.begin() as conn:
            _refuse_non_empty(conn)
            for table in rows_.tables():
                _insert(conn, table, [rows_.decode(table, r, home) for r in tables.get(table.name, [])])
            if db.backend == "postgresql":
                _reset_sequences(conn)
            for source, target in moves:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
                moved.append(target)
    except BaseException:
        for path in moved:
            path.unlink(missing_ok=True)
        raise


def _refuse_non_empty(conn: Connection) -> None:
    for table in rows_.tables():
        n = conn.scalar(select(func.count()).select_from(table))
        if n:
            raise ArchiveError(f"Cơ sở dữ liệu đích đã có dữ liệu (bảng {table.name}: {n} dòng); "
                               "chỉ nhập vào một cơ sở dữ liệu trống.")


def _insert(conn: Connection, table: Any, rows: list[dict]) -> None:
    """Insert with self-references filled in afterwards (a successor may come later)."""
    if not rows:
        return
    later = [c.name for c in rows_.self_references(table)]
    conn.execute(table.insert(), [r | {c: None for c in later} for r in rows])
    for r in rows:
        values = {c: r[c] for c in later if r.get(c) is not None}
        if values:
            conn.execute(table.update().where(table.c.id == r["id"]).values(**values))


def _reset_sequences(conn: Connection) -> None:
    """Make PostgreSQL's id sequences continue after the restored primary keys."""
    for table in rows_.tables():
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                          f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
