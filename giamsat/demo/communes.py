"""The demo's synthetic people: what each commune, the team and the addressees do, and when.

All behaviour is seeded, so two demo runs produce the same cycle; every figure and text it writes
is synthetic and labelled so ("dữ liệu minh họa"). The flows themselves are the real ones: this
module only plays the humans around them (communes sending reports, the team filling minutes,
bodies answering recommendations).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from giamsat.db.models import Document, Recommendation, Visit
from giamsat.db.models import Unit as UnitRow
from giamsat.demo import mail_drop
from giamsat.demo.form_stamp import fill_outline_stamped
from giamsat.demo.minutes_fill import fill_minutes
from giamsat.demo.synthetic import voice_of
from giamsat.domain import clock
from giamsat.domain.calendar import WorkingCalendar
from giamsat.domain.vocabulary import REC_ACTIVE
from giamsat.followup import service as followup
from giamsat.notify.outline import render_outline
from giamsat.plan import places
from giamsat.plan.schema import Plan, Unit
from giamsat.runtime import Runtime
from giamsat.visits.minutes import record_minutes, write_minutes

DEMO_ACTOR = "demo (dữ liệu minh họa)"


@dataclass(frozen=True)
class Drop:
    """A commune sends a report on ``day`` (``fault``: an invalid report) by e-mail, with a signed
    PDF next to the form when ``signed``, or as a file saved into the inbox (``by_mail`` False)."""

    day: dt.date
    unit: Unit
    fault: str | None
    label: str
    by_mail: bool = True
    signed: bool = False


def commune_behaviour(plan: Plan, cal: WorkingCalendar, seed: int = 2024) -> list[Drop]:
    """Most communes report on time; per 18 communes three are late, one sends an invalid report
    then corrects it, one never reports (exactly that for a district of 18). Reports come by
    e-mail, a third of the on-time ones with a signed PDF; one commune saves its file in the inbox."""
    units = list(plan.units_on(plan.period.start))
    random.Random(seed).shuffle(units)
    never, invalid, late = _shares(len(units))
    deadline = plan.report.deadline
    last_on_time = cal.previous_working_day(deadline - dt.timedelta(days=1))
    on_time_days = cal.working_days(cal.next_working_day(plan.period.start + dt.timedelta(days=1)),
                                    last_on_time)
    late_days = [cal.add_working_days(deadline, n) for n in (1, 3, 6)]
    wrong = units[never:never + invalid]
    late_units = units[never + invalid:never + invalid + late]
    on_time = units[never + invalid + late:]
    drops = [Drop(on_time_days[1], u, "balance", "gửi báo cáo sai số liệu") for u in wrong]
    drops += [Drop(on_time_days[-1], u, None, "gửi lại báo cáo đã sửa") for u in wrong]
    drops += [Drop(late_days[i % len(late_days)], u, None, "gửi báo cáo muộn")
              for i, u in enumerate(late_units)]
    drops += [Drop(on_time_days[i % len(on_time_days)], u, None,
"gửi báo cáo", by_mail=i > 0, signed=i % 3 == 1) for i, u in enumerate(on_time)]
    return sorted(drops, key=lambda d: (d.day, d.unit.code))


def _shares(n: int) -> tuple[int, int, int]:
    """How many units never report, send an invalid report first, report late (1, 1, 3 per 18)."""
    if n < 5:
        return (1 if n > 1 else 0), (1 if n > 2 else 0), max(0, n - 2)
    return max(1, round(n / 18)), max(1, round(n / 18)), max(3, round(3 * n / 18))


def never_reports(plan: Plan, seed: int = 2024) -> list[Unit]:
    """The communes that never send their report (so reminders escalate)."""
    units = list(plan.units_on(plan.period.start))
    random.Random(seed).shuffle(units)
    return units[:_shares(len(units))[0]]


def received_outlines(rt: Runtime) -> dict[str, Path]:
    """The outline each commune received with the notification, by unit key (one query)."""
    with rt.db.unit_of_work() as s:
        rows = s.execute(select(UnitRow.code, UnitRow.valid_from, Document.path)
                         .join(UnitRow, UnitRow.id == Document.unit_id)
                         .where(Document.cycle_id == rt.cycle_id,
                                Document.kind == "notify_outline")).all()
    return {f"{code}@{since.isoformat()}": Path(path) for code, since, path in rows}


def received_outline(rt: Runtime, unit: Unit, work: Path,
                     known: dict[str, Path] | None = None) -> Path:
    """The outline the commune received with the notification (rendered anew if it has none)."""
    path = (known if known is not None else received_outlines(rt)).get(unit.key)
    if path and path.exists():
        return path
    return render_outline(rt.plan, unit, work / f"de-cuong-{unit.code}.docx", rt.plan.cycle_key)


def fill_job(rt: Runtime, drop: Drop, work: Path, seed: int,
             outlines: dict[str, Path] | None = None) -> tuple:
    """What filling the drop's form takes (``form_stamp.fill_outline_stamped``'s arguments)."""
    blank = received_outline(rt, drop.unit, work, outlines)
    name = f"Bao cao {drop.unit.name} {drop.day:%d-%m}.docx"
    target = work / "gui-thu" / name if drop.by_mail else rt.path("inbox", name)
    target.parent.mkdir(parents=True, exist_ok=True)
    villages = tuple(drop.unit.villages or [drop.unit.name])  # a village's models lie in the village
    return blank, target, seed, drop.fault, villages, voice_of(rt.plan)


def arrival(drop: Drop, order: int) -> dt.datetime:
    """When the drop's report reaches the office: an e-mail at 10:00 (+ ``order`` minutes) on its
    day; mail is fetched before the inbox is swept, so a saved file arrives after, at 10:30."""
    return clock.at_office_hours(drop.day, 10) + dt.timedelta(minutes=order if drop.by_mail else 30)


def drop_report(rt: Runtime, drop: Drop, work: Path, seed: int,
                outlines: dict[str, Path] | None = None, order: int = 0) -> Path:
    """Fill the unit's outline with synthetic figures and send it: an e-mail delivered to the office
    Maildir at ``arrival``, or a file saved in the inbox (``demo.drops`` makes the e-mailed ones
    ahead on a worker, ``drops.fill_and_stage``)."""
    job = fill_job(rt, drop, work, seed, outlines)
    target = job[1]
    fill_outline_stamped(*job)
    at = arrival(drop, order)
    if drop.by_mail:
        msg = mail_drop.report_mail(rt, drop.unit, target, at, signed=drop.signed)
        mail_drop.deliver(rt.settings.mailbox().maildir, msg, at)
    else:
        arrived = target.with_name(target.name + ".arrived")  # how the inbox learns when it came
        arrived.write_text(at.isoformat(), encoding="utf-8")
    return target


def record_visit(rt: Runtime, visit_id: int, day: dt.date, work: Path) -> Path:
    """The team fills the minutes of the visit and the office records them that afternoon."""
    blank = write_minutes(rt, visit_id, now=clock.at_office_hours(day, 9))  # as the visits flow
    filled = work / f"bien-ban-{visit_id}-filled.docx"
    with rt.db.unit_of_work() as s:  # a village's own tasks go to the village, not "UBND xã"
        unit = s.get_one(UnitRow, s.get_one(Visit, visit_id).unit_id)
        kind = unit.kind
        village = places.capfirst(places.unit_body(kind, unit.name)) if places.is_village(kind) else None
    fill_minutes(blank, filled, seed=visit_id, visit_day=day, addressee=village,
                 component=rt.plan.programme.component, year=rt.plan.year, kind=kind)
    record_minutes(rt, filled, DEMO_ACTOR, now=clock.at_office_hours(day, 16))
    return filled


def answer_recommendations(rt: Runtime, day: dt.date, rng: random.Random) -> dict[str, int]:
    """The addressed bodies answer their open recommendations: most resolve, a few refuse or are
    still in progress; one per round is left unanswered (it is reminded, then turns overdue)."""
    done: dict[str, int] = {}
    changes: list[tuple[int, str, str]] = []
    with rt.db.unit_of_work() as s:  # ``followup.list_recommendations``' order, two columns of it
        pending = s.execute(select(Recommendation.id, Recommendation.status).where(
            Recommendation.cycle_id == rt.cycle_id, Recommendation.status.in_([*REC_ACTIVE, "overdue"]))
            .order_by(Recommendation.id)).all()
    for i, (rec_id, current) in enumerate(pending[1:]):
        turn = (i + rng.randrange(7)) % 7
        if current == "open" and turn == 3:
            status, note = "not_accepted", "Không thuộc thẩm quyền giải quyết (dữ liệu minh họa)."
        elif current == "open" and turn in (1, 5):
            status, note = "in_progress", "Đang triển khai thực hiện (dữ liệu minh họa)."
        else:
            status, note = "resolved", "Đã thực hiện xong kiến nghị (dữ liệu minh họa)."
        changes.append((rec_id, status, note))
        done[status] = done.get(status, 0) + 1
    if changes:  # one transaction for the round, however many bodies answer
        followup.update_many(rt, changes, DEMO_ACTOR, clock.at_office_hours(day, 15))
    return done
