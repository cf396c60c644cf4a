"""The office's sitting in a few statements: a country's thousands of appraisals at once.

Writes what recording each appraisal in turn writes (``appraisal.record_each``) — the same rows
with the same ids, the same messages, recommendation events and audit entries in the same order —
but reads in a few queries, inserts one statement per table and renders the notices once per
shape (stamped with each commune's words). Refusals come in the same order: the first entry that
recording in turn would refuse is refused, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from giamsat.criteria.appraisal_facts import (
    Recorded,
    Sitting,
    checked,
    closing,
    follow_content,
    follow_due,
    follow_key,
    raised_note,
)
from giamsat.criteria.findings import unit_on
from giamsat.criteria.notices import queue_notices
from giamsat.db import audit
from giamsat.db.models import (
    Appraisal,
    Obligation,
    Recommendation,
    RecommendationEvent,
    Submission,
    Unit,
)
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, GiamsatError
from giamsat.domain.vocabulary import APPRAISAL_FOLLOWED, REC_CLOSED
from giamsat.followup.service import _validate
from giamsat.plan.wording import unit_words
from giamsat.runtime import Runtime

Entry = tuple[str, str, list[str], str | None]
CHUNK = 500  # ids or keys in one IN (...)


def names_a_unit_twice(rt: Runtime, entries: list[Entry], now: dt.datetime) -> bool:
    """Whether two entries name the same unit (then each must see the rows of the one before)."""
    today = now.astimezone(clock.TZ).date()
    seen = [(pu.code, pu.valid_from) for pu in (rt.plan.unit(e[0].strip(), today) for e in entries) if pu]
    return len(set(seen)) < len(seen)


@dataclass
class _Line:
    """One changed appraisal of the sitting as it will be written."""

    unit: Unit
    sub: Submission
    result: str
    questions: list[str]
    note: str | None
    row: Appraisal | None          # the commune's appraisal so far
    key: str | None = None         # the key of the recommendation that follows it
    found: Any = None              # that recommendation when it exists already
    rec_id: int | None = None      # the recommendation that follows it
    due_on: dt.date | None = None  # and its due date
    close: tuple[Any, str, str] | None = None  # (earlier recommendation, status, note)
    appraisal_id: int | None = None

    @property
    def new_rec(self) -> bool:
        """Whether the sitting raises the following recommendation."""
        return self.key is not None and self.found is None

    @property
    def linked(self) -> int | None:
        """The recommendation the appraisal row points to (an agreement keeps the closed one)."""
        return self.rec_id if self.key else self.row.recommendation_id if self.row else None


def record(rt: Runtime, s: Session, known: Sitting, entries: list[Entry], actor: str,
           now: dt.datetime) -> list[Recorded]:
    """Record a sitting naming each unit once (see the module docstring)."""
    today = now.astimezone(clock.TZ).date()
    firsts = [_first(rt, s, known, today, *e) for e in entries]
    lines = [x for x in firsts if isinstance(x, _Line)]
    recs = _recs(s, {x.row.recommendation_id for x in lines if x.row and x.row.recommendation_id},
                 {x.key for x in lines if x.key})
    done: list[Recorded | _Line] = []
    # the due date of every recommendation the sitting raises (worked out only if it raises one)
    due = follow_due(rt, today) if any(x.key for x in lines) else today
    for x in firsts:  # the first refusal in the sitting's order, as recording in turn gives it
        if isinstance(x, GiamsatError):
            raise x
        before = recs.get(x.row.recommendation_id) if x.row and x.row.recommendation_id else None
        if x.row is not None and (x.row.result, list(x.row.questions), x.row.note,
                                  x.row.submission_id) == (x.result, x.questions, x.note, x.sub.id):
            done.append(Recorded(x.unit.name, x.result, tuple(x.questions), before.id if before else None,
                                 before.due_on if before else None, changed=False))
            continue
        _plan(x, recs, before, due, today)
        done.append(x)
    changed = [x for x in done if isinstance(x, _Line)]
    _write(rt, s, changed, actor, now, today)
    return [Recorded(x.unit.name, x.result, tuple(x.questions), x.rec_id, x.due_on, changed=True)
            if isinstance(x, _Line) else x for x in done]


def _first(rt: Runtime, s: Session, known: Sitting, today: dt.date, code: str, result: str,
           questions: list[str], note: str | None) -> _Line | GiamsatError:
    """The entry checked against the cycle's rows, or what refuses it."""
    try:
        cleaned, note = checked(result, questions, note)
        unit = unit_on(s, rt, code, today, known.units)
        sub = known.reports.get(unit.id)
        if sub is None:
            raise Conflict(f"{unit.name} chưa có báo cáo được tiếp nhận: chưa thể thẩm định sơ bộ "
                           f"kết quả rà soát.")
    except GiamsatError as refused:
        return refused
    line = _Line(unit, sub, result, cleaned, note, known.appraisals.get(unit.id))
    if result in APPRAISAL_FOLLOWED:
        line.key = follow_key(rt, unit.code, sub.id, result, cleaned)
    return line


def _recs(s: Session, ids: set[int], keys: set[str]) -> dict[Any, Any]:
    """The recommendations the sitting supersedes (by id) or finds again (by key): plain rows."""
    cols = (Recommendation.id, Recommendation.key, Recommendation.cycle_id, Recommendation.unit_id,
            Recommendation.status, Recommendation.due_on)
    out: dict[Any, Any] = {}
    for column, wanted in ((Recommendation.id, sorted(ids)), (Recommendation.key, sorted(keys))):
        for i in range(0, len(wanted), CHUNK):
            for r in s.execute(select(*cols).where(column.in_(wanted[i:i + CHUNK]))):
                out[r.id] = out[r.key] = r
    return out


def _plan(x: _Line, recs: dict[Any, Any], before: Any, due: dt.date, today: dt.date) -> None:
    """The recommendation a questioned appraisal raises (or finds again) and the one it closes;
    a closing the register refuses refuses the sitting."""
    if x.key is not None:
        x.found = recs.get(x.key)
        x.rec_id = x.found.id if x.found is not None else None
        x.due_on = x.found.due_on if x.found is not None else due
    if before is None or (x.found is not None and before.id == x.found.id) or before.status in REC_CLOSED:
        return
    status, note = closing(x.result, today)
    if status != "withdrawn":  # as ``close_in``: only a closing as carried out is a register change
        _validate(SimpleNamespace(id=before.id, status=before.status), status, note,  # type: ignore[arg-type]
                  None, None, today)
    x.close = (before, status, note)


def _write(rt: Runtime, s: Session, lines: list[_Line], actor: str, now: dt.datetime,
           today: dt.date) -> None:
    """Insert and update the sitting's rows, queue its notices and log it, each table in the order
    recording in turn writes it (so every row gets the id it would have had)."""
    _raise(rt, s, [x for x in lines if x.new_rec], now)
    _obligations(rt, s, lines, now)
    _events(s, lines, actor, today, now)
    _close(s, [x.close for x in lines if x.close], now)
    _appraisals(rt, s, lines, actor, now)
    queue_notices(rt, s, [(x.unit, x.sub, x.result, x.questions, x.note, x.due_on if x.key else None,
                          x.rec_id if x.key else None) for x in lines], today, now)
    for x in lines:
        if x.new_rec:
            audit.record(s, at=now, actor=actor, action="rec.add", entity="recommendation",
                         entity_id=x.rec_id, cycle_id=rt.cycle_id, status="open",
                         note=raised_note(today), evidence=None)
        if x.close:
            before, status, note = x.close
            audit.record(s, at=now, actor=actor, action="rec.withdrawn" if status == "withdrawn"
                         else "rec.update", entity="recommendation", entity_id=before.id,
                         cycle_id=before.cycle_id, status=status, note=note, evidence=None)
        audit.record(s, at=now, actor=actor, action="appraisal.record", entity="appraisal",
                     entity_id=x.appraisal_id, cycle_id=rt.cycle_id, unit=x.unit.code, result=x.result,
                     questions=x.questions, submission=x.sub.id, recommendation=x.linked)


def _inserted_ids(s: Session, table: Any, rows: list[dict]) -> list[int]:
    """Insert ``rows`` in one statement; their ids in the rows' order."""
    if not rows:
        return []
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(s.execute(stmt, rows).scalars())


def _raise(rt: Runtime, s: Session, new: list[_Line], now: dt.datetime) -> None:
    rows = [{"cycle_id": rt.cycle_id, "key": x.key, "source_kind": "appraisal", "submission_id": None,
             "visit_id": None, "unit_id": x.unit.id, "content": follow_content(x.result, x.questions),
             "addressed_to": unit_words(rt.plan, x.unit)["unit_body"], "addressed_email": x.unit.email,
             "due_on": x.due_on, "status": "open", "evidence_text": None, "evidence_path": None,
             "created_at": now, "updated_at": now} for x in new]
    for x, rec_id in zip(new, _inserted_ids(s, Recommendation.__table__, rows), strict=True):
        x.rec_id = rec_id


def _obligations(rt: Runtime, s: Session, lines: list[_Line], now: dt.datetime) -> None:
    """Each new recommendation's obligation (open) and each closed one's (met), created if missing
    (``ensure_obligation``)."""
    # (cycle, recommendation id, key, unit, due, closed) in the order recording in turn asks for them
    wanted = []
    for x in lines:
        if x.new_rec:
            wanted.append((rt.cycle_id, x.rec_id, f"rec:{x.key}", x.unit.id, x.due_on, False))
        if x.close:
            b = x.close[0]
            wanted.append((b.cycle_id, b.id, f"rec:{b.key}", b.unit_id, b.due_on, True))
    keys = sorted({w[2] for w in wanted})
    have: dict[tuple[int, str], int] = {}
    for i in range(0, len(keys), CHUNK):
        for cycle_id, key, ob_id in s.execute(select(Obligation.cycle_id, Obligation.key, Obligation.id)
                                              .where(Obligation.key.in_(keys[i:i + CHUNK]))):
            have[cycle_id, key] = ob_id
    rows, met = [], []
    for cycle_id, rec_id, key, unit_id, due_on, closed in wanted:
        if (cycle_id, key) in have:
            if closed:
                met.append({"_id": have[cycle_id, key], "met_at": now})
            continue
        rows.append({"cycle_id": cycle_id, "kind": "recommendation", "key": key, "unit_id": unit_id,
                     "visit_id": None, "recommendation_id": rec_id, "due_on": due_on, "created_at": now,
                     "status": "met" if closed else "open", "met_at": now if closed else None})
        have[cycle_id, key] = -1  # asked again later: already there
    if rows:
        s.execute(insert(Obligation.__table__), rows)
    if met:
        table = Obligation.__table__
        s.execute(update(table).where(table.c.id == bindparam("_id")).values(status="met"), met)


def _events(s: Session, lines: list[_Line], actor: str, today: dt.date, now: dt.datetime) -> None:
    """The register's history: a new recommendation's opening, an earlier one's closing."""
    rows = []
    for x in lines:
        if x.new_rec:
            rows.append({"recommendation_id": x.rec_id, "at": now, "status": "open",
                         "note": raised_note(today), "actor": actor, "evidence_path": None})
        if x.close:
            before, status, note = x.close
            rows.append({"recommendation_id": before.id, "at": now, "status": status, "note": note,
                         "actor": actor, "evidence_path": None})
    if rows:
        s.execute(insert(RecommendationEvent.__table__), rows)


def _close(s: Session, closes: list[tuple[Any, str, str]], now: dt.datetime) -> None:
    """Superseded recommendations withdrawn; agreed ones resolved, the agreement as their result."""
    table = Recommendation.__table__
    resolved = [{"_id": b.id, "status": st, "updated_at": now, "evidence_text": note}
                for b, st, note in closes if st != "withdrawn"]
    withdrawn = [{"_id": b.id, "status": st, "updated_at": now} for b, st, _ in closes if st == "withdrawn"]
    for rows in (resolved, withdrawn):
        if rows:
            s.execute(update(table).where(table.c.id == bindparam("_id")), rows)


def _appraisals(rt: Runtime, s: Session, lines: list[_Line], actor: str, now: dt.datetime) -> None:
    table = Appraisal.__table__

    def values(x: _Line) -> dict:
        return {"submission_id": x.sub.id, "result": x.result, "questions": x.questions, "note": x.note,
                "recorded_at": now, "recorded_by": actor, "recommendation_id": x.linked}
    new = [x for x in lines if x.row is None]
    rows = [{"cycle_id": rt.cycle_id, "unit_id": x.unit.id, **values(x)} for x in new]
    for x, appraisal_id in zip(new, _inserted_ids(s, table, rows), strict=True):
        x.appraisal_id = appraisal_id
    old = [x for x in lines if x.row is not None]
    for x in old:
        x.appraisal_id = x.row.id if x.row else None
    if old:
        s.execute(update(table).where(table.c.id == bindparam("_id")),
                  [{"_id": x.appraisal_id, **values(x)} for x in old])
