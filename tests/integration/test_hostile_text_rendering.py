"""Template syntax and markup in unit names and narratives: literal in text and Word, escaped in HTML.

Every unit of the plan carries the hostile marker in its name; a commune's narrative carries it
too. If any renderer evaluated a value as a template, ``{{ 7*7 }}`` would print ``49`` and the
unclosed ``{% raw %}`` would break rendering; if the HTML part did not escape, ``<script>`` would
be live in the e-mail.
"""

import datetime as dt
import email
import io
from email import policy
from html import escape

import pytest
from docx import Document
from sqlalchemy import select

from giamsat.collect.service import submit
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Document as DocRow
from giamsat.db.models import Message, Submission, Unit
from giamsat.demo.synthetic import fill_outline
from giamsat.docx.decree30 import iter_paragraphs
from giamsat.domain import clock
from giamsat.draw import service as sample
from giamsat.final_report.service import final_report
from giamsat.followup import service as followup
from giamsat.messaging.delivery import deliver
from giamsat.notify.outline import render_outline
from giamsat.notify.service import notify
from giamsat.visits import minutes
from giamsat.visits import service as visits
from tests.conftest import OPENED_AT
from tests.fixtures.collect import at
from tests.fixtures.hostile import HOSTILE
from tests.fixtures.report_data import build_cycle

NOW = clock.at_office_hours(dt.date(2024, 5, 2))


@pytest.fixture
def hostile_rt(hostile_config, tmp_path):
    rt = open_cycle(hostile_config, OPENED_AT, home=tmp_path / "home",
                    database_url=f"sqlite:///{tmp_path / 'giamsat.db'}")
    yield rt
    rt.db.dispose()


def docx_text(path_or_bytes) -> str:
    """Every paragraph of the body, tables, headers and footers, and the core title."""
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    doc = Document(source)
    parts = [p.text for p in iter_paragraphs(doc)]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def assert_inert_email(msg: Message) -> None:
    assert HOSTILE in msg.body_text, msg.body_text
    assert escape(HOSTILE, quote=False) in msg.body_html
    assert "<script>" not in msg.body_html and "49" not in msg.subject


def test_unit_names_are_literal_in_notify_emails_and_word_files_and_escaped_in_html(hostile_rt):
    notify(hostile_rt, dt.date(2024, 4, 1))
    with hostile_rt.db.unit_of_work() as s:
        messages = s.scalars(select(Message).where(Message.kind == "notify_plan")).all()
        docs = s.scalars(select(DocRow).where(DocRow.kind.in_(["notify_letter", "notify_outline"]))).all()
        paths = [hostile_rt.home / d.path if not d.path.startswith("/") else d.path for d in docs]
    assert len(messages) == 18
    for msg in messages:
        assert_inert_email(msg)
        assert HOSTILE in msg.subject or HOSTILE in msg.body_text
    for path in paths[:4]:
        assert HOSTILE in docx_text(path), path
    deliver(hostile_rt, clock.at_office_hours(dt.date(2024, 4, 1), 10))
    eml = sorted((hostile_rt.home / "outbox").glob("*.eml"))[0]
    parsed = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert HOSTILE in parsed.get_body(("plain",)).get_content()
    assert "<script>" not in parsed.get_body(("html",)).get_content()


def test_a_narrative_with_template_syntax_is_stored_and_acknowledged_literally(hostile_rt, tmp_path):
    unit = hostile_rt.plan.units[0]
    blank = render_outline(hostile_rt.plan, unit, tmp_path / "blank.docx", hostile_rt.plan.cycle_key)
    fill_outline(blank, tmp_path / "filled.docx", seed=5, villages=unit.villages)
    doc = Document(str(tmp_path / "filled.docx"))
    narrative = next(t for t in doc.tables if t.rows[0].cells[0].text == "Nội dung mục C")
    narrative.rows[1].cells[0].text = f"Kết quả: {HOSTILE}"
    doc.save(str(tmp_path / "filled.docx"))
    result = submit(hostile_rt, tmp_path / "filled.docx", at("2024-04-02"), unit_code=unit.code)
    assert result.status == "accepted", result.errors
    with hostile_rt.db.unit_of_work() as s:
        sub = s.scalar(select(Submission))
        ack = s.get(Message, result.message_id)
        assert sub.figures["narratives"]["C"] == f"Kết quả: {HOSTILE}"
        assert_inert_email(ack)


def test_minutes_and_the_visit_notice_print_hostile_names_literally(hostile_rt):
    row = sample.draw(hostile_rt, dt.date(2024, 4, 10), "biên bản", "tran.lan", now=NOW)
    sample.approve(hostile_rt, row.id, "truong.phong", NOW)
    visit = visits.schedule_visits(hostile_rt, dt.date(2024, 5, 2), "tran.lan", NOW)[0]
    text = docx_text(minutes.write_minutes(hostile_rt, visit.id, NOW))
    assert text.count(HOSTILE) >= 2 and "Trưởng đoàn " + HOSTILE in text
    with hostile_rt.db.unit_of_work() as s:
        notices = s.scalars(select(Message).where(Message.kind == "visit_notice")).all()
    assert notices
    for msg in notices:
        assert_inert_email(msg)


def test_the_final_report_prints_hostile_names_and_recommendations_literally(hostile_rt, tmp_path):
    build_cycle(hostile_rt)
    followup.add(hostile_rt, f"Kiến nghị {HOSTILE}", f"UBND {HOSTILE}", None, None, None, "x", NOW)
    text = docx_text(final_report(hostile_rt, dt.date(2024, 11, 20), out=tmp_path / "bc.docx"))
    assert f"Kiến nghị {HOSTILE}" in text and f"UBND {HOSTILE}" in text
    with hostile_rt.db.unit_of_work() as s:
        names = [u.name for u in s.scalars(select(Unit))]
    assert sum(1 for n in names if n in text) >= 4


def test_a_recommendation_typed_with_control_characters_still_prints_in_the_final_report(
        sqlite_runtime, tmp_path):
    rt = sqlite_runtime
    build_cycle(rt)
    rec = followup.add(rt, "Kiến\x01 nghị\x1b[0m rà\u202e soát\x0c", "UBND\r\n xã\x00", None, None, None,
                       "x", NOW)
    assert (rec.content, rec.addressed_to) == ("Kiến nghị[0m rà soát", "UBND xã")
    followup.update(rt, rec.id, "in_progress", "đang\x07 làm", None, "x", NOW)
    report = final_report(rt, dt.date(2024, 11, 20), out=tmp_path / "b.docx")
    assert "Kiến nghị[0m rà soát" in docx_text(report)


def test_an_absurdly_long_recommendation_is_refused_with_a_typed_error(sqlite_runtime):
    from giamsat.domain.errors import Conflict

    with pytest.raises(Conflict) as refused:
        followup.add(sqlite_runtime, "x" * 6000, "UBND xã", None, None, None, "x", NOW)
    assert str(refused.value) == "Nội dung kiến nghị quá dài (6.000 ký tự; tối đa 5.000 ký tự)."
