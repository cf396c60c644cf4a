"""The mail server down for hours: messages stay pending and say why, then go out once when it returns."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
from contextlib import contextmanager

import pytest

from giamsat.cycle.status import status_report
from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.messaging.delivery import counts, deliver, list_messages
from giamsat.notify.service import notify
from tests.conftest import CONFIG, OPENED_AT, ROOT
from tests.fixtures.smtp import RecordingHandler

NOTIFY_DAY = dt.date(2024, 4, 1)
NOW = clock.at_office_hours(NOTIFY_DAY)
DOWN = "Không kết nối được máy chủ thư 127.0.0.1:"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _mail_server(port: int):
    """The loopback SMTP server, started on ``port`` only now."""
    from aiosmtpd.controller import Controller

    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def down_port() -> int:
    return _free_port()


@pytest.fixture
def smtp_down_runtime(db_url, tmp_path, down_port):
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=db_url, channel="smtp",
                    smtp_host="127.0.0.1", smtp_port=down_port, smtp_security="none", smtp_timeout=5)
    yield rt
    rt.db.dispose()


def test_messages_wait_while_the_server_is_down_for_hours_then_each_goes_out_once(
        smtp_down_runtime, down_port):
    rt = smtp_down_runtime
    assert notify(rt, NOTIFY_DAY).messages_queued == 21
    for hours in (0, 1, 3, 6, 12):
        result = deliver(rt, NOW + dt.timedelta(hours=hours))
        assert (result.sent, result.failed, result.deferred) == (0, 0, 21)
    assert counts(rt) == {"pending": 21, "sent": 0, "failed": 0}
    for m in list_messages(rt):
        assert m.attempts == 5 and m.last_error.startswith(f"{DOWN}{down_port}")
        assert m.claim_token is None  # given back: the next run may take it at once
    report = status_report(rt, dt.date(2024, 4, 2))
    assert "21 thư đang chờ gửi, đã thử tối đa 5 lần; lỗi gần nhất: " + DOWN in report["outbox"]["summary"]
    notify_row = next(s for s in report["steps"] if s["key"] == "notify")
    assert notify_row["waiting_for"].startswith(f"18/18 thư thông báo chưa gửi được ({DOWN}{down_port}")
    assert notify_row["state"] != "done"  # not "Hoàn thành" beside 18/18 e-mails unsent
    with _mail_server(down_port) as server:
        assert deliver(rt, NOW + dt.timedelta(hours=18)).sent == 21
        assert deliver(rt, NOW + dt.timedelta(hours=19)).sent == 0
    assert sorted(server.by_message_id().values()) == [1] * 21
    after = status_report(rt, dt.date(2024, 4, 2))
    assert after["outbox"]["summary"] == "Hộp thư đi: đã gửi hết 21 thư."
    assert next(s for s in after["steps"] if s["key"] == "notify")["state"] == "done"


def _unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "giamsat", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "COLUMNS": "250", **env}, timeout=120)


def test_status_and_outbox_commands_say_the_mail_server_is_unreachable(tmp_path, down_port):
    env = {"GIAMSAT_HOME": str(tmp_path / "home"), "GIAMSAT_CONFIG": str(CONFIG),
           "GIAMSAT_CHANNEL": "smtp", "GIAMSAT_SMTP_HOST": "127.0.0.1",
           "GIAMSAT_SMTP_PORT": str(down_port), "GIAMSAT_SMTP_SECURITY": "none"}
    sent = _cli("notify", "--as-of", "2024-04-01", env=env)
    assert sent.returncode == 0, sent.stderr
    assert "Đã gửi 0 thư qua kênh smtp" in sent.stdout and "chờ gửi lại 21" in sent.stdout
    status = _cli("status", "--as-of", "2024-04-02", env=env)
    assert status.returncode == 0, status.stderr
    assert "18/18 thư thông báo chưa gửi được (Không kết nối được máy chủ thư" in status.stdout
    assert "Hộp thư đi: 0 thư đã gửi; 21 thư đang chờ gửi, đã thử tối đa 1 lần" in status.stdout
    listing = _cli("outbox", "--status", "pending", env=env)
    assert listing.returncode == 0 and listing.stdout.count(DOWN) >= 18, listing.stdout
    with _mail_server(down_port) as server:
        again = _cli("outbox", "send", env=env)
    assert "Đã gửi 21 thư qua kênh smtp" in again.stdout, again.stdout + again.stderr
    assert sorted(server.by_message_id().values()) == [1] * 21


@pytest.mark.prefect
def test_the_notify_flow_reports_the_unreachable_server_in_the_ui_and_delivers_on_its_return(
        prefect_harness, tmp_path, monkeypatch, down_port):
    import asyncio

    from prefect.client.orchestration import get_client

    from flows.notify import notify_flow

    for name, value in {"GIAMSAT_HOME": str(tmp_path / "home"), "GIAMSAT_CHANNEL": "smtp",
                        "GIAMSAT_SMTP_HOST": "127.0.0.1", "GIAMSAT_SMTP_PORT": str(down_port),
                        "GIAMSAT_SMTP_SECURITY": "none", "GIAMSAT_SMTP_RETRY_DELAYS": "[0, 0]"}.items():
        monkeypatch.setenv(name, value)
    state = notify_flow(as_of=NOTIFY_DAY, config=str(CONFIG), return_state=True)
    # what the Prefect UI shows for the run: not a plain "Completed"
    assert state.name == "Còn thư chưa gửi" and state.message.startswith("21 thư chưa gửi được: " + DOWN)
    first = state.result()
    assert first["all_delivered"] is False and first["outbox"] == {"pending": 21, "sent": 0, "failed": 0}

    async def cycle_status():
        async with get_client() as client:
            return next(a for a in await client.read_latest_artifacts() if a.key == "cycle-status")

    artifact = asyncio.run(cycle_status())
    description = _unescaped(artifact.description)  # the UI's text is inert markdown
    assert "21 thư đang chờ gửi, đã thử tối đa 3 lần; lỗi gần nhất: " + DOWN in description
    notify_row = next(r for r in json.loads(artifact.data) if "Thông báo" in _unescaped(r["Bước"]))
    waiting = _unescaped(notify_row["Đang chờ"])
    assert waiting.startswith(f"18/18 thư thông báo chưa gửi được ({DOWN}{down_port}")
    with _mail_server(down_port) as server:
        done = notify_flow(as_of=NOTIFY_DAY, config=str(CONFIG), return_state=True)
    assert done.name == "Completed"
    second = done.result()
    assert second["all_delivered"] is True and second["outbox"]["sent"] == 21
    assert sorted(server.by_message_id().values()) == [1] * 21
