"""A remind run's fixed work (what it does whatever it owes), on a copy of a cycle's database.

``python bench/remind_fixed.py DB PLAN [AS_OF] [--rounds R]``: DB is copied to a temporary folder
(the original is never written), the cycle is opened with PLAN, then the remind flow's body runs
without Prefect on AS_OF (default 2024-11-28), a day whose reminders are already queued and whose
outbox is empty: the sweep (nothing new to queue), the digest's gathering, the outbox check,
``publish_overview`` (its artifacts not sent anywhere) and the flow's closing counts and health.
The first round is a warm-up (the kept views filled); the median and the fastest of R rounds are
printed per piece, in milliseconds.

To compare two commits, run this file with each tree first on ``PYTHONPATH`` (``git archive`` of
the old one): a tree without ``delivery.has_pending`` runs the flow's old outbox calls.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def _pieces(db: Path, plan: Path, day: dt.date) -> dict[str, Callable[[], object]]:
    import tasks.overview as publishing
    from giamsat.cycle.sync import open_cycle
    from giamsat.domain import clock
    from giamsat.messaging import delivery
    from giamsat.remind import digest, service

    publishing.create_table_artifact = lambda **kw: None  # type: ignore[assignment]
    publishing.create_markdown_artifact = lambda **kw: None  # type: ignore[assignment]
    rt = open_cycle(plan, clock.at_office_hours(day + dt.timedelta(days=1), 7), home=db.parent,
                    database_url=f"sqlite:///{db}")
    new = hasattr(delivery, "has_pending")

    def outbox() -> None:
        if new:
            delivery.has_pending(rt)
            delivery.health(rt, counted=delivery.counts(rt))
        else:
            delivery.counts(rt).get("pending")
            delivery.counts(rt)
            delivery.health(rt)

    parts: dict[str, Callable[[], object]] = {
        "sweep": lambda: service.sweep(rt, day), "digest": lambda: digest.gather(rt, day),
        "overview": lambda: publishing.publish_overview.fn(rt, day), "outbox": outbox}
    return parts | {"run": lambda: [part() for part in parts.values()]}


def run(db: Path, plan: Path, day: dt.date, rounds: int = 10) -> dict:
    """The median and fastest milliseconds of each piece over ``rounds`` rounds."""
    with tempfile.TemporaryDirectory(prefix="remind-fixed-") as tmp:
        copy = Path(tmp) / "giamsat.db"
        shutil.copyfile(db, copy)
        pieces = _pieces(copy, plan, day)
        pieces["run"]()  # warm-up: the views kept between runs filled, the migration done
        out = {}
        for name, piece in pieces.items():
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                piece()
                times.append((time.perf_counter() - started) * 1000)
            out[name] = {"median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1)}
    return {"bench": "remind_fixed", "db": str(db), "as_of": day.isoformat(), "rounds": rounds} | out


if __name__ == "__main__":
    args = sys.argv[1:]
    n = 10
    if "--rounds" in args:
        at = args.index("--rounds")
        n = int(args[at + 1])
        del args[at:at + 2]
    when = dt.date.fromisoformat(args[2]) if len(args) > 2 else dt.date(2024, 11, 28)
    print(json.dumps(run(Path(args[0]), Path(args[1]), when, n), ensure_ascii=False))
