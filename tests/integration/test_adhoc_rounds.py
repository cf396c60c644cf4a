"""Ad-hoc rounds: their own scope, a notice to each unit, minutes, follow-up and their own report."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest
from sqlalchemy import select

from giamsat.db.models import Document as DocRow
from giamsat.db.models import Recommendation
from giamsat.demo.communes import record_visit
from giamsat.docx.decree30_check import check
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, NotFound
from giamsat.messaging.delivery import deliver
from giamsat.rounds import service as rounds
from giamsat.rounds.report import round_report
from tests.fixtures.demo_text import docx_text
from tests.integration.test_cli_foundation import run

OPENED = dt.date(2024, 6, 12)      # a Wednesday
START, END = dt.date(2024, 6, 14), dt.date(2024, 6, 20)
NOW = clock.at_office_hours(OPENED, 9)
CONTENT = "Việc cập nhật biến động hộ nghèo giữa kỳ và công tác tuyên truyền về cuộc rà soát"


def test_a_bad_scope_is_refused_naming_what_is_wrong(sqlite_runtime):
    rt = sqlite_runtime
    with pytest.raises(NotFound, match="Không có đơn vị mã 99999"):
        rounds.open_round(rt, ["13789", "99999"], CONTENT, START, END, "tran.lan", NOW)
    with pytest.raises(Conflict, match="trước ngày bắt đầu"):
        rounds.open_round(rt, ["13789"], CONTENT, END, START, "tran.lan", NOW)
    with pytest.raises(Conflict, match="phải nằm trong thời gian thực hiện kế hoạch"):
        rounds.open_round(rt, ["13789"], CONTENT, START, dt.date(2025, 1, 5), "tran.lan", NOW)
    with pytest.raises(Conflict, match="nội dung giám sát"):
        rounds.open_round(rt, ["13789"], "   ", START, END, "tran.lan", NOW)
    with pytest.raises(Conflict, match="Không đủ ngày làm việc"):  # the notice period leaves one day
        rounds.open_round(rt, ["13789", "13792"], CONTENT, START, START, "tran.lan", NOW)
    assert rounds.list_rounds(rt) == []  # nothing half-written


def test_a_round_notifies_its_units_and_ends_with_its_own_report(sqlite_runtime, tmp_path):
    rt = sqlite_runtime
    r = rounds.open_round(rt, ["13789", "13792"], CONTENT, START, END, "tran.lan", NOW)
    assert (r.number, r.status) == (1, "open")
    assert [(v.unit_name, v.day) for v in r.visits] == [("Xã Tam Thanh", START),
                                                        ("Xã Vĩnh Hào", dt.date(2024, 6, 17))]
    deliver(rt, NOW)
    notices = [email.message_from_bytes(f.read_bytes(), policy=policy.default)
               for f in sorted((rt.home / "outbox").rglob("*.eml"))]
    texts = {m["To"]: m.get_body(("plain",)).get_content() for m in notices}
    assert len(texts) == 2
    for text in texts.values():
        assert "đợt giám sát đột xuất số 1, từ ngày 14/6/2024 đến ngày 20/6/2024" in text
        assert CONTENT in text

    with pytest.raises(Conflict, match="còn 2 cuộc giám sát chưa có biên bản"):
        round_report(rt, 1, END)
    for v in r.visits:
        record_visit(rt, v.visit_id, v.day, tmp_path)
    shown = rounds.show_round(rt, 1)
    assert all(v.status == "đã ghi biên bản" for v in shown.visits)
    assert sum(v.recommendations for v in shown.visits) > 0

    path = round_report(rt, 1, dt.date(2024, 6, 21), report_number=121)
    assert check(path, title="Báo cáo") == []
    text = docx_text(path)
    assert "Số: 121/BC-LĐTBXH" in text and "PHÒNG LAO ĐỘNG" in text  # the office's, not the committee's
    assert "Kính gửi: Ủy ban nhân dân huyện Vụ Bản." in text
    assert "Kết quả giám sát đột xuất (đợt 1)" in text and CONTENT in text
    assert "từ ngày 14/6/2024 đến ngày 20/6/2024" in text
    assert "1. Xã Tam Thanh (ngày 14/6/2024)" in text and "2. Xã Vĩnh Hào (ngày 17/6/2024)" in text
    assert "III. KIẾN NGHỊ" in text and "Ủy ban nhân dân xã Tam Thanh, xã Vĩnh Hào" in text
    with rt.db.unit_of_work() as s:
        recs = s.scalars(select(Recommendation).where(Recommendation.visit_id.in_(
            [v.visit_id for v in r.visits]))).all()
        assert recs and all(rec.content in text for rec in recs)  # followed up like the others
        kinds = set(s.scalars(select(DocRow.kind)))
    assert "adhoc_report" in kinds
    assert rounds.show_round(rt, 1).status_label == "Đã có báo cáo kết quả"


def test_the_round_commands_speak_vietnamese_and_refuse_bad_input_without_a_traceback(tmp_path):
    home = tmp_path / "home"
    out = run("round", "adhoc", "--units", "13789,13792", "--content", CONTENT, "--from", "2024-06-14",
              "--to", "2024-06-20", "--as-of", "2024-06-12", home=home)
    assert out.returncode == 0, out.stderr
    assert "Đã mở đợt giám sát đột xuất" in out.stdout and "Xã Tam Thanh" in out.stdout
    listed = run("round", "list", home=home)
    assert "Đợt 1: 14/6/2024 – 20/6/2024 [Đang thực hiện]" in listed.stdout
    shown = run("round", "show", "1", home=home)
    assert "Xã Vĩnh Hào [đã xếp lịch]" in shown.stdout
    missing = run("round", "show", "7", home=home)
    assert missing.returncode == 1 and "Không có đợt giám sát đột xuất số 7" in missing.stderr
    bad = run("round", "adhoc", "--units", "99999", "--content", "x", "--from", "2024-06-14",
              "--to", "2024-06-20", "--as-of", "2024-06-12", home=home)
    assert bad.returncode == 1 and "Không có đơn vị mã 99999" in bad.stderr
    early = run("round", "report", "1", "--as-of", "2024-06-21", home=home)
    assert early.returncode == 1 and "chưa có biên bản" in early.stderr
    assert "Traceback" not in bad.stderr + missing.stderr + early.stderr


def test_a_rescheduled_round_visit_tells_the_unit_the_rounds_scope_again_and_stays_within_its_dates(
        sqlite_runtime):
    from giamsat.visits.service import reschedule

    rt = sqlite_runtime
    r = rounds.open_round(rt, ["13789", "13792"], CONTENT, START, END, "tran.lan", NOW)
    vinh_hao = r.visits[1]
    with pytest.raises(Conflict, match="nằm ngoài thời gian của đợt giám sát đột xuất số 1 "
                                       r"\(14/6/2024 – 20/6/2024\)"):
        reschedule(rt, vinh_hao.visit_id, dt.date(2024, 6, 24), "Trùng lịch họp", "tran.lan", NOW)
    reschedule(rt, vinh_hao.visit_id, dt.date(2024, 6, 19), "Trùng lịch họp Hội đồng nhân dân xã",
               "tran.lan", NOW)
    deliver(rt, NOW)
    notices = [email.message_from_bytes(f.read_bytes(), policy=policy.default)
               for f in sorted((rt.home / "outbox").rglob("*.eml"))]
    to_vinh_hao = [m.get_body(("plain",)).get_content() for m in notices
                   if "vinhhao" in m["To"]]
    assert len(to_vinh_hao) == 2  # the first notice and the rescheduled one
    moved = next(t for t in to_vinh_hao if "19/6/2024" in t)
    assert "đợt giám sát đột xuất số 1, từ ngày 14/6/2024 đến ngày 20/6/2024" in moved
    assert CONTENT in moved and "Trùng lịch họp Hội đồng nhân dân xã" in moved
    assert "17/6/2024" in moved  # the day it replaces
