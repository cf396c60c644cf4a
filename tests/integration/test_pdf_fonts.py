"""The PDF to sign is set in one serif: the documents name Times New Roman, and LibreOffice must
draw its Vietnamese capitals (Ộ, Ở, Ư) in the same face, not fall back to DejaVu for them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from giamsat.issuance.pdf import font_env, to_pdfs
from giamsat.notify.letter import render_letter
from giamsat.notify.outline import render_outline
from giamsat.plan.milestones import calendar_for
from giamsat.plan.schema import load_plan

ROOT = Path(__file__).resolve().parents[2]
TIMES_TWIN = {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
              "LiberationSerif-BoldItalic"}
NEEDS = "fonts-liberation2 (Liberation 2.x, with Vietnamese; .ci/run installs it)"


def _fonts(pdf: Path) -> set[str]:
    """The faces ``pdffonts`` lists, without their subset prefix (``BAAAAA+``)."""
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts is missing: install poppler-utils (.ci/run does)")
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in listing.splitlines()[2:] if line.strip()}


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) is not installed, so no PDF is exported to check")
def test_the_exported_letter_and_form_use_one_serif_with_no_fallback_for_vietnamese_capitals(tmp_path):
    plan = load_plan(ROOT / "config" / "vu-ban-2024.yaml")
    day, unit = plan.period.start, plan.units[0]
    letter = render_letter(plan, calendar_for(plan), unit, day, tmp_path / "cong-van.docx")
    form = render_outline(plan, unit, tmp_path / "de-cuong.docx", plan.cycle_key)
    pdfs = to_pdfs([(letter, tmp_path / "cong-van.pdf"), (form, tmp_path / "de-cuong.pdf")], tmp_path / "lo")
    for pdf in pdfs:
        faces = _fonts(pdf)
        assert faces and faces <= TIMES_TWIN, f"{pdf.name}: {sorted(faces)} — needs {NEEDS}"


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig's fc-list is not installed")
def test_the_exports_fontconfig_leaves_out_liberation_faces_without_vietnamese(tmp_path):
    env = font_env(tmp_path)
    assert "FONTCONFIG_FILE" in env

    def listed(pattern: str) -> set[str]:
        return set(subprocess.run(["fc-list", pattern, "file"], capture_output=True, text=True, check=True,
                                  env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}).stdout.split())

    faces = listed("Liberation Serif")
    assert faces, f"no Liberation Serif with Vietnamese: needs {NEEDS}"
    assert faces == listed("Liberation Serif:charset=1ed8"), faces  # Ộ in every face left
