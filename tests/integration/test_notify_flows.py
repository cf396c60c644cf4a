"""The notify and remind flows under Prefect, against a loopback SMTP server that refuses at first."""

import datetime as dt

import pytest

from tests.conftest import CONFIG

pytestmark = pytest.mark.prefect


def test_flows_deliver_every_message_once_despite_temporary_refusals(
        prefect_harness, smtp_env, tmp_path, monkeypatch):
    from flows.notify import notify_flow
    from flows.remind import remind_flow

    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIAMSAT_SMTP_RETRY_DELAYS", "[0.2, 0.2, 0.2]")
    smtp_env.handler.script.tempfail_data = 2
    result = notify_flow(as_of=dt.date(2024, 4, 1), config=str(CONFIG))
    assert result == {"queued": 18, "units": 18, "all_delivered": True, "waiting_for_signature": 0,
                      "outbox": {"pending": 0, "sent": 18, "failed": 0}}
    assert len(smtp_env.received) == 18
    assert sorted(smtp_env.handler.by_message_id().values()) == [1] * 18
    again = notify_flow(as_of=dt.date(2024, 4, 1), config=str(CONFIG))
    assert again["queued"] == 0 and len(smtp_env.received) == 18
    reminded = remind_flow(as_of=dt.date(2024, 4, 2), config=str(CONFIG))
    assert reminded["queued"] == 18 and len(smtp_env.received) == 36
