"""The demo's simulated clock: walks the plan's working days and runs the flows the schedules would.

A flow runs on a simulated day when its schedule fires that day and it has work (the inbox holds
files, a reminder slot falls today, a recommendation needs its obligation or turns overdue): the
steps are idempotent, so the skipped runs would have done nothing. Commune and team behaviour
comes from ``giamsat.demo.communes``.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import select

from giamsat.db.models import Obligation, Recommendation
from giamsat.demo import appraisals
from giamsat.demo import communes as demo
from giamsat.demo import upper_and_adhoc as upper
from giamsat.demo.drops import Communes
from giamsat.demo.signing import DemoClerk
from giamsat.domain import clock
from giamsat.domain.formatting import short_date
from giamsat.domain.reminders import reminder_on
from giamsat.domain.vocabulary import REC_ACTIVE, REC_CLOSED, label
from giamsat.draw import service as sample
from giamsat.issuance import kinds as issued_kinds
from giamsat.issuance import service as issued_docs
from giamsat.issuance.kinds import DRAFT
from giamsat.plan.wording import plan_words
from giamsat.remind.service import policy_of
from giamsat.runtime import Runtime
from giamsat.visits import service as visits

SEED = "giamsat-demo-2024 (minh họa)"


class DemoRunner:
    """Runs one cycle on a simulated clock, printing one line per event."""

    def __init__(self, rt: Runtime, config: Path, work: Path, console: Console,
                 clerk: DemoClerk | None = None) -> None:
        self.rt, self.config, self.work, self.console = rt, str(config), work, console
        self.clerk = clerk  # signs and registers the documents with a test certificate (None: drafts go)
        self.rng = random.Random(2024)
        self.flow_runs = 0
        self.deployment_ids: dict[str, Any] = {}  # step → its deployment's id in Prefect
        self.timings: dict[str, float] = {}  # seconds per step flow (and the communes' drops)
        self.started = time.monotonic()
        self.events: dict[dt.date, list[Callable[[dt.date], None]]] = {}
        self._adhoc_id = 0  # the ad-hoc visit announced ahead, recorded on its day
        self.communes = Communes(rt, work, demo.commune_behaviour(rt.plan, rt.calendar))
        work.mkdir(parents=True, exist_ok=True)

    def say(self, day: dt.date, text: str) -> None:
        """One progress line."""
        elapsed = time.monotonic() - self.started
        self.console.print(f"[dim]{elapsed:5.1f}s[/] [cyan]{short_date(day):>10}[/]  {text}")

    def flow(self, step: str, day: dt.date, **params: object) -> Any:
        """Run the step's flow for the simulated day, as a run of the step's deployment."""
        from flows.deployments import register_local, run_deployed

        if not self.deployment_ids:  # registered once, on the first run (the harness or the demo's server)
            self.deployment_ids = register_local(self.rt.plan, Path(self.config))
        self.flow_runs += 1
        started = time.monotonic()
        try:
            return run_deployed(step, self.deployment_ids[step], as_of=day, config=self.config, **params)
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.monotonic() - started

    def run(self) -> None:
        """Walk every working day of the period."""
        plan = self.rt.plan
        self._fixed_events()
        try:
            self._walk()
        finally:
            self.communes.close()
        self.say(plan.period.end, "Cập nhật bảng tình hình chu kỳ")
        self.flow("cycle", plan.period.end)

    def _walk(self) -> None:
        plan, cal = self.rt.plan, self.rt.calendar
        for day in cal.working_days(plan.period.start, plan.period.end):
            if self._reminders_due(day):  # 08:00, before the day's other work (as the schedule runs it)
                self._remind(day)
            for action in self.events.get(day, []):
                action(day)
            started = time.monotonic()
            sent = self.communes.send(day, self.say)
            self.timings["communes"] = self.timings.get("communes", 0.0) + time.monotonic() - started
            if sent:
                self._collect(day)
            if self._followup_due(day):
                self._followup(day)

    def at(self, day: dt.date, action: Callable[[dt.date], None]) -> None:
        """Do ``action`` on the first working day on or after ``day``."""
        self.events.setdefault(self.rt.calendar.next_working_day(day), []).append(action)

    def _fixed_events(self) -> None:
        plan, cal, at = self.rt.plan, self.rt.calendar, self.at
        at(plan.period.start, self._notify)
        at(plan.sample.draw_on, self._draw)
        for offset in (3, 10):  # the office appraises the reports received, then the answers
            at(cal.add_working_days(plan.report.deadline, offset), self._appraise)
        at(cal.add_working_days(plan.visits.window_start, -7), self._visits)
        at(cal.add_working_days(plan.visits.window_start, 3), self._answers)
        for offset in (5, 15):
            at(cal.add_working_days(plan.visits.window_end, offset), self._answers)
        upper.schedule_upper_visit(self.rt, at, self.flow, self.say, functools.partial(
            self._register, kind="interim_report", number=plan.final_report.interim_number,
            by_office=False))
        upper.schedule_adhoc_round(self.rt, at, self.say, self.work, self._register)
        if plan.reorganisation:
            at(plan.reorganisation.effective, self._merger)
            adhoc = cal.next_working_day(plan.reorganisation.effective + dt.timedelta(days=15))
            at(adhoc, self._adhoc_notice)  # notified the plan's notice period ahead, like a sampled one
            at(visits.earliest_visit(self.rt, adhoc), self._adhoc_visit)
            at(cal.add_working_days(adhoc, 7), self._answers)
        at(plan.final_report.due, self._final)

    def _notify(self, day: dt.date) -> None:
        result = self.flow("notify", day)
        queued, plan = result["queued"], self.rt.plan
        if self.clerk is not None and result["waiting_for_signature"]:
            doc = plan.plan_document
            self._sign(day, "plan", str(doc.number), doc.issued_on, None, by_office=False)
            queued += self.flow("notify", day)["queued"]  # writes the letters citing the plan's number
            letter = plan.notification_letter
            self._sign(day, "letter", str(letter.number if letter else 1), day, dt.time(8, 5), by_office=True)
            result = self.flow("notify", day)
            queued += result["queued"]
        phrase = plan_words(plan)["units_phrase"]
        how = "bản PDF đã ký số thử nghiệm" if self.clerk is not None else "bản dự thảo"
        self.say(day, f"Thông báo kế hoạch: {queued} thư tới {result['units']} {phrase} và nơi nhận "
                      f"(kèm kế hoạch, công văn: {how}; đề cương để điền)")

    def _sign(self, day: dt.date, kind: str, number: str, dated: dt.date, at: dt.time | None,
              by_office: bool) -> None:
        """The văn thư registers the drafts of ``kind`` signed with the demo's TEST certificate."""
        assert self.clerk is not None
        drafts = [d.id for d in issued_docs.documents(self.rt, kind) if d.status == DRAFT]
        started = time.monotonic()
        count = self.clerk.register([(i, number, dated, by_office) for i in drafts], at=at)
        self.timings["signing"] = self.timings.get("signing", 0.0) + time.monotonic() - started
        if count:
            label = issued_kinds.KINDS[kind].label.lower()
            self.say(day, f"Văn thư đăng ký {count} {label} số {number}, ngày {short_date(dated)} "
                          "(ký số bằng chứng thư THỬ NGHIỆM của bản chạy thử)")

    def _collect(self, day: dt.date) -> None:
        result = self.flow("collect", day)
        mail, sweep = result["mail"], result["sweep"]
        forms = [f for m in mail.get("details", []) for f in m["files"] if f["kind"] == "form"]
        accepted = sweep["accepted"] + sum(1 for f in forms if f["status"] == "accepted")
        rejected = sweep["rejected"] + sum(1 for f in forms if f["status"] == "rejected")
        inbox = sweep["accepted"] + sweep["rejected"]
        self.say(day, f"Đọc hộp thư đến: {mail['messages']} thư"
                      + (f", {inbox} tệp trong thư mục inbox" if inbox else "")
                      + f"; {accepted} báo cáo đạt, {rejected} phải sửa")

    def _reminders_due(self, day: dt.date) -> bool:
        policy = policy_of(self.rt)
        with self.rt.db.unit_of_work() as s:
            rows = s.execute(select(Obligation.due_on, Obligation.created_at).distinct().where(
                Obligation.cycle_id == self.rt.cycle_id, Obligation.status == "open")).all()
        pairs = {(due_on, created.astimezone(clock.TZ).date()) for due_on, created in rows}
        for due_on, created_on in pairs:  # thousands of obligations share a handful of dates
            owed = reminder_on(policy, self.rt.calendar, due_on, day, created_on)
            if owed is not None and owed.slot.day == day:
                return True
        return False

    def _remind(self, day: dt.date) -> None:
        result = self.flow("remind", day)
        if result["queued"]:
            self.say(day, f"Nhắc hạn, đôn đốc: {result['queued']} thư")

    def _followup_due(self, day: dt.date) -> bool:
        """A recommendation without its obligation, or an active one past due (two queries)."""
        if day < self.rt.plan.visits.window_start:
            return False
        cyc = Recommendation.cycle_id == self.rt.cycle_id
        live = Recommendation.status.not_in(REC_CLOSED)
        tracked = select(Obligation.id).where(Obligation.recommendation_id == Recommendation.id,
                                              Obligation.kind == "recommendation").exists()
        with self.rt.db.unit_of_work() as s:  # the late one first: from the index alone
            late = s.scalar(select(Recommendation.id).where(
                cyc, Recommendation.status.in_(REC_ACTIVE),
                Recommendation.due_on < day).limit(1))
            return late is not None or s.scalar(select(Recommendation.id).where(
                cyc, live, ~tracked).limit(1)) is not None

    def _followup(self, day: dt.date) -> None:
        result = self.flow("followup", day)
        if result["obligations_created"] or result["marked_overdue"]:
            self.say(day, f"Theo dõi kiến nghị: {result['obligations_created']} kiến nghị được "
                          f"theo dõi mới, {result['marked_overdue']} quá hạn")

    def _draw(self, day: dt.date) -> None:
        now = clock.at_office_hours(day, 9)
        proposed = sample.draw(self.rt, day, SEED, demo.DEMO_ACTOR, now=now)
        sample.approve(self.rt, proposed.id, "Điều phối viên (demo)", now=now.replace(hour=10))
        result = self.flow("draw", day)
        names = ", ".join(u["name"] for u in result["units"])
        self.say(day, f"Chọn mẫu #{result['id']} (đã duyệt): {names}")

    def _visits(self, day: dt.date) -> None:
        planned = self.flow("visits", day)
        for v in planned:
            self.say(day, f"Lịch giám sát {v['unit']}: {short_date(dt.date.fromisoformat(v['on']))}")
        for v in visits.list_visits(self.rt):
            self.at(v.scheduled_on, functools.partial(self._record, visit_id=v.id, name=v.unit_name))

    def _record(self, day: dt.date, visit_id: int, name: str) -> None:
        demo.record_visit(self.rt, visit_id, day, self.work)
        self.say(day, f"Đoàn giám sát tại {name}: ghi biên bản, kết luận, kiến nghị")

    def _appraise(self, day: dt.date) -> None:
        done = appraisals.appraise_round(self.rt, day, self.rng)
        if done:
            self.say(day, "Thẩm định sơ bộ kết quả rà soát: " + ", ".join(
                f"{label('appraisal_result', k).lower()} {n}" for k, n in sorted(done.items())))

    def _answers(self, day: dt.date) -> None:
        done = demo.answer_recommendations(self.rt, day, self.rng)
        if done:
            self.say(day, "Các đơn vị trả lời kiến nghị: " +
                     ", ".join(f"{n} {label('rec_status', k).lower()}" for k, n in sorted(done.items())))

    def _register(self, day: dt.date, kind: str, number: int | None, by_office: bool) -> bool:
        """The văn thư registers a report's draft signed with the TEST certificate (False: none)."""
        if self.clerk is None or number is None:
            return False
        self._sign(day, kind, str(number), day, dt.time(16, 20), by_office=by_office)
        return True

    def _merger(self, day: dt.date) -> None:
        before = len(self.rt.plan.units_on(day - dt.timedelta(days=10)))
        after = len(self.rt.plan.units_on(day))
        reorg = self.rt.plan.reorganisation  # this event is scheduled only when the plan has one
        self.say(day, f"Sắp xếp đơn vị hành chính: {before} → {after} đơn vị "
                      f"({reorg.resolution if reorg else ''})")

    def _adhoc_notice(self, day: dt.date) -> None:
        on = visits.earliest_visit(self.rt, day)
        merged = next(u for u in self.rt.plan.units_on(on) if u.valid_from >= self.rt.plan.period.start)
        v = visits.add_adhoc(self.rt, merged.code, on, demo.DEMO_ACTOR,
                             reason="Giám sát đột xuất sau sắp xếp đơn vị (minh họa)",
                             now=clock.at_office_hours(day, 8))
        self._adhoc_id = v.id
        self.say(day, f"Thông báo giám sát đột xuất {v.unit_name} ngày {short_date(on)}")

    def _adhoc_visit(self, day: dt.date) -> None:
        self.say(day, "Giám sát đột xuất")
        demo.record_visit(self.rt, self._adhoc_id, day, self.work)

    def _final(self, day: dt.date) -> None:
        path = self.flow("final_report", day)
        self._register(day, "office_report", self.rt.plan.final_report.office_number, by_office=True)
        if self.clerk is not None:
            self._sign(day, "final_report", str(self.rt.plan.final_report.number), day, dt.time(16, 20),
                       by_office=False)
            path = self.flow("final_report", day)  # sends the registered report
        b = self.rt.plan.bodies
        self.say(day, f"{b.office.short} báo cáo {b.committee.short}; báo cáo kết quả giám sát gửi "
                      f"{b.upper_body.short}: {path}")
