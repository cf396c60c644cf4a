"""Reminders reach who must act: a recommendation's addressee, a returned report's corrections."""

import datetime as dt

from sqlalchemy import select

from giamsat.db.models import Message, Obligation, Recommendation, Submission, Unit
from giamsat.domain import clock
from giamsat.remind.service import sweep

D = dt.date
CREATED = clock.at_office_hours(D(2024, 4, 1))
OFFICE = "phonglaodong@vuban.example"


def _rec(rt, addressed_to, source_kind="submission", created=CREATED, due=D(2024, 6, 14)):
    with rt.db.unit_of_work() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "13756"))
        rec = Recommendation(cycle_id=rt.cycle_id, key=f"rec:{addressed_to}", source_kind=source_kind,
                             unit_id=unit.id, content="Bố trí kinh phí hỗ trợ sinh kế",
                             addressed_to=addressed_to, due_on=due, created_at=created,
                             updated_at=created)
        s.add(rec)
        s.flush()
        s.add(Obligation(cycle_id=rt.cycle_id, kind="recommendation", key=f"rec:{rec.key}",
                         unit_id=unit.id, recommendation_id=rec.id, due_on=due, created_at=created))
        return unit.email, unit.chairman_email


def _messages(rt):
    with rt.db.unit_of_work() as s:
        return list(s.scalars(select(Message).order_by(Message.id)))


def test_a_recommendation_a_commune_addresses_to_the_district_is_chased_at_the_office_not_the_commune(
        sqlite_runtime):
    rt = sqlite_runtime
    commune, chairman = _rec(rt, "UBND huyện Vụ Bản")
    for day in (D(2024, 6, 14), D(2024, 6, 17), D(2024, 6, 19), D(2024, 6, 21)):
        sweep(rt, day)
    sent = _messages(rt)
    assert len(sent) == 4
    for m in sent:
        assert m.to_addrs == [OFFICE] and commune not in m.cc_addrs and chairman not in m.to_addrs
        assert "Chủ tịch" not in m.body_text and "Kính gửi: Phòng Lao động - TB&XH," in m.body_text
        assert "Kiến nghị nêu trong báo cáo của đơn vị (Xã Đại An), gửi UBND huyện Vụ Bản" in m.body_text
        assert "Kiến nghị sau giám sát" not in m.body_text + m.subject
        assert "báo cáo kết quả thực hiện kèm tài liệu chứng minh về Phòng" not in m.body_text


def test_a_recommendation_addressed_to_the_commune_greets_the_commune_and_counts_real_reminders(
        sqlite_runtime):
    rt = sqlite_runtime
    # made late: the slots before it was created never produced a reminder
    commune, chairman = _rec(rt, "UBND xã Đại An", source_kind="visit",
                             created=clock.at_office_hours(D(2024, 6, 20)), due=D(2024, 6, 10))
    assert sweep(rt, D(2024, 6, 21)).queued == 1  # its 5th overdue slot, its first reminder
    first = _messages(rt)[-1]
    assert first.to_addrs == [commune] and first.kind == "reminder_overdue"
    assert first.body_text.startswith("Kính gửi: UBND xã Đại An,")
    assert "Phòng Lao động - TB&XH huyện" not in first.body_text.split("\n")[0]
    assert "lần nhắc thứ" not in first.body_text
    assert "Thực hiện kiến nghị sau giám sát — Xã Đại An" in first.subject
    assert sweep(rt, D(2024, 6, 25)).queued == 1
    second = _messages(rt)[-1]
    assert second.to_addrs == [chairman] and "lần nhắc thứ 2 sau hạn" in second.body_text


def test_a_returned_report_is_reminded_as_awaiting_correction_with_its_errors(sqlite_runtime):
    rt = sqlite_runtime
    with rt.db.unit_of_work() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "13756"))
        s.add(Obligation(cycle_id=rt.cycle_id, kind="report", key="report:13756@2024-01-01",
                         unit_id=unit.id, due_on=D(2024, 4, 6), status="open", created_at=CREATED))
        s.add(Submission(cycle_id=rt.cycle_id, unit_id=unit.id, received_at=CREATED, source="inbox",
                         original_filename="dai-an.docx", stored_path="x", sha256="0" * 64,
                         size_bytes=1, status="rejected",
                         errors=[{"text": "Mục B: số hộ nghèo cuối kỳ bị bỏ trống"}]))
    sweep(rt, D(2024, 4, 8))
    m = _messages(rt)[-1]
    print(m.subject, m.body_text, sep="\n")
    assert "chưa nhận được báo cáo" not in m.body_text
    assert "đã bị trả lại và đang chờ đơn vị sửa" in m.body_text
    assert "1. Mục B: số hộ nghèo cuối kỳ bị bỏ trống" in m.body_text
    assert "bị trả lại, chờ sửa" in m.subject


def test_followup_update_to_corrects_the_addressee_and_the_audit_log_shows_it(tmp_path):
    from tests.integration.test_cli_foundation import run

    home = tmp_path / "home"
    added = run("followup", "add", "--content", "Bố trí kinh phí", "--to", "UBND xã Đại An",
                "--unit", "13756", "--as-of", "2024-05-20", home=home)
    assert added.returncode == 0, added.stderr
    moved = run("followup", "update", "1", "--to", "UBND huyện Vụ Bản", "--as-of", "2024-05-21",
                home=home)
    assert moved.returncode == 0, moved.stderr
    assert "Kiến nghị số 1: gửi UBND huyện Vụ Bản" in moved.stdout
    shown = run("followup", "show", "1", home=home).stdout
    assert "Cơ quan thực hiện: UBND huyện Vụ Bản" in shown
    assert "Sửa cơ quan được kiến nghị: UBND xã Đại An → UBND huyện Vụ Bản" in shown
    audit = run("audit", "--action", "rec.readdressed", "--json", home=home)
    assert audit.returncode == 0 and "UBND xã Đại An → UBND huyện Vụ Bản" in audit.stdout


def test_the_office_gets_one_digest_a_day_of_what_waits_for_it(sqlite_runtime):
    from giamsat.db.models import SampleDraw, Visit
    from giamsat.remind.digest import queue_digest

    rt = sqlite_runtime
    _rec(rt, "UBND huyện Vụ Bản", due=D(2024, 11, 29))
    at = clock.at_office_hours(D(2024, 11, 1))
    with rt.db.unit_of_work() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "13741"))
        s.add(SampleDraw(cycle_id=rt.cycle_id, draw_on=D(2024, 11, 1), seed="x", seed_source="manual",
                         frame=[], algorithm="a", algorithm_version="1", result={}, record_sha256="0" * 64,
                         drawn_by="t", drawn_at=at))
        s.add(Visit(cycle_id=rt.cycle_id, unit_id=unit.id, scheduled_on=D(2024, 11, 4)))
    queue_digest(rt, D(2024, 11, 6))
    queue_digest(rt, D(2024, 11, 6))
    digests = [m for m in _messages(rt) if m.kind == "office_digest"]
    assert len(digests) == 1 and digests[0].to_addrs == [OFFICE]
    text = digests[0].body_text
    print(digests[0].subject, text, sep="\n")
    assert text.startswith("Kính gửi: Phòng Lao động - TB&XH,")
    assert "Kết quả chọn mẫu ngày 01/11/2024 đang chờ phê duyệt" in text
    assert "Thị trấn Gôi: đã giám sát ngày 04/11/2024, chưa ghi biên bản" in text
    assert "Báo cáo kết quả giám sát, đánh giá đến hạn ngày" in text
    assert "gửi UBND huyện Vụ Bản — Kiến nghị nêu trong báo cáo của đơn vị (Xã Đại An)" in text
    assert "4 việc chờ" in digests[0].subject


def test_the_digest_writes_dates_as_every_other_text_does(sqlite_runtime):
    from giamsat.db.models import SampleDraw
    from giamsat.remind.digest import queue_digest

    rt = sqlite_runtime
    with rt.db.unit_of_work() as s:
        s.add(SampleDraw(cycle_id=rt.cycle_id, draw_on=D(2024, 5, 4), seed="x", seed_source="manual",
                         frame=[], algorithm="a", algorithm_version="1", result={}, record_sha256="0" * 64,
                         drawn_by="t", drawn_at=clock.at_office_hours(D(2024, 5, 4))))
    queue_digest(rt, D(2024, 5, 6))
    digest = next(m for m in _messages(rt) if m.kind == "office_digest")
    assert "Kết quả chọn mẫu ngày 04/5/2024 đang chờ phê duyệt" in digest.body_text  # not 04/05/2024
    assert "Ngày 06/5/2024" in digest.subject


def test_a_bare_ubnd_xa_written_for_a_commune_is_that_commune_and_is_reminded_there_not_at_the_office(
        sqlite_runtime):
    from giamsat.followup import service as followup

    rt = sqlite_runtime
    rec = followup.add(rt, "Hoàn thiện hồ sơ nghiệm thu mô hình chăn nuôi", "UBND xã", None, "13756",
                       D(2024, 6, 14), "pho.phong", clock.at_office_hours(D(2024, 6, 3)))
    assert rec.addressed_to == "UBND xã Đại An"
    sweep(rt, D(2024, 6, 14))
    (m,) = [m for m in _messages(rt) if m.kind.startswith("reminder")]
    assert m.to_addrs == ["ubnd.daian@vuban.example"] and OFFICE not in m.to_addrs
    assert m.body_text.startswith("Kính gửi: UBND xã Đại An,")


def test_a_digest_lists_the_first_recommendations_falling_due_and_counts_the_rest(sqlite_runtime):
    """A country's office answers for thousands: the message lists 50 and says how many more."""
    from giamsat.remind.digest import LISTED, queue_digest

    rt = sqlite_runtime
    with rt.db.unit_of_work() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "13756"))
        for i in range(LISTED + 12):
            s.add(Recommendation(cycle_id=rt.cycle_id, key=f"rec:many:{i}", source_kind="submission",
                                 unit_id=unit.id, content=f"Việc số {i}", addressed_to="UBND huyện Vụ Bản",
                                 due_on=D(2024, 12, 31) - dt.timedelta(days=i), created_at=CREATED,
                                 updated_at=CREATED))
    digest = queue_digest(rt, D(2024, 6, 3))
    assert digest.recommendations_total == LISTED + 12 and len(digest.recommendations) == LISTED
    (m,) = [m for m in _messages(rt) if m.kind == "office_digest"]
    assert f"{LISTED + 12} việc chờ" in m.subject  # every one counted
    text, html = m.body_text, m.body_html
    listed = [line for line in text.splitlines() if line.startswith("- Kiến nghị số")]
    assert len(listed) == LISTED
    assert listed[0].endswith("Việc số 61") and listed[-1].endswith("Việc số 12")  # the first falling due
    assert "- … và 12 kiến nghị khác; xem đủ bằng lệnh giamsat followup list." in text
    assert "<li>… và 12 kiến nghị khác; xem đủ bằng lệnh <code>giamsat followup list</code>.</li>" in html
    assert "Việc số 11<" not in html and "Việc số 11\n" not in text
