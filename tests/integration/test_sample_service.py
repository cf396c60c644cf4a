"""A draw is proposed, stored with its record, approved or redrawn, and tampering is detected."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from giamsat.db.models import AuditEntry, SampleDraw, Step
from giamsat.domain import clock
from giamsat.domain.errors import Conflict
from giamsat.draw import service as sample

DRAW_ON = dt.date(2024, 4, 10)
NOW = clock.at_office_hours(DRAW_ON, 9)


def test_a_proposed_draw_stores_what_an_inspector_needs_and_verifies(runtime):
    row = sample.draw(runtime, DRAW_ON, "KH 52/KH-UBND", "tran.lan", now=NOW)
    assert row.status == "proposed" and row.seed_source == "coordinator"
    assert len(row.frame) == 18 and len(row.result["units"]) == 4
    assert all(len(u["villages"]) == 2 for u in row.result["units"])
    assert sample.verify(runtime, row.id) == (True, [])
    again = sample.draw(runtime, DRAW_ON, None, "tran.lan", now=NOW)
    assert again.id == row.id  # re-running the step reuses the proposed draw


def test_a_tampered_record_in_the_database_is_detected_and_cannot_be_approved(runtime):
    row = sample.draw(runtime, DRAW_ON, "hạt giống thử", "tran.lan", now=NOW)
    result = dict(row.result)
    keys = {u["key"] for u in result["units"]}
    outsider = next(u["key"] for u in row.frame if u["key"] not in keys)
    result["units"] = [dict(result["units"][0], key=outsider), *result["units"][1:]]
    with runtime.db.unit_of_work() as s:
        s.execute(update(SampleDraw).where(SampleDraw.id == row.id).values(result=result))
    ok, diffs = sample.verify(runtime, row.id)
    assert not ok and any("SHA-256" in d for d in diffs)
    with pytest.raises(Conflict, match="không kiểm tra lại được"):
        sample.approve(runtime, row.id, "truong.phong", NOW)


def test_approval_is_kept_in_the_database_and_marks_the_draw_step_done(runtime):
    row = sample.draw(runtime, DRAW_ON, "abc", "tran.lan", now=NOW)
    sample.approve(runtime, None, "truong.phong", NOW)
    with runtime.db.unit_of_work() as s:
        stored = s.get(SampleDraw, row.id)
        assert (stored.status, stored.decided_by) == ("approved", "truong.phong")
        assert sample.approved_draw(s, runtime.cycle_id).id == row.id
        assert s.scalar(select(Step.status).where(Step.key == "draw")) == "done"
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "sample_draw")
                            .order_by(AuditEntry.id)).all()
        assert actions[-2:] == ["sample.drawn", "sample.approved"]
    with pytest.raises(Conflict, match="đã được duyệt"):
        sample.reject(runtime, row.id, "muốn chọn lại", "x", NOW)


def test_a_redraw_records_the_reason_and_needs_a_new_seed(runtime):
    first = sample.draw(runtime, DRAW_ON, "abc", "tran.lan", now=NOW)
    with pytest.raises(Conflict, match="lý do"):
        sample.reject(runtime, first.id, "  ", "truong.phong", NOW)
    sample.reject(runtime, first.id, "Xã Đại An vừa được thanh tra tháng 3", "truong.phong", NOW)
    with pytest.raises(Conflict, match="hạt giống mới"):
        sample.draw(runtime, DRAW_ON, "abc", "tran.lan", now=NOW)
    second = sample.draw(runtime, DRAW_ON, None, "tran.lan", now=NOW)
    assert second.id != first.id and second.seed_source == "system_random"
    with runtime.db.unit_of_work() as s:
        assert s.get(SampleDraw, first.id).decision_reason == "Xã Đại An vừa được thanh tra tháng 3"


def test_a_seed_from_public_values_is_recorded_with_the_values(sqlite_runtime):
    values = ["Vietlott Mega 6/45 kỳ 09/4/2024: 05 12 23 31 38 44"]
    row = sample.draw(sqlite_runtime, DRAW_ON, None, "tran.lan", public_values=values, now=NOW)
    assert row.seed_source == "public_values"
    assert row.seed == "Vietlott Mega 6/45 kỳ 09/4/2024: 05 12 23 31 38 44/"
    assert row.parameters["public_values"] == values
    assert sample.verify(sqlite_runtime, row.id)[0]
