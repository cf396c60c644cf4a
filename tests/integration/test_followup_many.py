"""Answering many recommendations in one transaction records what answering them one by one does."""

import datetime as dt

import pytest
from sqlalchemy import select

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import AuditEntry, Obligation, Recommendation, RecommendationEvent
from giamsat.domain import clock
from giamsat.domain.errors import Conflict
from giamsat.followup import service as followup
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT

NOW = clock.at_office_hours(dt.date(2024, 5, 20))
LATER = clock.at_office_hours(dt.date(2024, 6, 3), 15)
CHANGES = [("resolved", "Đã thực hiện xong"), ("in_progress", "Đang triển khai"),
           ("not_accepted", "Không thuộc thẩm quyền"), ("resolved", "Xong")]


def _cycle(tmp_path, name: str) -> tuple[Runtime, list[int]]:
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / name, database_url=f"sqlite:///{tmp_path / name}.db")
    ids = [followup.add(rt, f"Kiến nghị {i}", "UBND xã", None, "13747", None, "cv", NOW).id
           for i in range(len(CHANGES))]
    return rt, ids


def _state(rt: Runtime) -> list:
    with rt.db.unit_of_work() as s:
        return [sorted((r.id, r.status, str(r.updated_at), r.evidence_text)
                       for r in s.scalars(select(Recommendation))),
                sorted((o.key, o.status, str(o.met_at)) for o in s.scalars(select(Obligation))),
                sorted((e.recommendation_id, e.status, e.note, e.actor)
                       for e in s.scalars(select(RecommendationEvent))),
                sorted((a.action, a.entity_id) for a in s.scalars(select(AuditEntry)))]


def test_update_many_equals_one_update_per_recommendation(tmp_path):
    one, ids = _cycle(tmp_path, "one")
    many, same = _cycle(tmp_path, "many")
    assert ids == same
    for rec_id, (status, note) in zip(ids, CHANGES, strict=True):
        followup.update(one, rec_id, status, note, None, "demo", LATER)
    followup.update_many(many, [(i, st, n) for i, (st, n) in zip(ids, CHANGES, strict=True)],
                         "demo", LATER)
    assert _state(many) == _state(one)


def test_one_refused_change_refuses_the_whole_batch(tmp_path):
    rt, ids = _cycle(tmp_path, "refused")
    before = _state(rt)
    with pytest.raises(Conflict):
        followup.update_many(rt, [(ids[0], "resolved", "Xong"), (ids[1], "resolved", "")], "demo",
                             LATER)
    assert _state(rt) == before
