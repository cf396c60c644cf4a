"""The minutes of a visit to a village (a commune's plan) speak of that village, in its kind's word;
a commune's minutes (the district seed) keep the plan's words. Filled, they are read back."""

from __future__ import annotations

import datetime as dt

import pytest
from docx import Document
from sqlalchemy import select

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import CriterionFinding, Recommendation, RecommendationEvent
from giamsat.demo import communes
from giamsat.docx.decree30 import iter_paragraphs, save_atomic
from giamsat.domain import clock
from giamsat.visits import minutes
from giamsat.visits import service as visits
from tests.conftest import ROOT

COMMUNE = ROOT / "config" / "xa-vu-ban-2026.yaml"
NOW = clock.at_office_hours(dt.date(2026, 5, 4))


@pytest.fixture
def commune_rt(tmp_path):
    rt = open_cycle(COMMUNE, clock.at_office_hours(dt.date(2026, 4, 1)), home=tmp_path / "home",
                    database_url=f"sqlite:///{tmp_path / 'giamsat.db'}")
    yield rt
    rt.db.dispose()


def _blank(rt, code: str):
    v = visits.add_adhoc(rt, code, dt.date(2026, 5, 14), "tran.lan", "Kiểm tra", now=NOW)
    return v, minutes.write_minutes(rt, v.id, NOW)


def _said(path) -> tuple[str, str]:
    doc = Document(str(path))
    return ("\n".join(p.text for p in iter_paragraphs(doc)),
            "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells))


@pytest.mark.parametrize(("code", "name", "word"), [("13741-02", "tổ dân phố Hai", "tổ dân phố"),
                                                    ("13741-05", "thôn Đông Hòa", "thôn")])
def test_a_village_visits_minutes_speak_of_that_village(commune_rt, code, name, word):
    _, path = _blank(commune_rt, code)
    text, cells = _said(path)
    for said in (text, cells):
        assert "các thôn, tổ dân phố" not in said, said
    assert f"phát triển mô hình giảm nghèo tại {name};" in text
    assert f"phát triển mô hình giảm nghèo tại {name}" in text.split("III. KẾT QUẢ")[1]  # criteria heading
    assert f"Đôn đốc, theo dõi tiến độ rà soát tại {name}" in cells
    assert f"(loa truyền thanh, họp {word}, niêm yết công khai)" in cells
    assert "Thôn, xóm" not in cells and f"\n{word[:1].upper()}{word[1:]}\nNgười được tham vấn" in cells


def test_a_village_visits_filled_minutes_are_read_back_under_the_plans_criteria(commune_rt, tmp_path):
    v, path = _blank(commune_rt, "13741-02")
    doc = Document(str(path))
    row = next(r for t in doc.tables for r in t.rows if r.cells[1].text.startswith("Đôn đốc"))
    row.cells[2].text = "Đạt"
    for t in doc.tables:
        if t.rows[0].cells[1].text == "Kết quả, phát hiện qua giám sát":
            t.rows[1].cells[1].text = "Tổ dân phố rà soát đúng quy trình (dữ liệu minh họa)"
        if t.rows[0].cells[1].text == "Tổ dân phố":
            t.rows[1].cells[2].text, t.rows[1].cells[4].text = "Trần Văn A", "Đồng ý với kết quả"
    save_atomic(doc, tmp_path / "filled.docx")
    got = minutes.record_minutes(commune_rt, tmp_path / "filled.docx", "le.hoa", NOW)
    assert (got.findings, got.criteria, got.consultations) == (1, 1, 1)
    with commune_rt.db.unit_of_work() as s:
        stored = s.scalars(select(CriterionFinding).where(CriterionFinding.visit_id == v.id)).one()
        assert stored.criterion_title == "Đôn đốc, theo dõi tiến độ rà soát tại các thôn, tổ dân phố"


def test_a_communes_minutes_in_the_seed_keep_the_plans_words(sqlite_runtime):
    day = dt.date(2024, 5, 15)
    v = visits.add_adhoc(sqlite_runtime, "13750", day, "tran.lan", "Đơn thư",
                         now=clock.at_office_hours(dt.date(2024, 5, 2)))
    text, cells = _said(minutes.write_minutes(sqlite_runtime, v.id, clock.at_office_hours(day)))
    assert "giảm nghèo bền vững giai đoạn 2021-2025 tại các địa phương;" in text
    assert "Đôn đốc, theo dõi tiến độ rà soát tại các thôn, tổ dân phố" in cells
    assert "(loa truyền thanh, họp thôn, niêm yết công khai)" in cells
    assert "\nThôn, xóm\nNgười được tham vấn" in cells


def _recommend(path, out, to: str):
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Nội dung kiến nghị")
    table.rows[1].cells[1].text = "Bổ sung biên bản bình xét hộ nghèo (dữ liệu minh họa)"
    table.rows[1].cells[2].text = to
    save_atomic(doc, out)
    return out


def test_a_village_recommendation_is_addressed_as_a_table_cell_writes_it_in_either_case(commune_rt, tmp_path):
    v, path = _blank(commune_rt, "13741-02")
    minutes.record_minutes(commune_rt, _recommend(path, tmp_path / "a.docx", ""), "le.hoa", NOW)
    with commune_rt.db.unit_of_work() as s:
        rec = s.scalars(select(Recommendation).where(Recommendation.visit_id == v.id)).one()
        assert (rec.addressed_to, rec.addressed_email) == ("Tổ dân phố Hai", "tdp02@xavuban.example")
    minutes.record_minutes(commune_rt, _recommend(path, tmp_path / "b.docx", "tổ dân phố Hai"), "le.hoa", NOW)
    with commune_rt.db.unit_of_work() as s:
        rec = s.scalars(select(Recommendation).where(Recommendation.visit_id == v.id)).one()
        events = s.scalars(select(RecommendationEvent.note).where(
            RecommendationEvent.recommendation_id == rec.id)).all()
        assert rec.addressed_email == "tdp02@xavuban.example"
        assert events == ["Kiến nghị qua giám sát ngày 14/5/2026"]  # the same addressee: no update


def test_the_demo_team_writes_a_villages_own_tasks_to_it_with_a_capital(commune_rt, tmp_path):
    v, _ = _blank(commune_rt, "13741-02")
    filled = communes.record_visit(commune_rt, v.id, dt.date(2026, 5, 14), tmp_path)
    doc = Document(str(filled))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Nội dung kiến nghị")
    addressees = [r.cells[2].text for r in table.rows[1:] if r.cells[1].text]
    assert "Tổ dân phố Hai" in addressees and all(a[:1].isupper() for a in addressees), addressees
