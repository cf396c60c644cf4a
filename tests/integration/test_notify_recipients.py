"""Nơi nhận is served: the plan reaches every configured recipient; §V tasks are followed up."""

import datetime as dt

from sqlalchemy import select

from giamsat.db.models import Message
from giamsat.notify.service import notify
from giamsat.remind.service import sweep

AS_OF = dt.date(2024, 4, 1)
FINANCE = "phongtaichinh@vuban.example"


def _sent_to(rt, address):
    with rt.db.unit_of_work() as s:
        return [m for m in s.scalars(select(Message).order_by(Message.id)) if address in m.to_addrs]


def test_the_province_the_chairman_and_the_finance_office_receive_the_plan(sqlite_runtime):
    rt = sqlite_runtime
    notify(rt, AS_OF)
    for address in ("sldtbxh@namdinh.example", "vanphong@vuban.example", FINANCE):
        [m] = _sent_to(rt, address)
        assert m.kind == "notify_recipient"
        assert [a["filename"] for a in m.attachments] == ["Kế hoạch 52-KH-UBND.docx"]
        assert "gửi Kế hoạch số 52/KH-UBND ngày 26/3/2024 của UBND huyện Vụ Bản" in m.body_text
    [finance] = _sent_to(rt, FINANCE)
    print(finance.subject, finance.body_text, sep="\n")
    assert finance.body_text.startswith("Kính gửi: Phòng Tài chính - Kế hoạch,")
    assert "phân bổ nguồn kinh phí thực hiện Chương trình" in finance.body_text
    assert "thực hiện trước ngày 19/4/2024" in finance.body_text
    department = _sent_to(rt, "sldtbxh@namdinh.example")[0].body_text
    assert department.startswith("Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Nam Định,"), department
    chairman = _sent_to(rt, "vanphong@vuban.example")[0]
    assert chairman.to_addrs == ["vanphong@vuban.example"]
    assert chairman.body_text.startswith("Kính gửi: Đồng chí Chủ tịch UBND huyện Vụ Bản,"), chairman.body_text
    assert all("Quý cơ quan" not in m.body_text for m in _sent_to(rt, "sldtbxh@namdinh.example"))


def test_the_finance_office_is_reminded_of_its_allocation_task_until_it_is_done(sqlite_runtime):
    rt = sqlite_runtime
    notify(rt, AS_OF)
    sweep(rt, dt.date(2024, 4, 19))
    sweep(rt, dt.date(2024, 4, 22))
    reminders = [m for m in _sent_to(rt, FINANCE) if m.kind == "reminder_assignment"]
    assert len(reminders) == 2
    late = reminders[-1]
    print(late.subject, late.body_text, sep="\n")
    assert late.body_text.startswith("Kính gửi: Phòng Tài chính - Kế hoạch,")
    assert "có nhiệm vụ: Căn cứ Quyết định số 455/QĐ-UBND" in late.body_text
    assert "đã quá 1 ngày làm việc" in late.body_text and "Chủ tịch" not in late.body_text
    assert late.subject.startswith("[Quá hạn] Nhiệm vụ của Phòng Tài chính - Kế hoạch")


def test_marking_the_finance_task_done_stops_its_reminders(sqlite_runtime):
    from giamsat.domain import clock
    from giamsat.followup.assignments import mark_done

    rt = sqlite_runtime
    notify(rt, AS_OF)
    mark_done(rt, "finance-allocation", "Đã trình Quyết định phân bổ", "t",
              clock.at_office_hours(dt.date(2024, 4, 15)))
    sweep(rt, dt.date(2024, 4, 19))
    sweep(rt, dt.date(2024, 4, 22))
    assert [m.kind for m in _sent_to(rt, FINANCE)] == ["notify_recipient"]


def test_the_cli_marks_a_task_done_and_refuses_an_unknown_one(tmp_path):
    from tests.integration.test_cli_foundation import run

    home = tmp_path / "home"
    assert run("notify", "--as-of", "2024-04-01", "--no-send", home=home).returncode == 0
    unknown = run("followup", "task-done", "khong-co", "--note", "x", home=home)
    assert unknown.returncode != 0 and "finance-allocation" in unknown.stderr + unknown.stdout
    assert "Traceback" not in unknown.stderr
    done = run("followup", "task-done", "finance-allocation", "--note",
               "Đã trình UBND huyện Quyết định phân bổ", "--as-of", "2024-04-15", home=home)
    assert done.returncode == 0, done.stderr
    assert "Phòng Tài chính - Kế hoạch đã thực hiện nhiệm vụ" in done.stdout
