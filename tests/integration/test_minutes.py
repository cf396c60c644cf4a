"""Minutes round trip: generate a Decree 30 BIÊN BẢN, fill it, record it into the database."""

import datetime as dt

import pytest
from docx import Document
from sqlalchemy import select

from giamsat.db.models import Consultation, Finding, Obligation, Recommendation, Step, Visit
from giamsat.demo.minutes_fill import fill_minutes
from giamsat.docx.decree30 import iter_paragraphs, save_atomic
from giamsat.docx.decree30_check import check
from giamsat.domain import clock
from giamsat.domain.errors import BadDocument
from giamsat.draw import service as sample
from giamsat.visits import minutes
from giamsat.visits import service as visits

NOW = clock.at_office_hours(dt.date(2024, 5, 2))


def first_visit(rt):
    row = sample.draw(rt, dt.date(2024, 4, 10), "biên bản", "tran.lan", now=NOW)
    sample.approve(rt, row.id, "truong.phong", NOW)
    return visits.schedule_visits(rt, dt.date(2024, 5, 2), "tran.lan", NOW)[0]


def test_the_blank_minutes_follow_decree_30_and_are_prefilled(sqlite_runtime):
    v = first_visit(sqlite_runtime)
    path = minutes.write_minutes(sqlite_runtime, v.id, NOW)
    assert check(path, title="Biên bản") == []
    text = "\n".join(p.text for p in iter_paragraphs(Document(str(path))))
    assert "BIÊN BẢN" in text and v.unit_name.lower()[1:] in text.lower()
    assert f"Số: {v.id:02d}/BB-LĐTBXH" in text and "Nguyễn Văn Minh" in text
    assert all(village in text for village in v.villages)
    assert minutes.write_minutes(sqlite_runtime, v.id, NOW) == path  # kept once written


def test_a_filled_minutes_file_becomes_findings_consultations_and_recommendations(runtime, tmp_path, cal):
    v = first_visit(runtime)
    blank = minutes.write_minutes(runtime, v.id, NOW)
    filled = fill_minutes(blank, tmp_path / "da-dien.docx", seed=7, visit_day=v.scheduled_on)
    assert check(filled.path, title="Biên bản") == []
    done = minutes.record_minutes(runtime, filled.path, "le.hoa", NOW)
    assert done.changed and (done.findings, done.recommendations) == (filled.findings, 2)
    with runtime.db.unit_of_work() as s:
        findings = s.scalars(select(Finding).where(Finding.visit_id == v.id)).all()
        recs = s.scalars(select(Recommendation).order_by(Recommendation.id)).all()
        consults = s.scalars(select(Consultation)).all()
        visit = s.get(Visit, v.id)
        ob = s.scalar(select(Obligation).where(Obligation.key == f"visitdocs:{v.id}"))
        events = [[e.status for e in r.events] for r in recs]
    assert len(findings) == filled.findings + filled.difficulties
    assert all("(dữ liệu minh họa)" in f.text for f in findings)
    assert len(consults) == filled.consultations and all(c.village in v.villages for c in consults)
    assert [r.key for r in recs] == [f"visit:{v.id}:1", f"visit:{v.id}:2"]
    assert recs[0].due_on == cal.add_working_days(v.scheduled_on, 20)  # left blank: the plan's default
    assert recs[1].due_on == v.scheduled_on + dt.timedelta(days=45)
    assert {r.source_kind for r in recs} == {"visit"} and events == [["open"], ["open"]]
    assert (visit.status, ob.status) == ("done", "met")
    again = minutes.record_minutes(runtime, filled.path, "le.hoa", NOW)
    assert not again.changed
    with runtime.db.unit_of_work() as s:
        assert len(s.scalars(select(Recommendation)).all()) == 2
        assert len(s.scalars(select(Finding)).all()) == len(findings)


def test_recording_every_sampled_visit_completes_the_visits_step(sqlite_runtime, tmp_path):
    rt = sqlite_runtime
    first_visit(rt)
    for i, v in enumerate(visits.list_visits(rt)):
        blank = minutes.write_minutes(rt, v.id, NOW)
        minutes.record_minutes(rt, fill_minutes(blank, tmp_path / f"{i}.docx", i).path, "le.hoa", NOW)
    with rt.db.unit_of_work() as s:
        assert s.scalar(select(Step.status).where(Step.key == "visits")) == "done"


def test_a_corrected_file_replaces_the_rows_and_withdraws_a_removed_recommendation(sqlite_runtime, tmp_path):
    rt = sqlite_runtime
    v = first_visit(rt)
    filled = fill_minutes(minutes.write_minutes(rt, v.id, NOW), tmp_path / "a.docx", seed=1)
    minutes.record_minutes(rt, filled.path, "le.hoa", NOW)
    doc = Document(str(filled.path))
    rec_table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Nội dung kiến nghị")
    for cell in rec_table.rows[2].cells[1:]:
        cell.text = ""
    save_atomic(doc, tmp_path / "b.docx")
    assert minutes.record_minutes(rt, tmp_path / "b.docx", "le.hoa", NOW).changed
    with rt.db.unit_of_work() as s:
        statuses = dict(s.execute(select(Recommendation.key, Recommendation.status)).all())
    assert statuses == {f"visit:{v.id}:1": "open", f"visit:{v.id}:2": "withdrawn"}


def test_bad_rows_are_listed_with_their_table_and_row_and_nothing_is_recorded(sqlite_runtime, tmp_path):
    rt = sqlite_runtime
    v = first_visit(rt)
    doc = Document(str(minutes.write_minutes(rt, v.id, NOW)))
    rec_table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Nội dung kiến nghị")
    rec_table.rows[1].cells[1].text = "Bổ sung hồ sơ"
    rec_table.rows[1].cells[3].text = "31/02/2024"
    consult = next(t for t in doc.tables if t.rows[0].cells[1].text == "Thôn, xóm")
    consult.rows[1].cells[4].text = "Ý kiến không ghi tên"
    save_atomic(doc, tmp_path / "sai.docx")
    with pytest.raises(BadDocument) as err:
        minutes.record_minutes(rt, tmp_path / "sai.docx", "le.hoa", NOW)
    assert "Bảng kiến nghị, dòng 1: hạn thực hiện '31/02/2024' không phải ngày hợp lệ" in str(err.value)
    assert "Bảng tham vấn, dòng 1: thiếu tên người được tham vấn" in str(err.value)
    with rt.db.unit_of_work() as s:
        assert s.scalars(select(Recommendation)).all() == []
        assert s.get(Visit, v.id).status == "scheduled"


def test_a_file_that_is_not_our_minutes_gets_a_clear_message(sqlite_runtime, tmp_path):
    first_visit(sqlite_runtime)
    pdf = tmp_path / "bien-ban.pdf"
    pdf.write_bytes(b"%PDF-1.7 scanned minutes")
    with pytest.raises(BadDocument, match="bien-ban.pdf: Tệp gửi đến là tệp PDF"):
        minutes.record_minutes(sqlite_runtime, pdf, "le.hoa", NOW)
    other = Document()
    other.add_paragraph("Biên bản họp thôn")
    save_atomic(other, tmp_path / "khac.docx")
    with pytest.raises(BadDocument, match="không phải biên bản giám sát do hệ thống tạo ra"):
        minutes.record_minutes(sqlite_runtime, tmp_path / "khac.docx", "le.hoa", NOW)


def _cells(path):
    return "\n".join(c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells)


def test_the_demo_minutes_of_a_village_speak_of_the_village_not_of_a_commune(sqlite_runtime, tmp_path):
    blank = minutes.write_minutes(sqlite_runtime, first_visit(sqlite_runtime).id, NOW)
    said = [_cells(fill_minutes(blank, tmp_path / f"{seed}.docx", seed, kind="thon").path)
            for seed in range(12)]
    text = "\n".join(said)
    assert "Thôn đã triển khai kế hoạch rà soát" in text and "lưu tại thôn" in text
    assert "Xã đã" not in text and "tại xã" not in text and "báo cáo của xã" not in text
    commune = "\n".join(_cells(fill_minutes(blank, tmp_path / f"xa{seed}.docx", seed).path)
                        for seed in range(12))  # a commune's by default
    assert "Xã đã triển khai kế hoạch rà soát" in commune and "Thôn đã" not in commune


@pytest.mark.parametrize(("kind", "word"), [("thon", "thôn"), ("to_dan_pho", "tổ dân phố")])
def test_the_demo_minutes_of_a_village_speak_of_no_smaller_units(sqlite_runtime, tmp_path, kind, word):
    blank = minutes.write_minutes(sqlite_runtime, first_visit(sqlite_runtime).id, NOW)
    text = "\n".join(_cells(fill_minutes(blank, tmp_path / f"{seed}.docx", seed, kind=kind).path)
                     for seed in range(16))
    for smaller in ("một thôn được giám sát", "một số thôn", "các thôn được giám sát"):
        assert smaller not in text
    assert f"lưu tại {word} còn thiếu" in text
    assert f"biên bản họp bình xét hộ nghèo, hộ cận nghèo của {word}" in text
    assert f"qua họp {word}," in text and f"loa truyền thanh của {word}" in text
    commune = "\n".join(_cells(fill_minutes(blank, tmp_path / f"xa{seed}.docx", seed).path)
                        for seed in range(16))
    assert "tại một thôn được giám sát" in commune and "tại các thôn được giám sát" in commune
