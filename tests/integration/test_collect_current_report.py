"""One current report per commune, held by the database even when two reports arrive at once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from giamsat.collect.service import submit
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Recommendation, Submission
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at

UNITS = 4


@pytest.fixture
def two_runtimes(db_url, tmp_path):
    """Two processes' worth of runtime (own engines) on one database and one home."""
    rts = [open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=db_url)
           for _ in range(2)]
    yield rts
    for rt in rts:
        rt.db.dispose()


def test_two_reports_of_one_commune_at_the_same_instant_leave_one_current_linked_to_the_other(
        two_runtimes, forms, plan):
    units = plan.units_on(plan.report.deadline)[:UNITS]
    pairs = [(forms(u, seed=40 + i, name=f"{u.code}-a.docx")[0],
              forms(u, seed=80 + i, name=f"{u.code}-b.docx")[0]) for i, u in enumerate(units)]
    when = at("2024-04-02", 10)
    errors: list[BaseException] = []

    def run(which: int) -> None:
        for pair in pairs:
            barrier.wait()
            try:
                submit(two_runtimes[which], pair[which], when)
            except BaseException as exc:  # reported below: the test must see every failure
                errors.append(exc)
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    with two_runtimes[0].db.unit_of_work() as s:
        subs = list(s.scalars(select(Submission).order_by(Submission.id)))
        for unit_id in {x.unit_id for x in subs}:
            mine = [x for x in subs if x.unit_id == unit_id]
            assert sorted(x.status for x in mine) == ["accepted", "superseded"]
            first, second = mine
            assert (second.status, second.supersedes_id) == ("accepted", first.id)
            open_recs = s.scalars(select(Recommendation.submission_id).where(
                Recommendation.unit_id == unit_id, Recommendation.status == "open")).all()
            assert set(open_recs) <= {second.id}
    assert len(subs) == 2 * UNITS


def test_the_database_itself_refuses_a_second_current_report(runtime, forms, plan):
    unit = plan.units_on(plan.report.deadline)[0]
    path, _ = forms(unit, seed=5)
    outcome = submit(runtime, path, at("2024-04-02", 10))
    assert outcome.status == "accepted"
    with pytest.raises(IntegrityError):
        with runtime.db.unit_of_work() as s:
            first = s.get(Submission, outcome.submission_id)
            s.add(Submission(cycle_id=first.cycle_id, unit_id=first.unit_id, received_at=first.received_at,
                             source="cli", original_filename="x.docx", stored_path="", sha256="0" * 64,
                             size_bytes=1, form_version=first.form_version, status="accepted",
                             errors=[], figures={}))
