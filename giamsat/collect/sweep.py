"""The inbox sweep: claim each file, read and validate it, record the files a chunk at a time."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid
from pathlib import Path

from giamsat.collect import records
from giamsat.collect import service as c
from giamsat.collect.batch import CHUNK, Prepared, record_chunk, sync_files
from giamsat.runtime import Runtime


def sweep(rt: Runtime, now: dt.datetime) -> c.SweepSummary:
    """``collect.sweep_inbox``: claimed files in chunks of ``CHUNK``, one transaction per chunk."""
    summary = c.SweepSummary()
    recover_abandoned_claims(rt.home / "inbox")
    claims = rt.home / "inbox" / ".claimed" / uuid.uuid4().hex
    chunk: list[tuple[Path, Path, str | None, dt.datetime]] = []
    last_accepted: dt.datetime | None = None
    for path, code in c.inbox_files(rt):
        claimed = c._claim(path, claims / (code or "_"))
        if claimed is None:
            continue  # another sweep took it
        mtime = dt.datetime.fromtimestamp(claimed.stat().st_mtime, tz=dt.UTC)
        chunk.append((path, claimed, code, min(mtime, now)))
        if len(chunk) == CHUNK:
            last_accepted = _latest(last_accepted, _take(rt, chunk, now, summary))
            chunk = []
    if chunk:
        last_accepted = _latest(last_accepted, _take(rt, chunk, now, summary))
    c._remove_empty(claims)
    if last_accepted is not None:  # once per sweep, at the time of the last report it accepted
        with rt.db.unit_of_work() as s:
            records.close_collect_step_if_complete(rt, s, last_accepted)
    return summary


STALE_CLAIM_S = 3600  # a sweep takes minutes even for the whole country


def recover_abandoned_claims(inbox: Path, now: float | None = None) -> int:
    """Put back into the inbox the files a sweep claimed and never finished (it crashed)."""
    now = time.time() if now is None else now
    back = 0
    for claim in (inbox / ".claimed").glob("*"):
        if now - claim.stat().st_mtime < STALE_CLAIM_S:
            continue  # possibly a sweep still running
        for folder in claim.iterdir():
            for f in folder.iterdir():
                target = inbox / (folder.name if folder.name != "_" else "") / f.name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(f, target if not target.exists() else target.with_name(
                    f"{uuid.uuid4().hex[:8]}-{f.name}"))
                back += 1
        c._remove_empty(claim)
    return back


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return max(x for x in (a, b) if x is not None) if (a or b) else None


def _take(rt: Runtime, chunk: list, now: dt.datetime, summary: c.SweepSummary) -> dt.datetime | None:
    """Read, validate and record one chunk; returns when its last accepted report arrived."""
    prepared, origins = [], {}
    for path, claimed, code, received in chunk:
        try:
            prepared.append(_prepare(rt, claimed, path.name, code, received))
            origins[claimed] = path
        except Exception as exc:  # isolate the file: it goes back to the inbox for the next sweep
            _give_back(rt, claimed, path, now, exc, summary)
    sync_files([rt.home / p.stored for p in prepared if p.stored])
    try:
        with rt.db.unit_of_work() as s:
            results = record_chunk(rt, s, prepared, "inbox")
    except Exception:
        results = []
        for p in prepared:
            try:
                results.append(_submit_prepared(rt, p))
            except Exception as exc:
                _give_back(rt, p.path, origins.pop(p.path), now, exc, summary)
                results.append(None)
    last = None
    for p, result in zip(prepared, results, strict=True):
        if result is None:
            continue
        if result.status == "accepted":
            last = max(last or p.received_at, p.received_at)
        folder = "rejected" if result.status == "rejected" else "processed"
        c._move(p.path, rt.home / "inbox" / folder, now)
        summary.results.append(result)
    return last


def _prepare(rt: Runtime, claimed: Path, name: str, code: str | None,
             received: dt.datetime) -> Prepared:
    sha, size = c._digest(claimed)
    validation = c._check(rt, claimed, size, received, code)
    stored = c._store(rt, claimed, sha, size, sync=False)
    return Prepared(claimed, c.file_name(name), received, sha, size, validation, stored)


def _submit_prepared(rt: Runtime, p: Prepared):
    with rt.db.unit_of_work() as s:
        return record_chunk(rt, s, [p], "inbox")[0]


def _give_back(rt: Runtime, claimed: Path, path: Path, now: dt.datetime, exc: Exception,
               summary: c.SweepSummary) -> None:
    os.replace(claimed, path)
    summary.failed.append((path.name, f"{type(exc).__name__}: {exc}"))
    c._audit_failure(rt, now, path.name, exc)
