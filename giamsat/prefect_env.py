"""Prefect's environment for this project: a local PREFECT_HOME under our home, telemetry off.

Must run before ``prefect`` is imported; the CLI, the flows package and the tests call it first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def configure(home: Path | None = None, *, create: bool = True) -> Path:
    """Point Prefect at ``<home>/prefect`` (unless already set) and turn analytics off.

    With ``create=False`` (the CLI's start), a home that does not exist yet is left alone: a
    reading command must not make one; the commands that write create it, then Prefect's folder.
    """
    home = Path(home or os.environ.get("GIAMSAT_HOME", "var")).resolve()
    prefect_home = home / "prefect"
    if create or home.is_dir():
        prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(prefect_home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("MPLBACKEND", "Agg")
    return prefect_home


@contextmanager
def without_heartbeats() -> Iterator[None]:
    """Run flows in this process without run heartbeats.

    Prefect 3.9 joins its heartbeat thread at the end of every flow run, and that thread sleeps in
    one-second steps: each run costs about a second more. Heartbeats let a server mark a run
    whose process died as crashed; the demo drives its runs in-process, so it turns them off.
    Served deployments and ``giamsat run`` keep them.
    """
    import prefect.context

    ctx = prefect.context.get_settings_context()
    settings = ctx.settings
    quiet = settings.model_copy(
        update={"flows": settings.flows.model_copy(update={"heartbeat_frequency": None})})
    with prefect.context.SettingsContext(profile=ctx.profile, settings=quiet):
        yield


@contextmanager
def without_suspension_watch() -> Iterator[None]:
    """Run deployment flow runs in this process without Prefect's suspension observer.

    For a run that belongs to a deployment, Prefect 3.9 starts a thread that subscribes to the
    server's events so that a ``suspend`` from the UI can stop it, and joins it at the end: about
    0.2–0.4 s per run. The demo creates its runs for the cycle's deployments and drives them
    in-process on a simulated clock; nobody suspends them, so it turns the observer off (a
    no-op if this Prefect has no such hook). Served deployments keep it.
    """
    from contextlib import nullcontext

    import prefect.flow_engine as engine

    observer = getattr(engine, "observe_flow_run_suspension", None)
    if observer is None:
        yield
        return
    engine.observe_flow_run_suspension = lambda *_args, **_kwargs: nullcontext()  # type: ignore[assignment]
    try:
        yield
    finally:
        engine.observe_flow_run_suspension = observer


@contextmanager
def one_client() -> Iterator[None]:
    """One Prefect API client for every run this thread makes meanwhile.

    Prefect opens a client for each flow run (and ``run_deployed`` one more to create it), and each
    new client builds an SSL context (the system's certificates read and parsed, even for an
    ``http://`` server): about 0.1 s a client. The demo makes every run from one thread, one after
    the other, so it keeps one client open for all of them (``get_client`` and the flow engine
    take the open one). Its requests answered 503 are sent again at once (``quick_retries``).
    """
    from prefect import get_client
    from prefect.context import SyncClientContext

    if SyncClientContext.get() is not None:
        yield
        return
    # Made as ``SyncClientContext()`` makes it, with this transport: ``get_client`` lends a
    # context's client only to callers asking for the settings it was made with (none here).
    client = get_client(sync_client=True, httpx_settings={"transport": quick_retries()})
    with SyncClientContext.model_construct(client=client):
        yield


# Pauses before the quick resends of a request answered 503; then Prefect's client's own retries.
QUICK_RETRIES = (0.02, 0.05, 0.1, 0.2)


def quick_retries() -> Any:
    """An HTTP transport that resends a request the Prefect server answered 503 after a moment.

    The server answers 503 when its SQLite refused a write, nothing written: creating a run reads
    the deployment, then inserts the run, in one deferred transaction, and when the server's own
    services wrote meanwhile (the previous run's task runs and events, its logs), the insert fails
    at once with "database is locked". Prefect's client retries a 503 after 2 s (19 of the 85
    runs of a 2,000-unit demo waited so); the same request a moment later passes. After these
    quick resends, the last answer goes back to the client, which retries as before. The demo's
    own server (``DEMO_SERVER``) writes less meanwhile: far fewer requests are refused.
    """
    import time

    import httpx
    from prefect.settings import PREFECT_API_ENABLE_HTTP2

    class QuickRetries(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            for pause in QUICK_RETRIES:
                response = super().handle_request(request)
                if response.status_code != 503:
                    return response
                response.read()
                response.close()
                time.sleep(pause)
            return super().handle_request(request)

    # the connection limits Prefect's client gives its own transport
    return QuickRetries(http2=PREFECT_API_ENABLE_HTTP2.value(), limits=httpx.Limits(
        max_connections=16, max_keepalive_connections=8, keepalive_expiry=25))


class EarlyServer:
    """Prefect's local server being started on another thread while this one works.

    The first request of a process without ``PREFECT_API_URL`` starts a local server (a uvicorn
    subprocess, a few seconds to boot) and waits for it. The demo asks for it first, before it loads
    and syncs its plan, so the server boots on the other core meanwhile; ``wait`` before the first
    run. A start that failed here is left to the first request, which tries again and says why.
    """

    def __init__(self) -> None:
        import threading

        self._thread = threading.Thread(target=self._start, name="prefect-server-start", daemon=True)
        self._thread.start()

    @staticmethod
    def _start() -> None:
        from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

        if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
            return  # a configured server: nothing to start
        from prefect.server.api.server import SubprocessASGIServer

        try:
            SubprocessASGIServer().start()
        except Exception:  # the first request starts it again and reports the error
            return

    def wait(self) -> None:
        """Until the server answers (or its start gave up); then Prefect may be used here."""
        self._thread.join()


def prepare_database() -> None:
    """Create or migrate Prefect's own database now, so the first flow run does not wait for it."""
    configure()
    import asyncio

    from prefect.server.database import provide_database_interface

    asyncio.run(provide_database_interface().create_db())


def empty_database(folder: Path) -> Path:
    """A migrated, empty Prefect database kept in ``folder`` (made once per Prefect version).

    Migrating a new Prefect database takes 10–20 seconds; the demo copies this one into its home
    instead. It is made by a separate process, so this one's Prefect settings stay untouched.
    """
    import shutil
    import subprocess
    import sys
    import tempfile
    from importlib.metadata import version

    template = folder / f"empty-prefect-{version('prefect')}.db"
    if template.is_file():
        return template
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        env = {**os.environ, "PREFECT_HOME": scratch}
        env.pop("PREFECT_API_URL", None)
        env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)
        migrate = "from giamsat import prefect_env; prefect_env.prepare_database()"
        subprocess.run([sys.executable, "-c", migrate], env=env, check=True, stdout=subprocess.DEVNULL)
        shutil.copyfile(Path(scratch) / "prefect.db", Path(scratch) / "done.db")
        os.replace(Path(scratch) / "done.db", template)  # whole or not at all
    return template


# The demo's local Prefect server (a subprocess inheriting these) runs only the services that record
# what Prefect's UI shows of the demo's runs: flow runs and their states (the API itself), task runs
# (the task run recorder, from the runs' events), logs and artifacts. Not the events table: the UI's
# event feed (and any view drawn from events) stays empty for the demo's runs.
#
# Fewer writers also make the server's 60 s freeze rare: a statement failing with "database is
# locked" (a 503, see quick_retries) leaves its SQLite cursor open in the error's traceback until
# the garbage collector frees it on the server's event loop thread; freeing it takes its
# connection's SQLite mutex. When that connection is meanwhile waiting (SQLite's busy_timeout,
# 60 s, mutex held) for the write lock of an API transaction, which can only commit on the event
# loop, the whole server waits the 60 s. The background writers waiting so are the task run
# recorder (three writes a task run, from two consumers at once) and the event persister; the
# failed statements are mostly the API's, refused because one of those wrote meanwhile.
DEMO_SERVER = {
    # automations: the demo defines none, yet every event went through the reactive triggers
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    # the events' websocket stream: nobody subscribes (the demo turns the suspension watch off)
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",
    # Task runs recorded from their events once a second, in one write, by the recorder's periodic
    # flush alone: by default each event was written on arrival (a read, an upsert and an insert, each
    # statement compiled anew and committed on its own), by two consumers at once.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "500",
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
    # the events table (and its hourly vacuum): written every 5 s or 20 events, read by the Events page
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
}


def use_demo_server(keep: tuple[str, ...] = ()) -> None:
    """``DEMO_SERVER``'s settings for the local server this process starts, but those in ``keep``
    (and any already set in the environment)."""
    for name, value in DEMO_SERVER.items():
        if name not in keep:
            os.environ.setdefault(name, value)


def use_fresh_home(prefect_home: Path, templates: Path) -> bool:
    """Point this process's Prefect at ``prefect_home`` with an empty database copied in.

    Only possible before Prefect is imported (its settings are read once); False otherwise, e.g.
    under the tests' harness, whose server then records the runs. The server it starts runs with
    ``DEMO_SERVER``'s settings (those already set in the environment win).
    """
    import shutil
    import sys

    if "prefect" in sys.modules:
        return False
    use_demo_server()
    template = empty_database(templates)
    prefect_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, prefect_home / "prefect.db")
    os.environ["PREFECT_HOME"] = str(prefect_home)
    return True


if __name__ == "__main__":  # make install: Prefect's database under var/prefect, and the demo's template
    prepare_database()
    empty_database(Path(os.environ["PREFECT_HOME"]))
