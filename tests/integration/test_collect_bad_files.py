"""A corpus of bad files: each is rejected with its own clear message, nothing half-written."""

import io
import zipfile

import pytest
from docx import Document
from sqlalchemy import func, select

from giamsat.collect.service import submit, sweep_inbox
from giamsat.db.models import HouseholdFigure, Submission
from giamsat.notify.outline import render_outline
from tests.fixtures.collect import at


def _rezip(src, out, extra=None, content_types_patch=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml" and content_types_patch:
                data = content_types_patch(data)
            zout.writestr(item, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return out


def _xlsx_bytes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    return buf.getvalue()


def _bad_file(kind, tmp_path, forms, plan):
    unit = plan.units[0]
    good, _ = forms(unit, seed=3)
    target = tmp_path / f"{kind}.docx"
    if kind == "truncated":
        target.write_bytes(good.read_bytes()[:4000])
    elif kind == "pdf_renamed":
        target.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    elif kind == "xlsx_renamed":
        target.write_bytes(_xlsx_bytes())
    elif kind == "docm":
        _rezip(good, target, extra={"word/vbaProject.bin": b"\x00" * 64}, content_types_patch=lambda d:
               d.replace(b"document.main+xml", b"document.macroEnabled.main+xml"))
    elif kind == "too_large":
        target.write_bytes(b"PK" + b"\x00" * (21 * 1024 * 1024))
    elif kind == "zip_bomb":
        _rezip(good, target, extra={"word/media/bomb.bin": b"\x00" * (101 * 1024 * 1024)})
    elif kind == "blank_form":
        render_outline(plan, unit, target, plan.cycle_key)
    elif kind == "missing_table":
        doc = Document(str(good))
        review = doc.tables[2]  # header block, A, B, ...
        review._tbl.getparent().remove(review._tbl)
        doc.save(str(target))
    elif kind == "text_in_number":
        target, _ = forms(unit, seed=3, fault="text_in_number")
    elif kind == "unknown_version":
        old = plan.model_copy(update={"report": plan.report.model_copy(update={"form_version": "2023.2"})})
        target, _ = forms(unit, seed=3, plan_=old)
    return target


CASES = {
    "truncated": "Tệp bị hỏng hoặc gửi không đầy đủ",
    "pdf_renamed": "Tệp gửi đến là tệp PDF",
    "xlsx_renamed": "Tệp gửi đến là bảng tính Excel",
    "docm": "Tệp có chứa macro (.docm)",
    "too_large": "Tệp quá lớn (21.0 MB); giới hạn 20 MB.",
    "zip_bomb": "Nội dung giải nén quá lớn",
    "blank_form": "Mục B, dòng 'Hộ nghèo': chưa điền số liệu",
    "missing_table": "Mục B: không tìm thấy bảng 'B. KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO'",
    "text_in_number": "Mục B, dòng 'Hộ nghèo', cột 'Số hộ thoát': phải ghi bằng chữ số",
    "unknown_version": "phiên bản biểu mẫu '2023.2' không được sử dụng trong kỳ này",
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_bad_file_is_rejected_with_its_own_message(kind, sqlite_runtime, forms, plan, tmp_path):
    path = _bad_file(kind, tmp_path, forms, plan)
    result = submit(sqlite_runtime, path, at("2024-04-02"), unit_code=plan.units[0].code)
    assert result.status == "rejected"
    assert any(e.startswith(CASES[kind]) or CASES[kind] in e for e in result.errors), result.errors
    with sqlite_runtime.db.unit_of_work() as s:
        assert s.scalar(select(Submission.status)) == "rejected"
        assert s.scalar(select(func.count()).select_from(HouseholdFigure)) == 0


def test_another_units_form_is_rejected_naming_both_units(sqlite_runtime, forms, plan):
    owner, sender = plan.units[5], plan.units[6]
    path, _ = forms(owner)
    result = submit(sqlite_runtime, path, at("2024-04-02"), unit_code=sender.code)
    assert result.status == "rejected" and result.unit_key == sender.key
    assert result.errors == [f"biểu mẫu này là của {owner.name} (mã {owner.code}), không phải của "
                             f"{sender.name} (mã {sender.code}): vui lòng dùng đề cương của "
                             "chính đơn vị"]


def test_a_form_of_a_unit_that_no_longer_exists_is_rejected(sqlite_runtime, forms, plan):
    ceased = next(u for u in plan.units if u.code == "13744")
    path, _ = forms(ceased)
    result = submit(sqlite_runtime, path, at("2024-09-10"))
    assert result.status == "rejected"
    assert result.errors == ["Xã Minh Thuận (mã 13744) không còn là đơn vị báo cáo vào ngày "
                             "10/9/2024 (đã chấm dứt hoạt động từ 01/9/2024)"]


def test_one_bad_file_never_stops_the_inbox_sweep(sqlite_runtime, forms, plan, tmp_path):
    inbox = sqlite_runtime.home / "inbox"
    (inbox / plan.units[1].code).mkdir(parents=True)
    good, _ = forms(plan.units[0], seed=9)
    other, _ = forms(plan.units[1], seed=9)
    (inbox / "a-good.docx").write_bytes(good.read_bytes())
    (inbox / "b-copy.docx").write_bytes(good.read_bytes())
    (inbox / "c-broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (inbox / plan.units[1].code / "d.docx").write_bytes(other.read_bytes())
    (inbox / "~$lock.docx").write_bytes(b"word lock file")
    summary = sweep_inbox(sqlite_runtime, at("2024-04-03", 17))
    d = summary.as_dict()
    assert (d["files"], d["accepted"], d["rejected"], d["duplicate"], d["failed"]) == (4, 2, 1, 1, [])
    assert sorted(p.name.split("-", 2)[-1] for p in (inbox / "processed").iterdir()) == [
        "a-good.docx", "b-copy.docx", "d.docx"]
    assert [p.name.split("-", 2)[-1] for p in (inbox / "rejected").iterdir()] == ["c-broken.docx"]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == ["~$lock.docx"]
    assert sweep_inbox(sqlite_runtime, at("2024-04-04", 17)).as_dict()["files"] == 0
