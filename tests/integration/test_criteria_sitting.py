"""The office's sitting written in bulk records exactly what recording each appraisal in turn records."""

import uuid

import pytest
import sqlalchemy as sa

from giamsat.collect.service import submit
from giamsat.criteria import appraisal
from giamsat.criteria.appraisal_facts import Sitting
from giamsat.cycle.sync import open_cycle
from giamsat.db import audit
from giamsat.domain.errors import Conflict
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.collect import at

TABLES = ("appraisals", "recommendations", "recommendation_events", "obligations", "messages", "audit_log")
Q = ["Số hộ thoát nghèo tăng cao so với năm trước: đề nghị nêu căn cứ, kèm biên bản bình xét",
     "Tổng số hộ dân cư khác số liệu <thống kê> của xã & thôn: đề nghị giải trình",
     "Danh sách hộ cận nghèo chưa có biên bản họp thôn: đề nghị bổ sung"]
# Three sittings over a fortnight: first appraisals of every kind; agreements closing questions,
# changed questions withdrawing the earlier ones, an unchanged line, a first appraisal; a commune
# questioned again as on the first day (its closed recommendation found again by its key).
SITTINGS = [
    ("2024-04-10", [(0, "agreed", [], None), (1, "questioned", Q[:2], None),
                    (2, "returned", [Q[2]], "Số liệu chưa khớp\nvới biểu tổng hợp"),
                    (3, "agreed", [], "Đề nghị lưu hồ sơ <đầy đủ>"), (4, "questioned", Q[1:], None),
                    (5, "questioned", Q[:2], None), (6, "returned", Q, None), (7, "agreed", [], None)]),
    ("2024-04-17", [(1, "agreed", [], "Xã đã giải trình, làm rõ"), (4, "questioned", [Q[0]], None),
                    (0, "agreed", [], None), (6, "agreed", [], "Đã rà soát lại"),
                    (8, "questioned", Q[:1], None),
                    (2, "questioned", [Q[2]], "Số liệu chưa khớp\nvới biểu tổng hợp"),
                    (3, "returned", Q[:1], None)]),
    ("2024-04-24", [(1, "questioned", Q[:2], None), (9, "agreed", [], None), (5, "agreed", [], "Đã làm rõ"),
                    (4, "agreed", [], "Đã làm rõ")]),
]


def _twin_url(runtime, tmp_path, postgres_admin_url_or_none):
    if runtime.db.engine.url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'twin.db'}", None
    name = f"giamsat_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_admin_url_or_none, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return postgres_admin_url_or_none.rsplit("/", 1)[0] + f"/{name}", (admin, name)


@pytest.fixture
def twin(runtime, tmp_path, request):
    """A second cycle like ``runtime``'s, on its own database of the same kind."""
    pg = runtime.db.engine.url.get_backend_name() == "postgresql"
    url, drop = _twin_url(runtime, tmp_path, request.getfixturevalue("postgres_admin_url") if pg else None)
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "twin-home", database_url=url)
    yield rt
    rt.db.dispose()
    if drop:
        admin, name = drop
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _one_by_one(rt, entries, actor, now):
    """The sitting recorded as before the bulk path: each appraisal in turn, one transaction."""
    with rt.db.unit_of_work() as s:
        return appraisal.record_each(rt, s, Sitting(rt, s), entries, actor, now)


def _rows(rt):
    with rt.db.engine.connect() as conn:
        return {t: [tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY id"))]
                for t in TABLES}


def test_a_sitting_in_bulk_writes_the_rows_messages_and_audit_of_recording_each_in_turn(runtime, twin, forms):
    units = runtime.plan.units[:10]
    paths = [forms(unit, seed=60 + i)[0] for i, unit in enumerate(units)]
    for rt in (runtime, twin):  # the same files: the same acknowledgements
        for i, path in enumerate(paths):
            assert submit(rt, path, at(f"2024-04-0{2 + i % 3}", 8 + i % 4)).status == "accepted"
    done = []
    for day, lines in SITTINGS:
        entries = [(units[i].code, result, questions, note) for i, result, questions, note in lines]
        bulk = appraisal.record_appraisals(runtime, entries, "le.hoa", at(day, 10))
        each = _one_by_one(twin, entries, "le.hoa", at(day, 10))
        assert bulk == each
        done.append(bulk)
        got, want = _rows(runtime), _rows(twin)
        assert [(t, len(got[t])) for t in TABLES] == [(t, len(want[t])) for t in TABLES], day
        for t in TABLES:  # row by row: a difference names its table
            assert got[t] == want[t], (day, t)
    assert [d.changed for d in bulk] == [True, True, True, True]
    with runtime.db.unit_of_work() as s:
        assert audit.verify(s).ok
    with runtime.db.engine.connect() as conn:
        notices = conn.scalar(sa.text("SELECT count(*) FROM messages WHERE kind = 'appraisal_notice'"))
        raised = conn.scalar(sa.text("SELECT count(*) FROM recommendations WHERE source_kind = 'appraisal'"))
    # 8 + 6 changed + 3 (the commune questioned again as on the first day has had that notice)
    assert (notices, raised) == (17, 9)
    first_questions = done[0][1]
    assert (done[2][0].recommendation_id, done[2][0].due_on) == (first_questions.recommendation_id,
                                                                 first_questions.due_on)


def test_a_refused_line_refuses_the_bulk_sitting_with_the_same_words_and_writes_nothing(runtime, twin, forms):
    units = runtime.plan.units[:3]
    paths = [forms(unit, seed=80 + i)[0] for i, unit in enumerate(units[:2])]
    for rt in (runtime, twin):
        for path in paths:
            assert submit(rt, path, at("2024-04-03")).status == "accepted"
    before = _rows(runtime)
    for bad in [(units[1].code, "ok", [], None), (units[2].code, "agreed", [], None),
                ("99999", "agreed", [], None), (units[1].code, "questioned", [], None)]:
        entries = [(units[0].code, "questioned", Q[:1], None), bad]
        with pytest.raises(Exception) as bulk:
            appraisal.record_appraisals(runtime, entries, "le.hoa", at("2024-04-10"))
        with pytest.raises(Exception) as each:
            _one_by_one(twin, entries, "le.hoa", at("2024-04-10"))
        assert (type(bulk.value), str(bulk.value)) == (type(each.value), str(each.value))
        assert _rows(runtime) == before
    with pytest.raises(Conflict, match="chưa có báo cáo được tiếp nhận"):
        appraisal.record_appraisals(runtime, [(units[2].code, "agreed", [], None)], "le.hoa",
                                    at("2024-04-10"))


def test_a_sitting_naming_a_commune_twice_records_the_second_over_the_first(runtime, forms):
    unit = runtime.plan.units[0]
    path, _ = forms(unit, seed=90)
    assert submit(runtime, path, at("2024-04-03")).status == "accepted"
    done = appraisal.record_appraisals(runtime, [(unit.code, "questioned", Q[:1], None),
                                                 (unit.code, "agreed", [], None)], "le.hoa", at("2024-04-10"))
    assert [(d.result, d.changed) for d in done] == [("questioned", True), ("agreed", True)]
    lines = {a.unit_code: (a.result, a.recommendation_status) for a in appraisal.list_appraisals(runtime)}
    assert lines[unit.code] == ("agreed", "resolved")
