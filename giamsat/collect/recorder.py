"""The rows of a transaction's reports, written in order with one flush (``Recorder``).

A ``Recorder`` is opened once per transaction on every file it will record: it takes the locks,
looks up every duplicate, unit, earlier report, obligation and acknowledgement key at once, and
hands out the ids of the new submissions and acknowledgements ahead (``giamsat.db.ids``), so no
row waits for a flush; ``take`` records files in order (the mail intake calls it message by
message, between its own rows) and the caller's commit writes them all, a statement per table;
the figures and recommendations are plain rows the caller's ``finish`` inserts in bulk.
A correction (the unit already has an accepted report) is the rare case that flushes: the report
it replaces steps down first, the database holding one accepted report per unit.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from giamsat.collect import records
from giamsat.collect.intake import Prepared
from giamsat.db import audit
from giamsat.db.ids import Ids
from giamsat.db.models import Message, Obligation, Submission, Unit
from giamsat.domain.validation import Validation
from giamsat.plan.wording import plan_words
from giamsat.runtime import Runtime


@dataclass
class Outcome:
    """What happened to one file: accepted, rejected or duplicate, and why."""

    status: str
    filename: str
    submission_id: int | None = None
    unit_key: str | None = None
    unit_name: str | None = None
    late: bool = False
    errors: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    message_id: int | None = None
    refused: bool = False  # a duplicate of a file that was returned: refused again, same reasons


def unit_key(unit: Unit | None) -> str | None:
    """``code@valid_from`` of a unit row, as outcomes and the audit name it."""
    return f"{unit.code}@{unit.valid_from.isoformat()}" if unit else None


class Recorder:
    """Records prepared files in the caller's transaction, in order (see the module's text)."""

    def __init__(self, rt: Runtime, s: Session, items: list[Prepared]) -> None:
        self.rt, self.s = rt, s
        for sha in sorted({p.sha for p in items}):
            _lock_content(s, sha)  # same order in every sweep: two sweeps never deadlock
        _lock_units(rt, s, sorted({p.validation.unit.code for p in items
                                   if p.validation and p.validation.unit}))
        # The first report of each content; sorted here, not in SQL: ORDER BY id would have SQLite
        # walk every report of the cycle by id instead of looking the contents up by their index.
        shas = {p.sha for p in items}
        earlier = s.scalars(select(Submission).where(
            Submission.cycle_id == rt.cycle_id, Submission.sha256.in_(shas))).all() if shas else []
        self.seen: dict[str, Submission] = {sub.sha256: sub for sub in sorted(earlier, key=_newest_first)}
        self.ctx = ChunkContext(rt, s, [p.validation for p in items if p.validation and p.validation.unit])
        new = len(items) - len(self.seen)
        self.submission_ids, self.message_ids = Ids(s, Submission, new), Ids(s, Message, new)
        self.queued = self._answers_queued(items)
        self.answers: dict[int, Message] = {}  # the acknowledgements queued, by id
        self.words = plan_words(rt.plan)  # the same for every answer of the transaction
        self.rows = records.ReportRows(s)

    def take(self, items: list[Prepared]) -> list[Outcome]:
        """Record ``items`` in order; their rows are written by the transaction's next flush."""
        out: list[Outcome] = []
        with self.s.no_autoflush:
            for p in items:
                if p.sha in self.seen:
                    out.append(_duplicate(self.s, self.seen[p.sha], p.name))
                    continue
                if p.validation is None:  # known before, gone since: cannot happen, rows are never deleted
                    raise RuntimeError(f"submission {p.sha[:12]} vanished during intake")
                unit = self.ctx.unit_of(p.validation)
                sub, message = self._record_one(p, unit)
                self.seen[p.sha] = sub
                if message is not None:
                    self.answers[message.id] = message
                out.append(Outcome(sub.status, p.name, sub.id, unit_key(unit), unit.name if unit else None,
                                   sub.late, [i.text for i in p.validation.issues],
                                   message_id=message.id if message else None))
        return out

    def finish(self) -> None:
        """Write what ``take`` left to write in bulk (figures, recommendations); call it before
        the commit."""
        self.rows.write()

    def _answers_queued(self, items: list[Prepared]) -> set[str]:
        """The acknowledgement keys of ``items`` already queued (none, unless rows were lost)."""
        keys = [key for p in items if p.validation and p.validation.unit
                for key in (self._answer_key("report_ack", p), self._answer_key("report_correct", p))]
        return set(self.s.scalars(select(Message.idempotency_key).where(
            Message.idempotency_key.in_(keys)))) if keys else set()

    def _answer_key(self, kind: str, p: Prepared) -> str:
        assert p.validation is not None and p.validation.unit is not None
        return records.answer_key(self.rt, kind, p.validation.unit.code, p.sha)

    def _record_one(self, p: Prepared, unit: Unit | None) -> tuple[Submission, Message | None]:
        rt, s, ctx = self.rt, self.s, self.ctx
        v, at = p.validation, p.received_at
        assert v is not None
        late = records.is_late(rt, at)
        sub = Submission(id=self.submission_ids.next(), cycle_id=rt.cycle_id,
                         unit_id=unit.id if unit else None, received_at=at, source=p.item.source[:20],
                         original_filename=p.name, stored_path=p.stored, sha256=p.sha, size_bytes=p.size,
                         form_version=v.form_version, status="accepted" if v.ok else "rejected",
                         late=late, errors=[i.as_json() for i in v.issues], figures=v.figures or {})
        previous = ctx.latest.get(unit.id) if unit else None
        sub.supersedes_id = previous.id if previous else None
        current = v.ok and unit is not None
        superseded: list[Submission] = []
        if current and unit and ctx.accepted.get(unit.id):  # a correction: rare, the per-report way
            sub.status = "received"  # the database holds one accepted report per unit
            s.add(sub)
            self.rows.write()  # the earlier reports' recommendations in the database, to withdraw
            superseded = records.supersede(rt, s, unit, sub, at)
            s.flush()
            sub.status = "accepted"
        else:
            s.add(sub)
        ob = None
        if current and unit:
            ctx.accepted[unit.id] = [sub.id]
            self.rows.add_figures(sub, v.figures or {})
            ob = self._meet(unit, at)
            self.rows.add_recommendations(rt, unit, sub, v.figures or {}, at)
        if unit:
            ctx.latest[unit.id] = sub
        message = None
        if unit:
            key = self._answer_key("report_ack" if sub.status == "accepted" else "report_correct", p)
            message = records.answer(rt, s, unit, sub, bool(superseded), at, ob, flush=False,
                                     new_id=None if key in self.queued else self.message_ids.next(),
                                     words=self.words)
        sender = {"sender": p.item.sender} if p.item.sender else {}
        audit.record(s, at=at, actor=rt.actor, action=f"submission.{sub.status}", entity="submission",
                     entity_id=sub.id, cycle_id=rt.cycle_id, unit=unit_key(unit), file=p.name,
                     sha256=p.sha, late=late, errors=len(v.issues),
                     superseded=[x.id for x in superseded], **sender)
        return sub, message

    def _meet(self, unit: Unit, at) -> Obligation:
        """The report obligation is met at the first acceptance (a correction keeps that time)."""
        obligations = self.ctx.obligations
        ob = obligations.get(_ob_key(unit))
        if ob is None:
            ob = obligations[_ob_key(unit)] = records.report_obligation(self.rt, self.s, unit, at)
        if ob.status != "met":
            ob.status, ob.met_at = "met", at
        return ob


@dataclass
class _Earlier:
    """An earlier report of a unit, as the recording needs it: its id."""

    id: int


class ChunkContext:
    """The chunk's units, their latest reports and report obligations, loaded in three queries."""

    def __init__(self, rt: Runtime, s: Session, validations: list[Validation]) -> None:
        codes = {v.unit.code for v in validations if v.unit}
        self.units = {(u.code, u.valid_from): u for u in s.scalars(select(Unit).where(
            Unit.cycle_id == rt.cycle_id, Unit.code.in_(codes)))} if codes else {}
        ids = [u.id for u in self.units.values()]
        self.latest: dict[int, Submission | _Earlier] = {}
        self.accepted: dict[int, list[int]] = {}
        rows = s.execute(select(Submission.id, Submission.unit_id, Submission.status)
                         .where(Submission.unit_id.in_(ids))
                         .order_by(Submission.received_at, Submission.id)).tuples().all() if ids else []
        for sub_id, unit_id, status in rows:  # columns only: never the figures
            assert unit_id is not None  # selected by unit
            self.latest[unit_id] = _Earlier(sub_id)
            if status == "accepted":
                self.accepted.setdefault(unit_id, []).append(sub_id)
        keys = [_ob_key(u) for u in self.units.values()]
        self.obligations = {ob.key: ob for ob in s.scalars(select(Obligation).where(
            Obligation.cycle_id == rt.cycle_id, Obligation.key.in_(keys)))} if keys else {}

    def unit_of(self, v: Validation) -> Unit | None:
        """The unit row the validation attributed the report to."""
        return self.units.get((v.unit.code, v.unit.valid_from)) if v.unit else None


def _newest_first(sub: Submission) -> int:
    return -sub.id


def _ob_key(unit: Unit) -> str:
    return f"report:{unit.code}@{unit.valid_from.isoformat()}"


def _duplicate(s: Session, earlier: Submission, name: str) -> Outcome:
    unit = s.get(Unit, earlier.unit_id) if earlier.unit_id else None
    return Outcome("duplicate", name, earlier.id, unit_key(unit), unit.name if unit else None,
                   earlier.late, [e.get("text", "") for e in earlier.errors], duplicate_of=earlier.id,
                   refused=earlier.status == "rejected")


def _lock_content(s: Session, sha: str) -> None:
    """On PostgreSQL, serialise intakes of the same content until this transaction ends (SQLite
    already serialises writers: a stale reader cannot upgrade to a writer)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(sha[:15], 16)})


def _lock_units(rt: Runtime, s: Session, codes: list[str]) -> None:
    """Serialise the recording of one unit's reports until this transaction ends, taken before its
    latest report is read (so one recorded at the same instant elsewhere is seen and superseded):
    PostgreSQL, an advisory lock per (cycle, unit code); SQLite, a write statement taking the single
    write lock before any read (a transaction that read first could not upgrade to a writer)."""
    if not codes:
        return
    if s.get_bind().dialect.name == "postgresql":
        for code in codes:
            key = int(code) if code.isdigit() and len(code) < 9 else zlib.crc32(code.encode()) >> 1
            s.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": rt.cycle_id, "b": key})
    else:
        s.execute(text("UPDATE cycles SET plan_path = plan_path WHERE id = :id"), {"id": rt.cycle_id})
