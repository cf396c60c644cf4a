"""The page as it prints: the 2026 letter's issuer name breaks between words that belong together
(not "SỞ NÔNG NGHIỆP VÀ MÔI / TRƯỜNG"), and a landscape form's signature stands under the
national title, as on a portrait page. Rendered to PDF with LibreOffice and read back by position."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from docx import Document

from giamsat.docx.table_layout import body_name_lines
from giamsat.issuance.pdf import to_pdf
from giamsat.notify.letter import render_letter
from giamsat.notify.outline import render_outline
from giamsat.plan.milestones import calendar_for
from giamsat.plan.schema import load_plan

ROOT = Path(__file__).resolve().parents[2]
needs_pdf = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                               reason="LibreOffice (soffice) and poppler (pdftotext) render the page")


def _lines(pdf: Path) -> list[list[tuple[str, float]]]:
    """Per page, each printed line's text without spaces (glyphs of a fallback font come out as
    words of their own) and its horizontal centre (points)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True,
                         text=True).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in ET.fromstring(xml).iter(f"{{{ns['x']}}}page"):
        lines = []
        for line in page.iter(f"{{{ns['x']}}}line"):
            text = "".join(w.text or "" for w in line.iter(f"{{{ns['x']}}}word"))
            lines.append((text, (float(line.get("xMin")) + float(line.get("xMax"))) / 2))
        pages.append(lines)
    return pages


def test_the_issuer_name_is_broken_where_it_reads_well_and_the_seeds_is_left_whole():
    assert body_name_lines("Sở Nông nghiệp và Môi trường", 6.5, committee=False) == \
        "SỞ NÔNG NGHIỆP\nVÀ MÔI TRƯỜNG"
    seed = "PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"  # wraps evenly in its column: left to it
    assert body_name_lines(seed, 6.5, committee=False) == seed
    assert body_name_lines("Phòng Kinh tế", 6.5, committee=False) == "PHÒNG KINH TẾ"


@needs_pdf
def test_the_2026_letter_prints_the_departments_name_on_two_whole_lines(tmp_path):
    plan = load_plan(ROOT / "config" / "ninh-binh-2026.yaml")
    day = plan.period.start
    docx = render_letter(plan, calendar_for(plan), plan.units_on(day)[0], day, tmp_path / "cong-van.docx")
    left = Document(str(docx)).tables[0].rows[0].cells[0]
    assert [p.text for p in left.paragraphs][:2] == ["UBND TỈNH NINH BÌNH", "SỞ NÔNG NGHIỆP\nVÀ MÔI TRƯỜNG"]
    printed = [t for t, _ in _lines(to_pdf(docx, tmp_path / "cong-van.pdf", tmp_path / "lo"))[0]]
    assert "SỞNÔNGNGHIỆP" in printed and "VÀMÔITRƯỜNG" in printed, printed[:8]
    assert "TRƯỜNG" not in printed and "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM" in printed, printed[:8]


@needs_pdf
def test_the_landscape_forms_signature_stands_under_the_national_title(tmp_path):
    plan = load_plan(ROOT / "config" / "ninh-binh-2026.yaml")
    unit = plan.units_on(plan.report.deadline)[0]
    docx = render_outline(plan, unit, tmp_path / "de-cuong.docx", plan.cycle_key)
    pages = _lines(to_pdf(docx, tmp_path / "de-cuong.pdf", tmp_path / "lo"))
    title = next(x for t, x in pages[0] if t == "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM")
    signer = next(x for t, x in pages[-1] if t == "CHỦTỊCH")
    assert abs(signer - title) < 12, (signer, title)  # points: within 4 mm
