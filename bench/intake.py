"""Intake of N commune reports (one inbox sweep) vs the bare loop doing the same work.

``python -m bench.intake [N] [--rounds R]`` (default 1,000 reports, 2 rounds). Each round writes N
filled synthetic forms (``bench.collect_sweep``'s reports: the outline rendered once, each
unit's marker stamped in, figures from the synthetic filler), opens each unit's report
obligation as notify does (not timed) and times, on fresh SQLite files:

- **sweep**: ``collect.sweep_inbox`` — claim, container checks (central-directory caps for every
  part; the parsed parts read whole, the others to their root element), XML reading,
  validation, originals kept and synced, one transaction per chunk of 200 with the
  submissions, figures, recommendations, met obligations, acknowledgements queued and audit.
- **bare**: a loop over the same files with the same libraries in the same process: read the
  bytes, read every part through ``zipfile`` (CRC) and run the DTD/encoding check on it, parse
  the tables (``collect.reader.parse_xml``), ``validate``, store the original and ``fsync`` it,
  then write one submission row (with its figures and errors as JSON), one outbox row (the
  acknowledgement's size) and one audit row per report through ``sqlite3`` in one transaction.

The order alternates between rounds (bare first, then sweep first); the ratio reported is the
median of the rounds' sweep / bare.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import resource
import sqlite3
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from sqlalchemy import insert, select

from bench.collect_sweep import _reports
from bench.generate import write_plan
from giamsat.collect.intake import expectation
from giamsat.collect.reader import parse_xml
from giamsat.collect.service import sweep_inbox
from giamsat.cycle.sync import open_cycle
from giamsat.db.models import Obligation, Unit
from giamsat.docx.reading import _XML_PARSER, DocxXml, check_xml_part
from giamsat.domain import clock
from giamsat.domain.validation import validate
from giamsat.runtime import Runtime

RECEIVED = clock.at_office_hours(dt.date(2024, 4, 2), 10)
SWEEP_AT = clock.at_office_hours(dt.date(2024, 4, 2), 17)
ACK = "Kính gửi UBND xã, Phòng Lao động - TB&XH đã nhận báo cáo ... " * 12  # an ack's size


def _bare(rt: Runtime, paths: list[Path], folder: Path) -> float:
    from lxml import etree

    store = folder / "store"
    store.mkdir()
    con = sqlite3.connect(folder / "bare.db")
    con.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "CREATE TABLE s (name TEXT, sha TEXT, size INT, status TEXT, figures TEXT,"
                      " errors TEXT);"
                      "CREATE TABLE m (key TEXT UNIQUE, body TEXT, status TEXT);"
                      "CREATE TABLE a (action TEXT, detail TEXT);")
    exp = expectation(rt, RECEIVED, None)
    started = time.perf_counter()
    subs, msgs, audits = [], [], []
    for p in paths:
        data = p.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = {}
            for info in zf.infolist():
                part = zf.read(info.filename)  # CRC checked
                check_xml_part(info.filename, part)
                parts[info.filename] = part
        doc = DocxXml(etree.fromstring(parts["word/document.xml"], _XML_PARSER),
                      etree.fromstring(parts["docProps/core.xml"], _XML_PARSER))
        v = validate(parse_xml(doc), exp)
        sha = hashlib.sha256(data).hexdigest()
        target = store / f"{sha}.docx"
        with target.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        subs.append((p.name, sha, len(data), "accepted" if v.ok else "rejected",
                     json.dumps(v.figures or {}, ensure_ascii=False),
                     json.dumps([i.as_json() for i in v.issues], ensure_ascii=False)))
        msgs.append((f"ack:{sha[:16]}", ACK, "pending"))
        audits.append(("submission.accepted", json.dumps({"file": p.name, "sha256": sha})))
    with con:
        con.executemany("INSERT INTO s VALUES (?, ?, ?, ?, ?, ?)", subs)
        con.executemany("INSERT INTO m VALUES (?, ?, ?)", msgs)
        con.executemany("INSERT INTO a VALUES (?, ?)", audits)
    con.close()
    return time.perf_counter() - started


def _obligations(rt: Runtime) -> None:
    """The report obligations notify opens for every unit (the sweep marks them met)."""
    with rt.db.unit_of_work() as s:
        s.execute(insert(Obligation), [
            {"cycle_id": rt.cycle_id, "kind": "report", "key": f"report:{u.code}@{u.valid_from.isoformat()}",
             "unit_id": u.id, "due_on": rt.plan.report.deadline, "status": "open", "created_at": RECEIVED}
            for u in s.scalars(select(Unit).where(Unit.cycle_id == rt.cycle_id))])


def _round(n: int, bare_first: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = write_plan(n, folder / "plan.yaml")
        rt = open_cycle(plan, clock.now(), home=folder / "home",
                        database_url=f"sqlite:///{folder / 'g.db'}")
        _obligations(rt)
        inbox = rt.home / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        paths = _reports(rt, inbox)
        copies = folder / "copies"
        copies.mkdir()
        bare_paths = []
        for p in paths:  # the bare loop reads its own copies (the sweep moves the inbox's away)
            bare_paths.append(copies / p.name)
            os.link(p, bare_paths[-1])
        os.sync()
        bare = _bare(rt, bare_paths, folder) if bare_first else None
        started = time.perf_counter()
        summary = sweep_inbox(rt, SWEEP_AT)
        sweep = time.perf_counter() - started
        if bare is None:
            bare = _bare(rt, bare_paths, folder)
        rt.db.dispose()
    assert summary.count("accepted") == n, summary.as_dict()["failed"]
    return {"bare_first": bare_first, "sweep_s": round(sweep, 2), "bare_s": round(bare, 2),
            "ratio": round(sweep / bare, 2)}


def run(n: int = 1000, rounds: int = 2) -> dict:
    """Alternating rounds of the sweep and the bare loop on ``n`` reports."""
    results = [_round(n, bare_first=i % 2 == 0) for i in range(rounds)]
    best = min(r["sweep_s"] for r in results)
    return {"name": "intake", "reports": n, "rounds": results,
            "sweep_ms_per_report": round(best / n * 1000, 2),
            "bare_ms_per_report": round(min(r["bare_s"] for r in results) / n * 1000, 2),
            "ratio": round(statistics.median(r["ratio"] for r in results), 2), "target": 1.3,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "load": os.getloadavg()[0]}


if __name__ == "__main__":
    from bench._cli import main

    main(run, 1000)
