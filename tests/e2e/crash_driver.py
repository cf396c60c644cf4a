"""Step runs in their own processes for the crash tests; each can be SIGKILLed at any moment.

``python -m tests.e2e.crash_driver`` imports giamsat once, then reads one JSON request per line on
stdin and runs each in a forked child (so a run costs no interpreter start-up): it prints the
child's pid and, asked to, how it ended (``exit 0`` or ``signal 9``). The test kills the
child with a real ``SIGKILL`` after a random delay, or the child kills itself at a chosen point:

- ``kill_at_point: n`` — before the n-th database operation (each SQL statement and each COMMIT
  is one point): migrations, the step's transaction, outbox claims and records;
- ``kill_after_send: n`` — right after the n-th message was accepted by the channel (the SMTP
  server answered 250, or the .eml file is in place) and before it was recorded as sent: the
  documented at-least-once window.

A request: ``{"step": "notify"|"remind"|"start", "as_of": DATE, "now": ISO TIME, "config", "home",
"db_url", "smtp_port" (absent: the file channel), "result": FILE}``; the step runs on ``as_of``
and the outbox is delivered at ``now``, which is also the child's real clock (``giamsat.domain.clock.now``),
so outbox claims age with the test's clock. A run that finishes writes its counts as JSON to ``result``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
import traceback
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.messaging import channels
from giamsat.messaging.delivery import deliver
from giamsat.notify.service import notify
from giamsat.remind.service import sweep

counted = {"points": 0, "sends": 0}


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _install_kill_points(at_point: int, after_send: int) -> None:
    def point(*_args: object, **_kw: object) -> None:
        counted["points"] += 1
        if counted["points"] == at_point:
            _die()

    event.listen(Engine, "before_cursor_execute", point)
    event.listen(Engine, "commit", point)
    for sender in (channels._SmtpSender, channels._FileSender):
        def send(self, out, _original=sender.send):
            refused = _original(self, out)
            counted["sends"] += 1
            if counted["sends"] == after_send:
                _die()
            return refused

        sender.send = send


def run(req: dict) -> dict:
    """Load, run the step, deliver; returns what was counted and done."""
    _install_kill_points(req.get("kill_at_point", 0), req.get("kill_after_send", 0))
    # Outbox claims are stamped and expired on the real clock; the restarted run is "20 minutes
    # later" on that clock too, so a dead run's claim has expired (as in production after 15 min).
    if "now" in req:
        moment = dt.datetime.fromisoformat(req["now"])
        clock.now = lambda: moment
    port = req.get("smtp_port")
    delivery = {"channel": "smtp", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
                "smtp_timeout": 5} if port else {"channel": "file"}
    rt = open_cycle(Path(req["config"]), clock.now(),
                    home=Path(req["home"]), database_url=req["db_url"], **delivery)
    if req["step"] == "start":  # only what every step does first: migrate, sync the plan
        rt.db.dispose()
        return dict(counted)
    day = dt.date.fromisoformat(req["as_of"])
    queued = notify(rt, day).messages_queued if req["step"] == "notify" else sweep(rt, day).queued
    result = deliver(rt, dt.datetime.fromisoformat(req["now"]))
    rt.db.dispose()
    return {**counted, "queued": queued, "sent": result.sent, "deferred": result.deferred,
            "failed": result.failed}


def _child(req: dict) -> None:
    code = 1
    try:
        Path(req["result"]).write_text(json.dumps(run(req)), encoding="utf-8")
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    """One forked child per request line; reports its pid and, on the next line ``wait``, how it
    ended (reaped only then, so the pid cannot be reused while the test may still kill it)."""
    while line := sys.stdin.readline():
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(req)
        print(f"pid {pid}", flush=True)
        sys.stdin.readline()
        _, status = os.waitpid(pid, 0)
        signalled = os.WIFSIGNALED(status)
        print(f"signal {os.WTERMSIG(status)}" if signalled else f"exit {os.WEXITSTATUS(status)}", flush=True)


if __name__ == "__main__":
    serve()
