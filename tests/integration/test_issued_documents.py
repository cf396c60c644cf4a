"""The draft exported to PDF, signed twice, registered with its number; bad PDFs refused."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from giamsat.cycle.sync import open_cycle
from giamsat.db.models import AuditEntry, Document
from giamsat.domain import clock
from giamsat.domain.errors import Conflict, SignatureRefused
from giamsat.issuance import book, service
from giamsat.notify.service import notify
from giamsat.runtime import Runtime
from tests.conftest import CONFIG, OPENED_AT

AS_OF = dt.date(2024, 4, 1)
NOW = clock.at_office_hours(AS_OF, 10)
ISO_VN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (soffice) is not installed; .ci/run installs it")


@pytest.fixture(scope="module")
def plan_pdf(tmp_path_factory) -> bytes:
    """The notified plan's draft exported to PDF by LibreOffice (once for the module)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    home = tmp_path_factory.mktemp("issued-export")
    rt = open_cycle(CONFIG, OPENED_AT, home=home / "home", database_url=f"sqlite:///{home / 'giamsat.db'}")
    try:
        notify(rt, AS_OF)
        plan = service.documents(rt, "plan")[0]
        return service.export_pdf(rt, plan.id, home / "ke-hoach.pdf").read_bytes()
    finally:
        rt.db.dispose()


def _notified(tmp_path, **settings) -> tuple[Runtime, int]:
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}",
                      **settings)
    notify(rt, AS_OF)
    return rt, service.documents(rt, "plan")[0].id


@pytest.fixture
def signed_plan(plan_pdf, person, organisation) -> bytes:
    """The plan signed as the seed is: by the person, then by the organisation."""
    return organisation.sign(person.sign(plan_pdf, "ChuKyCaNhan"), "ChuKyCoQuan")


@needs_soffice
def test_the_exported_plan_is_a_pdf_with_the_plan_text(plan_pdf, tmp_path):
    assert plan_pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    (tmp_path / "p.pdf").write_bytes(plan_pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "KẾ HOẠCH" in text and "huyện Vụ Bản" in text


@needs_soffice
def test_a_plan_signed_by_the_person_then_the_organisation_is_registered_with_number_and_signers(
        tmp_path, signed_plan, test_ca):
    rt, plan_id = _notified(tmp_path, trust_roots=str(test_ca.pem(tmp_path / "root.pem")))
    signed = tmp_path / "ke-hoach-da-ky.pdf"
    signed.write_bytes(signed_plan)
    done = service.register(rt, plan_id, signed, "52", None, NOW, "Văn thư Lan")
    doc = done.doc
    assert (doc.status, doc.status_label, doc.number) == ("issued", "đã ký, phát hành", "52/KH-UBND")
    assert [s["name"] for s in doc.signers] == ["Đỗ Văn Kỳ", "Ủy ban nhân dân huyện Vụ Bản"]
    assert all(ISO_VN.match(s["signed_at"]) and s["trusted"] for s in doc.signers)
    assert doc.issued_on == dt.date(2024, 3, 26)  # the competent person's day, as the seed is dated
    assert doc.signed_sha256 == hashlib.sha256(signed_plan).hexdigest()
    with rt.db.unit_of_work() as s:
        stored = s.get(Document, plan_id).signed_path
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "document.register"))
        assert (entry.actor, entry.detail["number"]) == ("Văn thư Lan", "52/KH-UBND")
    assert open(stored, "rb").read() == signed_plan
    rt.db.dispose()


@needs_soffice
def test_a_byte_changed_after_signing_is_refused_and_nothing_is_recorded(tmp_path, signed_plan):
    rt, plan_id = _notified(tmp_path)
    tampered = bytearray(signed_plan)
    at = tampered.index(b">", tampered.index(b"/Producer<")) - 1  # a hex digit of "LibreOffice 7.4"
    tampered[at] = ord("5") if tampered[at] != ord("5") else ord("4")
    bad = tmp_path / "sua.pdf"
    bad.write_bytes(bytes(tampered))
    with pytest.raises(SignatureRefused, match="Đỗ Văn Kỳ không còn nguyên vẹn"):
        service.register(rt, plan_id, bad, "52", None, NOW, "Văn thư Lan")
    _nothing_recorded(rt, plan_id)


@needs_soffice
def test_an_unsigned_pdf_is_refused(tmp_path, plan_pdf):
    rt, plan_id = _notified(tmp_path)
    unsigned = tmp_path / "chua-ky.pdf"
    unsigned.write_bytes(plan_pdf)
    with pytest.raises(SignatureRefused, match="chưa có chữ ký số"):
        service.register(rt, plan_id, unsigned, "52", None, NOW, "Văn thư Lan")
    _nothing_recorded(rt, plan_id)


@needs_soffice
def test_content_added_after_the_last_signature_is_refused(tmp_path, signed_plan):
    rt, plan_id = _notified(tmp_path)
    extended = tmp_path / "them.pdf"
    extended.write_bytes(signed_plan + b"\n% them noi dung\n")
    with pytest.raises(SignatureRefused, match="sau chữ ký số cuối cùng"):
        service.register(rt, plan_id, extended, "52", None, NOW, "Văn thư Lan")
    _nothing_recorded(rt, plan_id)


@needs_soffice
def test_a_signer_outside_the_configured_roots_is_refused(tmp_path, plan_pdf, person, outsider, test_ca):
    rt, plan_id = _notified(tmp_path, trust_roots=str(test_ca.pem(tmp_path / "root.pem")))
    wrong = tmp_path / "ky-sai.pdf"
    wrong.write_bytes(outsider.sign(person.sign(plan_pdf, "ChuKyCaNhan"), "ChuKyCoQuan"))
    with pytest.raises(SignatureRefused, match="Người ngoài.*không do tổ chức chứng thực được tin cậy"):
        service.register(rt, plan_id, wrong, "52", None, NOW, "Văn thư Lan")
    _nothing_recorded(rt, plan_id)


@needs_soffice
def test_a_plan_without_its_number_is_refused(tmp_path, signed_plan):
    rt, plan_id = _notified(tmp_path)
    signed = tmp_path / "da-ky.pdf"
    signed.write_bytes(signed_plan)
    with pytest.raises(SignatureRefused, match="phải có số do văn thư cấp"):
        service.register(rt, plan_id, signed, None, None, NOW, "Văn thư Lan")
    _nothing_recorded(rt, plan_id)


@needs_soffice
def test_registering_again_keeps_the_first_original(tmp_path, signed_plan, plan_pdf, person):
    rt, plan_id = _notified(tmp_path)
    signed = tmp_path / "da-ky.pdf"
    signed.write_bytes(signed_plan)
    service.register(rt, plan_id, signed, "52/KH-UBND", dt.date(2024, 3, 26), NOW, "Văn thư Lan")
    assert not service.register(rt, plan_id, signed, "52", None, NOW, "Văn thư Lan").changed
    other = tmp_path / "khac.pdf"
    other.write_bytes(person.sign(plan_pdf, "ChuKyKhac"))
    with pytest.raises(Conflict, match="đã được đăng ký với số 52/KH-UBND"):
        service.register(rt, plan_id, other, "53", None, NOW, "Văn thư Lan")
    assert service.document(rt, plan_id).issued_on == dt.date(2024, 3, 26)


@needs_soffice
def test_the_register_book_lists_the_issued_plan_with_its_signers_and_recipients(tmp_path, signed_plan):
    rt, plan_id = _notified(tmp_path)
    signed = tmp_path / "da-ky.pdf"
    signed.write_bytes(signed_plan)
    service.register(rt, plan_id, signed, "52", dt.date(2024, 3, 26), NOW, "Văn thư Lan")
    path, count = book.write(rt, tmp_path / "so-di.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert count == 1 and rows[0][:4] == book.HEADER[:4]
    number, day, summary, signers = rows[1][:4]
    assert (number, day) == ("52/KH-UBND", "26/03/2024")
    assert summary.startswith("Kế hoạch ") and signers == "Đỗ Văn Kỳ; Ủy ban nhân dân huyện Vụ Bản"
    assert "UBND các xã, thị trấn" in rows[1][5] and rows[1][6] == "Lưu: VT, LĐTBXH"


def test_every_notified_document_starts_as_a_draft_with_its_sha256(sqlite_runtime):
    notify(sqlite_runtime, AS_OF)
    docs = service.documents(sqlite_runtime)
    assert {d.kind for d in docs} == {"plan", "letter", "outline"}
    assert all(d.status == "draft" and d.number is None for d in docs)
    plan = next(d for d in docs if d.kind == "plan")
    assert plan.sha256 == hashlib.sha256(open(plan.path, "rb").read()).hexdigest()


def _nothing_recorded(rt: Runtime, doc_id: int) -> None:
    doc = service.document(rt, doc_id)
    assert (doc.status, doc.number, doc.signers, doc.signed_path) == ("draft", None, [], None)
    with rt.db.unit_of_work() as s:
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "document.register")) is None
    signed = rt.home / "documents" / "signed"
    assert not signed.exists() or not any(signed.iterdir())
    rt.db.dispose()


@needs_soffice
def test_registration_is_kept_on_each_database_backend(runtime, tmp_path, signed_plan):
    notify(runtime, AS_OF)
    plan_id = service.documents(runtime, "plan")[0].id
    signed = tmp_path / "da-ky.pdf"
    signed.write_bytes(signed_plan)
    service.register(runtime, plan_id, signed, "52", dt.date(2024, 3, 26), NOW, "Văn thư Lan")
    (listed,) = [d.as_json() for d in service.documents(runtime, "plan")]
    assert (listed["status"], listed["number"], listed["date"]) == ("issued", "52/KH-UBND", "2024-03-26")
    assert [s["name"] for s in listed["signers"]] == ["Đỗ Văn Kỳ", "Ủy ban nhân dân huyện Vụ Bản"]
    assert "1 đã đăng ký" in service.signature_summary(runtime)["summary"]


def test_the_signature_summary_names_five_drafts_a_kind_and_counts_the_rest(runtime):
    notify(runtime, AS_OF)  # the plan, and one letter per unit of the seed plan (18)
    with runtime.db.unit_of_work() as s:
        letters = sorted(s.scalars(select(Document.id).where(Document.kind == "notify_letter")))
        plan_id = s.scalar(select(Document.id).where(Document.kind == "notify_plan"))
    summary = service.signature_summary(runtime)
    assert summary["waiting"] == {"plan": 1, "letter": 18} and summary["issued"] == 0
    line = str(summary["summary"])
    assert f"mã {plan_id})" in line
    assert f"mã {', '.join(map(str, letters[:5]))} và 13 văn bản khác" in line
    assert line.index("kế hoạch") < line.index("công văn")  # kinds in the order they were written
