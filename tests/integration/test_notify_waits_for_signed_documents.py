"""Drafts not allowed: notify and the final report wait for their registered, signed PDFs and send those."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import yaml
from docx import Document as Docx
from docx.oxml.ns import qn
from sqlalchemy import select

from giamsat.cycle.overview import cycle_status, timeline_markdown
from giamsat.cycle.status import status_report
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message, Step
from giamsat.domain import clock
from giamsat.final_report.service import final_report
from giamsat.issuance import service
from giamsat.notify.service import notify
from giamsat.web.views import dashboard
from tests.conftest import CONFIG, OPENED_AT
from tests.fixtures.report_data import build_cycle

AS_OF = dt.date(2024, 4, 1)
NOW = clock.at_office_hours(AS_OF, 10)

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice (soffice) is not installed; .ci/run installs it")


@pytest.fixture
def strict_rt(tmp_path):
    """The shipped plan with drafts not allowed to go out."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["documents"] = {"allow_drafts": False}
    config = tmp_path / "strict.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rt = open_cycle(config, OPENED_AT, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}")
    yield rt
    rt.db.dispose()


def _sign_and_register(rt, doc_id, tmp_path, person, organisation, number, day=None):
    exported = service.export_pdf(rt, doc_id, tmp_path / f"{doc_id}.pdf").read_bytes()
    signed = tmp_path / f"{doc_id}-da-ky.pdf"
    signed.write_bytes(organisation.sign(person.sign(exported, "CaNhan"), "CoQuan"))
    return service.register(rt, doc_id, signed, number, day, NOW, "Văn thư Lan")


def _texts(path) -> str:
    """Every paragraph's text, the header table's included."""
    body = Docx(str(path)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


def test_notify_sends_nothing_until_the_plan_and_the_letter_are_signed_and_registered(
        strict_rt, tmp_path, person, organisation):
    first = notify(strict_rt, AS_OF)
    assert (first.messages_queued, first.waiting_for_signature) == (0, 1)
    (plan,) = service.documents(strict_rt, "plan")
    assert "Số:      /KH-UBND" in _texts(plan.path) and "52/KH-UBND" not in _texts(plan.path)
    assert service.documents(strict_rt, "letter") == []  # the letters cite the plan's number
    assert "chờ ký số" in service.signature_summary(strict_rt)["summary"]
    _what_waits_is_shown(strict_rt, f"chờ ký số và đăng ký kế hoạch (mã {plan.id}: giamsat doc register)")

    _sign_and_register(strict_rt, plan.id, tmp_path, person, organisation, "61", dt.date(2024, 3, 27))
    second = notify(strict_rt, AS_OF)
    # the registered plan goes to the 3 other recipients of its Nơi nhận; the communes wait for their letters
    assert (second.messages_queued, second.waiting_for_signature) == (3, 18)
    letters = service.documents(strict_rt, "letter")
    _what_waits_is_shown(strict_rt, "18 công văn chờ ký số và đăng ký")
    text = _texts(letters[0].path)
    assert "Kế hoạch số 61/KH-UBND ngày 27/3/2024" in text and "Số:      /LĐTBXH" in text

    _sign_and_register(strict_rt, letters[0].id, tmp_path, person, organisation, "24")
    third = notify(strict_rt, AS_OF)
    assert (third.messages_queued, third.waiting_for_signature) == (1, 17)
    with strict_rt.db.unit_of_work() as s:
        (msg,) = s.scalars(select(Message).where(Message.kind == "notify_plan")).all()
        names = [a["filename"] for a in msg.attachments]
        step = s.scalar(select(Step).where(Step.key == "notify"))
        assert step.status != "done"
    assert names[0].startswith("Công văn 24-LĐTBXH - ") and names[0].endswith(".pdf")
    assert names[1] == "Kế hoạch 61-KH-UBND.pdf" and names[2].endswith(".docx")
    assert [a["content_type"] for a in msg.attachments][:2] == ["application/pdf"] * 2
    assert "Công văn số 24/LĐTBXH" in msg.body_text and "Kế hoạch số 61/KH-UBND" in msg.body_text
    assert (plan.path, plan.sha256) == (service.document(strict_rt, plan.id).path,
                                        service.document(strict_rt, plan.id).sha256)


def _what_waits_is_shown(rt, waiting: str) -> None:
    """``status``, the Prefect timeline and the web dashboard say what waits for a signature."""
    report = status_report(rt, AS_OF)
    notify_row = next(s for s in report["steps"] if s["key"] == "notify")
    assert waiting in notify_row["waiting_for"] and notify_row["state"] != "done"
    assert "Văn bản chờ ký số và đăng ký (giamsat doc register)" in report["documents"]["summary"]
    timeline = timeline_markdown(rt, cycle_status(rt, AS_OF), AS_OF).replace("\\", "")
    assert waiting in timeline and "Văn bản chờ ký số và đăng ký" in timeline
    page = dashboard(rt, AS_OF, None)
    assert page["signatures"]["waiting"] and page["signatures"]["summary"] == report["documents"]["summary"]


def test_the_final_report_draft_has_no_number_and_goes_out_only_once_registered(
        strict_rt, tmp_path, person, organisation):
    build_cycle(strict_rt)
    final = dt.date(2024, 11, 20)
    draft = final_report(strict_rt, final)
    assert "Số:      /BC-UBND" in _texts(draft) and "215/BC-UBND" not in _texts(draft)
    (report,) = service.documents(strict_rt, "final_report")
    with strict_rt.db.unit_of_work() as s:
        assert s.scalars(select(Message).where(Message.kind == "final_report")).all() == []
        assert s.scalar(select(Step).where(Step.key == "final_report")).status != "done"
    row = next(s for s in status_report(strict_rt, final)["steps"] if s["key"] == "final_report")
    assert row["state"] != "done" and f"chờ ký số và đăng ký (mã {report.id}" in row["waiting_for"]

    _sign_and_register(strict_rt, report.id, tmp_path, person, organisation, "215")
    final_report(strict_rt, final)
    with strict_rt.db.unit_of_work() as s:
        (msg,) = s.scalars(select(Message).where(Message.kind == "final_report")).all()
        assert s.scalar(select(Step).where(Step.key == "final_report")).status == "done"
    assert [(a["filename"], a["content_type"]) for a in msg.attachments] == [
        ("Báo cáo 215-BC-UBND.pdf", "application/pdf")]
    assert "215/BC-UBND" in msg.body_text
    assert service.document(strict_rt, report.id).sha256 == report.sha256  # the signed draft stays
