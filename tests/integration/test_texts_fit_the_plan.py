"""Each plan's documents fit its programme and level: the merged 2026 programme has no "Dự án 2"
(the 2021–2025 programme's numbering), a village head is asked to carry the plan out (a village
directs no one), and the seed's texts stay as the seed wrote them."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from giamsat.cli import app
from giamsat.notify.letter import letter_stamp, letter_values, render_letter
from giamsat.notify.outline import render_outline
from giamsat.plan.milestones import calendar_for
from giamsat.plan.schema import load_plan

ROOT = Path(__file__).resolve().parents[2]
SEED, PROVINCE, COMMUNE = (ROOT / "config" / n for n in ("vu-ban-2024.yaml", "ninh-binh-2026.yaml",
                                                          "xa-vu-ban-2026.yaml"))


def _lines(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.text.strip()]


def _outline_a(config: Path, tmp_path: Path) -> str:
    plan = load_plan(config)
    unit = plan.units_on(plan.report.deadline)[0]
    path = render_outline(plan, unit, tmp_path / "de-cuong.docx", plan.cycle_key)
    return next(t for t in _lines(path) if t.startswith("A. "))


def test_the_seed_outline_keeps_project_2_in_section_a(tmp_path):
    assert _outline_a(SEED, tmp_path) == ("A. KẾT QUẢ THỰC HIỆN DỰ ÁN 2 (ĐA DẠNG HÓA SINH KẾ, PHÁT TRIỂN MÔ "
                                          "HÌNH GIẢM NGHÈO)")


@pytest.mark.parametrize("config", [PROVINCE, COMMUNE], ids=["province-2026", "commune-2026"])
def test_a_2026_outline_names_the_merged_programmes_component_not_project_2(config, tmp_path):
    title = _outline_a(config, tmp_path)
    assert "DỰ ÁN 2" not in title
    assert title == "A. KẾT QUẢ THỰC HIỆN NỘI DUNG ĐA DẠNG HÓA SINH KẾ, PHÁT TRIỂN MÔ HÌNH GIẢM NGHÈO"


def _closing(plan, unit, path: Path) -> str:
    return next(t for t in _lines(path) if t.startswith("Đề nghị ") and "đúng thời gian quy định" in t)


def test_a_village_is_asked_to_carry_the_plan_out_a_commune_committee_to_direct_it(tmp_path):
    plan = load_plan(COMMUNE)
    cal, day = calendar_for(plan), plan.period.start
    village = plan.units_on(day)[0]
    fresh = render_letter(plan, cal, village, day, tmp_path / "thon.docx")
    stamped = tmp_path / "thon-stamped.docx"
    stamp = letter_stamp(plan, cal, day, plan.units_on(day)[1])
    stamped.write_bytes(stamp.fill(letter_values(plan, village)))
    for path in (fresh, stamped):
        text = _closing(plan, village, path)
        assert "chỉ đạo" not in text and text.endswith("tổ chức thực hiện đúng thời gian quy định./."), text
    seed = load_plan(SEED)
    commune = seed.units_on(seed.period.start)[1]
    text = _closing(seed, commune, render_letter(seed, calendar_for(seed), commune, seed.period.start,
                                                 tmp_path / "xa.docx"))
    assert text.endswith("quan tâm, chỉ đạo thực hiện đúng thời gian quy định./."), text


def test_the_draw_help_does_not_call_a_communes_villages_communes():
    out = CliRunner().invoke(app, ["draw", "--help"], env={"COLUMNS": "200"})
    assert out.exit_code == 0
    text = " ".join(out.output.replace("│", " ").split())
    assert "Chọn ngẫu nhiên xã và thôn để giám sát" not in text
    assert "kế hoạch cấp xã: thôn, tổ dân phố" in text, text
