"""The recording process's CPU for N mailed reports (the mail intake from the Maildir).

``python -m bench.mail_record [N] [--workers W] [--signed]`` (default 1,000 reports, the default
workers). N filled synthetic forms (``bench.collect_sweep``'s reports) are each mailed as a commune
sends them (``demo.mail_drop``; ``--signed``: every third with a signed PDF, as in the demo) into
the office Maildir of a fresh SQLite home whose report obligations are open, then one
``collect.mail.fetch_mail`` takes them all in. Reported: wall time, the CPU of this process
(``time.process_time``: the workers' parsing and checking is not in it) per report, that of its
main thread alone (``time.thread_time``: not the pool's threads receiving the results), and the part
of it spent recording chunks (``_take_chunk``: the rows, answers, kept files, mail rows and the
commit), in CPU and in wall time (the syncs to disk). Compare two commits by running it from each
(``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.collect_sweep import _reports
from bench.generate import write_plan
from bench.intake import RECEIVED, SWEEP_AT, _obligations
from giamsat.collect import mail
from giamsat.cycle.sync import open_cycle
from giamsat.demo.mail_drop import deliver, report_mail
from giamsat.domain import clock


def run(n: int, workers: int | None, signed: bool = False) -> dict[str, Any]:
    """One intake of ``n`` mailed reports; the figures above."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        extra = {} if workers is None else {"intake_workers": workers}
        rt = open_cycle(write_plan(n, folder / "plan.yaml"), clock.now(), home=folder / "home",
                        database_url=f"sqlite:///{folder / 'g.db'}", **extra)
        _obligations(rt)
        forms = folder / "forms"
        forms.mkdir()
        box = rt.settings.mailbox().maildir
        for i, (unit, path) in enumerate(zip(rt.plan.units, _reports(rt, forms), strict=True)):
            at = RECEIVED + dt.timedelta(seconds=i)
            deliver(box, report_mail(rt, unit, path, at, signed and i % 3 == 1), at)
        spent, waited = [0.0], [0.0]
        real = mail._take_chunk

        def timed(*args: Any, **kwargs: Any) -> Any:
            started, wall = time.process_time(), time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[0] += time.process_time() - started
                waited[0] += time.perf_counter() - wall
        mail._take_chunk = timed  # type: ignore[assignment]
        try:
            wall, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
            summary = mail.fetch_mail(rt, SWEEP_AT).as_dict()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            main = time.thread_time() - main
        finally:
            mail._take_chunk = real  # type: ignore[assignment]
            rt.db.dispose()
    assert summary["taken"] == n, summary
    return {"name": "mail_record", "reports": n, "wall_s": round(wall, 2),
            "process_cpu_ms_per_report": round(cpu / n * 1000, 2),
            "main_thread_cpu_ms_per_report": round(main / n * 1000, 2),
            "recording_cpu_ms_per_report": round(spent[0] / n * 1000, 2),
            "recording_wall_ms_per_report": round(waited[0] / n * 1000, 2), "signed": signed,
            "load": os.getloadavg()[0]}


if __name__ == "__main__":  # the workers are spawned: they import this module, never run it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--signed", action="store_true", help="every third report with a signed PDF")
    args = parser.parse_args()
    print(json.dumps(run(args.n, args.workers, args.signed), ensure_ascii=False))
