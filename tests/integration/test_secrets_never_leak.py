"""The SMTP password and a database password never appear in logs, the database, files or output.

The SMTP peer is a real aiosmtpd server that requires AUTH, refuses it and — like a careless
server — echoes the credentials it received (in clear and as AUTH PLAIN base64) in its refusal.
"""

import asyncio
import base64
import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import time

import pytest
from sqlalchemy import inspect, select, text

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Message
from giamsat.db.session import Database
from giamsat.domain import clock
from giamsat.domain.errors import DatabaseError, DeliveryError
from giamsat.messaging.delivery import deliver
from giamsat.notify.service import notify
from tests.conftest import CONFIG, OPENED_AT, ROOT

MARKER = "Mk-9f2c7e-BI-MAT"
USER = "canbo@phong.vn"
FORMS = [MARKER, base64.b64encode(f"\0{USER}\0{MARKER}".encode()).decode(),
         base64.b64encode(MARKER.encode()).decode()]


def assert_clean(where: str, content: str) -> None:
    for form in FORMS:
        assert form not in content, f"secret found in {where}"


@pytest.fixture
def echoing_auth_server():
    """An aiosmtpd server that requires AUTH and refuses it, quoting what it was sent."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def refuse(server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        plain = base64.b64encode(f"\0{login}\0{password}".encode()).decode()
        return AuthResult(success=False, handled=False,
                          message=f"535 5.7.8 sai thông tin {login}:{password} ({plain})")

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, authenticator=refuse,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    yield "127.0.0.1", port
    controller.stop()


def _smtp_env(host, port, home):
    return {"GIAMSAT_HOME": str(home), "GIAMSAT_CHANNEL": "smtp", "GIAMSAT_SMTP_HOST": host,
            "GIAMSAT_SMTP_PORT": str(port), "GIAMSAT_SMTP_SECURITY": "none", "GIAMSAT_SMTP_USER": USER,
            "GIAMSAT_SMTP_PASSWORD": MARKER, "GIAMSAT_SMTP_TIMEOUT": "5",
            "GIAMSAT_SMTP_RETRY_DELAYS": "[]"}


def _dump(db: Database) -> str:
    with db.engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return "\n".join(str(row) for name in names for row in conn.execute(text(f'SELECT * FROM "{name}"')))


def _files(home) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in home.rglob("*")
                     if p.is_file() and p.suffix != ".docx" and p.stat().st_size < 5_000_000)


def test_a_refused_smtp_login_leaves_the_password_nowhere(echoing_auth_server, db_url, tmp_path, caplog):
    host, port = echoing_auth_server
    caplog.set_level(logging.DEBUG)
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=db_url, channel="smtp",
                    smtp_host=host, smtp_port=port, smtp_security="none", smtp_user=USER,
                    smtp_password=MARKER, smtp_timeout=5)
    try:
        notify(rt, dt.date(2024, 4, 1))
        with pytest.raises(DeliveryError) as refused:  # permanent: the operator must fix the setting
            deliver(rt, clock.at_office_hours(dt.date(2024, 4, 1), 10))
        assert "từ chối đăng nhập" in str(refused.value)
        assert "sai thông tin canbo@phong.vn:*** (***)" in str(refused.value)
        assert_clean("the exception", f"{refused.value!s} {refused.value!r} {refused.value.args}")
        with rt.db.unit_of_work() as s:
            assert s.scalars(select(Message.status)).all()
        assert_clean("the database", _dump(rt.db))
        assert_clean("repr(settings)", repr(rt.settings) + str(rt.delivery()))
    finally:
        rt.db.dispose()
    ours = [r for r in caplog.records if not r.name.startswith("mail.log")]
    assert_clean("the log records", "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in ours))
    assert_clean("the files under home", _files(tmp_path / "home"))


def test_the_cli_and_a_prefect_flow_never_print_or_log_the_smtp_password(
        echoing_auth_server, prefect_harness, tmp_path, monkeypatch):
    host, port = echoing_auth_server
    env = _smtp_env(host, port, tmp_path / "cli-home")
    out = subprocess.run([sys.executable, "-m", "giamsat", "notify", "--as-of", "2024-04-01"],
                         capture_output=True, text=True, cwd=ROOT, env={**os.environ, **env}, timeout=180)
    assert out.returncode == 1 and "từ chối đăng nhập" in out.stderr, out.stdout + out.stderr
    assert_clean("the CLI output", out.stdout + out.stderr)

    from prefect.client.orchestration import get_client

    from flows.notify import notify_flow

    for key, value in _smtp_env(host, port, tmp_path / "flow-home").items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GIAMSAT_DATABASE_URL", raising=False)
    state = notify_flow(as_of=dt.date(2024, 4, 1), config=str(CONFIG), return_state=True)
    run_id = state.state_details.flow_run_id

    async def logs_and_artifacts():
        from prefect.client.schemas.filters import FlowRunFilter, LogFilter, LogFilterFlowRunId

        async with get_client() as client:
            logs = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
            arts = await client.read_artifacts(flow_run_filter=FlowRunFilter(id={"any_": [run_id]}))
            run = await client.read_flow_run(run_id)
            return logs, arts, run
    for _ in range(30):  # logs reach the API in batches from a background worker
        logs, arts, run = asyncio.run(logs_and_artifacts())
        logged = "\n".join(entry.message for entry in logs)
        if "từ chối đăng nhập" in logged:
            break
        time.sleep(0.5)
    assert "từ chối đăng nhập" in logged and "canbo@phong.vn:***" in logged
    assert_clean("the Prefect logs", logged)
    assert_clean("the Prefect artifacts", "\n".join(str(a.data) + str(a.description) for a in arts))
    assert_clean("the flow run", str(run.parameters) + str(run.state))
    assert_clean("the flow's files", _files(tmp_path / "flow-home"))


@pytest.mark.parametrize("url", ["postgresql://u:{pw}@127.0.0.1:abc/db", "postgres://u:{pw}@127.0.0.1/db",
                                 "postgresql://postgres:{pw}@127.0.0.1:1/db"])
def test_a_database_url_with_a_password_never_shows_it_in_an_error(url):
    url = url.format(pw=MARKER)
    with pytest.raises(DatabaseError) as failed:
        db = Database(url)
        with db.unit_of_work() as s:
            s.execute(text("SELECT 1"))
    assert_clean("the error", str(failed.value))
    assert "***" in str(failed.value) or "Không kết nối" in str(failed.value) or "Lỗi" in str(failed.value)


def test_the_cli_reports_a_bad_database_url_without_traceback_or_password(tmp_path):
    env = {**os.environ, "GIAMSAT_HOME": str(tmp_path),
           "GIAMSAT_DATABASE_URL": f"postgresql://u:{MARKER}@127.0.0.1:abc/db"}
    out = subprocess.run([sys.executable, "-m", "giamsat", "status"], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert "Địa chỉ cơ sở dữ liệu không hợp lệ (postgresql://u:***@127.0.0.1:abc/db)" in out.stderr
    assert_clean("the CLI output", out.stdout + out.stderr)
