"""The office's preliminary appraisal in the demo: most communes agreed, some questioned or returned,
then most questions answered and agreed; every question says it is illustrative."""

from __future__ import annotations

import datetime as dt
import random

from giamsat.criteria import appraisal
from giamsat.demo.communes import DEMO_ACTOR
from giamsat.domain import clock
from giamsat.domain.vocabulary import REC_CLOSED
from giamsat.runtime import Runtime

LABEL = " (dữ liệu minh họa)"
QUESTIONS = (
    "Số hộ thoát nghèo tăng cao so với năm trước: đề nghị nêu căn cứ, kèm biên bản bình xét",
    "Số hộ phát sinh mới bằng 0 trong khi có hộ tái nghèo: đề nghị rà soát lại",
    "Tổng số hộ dân cư khác số liệu thống kê của xã: đề nghị giải trình",
    "Danh sách hộ cận nghèo chưa có biên bản họp thôn: đề nghị bổ sung",
)


def appraise_round(rt: Runtime, day: dt.date, rng: random.Random) -> dict[str, int]:
    """Appraise every commune not yet appraised; agree with questioned ones answered since."""
    now = clock.at_office_hours(day, 10)  # after the day's draw (10:00), with its first reports
    done: dict[str, int] = {}
    lines = appraisal.list_appraisals(rt)
    answered = [a for a in lines if a.result in ("questioned", "returned")
                and a.recommendation_status not in (*REC_CLOSED, None)]
    entries: list[tuple[str, str, list[str], str | None]] = []
    for a in answered[1:]:  # one is left to be answered through the follow-up
        entries.append((a.unit_code, "agreed", [], "Xã đã giải trình, làm rõ" + LABEL))
        done["agreed"] = done.get("agreed", 0) + 1
    for i, a in enumerate(x for x in lines if x.result == "pending"):
        turn = (i + rng.randrange(6)) % 6
        result = "questioned" if turn in (1, 4) else "returned" if turn == 3 and i % 2 else "agreed"
        questions = [q + LABEL for q in rng.sample(QUESTIONS, 2)] if result != "agreed" else []
        entries.append((a.unit_code, result, questions, None))
        done[result] = done.get(result, 0) + 1
    appraisal.record_appraisals(rt, entries, DEMO_ACTOR, now)  # the office's sitting: one transaction
    return done
