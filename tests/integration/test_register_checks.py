"""doc register takes only the document's own draft, signed, dated within its signing times."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from docx import Document as Docx

from giamsat.cycle.sync import open_cycle
from giamsat.domain import clock
from giamsat.domain.errors import SignatureRefused
from giamsat.issuance import match, pdf, service
from giamsat.notify.service import notify
from tests.conftest import CONFIG, OPENED_AT
from tests.integration.test_issued_documents import _nothing_recorded

AS_OF = dt.date(2024, 4, 1)
NOW = clock.at_office_hours(AS_OF, 10)

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                reason="needs LibreOffice (soffice) and pdftotext; .ci/run installs them")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, bytes]:
    """From one notified cycle: the plan and a letter exported by giamsat (fingerprinted), and the
    plan and another letter converted by LibreOffice alone (no fingerprint, as an office might)."""
    home = tmp_path_factory.mktemp("register-checks")
    rt = open_cycle(CONFIG, OPENED_AT, home=home / "home", database_url=f"sqlite:///{home / 'g.db'}")
    try:
        notify(rt, AS_OF)
        plan = service.documents(rt, "plan")[0]
        letters = service.documents(rt, "letter")
        return {"plan": service.export_pdf(rt, plan.id, home / "kh.pdf").read_bytes(),
                "letter0": service.export_pdf(rt, letters[0].id, home / "cv0.pdf").read_bytes(),
                "plan_plain": pdf.to_pdf(Path(plan.path), home / "kh-tho.pdf", home / "tmp").read_bytes(),
                "letter1_plain": pdf.to_pdf(Path(letters[1].path), home / "cv1-tho.pdf",
                                            home / "tmp").read_bytes()}
    finally:
        rt.db.dispose()


def _cycle(tmp_path):
    rt = open_cycle(CONFIG, OPENED_AT, home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'g.db'}")
    notify(rt, AS_OF)
    return rt


def _signed(tmp_path, data: bytes, person, organisation, name: str = "da-ky.pdf") -> Path:
    out = tmp_path / name
    out.write_bytes(organisation.sign(person.sign(data, "CaNhan"), "CoQuan"))
    return out


def test_export_writes_the_drafts_fingerprint_and_signing_keeps_it(pdfs, person, organisation):
    found = match.read_fingerprint(organisation.sign(person.sign(pdfs["plan"], "CaNhan"), "CoQuan"))
    assert found is not None and found.startswith("giamsat-draft:vu-ban-2024:")
    assert match.read_fingerprint(pdfs["plan_plain"]) is None


def test_another_documents_signed_pdf_is_refused_and_nothing_recorded(tmp_path, pdfs, person, organisation):
    rt = _cycle(tmp_path)
    plan_id = service.documents(rt, "plan")[0].id
    letter = _signed(tmp_path, pdfs["letter0"], person, organisation)
    with pytest.raises(SignatureRefused, match="là của văn bản khác .*không phải kế hoạch mã"):
        service.register(rt, plan_id, letter, "52", None, NOW, "Văn thư Lan")
    _nothing_recorded(rt, plan_id)


def test_a_pdf_made_without_giamsat_is_compared_by_its_text(tmp_path, pdfs, person, organisation):
    rt = _cycle(tmp_path)
    letters = service.documents(rt, "letter")
    other = _signed(tmp_path, pdfs["letter1_plain"], person, organisation)
    with pytest.raises(SignatureRefused, match="không khớp với dự thảo công văn"):
        service.register(rt, letters[0].id, other, "23", None, NOW, "Văn thư Lan")  # another commune's
    _nothing_recorded(rt, letters[0].id)
    rt = _cycle(tmp_path / "again")
    plan_id = service.documents(rt, "plan")[0].id
    own = _signed(tmp_path, pdfs["plan_plain"], person, organisation, "kh-da-ky.pdf")
    assert service.register(rt, plan_id, own, "52", None, NOW, "Văn thư Lan").doc.number == "52/KH-UBND"
    rt.db.dispose()


def test_a_pdf_of_an_older_draft_is_refused(tmp_path, pdfs, person, organisation):
    rt = _cycle(tmp_path)
    plan = service.documents(rt, "plan")[0]
    draft = Docx(plan.path)
    draft.add_paragraph("Đoạn bổ sung sau khi đã xuất PDF.")
    draft.save(plan.path)
    signed = _signed(tmp_path, pdfs["plan"], person, organisation)
    with pytest.raises(SignatureRefused, match="bản dự thảo cũ"):
        service.register(rt, plan.id, signed, "52", None, NOW, "Văn thư Lan")
    _nothing_recorded(rt, plan.id)


def test_an_issue_date_outside_the_signing_times_is_refused(tmp_path, pdfs, person, organisation):
    rt = _cycle(tmp_path)
    plan_id = service.documents(rt, "plan")[0].id
    signed = _signed(tmp_path, pdfs["plan"], person, organisation)
    with pytest.raises(SignatureRefused, match=r"Ngày ban hành 25/3/2024 sớm hơn thời điểm ký số của "
                                               r"Đỗ Văn Kỳ \(2024-03-26T16:59:07\+07:00\)"):
        service.register(rt, plan_id, signed, "52", dt.date(2024, 3, 25), NOW, "Văn thư Lan")
    with pytest.raises(SignatureRefused, match="Ngày ban hành 28/3/2024 muộn hơn chữ ký số cuối cùng"):
        service.register(rt, plan_id, signed, "52", dt.date(2024, 3, 28), NOW, "Văn thư Lan")
    _nothing_recorded(rt, plan_id)
    rt = _cycle(tmp_path / "again")
    done = service.register(rt, plan_id, signed, "52", dt.date(2024, 3, 26), NOW, "Văn thư Lan")
    assert done.doc.issued_on == dt.date(2024, 3, 26)  # the seed's: dated 26/3, signed 26/3 and 27/3
    rt.db.dispose()
