"""Intake of commune reports: store the original, parse, validate, record, answer — in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from giamsat.collect import records
from giamsat.collect.reader import read_report
from giamsat.collect.records import is_late, local_day
from giamsat.db import audit
from giamsat.db.models import Submission, Unit
from giamsat.docx.reading import MB, Limits
from giamsat.domain.errors import BadDocument, NotFound
from giamsat.domain.textsafety import display_filename, storage_suffix
from giamsat.domain.validation import Expectation, Issue, UnitRef, Validation, validate
from giamsat.files.fsutil import atomic_write
from giamsat.plan.schema import Plan
from giamsat.runtime import Runtime


@dataclass
class SubmitResult:
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


def limits_for(rt: Runtime) -> Limits:
    """Intake caps from the plan's ``report`` section."""
    r = rt.plan.report
    return Limits(max_file_bytes=int(r.max_file_mb * MB),
                  max_uncompressed_bytes=int(r.max_uncompressed_mb * MB))


def submit(rt: Runtime, path: Path, received_at: dt.datetime, unit_code: str | None = None,
           source: str = "cli", original_name: str | None = None,
           close_step: bool = True) -> SubmitResult:
    """Take in one report file; the same file twice is recognised and not processed again.

    ``close_step=False`` leaves closing the collect step to the caller (a sweep does it once).
    """
    path = Path(path)
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    if not path.is_file():
        raise NotFound(f"Không tìm thấy tệp {path}.")
    name = file_name(original_name or path.name)
    sha, size = _digest(path)
    with rt.db.unit_of_work() as s:
        earlier = _by_sha(s, rt.cycle_id, sha)
        if earlier is not None:
            return _duplicate(s, earlier, name)
    validation = _check(rt, path, size, received_at, unit_code)
    stored = _store(rt, path, sha, size)
    with rt.db.unit_of_work() as s:
        _lock_content(s, sha)  # two sweeps holding copies of one file: the second waits, then sees it
        earlier = _by_sha(s, rt.cycle_id, sha)  # a concurrent sweep may have taken it meanwhile
        if earlier is not None:
            return _duplicate(s, earlier, name)
        return _record(rt, s, validation, received_at, source, name, stored, sha, size, close_step)


def file_name(name: str) -> str:
    """The file name as recorded: data only, never part of a stored path."""
    return display_filename(name)


def _digest(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _lock_content(s: Session, sha: str) -> None:
    """On PostgreSQL, serialise intakes of the same content until this transaction ends.

    SQLite already serialises writers (a stale reader cannot upgrade to a writer).
    """
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(sha[:15], 16)})


def _by_sha(s: Session, cycle_id: int, sha: str) -> Submission | None:
    return s.scalar(select(Submission).where(Submission.cycle_id == cycle_id,
                                             Submission.sha256 == sha).order_by(Submission.id))


def _duplicate(s: Session, earlier: Submission, name: str) -> SubmitResult:
    unit = s.get(Unit, earlier.unit_id) if earlier.unit_id else None
    return SubmitResult("duplicate", name, earlier.id, _key(unit), unit.name if unit else None,
                        earlier.late, [e.get("text", "") for e in earlier.errors],
                        duplicate_of=earlier.id)


def _key(unit: Unit | None) -> str | None:
    return f"{unit.code}@{unit.valid_from.isoformat()}" if unit else None


def expectation(rt: Runtime, received_at: dt.datetime, unit_code: str | None) -> Expectation:
    """What the validator must know about this cycle for a report received at ``received_at``."""
    return Expectation(cycle_key=rt.plan.cycle_key, form_versions=(rt.plan.report.form_version,),
                       units=_unit_refs(rt.plan), received_on=local_day(rt, received_at),
                       claimed_unit_code=unit_code,
                       rate_tolerance_pct=rt.plan.report.rate_tolerance_pct)


_REFS: dict[int, tuple[object, tuple[UnitRef, ...]]] = {}


def _unit_refs(plan: Plan) -> tuple[UnitRef, ...]:
    """The plan's units as the validator sees them, built once per (frozen) plan."""
    found = _REFS.get(id(plan))
    if found is None or found[0] is not plan:
        _REFS.clear()
        refs = tuple(UnitRef(u.key, u.code, u.name, u.valid_from, u.valid_to) for u in plan.units)
        found = _REFS[id(plan)] = (plan, refs)
    return found[1]


def _check(rt: Runtime, path: Path, size: int, received_at: dt.datetime,
           unit_code: str | None) -> Validation:
    exp = expectation(rt, received_at, unit_code)
    try:
        raw = read_report(path, limits_for(rt))
    except BadDocument as exc:
        claimed = next((u for u in exp.units if u.code == unit_code and u.valid_on(exp.received_on)),
                       None) if unit_code else None
        return Validation(claimed, None, [Issue(str(exc))], None)
    return validate(raw, exp)


def _store(rt: Runtime, path: Path, sha: str, size: int, sync: bool = True) -> str:
    """Keep the original under ``submissions/`` by content; an over-size file is not copied.

    ``sync=False``: the caller syncs the file before committing the row that names it.
    """
    if size > limits_for(rt).max_file_bytes:
        return ""
    target = rt.path("submissions", sha[:2], f"{sha}{storage_suffix(path.name)}")
    if not target.exists() and sync:
        with atomic_write(target) as out, path.open("rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
    elif not target.exists():
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    return str(target.relative_to(rt.home))


def _record(rt: Runtime, s: Session, v: Validation, received_at: dt.datetime, source: str,
            name: str, stored: str, sha: str, size: int, close_step: bool = True) -> SubmitResult:
    unit = None
    if v.unit is not None:
        unit = s.scalar(select(Unit).where(Unit.cycle_id == rt.cycle_id, Unit.code == v.unit.code,
                                           Unit.valid_from == v.unit.valid_from))
    late = is_late(rt, received_at)
    sub = Submission(cycle_id=rt.cycle_id, unit_id=unit.id if unit else None,
                     received_at=received_at, source=source[:20], original_filename=name,
                     stored_path=stored, sha256=sha, size_bytes=size, form_version=v.form_version,
                     status="accepted" if v.ok else "rejected", late=late,
                     errors=[i.as_json() for i in v.issues], figures=v.figures or {})
    previous = records.latest_submission(s, unit) if unit else None
    sub.supersedes_id = previous.id if previous else None
    s.add(sub)
    s.flush()
    superseded = records.supersede(rt, s, unit, sub, received_at) if v.ok and unit else []
    ob = None
    if v.ok and unit:
        records.store_figures(s, sub, v.figures)  # type: ignore[arg-type]  # v.ok: figures are set
        ob = records.meet_obligation(rt, s, unit, received_at)
        records.open_recommendations(rt, s, unit, sub, v.figures, received_at)  # type: ignore[arg-type]  # v.ok
        if close_step:
            records.close_collect_step_if_complete(rt, s, received_at)
    message = records.answer(rt, s, unit, sub, bool(superseded), received_at, ob) if unit else None
    audit.record(s, at=received_at, actor=rt.actor, action=f"submission.{sub.status}",
                 entity="submission", entity_id=sub.id, cycle_id=rt.cycle_id, unit=_key(unit),
                 file=name, sha256=sha, late=late, errors=len(v.issues),
                 superseded=[x.id for x in superseded])
    return SubmitResult(sub.status, name, sub.id, _key(unit), unit.name if unit else None, late,
                        [i.text for i in v.issues], message_id=message.id if message else None)


_SKIP_PREFIXES = (".", "~$")
_SKIP_SUFFIXES = (".tmp", ".part", ".crdownload", ".partial")


@dataclass
class SweepSummary:
    """One sweep of the inbox: what each file became, and files that could not be handled."""

    results: list[SubmitResult] = field(default_factory=list)
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
    wanted = [(f, c) for f, c in found if not f.name.startswith(_SKIP_PREFIXES)
              and not f.name.lower().endswith(_SKIP_SUFFIXES)]
    return sorted(wanted, key=lambda fc: (fc[0].stat().st_mtime, fc[0].name))


def sweep_inbox(rt: Runtime, now: dt.datetime) -> SweepSummary:
    """Take in every file of the inbox; one bad file never stops the others.

    Each file is first claimed by renaming it into a folder of this sweep: a rename succeeds for
    one sweep only, so two sweeps running at once never take in the same file twice. Files are
    then recorded in chunks (``collect_sweep``).
    """
    from giamsat.collect.sweep import sweep

    return sweep(rt, now)


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


def _audit_failure(rt: Runtime, now: dt.datetime, name: str, exc: Exception) -> None:
    with rt.db.unit_of_work() as s:
        audit.record(s, at=now, actor=rt.actor, action="submission.failed", entity="submission",
                     cycle_id=rt.cycle_id, file=name, error=f"{type(exc).__name__}: {exc}")
