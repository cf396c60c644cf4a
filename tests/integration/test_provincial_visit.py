"""The upper body's team visit as a step: report ahead, checklist, findings followed up, and the
office's own report to the committee that tells of it."""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy

import pytest
from sqlalchemy import select

from giamsat.cycle.overview import cycle_status
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Recommendation
from giamsat.docx.decree30_check import check
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.final_report.office_report import office_report
from giamsat.messaging.delivery import deliver
from giamsat.provincial import service as provincial
from giamsat.remind.digest import gather
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.demo_text import docx_text
from tests.integration.test_cli_foundation import run

REPORT_DAY = dt.date(2024, 6, 13)  # 3 working days before Tuesday 18/6/2024
VISIT_DAY = dt.date(2024, 6, 18)
TEAM = "Đoàn giám sát của Sở Lao động - Thương binh và Xã hội tỉnh Nam Định"


def _step(rt, day):
    return next(r for r in cycle_status(rt, day) if r.step == "provincial_visit")


def _findings(rt, day=VISIT_DAY):
    return provincial.record_findings(
        rt, ["Huyện tổ chức giám sát đúng kế hoạch.", "Cập nhật biến động hộ nghèo còn chậm."],
        [provincial.RecInput("Cập nhật kịp thời biến động hộ nghèo trên phần mềm", "Phòng Lao động - TB&XH"),
         provincial.RecInput("Bổ sung hồ sơ tuyên truyền về cuộc rà soát", "UBND xã Đại An",
                             unit_code="13756")],
        "truong.phong", clock.at_office_hours(day, 16))


def test_the_report_goes_to_the_upper_body_ahead_once_and_the_checklist_follows(sqlite_runtime):
    rt = sqlite_runtime
    assert _step(rt, dt.date(2024, 6, 3)).status == "not_started"
    before = provincial.prepare(rt, dt.date(2024, 6, 12))
    assert before["report"] is None and before["report_on"] == "2024-06-13"
    assert [i["done"] for i in before["checklist"]] == [False] * 6
    first = provincial.prepare(rt, REPORT_DAY)
    again = provincial.prepare(rt, dt.date(2024, 6, 14))
    assert first["report"] == again["report"] and first["report"].endswith("bao-cao-giua-ky-2024-06-13.docx")
    assert check(first["report"], title="Báo cáo") == []
    assert _step(rt, REPORT_DAY).waiting_for == "báo cáo gửi Đoàn giám sát chưa gửi đi"
    deliver(rt, clock.at_office_hours(REPORT_DAY, 10))
    sent = [email.message_from_bytes(f.read_bytes(), policy=policy.default)
            for f in (rt.home / "outbox").rglob("*.eml")]
    assert [m["To"] for m in sent] == ["sldtbxh@namdinh.example"]  # once, to the upper body
    step = _step(rt, REPORT_DAY)
    assert (step.status, step.waiting_for) == ("pending", "đã gửi báo cáo; chờ buổi làm việc ngày 18/6/2024")
    assert step.title == ("Làm việc với Đoàn giám sát của Sở LĐTBXH: chuẩn bị, báo cáo, tiếp thu kết luận")

    items = provincial.checklist(rt)
    assert items[0].done and items[0].note == "đã gửi" and TEAM in items[0].text
    assert items[0].text.endswith("(hạn 13/6/2024, trước buổi làm việc 3 ngày làm việc)")
    assert [i.text for i in items[1:5]] == rt.plan.visits.provincial_documents
    provincial.tick(rt, 2, "tran.lan", clock.at_office_hours(REPORT_DAY, 14))
    assert [i.done for i in provincial.checklist(rt)] == [True, False, True, False, False, False]
    with pytest.raises(NotFound, match="Không có tài liệu số 9 trong danh mục chuẩn bị"):
        provincial.tick(rt, 9, "tran.lan", clock.at_office_hours(REPORT_DAY, 14))


def test_the_teams_findings_close_the_step_and_its_recommendations_are_followed_up(sqlite_runtime, tmp_path):
    rt = sqlite_runtime
    with pytest.raises(Conflict, match="chưa thể ghi kết luận trước ngày đó"):
        _findings(rt, dt.date(2024, 6, 17))
    result = _findings(rt)
    assert result["findings"] == 2 and len(result["recommendations"]) == 2
    assert _findings(rt)["findings"] == 2  # recorded again: nothing added
    assert _step(rt, VISIT_DAY).status == "done"
    with rt.db.unit_of_work() as s:
        recs = s.scalars(select(Recommendation).where(Recommendation.source_kind == "provincial")).all()
        assert len(recs) == 2 and all(r.status == "open" for r in recs)
        assert recs[0].due_on == rt.calendar.add_working_days(VISIT_DAY, 20)

    digest = gather(rt, rt.calendar.add_working_days(VISIT_DAY, 25))  # both are overdue by then
    mine = [line for line in digest.recommendations if "Cập nhật kịp thời" in line]
    assert mine and f"Kiến nghị của {TEAM}" in mine[0]  # the office is reminded of the team's

    path = office_report(rt, dt.date(2024, 11, 20), out=tmp_path / "ban-sao.docx")
    assert check(path, title="Báo cáo") == []
    text = docx_text(path)
    assert "PHÒNG LAO ĐỘNG" in text and "Số: 96/BC-LĐTBXH" in text and "TRƯỞNG PHÒNG" in text
    assert "ỦY BAN NHÂN DÂN HUYỆN VỤ BẢN" not in text  # in the office's name, not the committee's
    assert "Kính gửi: Ủy ban nhân dân huyện Vụ Bản." in text
    assert f"{TEAM} đã làm việc tại huyện Vụ Bản ngày 18/6/2024 và kết luận:" in text
    assert "Huyện tổ chức giám sát đúng kế hoạch;" in text
    assert "II. KẾT QUẢ GIÁM SÁT THEO TIÊU CHÍ" in text
    assert "chưa có biên bản giám sát trực tiếp nào ghi kết quả đánh giá theo tiêu chí" in text
    assert "chưa ghi nhận kết quả thẩm định sơ bộ kết quả rà soát" in text
    assert text.count(TEAM) >= 3  # the narrative and the source column of both recommendations
    assert "Cập nhật kịp thời biến động hộ nghèo trên phần mềm" in text
    assert (tmp_path / "ban-sao.docx").read_bytes() == path.read_bytes()


def test_the_step_commands_and_flow(prefect_harness, tmp_path, monkeypatch):
    from flows.provincial_visit import provincial_visit_flow

    home = tmp_path / "home"
    url = f"sqlite:///{home / 'giamsat.db'}"
    home.mkdir()
    monkeypatch.setenv("GIAMSAT_HOME", str(home))
    monkeypatch.setenv("GIAMSAT_DATABASE_URL", url)
    open_cycle(CONFIG, OPENED_AT, home=home, database_url=url).db.dispose()
    result = provincial_visit_flow(as_of=REPORT_DAY, config=str(CONFIG))
    assert result["report"].endswith("bao-cao-giua-ky-2024-06-13.docx")
    assert result["checklist"][0]["note"] == "đã gửi"  # the flow drained the outbox
    shown = run("provincial-visit", "checklist", home=home)
    assert shown.returncode == 0, shown.stderr
    assert "[x] Báo cáo kết quả giám sát gửi Đoàn giám sát của Sở" in shown.stdout
    ready = run("provincial-visit", "ready", "1", "--as-of", "2024-06-14", home=home)
    assert "Đã chuẩn bị: 1. Báo cáo giữa kỳ" in ready.stdout
    bad = run("provincial-visit", "findings", "--rec", "thiếu cơ quan", "--as-of", "2024-06-18", home=home)
    assert bad.returncode == 1 and "nội dung|cơ quan thực hiện" in bad.stderr
    assert "Traceback" not in bad.stderr
    done = run("provincial-visit", "findings", "--finding", "Tổ chức đúng kế hoạch.",
               "--rec", "Cập nhật phần mềm|Phòng Lao động - TB&XH", "--as-of", "2024-06-18", home=home)
    assert done.returncode == 0, done.stderr
    assert "Đã ghi nhận 1 kết luận và 1 kiến nghị" in done.stdout
    status = json.loads(run("status", "--as-of", "2024-06-18", "--json", home=home).stdout)
    (step,) = [r for r in status["steps"] if r["key"] == "provincial_visit"]
    assert step["title"].startswith("Làm việc với Đoàn giám sát của Sở LĐTBXH")
    assert step["state_label"] == "Hoàn thành"
    assert step["waiting_for"] == "đã ghi nhận 1 kết luận của Đoàn giám sát"
    unknown = run("provincial-visit", "criteria", "--result", "household_review.issuer.advice=tot",
                  "--as-of", "2024-06-18", home=home)
    assert unknown.returncode == 2 and "Đạt một phần (partly)" in unknown.stderr
    graded = run("provincial-visit", "criteria", "--as-of", "2024-06-18", "--result",
                 "household_review.issuer.advice=đạt một phần|Chưa hướng dẫn 2 xã", "--result",
                 "household_review.issuer.appraisal=met", home=home)
    assert graded.returncode == 0, graded.stderr
    assert "Đã ghi nhận kết quả đánh giá 2 tiêu chí của Đoàn giám sát cấp trên." in graded.stdout
    listed = " ".join(run("provincial-visit", "criteria", home=home).stdout.split())
    assert "household_review.issuer.advice: Tham mưu UBND huyện" in listed
    assert "Đạt một phần — Chưa hướng dẫn 2 xã" in listed and "— chưa đánh giá" in listed
    office = run("final-report", "office", "--as-of", "2024-11-20", home=home)
    assert office.returncode == 0 and "Đã lập báo cáo của cơ quan thường trực" in office.stdout
    (written,) = home.rglob("*-bao-cao-cua-co-quan-thuong-truc-2024-11-20.docx")
    text = docx_text(written)
    assert "Chưa hướng dẫn 2 xã" in text  # the team's grading reaches the office's report
    issuer_table = text[text.index("Tham mưu UBND huyện lãnh đạo") - 200:text.index("Chưa hướng dẫn 2 xã")]
    assert "Nhận xét, căn cứ" in issuer_table and "Đơn vị chưa đạt đầy đủ" not in issuer_table
