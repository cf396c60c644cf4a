"""The one recording path of commune reports: ``take_in`` for the CLI, the inbox, mail and the web.

Every way a report arrives ends here: the files are digested and validated first (``intake``),
their originals written and synced together, then one transaction looks up every duplicate,
unit, earlier report and obligation of the items at once and records them in order. A single
``submit`` is a one-item call; the inbox sweep calls it a chunk at a time.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.collect import records, workers
from giamsat.collect.intake import Incoming, Prepared, digest, prepare
from giamsat.collect.recorder import Outcome, Recorder
from giamsat.db import audit
from giamsat.db.models import Submission
from giamsat.files.fsutil import DiskSync
from giamsat.runtime import Runtime

__all__ = ["Outcome", "prepare_all", "record", "take_in"]


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
                checks: workers.Checks | None = None,
                digests: dict[int, tuple[str, int]] | None = None,
                staged: dict[int, str] | None = None,
                disk: DiskSync | None = None) -> dict[int, Prepared]:
    """Digest, read, validate and keep ``items`` (by index), their originals synced together.

    The first half of ``take_in``, for callers that record the prepared files one by one (the
    mail intake records each message on its own); ``fail`` (default: raise) gets the failures.
    ``checks``: the items' checks already sent to the workers (``workers.start_checks``), else
    they are sent now when there are enough; a check a worker could not finish is done here.
    ``digests``: (SHA-256, size) of items whose bytes were hashed already (a mail attachment's
    ``sha256``), by index; the others are hashed here. ``staged``: originals a worker wrote under
    a temporary name beside their place (``workers._stage``), by index: renamed into place
    where the original would be written, else removed. ``disk``: the flush to use, opened before
    any of the originals was written (the staged ones included); else one is opened here.
    """
    fail = fail or _raise
    checks = checks if checks is not None else workers.start_checks(rt, items)
    known_digests, staged = digests or {}, dict(staged or {})
    digested = {}
    for i, item in enumerate(items):
        try:
            digested[i] = known_digests.get(i) or digest(item.content)
        except Exception as exc:
            fail(item, exc)
    known = _known(rt, {sha for sha, _ in digested.values()})
    prepared: dict[int, Prepared] = {}
    try:
        with disk or DiskSync(rt.home) as flush:  # opened before the originals are written: see DiskSync
            for i, (sha, size) in digested.items():
                try:
                    checked = checks.result(i) if sha not in known else None
                    placed = _place(rt, staged.pop(i, None), sha, known=sha in known)
                    prepared[i] = prepare(rt, items[i], sha, size, known=sha in known, checked=checked)
                    if placed is not None and os.path.abspath(rt.home / prepared[i].stored) != str(placed):
                        placed.unlink()  # not where the original is kept: never the case, never kept
                except Exception as exc:
                    fail(items[i], exc)
            kept = [rt.home / p.stored for p in prepared.values() if p.stored]
            flush.durable([*kept, *sorted({p.parent for p in kept})])  # before the rows naming them
    finally:
        for partial in staged.values():  # the items that failed before their turn
            Path(partial).unlink(missing_ok=True)
    return prepared


def _place(rt: Runtime, partial: str | None, sha: str, known: bool) -> Path | None:
    """A staged original renamed into place (its name without the temporary ``.`` and ``.HEX``)
    unless its content is known or its place taken, then removed; the place when renamed. Only
    a file named for ``sha`` in its folder under the home is touched."""
    if partial is None:
        return None
    path = Path(partial)
    target = path.with_name(path.name[1:].rsplit(".", 1)[0])
    if path.parent != Path(os.path.abspath(rt.home), "submissions", sha[:2]) \
            or not path.name.startswith(f".{sha}") or not path.name.startswith(f".{target.name}."):
        return None
    if known or target.exists():
        path.unlink(missing_ok=True)
        return None
    os.replace(path, target)
    return target


def record(rt: Runtime, s: Session, items: list[Prepared]) -> list[Outcome]:
    """Record prepared files in the caller's transaction, in order (the body of ``take_in``)."""
    recorder = Recorder(rt, s, items)
    outcomes = recorder.take(items)
    recorder.finish()
    return outcomes


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
