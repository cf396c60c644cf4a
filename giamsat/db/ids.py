"""Primary keys handed out before their rows are written, so rows are written a statement per table.

Two uses. Every flush gives the new rows of a table added together (two or more) their ids first
(``_ids_ahead``): the ORM then writes them in one statement instead of one INSERT a row to read
each id back (what it does on SQLite). And a caller that needs ids before any flush takes them
from ``Ids``.

Recording a report needs its row's id at once (the recommendations' keys, the acknowledgement's
reference ``BC-00042``, the audit entry); asking the database for it means a flush per report,
and each flush writes everything pending one row at a time. ``Ids`` gives the ids ahead instead:

- PostgreSQL: taken from the table's own sequence (``nextval``), a block at a time, so a writer
  elsewhere — or a row of this transaction written without an id — never gets the same one
  (unused ids leave a gap, as any rolled-back insert does);
- SQLite: the next ids after the table's largest, read under the database's write lock (taken
  first, held until commit: no other writer can insert meanwhile) and read again after every
  flush of the session, since a row written without an id in between takes the largest + 1.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, event, inspect, text
from sqlalchemy.orm import Session

_FLUSHES = "giamsat_flushes"


@event.listens_for(Session, "after_flush")
def _count_flush(session: Session, _context: Any) -> None:
    session.info[_FLUSHES] = session.info.get(_FLUSHES, 0) + 1


@event.listens_for(Session, "before_flush")
def _ids_ahead(session: Session, _context: Any, _instances: Any) -> None:
    """Ids for the new rows of each table added together, in the order they were added."""
    tables: dict[Any, list[Any]] = {}
    for obj in session.new:
        state = inspect(obj)
        pk = state.mapper.primary_key
        if len(pk) != 1 or pk[0].key != "id" or not isinstance(pk[0].type, Integer):
            continue
        tables.setdefault(state.mapper.local_table, []).append(state)
    for table, states in tables.items():
        waiting = sorted((st for st in states if st.obj().id is None), key=lambda st: st.insert_order)
        if len(waiting) < 2:
            continue
        given = [st.obj().id for st in states if st.obj().id is not None]  # by ``Ids``, not written yet
        for st, new_id in zip(waiting, _block(session, table.name, len(waiting), given), strict=True):
            st.obj().id = new_id


def _block(s: Session, table: str, n: int, given: list[int]) -> list[int]:
    """``n`` new ids of ``table`` (``given``: ids of its rows pending in this flush)."""
    if s.get_bind().dialect.name == "postgresql":
        return list(s.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                                   "FROM generate_series(1, :n)"), {"t": table, "n": n}).scalars())
    s.execute(text(f"UPDATE {table} SET id = id WHERE 0"))  # the write lock first, then the largest
    largest = max([s.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 0, *given])
    return list(range(largest + 1, largest + 1 + n))


class Ids:
    """The next primary keys of ``model``'s table in the session's transaction."""

    def __init__(self, s: Session, model: Any, block: int = 100) -> None:
        self.s, self.table = s, model.__table__.name
        self.block = max(1, block)
        self.postgres = s.get_bind().dialect.name == "postgresql"
        self._free: list[int] = []
        self._last = 0
        self._seen_flushes = -1  # SQLite: the flush count when the largest id was last read

    def next(self) -> int:
        """One new id; the row must be added to the session before the next flush."""
        if self.postgres:
            if not self._free:
                self._free = _block(self.s, self.table, self.block, [])[::-1]
            return self._free.pop()
        flushes = self.s.info.get(_FLUSHES, 0)
        if flushes != self._seen_flushes:  # the largest id, under the write lock
            self._last = max(self._last, _block(self.s, self.table, 1, [])[0] - 1)
            self._seen_flushes = flushes
        self._last += 1
        return self._last
