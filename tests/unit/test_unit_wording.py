"""Words about every unit name the kinds present ("từng xã, phường"); the sample's noun stays the sample's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from giamsat.domain.formatting import in_sentence
from giamsat.final_report.narratives import Recurring
from giamsat.final_report.text import paragraphs
from giamsat.messaging.templates import render_email
from giamsat.plan.schema import load_plan
from giamsat.plan.wording import greeting, plan_words, unit_words

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


@pytest.mark.parametrize(("config", "greeted"), [
    ("vu-ban-2024.yaml", "Đồng chí Chủ tịch UBND huyện Vụ Bản; "
                         "Sở Lao động - Thương binh và Xã hội tỉnh Nam Định"),
    ("xa-vu-ban-2026.yaml", "UBND xã Vụ Bản; Sở Nông nghiệp và Môi trường tỉnh Ninh Bình"),
    ("ninh-binh-2026.yaml", "UBND tỉnh Ninh Bình; Bộ Nông nghiệp và Môi trường")])
def test_the_final_report_e_mail_greets_each_of_its_addressees_by_name(config, greeted):
    plan = load_plan(CONFIG / config)
    to = plan.recipients.final_report_addresses
    assert all("<" not in a and "@" in a for a in to)
    assert greeting(plan, to) == greeted


@pytest.mark.parametrize(("config", "said"), [
    ("vu-ban-2024.yaml", "triển khai Dự án 2 và công tác"),
    ("xa-vu-ban-2026.yaml", "triển khai nội dung đa dạng hóa sinh kế, phát triển mô hình giảm nghèo và")])
def test_the_reports_proposals_name_the_component_as_a_sentence_does(config, said):
    words = plan_words(load_plan(CONFIG / config))
    ctx = {**words, "department_short": "Sở", "office_short": "Phòng", "overdue": 0, "missing": 0}
    text = "\n".join(paragraphs("proposals", ctx))
    assert said in text, text


@pytest.mark.parametrize(("config", "said"), [
    ("vu-ban-2024.yaml", "3 mô hình thuộc Dự án 2;"),
    ("xa-vu-ban-2026.yaml", "3 mô hình thuộc nội dung đa dạng hóa sinh kế, phát triển mô hình giảm nghèo;")])
def test_the_report_acknowledgement_counts_the_models_of_the_component(config, said):
    plan = load_plan(CONFIG / config)
    unit = plan.units[0]
    ctx = {**plan_words(plan), **unit_words(plan, unit), "unit_name": unit.name, "unit_code": unit.code,
           "filename": "bc.xlsx", "received_on": dt.date(2026, 10, 5), "received_time": "09:15",
           "reference": "BC-00001", "office_name": plan.bodies.office.short, "late": False,
           "superseded": False, "models_count": 3, "recommendations_count": 1, "poor_rate": 2.5,
           "near_poor_rate": 3.1}
    _, text, html = render_email("report_ack", ctx)
    assert f"Số liệu đã ghi nhận: {said}" in text, text
    assert f"Số liệu đã ghi nhận: {said}" in html, html


@pytest.mark.parametrize(("config", "said"), [
    ("vu-ban-2024.yaml", "có 12 mô hình giảm nghèo thuộc Dự án 2: Trồng trọt 12 mô hình."),
    ("xa-vu-ban-2026.yaml", "có 12 mô hình thuộc nội dung đa dạng hóa sinh kế, phát triển mô hình giảm "
                            "nghèo: Trồng trọt 12 mô hình.")])
def test_the_reports_models_paragraph_names_the_models_once(config, said):
    words = plan_words(load_plan(CONFIG / config))
    funds = {"central": 0, "local": 0, "counterpart": 0, "credit": 0}
    ctx = {**words, "count": 12, "by_type": {"Trồng trọt": 12}, "funding": funds, "funding_total": 0,
           "households": {"poor": 1, "near_poor": 2, "escaped": 3, "other": 4}, "disbursed": 0,
           "disbursement_rate": 0.0}
    text = paragraphs("project2", ctx)[0]
    assert said in text, text
    assert text.count("mô hình giảm nghèo") == 1, text
    empty = paragraphs("project2", {**ctx, "count": 0, "as_of": dt.date(2026, 10, 5)})[0]
    assert empty.count("mô hình giảm nghèo") == 1, empty
