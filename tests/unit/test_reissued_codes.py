"""Codes reissued by the 2025 reform: a unit is ``code@valid_from``, never its code alone."""

import datetime as dt
from pathlib import Path

from giamsat.domain import sampling
from giamsat.domain.sampling import FrameUnit
from giamsat.plan.schema import load_plan

CONFIG = Path(__file__).resolve().parents[2] / "config"


def _frame(plan, day):
    return [FrameUnit(u.key, u.kind, u.name, tuple(u.villages)) for u in plan.units_on(day)]


def test_code_13741_is_the_town_of_goi_in_2024_and_the_commune_of_vu_ban_in_2026():
    seed, province = load_plan(CONFIG / "vu-ban-2024.yaml"), load_plan(CONFIG / "ninh-binh-2026.yaml")
    assert seed.unit("13741", dt.date(2024, 4, 1)).name == "Thị trấn Gôi"
    reissued = province.unit("13741", dt.date(2026, 4, 1))
    assert reissued.name == "Xã Vụ Bản" and reissued.key == "13741@2025-07-01"
    assert province.unit("13741", dt.date(2024, 4, 1)) is None


def test_excluding_last_cycles_unit_by_its_key_keeps_the_new_unit_that_took_its_code():
    frame = _frame(load_plan(CONFIG / "ninh-binh-2026.yaml"), dt.date(2026, 4, 20))
    kept = {u.key for u in sampling.build_frame(frame, excluded_codes=["13741@2024-01-01"])}
    assert "13741@2025-07-01" in kept and len(kept) == len(frame)
    named = {u.key for u in sampling.build_frame(frame, excluded_codes=["13741@2025-07-01"])}
    assert "13741@2025-07-01" not in named and len(named) == len(frame) - 1
    by_code = {u.key for u in sampling.build_frame(frame, excluded_codes=["13741"])}
    assert "13741@2025-07-01" not in by_code and len(by_code) == len(frame) - 1
