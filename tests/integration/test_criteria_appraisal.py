"""Section C asked by criteria, and the office's preliminary appraisal followed up until closed."""

import email
import email.policy
import json

import pytest
from docx import Document
from sqlalchemy import select

from giamsat.collect.service import submit
from giamsat.criteria import appraisal
from giamsat.criteria.summary import appraisal_summary, communes_answers
from giamsat.db.models import Message, Obligation, Recommendation
from giamsat.domain.errors import Conflict
from giamsat.domain.formatting import short_date
from giamsat.followup import service as followup
from giamsat.plan.wording import outline_questions
from tests.fixtures.collect import at


def _set_answer(path, row, answer, detail=None):
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tiêu chí")
    cells = table.rows[row].cells
    cells[1].paragraphs[0].runs[0].text = answer
    if detail is not None:
        for run in cells[2].paragraphs[0].runs:
            run.text = ""
        cells[2].paragraphs[0].runs[0].text = detail
    doc.save(str(path))


def test_the_outline_asks_each_commune_criterion_with_its_choices(runtime, forms):
    unit = runtime.plan.units[0]
    path, _ = forms(unit, seed=3)
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tiêu chí")
    asked = [r.cells[0].text for r in table.rows[1:]]
    questions = outline_questions(runtime.plan)
    assert [q.key for q in questions] == ["direction", "communication", "progress", "reporting"]
    assert asked[1] == ("2. Tuyên truyền về cuộc rà soát (loa truyền thanh, họp thôn, niêm yết công "
                        "khai)\n(Có / Không)")
    assert asked[3].endswith("về Ban chỉ đạo huyện\n(Đúng hạn / Chậm / Chưa báo cáo)")


def test_the_answers_are_stored_and_a_wrong_answer_is_named_in_vietnamese(runtime, forms):
    unit = runtime.plan.units[1]
    path, _ = forms(unit, seed=5)
    _set_answer(path, 2, "Có lẽ")
    _set_answer(path, 4, "Đúng hạn", "")
    bad = submit(runtime, path, at("2024-04-02"))
    assert bad.status == "rejected"
    texts = list(bad.errors)
    assert any("Mục C, dòng 2 ('Tuyên truyền" in t and "câu trả lời 'Có lẽ' không thuộc các lựa "
               "chọn: Có, Không" in t for t in texts), texts
    assert any("Mục C, dòng 4" in t and "chưa nêu nội dung cụ thể" in t for t in texts), texts
    path, _ = forms(unit, seed=5)
    _set_answer(path, 2, "không")
    good = submit(runtime, path, at("2024-04-03"))
    assert good.status == "accepted", good.errors
    with runtime.db.unit_of_work() as s:
        answers = communes_answers(s, runtime.cycle_id)
    assert [(a.unit_name, a.answer) for a in answers["communication"]] == [(unit.name, "Không")]
    assert "loa truyền thanh" in answers["direction"][0].detail or answers["direction"][0].detail


def _reported(runtime, forms, index):
    unit = runtime.plan.units[index]
    path, _ = forms(unit, seed=40 + index)
    assert submit(runtime, path, at("2024-04-03")).status == "accepted"
    return unit


def test_a_questioned_appraisal_is_mailed_followed_and_closed_when_agreed(runtime, forms):
    unit = _reported(runtime, forms, 2)
    other = _reported(runtime, forms, 3)
    now = at("2024-04-10")
    with pytest.raises(Conflict, match="phải nêu nội dung đề nghị xã giải trình"):
        appraisal.record_appraisal(runtime, unit.code, "questioned", [], None, "le.hoa", now)
    with pytest.raises(Conflict, match="Kết quả thẩm định không hợp lệ"):
        appraisal.record_appraisal(runtime, unit.code, "ok", [], None, "le.hoa", now)
    r = appraisal.record_appraisal(runtime, unit.code, "questioned",
                                   ["Số hộ thoát nghèo tăng 30% so với năm trước: đề nghị nêu căn cứ",
                                    "Danh sách hộ cận nghèo chưa có biên bản họp thôn Một"], None,
                                   "le.hoa", now)
    assert r.changed and r.recommendation_id is not None
    again = appraisal.record_appraisal(runtime, unit.code, "questioned",
                                       ["Số hộ thoát nghèo tăng 30% so với năm trước: đề nghị nêu căn cứ",
                                        "Danh sách hộ cận nghèo chưa có biên bản họp thôn Một"], None,
                                       "le.hoa", now)
    assert not again.changed
    appraisal.record_appraisal(runtime, other.code, "agreed", [], None, "le.hoa", now)
    with runtime.db.unit_of_work() as s:
        rec = s.get(Recommendation, r.recommendation_id)
        assert (rec.source_kind, rec.status, rec.addressed_email) == ("appraisal", "open", unit.email)
        assert rec.addressed_to == f"UBND {unit.name[:1].lower()}{unit.name[1:]}"
        assert s.scalar(select(Obligation).where(Obligation.recommendation_id == rec.id)).status == "open"
        mails = s.scalars(select(Message).where(Message.kind == "appraisal_notice")
                          .order_by(Message.id)).all()
        assert [m.to_addrs for m in mails] == [[unit.email], [other.email]]
        body = mails[0].body_text
        lines = appraisal_summary(s, runtime.cycle_id)
    name = unit.name[:1].lower() + unit.name[1:]
    assert body.startswith(f"Kính gửi: Ủy ban nhân dân {name},")
    assert "Đề nghị giải trình, làm rõ số liệu" in body and "1. Số hộ thoát nghèo tăng 30%" in body
    assert f"kiến nghị (số {r.recommendation_id})" in body and short_date(r.due_on) in body
    shown = {ln.unit_name: ln.result_label for ln in lines}
    assert shown[unit.name] == "Đề nghị giải trình, làm rõ số liệu"
    assert shown[other.name] == "Thống nhất kết quả rà soát"
    # the commune answers; the office agrees: the recommendation is closed as carried out
    appraisal.record_appraisal(runtime, unit.code, "agreed", [], "Xã đã giải trình đầy đủ", "le.hoa",
                               at("2024-04-17"))
    rec, events = followup.show(runtime, r.recommendation_id)
    assert rec.status == "resolved" and "Đã thống nhất kết quả rà soát" in events[-1].note
    with runtime.db.unit_of_work() as s:
        ob = s.scalar(select(Obligation).where(Obligation.recommendation_id == rec.id))
        assert ob.status == "met"
        msg = email.message_from_string(s.scalars(select(Message).where(
            Message.kind == "appraisal_notice").order_by(Message.id.desc())).first().body_text,
            policy=email.policy.default)
    assert "thống nhất với kết quả rà soát" in str(msg)


def test_a_commune_without_an_accepted_report_cannot_be_appraised(runtime):
    unit = runtime.plan.units[5]
    with pytest.raises(Conflict, match="chưa có báo cáo được tiếp nhận"):
        appraisal.record_appraisal(runtime, unit.code, "agreed", [], None, "le.hoa", at("2024-04-10"))


def test_the_appraisal_commands_work_as_an_officer_runs_them(tmp_path, forms, plan):
    from tests.integration.test_cli_foundation import run

    home = tmp_path / "home"
    unit = plan.units[0]
    path, _ = forms(unit, seed=9)
    assert run("submit", str(path), "--at", "2024-04-03 09:00", home=home).returncode == 0
    listed = run("appraisal", "list", home=home)
    assert listed.returncode == 0, listed.stderr
    assert f"{unit.code}  {unit.name}: Chưa thẩm định" in listed.stdout
    refused = run("appraisal", "record", unit.code, "--result", "questioned", "--as-of", "2024-04-10",
                  home=home)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "phải nêu nội dung đề nghị xã giải trình" in refused.stderr
    done = run("appraisal", "record", unit.code, "--result", "questioned", "--question",
               "Đề nghị nêu căn cứ số hộ thoát nghèo", "--as-of", "2024-04-10", home=home)
    assert done.returncode == 0, done.stderr
    said = f"Đã ghi kết quả thẩm định sơ bộ của {unit.name}: Đề nghị giải trình, làm rõ số liệu"
    assert said in done.stdout
    assert "Theo dõi như kiến nghị số" in done.stdout and "hạn giải trình 17/4/2024" in done.stdout
    listed = run("appraisal", "list", home=home).stdout
    assert "Đề nghị giải trình, làm rõ số liệu (10/4/2024); kiến nghị số" in listed
    assert "1. Đề nghị nêu căn cứ số hộ thoát nghèo" in listed
    recs = json.loads(run("followup", "list", "--json", home=home).stdout)
    assert [(r["source"], r["status_label"]) for r in recs if r["source"] == "appraisal"] == [
        ("appraisal", "Chưa thực hiện")]


def test_a_form_without_its_criteria_table_or_with_a_row_of_its_own_is_refused(runtime, forms):
    unit = runtime.plan.units[6]
    path, _ = forms(unit, seed=11)
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tiêu chí")
    extra = table.add_row().cells
    extra[0].text, extra[1].text, extra[2].text = "5. Khác", "Có", "Họp dân"
    doc.save(str(path))
    added = submit(runtime, path, at("2024-04-02"))
    assert added.status == "rejected"
    assert any("Mục C, dòng 5 của bảng tiêu chí: dòng không thuộc biểu mẫu" in e for e in added.errors)
    doc = Document(str(path))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tiêu chí")
    table._tbl.getparent().remove(table._tbl)
    doc.save(str(path))
    gone = submit(runtime, path, at("2024-04-02", 10))
    assert gone.status == "rejected"
    assert any(e.startswith("Mục C: không tìm thấy bảng 'C. CÔNG TÁC CHỈ ĐẠO, TỔ CHỨC THỰC HIỆN RÀ "
                            "SOÁT' (bảng có cột 'Nội dung cụ thể')") for e in gone.errors), gone.errors


def test_a_sitting_of_appraisals_is_recorded_whole_or_not_at_all(runtime, forms):
    first, second = _reported(runtime, forms, 2), _reported(runtime, forms, 3)
    without = runtime.plan.units[5]  # no accepted report: the whole sitting is refused
    now = at("2024-04-10")
    question = ["Số hộ thoát nghèo tăng cao: đề nghị nêu căn cứ"]
    with pytest.raises(Conflict, match=f"{without.name} chưa có báo cáo được tiếp nhận"):
        appraisal.record_appraisals(runtime, [(first.code, "questioned", question, None),
                                              (without.code, "agreed", [], None)], "le.hoa", now)
    with runtime.db.unit_of_work() as s:
        assert s.scalar(select(Message).where(Message.kind == "appraisal_notice")) is None
    done = appraisal.record_appraisals(runtime, [(first.code, "questioned", question, None),
                                                 (second.code, "agreed", [], None)], "le.hoa", now)
    assert [(d.unit_name, d.result, d.changed) for d in done] == [
        (first.name, "questioned", True), (second.name, "agreed", True)]
    with runtime.db.unit_of_work() as s:
        mails = s.scalars(select(Message).where(Message.kind == "appraisal_notice").order_by(Message.id))
        assert [m.to_addrs for m in mails] == [[first.email], [second.email]]
    lines = {a.unit_code: a.result for a in appraisal.list_appraisals(runtime)}
    assert (lines[first.code], lines[second.code]) == ("questioned", "agreed")
