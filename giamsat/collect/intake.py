"""Intake of one incoming file, before any database write: digest, read, validate, keep the original.

``prepare`` turns an ``Incoming`` (bytes or a path, its original name, when it arrived, who sent
it) into a ``Prepared``: a pure result the one recording path (``collect.recording``) records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from giamsat.collect.reader import read_report
from giamsat.collect.records import local_day
from giamsat.db.models import PovertyModel, Recommendation
from giamsat.docx.reading import MB, Limits
from giamsat.domain.errors import BadDocument
from giamsat.domain.outline_spec import SECTIONS, CriterionQuestion
from giamsat.domain.textsafety import display_filename, storage_suffix
from giamsat.domain.validation import MAX_CELL_CHARS, Expectation, Issue, UnitRef, Validation, validate
from giamsat.files.fsutil import open_regular, storage_error
from giamsat.plan.schema import Plan
from giamsat.plan.wording import outline_questions
from giamsat.runtime import Runtime

SOURCES = ("cli", "inbox", "mail", "web")


@dataclass(frozen=True)
class Incoming:
    """One file arriving: its content, original name, arrival time, sender, claimed unit, source.

    A report is dated by when it arrived (``received_at``, timezone-aware), not when it is recorded.
    """

    content: Path | bytes
    name: str
    received_at: dt.datetime
    source: str = "cli"
    unit_code: str | None = None
    sender: str | None = None
    sender_unit_code: str | None = None  # the sender's unit: taken only for a form that does not say


    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise ValueError("received_at must be timezone-aware")


@dataclass
class Prepared:
    """One incoming file, digested and validated, its original kept (``validation`` None: known)."""

    item: Incoming
    name: str
    sha: str
    size: int
    validation: Validation | None = None
    stored: str = ""

    @property
    def received_at(self) -> dt.datetime:
        """When the file arrived."""
        return self.item.received_at


def file_name(name: str) -> str:
    """The file name as recorded: data only, never part of a stored path."""
    return display_filename(name)


def limits_for(rt: Runtime) -> Limits:
    """Intake caps from the plan's ``report`` section."""
    r = rt.plan.report
    return Limits(max_file_bytes=int(r.max_file_mb * MB),
                  max_uncompressed_bytes=int(r.max_uncompressed_mb * MB))


def digest(content: Path | bytes) -> tuple[str, int]:
    """The SHA-256 (hex) and size of a file or of bytes."""
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest(), len(content)
    h, size = hashlib.sha256(), 0
    with open_regular(content) as fh:  # a link planted in the inbox is never followed
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def prepare(rt: Runtime, item: Incoming, sha: str, size: int, known: bool = False,
            checked: Validation | None = None) -> Prepared:
    """Read, validate and keep ``item`` (a ``known`` content is neither read nor kept again);
    ``checked``: its validation, already computed by a worker process.

    The kept original is not synced: the caller flushes a chunk's at once before committing its rows.
    """
    p = Prepared(item, file_name(item.name), sha, size)
    if not known:
        p.validation = checked or check(rt, item.content, item.received_at, item.unit_code,
                                        item.sender_unit_code)
        p.stored = keep_original(rt, item, sha, size)
    return p


def expectation(rt: Runtime, received_at: dt.datetime, unit_code: str | None) -> Expectation:
    """What the validator must know about this cycle for a report received at ``received_at``."""
    return check_base(rt).expectation(local_day(rt, received_at), unit_code)


_STORED_IN = {"A": PovertyModel, "E": Recommendation}  # where a section's text cells are stored


@cache
def text_limits() -> dict[str, int]:
    """``"A.name"`` → the characters its database column holds: validation's one source of lengths.

    Read from the SQLAlchemy columns, so a cell that passes validation always fits on PostgreSQL
    (which refuses longer text) as on SQLite (which would keep it and break a later import).
    """
    out = {}
    for section in SECTIONS:
        model = _STORED_IN.get(section.key)
        if model is None:
            continue
        for col in section.columns:
            column = model.__table__.c.get(col.key) if col.kind == "text" else None
            length = getattr(column.type, "length", None) if column is not None else None
            if length:
                out[f"{section.key}.{col.key}"] = min(length, MAX_CELL_CHARS)
    return out


_REFS: dict[int, tuple[object, tuple[UnitRef, ...]]] = {}


def _unit_refs(plan: Plan) -> tuple[UnitRef, ...]:
    """The plan's units as the validator sees them, built once per (frozen) plan."""
    found = _REFS.get(id(plan))
    if found is None or found[0] is not plan:
        _REFS.clear()
        refs = tuple(UnitRef(u.key, u.code, u.name, u.valid_from, u.valid_to) for u in plan.units)
        found = _REFS[id(plan)] = (plan, refs)
    return found[1]


_QUESTIONS: dict[int, tuple[object, tuple[CriterionQuestion, ...]]] = {}


def _questions(plan: Plan) -> tuple[CriterionQuestion, ...]:
    """What section C asks, worded once per (frozen) plan."""
    found = _QUESTIONS.get(id(plan))
    if found is None or found[0] is not plan:
        _QUESTIONS.clear()
        found = _QUESTIONS[id(plan)] = (plan, outline_questions(plan))
    return found[1]


@dataclass(frozen=True)
class CheckBase:
    """What checking a form needs from the plan, apart from the file and its day: picklable, so
    worker processes (``collect.workers``) check forms exactly as the recording process does."""

    limits: Limits
    cycle_key: str
    form_versions: tuple[str, ...]
    units: tuple[UnitRef, ...]
    rate_tolerance_pct: float
    text_limits: dict[str, int]
    criteria: tuple[CriterionQuestion, ...]
    timezone: str
    senders: dict[str, tuple[tuple[str, dt.date, dt.date | None], ...]]  # address → (code, from, to)

    def mailed(self, arrived_at: dt.datetime | None, sender: str,
               now: dt.datetime) -> tuple[dt.datetime, dt.date, str | None]:
        """A mailed form's arrival (its message's, never after ``now``), that day in the plan's
        timezone, and the unit of its sender's address then."""
        arrived = min(arrived_at or now, now)
        day = arrived.astimezone(ZoneInfo(self.timezone)).date()
        return arrived, day, self.sender_unit(sender, day)

    def sender_unit(self, sender: str, day: dt.date) -> str | None:
        """The code of the unit whose address ``sender`` is on ``day`` (used only when a form does
        not say whose it is)."""
        return next((code for code, since, until in self.senders.get(sender, ()) if since <= day
                     and (until is None or until >= day)), None) if sender else None

    def expectation(self, received_on: dt.date, unit_code: str | None) -> Expectation:
        """What the validator must know for a report received on ``received_on``."""
        return Expectation(cycle_key=self.cycle_key, form_versions=self.form_versions,
                           units=self.units, received_on=received_on, claimed_unit_code=unit_code,
                           rate_tolerance_pct=self.rate_tolerance_pct, text_limits=self.text_limits,
                           criteria=self.criteria)


_BASES: dict[int, tuple[object, CheckBase]] = {}


def check_base(rt: Runtime) -> CheckBase:
    """The ``CheckBase`` of the runtime's plan, built once per (frozen) plan."""
    found = _BASES.get(id(rt.plan))
    if found is None or found[0] is not rt.plan:
        _BASES.clear()
        plan = rt.plan
        senders: dict[str, list[tuple[str, dt.date, dt.date | None]]] = {}
        for u in plan.units:
            senders.setdefault(u.email.lower(), []).append((u.code, u.valid_from, u.valid_to))
        base = CheckBase(limits_for(rt), plan.cycle_key, (plan.report.form_version,), _unit_refs(plan),
                         plan.report.rate_tolerance_pct, text_limits(), _questions(plan),
                         plan.calendar.timezone, {k: tuple(v) for k, v in senders.items()})
        found = _BASES[id(plan)] = (plan, base)
    return found[1]


def check(rt: Runtime, content: Path | bytes, received_at: dt.datetime,
          unit_code: str | None, sender_unit_code: str | None = None) -> Validation:
    """The validation of one file; an unreadable file is a rejection naming why.

    ``sender_unit_code`` (the unit whose address mailed the file) stands for ``unit_code`` only
    when the form carries no marker saying whose it is."""
    return check_with(check_base(rt), content, local_day(rt, received_at), unit_code, sender_unit_code)


def check_with(base: CheckBase, content: Path | bytes, received_on: dt.date,
               unit_code: str | None, sender_unit_code: str | None = None) -> Validation:
    """``check`` without a Runtime: what a worker process runs."""
    try:
        raw = read_report(content, base.limits)
    except BadDocument as exc:
        code = unit_code or sender_unit_code
        exp = base.expectation(received_on, code)
        claimed = next((u for u in exp.units if u.code == code and u.valid_on(exp.received_on)),
                       None) if code else None
        return Validation(claimed, None, [Issue(str(exc))], None)
    code = unit_code or (sender_unit_code if raw.marker is None else None)
    return validate(raw, base.expectation(received_on, code))


def keep_original(rt: Runtime, item: Incoming, sha: str, size: int) -> str:
    """Keep the original under ``submissions/`` by content; an over-size file is not copied.

    Written whole then renamed into place, not synced (``prepare_all`` flushes a chunk's at once); a
    failed write is a ``StorageError`` saying why, in Vietnamese.
    """
    if size > limits_for(rt).max_file_bytes:
        return ""
    name = item.content.name if isinstance(item.content, Path) else item.name
    target = rt.path("submissions", sha[:2], f"{sha}{storage_suffix(name)}")
    if not target.exists():
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(item.content, bytes):
                partial.write_bytes(item.content)
            else:
                with open_regular(item.content) as src, partial.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            os.replace(partial, target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise storage_error(target, exc) from exc
    return str(target.relative_to(rt.home))

