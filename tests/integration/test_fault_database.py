"""The database unavailable when a step starts: the step fails cleanly with a clear message and retries.

"Unavailable" is real: a PostgreSQL URL to a closed port, and a loopback proxy in front of the
test server that hangs up on the first connections (a server restarting) before it forwards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading
import time
from contextlib import suppress

import pytest
import sqlalchemy as sa
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

from giamsat.domain.errors import DatabaseUnavailable
from tasks.common import open_runtime
from tests.conftest import CONFIG

pytestmark = pytest.mark.prefect
NOTIFY_DAY = dt.date(2024, 4, 1)


class FlakyProxy:
    """Hangs up on the first ``refuse`` connections, then forwards to ``target`` byte for byte."""

    def __init__(self, target: tuple[str, int], refuse: int) -> None:
        self.target, self.refuse, self.accepted = target, refuse, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                self.accepted += 1
                if self.accepted <= self.refuse:
                    client.close()
                    continue
                upstream = socket.create_connection(self.target)
                for a, b in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        """Stop accepting."""
        self.listener.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _task_runs(flow_run_id, seconds: float = 30) -> list:
    """The run's task runs once each is recorded in a final state (the server records them from
    their events, once a second)."""
    async def read():
        async with get_client() as client:
            return await client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[flow_run_id])))
    deadline = time.monotonic() + seconds
    while True:
        runs = asyncio.run(read())
        if (runs and all(r.state is not None and r.state.is_final() for r in runs)) \
                or time.monotonic() > deadline:
            return runs
        time.sleep(0.2)


@pytest.fixture
def quick_retries(monkeypatch):
    """The flows' open-runtime task with its three retries but no waiting between them."""
    import tasks.common

    monkeypatch.setattr(tasks.common, "open_runtime", open_runtime.with_options(retry_delay_seconds=0))


def test_a_step_whose_database_is_down_fails_with_a_clear_message_after_its_retries(
        prefect_harness, quick_retries, tmp_path, monkeypatch):
    from flows.notify import notify_flow

    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIAMSAT_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{_closed_port()}/giamsat")
    state = notify_flow(as_of=NOTIFY_DAY, config=str(CONFIG), return_state=True)
    assert state.is_failed()
    with pytest.raises(DatabaseUnavailable, match="Không kết nối được cơ sở dữ liệu"):
        state.result()
    runs = _task_runs(state.state_details.flow_run_id)
    opening = [r for r in runs if r.name.startswith("open-runtime")]
    assert len(opening) == 1 and opening[0].run_count == 4  # the first try and three retries
    assert not [r for r in runs if not r.name.startswith("open-runtime")]  # no step task started


def test_a_plan_error_is_not_retried(prefect_harness, quick_retries, tmp_path, monkeypatch):
    from flows.notify import notify_flow

    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path / "home"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: 2024\n", encoding="utf-8")
    state = notify_flow(as_of=NOTIFY_DAY, config=str(bad), return_state=True)
    assert state.is_failed()
    runs = _task_runs(state.state_details.flow_run_id)
    assert [r.run_count for r in runs if r.name.startswith("open-runtime")] == [1]


@pytest.mark.postgres
def test_a_step_retries_until_a_restarting_database_answers_and_then_runs_whole(
        prefect_harness, quick_retries, fresh_postgres_url, tmp_path, monkeypatch):
    from flows.notify import notify_flow

    proxy = FlakyProxy(("127.0.0.1", 5432), refuse=2)
    database = fresh_postgres_url.rsplit("/", 1)[1]
    monkeypatch.setenv("GIAMSAT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIAMSAT_DATABASE_URL", f"postgresql://postgres@127.0.0.1:{proxy.port}/{database}")
    try:
        state = notify_flow(as_of=NOTIFY_DAY, config=str(CONFIG), return_state=True)
    finally:
        proxy.close()
    assert state.is_completed(), state.message
    assert state.result()["outbox"] == {"pending": 0, "sent": 21, "failed": 0}
    runs = _task_runs(state.state_details.flow_run_id)
    assert [r.run_count for r in runs if r.name.startswith("open-runtime")] == [3]
    engine = sa.create_engine(fresh_postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        counts = [conn.execute(sa.text(f"select count(*) from {t}")).scalar()
                  for t in ("messages", "obligations", "documents", "cycles")]
    engine.dispose()
    assert counts == [21, 19, 37, 1]  # + the plan's 3 other recipients; + the finance task
