"""The e-mails as their recipients read them: each greets its addressee ("Kính gửi: …,") and the
office that sends a report says so in the body, as its signature does."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from giamsat.db.models import Message
from giamsat.final_report.service import final_report, interim_report
from tests.integration.test_visits import AS_OF, NOW, approved

D = dt.date


def _messages(rt, kind: str) -> list[Message]:
    with rt.db.unit_of_work() as s:
        return list(s.scalars(select(Message).where(Message.kind == kind).order_by(Message.id)))


def test_the_visit_notice_greets_the_commune_with_a_comma(sqlite_runtime):
    from giamsat.visits import service as visits

    approved(sqlite_runtime)
    visits.schedule_visits(sqlite_runtime, AS_OF, "tran.lan", NOW)
    first = _messages(sqlite_runtime, "visit_notice")[0]
    greeting = first.body_text.splitlines()[0]
    assert greeting.startswith("Kính gửi: Ủy ban nhân dân ") and greeting.endswith(","), greeting
    assert "<p>Kính gửi: Ủy ban nhân dân " in first.body_html and "</p>" in first.body_html
    assert first.body_html.split("</p>")[0].endswith(",")


def test_the_interim_report_is_sent_and_signed_by_the_office_to_the_department_by_name(report_cycle):
    rt, _ = report_cycle
    interim_report(rt, D(2024, 6, 13), send=True)
    [mail] = _messages(rt, "interim_report")
    text = mail.body_text
    assert text.startswith("Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Nam Định,"), text
    assert "Phòng Lao động - TB&XH gửi kèm theo thư này Báo cáo số 148/BC-UBND của UBND huyện Vụ Bản " \
           "(báo cáo giữa kỳ" in text, text
    assert "UBND huyện Vụ Bản gửi kèm" not in text
    assert text.rstrip().splitlines()[-2] == "Phòng Lao động - TB&XH"  # the signature: who sent it


def test_the_final_report_is_sent_in_the_offices_name_with_the_committees_report(report_cycle):
    rt, _ = report_cycle
    final_report(rt, D(2024, 11, 20))
    [mail] = _messages(rt, "final_report")
    assert "Phòng Lao động - TB&XH gửi kèm theo thư này Báo cáo số 215/BC-UBND của UBND huyện Vụ Bản về " \
           "kết quả giám sát" in mail.body_text, mail.body_text
    assert "Phòng Lao động - TB&amp;XH gửi kèm" in mail.body_html
    assert "thư được gửi tự động" in mail.body_html  # signed in HTML as in the text
