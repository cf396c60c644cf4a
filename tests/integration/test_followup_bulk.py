"""The sweep and the many-answers round written as plain rows leave the database exactly as the ORM
path they replace did: every row of the register, its obligations, its history and the audit chain
(ids and hashes included)."""

import datetime as dt

import pytest
from sqlalchemy import delete, select, text, update

from giamsat.cycle.sync import open_cycle
from giamsat.db.audit import record
from giamsat.db.models import Obligation, Recommendation
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import REC_ACTIVE
from giamsat.followup import service as followup
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT

D = dt.date
ADDED = clock.at_office_hours(D(2024, 5, 6))
UNITS = ["13747", "13750", None, "13747", "13753", None, "13750", "13756", "13747", "13759", None, "13762"]


def _old_sweep(rt: Runtime, as_of: dt.date) -> followup.SweepResult:
    """The ORM sweep as it was before ``followup.bulk`` (the reference)."""
    now = clock.at_office_hours(as_of, 17)
    created = overdue = 0
    with rt.db.unit_of_work() as s:
        tracked = set(s.scalars(select(Obligation.key).where(
            Obligation.cycle_id == rt.cycle_id, Obligation.kind == "recommendation")))
        work = [rid for rid, key, status, due_on in s.execute(
                select(Recommendation.id, Recommendation.key, Recommendation.status, Recommendation.due_on)
                .where(Recommendation.cycle_id == rt.cycle_id))
                if f"rec:{key}" not in tracked or (status in REC_ACTIVE and due_on < as_of)]
        recs = [rec for i in range(0, len(work), 500) for rec in s.scalars(
            select(Recommendation).where(Recommendation.id.in_(sorted(work)[i:i + 500]))
            .order_by(Recommendation.id))]
        for rec in recs:
            if f"rec:{rec.key}" not in tracked:
                s.add(followup._new_obligation(rec, now))
                created += 1
            if rec.status in REC_ACTIVE and rec.due_on < as_of:
                rec.status, rec.updated_at = "overdue", now
                note = f"Quá hạn thực hiện (hạn {short_date(rec.due_on)})"
                followup._event(s, rt, rec, "overdue", note, "system", now, None, action="rec.overdue")
                overdue += 1
        if created or overdue:
            record(s, at=now, actor="system", action="followup.sweep", entity="cycle",
                   entity_id=rt.cycle_id, cycle_id=rt.cycle_id, as_of=as_of.isoformat(),
                   obligations_created=created, marked_overdue=overdue)
    return followup.SweepResult(created, overdue)


def _old_update_many(rt: Runtime, changes: list, actor: str, now: dt.datetime) -> None:
    """The ORM round of answers as it was before ``followup.bulk`` (the reference)."""
    with rt.db.unit_of_work() as s:
        recs = {r.id: r for r in s.scalars(select(Recommendation).where(
            Recommendation.cycle_id == rt.cycle_id, Recommendation.id.in_([c[0] for c in changes])))}
        obs = {o.key: o for o in s.scalars(select(Obligation).where(
            Obligation.cycle_id == rt.cycle_id, Obligation.kind == "recommendation"))}
        for rec_id, status, note in changes:
            if rec_id not in recs:
                raise NotFound(f"Không có kiến nghị số {rec_id}.")
            rec = recs[rec_id]
            ob = obs.get(f"rec:{rec.key}") or followup._new_obligation(rec, now)
            s.add(ob)
            followup._apply(s, rt, rec, status, (note or "").strip() or None, None, actor, now, None, ob)


def _register(tmp_path, name: str) -> Runtime:
    """A register with every case: due at different dates, open, in progress, overdue, resolved,
    some without their obligation (as a report's recommendations are until the sweep)."""
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / name, database_url=f"sqlite:///{tmp_path / name}.db")
    ids = [followup.add(rt, f"Kiến nghị {i}", "UBND xã", f"xa{i}@vuban.example" if i % 2 else None, unit,
                        D(2024, 5, 10) + dt.timedelta(days=3 * (i % 5)), "cv", ADDED).id
           for i, unit in enumerate(UNITS)]
    followup.update(rt, ids[1], "in_progress", "Đang làm", None, "cv", ADDED)
    followup.update(rt, ids[2], "resolved", "Xong", None, "cv", ADDED)
    followup.update(rt, ids[3], "not_accepted", "Không", None, "cv", ADDED)
    with rt.db.unit_of_work() as s:  # untracked: a live one, a closed one, a late one
        for i in (4, 2, 5, 9):
            s.execute(delete(Obligation).where(Obligation.recommendation_id == ids[i]))
        s.execute(update(Recommendation).where(Recommendation.id == ids[6]).values(evidence_text="Cũ"))
    return rt


def _dump(rt: Runtime) -> dict:
    with rt.db.engine.connect() as c:
        return {t: c.execute(text(f"SELECT * FROM {t} ORDER BY id")).all()
                for t in ("recommendations", "obligations", "recommendation_events", "audit_log")}


def _ids(rt: Runtime) -> list[int]:
    with rt.db.unit_of_work() as s:
        return list(s.scalars(select(Recommendation.id).order_by(Recommendation.id)))


@pytest.mark.parametrize("days", [[D(2024, 5, 9)], [D(2024, 5, 17)],
                                  [D(2024, 5, 14), D(2024, 5, 21), D(2024, 5, 21)]])
def test_the_sweep_writes_what_the_orm_sweep_wrote(tmp_path, days):
    old, new = _register(tmp_path, "old"), _register(tmp_path, "new")
    assert _dump(old) == _dump(new)
    for day in days:
        assert followup.followup_sweep(new, day) == _old_sweep(old, day)
        assert _dump(new) == _dump(old)


def test_the_sweep_marks_and_tracks_as_it_says(tmp_path):
    rt = _register(tmp_path, "one")
    result = followup.followup_sweep(rt, D(2024, 5, 17))
    assert result == followup.SweepResult(4, 7)  # 2, 4, 5, 9 untracked; 0, 1, 5, 6, 7, 10, 11 late and active
    assert followup.followup_sweep(rt, D(2024, 5, 17)) == followup.SweepResult(0, 0)


@pytest.mark.parametrize("swept", [False, True])  # untracked ones get their obligation; overdue ones
def test_many_answers_write_what_the_orm_round_wrote(tmp_path, swept):
    old, new = _register(tmp_path, "old"), _register(tmp_path, "new")
    if swept:
        followup.followup_sweep(new, D(2024, 5, 14))
        _old_sweep(old, D(2024, 5, 14))
    ids = _ids(new)
    changes = [(ids[0], "resolved", " Đã thực hiện xong "),
               (ids[1], "not_accepted", "Không thuộc thẩm quyền"),
               (ids[4], "in_progress", "Đang triển khai"), (ids[5], "resolved", "Xong"),
               (ids[6], "resolved", "Xong, có minh chứng"), (ids[7], "in_progress", "Đang làm"),
               (ids[7], "resolved", "Xong sau"), (ids[9], "resolved", "Xong"), (ids[11], "not_accepted", "x")]
    at = clock.at_office_hours(D(2024, 5, 16), 15)
    assert followup.update_many(new, changes, "demo", at) == len(changes)
    _old_update_many(old, changes, "demo", at)
    assert _dump(new) == _dump(old)


@pytest.mark.parametrize("change", [("resolved", ""), ("overdue", "x"), ("open", "x")])
def test_a_refused_answer_refuses_the_round_as_before(tmp_path, change):
    rt = _register(tmp_path, "refused")
    ids = _ids(rt)
    before = _dump(rt)
    with pytest.raises(Conflict):
        followup.update_many(rt, [(ids[0], "resolved", "Xong"), (ids[1], *change)], "demo", ADDED)
    with pytest.raises(NotFound):
        followup.update_many(rt, [(ids[0], "resolved", "Xong"), (10 ** 6, "resolved", "Xong")], "demo", ADDED)
    assert _dump(rt) == before
