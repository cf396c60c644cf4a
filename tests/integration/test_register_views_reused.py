"""Views of the recommendation register read on every flow run are computed again only when it changed."""

import datetime as dt

import pytest
from sqlalchemy import event, update

from giamsat.cycle.facts import cutoff_after
from giamsat.cycle.notices import Notices, notices_as_of
from giamsat.cycle.notices import counted_in_sql as notices_in_sql
from giamsat.cycle.rec_status import counted_in_sql, recommendations_as_of
from giamsat.db.models import Message
from giamsat.domain import clock
from giamsat.followup import service as followup
from giamsat.messaging.outbox import insert_pending, pending_row
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


def _notices(rt, day):
    """The notices' counts kept between calls, checked against counting them in one statement."""
    cutoff = cutoff_after(day, "Asia/Ho_Chi_Minh")
    with rt.db.unit_of_work() as s:
        kept = notices_as_of(s, rt.cycle_id, cutoff)
    with rt.db.unit_of_work() as s:
        assert kept == notices_in_sql(s, rt.cycle_id, cutoff)
    return kept


def _queue(rt, codes, day):
    rows = [pending_row(cycle_id=rt.cycle_id, key=f"test:notify_plan:{code}", kind="notify_plan",
                        to=[f"{code}@example.vn"], cc=[], subject="Thông báo", text="Nội dung " * 500,
                        html=None, now=clock.at_office_hours(day)) for code in codes]
    with rt.db.unit_of_work() as s:
        insert_pending(s, rows)


def _mark(rt, codes, status, at, error=None):
    with rt.db.unit_of_work() as s:
        s.execute(update(Message).where(Message.idempotency_key.in_([f"test:notify_plan:{c}" for c in codes]))
                  .values(status=status, sent_at=at if status == "sent" else None, last_error=error))


def test_the_cycle_status_reads_again_only_the_plan_notices_queued_or_unsent_since(runtime, statements):
    rt = runtime
    _queue(rt, ["13741", "13744", "13756"], D(2024, 4, 1))
    assert _notices(rt, D(2024, 4, 1)) == Notices(3, 3, None)
    _mark(rt, ["13741", "13744"], "sent", clock.at_office_hours(D(2024, 4, 1), 10))
    _mark(rt, ["13756"], "pending", None, "Không kết nối được máy chủ thư")
    assert _notices(rt, D(2024, 4, 1)) == Notices(3, 1, "Không kết nối được máy chủ thư")
    assert _notices(rt, D(2024, 3, 29)) == Notices(0, 0, None)
    _mark(rt, ["13756"], "sent", clock.at_office_hours(D(2024, 4, 2), 8))
    _queue(rt, ["13747"], D(2024, 4, 2))
    assert [_notices(rt, D(2024, 4, d)) for d in (1, 2)] == [Notices(3, 1, None), Notices(4, 1, None)]
    _mark(rt, ["13747"], "failed", None, "550 hộp thư không tồn tại")
    assert _notices(rt, D(2024, 4, 2)) == Notices(4, 1, "550 hộp thư không tồn tại")
    _mark(rt, ["13747"], "sent", clock.at_office_hours(D(2024, 4, 3)))
    assert _notices(rt, D(2024, 4, 3)) == Notices(4, 0, None)
    statements.clear()
    with rt.db.unit_of_work() as s:
        notices_as_of(s, rt.cycle_id, cutoff_after(D(2024, 4, 4), "Asia/Ho_Chi_Minh"))
    # all sent: only notices queued since (by id) would be read, none of the 4 kept
    reads = [sql for sql in statements if "messages.created_at" in sql]
    assert reads and all("messages.id >" in sql for sql in reads), statements
