"""What the pages show, read from the same services as the CLI (no page computes a status itself)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

from giamsat.collect.records import local_day
from giamsat.cycle.overview import cycle_status
from giamsat.cycle.status import report_status_rows, summarise
from giamsat.db.models import Document, Message, Obligation, Recommendation, Submission, Unit
from giamsat.domain.formatting import short_date_time
from giamsat.domain.vocabulary import (
    MESSAGE_STATUS,
    REC_CLOSED,
    RECURRING_STEPS,
    REPORT_STATUS,
    STEP_STATUS,
    label,
)
from giamsat.draw.service import current_draw
from giamsat.followup.service import label as rec_label
from giamsat.issuance.kinds import ISSUED, kind_of
from giamsat.issuance.service import signature_summary
from giamsat.messaging.delivery import health
from giamsat.runtime import Runtime


def local(moment: dt.datetime | None, rt: Runtime) -> str:
    """A stored moment as ``dd/mm/yyyy HH:MM`` in Vietnam time."""
    from giamsat.domain import clock

    return "" if moment is None else short_date_time(moment.astimezone(clock.TZ))


def dashboard(rt: Runtime, today: dt.date, unit_filter: str | None) -> dict:
    """Everything ``/`` shows on ``today``; ``unit_filter`` is one of the commune statuses or None."""
    units = report_status_rows(rt, today)
    shown = [u for u in units if unit_filter in (None, "", u["status"])]
    return {"today": today, "steps": cycle_status(rt, today), "step_labels": STEP_STATUS,
            "recurring": RECURRING_STEPS,
            "units": shown, "unit_total": len(units), "unit_filter": unit_filter or "",
            "unit_labels": REPORT_STATUS, "summary": summarise(units),
            "unit_counts": {k: sum(1 for u in units if u["status"] == k) for k in REPORT_STATUS},
            "outbox": health(rt), "failed_messages": _messages(rt), "recs": _recs(rt, today),
            "draw": _draw(rt), "documents": documents(rt), "signatures": signature_summary(rt)}


def _messages(rt: Runtime, limit: int = 6) -> list[dict]:
    """The outbox's failed messages first, then those waiting, at most ``limit``."""
    with rt.db.unit_of_work() as s:
        rows = s.scalars(select(Message).where(Message.cycle_id == rt.cycle_id,
                                               Message.status.in_(("pending", "failed")))
                         .order_by(Message.status, Message.id).limit(limit)).all()  # failed < pending
        return [{"kind": label("message_kind", m.kind), "to": ", ".join(m.to_addrs),
                 "subject": m.subject, "status": MESSAGE_STATUS.get(m.status, m.status),
                 "attempts": m.attempts, "error": m.last_error or "",
                 "created": local(m.created_at, rt)} for m in rows]


def _recs(rt: Runtime, today: dt.date) -> list[dict]:
    """Open recommendations grouped by addressee, overdue first."""
    groups: dict[str, list[dict]] = defaultdict(list)
    with rt.db.unit_of_work() as s:
        for r in s.scalars(select(Recommendation).where(Recommendation.cycle_id == rt.cycle_id,
                                                        Recommendation.status.not_in(REC_CLOSED))
                           .order_by(Recommendation.due_on, Recommendation.id)):
            late = r.status == "overdue" or r.due_on < today
            groups[r.addressed_to].append({"id": r.id, "content": r.content, "due_on": r.due_on,
                                           "status": "Quá hạn" if late else rec_label(r.status),
                                           "late": late})
    return sorted(({"to": k, "items": v, "late": sum(i["late"] for i in v)} for k, v in groups.items()),
                  key=lambda g: (-g["late"], g["to"]))


def _draw(rt: Runtime) -> dict | None:
    with rt.db.unit_of_work() as s:
        row = current_draw(s, rt.cycle_id)
        if row is None:
            return None
        return {"id": row.id, "status": row.status, "draw_on": row.draw_on, "seed_source": row.seed_source,
                "units": row.result.get("units", []), "drawn_by": row.drawn_by}


def documents(rt: Runtime, unit_id: int | None = None) -> list[dict]:
    """The cycle's documents (the district's, or one unit's) that exist on disk, by id."""
    with rt.db.unit_of_work() as s:
        rows = s.scalars(select(Document).where(Document.cycle_id == rt.cycle_id,
                                                Document.unit_id.is_(unit_id) if unit_id is None
                                                else Document.unit_id == unit_id)
                         .order_by(Document.id)).all()
        return [{"id": d.id, "label": kind_of(d.kind).label, "created": local(d.created_at, rt),
                 "number": d.number, "issued": d.status == ISSUED,
                 "waits": d.status != ISSUED and kind_of(d.kind).numbered}
                for d in rows if document_path(rt, d) is not None]


def document_path(rt: Runtime, doc: Document) -> Path | None:
    """The file of a document row if it lies under the home folder and exists, else None."""
    home = rt.home.resolve()
    path = Path(doc.path) if Path(doc.path).is_absolute() else home / doc.path
    path = path.resolve()
    return path if path.is_relative_to(home) and path.is_file() else None


def commune(rt: Runtime, unit_id: int, today: dt.date) -> dict:
    """What one commune's page shows: what it owes, its form, submissions and recommendations."""
    with rt.db.unit_of_work() as s:
        unit = s.get(Unit, unit_id)
        owed = s.scalars(select(Obligation).where(Obligation.unit_id == unit_id)
                         .order_by(Obligation.due_on)).all()
        subs = s.scalars(select(Submission).where(Submission.unit_id == unit_id)
                         .order_by(Submission.id.desc())).all()
        recs = s.scalars(select(Recommendation).where(Recommendation.unit_id == unit_id)
                         .order_by(Recommendation.due_on, Recommendation.id)).all()
        assert unit is not None  # the page was opened by this unit's link
        return {"unit": {"name": unit.name, "code": unit.code}, "today": today,
                "owed": [_obligation(o, today) for o in owed],
                "submissions": [{"id": x.id, "at": local(x.received_at, rt), "file": x.original_filename,
                                 "status": _sub_label(x.status), "late": x.late,
                                 "errors": [e.get("text", "") for e in x.errors]}
                                for x in subs if local_day(rt, x.received_at) <= today],
                "recs": [{"id": r.id, "content": r.content, "due_on": r.due_on, "status": r.status,
                          "label": rec_label(r.status), "open": r.status not in REC_CLOSED,
                          "late": r.status not in REC_CLOSED and r.due_on < today} for r in recs],
                "documents": documents(rt, unit_id), "max_mb": rt.plan.report.max_file_mb}


OBLIGATION_KINDS = {"report": "Báo cáo kết quả thực hiện Chương trình (theo đề cương)",
                    "visit_documents": "Hồ sơ phục vụ đoàn giám sát", "recommendation": "Thực hiện kiến nghị"}


def _obligation(o: Obligation, today: dt.date) -> dict:
    done = o.status != "open"
    return {"what": OBLIGATION_KINDS.get(o.kind, o.kind), "due_on": o.due_on, "done": done,
            "status": "Đã hoàn thành" if done else "Quá hạn" if o.due_on < today else "Chưa hoàn thành",
            "late": not done and o.due_on < today}


def _sub_label(status: str) -> str:
    return {"accepted": "Đã tiếp nhận", "rejected": "Bị trả lại", "superseded": "Đã thay bằng bản sau",
            "duplicate": "Trùng tệp đã gửi"}.get(status, status)
