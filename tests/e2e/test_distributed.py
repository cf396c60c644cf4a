"""Scaling out: a Prefect server on PostgreSQL, a process work pool pulled by two workers, giamsat's
database on PostgreSQL; notify and remind for a province-sized plan, each message sent once."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from tests.e2e.cluster import Cluster
from tests.fixtures.smtp import RecordingHandler

pytestmark = [pytest.mark.postgres, pytest.mark.prefect]

UNITS = 200
POOL = "giamsat-test"
NOTIFY_DAY, REMIND_DAYS = "2024-04-01", ("2024-04-04", "2024-04-10")  # deadline: Friday 05/4
DELIVER_RUNS = 3


class GatedHandler(RecordingHandler):
    """Once ``armed``, holds the first DATA commands until ``width`` SMTP sessions wait at once (or
    ``patience`` seconds pass), so that as many drainers hold live claims at the same time."""

    def __init__(self, width: int, patience: float = 60) -> None:
        super().__init__()
        self.width, self.patience = width, patience
        self.armed, self.waiting, self.peak = True, set(), 0

    async def handle_DATA(self, server, session, envelope):
        if self.armed:
            self.waiting.add(id(session))
            self.peak = max(self.peak, len(self.waiting))
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.patience
            while self.armed and len(self.waiting) < self.width and loop.time() < deadline:
                await asyncio.sleep(0.05)
            self.armed = False
        return await super().handle_DATA(server, session, envelope)


class MailServer:
    """The test's mail server on a fixed loopback port, down until ``start``."""

    def __init__(self, port: int) -> None:
        self.port, self.handler, self.controller = port, GatedHandler(width=DELIVER_RUNS), None

    def start(self) -> None:
        """Come up (the port was reserved when the workers were configured)."""
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     decode_data=False)
        self.controller.start()

    def stop(self) -> None:
        """Go down, if up."""
        if self.controller is not None:
            self.controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _database(admin_url: str, prefix: str):
    """A new PostgreSQL database (its name), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def smtp_peer():
    """The mail server, stopped after the test if it was started."""
    server = MailServer(_free_port())
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cluster(postgres_admin_url, smtp_peer, tmp_path):
    """Server on PostgreSQL, the deployments of a 200-unit plan on a process pool, two workers."""
    from bench.generate import write_plan

    plan = write_plan(UNITS, tmp_path / "plan.yaml", others=False)
    base = postgres_admin_url.rsplit("/", 1)[0].replace("+psycopg", "")
    with _database(postgres_admin_url, "prefect_t") as prefect_db, \
            _database(postgres_admin_url, "giamsat_t") as giamsat_db:
        port = _free_port()
        api = f"http://127.0.0.1:{port}/api"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "GIAMSAT_"))}
        env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_API_URL=api, PREFECT_UI_API_URL=api,
                   PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_WORKER_QUERY_SECONDS="1",
                   GIAMSAT_HOME=str(tmp_path / "home"), GIAMSAT_CONFIG=str(plan),
                   GIAMSAT_DATABASE_URL=f"{base}/{giamsat_db}", GIAMSAT_CHANNEL="smtp",
                   GIAMSAT_SMTP_HOST="127.0.0.1", GIAMSAT_SMTP_PORT=str(smtp_peer.port),
                   GIAMSAT_SMTP_SECURITY="none", GIAMSAT_SMTP_TIMEOUT="120",
                   GIAMSAT_SMTP_RETRY_DELAYS="[1]")
        c = Cluster(port, tmp_path, env)
        try:
            c.spawn("server", ["-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)],
                    env=env | {"PREFECT_API_DATABASE_CONNECTION_URL":
                               f"{base.replace('postgresql', 'postgresql+asyncpg')}/{prefect_db}"})
            c.wait_healthy()
            for name in ("w1", "w2"):  # they wait for the pool while the deployments are made
                c.spawn(name, ["-m", "prefect", "worker", "start", "--pool", POOL, "--type", "process",
                               "--name", name, "--limit", str(DELIVER_RUNS)])
            deploy = subprocess.run([sys.executable, "-m", "giamsat", "deploy", "--work-pool", POOL],
                                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
            assert deploy.returncode == 0, deploy.stdout + deploy.stderr
            # the delivery deployment comes after every step of the cycle (its number follows them)
            assert re.search(rf"synthetic-{UNITS}-\d+-deliver ", deploy.stdout), deploy.stdout
            c.databases = {"prefect": f"{base}/{prefect_db}",
                           "giamsat": f"{base}/{giamsat_db}"}
            yield c
        finally:
            c.stop()


def _query(url: str, sql: str) -> list[sa.Row]:
    engine = sa.create_engine(url.replace("postgresql:", "postgresql+psycopg:"))
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))
    finally:
        engine.dispose()


def _outbox(cluster: Cluster) -> list[sa.Row]:
    return _query(cluster.databases["giamsat"],
                  "select kind, status, claim_token, message_id, unit_id, created_at from messages")


def test_two_workers_deliver_every_notice_and_reminder_of_a_province_exactly_once(cluster, smtp_peer):
    smtp = smtp_peer.handler
    deps = {name.split("-", 3)[-1]: d for name, d in cluster.deployments().items()}  # "…-1-notify" → "notify"
    assert {"notify", "remind", "deliver"} <= set(deps)
    assert all(d["work_pool_name"] == POOL for d in deps.values())
    dep = {step: deps[step]["id"] for step in ("notify", "remind", "deliver")}

    # 1. The mail server is down while notify runs: every notice is queued, none is lost.
    (notify,) = cluster.wait_runs([cluster.start_run(dep["notify"], as_of=NOTIFY_DAY)], 240).values()
    assert notify["state_type"] == "COMPLETED"
    rows = _outbox(cluster)
    assert len(rows) == UNITS and {r.status for r in rows} == {"pending"} and not smtp.received

    # 2. It recovers: several delivery runs on both workers and the first reminder sweep drain the
    #    same outbox at once; the gate holds the first sends until DELIVER_RUNS sessions are open.
    smtp_peer.start()
    runs = [cluster.start_run(dep["deliver"], batch_size=20) for _ in range(DELIVER_RUNS)]
    runs.append(cluster.start_run(dep["remind"], as_of=REMIND_DAYS[0]))
    finished = cluster.wait_runs(runs, 180)
    # 3. A later day: the reports are overdue, the reminders go to the chairmen.
    finished |= cluster.wait_runs([cluster.start_run(dep["remind"], as_of=REMIND_DAYS[1])], 120)

    assert {r["state_type"] for r in finished.values()} == {"COMPLETED"}
    assert smtp.peak >= 2, "the delivery runs never held claims at the same time"
    by_worker = {w: cluster.ran(w) for w in ("w1", "w2")}
    assert all(by_worker.values()), f"a worker ran nothing: {by_worker}"
    assert set().union(*by_worker.values()) == set(finished) | {notify["id"]}
    stored = _query(cluster.databases["prefect"], "select count(*) from flow_run")[0][0]
    assert stored == len(finished) + 1, "the Prefect server does not keep its runs in PostgreSQL"

    rows = _outbox(cluster)
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    # the first reminder after the deadline is the first overdue one: escalation counts reminders sent
    assert kinds == {"notify_plan": UNITS, "reminder_before": UNITS, "reminder_overdue": UNITS}
    for day in REMIND_DAYS:
        assert len({r.unit_id for r in rows if str(r.created_at).startswith(day)}) == UNITS, day
    assert {(r.status, r.claim_token) for r in rows} == {("sent", None)}
    received = smtp.by_message_id()
    assert set(received) == {r.message_id for r in rows}, "a queued message never arrived"
    assert [mid for mid, n in received.items() if n > 1] == [], "a message arrived twice"
