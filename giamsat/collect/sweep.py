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
import errno
import hashlib
import os
import stat
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from giamsat.collect import records, workers
from giamsat.collect.inbox import (
    ARRIVED,
    LINK,
    HeldClaim,
    Skipped,
    entries,
    held_claims,
    own_folder,
    scan,
)
from giamsat.collect.intake import Incoming
from giamsat.collect.recording import Outcome, take_in
from giamsat.domain import clock
from giamsat.domain.textsafety import display_filename
from giamsat.runtime import Runtime

CHUNK = 200
STALE_CLAIM_S = 3600  # a sweep takes minutes even for the whole country



@dataclass
class SweepSummary:
    """One sweep of the inbox: what each file became, files that failed, entries left alone."""

    results: list[Outcome] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    held: list[HeldClaim] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many files ended with ``status`` (accepted, rejected, duplicate)."""
        return sum(1 for r in self.results if r.status == status)

    def as_dict(self) -> dict:
        """A JSON-friendly summary for the CLI and the flow."""
        return {"files": len(self.results) + len(self.failed), "accepted": self.count("accepted"),
                "rejected": self.count("rejected"), "duplicate": self.count("duplicate"),
                "failed": [{"file": f, "error": e} for f, e in self.failed],
                "skipped": [{"entry": k.name, "reason": k.reason} for k in self.skipped],
                "held": [{"files": h.files, "until": dt.datetime.fromtimestamp(h.until, dt.UTC)
                          .isoformat()} for h in self.held],
                "results": [r.__dict__ for r in self.results]}


def inbox_files(rt: Runtime) -> list[tuple[Path, str | None]]:
    """Regular files waiting in ``<home>/inbox/`` (and ``inbox/<unit code>/``), oldest first."""
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    return scan(inbox).files


def sweep_inbox(rt: Runtime, now: dt.datetime) -> SweepSummary:
    """Take in every file of the inbox, ``CHUNK`` per transaction; one bad file never stops the others."""
    summary = SweepSummary()
    inbox = rt.home / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    claims_root = own_folder(inbox, ".claimed")
    for name in ("processed", "rejected"):
        own_folder(inbox, name)
    recover_abandoned_claims(inbox)
    claims = claims_root / uuid.uuid4().hex
    listing = scan(inbox)
    summary.skipped = listing.skipped
    chunk: dict[Path, tuple[Path, Incoming]] = {}  # claimed path -> (inbox path, item)
    ahead: tuple[dict[Path, tuple[Path, Incoming]], workers.Checks] | None = None  # being checked
    last_accepted: dt.datetime | None = None
    for path, code in listing.files:
        claimed = _claim(path, claims / (code or "_"), f"{code}/" if code else "", summary)
        if claimed is None:
            continue  # another sweep took it, or it cannot be moved (reported)
        arrived = arrival_time(rt.home / "inbox", path, now)
        chunk[claimed] = (path, Incoming(claimed, path.name, arrived, "inbox", code))
        if len(chunk) == CHUNK:  # its forms checked on the workers while the chunk before is recorded
            checking = (chunk, workers.start_checks(rt, [item for _, item in chunk.values()]))
            if ahead is not None:
                last_accepted = _latest(last_accepted, _take(rt, *ahead, now, summary))
            ahead, chunk = checking, {}
    if ahead is not None:
        last_accepted = _latest(last_accepted, _take(rt, *ahead, now, summary))
    if chunk:
        last_accepted = _latest(last_accepted, _take(rt, chunk, None, now, summary))
    _remove_empty(claims)
    summary.held = held_claims(claims_root, claims, STALE_CLAIM_S)
    if last_accepted is not None:  # once per sweep, at the time of the last report it accepted
        with rt.db.unit_of_work() as s:
            records.close_collect_step_if_complete(rt, s, last_accepted)
    return summary


def _seen_record(inbox: Path, path: Path) -> Path:
    return own_folder(inbox, ".seen") / hashlib.sha256(str(path.relative_to(inbox)).encode()).hexdigest()[:32]


def arrival_time(inbox: Path, path: Path, now: dt.datetime) -> dt.datetime:
    """When the inbox file ``path`` arrived (see the module docstring); never after ``now``."""
    for record in (path.with_name(path.name + ARRIVED), _seen_record(inbox, path)):
        try:
            stated = dt.datetime.fromisoformat(record.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            continue
        return min(stated if stated.tzinfo else stated.replace(tzinfo=clock.TZ), now)
    seen = _seen_record(inbox, path)
    seen.write_text(now.isoformat(), encoding="utf-8")
    return now


def _forget_arrival(inbox: Path, path: Path) -> None:
    for record in (path.with_name(path.name + ARRIVED), _seen_record(inbox, path)):
        try:
            record.unlink(missing_ok=True)
        except OSError:  # e.g. a 255-byte name has no room for ".arrived": there is no record
            pass


def recover_abandoned_claims(inbox: Path, now: float | None = None) -> int:
    """Put back into the inbox the files a sweep claimed and never finished (it crashed).

    Nothing is followed: a link planted in ``.claimed/`` is left where it is, and a file goes back
    to ``inbox/`` itself when its unit folder has become a link.
    """
    now = time.time() if now is None else now
    back = 0
    for claim, mode, mtime in entries(inbox / ".claimed", "", []):
        if not stat.S_ISDIR(mode) or now - mtime < STALE_CLAIM_S:
            continue  # possibly a sweep still running
        for folder, fmode, _ in entries(Path(claim.path), "", []):
            if not stat.S_ISDIR(fmode):
                continue
            for f, _, _ in entries(Path(folder.path), "", []):
                parent = inbox if folder.name == "_" else inbox / folder.name
                try:
                    parent.mkdir(exist_ok=True)
                except FileExistsError:
                    pass
                if not stat.S_ISDIR(os.lstat(parent).st_mode):
                    parent = inbox
                target = parent / f.name
                os.replace(f.path, target if not os.path.lexists(target) else target.with_name(
                    f"{uuid.uuid4().hex[:8]}-{f.name}"))
                back += 1
        _remove_empty(Path(claim.path))
    return back


def _take(rt: Runtime, chunk: dict[Path, tuple[Path, Incoming]], checks: workers.Checks | None,
          now: dt.datetime, summary: SweepSummary) -> dt.datetime | None:
    """Record one chunk through ``take_in`` (``checks``: its forms' checks already under way on the
    workers); returns when its last accepted report arrived."""
    def give_back(item: Incoming, exc: Exception) -> None:  # back to the inbox for the next sweep
        os.replace(item.content, chunk[item.content][0])  # type: ignore[index]
        summary.failed.append((item.name, f"{type(exc).__name__}: {exc}"))

    items = [item for _, item in chunk.values()]
    outcomes = take_in(rt, items, now, close_step=False, on_error=give_back, checks=checks)
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


def _claim(path: Path, folder: Path, prefix: str, summary: SweepSummary) -> Path | None:
    """``path`` moved into ``folder`` (same file system: atomic); None if gone or not movable.

    A file that cannot be moved (another file system mounted in the inbox, no permission) is
    reported and stays where it is: the sweep goes on with the others.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    try:
        os.rename(path, target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        summary.skipped.append(Skipped(prefix + path.name, f"không chuyển được để xử lý ({_why(exc)}): "
                                                   "giữ nguyên chỗ cũ"))
        return None
    if not stat.S_ISREG(os.lstat(target).st_mode):  # swapped for a link since the listing
        os.replace(target, path)
        summary.skipped.append(Skipped(prefix + path.name, LINK))
        return None
    return target


def _why(exc: OSError) -> str:
    return {errno.EXDEV: "thư mục nằm trên ổ đĩa khác", errno.EACCES: "không có quyền",
            errno.EPERM: "không có quyền"}.get(exc.errno or 0, exc.strerror or str(exc))


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
