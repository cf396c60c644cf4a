"""Words about every unit name the kinds present ("từng xã, phường"); the sample's noun stays the sample's."""

from __future__ import annotations

from pathlib import Path

import pytest

from giamsat.domain.formatting import in_sentence
from giamsat.final_report.narratives import Recurring
from giamsat.final_report.text import paragraphs
from giamsat.plan.schema import load_plan
from giamsat.plan.wording import plan_words

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.mark.parametrize(("config", "each"), [("vu-ban-2024.yaml", "từng xã, thị trấn"),
                                              ("ninh-binh-2026.yaml", "từng xã, phường")])
def test_the_difficulties_paragraph_names_every_kind_of_unit(config, each):
    words = plan_words(load_plan(CONFIG / config))
    said = paragraphs("difficulties", {**words, "received": 9, "items": [],
                                       "narratives": [object(), object()],
                                       "recurring": [Recurring("thiếu kinh phí", ("Xã A", "Phường B"), 9)]})
    kinds = each.removeprefix("từng ")
    text = "\n".join(said)
    assert f"báo cáo của {each} tại Phụ lục V" in text
    assert f"2/9 {kinds} nêu (Xã A, Phường B)" in text
    assert "từng xã tại" not in text and "nhiều xã " not in text


def test_a_units_name_inside_a_sentence_starts_lower_case():
    assert f"UBND {in_sentence('Xã Đại An')}" == "UBND xã Đại An"
    assert in_sentence("Phường Thành Nam") == "phường Thành Nam"
