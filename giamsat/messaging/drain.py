"""Draining the outbox: claim before send, record after, so a re-run never sends a message twice.

Protocol, per batch:

1. **Claim** (one committed transaction): pending rows with no live claim get a fresh random
   ``claim_token`` and ``claimed_at``. On PostgreSQL the candidate rows are locked with
   ``FOR UPDATE SKIP LOCKED``, so concurrent drainers take disjoint batches; on SQLite (a single
   writer) the conditional ``UPDATE … WHERE status='pending' AND (claim_token IS NULL OR stale)``
   is atomic, so a row is claimed by exactly one drainer.
2. **Send** over one session of the channel (one SMTP connection for the whole batch).
3. **Record** each outcome at once, only if the row still carries our token: ``sent``;
   ``failed`` with the reason (5xx for the address, unreadable attachment); or released back to
   ``pending`` with ``last_error`` (4xx, timeout, dropped connection) for the next attempt.

A claim left behind by a crashed drainer expires after ``claim_ttl`` and the row is claimed again.
Claims are stamped and expired on the real clock, never on the simulated day a run acts on: two
runs replaying different days (a catch-up run next to the scheduled one) must not see each other's
live claims as stale.

**The remaining at-least-once window.** If the process dies (or the database becomes unreachable)
after the SMTP server answered ``250`` to the message but before step 3 committed, the row still
looks unsent; once its claim expires the next drain sends it again. The same happens if the
connection drops after the server received the final ``.`` but before its ``250`` reached us: we
cannot know it was accepted and treat it as transient. The window is one message per drainer
and lasts milliseconds; a duplicate carries the same ``Message-ID`` header, so mail clients can
recognise it.

**The file channel is idempotent, so it commits once per batch.** Its file name is fixed by the
message (row id and a hash of its ``Message-ID``) and each file appears whole (written under a
name of the session, then ``os.replace``), so re-delivering a message rewrites the same file with
the same bytes: a kill between the files and the commit leaves files whose rows are still
claimed, and the next drain writes them again in place — never a second file. The channel says so
with ``idempotent = True``; the batch is then recorded as sent in one commit after the session
closed (its files synced). A channel without it (SMTP: a message the server accepted cannot be
taken back) records each message in its own commit, so its window stays one message wide.

**Large file batches are written on worker processes** (``filebatch``): the same files, written
by the same function; the batch is recorded in one commit once the workers answered and the files
are synced, so a kill or a dead worker leaves exactly what the in-process session would.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import Update, bindparam, select, update
from sqlalchemy.engine import Connection

from giamsat.db.models import Message
from giamsat.db.session import Database
from giamsat.domain import clock
from giamsat.domain.errors import DeliveryError
from giamsat.messaging import filebatch
from giamsat.messaging.channels import Channel, ConnectionLost
from giamsat.messaging.mime import Outgoing

M = Message.__table__
CLAIM_TTL = dt.timedelta(minutes=15)


@dataclass
class DrainResult:
    """What one drain did; ``deferred`` messages stay pending for a later attempt."""

    sent: int = 0
    failed: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)

    def merge(self, other: DrainResult) -> None:
        """Add another batch's counts."""
        self.sent, self.failed = self.sent + other.sent, self.failed + other.failed
        self.deferred += other.deferred
        self.errors += other.errors


def _claimable(now: dt.datetime, ttl: dt.timedelta):
    return (M.c.status == "pending") & (M.c.claim_token.is_(None) | (M.c.claimed_at < now - ttl))


def claim_batch(db: Database, limit: int, ttl: dt.timedelta = CLAIM_TTL,
                cycle_id: int | None = None) -> tuple[str, list[Outgoing]]:
    """Claim up to ``limit`` pending messages (committed before returning); returns (token, rows)."""
    # A claim is a lease between drainers running now, on this machine or another: it must expire
    # on the real clock (a replayed 2024 day would make every claim look decades stale or fresh),
    # so claims deliberately ignore the simulated moment the messages are stamped with.
    token, now = secrets.token_hex(16), clock.now()
    candidates = select(M.c.id).where(_claimable(now, ttl)).order_by(M.c.id).limit(limit)
    if cycle_id is not None:
        # ``+ 0``: the candidates are found through the status index (the pending few), never by
        # walking the cycle's every message through the cycle index (SQLite's choice otherwise).
        candidates = candidates.where(M.c.cycle_id + 0 == cycle_id)
    if db.backend == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    with db.engine.begin() as conn:
        # Two statements, not ``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE)``: PostgreSQL
        # may re-run that subquery per row and then claims every pending message, not ``limit``.
        # The UPDATE returns the rows it claimed (``RETURNING``: SQLite ≥ 3.35 and PostgreSQL),
        # so nothing is read back by token.
        ids = list(conn.execute(candidates).scalars())
        rows = sorted(conn.execute(update(M).where(M.c.id.in_(ids), _claimable(now, ttl))
                                   .values(claim_token=token, claimed_at=now)
                                   .returning(*_CLAIMED)).all(), key=lambda r: r.id) if ids else []
    return token, [Outgoing(id=r.id, message_id=r.message_id, to=list(r.to_addrs),
                            cc=list(r.cc_addrs or []), subject=r.subject, text=r.body_text,
                            html=r.body_html, created_at=r.created_at,
                            attachments=list(r.attachments or [])) for r in rows]


_CLAIMED = (M.c.id, M.c.message_id, M.c.to_addrs, M.c.cc_addrs, M.c.subject, M.c.body_text,
            M.c.body_html, M.c.created_at, M.c.attachments)


@lru_cache(maxsize=8)
def _record_statement(names: tuple[str, ...]) -> Update:
    """``UPDATE … SET claim_token = NULL, attempts = attempts + 1, <names> WHERE id AND token``,
    built once per set of columns (building a statement per message cost more than sending it)."""
    return update(M).where(M.c.id == bindparam("b_id"), M.c.claim_token == bindparam("b_token")) \
        .values(claim_token=None, attempts=M.c.attempts + 1, **{n: bindparam(f"v_{n}") for n in names})


def _record(conn: Connection, msg_id: int, token: str, **values: object) -> bool:
    """Record one attempt's outcome (attempts + 1), only if the row still carries our token."""
    stmt = _record_statement(tuple(sorted(values)))
    done = conn.execute(stmt, {"b_id": msg_id, "b_token": token, **{f"v_{k}": v for k, v in values.items()}})
    return done.rowcount == 1


def _send_batch(db: Database, channel: Channel, token: str, batch: list[Outgoing],
                now: dt.datetime) -> DrainResult:
    result = DrainResult()
    tried = 0
    per_message = not channel.idempotent
    delivered: list[tuple[int, str | None]] = []  # idempotent channel: recorded after the session
    try:
        # One connection for the batch. A channel with a duplicate window (SMTP) records each
        # message in its own commit, right after the server took it; an idempotent one (file)
        # records the batch once its session closed and its files are synced.
        with channel.session() as sender, db.engine.connect() as conn:
            for out in batch:
                tried += 1
                try:
                    refused = sender.send(out)
                except DeliveryError as exc:
                    _outcome_failed(db, out, token, exc, now, result)
                    if isinstance(exc, ConnectionLost):
                        break
                    continue
                note = "; ".join(f"{a}: {r}" for a, r in refused.items()) or None
                if per_message:
                    _record(conn, out.id, token, status="sent", sent_at=now, channel=channel.name,
                            last_error=note)
                    conn.commit()
                else:
                    delivered.append((out.id, note))
                result.sent += 1
    except DeliveryError as exc:  # the session could not be opened (a refused login: permanent)
        # Either way every row counts the attempt and keeps the reason, and the claim is given
        # back: the outbox and ``status`` say why the messages wait, and a corrected setting
        # sends them at the next drain instead of 15 minutes later.
        _release_untried(db, token, batch, result, attempt_error=str(exc))
        if exc.permanent:
            raise
        result.errors.append(str(exc))
        return result
    if delivered:  # the session closed, its files are synced: the batch in one commit
        _record_sent(db, channel, token, delivered, now)
    _release_untried(db, token, batch[tried:], result)
    return result


def _record_sent(db: Database, channel: Channel, token: str, delivered: list[tuple[int, str | None]],
                 now: dt.datetime) -> None:
    """An idempotent channel's batch recorded as sent in one commit, once its files are synced:
    one ``UPDATE … WHERE id IN (…) AND claim_token = :token`` per distinct note (usually one for
    the batch), each row counted only if it still carries our token, as ``_record`` counts one."""
    by_note: dict[str | None, list[int]] = {}
    for i, note in delivered:
        by_note.setdefault(note, []).append(i)
    with db.engine.begin() as conn:
        for note, ids in by_note.items():
            for at in range(0, len(ids), _IDS_PER_STATEMENT):
                conn.execute(_SENT, {"ids": ids[at:at + _IDS_PER_STATEMENT], "token": token, "now": now,
                                     "channel": channel.name, "note": note})


_IDS_PER_STATEMENT = 500  # bound parameters per statement stay far below SQLite's limit
_SENT = update(M).where(M.c.id.in_(bindparam("ids", expanding=True)), M.c.claim_token == bindparam("token")) \
    .values(claim_token=None, attempts=M.c.attempts + 1, status="sent",
            sent_at=bindparam("now", type_=M.c.sent_at.type),
            channel=bindparam("channel", type_=M.c.channel.type),
            last_error=bindparam("note", type_=M.c.last_error.type))


def _record_written(db: Database, channel: Channel, token: str, writing: filebatch.Writing,
                    now: dt.datetime) -> DrainResult:
    """A batch the workers wrote, recorded as ``_send_batch`` records one written in the process:
    each failure in its own commit, then the files synced and the rest sent in one commit."""
    result = DrainResult()
    delivered: list[tuple[int, str | None]] = []
    for out, exc in writing.done():
        if exc is None:
            delivered.append((out.id, None))
        else:
            _outcome_failed(db, out, token, exc, now, result)
    if delivered:
        filebatch.flush()
        _record_sent(db, channel, token, delivered, now)
        result.sent += len(delivered)
    return result


def _outcome_failed(db: Database, out: Outgoing, token: str, exc: DeliveryError, now: dt.datetime,
                    result: DrainResult) -> None:
    with db.engine.begin() as conn:
        if exc.permanent:
            _record(conn, out.id, token, status="failed",
                    last_error=str(exc), claimed_at=now)
            result.failed += 1
        else:
            _record(conn, out.id, token, last_error=str(exc),
                    claimed_at=None)
            result.deferred += 1
    result.errors.append(f"#{out.id}: {exc}")


def _release_untried(db: Database, token: str, rest: list[Outgoing], result: DrainResult,
                     attempt_error: str | None = None) -> None:
    """Give the rest of a batch back; with ``attempt_error`` (the server could not be reached) each
    row counts the attempt and keeps the reason, so the outbox and ``status`` show why it waits."""
    if not rest:
        return
    values: dict = {"claim_token": None, "claimed_at": None}
    if attempt_error is not None:
        values |= {"attempts": M.c.attempts + 1, "last_error": attempt_error}
    with db.engine.begin() as conn:
        conn.execute(update(M).where(M.c.id.in_([o.id for o in rest]), M.c.claim_token == token)
                     .values(**values))
    result.deferred += len(rest)


def drain(db: Database, channel: Channel, now: dt.datetime, *, batch_size: int = 200,
          claim_ttl: dt.timedelta = CLAIM_TTL, cycle_id: int | None = None) -> DrainResult:
    """Deliver pending messages batch by batch; stops after a batch with a transient failure.

    A batch the workers write (``filebatch``: the file channel, large enough) is recorded while
    they write the next one, claimed before; when a batch stops the drain, the one being written
    is recorded too (its files exist), and one claimed for the process is given back untried.
    """
    total = DrainResult()
    token, batch = claim_batch(db, batch_size, claim_ttl, cycle_id)
    writing = filebatch.start(channel, batch)
    while batch:
        if writing is None:
            result = _send_batch(db, channel, token, batch, now)
            total.merge(result)
            if result.deferred:
                return total
            token, batch = claim_batch(db, batch_size, claim_ttl, cycle_id)
            writing = filebatch.start(channel, batch)
            continue
        ahead_token, ahead = claim_batch(db, batch_size, claim_ttl, cycle_id)
        ahead_writing = filebatch.start(channel, ahead)
        result = _record_written(db, channel, token, writing, now)
        total.merge(result)
        if result.deferred:
            if ahead_writing is not None:
                total.merge(_record_written(db, channel, ahead_token, ahead_writing, now))
            else:
                _release_untried(db, ahead_token, ahead, DrainResult())
            return total
        token, batch, writing = ahead_token, ahead, ahead_writing
    return total
