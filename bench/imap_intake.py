"""Fetching and taking in N mailed reports from Dovecot vs a bare imaplib loop over the same messages.

``python -m bench.imap_intake [N]`` (default 1,000) writes a synthetic plan of N units and one
filled report per unit (as ``bench.collect_sweep``), starts a throwaway Dovecot on a loopback port
(as the test fixture ``tests/fixtures/imap.py`` does; skipped when ``dovecot`` is not installed)
and APPENDs one message per unit, from the unit's address, dated by INTERNALDATE. The baseline
logs in, searches, fetches each message (INTERNALDATE and the body, peeked), parses it with the
standard library, hashes the attachment and inserts one SQLite row per message: the floor any mail
intake pays. Then ``collect.mail.fetch_mail`` takes the same messages in on SQLite: the exactly-once
check per message, size probe and fetch, parse, each form through collect's recording path
(container checks, XML reading, validation, stored original, acknowledgement queued), the mail
row, and the server flag.
"""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import imaplib
import resource
import sqlite3
import sys
import tempfile
import time
from email import policy
from pathlib import Path

from pydantic import SecretStr

from bench.collect_sweep import _reports
from bench.generate import write_plan
from giamsat.collect.mail import fetch_mail
from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.runtime import Runtime

ARRIVED = clock.at_office_hours(dt.date(2024, 4, 2), 10)


def _fill(server, rt: Runtime, forms: list[Path]) -> None:
    """One message per unit, APPENDed over one connection with the arrival as INTERNALDATE."""
    from tests.fixtures.imap import mail_with

    conn = server.connect()
    try:
        when = imaplib.Time2Internaldate(ARRIVED)
        for unit, form in zip(rt.plan.units, forms, strict=True):
            raw = mail_with(unit.email, [(form.name, form.read_bytes())],
                            subject=f"Báo cáo giám sát - {unit.name}")
            typ, data = conn.append("INBOX", None, when, raw)
            assert typ == "OK", data
    finally:
        conn.logout()


def _baseline(server, db: Path) -> tuple[float, int]:
    """Read every message with a bare imaplib loop and insert one row each; (seconds, messages)."""
    started = time.perf_counter()
    conn = imaplib.IMAP4("127.0.0.1", server.port, timeout=30)
    conn.login(server.user, server.password)
    conn.select("INBOX", readonly=True)
    _, data = conn.uid("SEARCH", "ALL")
    rows = []
    for uid in data[0].split():
        _, parts = conn.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
        head, raw = parts[0]
        msg = email.message_from_bytes(raw, policy=policy.default)
        arrived = imaplib.Internaldate2tuple(head)
        for part in msg.iter_attachments():
            blob = part.get_payload(decode=True)
            rows.append((uid.decode(), msg["From"], time.mktime(arrived) if arrived else None,
                         part.get_filename(), hashlib.sha256(blob).hexdigest(), len(blob)))
    conn.logout()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE m (uid TEXT, sender TEXT, arrived REAL, name TEXT, sha TEXT, size INT)")
    con.executemany("INSERT INTO m VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return time.perf_counter() - started, len(data[0].split())


def run(n: int = 1000) -> dict:
    """Time ``fetch_mail`` over ``n`` messages and the bare loop; the result as a dict."""
    from tests.fixtures.imap import DOVECOT, make_dovecot

    if not Path(DOVECOT).exists():
        return {"bench": "imap_intake", "skipped": "dovecot is not installed "
                                                   "(apt-get install dovecot-imapd)"}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = write_plan(n, folder / "plan.yaml")
        rt = open_cycle(plan, clock.now(), home=folder / "home",
                        database_url=f"sqlite:///{folder / 'g.db'}")
        forms_dir = folder / "forms"
        forms_dir.mkdir()
        forms = _reports(rt, forms_dir)
        server = make_dovecot(folder / "dovecot")
        try:
            _fill(server, rt, forms)
            base, seen = _baseline(server, folder / "base.db")
            rt = rt.replace(settings=rt.settings.model_copy(update={
                "imap_host": "127.0.0.1", "imap_port": server.port, "imap_security": "none",
                "imap_user": server.user, "imap_password": SecretStr(server.password)}))
            started = time.perf_counter()
            summary = fetch_mail(rt, clock.at_office_hours(ARRIVED.date(), 17))
            took = time.perf_counter() - started
        finally:
            server.stop()
            rt.db.dispose()
    accepted = sum(1 for m in summary.messages for f in m.files if f.get("status") == "accepted")
    return {"bench": "imap_intake", "messages": n, "baseline_read": seen,
            "taken": summary.count("taken"), "accepted": accepted,
            "fetch_s": round(took, 2), "per_message_ms": round(took / n * 1000, 1),
            "baseline_s": round(base, 2), "ratio": round(took / base, 1),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


if __name__ == "__main__":
    import json

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1000), ensure_ascii=False))
