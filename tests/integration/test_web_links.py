"""Communes' links: carried by the e-mails when GIAMSAT_WEB_URL is set, stored only as hashes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import CommuneLink, Message, Unit
from giamsat.domain import clock
from giamsat.links import service as links
from giamsat.links.key import sha256
from giamsat.notify.service import notify
from giamsat.remind.service import sweep
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT

NOW = clock.at_office_hours(dt.date(2024, 4, 3), 9)


def _rt(tmp_path, **extra) -> Runtime:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    return open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=url, **extra)


def test_every_notify_and_reminder_email_carries_the_communes_own_link_that_opens_its_page(tmp_path):
    rt = _rt(tmp_path, web_url="https://giamsat.vuban.example/")
    notify(rt, dt.date(2024, 4, 1))
    sweep(rt, dt.date(2024, 4, 3))
    with rt.db.unit_of_work() as s:
        mails = s.scalars(select(Message).where(Message.unit_id.is_not(None))).all()
        kinds = {m.kind for m in mails}
        assert "notify_plan" in kinds and any(k.startswith("reminder") for k in kinds)
        for m in mails:
            url = next(w for w in m.body_text.split() if w.startswith("https://giamsat.vuban.example/xa/"))
            unit = links.resolve(rt, s, url.rsplit("/", 1)[1], dt.date(2024, 4, 3))
            assert unit is not None and unit.id == m.unit_id
            assert url in (m.body_html or "")
        stored = {row.token_sha256 for row in s.scalars(select(CommuneLink))}
        token = url.rsplit("/", 1)[1]
        assert len(stored) == 18 and sha256(token) in stored and token not in stored
    rt.db.dispose()


def test_without_a_web_address_the_emails_carry_no_link_and_no_link_is_made(tmp_path):
    rt = _rt(tmp_path)
    notify(rt, dt.date(2024, 4, 1))
    with rt.db.unit_of_work() as s:
        assert all("/xa/" not in m.body_text for m in s.scalars(select(Message)))
        assert s.scalar(select(CommuneLink.id)) is None
    rt.db.dispose()


def test_a_revoked_link_opens_nothing_and_the_new_one_opens_the_same_commune(tmp_path):
    rt = _rt(tmp_path)
    with rt.db.unit_of_work() as s:
        unit = s.scalar(select(Unit).where(Unit.code == "13750"))
        old = links.token_for(rt, s, unit, NOW)
    name, new = links.renew(rt, "13750", "dieuphoi", NOW)
    with rt.db.unit_of_work() as s:
        assert links.resolve(rt, s, old, NOW.date()) is None
        assert links.resolve(rt, s, new, NOW.date()).name == name == "Xã Tân Khánh"
        assert links.resolve(rt, s, new, dt.date(2024, 12, 1)) is None  # the cycle has ended
    links.revoke(rt, "13750", "dieuphoi", NOW)
    with rt.db.unit_of_work() as s:
        assert links.resolve(rt, s, new, NOW.date()) is None
    rt.db.dispose()
