"""The synthetic communes' reports, day by day: each e-mailed one filled ahead on worker processes.

Filling a form is the demo's own work, not the product's: at a country's size it was an eighth of
the run, on the process that also runs every flow. Each e-mailed report is a pure function of its
blank outline, seed and fault, so once the outlines exist (notify) every e-mailed report of the
cycle is sent to a spawned pool, and the simulated day that mails one waits only for its own file.
The worker also writes the report's message into the mailbox's ``tmp/`` (no reader looks there),
so the day only moves it to ``new/``. What the office receives is unchanged (same bytes, same
arrival times): only when it is made moves.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from giamsat.demo import communes as demo
from giamsat.demo import mail_drop
from giamsat.demo.form_stamp import fill_outline_stamped
from giamsat.files.pool import workers_for
from giamsat.runtime import Runtime

LIST_UP_TO = 30  # a district's communes are listed one by one; a province's are counted


def seed_of(d: demo.Drop, order: int) -> int:
    """The seed of a commune's report: its code, its day, its place in the day's drops."""
    return int(d.unit.code.replace("-", "")) * 1000 + d.day.toordinal() % 1000 + order


def fill_and_stage(job: tuple, m: mail_drop.Letter, maildir: Path) -> str:
    """A worker's part of an e-mailed report: the form filled, its message written and staged in
    the mailbox (``mail_drop.stage``); the day that sends it only publishes it. Returns its key."""
    fill_outline_stamped(*job)
    return mail_drop.stage(maildir, mail_drop.letter_bytes(m, job[1]), m.arrived)


def _how(d: demo.Drop) -> str:
    """How the commune sent its report, for the progress line."""
    if not d.by_mail:
        return "(lưu tệp vào thư mục inbox)"
    return "qua thư điện tử" + (", kèm bản ký số PDF" if d.signed else "")


class Communes:
    """The cycle's drops (``communes.commune_behaviour``) sent on their days; ``close`` at the end."""

    def __init__(self, rt: Runtime, work: Path, drops: list[demo.Drop], workers: int | None = None) -> None:
        self.rt, self.work, self.workers = rt, work, workers
        self.by_day: dict[dt.date, list[demo.Drop]] = {}
        for d in drops:
            self.by_day.setdefault(d.day, []).append(d)
        self._pool: ProcessPoolExecutor | None = None
        self._filling: dict[tuple[dt.date, int], Future[str]] = {}  # the staged message's key
        self._box: Path | None = None

    def send(self, day: dt.date, say: Callable[[dt.date, str], None]) -> bool:
        """The day's reports filled and sent, a line said for each (or each kind); False: none."""
        todays = self.by_day.get(day, [])
        if not todays:
            return False
        if self._pool is None and not self._filling:  # the outlines exist: fill ahead from now on
            self._ahead(demo.received_outlines(self.rt))
        outlines: dict[str, Path] | None = None  # read only for a report not made ahead
        for i, d in enumerate(todays):
            future = self._filling.pop((day, i), None)  # its job as made when it was sent ahead
            if future is not None:  # a failure to fill is the demo's bug: raised on the day it matters
                mail_drop.publish(self._maildir(), future.result())
            else:
                outlines = demo.received_outlines(self.rt) if outlines is None else outlines
                demo.drop_report(self.rt, d, self.work, seed=seed_of(d, i), outlines=outlines, order=i)
            if len(todays) <= LIST_UP_TO:
                say(day, f"{d.unit.name} {d.label} {_how(d)}")
        if len(todays) > LIST_UP_TO:
            by_label: dict[str, list[str]] = {}
            for d in todays:
                by_label.setdefault(d.label, []).append(d.unit.name)
            for what, names in by_label.items():
                shown = ", ".join(names[:3]) + (f" và {len(names) - 3} đơn vị khác" if len(names) > 3 else "")
                say(day, f"{len(names)} đơn vị {what}: {shown}")
        return True

    def _maildir(self) -> Path:
        if self._box is None:
            self._box = Path(self.rt.settings.mailbox().maildir)
        return self._box

    def _ahead(self, outlines: dict[str, Path]) -> None:
        """Every e-mailed report of the cycle sent to the workers, the earliest days first: each
        is filled and its message written in the mailbox's ``tmp/``, delivered on its day."""
        # One worker at most: the fills run through the whole cycle beside the flows, whose process
        # and intake workers need the cores more (two fill workers slowed the first intake by half).
        n = min(workers_for(self.workers), 1)
        if not n:
            return
        self._pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"))
        for day in sorted(self.by_day):
            for i, d in enumerate(self.by_day[day]):
                if d.by_mail:
                    job = demo.fill_job(self.rt, d, self.work, seed_of(d, i), outlines)
                    at = demo.arrival(d, i)
                    m = mail_drop.letter(self.rt, d.unit, at, signed=d.signed)
                    self._filling[day, i] = self._pool.submit(fill_and_stage, job, m, self._maildir())

    def close(self) -> None:
        """Stop the workers (forms never sent are dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
