"""The notify step alone at N units, without Prefect: documents and rows, delivery, a re-run.

``python -m bench.notify_scale [N]`` (default 10600, the country) writes a synthetic plan with
``bench.generate``, then in one fresh home (SQLite, ``file`` channel) times: loading the plan
(``Runtime.load``), ``notify`` (a letter and an outline per unit stamped from templates rendered
once, obligations and messages inserted in chunks), delivering every message as an ``.eml`` with
its three attachments, and running ``notify`` again (finds everything done). Reports peak RSS of
the process and the time per unit.
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench import generate
from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.messaging.delivery import deliver
from giamsat.notify.service import notify

DAY = dt.date(2024, 4, 1)


def run(n: int = generate.NATIONAL) -> dict:
    """Seconds for each phase at ``n`` units, and the peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        plan = generate.write_plan(n, Path(tmp) / "plan.yaml")
        home = Path(tmp) / "home"
        start = time.perf_counter()
        rt = open_cycle(plan, clock.now(), home=home, database_url=f"sqlite:///{home / 'giamsat.db'}",
                        channel="file")
        loaded = time.perf_counter()
        summary = notify(rt, DAY)
        notified = time.perf_counter()
        result = deliver(rt, clock.at_office_hours(DAY), batch_size=500)
        delivered = time.perf_counter()
        again = notify(rt, DAY)
        rerun = time.perf_counter()
        rt.db.dispose()
    assert summary.messages_queued == n == result.sent and again.messages_queued == 0, (summary, result)
    return {"name": "notify_scale", "units": n, "load_s": round(loaded - start, 1),
            "notify_s": round(notified - loaded, 1), "deliver_s": round(delivered - notified, 1),
            "rerun_s": round(rerun - delivered, 1), "documents": summary.documents_rendered,
            "ms_per_unit": round((delivered - loaded) / n * 1000, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else generate.NATIONAL))
