"""The coordinator's daily digest: what waits for the office itself, queued through the outbox.

Listed: draws waiting for approval, visits held without recorded minutes, the final report falling
due (within ``REPORT_DUE_WITHIN`` working days, until it is written), and open recommendations
addressed to the district, the province or an office (the ones reminders route to the office).
One message a working day at most, and none when nothing waits.

A country's office may answer for thousands of open recommendations: the digest lists the
``LISTED`` falling due first and says how many more there are and where the whole list is (the
follow-up register), so that the message stays one a person reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from giamsat.db.models import SampleDraw, Step, Unit, Visit
from giamsat.domain import clock
from giamsat.domain.formatting import short_date
from giamsat.messaging.outbox import enqueue, idempotency_key
from giamsat.remind.office_routes import office_lines
from giamsat.runtime import Runtime

REPORT_DUE_WITHIN = 10  # working days before the final report's due date
LISTED = 50  # recommendations listed in a digest, the first falling due; the rest are counted


@dataclass
class Digest:
    """What waits for the office on one day."""

    draws: list[str] = field(default_factory=list)
    minutes: list[str] = field(default_factory=list)
    report_due: str | None = None
    recommendations: list[str] = field(default_factory=list)  # the first ``LISTED``, by due date
    recommendations_total: int = 0  # every open recommendation the office answers for

    @property
    def recommendations_more(self) -> int:
        """The open recommendations not listed."""
        return self.recommendations_total - len(self.recommendations)

    def empty(self) -> bool:
        """Whether nothing waits."""
        return not (self.draws or self.minutes or self.report_due or self.recommendations)


def gather(rt: Runtime, as_of: dt.date) -> Digest:
    """What waits for the office on ``as_of``."""
    d = Digest()
    with rt.db.unit_of_work() as s:
        for draw_on in s.scalars(select(SampleDraw.draw_on).where(  # not the row: its frame is every unit
                SampleDraw.cycle_id == rt.cycle_id, SampleDraw.status == "proposed")):
            d.draws.append(f"Kết quả chọn mẫu ngày {short_date(draw_on)} đang chờ phê duyệt")
        for visit, name in s.execute(select(Visit, Unit.name).join(Unit, Visit.unit_id == Unit.id).where(
                Visit.cycle_id == rt.cycle_id, Visit.status == "scheduled", Visit.recorded_at.is_(None),
                Visit.scheduled_on < as_of).order_by(Visit.scheduled_on)):
            d.minutes.append(f"{name}: đã giám sát ngày {short_date(visit.scheduled_on)}, chưa ghi biên bản")
        d.report_due = _report_due(rt, s, as_of)
        lines = _office_recommendations(rt, s, as_of)
    d.recommendations, d.recommendations_total = lines[:LISTED], len(lines)
    return d


def _report_due(rt: Runtime, s, as_of: dt.date) -> str | None:
    due = rt.plan.final_report.due
    step = s.scalar(select(Step).where(Step.cycle_id == rt.cycle_id, Step.key == "final_report"))
    if step is not None and step.status == "done":
        return None
    if as_of > due:
        return f"Báo cáo kết quả giám sát, đánh giá đã quá hạn ({short_date(due)}), chưa lập"
    left = rt.calendar.working_days_between(as_of, due)
    if left > REPORT_DUE_WITHIN:
        return None
    return f"Báo cáo kết quả giám sát, đánh giá đến hạn ngày {short_date(due)} (còn {left} ngày làm việc)"


def _office_recommendations(rt: Runtime, s, as_of: dt.date) -> list[str]:
    """The open recommendations the office answers for, by due date (kept between days:
    ``office_lines``)."""
    return office_lines(rt, s, clock.at_office_hours(as_of, 23))


def queue_digest(rt: Runtime, as_of: dt.date) -> Digest:
    """Queue today's digest to the office (working days, when something waits; once a day)."""
    office = rt.plan.bodies.office
    if not rt.calendar.is_working_day(as_of) or not office.email:
        return Digest()
    digest = gather(rt, as_of)
    if digest.empty():
        return digest
    now = clock.at_office_hours(as_of, 7)
    with rt.db.unit_of_work() as s:
        enqueue(s, cycle_id=rt.cycle_id, key=idempotency_key(rt.plan.cycle_key, "remind", "office_digest",
                                                             as_of.isoformat()),
                kind="office_digest", to=[office.email], template="office_digest", now=now,
                context={"office_name": office.short, "as_of": as_of, "digest": digest})
    return digest
