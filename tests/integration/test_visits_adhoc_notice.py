"""An ad-hoc visit is announced like a sampled one: documents due after the notice, no undrawn village."""

import datetime as dt
import email
from email import policy

import pytest
from docx import Document

from giamsat.docx.decree30 import iter_paragraphs
from giamsat.domain import clock
from giamsat.domain.errors import Conflict
from giamsat.messaging.delivery import deliver
from giamsat.visits import minutes
from giamsat.visits import service as visits

SENT_ON = dt.date(2024, 9, 16)  # a Monday, after the 01/9 reorganisation
FIRST_DAY = dt.date(2024, 9, 18)  # the plan's notice period (2 working days) after it
NOW = clock.at_office_hours(SENT_ON, 8)


def _notice(rt):
    deliver(rt, NOW)
    files = sorted((rt.home / "outbox").glob("*.eml"))
    msgs = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    return next(m for m in msgs if "đột xuất" in m["Subject"])


def test_an_adhoc_visit_on_the_day_of_its_notice_is_refused_with_the_first_day_allowed(sqlite_runtime):
    for day in (SENT_ON, dt.date(2024, 9, 17)):
        with pytest.raises(Conflict, match="chọn từ ngày 18/9/2024"):
            visits.add_adhoc(sqlite_runtime, "13750", day, "tran.lan", "Đơn thư", now=NOW)


def test_the_adhoc_notice_asks_for_documents_after_it_is_sent_and_names_no_village(sqlite_runtime):
    rt, cal = sqlite_runtime, sqlite_runtime.calendar
    day = FIRST_DAY
    v = visits.add_adhoc(rt, "13750", day, "tran.lan", "Đơn thư của người dân", now=NOW)
    msg = _notice(rt)
    text = msg.get_body(("plain",)).get_content()
    due = cal.add_working_days(day, -1)
    assert f"chậm nhất ngày {due:%d/%-m/%Y}" in text
    assert due > SENT_ON and cal.working_days(SENT_ON + dt.timedelta(days=1), due)
    assert "Thôn, xóm" not in text and "thôn được chọn" not in text
    assert v.villages == []
    blank = minutes.write_minutes(rt, v.id, NOW)
    lines = [p.text for p in iter_paragraphs(Document(str(blank))) if p.text.strip()]
    assert not any("chọn ngẫu nhiên" in t for t in lines)
    assert any(t.startswith("Thôn, xóm Đoàn đến làm việc") for t in lines)
    assert visits.earliest_visit(rt, SENT_ON) == FIRST_DAY  # the rule sampled visits follow
