"""The final and interim monitoring reports: load figures, write the .docx, record and queue it.

The reports cite the registered plan. Unless the plan allows drafts to go out, a report's draft
shows its number blank and is e-mailed only once its signed PDF is registered (run the command
again after ``giamsat doc register``); a registered report is never written again.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.cycle.sync import mark_step_done
from giamsat.db.models import Document
from giamsat.docx.render import collector_paused
from giamsat.domain import clock
from giamsat.domain.errors import PlanError
from giamsat.final_report.data import load_report_data
from giamsat.final_report.document import write_report
from giamsat.final_report.model import ReportData
from giamsat.final_report.office_doc import record_document
from giamsat.issuance.citations import Issued, cited, issued_by_key
from giamsat.issuance.kinds import ISSUED
from giamsat.messaging.outbox import Attachment, enqueue, idempotency_key
from giamsat.plan.wording import greeting, plan_words
from giamsat.runtime import Runtime

__all__ = ["ReadOnce", "final_report", "interim_report", "load", "load_report_data", "read"]


def load(rt: Runtime, as_of: dt.date) -> ReportData:
    """The report's figures as of ``as_of``, read from the database."""
    with rt.db.unit_of_work() as s:
        return load_report_data(s, rt.plan, rt.cycle_id, as_of, rt.settings.synthetic_data)


class ReadOnce:
    """The figures as of a date, read at the first call and kept for the documents written after it
    with nothing changed in between (the office's report, then the final report, in one flow run;
    a country's figures take seconds to read). A plain class: Prefect does not walk it."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self._data: ReportData | None = None

    def __repr__(self) -> str:
        return f"ReadOnce({self.as_of.isoformat()})"

    def __call__(self, rt: Runtime) -> ReportData:
        if self._data is None:
            self._data = load(rt, self.as_of)
        return self._data


def read(rt: Runtime, as_of: dt.date, once: ReadOnce | None = None) -> ReportData:
    """The figures as of ``as_of``: those ``once`` holds for that date, or read now."""
    return once(rt) if once is not None and once.as_of == as_of else load(rt, as_of)


@collector_paused()
def final_report(rt: Runtime, as_of: dt.date, out: Path | None = None, once: ReadOnce | None = None) -> Path:
    """Write the final report, record it, queue it to the recipients once, mark the step done
    (``once``: the figures as already read for the office's report in the same run)."""
    path, synthetic = _build(rt, as_of, "final_report", rt.plan.final_report.number, out, once)
    with rt.db.unit_of_work() as s:
        going = _outgoing(s, rt, as_of, "final_report", path)
        if going is None:  # waits for its signature: the step stays open
            return out or path
        _queue(s, rt, as_of, "final_report", going, rt.plan.recipients.final_report_addresses,
               synthetic)
        mark_step_done(s, rt.cycle_id, "final_report", clock.at_office_hours(as_of, 16), actor=rt.actor)
    return out or path


@collector_paused()
def interim_report(rt: Runtime, as_of: dt.date, out: Path | None = None, send: bool = False) -> Path:
    """Write the interim report for the provincial team's visit; e-mail it only when asked."""
    number = rt.plan.final_report.interim_number
    if number is None:
        raise PlanError(str(rt.plan_path), ["final_report.interim_number: chưa khai báo số báo cáo "
                                            "giữa kỳ (phục vụ Đoàn giám sát của tỉnh)"])
    path, synthetic = _build(rt, as_of, "interim_report", number, out)
    if send:
        dept = rt.plan.bodies.upper_body.email
        with rt.db.unit_of_work() as s:
            going = _outgoing(s, rt, as_of, "interim_report", path)
            if going is not None:
                _queue(s, rt, as_of, "interim_report", going, [dept] if dept else [], synthetic)
    return out or path


@dataclass(frozen=True)
class _Going:
    """The report's attachment and, once registered, its number."""

    attachment: Attachment
    number: str | None


def _key(rt: Runtime, kind: str, as_of: dt.date) -> str:
    return f"{rt.plan.cycle_key}:{kind}:{as_of.isoformat()}"


def _outgoing(s: Session, rt: Runtime, as_of: dt.date, kind: str, path: Path) -> _Going | None:
    """The report as it goes out: its signed PDF once registered, else the draft if drafts may go."""
    issued: Issued | None = issued_by_key(s, rt, _key(rt, kind, as_of)).get(_key(rt, kind, as_of))
    if issued is not None:
        return _Going(issued.attachment("Báo cáo"), issued.number)
    return _Going(Attachment(path, path.name), None) if rt.plan.documents.allow_drafts else None


def _build(rt: Runtime, as_of: dt.date, kind: str, number: int,
           out: Path | None, once: ReadOnce | None = None) -> tuple[Path, bool]:
    """Write the document under the home (and copy it to ``out``); upsert its Document row."""
    rt = cited(rt)
    data = read(rt, as_of, once)
    key = _key(rt, kind, as_of)
    with rt.db.unit_of_work() as s:
        row = s.scalar(select(Document).where(Document.key == key, Document.status == ISSUED))
        if row is not None:  # the registered draft stays as it was signed
            return Path(row.path), data.synthetic
    name = "bao-cao-ket-qua-giam-sat" if kind == "final_report" else "bao-cao-giua-ky"
    path = rt.path("reports", f"{rt.plan.cycle_key}-{name}-{as_of.isoformat()}.docx")
    write_report(data, rt.plan, path, interim=kind == "interim_report", number=number,
                 draft=not rt.plan.documents.allow_drafts)
    if out is not None:
        _copy_atomic(path, Path(out))
    record_document(rt, kind, key, path, as_of, units=len(data.reporting.expected),
                    synthetic=data.synthetic)
    return path, data.synthetic


def _queue(s: Session, rt: Runtime, as_of: dt.date, kind: str, going: _Going, to: list[str],
           synthetic: bool) -> None:
    """Queue the report once per (cycle, kind, as-of date)."""
    if not to:
        return
    plan = rt.plan
    number = plan.final_report.number if kind == "final_report" else plan.final_report.interim_number
    ctx = {"interim": kind == "interim_report", "as_of": as_of, "year": plan.year,
           "addressee": greeting(plan, to),
           **plan_words(plan), "committee": plan.bodies.committee.short,
           "office_name": plan.bodies.office.short,
           "number": going.number or f"{number:02d}/BC-{plan.bodies.committee.code or 'UBND'}",
           "synthetic_notice": plan.synthetic_notice if synthetic else "",
           "filename": going.attachment.filename}
    enqueue(s, cycle_id=rt.cycle_id, key=idempotency_key(plan.cycle_key, kind, kind, as_of.isoformat()),
            kind=kind, to=to, template="final_report", context=ctx,
            now=clock.at_office_hours(as_of, 16), attachments=[going.attachment])


def _copy_atomic(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.stem}-", suffix=".tmp", dir=dst.parent)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
