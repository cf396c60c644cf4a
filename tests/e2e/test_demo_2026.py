"""The 2026 province plan end to end: its demo runs, and no district-era or seed name leaks out.

Each test runs the whole demo on a 129-unit plan (about a minute or two each on an idle machine).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from giamsat.plan.schema import load_plan
from tests.fixtures.demo_text import everything_written, run_demo

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PLAN_2026 = ROOT / "config" / "ninh-binh-2026.yaml"
DISTRICT_ERA = ("huyện", "thị trấn", "Vụ Bản", "Nam Định", "Thương binh", "LĐTBXH",
                # the 2021–2025 programme's name: 2026 has one merged programme
                "Chương trình mục tiêu quốc gia giảm nghèo bền vững", "Chương trình MTQG giảm nghèo bền vững",
                # its project numbering, and the seed's year in the demo's synthetic minutes
                "Dự án 2", "năm 2024")
# The province and its bodies, renamed to a province that does not exist.
RENAMES = {"Ninh Bình": "Sông Hồng", "NINH BÌNH": "SÔNG HỒNG", "ninhbinh": "songhong",
           "Nông nghiệp và Môi trường": "Kinh tế và Hạ tầng",
           "NÔNG NGHIỆP VÀ MÔI TRƯỜNG": "KINH TẾ VÀ HẠ TẦNG",
           "SNNMT": "SKTHT", "BNNMT": "BKTHT", "snnmt": "sktht", "bnnmt": "bktht",
           "Sở Tài chính": "Sở Ngân sách"}


@pytest.fixture(scope="module")
def demo_2026(prefect_harness, tmp_path_factory):
    """``(out, manifest, texts)`` of the demo on the shipped 2026 plan."""
    out = tmp_path_factory.mktemp("demo2026")
    manifest, shown = run_demo(PLAN_2026, out)
    return out, manifest, everything_written(out, shown)


def _names_pattern(unit_names: list[str]) -> re.Pattern[str]:
    """The plan's own units' official names, longest first (a unit may be called Vụ Bản)."""
    names = sorted(unit_names, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names), flags=re.IGNORECASE)


def _renamed(value):
    """Every string of the parsed plan with the province and its bodies renamed (folded lines too)."""
    if isinstance(value, dict):
        return {k: _renamed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v) for v in value]
    if isinstance(value, str):
        for old, new in RENAMES.items():
            value = value.replace(old, new)
    return value


def test_the_2026_demo_runs_the_whole_cycle_for_129_communes_and_wards(demo_2026):
    _, manifest, _ = demo_2026
    summary = manifest["summary"]
    assert summary["reports"]["expected"] == 129
    assert summary["messages_by_kind"]["notify_plan"] == 129
    assert set(summary["messages_by_status"]) == {"sent"}
    assert {k: summary["steps"][k] for k in ("notify", "draw", "visits", "provincial_visit",
                                              "final_report")} == {
        "notify": "done", "draw": "done", "visits": "done", "provincial_visit": "done",
        "final_report": "done"}
    kinds = {u["name"].split()[0] for u in summary["sample"]["units"]}
    assert len(summary["sample"]["units"]) == 6 and kinds == {"Xã", "Phường"}


def test_the_2026_demo_has_the_sos_report_to_the_province_and_an_adhoc_report(demo_2026):
    _, manifest, texts = demo_2026
    kinds = {o["kind"]: o["path"] for o in manifest["outputs"]}
    office = next(t for where, t in texts.items() if "bao-cao-cua-co-quan-thuong-truc" in where)
    # the header breaks the department's name between whole words (not "… MÔI / TRƯỜNG")
    assert "SỞ NÔNG NGHIỆP\nVÀ MÔI TRƯỜNG" in office and "Số: 518/BC-SNNMT" in office
    assert "Kính gửi: Ủy ban nhân dân tỉnh Ninh Bình." in office
    assert "Đoàn giám sát của Bộ Nông nghiệp và Môi trường đã làm việc tại tỉnh Ninh Bình" in office
    adhoc = next(t for where, t in texts.items() if "bao-cao-giam-sat-dot-xuat" in where)
    assert "Kết quả giám sát đột xuất (đợt 1)" in adhoc
    assert "Kính gửi: Ủy ban nhân dân tỉnh Ninh Bình." in adhoc
    assert {"office_report", "adhoc_report", "interim_report"} <= set(kinds)


def test_no_output_of_the_2026_demo_speaks_of_districts_towns_or_the_old_province(demo_2026):
    _, _, texts = demo_2026
    names = [u.name for u in load_plan(PLAN_2026).units]
    assert "Xã Vụ Bản" in names and "Phường Nam Định" in names  # real 2026 units, named as such
    assert len(texts) > 300
    own_names = _names_pattern(names)
    cleaned = {where: own_names.sub("<đơn vị>", text).casefold() for where, text in texts.items()}
    leaks = {(where, word) for where, text in cleaned.items()
             for word in DISTRICT_ERA if word.casefold() in text}
    assert leaks == set()


def test_a_renamed_province_leaves_no_trace_of_the_old_names_in_any_document_or_email(
        prefect_harness, tmp_path_factory):
    data = _renamed(yaml.safe_load(PLAN_2026.read_text(encoding="utf-8")))
    data["cycle_key"] = "song-hong-2026"
    folder = tmp_path_factory.mktemp("renamed")
    config = folder / "song-hong-2026.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = folder / "demo"
    _, shown = run_demo(config, out)
    texts = everything_written(out, shown)
    final = next(t for where, t in texts.items() if "bao-cao-ket-qua" in where)
    assert "tỉnh Sông Hồng" in final and "Sở Kinh tế và Hạ tầng" in final
    leaks = {(where, old) for where, t in texts.items() for old in RENAMES
             if old.casefold() in t.casefold()}
    assert leaks == set()
