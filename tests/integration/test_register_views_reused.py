"""Views of the recommendation register read on every flow run are computed again only when it changed."""

import datetime as dt

import pytest
from sqlalchemy import event

from giamsat.cycle.facts import cutoff_after
from giamsat.cycle.rec_status import counted_in_sql, recommendations_as_of
from giamsat.domain import clock
from giamsat.followup import service as followup
from giamsat.remind import office_routes
from giamsat.remind.digest import gather

D = dt.date


def _add(rt, content, to, day):
    return followup.add(rt, content, to, None, "13756", D(2024, 6, 14), "le.hoa",
                        clock.at_office_hours(day)).id


@pytest.fixture
def statements(runtime):
    """The SQL statements run on the runtime's database, as a list that grows."""
    seen: list[str] = []

    def note(_conn, _cursor, sql, *_args):
        seen.append(sql)
    event.listen(runtime.db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(runtime.db.engine, "before_cursor_execute", note)


def _recs(rt, day):
    """The counts kept between calls, checked against counting them in one statement."""
    cutoff = cutoff_after(day, "Asia/Ho_Chi_Minh")
    with rt.db.unit_of_work() as s:
        kept = recommendations_as_of(s, rt.cycle_id, cutoff, day)
    with rt.db.unit_of_work() as s:
        assert kept == counted_in_sql(s, rt.cycle_id, cutoff, day)
    return kept


def test_the_cycle_status_counts_recommendations_again_only_when_the_register_changed(
        runtime, statements):
    rt = runtime
    first = _add(rt, "Bố trí kinh phí hỗ trợ sinh kế", "UBND xã Đại An", D(2024, 5, 20))
    second = _add(rt, "Rà soát lại danh sách hộ cận nghèo", "UBND huyện Vụ Bản", D(2024, 5, 21))
    counted = _recs(rt, D(2024, 5, 21))
    assert (counted.total, counted.open) == (2, 2)
    with rt.db.unit_of_work() as s:
        statements.clear()
        assert recommendations_as_of(s, rt.cycle_id, cutoff_after(D(2024, 5, 21), "Asia/Ho_Chi_Minh"),
                                     D(2024, 5, 21)) == counted
    assert not any("row_number" in sql for sql in statements)  # the register did not change
    assert (_recs(rt, D(2024, 5, 20)).total, _recs(rt, D(2024, 6, 17)).late) == (1, 2)  # other days
    followup.update(rt, first, "resolved", "Đã bố trí kinh phí", None, "le.hoa",
                    clock.at_office_hours(D(2024, 5, 21), 15))
    assert (_recs(rt, D(2024, 6, 17)).open, _recs(rt, D(2024, 5, 21)).open) == (1, 1)
    assert (_recs(rt, D(2024, 5, 22)).open, _recs(rt, D(2024, 5, 20)).open) == (1, 1)
    assert _recs(rt, D(2024, 5, 22)).open == 1  # the register unchanged, the resolution now counts
    followup.update(rt, second, "resolved", "Đã rà soát", None, "le.hoa",
                    clock.at_office_hours(D(2024, 5, 23)))
    assert [_recs(rt, D(2024, 5, d)).open for d in (22, 23, 24)] == [1, 0, 0]


def test_the_office_digest_routes_each_recommendation_once_and_again_when_it_changes(
        runtime, monkeypatch):
    rt = runtime
    routed: list[int] = []
    real = office_routes.to_commune
    monkeypatch.setattr(office_routes, "to_commune", lambda rt_, rec: routed.append(rec.id) or real(rt_, rec))
    commune = _add(rt, "Bố trí kinh phí hỗ trợ sinh kế", "UBND xã Đại An", D(2024, 5, 20))
    district = _add(rt, "Rà soát lại danh sách hộ cận nghèo", "UBND huyện Vụ Bản", D(2024, 5, 21))
    shown = gather(rt, D(2024, 5, 22)).recommendations
    assert [line.split(" gửi ")[0] for line in shown] == [f"Kiến nghị số {district}"]
    assert sorted(routed) == sorted([commune, district])
    routed.clear()
    assert gather(rt, D(2024, 5, 23)).recommendations == shown and routed == []
    assert gather(rt, D(2024, 5, 20)).recommendations == []  # not made yet on that day
    followup.readdress(rt, commune, "UBND huyện Vụ Bản", None, "le.hoa",
                       clock.at_office_hours(D(2024, 5, 23)))
    later = gather(rt, D(2024, 5, 23)).recommendations
    assert routed == [commune]  # only the recommendation that changed is routed again
    assert [line.split(" gửi ")[0] for line in later] == [f"Kiến nghị số {commune}",
                                                          f"Kiến nghị số {district}"]
    assert later == _made_afresh(rt, D(2024, 5, 23))
    followup.update(rt, district, "resolved", "Đã rà soát", None, "le.hoa",
                    clock.at_office_hours(D(2024, 5, 24)))
    kept = gather(rt, D(2024, 5, 24)).recommendations
    assert [line.split(" gửi ")[0] for line in kept] == [f"Kiến nghị số {commune}"]
    assert kept == _made_afresh(rt, D(2024, 5, 24))
    assert kept[0].endswith("hạn 14/6/2024 (chưa thực hiện): Bố trí kinh phí hỗ trợ sinh kế"), kept


def _made_afresh(rt, day):
    """The digest's recommendations with nothing kept from earlier days."""
    saved = dict(office_routes._KEPT)
    office_routes._KEPT.clear()
    try:
        return gather(rt, day).recommendations
    finally:
        office_routes._KEPT.clear()
        office_routes._KEPT.update(saved)
