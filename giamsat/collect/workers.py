"""Messages parsed and forms checked on worker processes, so a large intake uses every core.

Parsing a fetched message (``incoming.parse_fetched``) and checking a form (unzip, container and
XML checks, tables, validation: ``intake.check_with``) are pure functions of their bytes, their
day and the plan: the workers compute them and nothing else; fetching stays where it was.
Digests, the kept originals and every database write stay in the recording process, in the order
they always had, so the exactly-once and crash guarantees do not depend on the workers.

The pool is the process's shared one (``files.pool``), its workers holding the plan (a pool
started without it, for the file channel's writes, is started again with it); a chunk too small
to pay for the round trips is checked in the process. A worker that dies (out of memory on a
hostile file, killed) loses nothing: the chunk's forms are checked again in the process, and the
next intake starts a new pool.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from giamsat.collect.intake import CheckBase, Incoming, check_base, check_with
from giamsat.collect.records import local_day
from giamsat.domain.textsafety import storage_suffix
from giamsat.domain.validation import Validation
from giamsat.files.pool import context, forget_pool, outcome, pool_for, workers_for
from giamsat.messaging.incoming import Fetched, IncomingMail, parse_fetched
from giamsat.messaging.maildir import MaildirMessage
from giamsat.runtime import Runtime

MIN_FORMS = 16  # fewer forms than this are checked in the process: the round trips would cost more
BATCH = 10  # messages a worker reads per job: a tenth of the round trips, each chunk still ahead


Job = tuple[Path | bytes, dt.date, str | None, str | None]  # content, day, claimed unit, sender's unit
# A message parsed, one validation per form, and each form's original staged (``_stage``)
Read = tuple[IncomingMail, list[Validation], list[str | None]]


class Checks:
    """Validations by item index: done, or under way on the workers (``result`` waits for one)."""

    def __init__(self, results: Mapping[int, Future[Validation] | Validation] | None = None) -> None:
        self._results = dict(results or {})

    def result(self, index: int) -> Validation | None:
        """The validation of item ``index``; None when it was not sent or its worker died."""
        return outcome(self._results.get(index))


class MailReads:
    """Fetched messages being parsed and their forms checked on the workers, by position
    (``BATCH`` messages a job)."""

    def __init__(self, futures: list[Future[list[Read | None | Exception]]] | None = None) -> None:
        self._futures = futures or []

    def result(self, index: int) -> Read | None:
        """The message parsed and one validation per form; None when not sent or its worker died
        (an error parsing it is raised here, as parsing it here would raise it)."""
        job, at = divmod(index, BATCH)
        found = outcome(self._futures[job]) if job < len(self._futures) else None
        read = found[at] if found is not None else None
        if isinstance(read, Exception):
            raise read
        return read


def start_checks(rt: Runtime, items: list[Incoming]) -> Checks:
    """Send the items' checks (by index) to the workers; none when the chunk is small."""
    jobs = {i: (it.content, local_day(rt, it.received_at), it.unit_code, it.sender_unit_code)
            for i, it in enumerate(items)}
    return start(check_base(rt), jobs, rt.settings.intake_workers)


def start(base: CheckBase, jobs: dict[int, Job], setting: int | None) -> Checks:
    """Send ``jobs`` (by item index) to the workers; an empty ``Checks`` when too few or no pool."""
    pool = _pool_for(base, setting, len(jobs))
    try:
        return Checks({i: pool.submit(_check, *job) for i, job in jobs.items()} if pool else {})
    except (BrokenProcessPool, RuntimeError):  # a dead pool, or one shut down at exit
        forget_pool()
        return Checks()


def start_mail(rt: Runtime, fetched: list[Fetched | MaildirMessage], now: dt.datetime) -> MailReads:
    """Send fetched messages to the workers to be parsed and their forms checked (as
    ``collect.mail`` would: each form dated by its arrival, no later than ``now``); a Maildir
    message is sent by its file and read by the worker (its bytes are not sent twice)."""
    pool = _pool_for(check_base(rt), rt.settings.intake_workers, len(fetched))
    try:
        home = os.path.abspath(rt.home)
        return MailReads([pool.submit(_read_mails, fetched[i:i + BATCH], now, home)
                          for i in range(0, len(fetched), BATCH)] if pool else [])
    except (BrokenProcessPool, RuntimeError):
        forget_pool()
        return MailReads()


_blobs: dict[int, tuple[CheckBase, bytes, str]] = {}  # id(base) → (base, its pickle, digest)


def _pool_for(base: CheckBase, setting: int | None, jobs: int) -> ProcessPoolExecutor | None:
    """The process's pool with ``base``'s plan in its workers (started, or restarted for another
    plan); None when no workers are asked for or ``jobs`` are too few to pay for the round trips."""
    if workers_for(setting) == 0 or jobs < MIN_FORMS:
        return None
    known = _blobs.get(id(base))
    if known is None or known[0] is not base:  # a plan is pickled once, not per chunk
        blob = pickle.dumps(base, protocol=pickle.HIGHEST_PROTOCOL)
        _blobs.clear()
        known = _blobs[id(base)] = (base, blob, hashlib.sha256(blob).hexdigest())
    return pool_for(workers_for(setting), (known[2], known[1]))


def _base() -> CheckBase:
    base = context()
    assert isinstance(base, CheckBase), "the worker was started without its plan"
    return base


def _read_mails(fetched: list[Fetched | MaildirMessage], now: dt.datetime,
                home: str) -> list[Read | None | Exception]:
    """``_read_mail`` of each message in order; an error is returned in its place (and raised
    by ``MailReads.result`` for that message only)."""
    out: list[Read | None | Exception] = []
    for f in fetched:
        try:
            out.append(_read_mail(f, now, home))
        except Exception as exc:  # handed back, raised for its own message only
            out.append(exc)
    return out


def _read_mail(fetched: Fetched | MaildirMessage, now: dt.datetime, home: str | None = None) -> Read | None:
    """The message parsed, its attachments' hashes computed (they travel back with it), one
    validation per form and, with ``home``, each form's original staged there (``_stage``);
    None for a Maildir file that cannot be read here (taken by a concurrent fetch since the
    listing): the recording process reads it again through its mailbox."""
    base = _base()
    if isinstance(fetched, MaildirMessage):
        try:
            fetched = fetched.fetch()
        except OSError:
            return None
    mail = parse_fetched(fetched, base.limits.max_file_bytes)
    for att in mail.attachments:
        _ = att.sha256  # a cached property: pickled with the attachment, not computed again there
    _, day, code = base.mailed(mail.arrived_at, mail.sender, now)
    forms = mail.forms
    staged = [_stage(home, att.data, att.sha256, att.filename, base.limits.max_file_bytes)
              for att in forms] if home else []
    return mail, [check_with(base, att.data, day, None, code) for att in forms], staged


def _stage(home: str, data: bytes, sha: str, name: str, max_bytes: int) -> str | None:
    """A form's original written under a temporary name in the folder where ``intake.keep_original``
    keeps it (the same ``.NAME.HEX`` name a write of its own uses), not synced: the recording
    process renames it into place or removes it (``recording.prepare_all``), so this process's
    write is not done again there. None when it is kept already, too big to be kept, or could
    not be written (the recording process writes it then, and says why it cannot)."""
    if len(data) > max_bytes:
        return None
    target = Path(home, "submissions", sha[:2], f"{sha}{storage_suffix(name)}")
    if target.exists():
        return None
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
    except OSError:
        partial.unlink(missing_ok=True)
        return None
    return str(partial)


def _check(content: Path | bytes, received_on: dt.date, unit_code: str | None,
           sender_unit_code: str | None) -> Validation:
    return check_with(_base(), content, received_on, unit_code, sender_unit_code)
