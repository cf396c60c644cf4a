"""The sample step: propose a verifiable draw, then the coordinator approves it or redraws."""

from __future__ import annotations

import csv
import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from giamsat.cycle.sync import mark_step_done
from giamsat.db import audit
from giamsat.db.models import SampleDraw
from giamsat.domain import sampling
from giamsat.domain.errors import Conflict, GiamsatError, NotFound
from giamsat.domain.formatting import short_date
from giamsat.domain.vocabulary import DRAW_ACTIVE, label
from giamsat.plan.schema import Plan
from giamsat.runtime import Runtime

Beneficiaries = Mapping[str, Mapping[str, Sequence[str]]]


def plan_frame(plan: Plan, on: dt.date) -> list[sampling.FrameUnit]:
    """The sampling frame on ``on``: units valid that day, sorted by key, minus exclusions."""
    units = [sampling.FrameUnit(u.key, u.kind, u.name, tuple(u.villages)) for u in plan.units_on(on)]
    return sampling.build_frame(units, plan.sample.exclude_previous_cycle)


def plan_parameters(plan: Plan, beneficiaries: Beneficiaries | None = None) -> sampling.Parameters:
    """The draw parameters from the plan's ``sample`` section."""
    s = plan.sample
    strata = tuple(sampling.Stratum(x.name, tuple(x.kinds), x.count) for x in s.strata)
    return sampling.Parameters(s.communes, s.villages_per_commune, s.households_per_village, strata,
                               tuple(s.exclude_previous_cycle), dict(beneficiaries or {}))


def record_of(row: SampleDraw, cycle_key: str) -> dict[str, Any]:
    """The draw record an inspector recomputes; ``record_sha256`` covers everything but itself."""
    return {"cycle": cycle_key, "draw_on": row.draw_on.isoformat(), "seed": row.seed,
            "seed_source": row.seed_source, "frame": row.frame, "parameters": row.parameters,
            "algorithm": row.algorithm, "algorithm_version": row.algorithm_version,
            "result": row.result, "drawn_by": row.drawn_by,
            "drawn_at": row.drawn_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
            "record_sha256": row.record_sha256}


def current_draw(session: Session, cycle_id: int) -> SampleDraw | None:
    """The cycle's proposed or approved draw, if any (a rejected draw is history)."""
    return session.scalar(select(SampleDraw).where(SampleDraw.cycle_id == cycle_id,
                                                   SampleDraw.status.in_(DRAW_ACTIVE))
                          .order_by(SampleDraw.id.desc()))


def approved_draw(session: Session, cycle_id: int) -> SampleDraw | None:
    """The cycle's approved draw, if the coordinator approved one."""
    row = current_draw(session, cycle_id)
    return row if row is not None and row.status == "approved" else None


def find_draw(session: Session, cycle_id: int, draw_id: int | None) -> SampleDraw:
    """Draw ``draw_id``, or the current one (else the latest) when ``draw_id`` is None."""
    if draw_id is not None:
        row = session.get(SampleDraw, draw_id)
        if row is None or row.cycle_id != cycle_id:
            raise NotFound(f"Không có lượt chọn mẫu số {draw_id} trong chu kỳ này.")
        return row
    row = current_draw(session, cycle_id) or session.scalar(
        select(SampleDraw).where(SampleDraw.cycle_id == cycle_id).order_by(SampleDraw.id.desc()))
    if row is None:
        raise NotFound("Chưa có lượt chọn mẫu nào; chạy 'giamsat draw draw' trước.")
    return row


def _seed(seed: str | None, public_values: Sequence[str]) -> tuple[str, str]:
    if seed is not None and public_values:
        raise Conflict("Chỉ dùng một trong hai: --seed hoặc --public-value.")
    try:
        if seed is not None:
            text = sampling.normalise(seed)
            if not text:
                raise Conflict("Hạt giống (--seed) không được để trống.")
            return text, "coordinator"
        if public_values:
            return sampling.seed_from_public_values(public_values), "public_values"
    except sampling.SamplingError as exc:
        raise Conflict(f"Không tạo được hạt giống: {exc}.") from None
    return secrets.token_hex(16), "system_random"


def draw(rt: Runtime, as_of: dt.date, seed: str | None, actor: str, *,
         public_values: Sequence[str] = (), beneficiaries: Beneficiaries | None = None,
         now: dt.datetime) -> SampleDraw:
    """Propose a draw on ``as_of`` at ``now``; an existing proposed/approved draw is returned unchanged."""
    now = now.replace(microsecond=0)
    with rt.db.unit_of_work() as s:
        existing = current_draw(s, rt.cycle_id)
        if existing is not None:
            if seed is not None and sampling.normalise(seed) != existing.seed:
                state = label("draw_status", existing.status)
                raise Conflict(f"Đã có lượt chọn mẫu số {existing.id} ({state}); "
                               f"muốn chọn lại phải từ chối lượt đó với lý do (giamsat draw reject).")
            return existing
        text, source = _seed(seed, public_values)
        used = s.scalar(select(SampleDraw.id).where(SampleDraw.cycle_id == rt.cycle_id,
                                                    SampleDraw.seed == text))
        if used is not None:
            raise Conflict(f"Hạt giống này đã dùng cho lượt chọn mẫu số {used} (đã bị từ chối); "
                           f"lượt chọn lại phải dùng hạt giống mới.")
        row = _new_draw(rt, as_of, text, source, actor, now, public_values, beneficiaries)
        s.add(row)
        s.flush()
        audit.record(s, at=now, actor=actor, action="sample.drawn", entity="sample_draw",
                     entity_id=row.id, cycle_id=rt.cycle_id, seed_source=source,
                     units=[u["key"] for u in row.result["units"]], record_sha256=row.record_sha256)
        return row


def _new_draw(rt: Runtime, as_of: dt.date, seed: str, source: str, actor: str, now: dt.datetime,
              public_values: Sequence[str], beneficiaries: Beneficiaries | None) -> SampleDraw:
    frame = plan_frame(rt.plan, as_of)
    params = plan_parameters(rt.plan, beneficiaries)
    try:
        result = sampling.draw(seed, frame, params)
    except sampling.SamplingError as exc:
        raise Conflict(f"Không chọn được mẫu: {exc}.") from None
    parameters = params.as_json() | ({"public_values": list(public_values)} if public_values else {})
    row = SampleDraw(cycle_id=rt.cycle_id, draw_on=as_of, seed=seed, seed_source=source,
                     frame=[u.as_json() for u in frame], parameters=parameters,
                     algorithm=sampling.ALGORITHM, algorithm_version=sampling.VERSION,
                     result=result, status="proposed", drawn_by=actor, drawn_at=now,
                     record_sha256="")
    row.record_sha256 = sampling.digest(record_of(row, rt.plan.cycle_key))
    return row


def verify(rt: Runtime, draw_id: int | None = None) -> tuple[bool, list[str]]:
    """Recompute a stored draw: its digest, its result from the seed, its frame against the plan."""
    with rt.db.unit_of_work() as s:
        row = find_draw(s, rt.cycle_id, draw_id)
        return verify_row(rt, row)


def verify_row(rt: Runtime, row: SampleDraw) -> tuple[bool, list[str]]:
    """``verify`` for a row already loaded in the caller's session."""
    ok, diffs = sampling.verify(record_of(row, rt.plan.cycle_key))
    expected = [u.as_json() for u in plan_frame(rt.plan, row.draw_on)]
    if [u["key"] for u in row.frame] != [u["key"] for u in expected]:
        diffs.append(f"khung mẫu trong hồ sơ khác danh sách đơn vị của kế hoạch ngày "
                     f"{short_date(row.draw_on)}")
    return ok and not diffs, diffs


def approve(rt: Runtime, draw_id: int | None, actor: str, now: dt.datetime) -> SampleDraw:
    """Approve a proposed draw (idempotent); refuses a rejected or tampered draw."""
    with rt.db.unit_of_work() as s:
        row = find_draw(s, rt.cycle_id, draw_id)
        if row.status == "approved":
            return row
        if row.status != "proposed":
            raise Conflict(f"Lượt chọn mẫu số {row.id} {label('draw_status', row.status)}, không duyệt được.")
        ok, diffs = verify_row(rt, row)
        if not ok:
            raise Conflict(f"Lượt chọn mẫu số {row.id} không kiểm tra lại được, không duyệt: "
                           + "; ".join(diffs))
        row.status, row.decided_by, row.decided_at = "approved", actor, now
        audit.record(s, at=now, actor=actor, action="sample.approved", entity="sample_draw",
                     entity_id=row.id, cycle_id=rt.cycle_id, record_sha256=row.record_sha256)
        mark_step_done(s, rt.cycle_id, "draw", now, note=f"Lượt chọn mẫu số {row.id} đã được duyệt",
                       actor=actor)
        return row


def reject(rt: Runtime, draw_id: int | None, reason: str, actor: str,
           now: dt.datetime) -> SampleDraw:
    """Reject a proposed draw with a reason; the next draw must use a new seed."""
    if not reason or not reason.strip():
        raise Conflict("Phải ghi lý do khi chọn lại mẫu (--reason).")
    with rt.db.unit_of_work() as s:
        row = find_draw(s, rt.cycle_id, draw_id)
        if row.status == "rejected":
            return row
        if row.status != "proposed":
            raise Conflict(f"Lượt chọn mẫu số {row.id} {label('draw_status', row.status)}; chỉ lượt đang chờ "
                           f"duyệt mới chọn lại được.")
        row.status, row.decided_by, row.decided_at = "rejected", actor, now
        row.decision_reason = reason.strip()
        audit.record(s, at=now, actor=actor, action="sample.rejected", entity="sample_draw",
                     entity_id=row.id, cycle_id=rt.cycle_id, reason=row.decision_reason)
        return row


def read_beneficiaries(path: Path, plan: Plan, on: dt.date) -> dict[str, dict[str, list[str]]]:
    """A beneficiary list CSV (columns ``ma_don_vi,thon,ho``) keyed by unit key and village."""
    out: dict[str, dict[str, list[str]]] = {}
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GiamsatError(f"Không đọc được danh sách hộ {path}: {exc}") from None
    for n, row in enumerate(rows, start=2):
        code, village, household = (str(row.get(c) or "").strip() for c in ("ma_don_vi", "thon", "ho"))
        unit = plan.unit(code, on)
        if unit is None or village not in unit.villages or not household:
            raise GiamsatError(f"Danh sách hộ {path}, dòng {n}: mã đơn vị {code!r}, thôn {village!r} "
                               f"hoặc tên hộ không hợp lệ (cần các cột ma_don_vi, thon, ho).")
        out.setdefault(unit.key, {}).setdefault(village, []).append(household)
    return out
