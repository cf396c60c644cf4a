"""The demo's bodies answer from two columns of the register what they answered from its rows:
the same recommendations in the same order, the same draws of the demo's random sequence."""

import datetime as dt
import random

from giamsat.demo import communes
from giamsat.domain import clock
from giamsat.domain.vocabulary import REC_ACTIVE
from giamsat.followup import service as followup

D = dt.date
ADDED = clock.at_office_hours(D(2024, 5, 6))


def _old_changes(rt, rng):
    """``answer_recommendations``' choices as they were made from ``list_recommendations``."""
    changes = []
    for i, rec in enumerate(followup.list_recommendations(rt, [*REC_ACTIVE, "overdue"])[1:]):
        turn = (i + rng.randrange(7)) % 7
        if rec.status == "open" and turn == 3:
            status, note = "not_accepted", "Không thuộc thẩm quyền giải quyết (dữ liệu minh họa)."
        elif rec.status == "open" and turn in (1, 5):
            status, note = "in_progress", "Đang triển khai thực hiện (dữ liệu minh họa)."
        else:
            status, note = "resolved", "Đã thực hiện xong kiến nghị (dữ liệu minh họa)."
        changes.append((rec.id, status, note))
    return changes


def test_the_bodies_answer_as_before(sqlite_runtime, monkeypatch):
    rt = sqlite_runtime
    ids = [followup.add(rt, f"Kiến nghị {i}", "UBND xã", None, "13747", D(2024, 5, 10 + i % 9), "cv",
                        ADDED).id for i in range(40)]
    for i in ids[::5]:
        followup.update(rt, i, "in_progress", "Đang làm", None, "cv", ADDED)
    for i in ids[1::7]:
        followup.update(rt, i, "resolved", "Xong", None, "cv", ADDED)
    followup.followup_sweep(rt, D(2024, 5, 15))  # some overdue
    expected = _old_changes(rt, random.Random(5))
    after = random.Random(5)
    _old_changes(rt, after)
    seen = []
    monkeypatch.setattr(followup, "update_many", lambda _rt, changes, *_: seen.extend(changes))
    rng = random.Random(5)
    done = communes.answer_recommendations(rt, D(2024, 5, 16), rng)
    assert seen == expected and len(expected) > 20
    assert rng.random() == after.random()  # the sequence goes on where it did
    assert sum(done.values()) == len(expected)
