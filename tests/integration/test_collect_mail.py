"""Reports that come in by e-mail, read from a real Dovecot over IMAP and answered to the sender."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from giamsat.collect.mail import fetch_mail
from giamsat.collect.mail_records import mail_rows
from giamsat.cycle.status import status_report
from giamsat.db.models import MailIntake, Message, Submission
from giamsat.domain.errors import MailboxUnavailable
from tests.fixtures.collect import at
from tests.fixtures.imap import mail_with

PERSONAL = "can.bo.xa@gmail.example"


def _messages(rt, kind):
    with rt.db.unit_of_work() as s:
        return [(m.to_addrs, m.subject, m.body_text) for m in s.scalars(
            select(Message).where(Message.kind == kind).order_by(Message.id))]


def _count(rt, model):
    with rt.db.unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_mailed_report_is_accepted_dated_by_its_arrival_and_acknowledged_to_the_sender(
        mail_runtime, dovecot, forms):
    rt = mail_runtime
    unit = rt.plan.units[2]
    path, _ = forms(unit, seed=3)
    arrived = at("2024-04-02", 15)
    dovecot.append(mail_with(PERSONAL, [(path.name, path.read_bytes())]), arrived)
    summary = fetch_mail(rt, at("2024-04-20"))
    assert summary.as_dict()["taken"] == 1
    with rt.db.unit_of_work() as s:
        sub = s.scalar(select(Submission))
        assert sub.status == "accepted" and sub.source == "mail"
        assert sub.received_at == arrived and not sub.late
    acks = _messages(rt, "report_ack")
    assert sorted(to for to, _, _ in acks) == [[PERSONAL], [unit.email]]
    assert all(unit.name in subject for _, subject, _ in acks)
    assert all(f"(mã đơn vị {unit.code})" in subject for _, subject, _ in acks)  # not the BC- code
    body = acks[0][2]  # read as the commune officer reads it: when, said once, date after time
    assert "đã tiếp nhận báo cáo theo đề cương" in body and "nhận và tiếp nhận" not in body
    assert "Thời điểm nhận: 15:00 ngày 02/4/2024" in body
    assert dovecot.flags() == {"1": "\\Seen $GiamsatTaken"}


def test_an_invalid_mailed_report_gets_the_please_correct_answer(mail_runtime, dovecot, forms):
    rt = mail_runtime
    unit = rt.plan.units[4]
    path, _ = forms(unit, fault="text_in_number")
    dovecot.append(mail_with(unit.email, [(path.name, path.read_bytes())]), at("2024-04-02"))
    fetch_mail(rt, at("2024-04-03"))
    corrections = _messages(rt, "report_correct")
    assert [to for to, _, _ in corrections] == [[unit.email]]  # the sender is the unit: once
    assert "khoảng 20" in corrections[0][2]
    assert _messages(rt, "report_ack") == []


def test_a_message_without_a_form_is_kept_for_a_person_and_the_office_is_told(
        mail_runtime, dovecot, forms):
    rt = mail_runtime
    dovecot.append(mail_with(PERSONAL, [("scan.pdf", b"%PDF-1.4 scan")], subject="Xin hỏi về biểu mẫu",
                             text="Cho hỏi mục B ghi thế nào?"), at("2024-04-01"))
    summary = fetch_mail(rt, at("2024-04-02"))
    assert summary.as_dict()["needs_person"] == 1
    told = _messages(rt, "mail_kept")
    assert told[0][0] == ["phonglaodong@vuban.example"]
    assert "Xin hỏi về biểu mẫu" in told[0][1] and PERSONAL in told[0][2]
    waiting = status_report(rt, dt.date(2024, 4, 2))["mail_waiting"]
    assert [(w["sender"], w["status_label"], w["files"]) for w in waiting] == [
        (PERSONAL, "chờ cán bộ xem", ["scan.pdf"])]
    assert dovecot.flags() == {"1": "$GiamsatTaken"}  # still unread in the office's mail client
    assert _count(rt, Submission) == 0


def test_two_forms_in_one_message_are_two_reports_and_the_signed_pdf_is_kept(
        mail_runtime, dovecot, forms):
    rt = mail_runtime
    a, b = rt.plan.units[0], rt.plan.units[1]
    pa, _ = forms(a, seed=1)
    pb, _ = forms(b, seed=2)
    files = [(pa.name, pa.read_bytes()), (pb.name, pb.read_bytes()), ("ky-so.pdf", b"%PDF-1.7 signed")]
    dovecot.append(mail_with(a.email, files), at("2024-04-02"))
    summary = fetch_mail(rt, at("2024-04-03"))
    outcome = summary.messages[0]
    assert [f.get("status", f["kind"]) for f in outcome.files] == ["accepted", "accepted", "signed"]
    pdf = outcome.files[2]
    assert (rt.home / pdf["stored_path"]).read_bytes() == b"%PDF-1.7 signed"
    with rt.db.unit_of_work() as s:
        subs = s.scalars(select(Submission).order_by(Submission.id)).all()
        assert [x.status for x in subs] == ["accepted", "accepted"]
        assert sorted(pdf["signed_for"]) == [x.id for x in subs]


def test_the_same_message_fetched_twice_or_delivered_twice_is_taken_once(
        mail_runtime, dovecot, forms):
    rt = mail_runtime
    unit = rt.plan.units[3]
    path, _ = forms(unit, seed=4)
    raw = mail_with(unit.email, [(path.name, path.read_bytes())], message_id="<bc-1@xa.example>")
    dovecot.append(raw, at("2024-04-02"))
    fetch_mail(rt, at("2024-04-03"))
    again = fetch_mail(rt, at("2024-04-03"))
    assert again.as_dict()["messages"] == 0
    conn = dovecot.connect()  # someone clears the flag in a mail client: still not taken again
    conn.uid("STORE", "1", "-FLAGS", "($GiamsatTaken)")
    conn.logout()
    assert fetch_mail(rt, at("2024-04-04")).already == 1
    dovecot.append(raw, at("2024-04-02", 10))  # the same message delivered a second time
    third = fetch_mail(rt, at("2024-04-04"))
    assert third.as_dict()["duplicate"] == 1
    assert _count(rt, Submission) == 1 and len(_messages(rt, "report_ack")) == 1
    assert _count(rt, MailIntake) == 2


def test_the_mail_server_down_gives_a_clear_message_and_the_next_run_takes_the_mail(
        mail_runtime, dovecot, forms):
    rt = mail_runtime
    unit = rt.plan.units[5]
    path, _ = forms(unit, seed=6)
    dovecot.append(mail_with(unit.email, [(path.name, path.read_bytes())]), at("2024-04-02"))
    dovecot.stop()
    with pytest.raises(MailboxUnavailable) as err:
        fetch_mail(rt, at("2024-04-03"))
    text = str(err.value)
    assert text.startswith("Không kết nối được hộp thư vanphong@127.0.0.1")
    assert "lần chạy sau sẽ tiếp tục" in text and dovecot.password not in text
    assert _count(rt, Submission) == 0
    dovecot.start()
    assert fetch_mail(rt, at("2024-04-03")).as_dict()["taken"] == 1


def test_a_wrong_password_is_refused_without_showing_it(mail_runtime, dovecot):
    from pydantic import SecretStr

    wrong = "Sai-mat-khau-9x8y7z"
    rt = mail_runtime.replace(settings=mail_runtime.settings.model_copy(
        update={"imap_password": SecretStr(wrong)}))
    with pytest.raises(MailboxUnavailable) as err:
        fetch_mail(rt, at("2024-04-03"))
    assert "từ chối đăng nhập" in str(err.value) and wrong not in str(err.value)


def test_mail_rows_list_every_message_with_its_vietnamese_status(mail_runtime, dovecot, forms):
    rt = mail_runtime
    unit = rt.plan.units[6]
    path, _ = forms(unit, seed=7)
    dovecot.append(mail_with(unit.email, [(path.name, path.read_bytes())]), at("2024-04-02"))
    dovecot.append(mail_with(PERSONAL, [], subject="Hỏi"), at("2024-04-02", 11))
    fetch_mail(rt, at("2024-04-03"))
    assert [(r["subject"], r["status_label"]) for r in mail_rows(rt)] == [
        ("Hỏi", "chờ cán bộ xem"), ("Báo cáo giám sát", "đã tiếp nhận")]


_KILLED_CHILD = """
import os, signal, sys
from pathlib import Path
from giamsat.collect import mail, mail_records
from giamsat.cycle.sync import open_cycle
from giamsat.messaging.imap import ImapMailbox
from tests.fixtures.collect import at

config, home, url, port, password, where = sys.argv[1:7]
rt = open_cycle(Path(config), at("2024-04-03"), home=Path(home), database_url=url,
                imap_host="127.0.0.1", imap_port=int(port), imap_security="none",
                imap_user="vanphong", imap_password=password)
calls = []

def die_at_second(real):
    def wrapped(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapped

if where == "recording":  # the first message's form and mail row are written, not committed
    mail_records.record_mail = die_at_second(mail_records.record_mail)
else:  # the chunk is committed; the first message is flagged taken on the server, the rest not
    ImapMailbox.mark_taken = die_at_second(ImapMailbox.mark_taken)
mail.fetch_mail(rt, at("2024-04-03"))
"""


def _fetch_killed(rt, dovecot, forms, where: str) -> None:
    import subprocess
    import sys

    from tests.conftest import CONFIG, ROOT

    for i, unit in enumerate(rt.plan.units[:3]):
        path, _ = forms(unit, seed=20 + i)
        dovecot.append(mail_with(unit.email, [(path.name, path.read_bytes())]), at("2024-04-02", 8 + i))
    child = subprocess.run([sys.executable, "-c", _KILLED_CHILD, str(CONFIG), str(rt.home),
                            rt.settings.db_url, str(dovecot.port), dovecot.password, where],
                           cwd=ROOT, capture_output=True, timeout=300)
    assert child.returncode == -9, child.stderr.decode()[-2000:]


def _all_taken_once(rt, dovecot) -> None:
    with rt.db.unit_of_work() as s:
        assert s.scalar(select(func.count(func.distinct(Submission.sha256)))) == 3
    assert _count(rt, Submission) == 3 and _count(rt, MailIntake) == 3
    assert len(_messages(rt, "report_ack")) == 3
    assert set(dovecot.flags().values()) == {"\\Seen $GiamsatTaken"}


def test_a_fetch_killed_while_recording_leaves_nothing_half_written_and_resumes(
        mail_runtime, dovecot, forms):
    rt = mail_runtime
    _fetch_killed(rt, dovecot, forms, "recording")
    assert _count(rt, Submission) == 0 and _count(rt, MailIntake) == 0  # one transaction: all or none
    assert not _messages(rt, "report_ack")
    resumed = fetch_mail(rt, at("2024-04-03"))
    assert resumed.as_dict()["taken"] == 3 and resumed.already == 0
    _all_taken_once(rt, dovecot)


def test_a_fetch_killed_between_recording_and_marking_resumes_without_loss_or_double(
        mail_runtime, dovecot, forms):
    rt = mail_runtime
    _fetch_killed(rt, dovecot, forms, "marking")
    assert _count(rt, Submission) == 3 and _count(rt, MailIntake) == 3  # committed before flagging
    assert "$GiamsatTaken" in dovecot.flags()["1"] and "$GiamsatTaken" not in dovecot.flags()["2"]
    resumed = fetch_mail(rt, at("2024-04-03"))
    assert resumed.as_dict()["messages"] == 0 and resumed.already == 2  # only flagged now
    _all_taken_once(rt, dovecot)


def test_the_imap_password_never_reaches_logs_database_files_or_output(mail_runtime, dovecot, forms):
    import os
    import subprocess
    import sys

    from tests.conftest import CONFIG, ROOT

    rt = mail_runtime
    unit = rt.plan.units[8]
    path, _ = forms(unit, seed=9)
    dovecot.append(mail_with(unit.email, [(path.name, path.read_bytes())]), at("2024-04-02"))
    env = {**os.environ, **dovecot.env(), "GIAMSAT_HOME": str(rt.home), "GIAMSAT_CONFIG": str(CONFIG),
           "GIAMSAT_DATABASE_URL": rt.settings.db_url}
    cli = [sys.executable, "-m", "giamsat"]
    outputs = [subprocess.run(cli + ["inbox", "fetch", "--as-of", "2024-04-03", *extra], env=env,
                              cwd=ROOT, capture_output=True, timeout=300) for extra in ([], ["--json"])]
    outputs.append(subprocess.run(cli + ["inbox", "list"], env=env, cwd=ROOT, capture_output=True,
                                  timeout=300))
    assert outputs[0].returncode == 0, outputs[0].stderr.decode()
    assert "1 tiếp nhận" in outputs[0].stdout.decode()
    dovecot.stop()  # the error path must not show it either
    outputs.append(subprocess.run(cli + ["inbox", "fetch"], env=env, cwd=ROOT, capture_output=True,
                                  timeout=300))
    assert outputs[-1].returncode == 1 and "Không kết nối được hộp thư" in outputs[-1].stderr.decode()
    secret = dovecot.password.encode()
    for out in outputs:
        assert secret not in out.stdout and secret not in out.stderr
    for f in rt.home.rglob("*"):
        if f.is_file():
            assert secret not in f.read_bytes(), f
    with rt.db.unit_of_work() as s:
        from sqlalchemy import text
        for table in ("mail_intake", "messages", "audit_log", "submissions"):
            rows = s.execute(text(f"SELECT * FROM {table}")).all()
            assert dovecot.password not in repr(rows), table


def test_the_notify_and_reminder_e_mails_invite_the_reply_with_the_form(sqlite_runtime):
    from giamsat.messaging.templates import environment

    rt = sqlite_runtime
    footer_ctx = {"office_name": "Phòng Lao động - TB&XH"}
    reminder = environment().get_template("reminder.txt.j2").render(footer_ctx | {
        "kind": "report", "escalated": False, "body": "Chưa nhận được báo cáo.", "unit_name": "xã Liên Minh",
        "office_email": "phonglaodong@vuban.example", "greeting": "UBND xã Liên Minh", "returned": False,
        "to_commune": True, "to_office": False})
    assert "trả lời thư này và đính kèm tệp đề cương đã điền" in reminder
    assert "không trả lời" not in reminder.lower()
    assert rt.delivery().reply_to == "phonglaodong@vuban.example"
