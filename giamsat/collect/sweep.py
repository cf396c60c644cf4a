"""The inbox sweep: claim each waiting file, feed the claims to ``take_in`` a chunk at a time.

Each file is first claimed by renaming it into a folder of this sweep: a rename succeeds for one
sweep only, so two sweeps running at once never take in the same file twice. A file that cannot
be handled goes back to the inbox for the next sweep; the others move to ``processed/`` or
``rejected/``.

A file is dated by when it arrived: the time stated in a ``<name>.arrived`` file beside it (ISO 8601,
written by whatever delivered it), else when a sweep first saw it (kept in ``.seen/`` while the
file waits) — never by its modification time, which is when it was saved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from giamsat.collect import records
from giamsat.collect.intake import Incoming
from giamsat.collect.recording import Outcome, take_in
from giamsat.domain import clock
from giamsat.domain.textsafety import display_filename
from giamsat.runtime import Runtime

CHUNK = 200
STALE_CLAIM_S = 3600  # a sweep takes minutes even for the whole country

_SKIP_PREFIXES = (".", "~$")
ARRIVED = ".arrived"  # a file's own arrival time, beside it
_SKIP_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial", ARRIVED)


@dataclass
class SweepSummary:
    """One sweep of the inbox: what each file became, and files that could not be handled."""

    results: list[Outcome] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with ``status`` (accepted, rejected, duplicate)."""
        return sum(1 for r in self.results if r.status == status)

    def as_dict(self) -> dict:
        """A JSON-friendly summary for the CLI and the flow."""
        return {"files": len(self.results) + len(self.failed), "accepted": self.count("accepted"),
                "rejected": self.count("rejected"), "duplicate": self.count("duplicate"),
                "failed": [{"file": f, "error": e} for f, e in self.failed],
                "results": [r.__dict__ for r in self.results]}


def inbox_files(rt: Runtime) -> list[tuple[Path, str | None]]:
    """Files waiting in ``<home>/inbox/`` (and ``inbox/<unit code>/``), oldest first."""
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    found: list[tuple[Path, str | None]] = []
    for entry in inbox.iterdir():
        if entry.is_file():
            found.append((entry, None))
        elif entry.is_dir() and re.fullmatch(r"\d{5}", entry.name):
            found += [(f, entry.name) for f in entry.iterdir() if f.is_file()]
    wanted = []
    for f, c in found:
        if f.name.startswith(_SKIP_PREFIXES) or f.name.lower().endswith(_SKIP_SUFFIXES):
            continue
        try:
            wanted.append((f.stat().st_mtime, f.name, f, c))
        except FileNotFoundError:
            continue  # claimed by another sweep since the listing
    return [(f, c) for _, _, f, c in sorted(wanted, key=lambda w: w[:2])]


def sweep_inbox(rt: Runtime, now: dt.datetime) -> SweepSummary:
    """Take in every file of the inbox, ``CHUNK`` per transaction; one bad file never stops the others."""
    summary = SweepSummary()
    recover_abandoned_claims(rt.home / "inbox")
    claims = rt.home / "inbox" / ".claimed" / uuid.uuid4().hex
    chunk: dict[Path, tuple[Path, Incoming]] = {}  # claimed path -> (inbox path, item)
    last_accepted: dt.datetime | None = None
    for path, code in inbox_files(rt):
        claimed = _claim(path, claims / (code or "_"))
        if claimed is None:
            continue  # another sweep took it
        arrived = arrival_time(rt.home / "inbox", path, now)
        chunk[claimed] = (path, Incoming(claimed, path.name, arrived, "inbox", code))
        if len(chunk) == CHUNK:
            last_accepted = _latest(last_accepted, _take(rt, chunk, now, summary))
            chunk = {}
    if chunk:
        last_accepted = _latest(last_accepted, _take(rt, chunk, now, summary))
    _remove_empty(claims)
    if last_accepted is not None:  # once per sweep, at the time of the last report it accepted
        with rt.db.unit_of_work() as s:
            records.close_collect_step_if_complete(rt, s, last_accepted)
    return summary


def _seen_record(inbox: Path, path: Path) -> Path:
    return inbox / ".seen" / hashlib.sha256(str(path.relative_to(inbox)).encode()).hexdigest()[:32]


def arrival_time(inbox: Path, path: Path, now: dt.datetime) -> dt.datetime:
    """When the inbox file ``path`` arrived (see the module docstring); never after ``now``."""
    for record in (path.with_name(path.name + ARRIVED), _seen_record(inbox, path)):
        try:
            stated = dt.datetime.fromisoformat(record.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            continue
        return min(stated if stated.tzinfo else stated.replace(tzinfo=clock.TZ), now)
    seen = _seen_record(inbox, path)
    seen.parent.mkdir(parents=True, exist_ok=True)
    seen.write_text(now.isoformat(), encoding="utf-8")
    return now


def _forget_arrival(inbox: Path, path: Path) -> None:
    for record in (path.with_name(path.name + ARRIVED), _seen_record(inbox, path)):
        record.unlink(missing_ok=True)


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
        _remove_empty(claim)
    return back


def _take(rt: Runtime, chunk: dict[Path, tuple[Path, Incoming]], now: dt.datetime,
          summary: SweepSummary) -> dt.datetime | None:
    """Record one chunk through ``take_in``; returns when its last accepted report arrived."""
    def give_back(item: Incoming, exc: Exception) -> None:  # back to the inbox for the next sweep
        os.replace(item.content, chunk[item.content][0])  # type: ignore[index]
        summary.failed.append((item.name, f"{type(exc).__name__}: {exc}"))

    items = [item for _, item in chunk.values()]
    outcomes = take_in(rt, items, now, close_step=False, on_error=give_back)
    last = None
    for item, outcome in zip(items, outcomes, strict=True):
        if outcome is None:
            continue
        _forget_arrival(rt.home / "inbox", chunk[item.content][0])  # type: ignore[index]
        if outcome.status == "accepted":
            last = max(last or item.received_at, item.received_at)
        folder = "rejected" if outcome.status == "rejected" or outcome.refused else "processed"
        _move(item.content, rt.home / "inbox" / folder, now)  # type: ignore[arg-type]
        summary.results.append(outcome)
    return last


def _latest(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return max(x for x in (a, b) if x is not None) if (a or b) else None


def _claim(path: Path, folder: Path) -> Path | None:
    """``path`` moved into ``folder`` (same file system: atomic), or None if it is already gone."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None
    return target


def _remove_empty(claims: Path) -> None:
    for folder in sorted(claims.glob("*"), reverse=True) + [claims]:
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty (a file could not be returned) or already gone


def _move(path: Path, folder: Path, now: dt.datetime) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    name = display_filename(path.name)  # a 255-byte name plus the prefix would not fit NAME_MAX
    target = folder / f"{now:%Y%m%d-%H%M%S}-{name}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{now:%Y%m%d-%H%M%S}-{n}-{name}"
    os.replace(path, target)
    return target
