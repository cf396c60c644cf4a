"""How each commune is named in its reminders is worked out once a process for a plan, not once
a sweep: a later sweep with the same plan object reuses it, and writes what a fresh one writes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message
from giamsat.notify.service import notify
from giamsat.plan.wording import unit_words_by_name
from giamsat.remind import routing, service
from giamsat.remind.service import sweep
from tests.conftest import CONFIG, OPENED_AT

D = dt.date
COLUMNS = ("idempotency_key", "kind", "to_addrs", "cc_addrs", "subject", "body_text", "body_html",
           "unit_id", "obligation_id", "created_at")


def _reminders(rt) -> list[tuple]:
    with rt.db.unit_of_work() as s:
        rows = s.execute(select(*(getattr(Message, c) for c in COLUMNS))
                         .where(Message.kind.like("reminder%")).order_by(Message.idempotency_key)).all()
    return [tuple(r) for r in rows]


def _drop_reminders(rt) -> None:
    with rt.db.unit_of_work() as s:
        s.execute(delete(Message).where(Message.kind.like("reminder%")))


def test_a_later_sweep_reuses_the_words_and_writes_the_same_reminders(tmp_path, monkeypatch):
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}")
    worded: list[str] = []
    for module in (service, routing):
        monkeypatch.setattr(module, "unit_words_by_name",
                            lambda plan, name: worded.append(name) or unit_words_by_name(plan, name))
    try:
        notify(rt, D(2024, 4, 1))
        assert sweep(rt, D(2024, 4, 2)).queued == 18 and len(worded) == 18
        first = _reminders(rt)
        _drop_reminders(rt)
        again = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home",
                           database_url=f"sqlite:///{tmp_path / 'g.db'}")  # the next flow run
        assert again.plan is rt.plan  # the unchanged plan file gives the same frozen plan
        assert sweep(again, D(2024, 4, 2)).queued == 18 and len(worded) == 18  # none worded again
        assert _reminders(again) == first
        _drop_reminders(rt)
        monkeypatch.setattr(service, "_KEPT_WORDS", [])  # a fresh process: worded afresh, same texts
        assert sweep(again, D(2024, 4, 2)).queued == 18 and len(worded) == 36
        assert _reminders(again) == first
        again.db.dispose()
    finally:
        rt.db.dispose()


def test_another_plan_or_database_starts_afresh(tmp_path):
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "a", database_url=f"sqlite:///{tmp_path / 'a.db'}")
    other = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "b", database_url=f"sqlite:///{tmp_path / 'b.db'}")
    try:
        kept = service._words(rt)
        assert service._words(rt) is kept
        assert service._words(other) is not kept  # another database
        changed = rt.replace(plan=rt.plan.model_copy())
        assert service._words(changed) is not service._words(other)  # another plan object
    finally:
        rt.db.dispose()
        other.db.dispose()
