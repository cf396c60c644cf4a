"""The outbox as the coordinator sees it: deliver now, list messages, retry a failed one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from giamsat.db import audit
from giamsat.db.models import Cycle, Message
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.domain.formatting import short_date, short_date_time
from giamsat.domain.vocabulary import MESSAGE_STATUS
from giamsat.files.pool import workers_for
from giamsat.messaging import filebatch
from giamsat.messaging.channels import channel_for
from giamsat.messaging.drain import CLAIM_TTL, DrainResult, drain
from giamsat.runtime import Runtime

STATUSES = tuple(MESSAGE_STATUS)


def deliver(rt: Runtime, now: dt.datetime, *, batch_size: int | None = 200) -> DrainResult:
    """Drain this cycle's outbox through the configured channel (file or smtp); the file channel
    writes large batches on the process's workers (as many as ``GIAMSAT_INTAKE_WORKERS`` says).
    ``batch_size``: messages per claim; None: ``filebatch.claim_size`` of the channel (200, or
    1,000 for the file channel: one ``os.sync`` and two commits per batch, whatever its size)."""
    channel = channel_for(rt.delivery(), workers_for(rt.settings.intake_workers))
    size = batch_size if batch_size is not None else filebatch.claim_size(channel)
    return drain(rt.db, channel, now, batch_size=size, cycle_id=rt.cycle_id)


def list_messages(rt: Runtime, status: str | None = None, limit: int = 500) -> list[Message]:
    """This cycle's messages, newest first, optionally of one status."""
    query = select(Message).where(Message.cycle_id == rt.cycle_id)
    if status is not None:
        query = query.where(Message.status == status)
    with rt.db.unit_of_work() as s:
        return list(s.scalars(query.order_by(Message.id.desc()).limit(limit)))


def counts(rt: Runtime) -> dict[str, int]:
    """How many messages of this cycle are in each status.

    When the database holds this cycle alone (the usual case), every message is the cycle's and
    the count is read from the status index alone: filtering by cycle would read each row, and a
    message's status is stored after its bodies (SQLite follows their overflow pages to reach it).
    """
    with rt.db.unit_of_work() as s:
        query = select(Message.status, func.count()).group_by(Message.status)
        if _other_cycles(s, rt.cycle_id):
            query = query.where(Message.cycle_id == rt.cycle_id)
        rows = s.execute(query).all()
    return {status: 0 for status in STATUSES} | {status: n for status, n in rows}


def has_pending(rt: Runtime) -> bool:
    """Whether a message of this cycle waits to be sent (``counts(rt)["pending"] > 0``, from the
    status index alone: the first pending row found, not every message counted)."""
    with rt.db.unit_of_work() as s:
        return s.scalar(select(Message.id).where(Message.status == "pending",
                                                 Message.cycle_id + 0 == rt.cycle_id).limit(1)) is not None


def _other_cycles(s, cycle_id: int) -> bool:
    return s.scalar(select(Cycle.id).where(Cycle.id != cycle_id).limit(1)) is not None


def retry(rt: Runtime, message_id: int, now: dt.datetime) -> Message:
    """Put a failed message back in the queue (after the address was corrected, say)."""
    with rt.db.unit_of_work() as s:
        msg = s.get(Message, message_id)
        if msg is None or msg.cycle_id != rt.cycle_id:
            raise NotFound(f"Không có thư số {message_id} trong chu kỳ {rt.plan.cycle_key}.")
        if msg.status == "sent":
            when = f" lúc {short_date_time(msg.sent_at.astimezone(clock.TZ))}" if msg.sent_at else ""
            raise Conflict(f"Thư số {message_id} đã gửi{when}; không gửi lại để tránh gửi trùng.")
        previous = msg.last_error
        msg.status, msg.claim_token, msg.claimed_at = "pending", None, None
        audit.record(s, at=now, actor=rt.actor, action="message.retry", entity="message",
                     entity_id=msg.id, cycle_id=rt.cycle_id, previous_error=previous)
        return msg


def health(rt: Runtime, real_now: dt.datetime | None = None, counted: dict[str, int] | None = None) -> dict:
    """What is waiting in this cycle's outbox and why: counts, most attempts, the commonest error,
    and until when a live claim (a drain running, or killed within its 15 minutes) holds messages.
    ``counted``: ``counts(rt)`` when the caller has just read them (a flow's return).

    Claims live on the real clock (see ``drain``), so ``real_now`` is the wall clock by default,
    never the simulated day a run acts on.
    """
    real_now = real_now or clock.now()
    # ``+ 0``: through the status index (the few pending rows), not the cycle's every message.
    pending = (Message.cycle_id + 0 == rt.cycle_id) & (Message.status == "pending")
    held = pending & Message.claim_token.is_not(None) & (Message.claimed_at >= real_now - CLAIM_TTL)
    with rt.db.unit_of_work() as s:
        attempts = s.scalar(select(func.max(Message.attempts)).where(pending)) or 0
        error = s.execute(select(Message.last_error, func.count(Message.id))
                          .where(pending, Message.last_error.is_not(None))
                          .group_by(Message.last_error).order_by(func.count(Message.id).desc())
                          .limit(1)).first()
        n_held, last_claim = s.execute(select(func.count(Message.id), func.max(Message.claimed_at))
                                       .where(held)).one()
    held_until = (last_claim + CLAIM_TTL).astimezone(clock.TZ) if n_held else None
    return (counts(rt) if counted is None else dict(counted)) | {
        "max_attempts": attempts, "last_error": error[0] if error else None,
        "held": n_held, "held_until": held_until.isoformat() if held_until else None}


def health_line(h: dict) -> str:
    """One Vietnamese sentence for ``giamsat status`` and the Prefect UI."""
    if not h["pending"] and not h["failed"]:
        return f"Hộp thư đi: đã gửi hết {h['sent']} thư."
    parts = []
    if h["pending"]:
        why = f"; lỗi gần nhất: {h['last_error']}" if h["last_error"] else ""
        tried = f", đã thử tối đa {h['max_attempts']} lần" if h["max_attempts"] else ""
        parts.append(f"{h['pending']} thư đang chờ gửi{tried}{why}; {_next_attempt(h)}")
    if h["failed"]:
        parts.append(f"{h['failed']} thư lỗi vĩnh viễn (xem: giamsat outbox --status failed)")
    return f"Hộp thư đi: {h['sent']} thư đã gửi; " + "; ".join(parts) + "."


def _next_attempt(h: dict) -> str:
    """When the pending messages can next be tried, on the real clock."""
    free = h["pending"] - h.get("held", 0)
    said = []
    if h.get("held"):
        until = dt.datetime.fromisoformat(h["held_until"])
        said.append(f"{h['held']} thư đang được một lần gửi giữ (đang chạy, hoặc đã bị dừng giữa "
                    f"chừng) đến {until:%H:%M} ngày {short_date(until)}, chỉ gửi lại được sau giờ đó")
    if free and h["last_error"] and "từ chối đăng nhập" in h["last_error"]:
        said.append("máy chủ thư từ chối đăng nhập: sửa tên đăng nhập hoặc mật khẩu "
                    "(GIAMSAT_SMTP_USER, GIAMSAT_SMTP_PASSWORD) rồi chạy: giamsat outbox send")
    elif free:
        said.append(f"{free} thư gửi được ngay bây giờ: giamsat outbox send (hoặc lần chạy "
                    "theo lịch kế tiếp)")
    return "; ".join(said)
