"""A commune's plan end to end: Xã Vụ Bản (2026) monitors its villages and residential groups.

One demo run for the module (about a minute); every test reads its outputs as their reader does:
the Word files opened back with python-docx, the e-mails decoded, the console as printed.
"""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from docx import Document

from giamsat.plan.schema import load_plan
from tests.fixtures.demo_text import docx_text, everything_written, run_demo

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "config" / "xa-vu-ban-2026.yaml"
# What a commune's documents must never say: the district era, the old province and ministry, a
# People's Committee of a village (a village has none).
NEVER = ("huyện", "thị trấn", "Vụ Bản huyện", "Nam Định", "Thương binh", "LĐTBXH",
         "Ủy ban nhân dân thôn", "Ủy ban nhân dân tổ dân phố", "UBND thôn", "UBND tổ dân phố",
         "Dự án 2", "năm 2024")  # the 2021–2025 programme's numbering; the seed's year


@pytest.fixture(scope="module")
def commune_demo(prefect_harness, tmp_path_factory):
    """``(out, manifest, texts)`` of the demo on the shipped commune plan."""
    out = tmp_path_factory.mktemp("demo-xa")
    manifest, shown = run_demo(PLAN, out)
    return out, manifest, everything_written(out, shown)


def _notify_doc(out: Path, kind: str, code: str) -> Path:
    return next((out / "home" / "documents" / "notify").glob(f"{kind}-{code}-*.docx"))


def _header_cells(path: Path) -> tuple[list[str], list[str]]:
    """The left and right cells of the Decree 30 header block, their lines as printed."""
    left, right = Document(str(path)).tables[0].rows[0].cells
    return ([p.text for p in left.paragraphs if p.text.strip()],
            [p.text for p in right.paragraphs if p.text.strip()])


def _mail_to(out: Path, address: str, kind_words: str) -> str:
    """The text of the first e-mail to ``address`` whose subject has ``kind_words``."""
    for path in sorted((out / "home" / "outbox").rglob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if address in str(msg["To"]) and kind_words in str(msg["Subject"]):
            return msg.get_body(preferencelist=("plain",)).get_content()
    raise AssertionError(f"no e-mail to {address} about {kind_words!r}")


def test_the_commune_demo_runs_the_whole_cycle_over_its_twelve_villages(commune_demo):
    _, manifest, texts = commune_demo
    summary = manifest["summary"]
    assert summary["reports"]["expected"] == 12 and summary["reports"]["received"] == 11
    assert summary["messages_by_kind"]["notify_plan"] == 12
    assert set(summary["messages_by_status"]) == {"sent"}
    assert {k: summary["steps"][k] for k in ("notify", "draw", "visits", "provincial_visit",
                                              "final_report")} == {
        "notify": "done", "draw": "done", "visits": "done", "provincial_visit": "done",
        "final_report": "done"}
    assert "ERROR" not in texts["(console)"] and "Traceback" not in texts["(console)"]


def test_the_commune_draws_villages_themselves_with_no_second_level_beneath(commune_demo):
    _, manifest, texts = commune_demo
    units = manifest["summary"]["sample"]["units"]
    assert [u["stratum"] for u in units] == ["Thôn", "Thôn", "Tổ dân phố"]
    assert all(re.fullmatch(r"13741-\d{2}@2025-07-01", u["key"]) for u in units)
    assert all(u["villages"] == [] for u in units)
    plan_text = next(t for where, t in texts.items() if where.endswith("ke-hoach-du-thao.docx"))
    assert "Chọn ngẫu nhiên 3 thôn, tổ dân phố để tiến hành giám sát" in plan_text
    assert "Chọn ngẫu nhiên các thôn/xóm/tổ dân phố" not in plan_text
    final = next(t for where, t in texts.items() if "bao-cao-ket-qua-giam-sat" in where)
    assert "chọn ngẫu nhiên 3 thôn, tổ dân phố để Đoàn giám sát trực tiếp" in final
    assert "chưa có danh sách thôn" not in final


def test_no_document_or_email_of_the_commune_speaks_of_districts_or_a_village_committee(
        commune_demo):
    _, _, texts = commune_demo
    assert len(texts) > 200
    leaks = {(where, word) for where, text in texts.items() for word in NEVER
             if word.casefold() in text.casefold()}
    assert leaks == set()


def test_the_letter_and_the_email_to_a_village_greet_its_head(commune_demo):
    out, _, _ = commune_demo
    letter = docx_text(_notify_doc(out, "cong-van", "13741-05"))
    assert "Kính gửi: Trưởng thôn Đông Hòa" in letter
    assert "Thôn Đông Hòa báo cáo theo đề cương gửi kèm" in letter
    # a village head carries the plan out; a committee "quan tâm, chỉ đạo" (directs) it
    assert "Đề nghị Trưởng thôn Đông Hòa tổ chức thực hiện đúng thời gian quy định" in letter
    assert "chỉ đạo thực hiện đúng thời gian" not in letter
    group = docx_text(_notify_doc(out, "cong-van", "13741-01"))
    assert "Kính gửi: Tổ trưởng tổ dân phố Một" in group
    mail = _mail_to(out, "thon05@xavuban.example", "Thông báo Kế hoạch")
    assert mail.startswith("Kính gửi: Trưởng thôn Đông Hòa,")


def test_a_villages_form_has_its_commune_over_its_name_no_number_and_its_head_signs(commune_demo):
    out, _, _ = commune_demo
    path = _notify_doc(out, "de-cuong", "13741-05")
    left, right = _header_cells(path)
    assert left == ["UBND XÃ VỤ BẢN", "THÔN ĐÔNG HÒA"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "…, ngày … tháng … năm 2026"]
    text = docx_text(path)
    assert not [line for line in text.splitlines() if line.strip().startswith("Số:")]
    assert "thôn Đông Hòa báo cáo kết quả như sau:" in text
    assert "TRƯỞNG THÔN" in text and "TM. ỦY BAN NHÂN DÂN" not in text
    assert "TỔ TRƯỞNG TỔ DÂN PHỐ" in docx_text(_notify_doc(out, "de-cuong", "13741-01"))


def test_the_villages_filled_forms_are_taken_in_and_acknowledged_to_their_head(commune_demo):
    out, manifest, texts = commune_demo
    plan = load_plan(PLAN)
    received = [t for where, t in texts.items() if where.startswith("home/submissions/")]
    assert received and all("UBND XÃ VỤ BẢN" in t and "Số:" not in t for t in received)
    assert manifest["summary"]["reports"]["on_time"] + manifest["summary"]["reports"]["late"] == 11
    ack = _mail_to(out, "thon05@xavuban.example", "Đã nhận báo cáo")
    assert ack.startswith("Kính gửi: Trưởng thôn Đông Hòa,")
    assert {u.kind for u in plan.units} == {"thon", "to_dan_pho"}


def test_every_email_to_a_village_greets_its_head_and_escalation_goes_to_the_communes_chairman(
        commune_demo):
    _, _, texts = commune_demo
    greetings = {line for where, text in texts.items() if where.endswith(".eml")
                 for line in text.splitlines() if line.startswith("Kính gửi:")}
    assert not [g for g in greetings if g.startswith(("Kính gửi: thôn", "Kính gửi: tổ dân phố"))]
    assert "Kính gửi: Trưởng thôn Đông Hòa," in greetings
    assert "Kính gửi: Đồng chí Chủ tịch UBND xã Vụ Bản," in greetings  # an overdue village
