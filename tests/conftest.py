"""Shared fixtures: the shipped plan, a database on each backend, a Runtime, the Prefect harness.

Topic fixtures live in ``tests/fixtures/<topic>.py`` and are listed in ``pytest_plugins``.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("GIAMSAT_HOME", tempfile.mkdtemp(prefix="giamsat-test-home-"))
from giamsat import prefect_env

prefect_env.configure()

pytest_plugins: list[str] = [
    "tests.fixtures.visits", "tests.fixtures.report_data", "tests.fixtures.collect", "tests.fixtures.smtp",
    "tests.fixtures.demo", "tests.fixtures.hostile", "tests.fixtures.imap", "tests.fixtures.pki",
]

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "vu-ban-2024.yaml"
# When test cycles are opened: the first morning of the shipped plan's period.
OPENED_AT = dt.datetime(2024, 4, 1, 7, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
PG_ADMIN_URL = os.environ.get("GIAMSAT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def plan():
    """The shipped Vụ Bản 2024 plan."""
    from giamsat.plan.schema import load_plan

    return load_plan(CONFIG)


@pytest.fixture(scope="session")
def cal(plan):
    """The plan's working calendar."""
    from giamsat.plan.milestones import calendar_for

    return calendar_for(plan)


def _postgres_reachable() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any driver/network failure means "unreachable"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    """The admin URL of the test PostgreSQL; skips (or fails in CI) when it is unreachable."""
    reason = _postgres_reachable()
    if reason:
        msg = f"PostgreSQL unreachable at 127.0.0.1:5432 ({reason})"
        if os.environ.get("GIAMSAT_REQUIRE_POSTGRES") == "1":
            pytest.fail(msg + " — CI requires it")
        pytest.skip(msg)
    return PG_ADMIN_URL


@pytest.fixture
def fresh_postgres_url(postgres_admin_url):
    """A new empty PostgreSQL database for one test, dropped afterwards."""
    import sqlalchemy as sa

    name = f"giamsat_t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A database URL on each backend: SQLite in tmp_path, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'giamsat.db'}"
    return request.getfixturevalue("fresh_postgres_url")


@pytest.fixture
def runtime(db_url, tmp_path):
    """A Runtime on the shipped plan, its home in tmp_path, on each backend."""
    from giamsat.cycle.sync import open_cycle

    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=db_url)
    yield rt
    rt.db.dispose()


@pytest.fixture
def sqlite_runtime(tmp_path):
    """A Runtime on SQLite only (for tests whose subject is not the database)."""
    from giamsat.cycle.sync import open_cycle

    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home",
                    database_url=f"sqlite:///{tmp_path / 'giamsat.db'}")
    yield rt
    rt.db.dispose()


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test harness (temporary server + database) for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    # The harness's server runs as the demo's does (prefect_env.DEMO_SERVER), but for the event
    # stream, which the suspension observer of deployment runs made here subscribes to: with
    # Prefect's defaults it froze for 60 s at a time, three times in three minutes of the suite's
    # demo runs on a slow machine (a failed statement's cursor freed by the garbage collector on
    # the event loop, waiting for a connection held through SQLite's 60 s busy wait). Task runs
    # are then recorded once a second: a test reading them waits until they are (test_fault_database).
    prefect_env.use_demo_server(keep=("PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED",))
    with prefect_test_harness(server_startup_timeout=60):
        yield
