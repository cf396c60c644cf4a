"""The rows of one cycle as JSON and back: which rows belong to it, typed values, portable paths.

Values keep their types through the column they belong to: dates and datetimes as ISO 8601
(datetimes in UTC with their offset), JSON columns as JSON, bytes as base64. File paths under
the home are written ``@home/<relative path>`` so the archive can be restored into another home.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import JSON, Column, Connection, Date, DateTime, LargeBinary, Table, or_, select

from giamsat.db.models import AwareDateTime, Base

HOME = "@home/"
# Columns holding a path of a stored file (a JSON column's items: messages.attachments[].path).
PATH_COLUMNS = {"documents": ("path",), "visits": ("minutes_path",), "submissions": ("stored_path",),
                "recommendations": ("evidence_path",), "recommendation_events": ("evidence_path",)}


# The web app's accounts and communes' links belong to one installation (its key signs them):
# password hashes never leave it, and the importing installation issues its own links.
NOT_ARCHIVED = frozenset({"web_users", "commune_links"})


def tables() -> list[Table]:
    """Every table of a cycle's archive, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_ARCHIVED]


def self_references(table: Table) -> list[Column]:
    """Columns pointing at the same table (a unit's successor, a superseded report)."""
    return [c for c in table.c if any(fk.column.table is table for fk in c.foreign_keys)]


def cycle_rows(conn: Connection, table: Table, cycle_id: int) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` that belong to the cycle, by primary key."""
    if table.name == "cycles":
        where = table.c.id == cycle_id
    elif "cycle_id" in table.c:
        where = table.c.cycle_id == cycle_id
        if table.c.cycle_id.nullable:  # e.g. the audit log: entries not tied to any cycle
            where = or_(where, table.c.cycle_id.is_(None))
    else:
        col, parent = _parent_link(table)
        where = col.in_(select(parent.c.id).where(parent.c.cycle_id == cycle_id))
    for row in conn.execute(select(table).where(where).order_by(*table.primary_key.columns)):
        yield dict(row._mapping)


def _parent_link(table: Table) -> tuple[Column, Table]:
    for col in table.c:
        for fk in col.foreign_keys:
            if "cycle_id" in fk.column.table.c:
                return col, fk.column.table
    raise LookupError(f"table {table.name} is not tied to a cycle")


def encode(table: Table, row: dict[str, Any], home: Path) -> dict[str, Any]:
    """A row as JSON-ready values, file paths made portable."""
    out = {name: _encode_value(table.c[name], value) for name, value in row.items()}
    for name in PATH_COLUMNS.get(table.name, ()):
        out[name] = portable(out[name], home)
    if table.name == "messages":
        out["attachments"] = [a | {"path": portable(a.get("path"), home)} for a in out["attachments"] or []]
    return out


def decode(table: Table, row: dict[str, Any], home: Path) -> dict[str, Any]:
    """The inverse of ``encode`` for a new home."""
    out = {name: _decode_value(table.c[name], value) for name, value in row.items()}
    for name in PATH_COLUMNS.get(table.name, ()):
        out[name] = local(out[name], home)
    if table.name == "messages":
        out["attachments"] = [a | {"path": local(a.get("path"), home)} for a in out["attachments"] or []]
    return out


def _encode_value(col: Column, value: Any) -> Any:
    if value is None or isinstance(col.type, JSON):
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime in {col.table.name}.{col.name}")
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _decode_value(col: Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(col.type, AwareDateTime | DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(col.type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(col.type, LargeBinary):
        return base64.b64decode(value)
    return value


def portable(value: str | None, home: Path) -> str | None:
    """``@home/<rel>`` for an absolute (or working-folder relative) path under ``home``; else as is.

    Paths stored relative to the home (``submissions/…``, ``evidence/…``) are portable already.
    """
    if not value or value.startswith(HOME):
        return value
    path = Path(value)
    if not path.is_absolute() and (home / path).exists():
        return value
    try:
        return HOME + path.resolve().relative_to(home.resolve()).as_posix()
    except ValueError:
        return value  # outside the home: kept as written, the file is not archived


def local(value: str | None, home: Path) -> str | None:
    """An ``@home/`` path as an absolute path under ``home``."""
    if not value or not value.startswith(HOME):
        return value
    return str(home.resolve() / PurePosixPath(value[len(HOME):]))


def home_relative(value: str | None) -> str | None:
    """The file a portable path names, relative to the home (None for paths outside it)."""
    if not value:
        return None
    if value.startswith(HOME):
        return value[len(HOME):]
    return None if Path(value).is_absolute() else PurePosixPath(value).as_posix()


def referenced_files(table_name: str, rows: list[dict[str, Any]]) -> set[str]:
    """Home-relative paths of the files that encoded rows of ``table_name`` name."""
    values = [r[c] for r in rows for c in PATH_COLUMNS.get(table_name, ())]
    if table_name == "messages":
        values += [a.get("path") for r in rows for a in r["attachments"] or []]
    return {p for p in map(home_relative, values) if p}
