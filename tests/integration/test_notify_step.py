"""Step "notify": every commune receives one e-mail with the three documents, exactly once."""

import datetime as dt
import io
from email.utils import parseaddr

from docx import Document as Docx
from sqlalchemy import func, select

from giamsat.db.models import AuditEntry, Document, Obligation, Step
from giamsat.docx.decree30_check import check
from giamsat.domain import clock
from giamsat.messaging.delivery import counts, deliver
from giamsat.notify.service import notify

AS_OF = dt.date(2024, 4, 1)
NOW = clock.at_office_hours(AS_OF, 9)


def test_all_18_communes_receive_one_notification_with_three_documents_that_open(
        smtp_runtime, smtp_server, tmp_path):
    summary = notify(smtp_runtime, AS_OF)
    # the plan's Nơi nhận besides the communes ("Tên <địa chỉ>" names whom the e-mail greets)
    others = [parseaddr(a)[1] for a in smtp_runtime.plan.recipients.plan_emails]
    assert (summary.units, summary.messages_queued, summary.obligations_created) == (
        18, 18 + len(others), 18)
    assert deliver(smtp_runtime, NOW).sent == 18 + len(others)
    expected = sorted(u.email for u in smtp_runtime.plan.units_on(AS_OF))
    received = [r for r in smtp_server.received if r.rcpt_tos[0] not in others]
    assert sorted(r.rcpt_tos[0] for r in received) == expected
    for r in received:
        names = [p.get_filename() for p in r.message.iter_attachments()]
        assert len(names) == 3 and all(n.endswith(".docx") for n in names)
        assert any(n.startswith("Đề cương báo cáo") for n in names)
        for part in r.message.iter_attachments():
            Docx(io.BytesIO(part.get_content()))  # opens as Word
        assert "trước ngày 06/4/2024" in r.message["Subject"]
    letter = next(p for p in received[0].message.iter_attachments()
                  if p.get_filename().startswith("Công văn"))
    path = tmp_path / "letter.docx"
    path.write_bytes(letter.get_content())
    assert check(path) == []


def test_running_notify_again_sends_nothing_new(smtp_runtime, smtp_server):
    notify(smtp_runtime, AS_OF)
    deliver(smtp_runtime, NOW)
    again = notify(smtp_runtime, AS_OF + dt.timedelta(days=1))
    assert (again.messages_queued, again.obligations_created, again.documents_rendered) == (0, 0, 0)
    assert deliver(smtp_runtime, NOW + dt.timedelta(days=1)).sent == 0
    assert len(smtp_server.received) == 21  # 18 communes, 3 other recipients
    assert counts(smtp_runtime) == {"pending": 0, "sent": 21, "failed": 0}


def test_notify_records_obligations_documents_the_step_and_an_audit_entry(sqlite_runtime):
    notify(sqlite_runtime, AS_OF)
    with sqlite_runtime.db.unit_of_work() as s:
        obligations = list(s.scalars(select(Obligation)))
        reports = [o for o in obligations if o.kind == "report"]
        assert len(reports) == 18 and {o.due_on for o in reports} == {dt.date(2024, 4, 6)}
        assert [(o.kind, o.key) for o in obligations if o.kind != "report"] == [
            ("assignment", "assignment:finance-allocation")]
        assert s.scalar(select(func.count(Document.id))) == 37
        assert s.scalar(select(Step.status).where(Step.key == "notify")) == "done"
        assert s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "notify.run")) == 1
