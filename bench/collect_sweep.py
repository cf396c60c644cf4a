"""Intake of N commune reports in one inbox sweep vs a bare read-and-insert loop over the same files.

``python -m bench.collect_sweep [N]`` (default 200) writes a synthetic plan of N units
(``bench.generate``), one filled report per unit (the outline rendered once, each unit's marker
stamped in, figures from the fast synthetic filler), then times ``collect.sweep_inbox`` on SQLite:
claim, container checks, XML reading, validation, stored originals (synced), one transaction
per chunk, acknowledgements queued. The baseline reads each file's ``word/document.xml`` with
zipfile + lxml and inserts one row per file with ``executemany``: the floor any intake pays.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import resource
import sqlite3
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

from bench.generate import write_plan
from giamsat.collect.service import sweep_inbox
from giamsat.cycle.sync import open_cycle
from giamsat.demo.form_fill import _repack, fill_document_xml
from giamsat.demo.synthetic import synthetic_cells
from giamsat.domain import clock
from giamsat.notify.outline import render_outline
from giamsat.runtime import Runtime


def _reports(rt: Runtime, inbox: Path) -> list[Path]:
    first = rt.plan.units[0]
    blank = render_outline(rt.plan, first, inbox.parent / "blank.docx", rt.plan.cycle_key)
    data = blank.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        doc, core = zf.read("word/document.xml"), zf.read("docProps/core.xml")
    mark = first.code.encode() + b"@"
    received = clock.at_office_hours(dt.date(2024, 4, 2), 10).timestamp()
    out = []
    for i, unit in enumerate(rt.plan.units):
        cells, _ = synthetic_cells(1000 + i, None, unit.villages)
        code = unit.code.encode() + b"@"
        parts = {"word/document.xml": fill_document_xml(doc.replace(mark, code), cells),
                 "docProps/core.xml": core.replace(mark, code)}
        path = inbox / f"bao-cao-{unit.code}.docx"
        path.write_bytes(_repack(data, parts))
        os.utime(path, (received, received))
        out.append(path)
    return out


def _baseline(paths: list[Path], db: Path) -> float:
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE r (name TEXT, size INTEGER, tables INTEGER)")
    rows = []
    for p in paths:
        with zipfile.ZipFile(p) as zf:
            root = etree.fromstring(zf.read("word/document.xml"))
        rows.append((p.name, p.stat().st_size, len(root.findall(".//{*}tbl"))))
    con.executemany("INSERT INTO r VALUES (?, ?, ?)", rows)
    con.commit()
    con.close()
    return time.perf_counter() - started


def run(n: int = 200) -> dict:
    """Time one sweep of ``n`` reports and the baseline; the result as a dict."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = write_plan(n, folder / "plan.yaml")
        rt = open_cycle(plan, clock.now(), home=folder / "home", database_url=f"sqlite:///{folder / 'g.db'}")
        inbox = rt.home / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        paths = _reports(rt, inbox)
        base = _baseline(paths, folder / "base.db")
        started = time.perf_counter()
        summary = sweep_inbox(rt, clock.at_office_hours(dt.date(2024, 4, 2), 17))
        took = time.perf_counter() - started
        rt.db.dispose()
    return {"bench": "collect_sweep", "units": n, "accepted": summary.count("accepted"),
            "sweep_s": round(took, 2), "per_report_ms": round(took / n * 1000, 1),
            "baseline_s": round(base, 2), "ratio": round(took / base, 1),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


if __name__ == "__main__":
    import json

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200), ensure_ascii=False))
