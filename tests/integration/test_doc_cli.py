"""``giamsat doc``, run as the văn thư runs it (a real subprocess)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import CONFIG
from tests.integration.test_cli_foundation import run

CLEAN = {"GIAMSAT_ACTOR": "Văn thư Lan", "GIAMSAT_DATABASE_URL": "", "GIAMSAT_CONFIG": str(CONFIG),
         "GIAMSAT_TRUST_ROOTS": ""}


def doc(home, *args, env=None):
    return run("doc", *args, env={**CLEAN, **(env or {})}, home=home)


@pytest.fixture
def home(tmp_path):
    """A home where the plan, the letters and the outlines have been written (step notify)."""
    out = run("notify", "--as-of", "2024-04-01", env=CLEAN, home=tmp_path)
    assert out.returncode == 0, out.stderr
    return tmp_path


def _plan_id(home) -> int:
    out = doc(home, "list", "--json", "--kind", "plan")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)[0]["id"]


def test_doc_list_shows_every_notified_document_as_a_draft(home):
    out = doc(home, "list")
    assert out.returncode == 0, out.stderr
    assert "dự thảo" in out.stdout and "37 văn bản; 37 dự thảo chưa đăng ký" in out.stdout


def test_export_without_libreoffice_says_how_to_install_it(home):
    out = doc(home, "export", str(_plan_id(home)), "--pdf", str(home / "kh.pdf"),
              env={"PATH": "/nonexistent"})
    assert out.returncode == 1
    assert "Chưa cài LibreOffice" in out.stderr and "libreoffice-writer-nogui" in out.stderr
    assert "Traceback" not in out.stderr


def test_an_unknown_document_is_a_clear_message(home):
    out = doc(home, "export", "9999", "--pdf", str(home / "x.pdf"))
    assert out.returncode == 1 and "Không có văn bản số hiệu 9999" in out.stderr


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_export_sign_register_and_the_register_book_from_the_command_line(home, person, organisation,
                                                                          test_ca):
    plan_id = _plan_id(home)
    out = doc(home, "export", str(plan_id), "--pdf", str(home / "kh.pdf"))
    assert out.returncode == 0, out.stderr
    signed = home / "kh-da-ky.pdf"
    signed.write_bytes(organisation.sign(person.sign((home / "kh.pdf").read_bytes(), "CaNhan"), "CoQuan"))
    roots = {"GIAMSAT_TRUST_ROOTS": str(test_ca.pem(home / "root.pem"))}
    unsigned = doc(home, "register", str(plan_id), "--signed", str(home / "kh.pdf"), "--number", "52",
                   env=roots)
    assert unsigned.returncode == 1 and "chưa có chữ ký số" in unsigned.stderr
    out = doc(home, "register", str(plan_id), "--signed", str(signed), "--number", "52", env=roots)
    assert out.returncode == 0, out.stderr
    assert "số 52/KH-UBND" in out.stdout and "Ký số: Đỗ Văn Kỳ — " in out.stdout
    listed = json.loads(doc(home, "list", "--json", "--kind", "plan").stdout)[0]
    assert (listed["status_label"], listed["number"]) == ("đã ký, phát hành", "52/KH-UBND")
    out = doc(home, "register-book", "--csv", str(home / "so-di.csv"))
    assert out.returncode == 0 and "1 văn bản đã phát hành" in out.stdout
    assert "52/KH-UBND" in (home / "so-di.csv").read_text(encoding="utf-8-sig")
