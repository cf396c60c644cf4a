"""The open recommendations the office itself answers for, as the digest lists them: kept between days.

A country's register holds tens of thousands of recommendations, and the office's daily digest
lists the open ones reminders route to the office. Each recommendation's line is made (routed and
written) when it appears and again when an event is added to its history — the only way its
status, due date, addressee or content change (``register_mark``) — or when the plan changes (its
units' names and addresses); the others keep the line they had.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db.models import Cycle, Recommendation, Unit
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import REC_CLOSED, label
from giamsat.followup.register_mark import Mark, changed_since, register_mark, url_key
from giamsat.plan.wording import rec_source_label
from giamsat.remind.routing import route
from giamsat.runtime import Runtime

CHUNK = 500
# Per open recommendation the office answers for: ((due on, id), created at, its line)
Lines = dict[int, tuple[tuple[dt.date, int], dt.datetime, str]]


def to_commune(rt: Runtime, rec: Any) -> bool:
    """Whether reminders of the recommendation ``rec`` (its and its unit's columns) go to its commune."""
    row = SimpleNamespace(kind="recommendation", key=f"rec:{rec.key}", rec_id=rec.id,
                          addressed_to=rec.addressed_to, addressed_email=rec.addressed_email,
                          unit_name=rec.unit_name, unit_email=rec.unit_email,
                          chairman_email=rec.chairman_email)
    return route(rt.plan, row, False).to_commune


@dataclass(frozen=True)
class _State:
    plan: str | None
    mark: Mark
    lines: Lines


_KEPT: dict[tuple[str, int], _State] = {}


def office_lines(rt: Runtime, s: Session, until: dt.datetime) -> list[str]:
    """The digest's lines of the open recommendations made by ``until`` that the office answers
    for, by due date (see the module docstring)."""
    key = (url_key(s), rt.cycle_id)
    plan = s.scalar(select(Cycle.plan_sha256).where(Cycle.id == rt.cycle_id))
    mark = register_mark(s)  # read first: what is read after it is at least as new
    last = _KEPT.get(key)
    ids = None if last is None or last.plan != plan else \
        set() if last.mark == mark else changed_since(s, last.mark, mark)
    if last is None or ids is None:
        lines = _lines(rt, s, None)
    else:
        lines = {k: v for k, v in last.lines.items() if k not in ids} | _lines(rt, s, ids)
    if register_mark(s) != mark:  # a change committed meanwhile (PostgreSQL): read all in one go
        _KEPT.pop(key, None)
        lines = _lines(rt, s, None)
    else:
        _KEPT[key] = _State(plan, mark, lines)
    until = until.astimezone(dt.UTC)  # the rows' own zone: compared without converting each
    return [line for _, created_at, line in sorted(lines.values()) if created_at <= until]


def _lines(rt: Runtime, s: Session, ids: set[int] | None) -> Lines:
    """The lines of the cycle's open recommendations ``ids`` (None: all) the office answers for."""
    out: Lines = {}
    chunks = [None] if ids is None else [sorted(ids)[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]
    for chunk in chunks:
        stmt = (select(Recommendation.id, Recommendation.key, Recommendation.addressed_to,
                       Recommendation.addressed_email, Recommendation.source_kind, Recommendation.due_on,
                       Recommendation.status, Recommendation.content, Recommendation.created_at,
                       Unit.name.label("unit_name"), Unit.email.label("unit_email"), Unit.chairman_email)
                .outerjoin(Unit, Recommendation.unit_id == Unit.id)
                .where(Recommendation.cycle_id == rt.cycle_id, Recommendation.status.not_in(REC_CLOSED)))
        for rec in s.execute(stmt if chunk is None else stmt.where(Recommendation.id.in_(chunk))):
            if to_commune(rt, rec):
                continue
            source = rec_source_label(rt.plan, rec.source_kind) + (f" ({rec.unit_name})" if rec.unit_name
                                                                   else "")
            status = label("rec_status", rec.status).lower()
            out[rec.id] = ((rec.due_on, rec.id), rec.created_at,
                           f"Kiến nghị số {rec.id} gửi {rec.addressed_to} — {source}, hạn "
                           f"{short_date(rec.due_on)} ({status}): {rec.content}")
    return out
