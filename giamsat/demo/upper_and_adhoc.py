"""The demo's upper-team visit and ad-hoc round: what the office and the teams do on their days.

The upper body's team (Đoàn giám sát của Sở / Bộ): the step's flow writes and sends the report
ahead, the office ticks its documents, the team's findings and recommendations are recorded on the
visit day. The ad-hoc round: opened after the sampled visits, its units visited and minuted, its
report written once every visit has minutes. All texts are synthetic and labelled so.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path

from giamsat.demo import communes as demo
from giamsat.domain import clock
from giamsat.domain.formatting import short_date
from giamsat.plan import places
from giamsat.plan.milestones import provincial_report_day
from giamsat.plan.schema import Unit
from giamsat.provincial import service as provincial
from giamsat.rounds import service as rounds
from giamsat.rounds.report import round_report
from giamsat.runtime import Runtime
from giamsat.visits import service as visits

ROUND_CONTENT = ("Việc rà soát, cập nhật biến động hộ nghèo, hộ cận nghèo giữa kỳ và công tác tuyên "
                 "truyền về cuộc rà soát (minh họa)")
ADHOC_REPORT_NUMBER = 121  # [S] the number the office's văn thư gives the round's report


def upper_findings(rt: Runtime) -> tuple[list[str], list[provincial.RecInput]]:
    """The upper team's (synthetic) conclusions and two recommendations."""
    office = rt.plan.bodies.office.short
    first = rt.plan.units_on(rt.plan.visits.provincial_visit_on or rt.plan.period.start)[0]
    return ([f"{office} đã tham mưu tổ chức giám sát, đánh giá đúng kế hoạch; báo cáo gửi Đoàn đầy đủ, "
             f"đúng hạn (minh họa).",
             "Một số đơn vị cập nhật biến động hộ nghèo chưa kịp thời (minh họa)."],
            [provincial.RecInput("Chỉ đạo các đơn vị cập nhật kịp thời biến động hộ nghèo, hộ cận nghèo "
                                 "trên phần mềm quản lý (minh họa).", office),
             provincial.RecInput("Bổ sung hồ sơ tuyên truyền về cuộc rà soát hộ nghèo (minh họa).",
                                 _body_of(first), unit_code=first.code)])


def _body_of(unit: Unit) -> str:
    """The unit a synthetic recommendation names: ``thôn …`` for a village (as the seed, a
    commune keeps its ``UBND Xã …``)."""
    return places.unit_body(unit.kind, unit.name) if places.is_village(unit.kind) else f"UBND {unit.name}"


def schedule_upper_visit(rt: Runtime, at: Callable[[dt.date, Callable[[dt.date], None]], None],
                         flow: Callable[..., object], say: Callable[[dt.date, str], None],
                         sign: Callable[[dt.date], bool] | None = None) -> None:
    """The step's flow from its report day, the documents ticked, the findings on the visit day.

    ``sign``: the văn thư registers the report's signed original (drafts may not go out), after
    which the flow runs again and sends it.
    """
    visit_on = rt.plan.visits.provincial_visit_on
    if visit_on is None:
        return
    team = f"Đoàn giám sát của {rt.plan.bodies.upper_body.short}"

    def prepare(day: dt.date) -> None:
        result = flow("provincial_visit", day)
        if sign is not None and sign(day):
            result = flow("provincial_visit", day)  # sends the registered report
        report = result["report"] if isinstance(result, dict) else None
        for i, _ in enumerate(rt.plan.visits.provincial_documents, 1):
            provincial.tick(rt, i, demo.DEMO_ACTOR, clock.at_office_hours(day, 16))
        say(day, f"Chuẩn bị làm việc với {team}: báo cáo đã gửi ({report}), "
                 f"{len(rt.plan.visits.provincial_documents)} tài liệu đã chuẩn bị")

    def visit(day: dt.date) -> None:
        texts, recs = upper_findings(rt)
        r = provincial.record_findings(rt, texts, recs, demo.DEMO_ACTOR, clock.at_office_hours(day, 16))
        say(day, f"{team} làm việc: ghi nhận {r['findings']} kết luận, "
                 f"{len(r['recommendations'])} kiến nghị (theo dõi như các kiến nghị khác)")

    at(provincial_report_day(rt.plan, rt.calendar), prepare)
    at(visit_on, visit)


def schedule_adhoc_round(rt: Runtime, at: Callable[[dt.date, Callable[[dt.date], None]], None],
                         say: Callable[[dt.date, str], None], work: Path,
                         register: Callable[..., bool] | None = None) -> None:
    """Open a round of two units after the sampled visits, visit them, then write its report.

    ``register``: the văn thư registers the report's signed original when drafts may not go out.
    """
    cal, plan = rt.calendar, rt.plan
    opened = cal.add_working_days(plan.visits.window_end, 8)
    start = visits.earliest_visit(rt, opened)
    end = cal.add_working_days(start, 4)

    def open_(day: dt.date) -> None:
        codes = [u.code for u in plan.units_on(start)][-2:]
        r = rounds.open_round(rt, codes, ROUND_CONTENT, start, end, demo.DEMO_ACTOR,
                              clock.at_office_hours(day, 9))
        say(day, f"Mở đợt giám sát đột xuất số {r.number} ({short_date(start)} – {short_date(end)}): "
                 + ", ".join(v.unit_name for v in r.visits))
        for v in r.visits:
            at(v.day, functools.partial(_visit, visit_id=v.visit_id, name=v.unit_name))
        at(cal.add_working_days(end, 1), functools.partial(_report, number=r.number))

    def _visit(day: dt.date, visit_id: int, name: str) -> None:
        demo.record_visit(rt, visit_id, day, work)
        say(day, f"Giám sát đột xuất tại {name}: ghi biên bản, kết luận, kiến nghị")

    def _report(day: dt.date, number: int) -> None:
        path = round_report(rt, number, day, ADHOC_REPORT_NUMBER if plan.documents.allow_drafts else None)
        if register is not None:
            register(day, kind="adhoc_report", number=ADHOC_REPORT_NUMBER, by_office=True)
        say(day, f"Báo cáo kết quả giám sát đột xuất đợt {number}: {path}")

    at(opened, open_)
