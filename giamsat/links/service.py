"""Each commune's own link ``{GIAMSAT_WEB_URL}/xa/{token}``: issued, resolved, revoked, renewed.

The token is derived from the web key (HMAC of cycle, unit and generation), so the notify and
reminder e-mails can carry it without the database ever holding it: only its SHA-256 is stored.
Revoking marks the generation revoked; a new link is the next generation.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.db import audit
from giamsat.db.models import CommuneLink, Unit
from giamsat.domain.errors import NotFound
from giamsat.links.key import sha256, web_key
from giamsat.runtime import Runtime

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _token(key: bytes, rt: Runtime, unit: Unit, generation: int) -> str:
    mac = hmac.new(key, f"link\x1f{rt.plan.cycle_key}\x1f{unit.code}@{unit.valid_from}\x1f{generation}"
                   .encode(), "sha256").digest()
    return base64.urlsafe_b64encode(mac).decode()[:32]


def _current(s: Session, unit_id: int) -> CommuneLink | None:
    return s.scalar(select(CommuneLink).where(CommuneLink.unit_id == unit_id)
                    .order_by(CommuneLink.generation.desc()).limit(1))


def token_for(rt: Runtime, s: Session, unit: Unit, now: dt.datetime, key: bytes | None = None) -> str:
    """The unit's current token; its link row is created on first use (a revoked one is not revived)."""
    key = key or web_key(rt)
    row = _current(s, unit.id)
    if row is None or row.revoked_at is not None:
        generation = 1 if row is None else row.generation + 1
        token = _token(key, rt, unit, generation)
        s.add(CommuneLink(cycle_id=rt.cycle_id, unit_id=unit.id, generation=generation,
                          token_sha256=sha256(token), expires_on=rt.plan.period.end, created_at=now))
        s.flush()
        return token
    return _token(key, rt, unit, row.generation)


def url_for(rt: Runtime, token: str) -> str | None:
    """The commune's link when GIAMSAT_WEB_URL is set."""
    base = (rt.settings.web_url or "").rstrip("/")
    return f"{base}/xa/{token}" if base else None


def resolve(rt: Runtime, s: Session, token: str, today: dt.date) -> Unit | None:
    """The unit a token opens today, or None (forged, revoked, expired or of another cycle)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    row = s.scalar(select(CommuneLink).where(CommuneLink.token_sha256 == sha256(token)))
    if row is None or row.revoked_at is not None or row.cycle_id != rt.cycle_id or today > row.expires_on:
        return None
    return s.get(Unit, row.unit_id)


def _unit(s: Session, rt: Runtime, code: str, today: dt.date) -> Unit:
    rows = s.scalars(select(Unit).where(Unit.cycle_id == rt.cycle_id, Unit.code == code.strip())
                     .order_by(Unit.valid_from.desc())).all()
    valid = [u for u in rows if u.valid_on(today)] or rows
    if not valid:
        raise NotFound(f"Không có đơn vị mã {code} trong chu kỳ này.")
    return valid[0]


def revoke(rt: Runtime, code: str, actor: str, now: dt.datetime) -> str:
    """Revoke the unit's current link; returns the unit's name."""
    with rt.db.unit_of_work() as s:
        unit = _unit(s, rt, code, now.date())
        row = _current(s, unit.id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = now
            audit.record(s, at=now, actor=actor, action="web.link_revoked", entity="unit",
                         entity_id=unit.id, cycle_id=rt.cycle_id, generation=row.generation)
        return unit.name


def renew(rt: Runtime, code: str, actor: str, now: dt.datetime) -> tuple[str, str]:
    """Revoke the unit's link and issue the next one; returns (unit name, new token)."""
    revoke(rt, code, actor, now)
    with rt.db.unit_of_work() as s:
        unit = _unit(s, rt, code, now.date())
        token = token_for(rt, s, unit, now)
        audit.record(s, at=now, actor=actor, action="web.link_issued", entity="unit",
                     entity_id=unit.id, cycle_id=rt.cycle_id)
        return unit.name, token


def urls_for(rt: Runtime, s: Session, unit_ids: list[int], now: dt.datetime) -> dict[int, str]:
    """The link of each unit (in bulk: one query, one insert), or {} when GIAMSAT_WEB_URL is unset."""
    if not rt.settings.web_url or not unit_ids:
        return {}
    key, ids = web_key(rt), sorted(set(unit_ids))
    latest: dict[int, CommuneLink] = {}
    for row in s.scalars(select(CommuneLink).where(CommuneLink.unit_id.in_(ids))
                         .order_by(CommuneLink.generation)):
        latest[row.unit_id] = row
    units = {u.id: u for u in s.scalars(select(Unit).where(Unit.id.in_(ids)))}
    out, new = {}, []
    for uid in ids:
        last = latest.get(uid)
        generation = 1 if last is None else last.generation + (last.revoked_at is not None)
        token = _token(key, rt, units[uid], generation)
        if last is None or last.revoked_at is not None:
            new.append(CommuneLink(cycle_id=rt.cycle_id, unit_id=uid, generation=generation,
                                   token_sha256=sha256(token), expires_on=rt.plan.period.end,
                                   created_at=now))
        out[uid] = url_for(rt, token) or ""
    s.add_all(new)
    s.flush()
    return out
