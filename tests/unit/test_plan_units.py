"""``giamsat plan units --province 37`` prints the units block the 2026 plan was written from."""

from pathlib import Path

import pytest
import yaml

from giamsat.plan.schema import load_plan

pytest.importorskip("vietnam_provinces", reason="the optional extra 'places' is not installed")

PLAN_2026 = Path(__file__).resolve().parents[2] / "config" / "ninh-binh-2026.yaml"


def test_the_printed_units_of_ninh_binh_are_the_129_units_of_the_shipped_plan_with_their_kinds():
    from giamsat.files.catalogue import units_block

    printed = yaml.safe_load(units_block(37, "2025-07-01", "example"))["units"]
    shipped = {u.code: (u.name, u.kind) for u in load_plan(PLAN_2026).units}
    assert len(printed) == 129
    assert {u["code"]: (u["name"], u["kind"]) for u in printed} == shipped
