"""The poverty standard by year: 2026 still Decree 07/2021, 2027–2030 Decree 351/2025; a plan
states one or takes its year's, and what it states must be that decree's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from giamsat.domain.errors import PlanError
from giamsat.plan import poverty
from giamsat.plan.schema import load_plan
from giamsat.plan.wording import plan_words

PLAN_2026 = Path(__file__).resolve().parents[2] / "config" / "ninh-binh-2026.yaml"


def _plan_of(tmp_path, year: int, standard: dict | None):
    data = yaml.safe_load(PLAN_2026.read_text(encoding="utf-8"))
    shift = year - data["year"]
    data["year"] = year
    data["cycle_key"] = f"ninh-binh-{year}"
    text = yaml.safe_dump(data, allow_unicode=True)
    if shift:  # every date of the plan moved to its year
        text = text.replace("2026-", f"{year}-")
    data = yaml.safe_load(text)
    if standard is None:
        data.pop("poverty_standard", None)
    else:
        data["poverty_standard"] = standard
    path = tmp_path / f"plan-{year}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_plan(path)


@pytest.mark.parametrize(("year", "decree", "rural", "urban"), [
    (2024, "07/2021/NĐ-CP", 1_500_000, 2_000_000), (2026, "07/2021/NĐ-CP", 1_500_000, 2_000_000),
    (2027, "351/2025/NĐ-CP", 2_200_000, 2_800_000), (2030, "351/2025/NĐ-CP", 2_200_000, 2_800_000)])
def test_the_standard_in_force_by_year(year, decree, rural, urban):
    s = poverty.standard_for(year)
    assert (s.decree, s.income_rural, s.income_urban) == (decree, rural, urban)


def test_a_plan_without_a_standard_takes_its_years_and_its_documents_cite_it(tmp_path):
    plan = _plan_of(tmp_path, 2027, None)
    assert plan.standard.decree == "351/2025/NĐ-CP"
    cited = plan_words(plan)["poverty_standard"]
    assert "Nghị định số 351/2025/NĐ-CP" in cited and "2.200.000 đồng ở khu vực nông thôn" in cited
    assert "2.800.000 đồng ở khu vực thành thị" in cited
    assert "07/2021" in plan_words(_plan_of(tmp_path, 2026, None))["poverty_standard"]


def test_a_plan_stating_another_years_decree_or_other_thresholds_is_refused(tmp_path):
    with pytest.raises(PlanError, match=r"Nghị định số 07/2021/NĐ-CP áp dụng cho các năm 2022–2026, "
                                        r"không phải năm 2027 \(năm 2027 áp dụng Nghị định số "
                                        r"351/2025/NĐ-CP\)"):
        _plan_of(tmp_path, 2027, {"decree": "07/2021/NĐ-CP"})
    with pytest.raises(PlanError, match=r"quy định 2.200.000 / 2.800.000 đồng .*không phải 1.500.000 / "
                                        r"2.000.000"):
        _plan_of(tmp_path, 2027, {"income_rural": 1_500_000, "income_urban": 2_000_000})


def test_a_year_no_known_standard_covers_needs_the_plan_to_state_one(tmp_path):
    with pytest.raises(PlanError, match="chưa có chuẩn nghèo đã biết cho năm 2031"):
        _plan_of(tmp_path, 2031, None)
    plan = _plan_of(tmp_path, 2031, {"decree": "999/2030/NĐ-CP", "income_rural": 2_500_000,
                                     "income_urban": 3_100_000})
    assert "Nghị định số 999/2030/NĐ-CP" in plan.standard.cite() and "3.100.000" in plan.standard.cite()
