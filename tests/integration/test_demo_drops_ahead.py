"""The demo's communes fill their e-mailed reports ahead on a worker: the office receives the same
forms, at the same times, as when each is filled on its day."""

import datetime as dt
import os

from giamsat.demo import drops
from giamsat.demo.communes import commune_behaviour
from giamsat.notify.service import notify


def _send_all(rt, work, workers):
    communes = drops.Communes(rt, work, commune_behaviour(rt.plan, rt.calendar), workers=workers)
    said: list[str] = []
    days = sorted(communes.by_day)[:3]  # the first days: mail and the inbox file
    try:
        for day in days:
            assert communes.send(day, lambda d, text: said.append(f"{d}: {text}"))
        assert communes._pool is None if workers == 0 else communes._pool is not None
    finally:
        communes.close()
    sent = {f"{d:%d-%m}.docx" for d in days}  # ahead, later days' forms are being filled too
    forms = {p.name: p.read_bytes() for p in (work / "gui-thu").glob("*.docx") if p.name[-10:] in sent}
    mail = rt.home / "mail" / "new"
    arrivals = sorted(os.stat(p).st_mtime for p in mail.iterdir())
    messages = sorted((os.stat(p).st_mtime, p.read_bytes()) for p in mail.iterdir())
    for p in list(mail.iterdir()):
        p.unlink()  # the next run delivers into the same mailbox
    for p in list((rt.home / "mail" / "tmp").iterdir()):
        p.unlink()  # messages made ahead for later days
    return forms, arrivals, said, messages


def test_reports_filled_ahead_are_the_reports_filled_on_their_day(sqlite_runtime, tmp_path):
    rt = sqlite_runtime
    notify(rt, dt.date(2024, 4, 1))  # the outlines the communes fill
    ahead = _send_all(rt, tmp_path / "ahead", workers=1)
    on_the_day = _send_all(rt, tmp_path / "day", workers=0)
    assert len(ahead[0]) >= 6 and len(ahead[1]) >= 6
    assert ahead == on_the_day  # same forms, same messages, same arrival times, same progress lines
    assert any(b"Content-Type: application/pdf" in m for _, m in ahead[3])  # a signed copy among them
