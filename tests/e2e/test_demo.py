"""The demo end to end under the Prefect test harness: manifest, final report, counts."""

import email
import re
from email import policy
from pathlib import Path

import pytest
from docx import Document

from giamsat.docx.decree30_check import check
from giamsat.issuance.signatures import verify

pytestmark = pytest.mark.prefect


def test_the_manifest_lists_every_kind_of_output_and_each_file_exists(demo_run):
    _, manifest = demo_run
    kinds = {o["kind"] for o in manifest["outputs"]}
    assert {"final_report", "interim_report", "office_report", "adhoc_report", "plan", "letter",
            "outline", "minutes", "message", "db"} <= kinds
    assert all(Path(o["path"]).exists() for o in manifest["outputs"])
    assert manifest["synthetic"] is True


def test_the_communes_behave_as_scripted(demo_run):
    reports = demo_run[1]["summary"]["reports"]
    assert (reports["expected"], reports["on_time"], reports["late"], reports["missing"]) == (18, 14, 3, 1)
    assert reports["rejected_then_corrected_files"] == 1


def test_the_reports_came_in_by_mail_with_signed_copies_and_one_through_the_inbox_folder(demo_run):
    out, manifest = demo_run
    reports = manifest["summary"]["reports"]
    assert reports["files_by_source"] == {"mail": 17, "inbox": 1}
    assert reports["by_mail"] == {"messages": 17, "forms": 17, "signed_pdfs": 4}
    assert len(list((out / "home" / "mail" / "cur").iterdir())) == 17  # every message taken, flagged
    assert list((out / "home" / "mail" / "new").iterdir()) == []


def test_every_message_went_out_and_reminders_escalated(demo_run):
    summary = demo_run[1]["summary"]
    assert set(summary["messages_by_status"]) == {"sent"}
    kinds = summary["messages_by_kind"]
    assert kinds["notify_plan"] == 18 and kinds["report_correct"] == 1 and kinds["final_report"] == 1
    assert kinds["reminder_escalation"] > 0 and kinds["visit_notice"] >= 4


def test_the_demo_registers_its_documents_signed_with_a_test_certificate_and_sends_the_pdfs(demo_run):
    out, manifest = demo_run
    documents = manifest["summary"]["documents"]
    assert documents["allow_drafts"] is False and documents["test_certificate"] is True
    # the plan, 18 letters, the interim, ad-hoc, office's and final reports
    assert documents["issued"] == 23 and documents["waiting"] == {}
    said = documents["summary"]
    assert "chứng thư THỬ NGHIỆM" in said and "không có giá trị pháp lý" in said
    notices = [m for m in _emails(out) if m["Subject"].startswith("[") and "— gửi " in m["Subject"]]
    assert len(notices) == 18
    files = {a.get_filename(): a for a in notices[0].iter_attachments()}
    plan = files["Kế hoạch 52-KH-UBND.pdf"]
    letter = next(a for name, a in files.items() if name.startswith("Công văn 23-LĐTBXH - "))
    assert plan.get_content_type() == letter.get_content_type() == "application/pdf"
    signers = verify(plan.get_content(), None)
    assert [s.name for s in signers] == ["Đỗ Văn Kỳ", "ỦY BAN NHÂN DÂN HUYỆN VỤ BẢN"]
    assert all("THỬ NGHIỆM" in s.issuer for s in signers)
    assert signers[0].signed_at.isoformat() == "2024-03-26T16:59:07+07:00"
    assert [s.name for s in verify(letter.get_content(), None)][0] == "Nguyễn Văn Minh"


def _emails(out: Path) -> list:
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted((out / "home" / "outbox").rglob("*.eml"))]


def test_the_final_report_complies_and_names_the_sample(demo_run):
    _, manifest = demo_run
    (final,) = [o["path"] for o in manifest["outputs"] if o["kind"] == "final_report"]
    assert check(final, title="Báo cáo") == []
    doc = Document(final)
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    for unit in manifest["summary"]["sample"]["units"]:
        assert unit["name"] in text
    assert "minh họa" in text
    assert len(doc.inline_shapes) >= 2
    # the one commune that never reported is named where the report asks it to report
    assert "Đề nghị UBND thị trấn Gôi chưa gửi báo cáo khẩn trương hoàn thành" in text
    # §IV: a difficulty every commune named is counted, its names left to the annex
    assert re.search(r"Kinh phí, giải ngân vốn còn chậm hoặc chưa đủ: 17/17 xã, thị trấn nêu[.;]", text)
    assert "Xã Minh Thuận, Xã Hiển Khánh" not in text


def test_recommendations_were_followed_up(demo_run):
    recs = demo_run[1]["summary"]["recommendations"]
    assert recs.get("resolved", 0) > 0 and sum(recs.values()) > recs.get("resolved", 0)


def test_the_cycle_status_at_the_end_shows_what_was_done_and_what_is_still_missing(demo_run):
    steps = demo_run[1]["summary"]["steps"]
    assert {k: steps[k] for k in ("notify", "draw", "visits", "provincial_visit", "final_report")} == {
        "notify": "done", "draw": "done", "visits": "done", "provincial_visit": "done",
        "final_report": "done"}
    assert steps["collect"] == "overdue"  # one commune never reported


def _only(manifest: dict, kind: str) -> str:
    (path,) = [o["path"] for o in manifest["outputs"] if o["kind"] == kind]
    return path


def _registered(out: Path, kind: str) -> tuple[str, str]:
    """(number, issue date) the văn thư registered for the demo's one document of ``kind``."""
    import sqlite3

    with sqlite3.connect(out / "home" / "giamsat.db") as db:
        ((number, issued_on),) = db.execute(
            "SELECT number, issued_on FROM documents WHERE kind = ? AND status = 'issued'",
            (kind,)).fetchall()
    return number, issued_on


def test_the_offices_report_to_the_committee_is_its_own_document_in_its_own_name(demo_run):
    from tests.fixtures.demo_text import docx_text

    path = _only(demo_run[1], "office_report")
    assert check(path, title="Báo cáo") == []
    text = docx_text(path)
    assert "PHÒNG LAO ĐỘNG" in text and "TRƯỞNG PHÒNG" in text  # the draft signed: its number blank
    assert _registered(demo_run[0], "office_report") == ("96/BC-LĐTBXH", "2024-11-20")
    assert "Kính gửi: Ủy ban nhân dân huyện Vụ Bản." in text
    for heading in ("II. KẾT QUẢ GIÁM SÁT THEO TIÊU CHÍ", "III. KẾT QUẢ THẨM ĐỊNH SƠ BỘ",
                    "IV. CÁC KIẾN NGHỊ VÀ KẾT QUẢ THỰC HIỆN", "V. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert heading in text
    team = "Đoàn giám sát của Sở Lao động - Thương binh và Xã hội tỉnh Nam Định"
    assert f"{team} đã làm việc tại huyện Vụ Bản ngày 18/6/2024 và kết luận:" in text
    assert "Ngoài giám sát định kỳ, Phòng Lao động - TB&XH đã tổ chức 1 đợt giám sát đột xuất" in text


def test_the_demos_adhoc_round_ends_with_its_own_report(demo_run):
    from tests.fixtures.demo_text import docx_text

    path = _only(demo_run[1], "adhoc_report")
    assert check(path, title="Báo cáo") == []
    text = docx_text(path)
    assert "Kết quả giám sát đột xuất (đợt 1)" in text
    assert _registered(demo_run[0], "adhoc_report") == ("121/BC-LĐTBXH", "2024-06-21")
    assert "II. KẾT QUẢ GIÁM SÁT" in text and "III. KIẾN NGHỊ" in text and "minh họa" in text
