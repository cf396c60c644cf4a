"""The one recording path of commune reports: ``take_in`` for the CLI, the inbox, mail and the web.

Every way a report arrives ends here: the files are digested and validated first (``intake``),
their originals written and synced together, then one transaction looks up every duplicate,
unit, earlier report and obligation of the items at once and records them in order. A single
``submit`` is a one-item call; the inbox sweep calls it a chunk at a time.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from giamsat.collect import records, workers
from giamsat.collect.intake import Incoming, Prepared, digest, prepare, sync_files
from giamsat.db import audit
from giamsat.db.models import Message, Obligation, Submission, Unit
from giamsat.domain.validation import Validation
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


OnError = Callable[[Incoming, Exception], None]


def take_in(rt: Runtime, items: list[Incoming], now: dt.datetime, actor: str | None = None, *,
            close_step: bool = True, on_error: OnError | None = None,
            checks: workers.Checks | None = None) -> list[Outcome | None]:
    """Record ``items`` (one outcome each, in order); the same content twice is a duplicate.

    Without ``on_error`` a failure raises. With it, a file that cannot be read, kept or recorded
    is handed to ``on_error``, audited as ``submission.failed`` at ``now`` and its outcome is
    None; the others are recorded. ``close_step=False`` leaves closing the collect step to the
    caller (a sweep does it once); ``actor`` defaults to the runtime's; ``checks``: see ``prepare_all``."""
    if actor is not None and actor != rt.actor:
        rt = rt.replace(settings=rt.settings.model_copy(update={"actor": actor}))
    fail = _failure_handler(rt, now, on_error)
    prepared = prepare_all(rt, items, fail, checks)
    recorded = _record_all(rt, list(prepared.values()), close_step, fail)
    by_index = dict(zip(prepared, recorded, strict=True))
    return [by_index.get(i) for i in range(len(items))]


def prepare_all(rt: Runtime, items: list[Incoming], fail: OnError | None = None,
                checks: workers.Checks | None = None) -> dict[int, Prepared]:
    """Digest, read, validate and keep ``items`` (by index), their originals synced together.

    The first half of ``take_in``, for callers that record the prepared files one by one (the
    mail intake records each message on its own); ``fail`` (default: raise) gets the failures.
    ``checks``: the items' checks already sent to the workers (``workers.start_checks``), else
    they are sent now when there are enough; a check a worker could not finish is done here.
    """
    fail = fail or _raise
    checks = checks if checks is not None else workers.start_checks(rt, items)
    digests = {}
    for i, item in enumerate(items):
        try:
            digests[i] = digest(item.content)
        except Exception as exc:
            fail(item, exc)
    known = _known(rt, {sha for sha, _ in digests.values()})
    prepared: dict[int, Prepared] = {}
    for i, (sha, size) in digests.items():
        try:
            checked = checks.result(i) if sha not in known else None
            prepared[i] = prepare(rt, items[i], sha, size, known=sha in known, checked=checked)
        except Exception as exc:
            fail(items[i], exc)
    sync_files([rt.home / p.stored for p in prepared.values() if p.stored])
    return prepared


def record_in(rt: Runtime, s: Session, prepared: list[Prepared]) -> list[Outcome]:
    """Record prepared files in the caller's transaction (the caller closes the collect step)."""
    return cast(list[Outcome], _record_closing(rt, s, prepared, False))


def record(rt: Runtime, s: Session, items: list[Prepared]) -> list[Outcome]:
    """Record prepared files in the caller's transaction, in order (the body of ``take_in``)."""
    for sha in sorted({p.sha for p in items}):
        _lock_content(s, sha)  # same order in every sweep: two sweeps never deadlock
    _lock_units(rt, s, sorted({p.validation.unit.code for p in items
                               if p.validation and p.validation.unit}))
    seen = {sub.sha256: sub for sub in s.scalars(select(Submission).where(
        Submission.cycle_id == rt.cycle_id, Submission.sha256.in_({p.sha for p in items}))
        .order_by(Submission.id.desc()))}
    ctx = ChunkContext(rt, s, [p.validation for p in items if p.validation and p.validation.unit])
    out: list[Outcome | tuple[Outcome, Message | None]] = []
    # No autoflush: the rows whose ids are needed are flushed where they are made (submission,
    # recommendations); the rest, messages included, by the next flush (the last one below).
    with s.no_autoflush:
        for p in items:
            if p.sha in seen:
                out.append(_duplicate(s, seen[p.sha], p.name))
                continue
            if p.validation is None:  # known before, gone since: cannot happen, rows are never deleted
                raise RuntimeError(f"submission {p.sha[:12]} vanished during intake")
            unit = ctx.unit_of(p.validation)
            sub, superseded, message = _record_one(rt, s, ctx, p, unit)
            seen[p.sha] = sub
            out.append((Outcome(sub.status, p.name, sub.id, unit_key(unit), unit.name if unit else None,
                                sub.late, [i.text for i in p.validation.issues]), message))
    s.flush()
    return [_with_message(*o) if isinstance(o, tuple) else o for o in out]


def _with_message(outcome: Outcome, message: Message | None) -> Outcome:
    outcome.message_id = message.id if message else None  # known once flushed
    return outcome


def unit_key(unit: Unit | None) -> str | None:
    """``code@valid_from`` of a unit row, as outcomes and the audit name it."""
    return f"{unit.code}@{unit.valid_from.isoformat()}" if unit else None


class ChunkContext:
    """The chunk's units, their latest reports and report obligations, loaded in three queries."""

    def __init__(self, rt: Runtime, s: Session, validations: list[Validation]) -> None:
        codes = {v.unit.code for v in validations if v.unit}
        self.units = {(u.code, u.valid_from): u for u in s.scalars(select(Unit).where(
            Unit.cycle_id == rt.cycle_id, Unit.code.in_(codes)))} if codes else {}
        ids = [u.id for u in self.units.values()]
        self.latest: dict[int, Submission] = {}
        self.accepted: dict[int, list[Submission]] = {}
        for sub in s.scalars(select(Submission).where(Submission.unit_id.in_(ids))
                             .order_by(Submission.received_at, Submission.id)) if ids else []:
            assert sub.unit_id is not None  # selected by unit
            self.latest[sub.unit_id] = sub
            if sub.status == "accepted":
                self.accepted.setdefault(sub.unit_id, []).append(sub)
        keys = [_ob_key(u) for u in self.units.values()]
        self.obligations = {ob.key: ob for ob in s.scalars(select(Obligation).where(
            Obligation.cycle_id == rt.cycle_id, Obligation.key.in_(keys)))} if keys else {}

    def unit_of(self, v: Validation) -> Unit | None:
        """The unit row the validation attributed the report to."""
        return self.units.get((v.unit.code, v.unit.valid_from)) if v.unit else None


def _ob_key(unit: Unit) -> str:
    return f"report:{unit.code}@{unit.valid_from.isoformat()}"


def _record_one(rt: Runtime, s: Session, ctx: ChunkContext, p: Prepared,
                unit: Unit | None) -> tuple[Submission, list[Submission], Message | None]:
    v, at = p.validation, p.received_at
    assert v is not None
    late = records.is_late(rt, at)
    sub = Submission(cycle_id=rt.cycle_id, unit_id=unit.id if unit else None, received_at=at,
                     source=p.item.source[:20], original_filename=p.name, stored_path=p.stored,
                     sha256=p.sha, size_bytes=p.size, form_version=v.form_version,
                     status="accepted" if v.ok else "rejected", late=late,
                     errors=[i.as_json() for i in v.issues], figures=v.figures or {})
    previous = ctx.latest.get(unit.id) if unit else None
    sub.supersedes_id = previous.id if previous else None
    current = v.ok and unit is not None
    if current:  # the database holds one accepted report per unit: the old one steps down first
        sub.status = "received"
    s.add(sub)
    s.flush()
    superseded: list[Submission] = []
    ob = None
    if current and unit:
        if ctx.accepted.get(unit.id):  # a correction: rare, the per-report way
            superseded = records.supersede(rt, s, unit, sub, at)
            s.flush()
        sub.status = "accepted"
        ctx.accepted[unit.id] = [sub]
        records.store_figures(s, sub, v.figures or {})
        ob = _meet(rt, s, ctx, unit, at)
        records.open_recommendations(rt, s, unit, sub, v.figures or {}, at)
    if unit:
        ctx.latest[unit.id] = sub
    message = records.answer(rt, s, unit, sub, bool(superseded), at, ob, flush=False) if unit else None
    sender = {"sender": p.item.sender} if p.item.sender else {}
    audit.record(s, at=at, actor=rt.actor, action=f"submission.{sub.status}", entity="submission",
                 entity_id=sub.id, cycle_id=rt.cycle_id, unit=unit_key(unit), file=p.name,
                 sha256=p.sha, late=late, errors=len(v.issues),
                 superseded=[x.id for x in superseded], **sender)
    return sub, superseded, message


def _meet(rt: Runtime, s: Session, ctx: ChunkContext, unit: Unit, at: dt.datetime) -> Obligation:
    """The report obligation is met at the first acceptance (a correction keeps that time)."""
    ob = ctx.obligations.get(_ob_key(unit))
    if ob is None:
        ob = ctx.obligations[_ob_key(unit)] = records.report_obligation(rt, s, unit, at)
    if ob.status != "met":
        ob.status, ob.met_at = "met", at
    return ob


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


def _known(rt: Runtime, shas: set[str]) -> set[str]:
    """The contents already taken in this cycle: they are not read nor kept again."""
    if not shas:
        return set()
    with rt.db.unit_of_work() as s:
        return set(s.scalars(select(Submission.sha256).where(Submission.cycle_id == rt.cycle_id,
                                                             Submission.sha256.in_(shas))))


def _record_all(rt: Runtime, prepared: list[Prepared], close_step: bool,
                fail: Callable[[Incoming, Exception], None]) -> list[Outcome | None]:
    """All in one transaction; if it cannot commit and failures are handled, each on its own."""
    if not prepared:
        return []
    try:
        with rt.db.unit_of_work() as s:
            return _record_closing(rt, s, prepared, close_step)
    except Exception:
        if fail is _raise:
            raise
    out: list[Outcome | None] = []
    for p in prepared:
        try:
            with rt.db.unit_of_work() as s:
                out += _record_closing(rt, s, [p], close_step)
        except Exception as exc:
            fail(p.item, exc)
            out.append(None)
    return out


def _record_closing(rt: Runtime, s: Session, prepared: list[Prepared],
                    close_step: bool) -> list[Outcome | None]:
    outcomes = record(rt, s, prepared)
    accepted = [p.received_at for p, o in zip(prepared, outcomes, strict=True)
                if o.status == "accepted"]
    if close_step and accepted:  # at the time of the last report it accepted
        records.close_collect_step_if_complete(rt, s, max(accepted))
    return list(outcomes)


def _raise(item: Incoming, exc: Exception) -> None:
    raise exc


def _failure_handler(rt: Runtime, now: dt.datetime, on_error: OnError | None) -> OnError:
    """``on_error``, then the failure audited; re-raising when there is no ``on_error``."""
    if on_error is None:
        return _raise

    def handle(item: Incoming, exc: Exception) -> None:
        on_error(item, exc)
        with rt.db.unit_of_work() as s:
            audit.record(s, at=now, actor=rt.actor, action="submission.failed", entity="submission",
                         cycle_id=rt.cycle_id, file=item.name, error=f"{type(exc).__name__}: {exc}")
    return handle
