"""What a mail server says is shown and stored without the password; a refused login leaves a trace.

The peers are real aiosmtpd servers on loopback: one accepts the login and then quotes the
password (in clear and as AUTH PLAIN base64) in every refusal, one refuses the login itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import imaplib
import json
import socket
import tarfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import inspect, text

from giamsat.archive import service as archive
from giamsat.cycle.status import status_report
from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.domain.errors import DeliveryError
from giamsat.domain.formatting import short_date
from giamsat.messaging import delivery
from giamsat.messaging.drain import claim_batch
from giamsat.messaging.imap import ImapMailbox
from giamsat.notify.service import notify
from giamsat.settings import MailboxSettings
from tests.conftest import CONFIG, OPENED_AT

PASSWORD = "Mk-7d1e-BI-MAT"
USER = "canbo@phong.vn"
FORMS = [PASSWORD, base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode(),
         base64.b64encode(PASSWORD.encode()).decode()]
DAY = dt.date(2024, 4, 1)
NOW = clock.at_office_hours(DAY, 10)


def _assert_clean(where: str, content: str) -> None:
    for form in FORMS:
        assert form not in content, f"the password is in {where}"


@contextmanager
def _server(accept_login: bool):
    """An aiosmtpd server requiring AUTH; after login it refuses every recipient quoting the password."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticate(server, session, envelope, mechanism, auth_data):
        if accept_login:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False, message="535 5.7.8 sai mật khẩu")

    class Careless:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            login, password = session.auth_data.login.decode(), session.auth_data.password.decode()
            plain = base64.b64encode(f"\0{login}\0{password}".encode()).decode()
            return f"550 5.1.1 {address} không tồn tại (phiên {login}:{password} {plain})"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Careless(), hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def _open(db_url: str, home, port: int):
    return open_cycle(CONFIG, OPENED_AT, home=home, database_url=db_url, channel="smtp",
                      smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_user=USER,
                      smtp_password=PASSWORD, smtp_timeout=5)


def _dump(rt) -> str:
    with rt.db.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return "\n".join(str(r) for n in names for r in conn.execute(text(f'SELECT * FROM "{n}"')))


def test_a_password_the_server_echoes_after_login_is_stored_and_shown_nowhere(db_url, tmp_path):
    with _server(accept_login=True) as port:
        rt = _open(db_url, tmp_path / "home", port)
        try:
            notify(rt, DAY)
            result = delivery.deliver(rt, NOW)
            assert result.failed == 21 and result.sent == 0  # 18 communes, 3 other recipients
            stored = [m.last_error for m in delivery.list_messages(rt)]
            assert all("không tồn tại (phiên canbo@phong.vn:*** ***)" in e for e in stored), stored[0]
            _assert_clean("the errors of the run", "\n".join(result.errors))
            _assert_clean("the database", _dump(rt))
            _assert_clean("status --json", json.dumps(status_report(rt, DAY), ensure_ascii=False,
                                                      default=str))
            out = archive.export_cycle(rt, tmp_path / "xuat.tar.gz", NOW).path
            with tarfile.open(out) as tar:
                exported = b"".join(tar.extractfile(m).read() for m in tar if m.isfile())
            _assert_clean("the export", exported.decode("utf-8", "replace"))
        finally:
            rt.db.dispose()


def test_a_refused_login_is_recorded_on_every_message_and_the_outbox_says_what_to_do(db_url, tmp_path):
    with _server(accept_login=False) as port:
        rt = _open(db_url, tmp_path / "home", port)
        try:
            notify(rt, DAY)
            with pytest.raises(DeliveryError) as refused:
                delivery.deliver(rt, NOW)
            assert refused.value.permanent and "từ chối đăng nhập" in str(refused.value)
            messages = delivery.list_messages(rt)
            assert len(messages) == 21  # 18 communes and the plan's 3 other recipients
            for m in messages:
                assert m.status == "pending" and m.attempts == 1 and m.claim_token is None
                assert "từ chối đăng nhập của canbo@phong.vn: 535 5.7.8 sai mật khẩu" in m.last_error
            line = delivery.health_line(delivery.health(rt))
            assert "21 thư đang chờ gửi, đã thử tối đa 1 lần; lỗi gần nhất: Máy chủ thư" in line
            assert "sửa tên đăng nhập hoặc mật khẩu" in line and "giamsat outbox send" in line
            assert "lần chạy tiếp theo" not in line
        finally:
            rt.db.dispose()


def test_after_a_killed_drain_the_outbox_tells_until_when_its_claim_holds_the_messages(runtime):
    notify(runtime, DAY)
    claimed_at = clock.now()
    claim_batch(runtime.db, 5, cycle_id=runtime.cycle_id)  # claimed, then the process was killed
    h = delivery.health(runtime, real_now=claimed_at)
    until = (claimed_at + dt.timedelta(minutes=15)).astimezone(clock.TZ)
    assert h["held"] == 5
    line = delivery.health_line(h)
    assert f"5 thư đang được một lần gửi giữ (đang chạy, hoặc đã bị dừng giữa chừng) đến " \
           f"{until:%H:%M} ngày {short_date(until)}, chỉ gửi lại được sau giờ đó" in line
    assert "16 thư gửi được ngay bây giờ: giamsat outbox send" in line
    assert "sẽ gửi ở lần chạy tiếp theo" not in line
    later = delivery.health(runtime, real_now=claimed_at + dt.timedelta(minutes=16))
    assert later["held"] == 0 and "21 thư gửi được ngay bây giờ" in delivery.health_line(later)


@pytest.mark.prefect
def test_the_remind_run_fails_and_says_why_when_the_mail_server_refuses_the_login(
        prefect_harness, tmp_path, monkeypatch):
    from flows.remind import remind_flow

    with _server(accept_login=False) as port:
        for key, value in {"GIAMSAT_HOME": str(tmp_path / "home"), "GIAMSAT_CHANNEL": "smtp",
                           "GIAMSAT_SMTP_HOST": "127.0.0.1", "GIAMSAT_SMTP_PORT": str(port),
                           "GIAMSAT_SMTP_SECURITY": "none", "GIAMSAT_SMTP_USER": USER,
                           "GIAMSAT_SMTP_PASSWORD": PASSWORD, "GIAMSAT_SMTP_TIMEOUT": "5",
                           "GIAMSAT_SMTP_RETRY_DELAYS": "[0]"}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("GIAMSAT_DATABASE_URL", raising=False)
        rt = open_cycle(CONFIG, OPENED_AT)
        try:
            notify(rt, DAY)  # 18 notices waiting in the outbox
        finally:
            rt.db.dispose()
        state = remind_flow(as_of=dt.date(2024, 4, 2), config=str(CONFIG), return_state=True)
    assert state.is_failed()
    with pytest.raises(DeliveryError) as failed:
        state.result()
    assert "từ chối đăng nhập" in str(failed.value)
    _assert_clean("the failed run", str(failed.value) + str(state.message))


def test_an_imap_reply_quoting_the_login_is_redacted_in_every_form():
    settings = MailboxSettings(host="127.0.0.1", port=143, security="none", user=USER,
                               password=SecretStr(PASSWORD), maildir=Path("/nonexistent"))
    mailbox = ImapMailbox(settings, max_message_bytes=1 << 20)
    said = imaplib.IMAP4.error(f"NO [AUTHENTICATIONFAILED] {FORMS[1]} / {PASSWORD} / {FORMS[2]}")
    shown = mailbox._explain("kết nối", said)
    assert "máy chủ từ chối đăng nhập" in shown and shown.count("***") == 3
    _assert_clean("the mailbox message", shown)
